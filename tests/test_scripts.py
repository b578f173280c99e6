"""Every script prints: the multi-script fixture, the corpus's Japanese and Arabic documents, a
right-to-left page, and a character no font has. Outputs are read back with real readers."""

from __future__ import annotations

import json
import re
import zipfile
from pathlib import Path

import pytest

from tests.conftest import CORPUS, require_tool, run_cli
from tests.fontcoverage import (
    docx_fonts,
    docx_uncovered,
    epub_uncovered,
    html_uncovered,
    pdf_fonts,
    pdf_uncovered,
)

FIXTURES = Path(__file__).parent / "fixtures"
MULTI = FIXTURES / "scripts" / "multiscript.md"
# A sample of each script in the fixture, and the family that must draw it (the default chain).
SCRIPTS = {
    "Chinese": ("开放基础", "Noto Sans CJK"), "Japanese": ("オープン", "Noto Sans CJK"),
    "Korean": ("커뮤니티", "Noto Sans CJK"), "Hebrew": ("קהילת", "Heebo"), "Arabic": ("مجتمع", "Noto Sans Arabic"),
    "Russian": ("Сообщество", "Source Serif 4"), "Greek": ("κοινότητα", "Source Serif 4"),
    "Thai": ("ชุมชน", "Noto Sans Thai"), "Hindi": ("समुदाय", "Noto Sans Devanagari"), "emoji": ("🚀", "Noto Color Emoji"),
    "math": ("∑", "Source Serif 4"), "math alphanumerics": ("𝔸", "Noto Sans Math"),
}

pytestmark = pytest.mark.slow


def _convert(sources: list[Path], out: Path, *extra: str, formats: str = "all") -> dict[str, dict]:
    result = run_cli(*map(str, sources), "--to", formats, "-o", str(out), "-q", *extra)
    assert result.returncode == 0, result.stderr
    return json.loads((out / "manifest.json").read_text(encoding="utf-8"))["outputs"]


@pytest.fixture(scope="module")
def multi(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, dict]]:
    require_tool("pdftotext")
    out = tmp_path_factory.mktemp("multiscript")
    return out, _convert([MULTI], out, "--no-office", "--no-validate")


@pytest.mark.parametrize("fmt, uncovered", [("pdf", pdf_uncovered), ("epub", epub_uncovered),
                                            ("html", html_uncovered), ("docx", docx_uncovered)])
def test_every_character_is_drawn_by_an_embedded_font(multi, fmt, uncovered):
    out, manifest = multi
    assert uncovered(out / f"multiscript.{fmt}") == set()
    assert not [w for w in manifest[f"multiscript.{fmt}"]["warnings"] if "FONT001" in w or "PDF00" in w]


def test_each_script_is_set_in_its_fallback_family(multi):
    out, manifest = multi
    fonts = pdf_fonts(out / "multiscript.pdf")
    for script, (sample, family) in SCRIPTS.items():
        drawing = {name.split("+", 1)[-1] for name, chars in fonts.items() if sample[0] in chars}
        assert any(name.replace("-", " ").startswith(family) for name in drawing), (script, drawing)
    used = {f["family"] for f in manifest["multiscript.pdf"]["details"]["fallback_fonts"]}
    assert {"Heebo", "Noto Sans Arabic", "Noto Sans CJK JP", "Noto Color Emoji"} <= used  # kana: Japanese forms
    assert set(docx_fonts(out / "multiscript.docx")) >= used | {"Inter", "Source Serif 4"}


def test_cjk_text_breaks_between_characters_without_hyphens(multi):
    import subprocess

    out, _ = multi
    text = subprocess.run(["pdftotext", str(out / "multiscript.pdf"), "-"], capture_output=True, text=True).stdout
    chinese = [line for line in text.splitlines() if "开放基础设施社区" in line or "贡献者来自" in line]
    assert chinese and not any(line.rstrip().endswith(("-", "\u2010")) for line in chinese)


def test_foreign_script_blocks_carry_their_language_and_direction(multi):
    out, _ = multi
    page = (out / "multiscript.html").read_text(encoding="utf-8")
    assert '<div lang="he" dir="rtl">' in page and '<div lang="ar" dir="rtl">' in page
    assert '<div lang="ja">' in page and '<div lang="zh-Hans">' in page
    with zipfile.ZipFile(out / "multiscript.epub") as book:
        chapters = "".join(book.read(n).decode() for n in book.namelist() if n.endswith(".xhtml"))
    assert 'lang="he" dir="rtl"' in chapters


def test_word_styles_fill_every_script_slot_and_mark_rtl(multi):
    out, _ = multi
    with zipfile.ZipFile(out / "multiscript.docx") as package:
        styles = package.read("word/styles.xml").decode()
        body = package.read("word/document.xml").decode()
    slots = re.findall(r"<w:rFonts [^>]*>", styles)
    assert slots and all('w:eastAsia="Noto Sans CJK JP"' in s and 'w:cs="' in s for s in slots)
    defaults = re.search(r"<w:rPrDefault>.*?</w:rPrDefault>", styles).group(0)
    assert 'w:val="en"' in defaults and 'w:eastAsia="ja"' in defaults
    hebrew = next(p for p in re.findall(r"<w:p>.*?</w:p>|<w:p .*?</w:p>", body) if "קהילת" in p)
    assert "<w:bidi/>" in hebrew and "<w:rtl/>" in hebrew and 'w:cs="Heebo"' in hebrew
    assert 'w:lang w:val="he"' in hebrew


def test_a_character_no_font_has_is_one_warning_and_the_output_is_written(tmp_path):
    source = tmp_path / "hieroglyph.md"
    # Kawi and Nag Mundari (Unicode 15): no font of the chain, nor of this machine, has them.
    source.write_text("# Old signs\n\nThe letters \U00011F04 and \U0001E4D0 are in no font.\n", encoding="utf-8")
    outputs = _convert([source], tmp_path / "out", "--no-office", "--no-validate")
    for fmt in ("pdf", "docx", "epub", "html"):
        entry = outputs[f"hieroglyph.{fmt}"]
        assert entry["status"] == "ok"
        font_warnings = [w for w in entry["warnings"] if "FONT001" in w]
        assert len(font_warnings) == 1 and "U+11F04" in font_warnings[0] and "U+1E4D0" in font_warnings[0]
        assert "Kawi" in font_warnings[0]  # what to add: a font for that script
    assert "\U00011F04" in pdf_uncovered(tmp_path / "out" / "hieroglyph.pdf")  # the check sees the box


def test_a_right_to_left_page_is_mirrored(tmp_path, request):
    """The Hebrew sample, detected as such: its heading starts at the right margin (PNG kept for review)."""
    import pdfplumber
    import pypdfium2

    outputs = _convert([FIXTURES / "languages" / "he.md"], tmp_path / "out", "--no-validate", formats="pdf")
    assert outputs["he.pdf"]["language"]["lang"] == "he"
    pdf = tmp_path / "out" / "he.pdf"
    with pdfplumber.open(pdf) as document:
        # The part opening: the page after the cover with the 28 pt part heading over body text.
        pages = [page.extract_words(extra_attrs=["size"]) for page in document.pages]
        index, words = next((i, words) for i, words in enumerate(pages) if i and any(w["size"] > 27 for w in words))
        heading = [w for w in words if w["size"] > 27]
        body = [w for w in words if 10 < w["size"] < 11]
        right_edge = max(w["x1"] for w in body)
        left_edge = min(w["x0"] for w in body)
        assert heading and abs(max(w["x1"] for w in heading) - right_edge) < 2
        assert min(w["x0"] for w in heading) > left_edge + 50  # a short heading: nowhere near the left
    review = Path(request.config.cache.mkdir("rtl-review")) if request.config.cache else tmp_path
    image = pypdfium2.PdfDocument(str(pdf))[index].render(scale=1).to_pil()
    image.save(review / "he-first-page.png")
    image.save(tmp_path / "he-first-page.png")


@pytest.mark.corpus
def test_the_corpus_japanese_and_arabic_documents_print_in_every_format(tmp_path):
    require_tool("pdftotext")
    names = ["cncf-platforms-maturity-model-v1-ja", "opensource-guide-how-to-contribute-ar"]
    sources = [CORPUS / f"{name}.md" for name in names]
    if not all(source.is_file() for source in sources):
        pytest.skip(f"the public corpus is not at {CORPUS}")
    require_tool("soffice")
    require_tool("java")
    out = tmp_path / "out"
    outputs = _convert(sources, out, "--validate", "-j", "2")
    for name in names:
        for fmt, uncovered in (("pdf", pdf_uncovered), ("epub", epub_uncovered), ("html", html_uncovered),
                               ("docx", docx_uncovered)):
            assert uncovered(out / f"{name}.{fmt}") == set(), (name, fmt)
        epub = outputs[f"{name}.epub"]["details"]["validation"]
        assert (epub["status"], epub["errors"], epub["warnings"]) == ("passed", 0, 0), epub
        docx = outputs[f"{name}.docx"]["details"]["validation"]
        assert docx["status"] == "passed" and docx["pages"] > 1
    with zipfile.ZipFile(out / f"{names[1]}.docx") as package:
        body = package.read("word/document.xml").decode()
        styles = package.read("word/styles.xml").decode()
    assert "<w:bidi/>" in re.search(r"<w:pPrDefault>.*?</w:pPrDefault>", styles).group(0)  # the contents' too
    paragraphs = re.findall(r"<w:p[ >].*?</w:p>", body)
    arabic = [p for p in paragraphs if re.search("[\u0600-\u06ff]", p) and "TOC" not in p[:200]]
    assert arabic and all("<w:bidi/>" in p for p in arabic)
    with zipfile.ZipFile(out / f"{names[1]}.epub") as book:
        assert 'page-progression-direction="rtl"' in book.read("EPUB/content.opf").decode()
