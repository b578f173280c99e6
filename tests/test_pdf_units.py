"""The PDF stages one by one: settings, colours, footnotes, previews, checks; and the CLI options."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from conftest import REPO, SEED, require_tool, run_cli

from pipeline.errors import ThemeError, UsageError
from pipeline.pdf.colors import cmyk_palette, naive_cmyk
from pipeline.pdf.footnotes import blocks_to_inlines, has_notes, inline_notes
from pipeline.pdf.page import PANDOC_HTML_ARGS
from pipeline.pdf.preview import CONTENTS_ANCHOR, choose_pages
from pipeline.pdf.settings import length_mm, normalize_variant, print_settings
from pipeline.render import run_pandoc
from pipeline.theme import load_theme
from pipeline.writers import WriteOptions

# ---- settings ---------------------------------------------------------------------------------


def test_theme_settings_and_profiles():
    theme = load_theme("openinfra")
    screen = print_settings(theme, WriteOptions())
    assert (screen.duplex, screen.part_break, screen.back_cover) == (True, "recto", True)
    assert (screen.bleed, screen.marks, screen.link_color) == ("0mm", (), True)
    printed = print_settings(theme, WriteOptions(profile="print"))
    assert (printed.bleed, printed.marks, printed.link_color) == ("3mm", ("crop", "cross"), False)
    assert printed.cmyk["navy"] == (0.85, 0.65, 0.4, 0.6)  # percent in brand.yml → fractions
    simplex = print_settings(load_theme("default"), WriteOptions())
    assert (simplex.duplex, simplex.size, simplex.width) == (False, "Letter", "8.5in")


def test_paper_option_overrides_the_theme_size():
    settings = print_settings(load_theme("openinfra"), WriteOptions(paper="letter"))
    assert (settings.size, settings.width, settings.height) == ("Letter", "8.5in", "11in")
    with pytest.raises(UsageError, match="unknown paper size"):
        print_settings(load_theme("openinfra"), WriteOptions(paper="tabloid"))


@pytest.mark.parametrize(("given", "expected"), [("pdf/a-3b", "pdf/a-3b"), ("PDF/UA-1", "pdf/ua-1"),
                                                 ("pdfx-4", "pdf/x-4"), ("a-2u", "pdf/a-2u"), (None, None)])
def test_variant_names_are_normalized(given, expected):
    assert normalize_variant(given) == expected


def test_unknown_variant_lists_the_known_ones():
    with pytest.raises(UsageError, match=r"unknown PDF variant 'pdf/z-9'.*pdf/a-3b.*pdf/ua-1.*pdf/x-4"):
        normalize_variant("pdf/z-9")


def _theme_with(tmp_path: Path, pdf_block: str):
    theme_dir = tmp_path / "styles" / "custom"
    shutil.copytree(REPO / "styles" / "openinfra", theme_dir)
    (tmp_path / "styles" / "default").symlink_to(REPO / "styles" / "default")
    brand = (theme_dir / "brand.yml").read_text(encoding="utf-8")
    brand = brand[: brand.index("    pdf:")] + pdf_block
    (theme_dir / "brand.yml").write_text(brand, encoding="utf-8")
    return load_theme(str(theme_dir))


@pytest.mark.parametrize(("block", "message"), [
    ("    pdf:\n      part_break: sideways\n", r"part_break must be one of page, recto, none"),
    ("    pdf:\n      cmyk:\n        navy: [1, 2]\n", r"cmyk.navy must be four numbers"),
    ("    pdf:\n      output_intent:\n        profile: ../../etc/passwd\n", r"not a file inside the theme"),
])
def test_bad_theme_settings_name_the_brand_file(tmp_path, block, message):
    theme = _theme_with(tmp_path, block)
    with pytest.raises(ThemeError, match=message) as caught:
        print_settings(theme, WriteOptions())
    assert caught.value.path == theme.brand_file


def test_lengths_in_millimetres():
    assert length_mm("3mm") == 3
    assert length_mm("1in") == length_mm("72pt") == pytest.approx(25.4)
    assert length_mm("auto") is None


# ---- colours ----------------------------------------------------------------------------------


def test_naive_cmyk_is_exact_for_greys():
    assert naive_cmyk((1, 1, 1)) == (0, 0, 0, 0)
    assert naive_cmyk((0, 0, 0)) == (0, 0, 0, 1)
    assert naive_cmyk((0.5, 0.5, 0.5)) == (0, 0, 0, 0.5)


def test_roles_inherit_the_build_of_their_palette_colour():
    colours = {"red": "#E2173E", "primary": "#E2173E", "white": "#FFFFFF", "named": "rebeccapurple"}
    palette = cmyk_palette(colours, {"red": (0, 0.95, 0.7, 0)})
    assert palette["red"] == palette["primary"] == "device-cmyk(0 0.95 0.7 0)"
    assert palette["white"] == "device-cmyk(0 0 0 0)"
    assert palette["named"] == "rebeccapurple"


# ---- footnotes --------------------------------------------------------------------------------


def _ast(markdown: str) -> dict:
    return json.loads(run_pandoc(markdown, "json", fmt="commonmark_x"))


def _tags_inside_notes(html: str) -> set[str]:
    from html.parser import HTMLParser

    class Notes(HTMLParser):
        def __init__(self) -> None:
            super().__init__()
            self.depth, self.inside = 0, set()

        def handle_starttag(self, tag, attrs):
            if self.depth:
                self.inside.add(tag)
                self.depth += tag == "span"
            elif tag == "span" and ("class", "footnote") in attrs:
                self.depth = 1

        def handle_endtag(self, tag):
            if self.depth and tag == "span":
                self.depth -= 1

    parser = Notes()
    parser.feed(html)
    return parser.inside


NOTE_DOC = """# Title[^h]

Text with a note.[^a] More text.[^b]

[^h]: On the heading.
[^a]: One paragraph with `code`.
[^b]: First paragraph.

    - item one
    - item two

    ```
    block code
    ```
"""


def test_notes_move_to_their_call_sites_as_phrasing_content():
    ast = _ast(NOTE_DOC)
    assert has_notes(ast)
    moved, count = inline_notes(ast)
    assert count == 3 and not has_notes(moved)
    html = run_pandoc(json.dumps(moved), "html5", args=PANDOC_HTML_ARGS)
    assert 'class="footnotes' not in html and "footnote-ref" not in html
    assert html.count('<span class="footnote">') == 3
    # Block content became spans: nothing in a note may end the paragraph that holds it.
    assert _tags_inside_notes(html) <= {"span", "code", "a", "em", "strong"}
    assert "• item one" in html and "block code" in html
    assert '<h1 title="Title">' in html  # running heads and bookmarks read the plain title


def test_list_markers_follow_the_list_start():
    blocks = _ast("[^n]\n\n[^n]: 3. three\n    4. four\n")["blocks"][0]["c"][0]["c"]
    texts = [span["c"][1][0]["c"] for span in blocks_to_inlines(blocks)]
    assert texts == ["3. ", "4. "]


# ---- previews ---------------------------------------------------------------------------------


def test_preview_pages_cover_contents_and_part_openings():
    anchors = {CONTENTS_ANCHOR: 2, "a1": 4, "part-one": 10, "a2": 10, "part-two": 22}
    pages = choose_pages(anchors, ["a1", "part-one", "a2", "part-two"],
                         [("part-one", "Part One"), ("part-two", "Part Two!")], 30)
    assert [(p.index, p.name) for p in pages] == [
        (0, "cover"), (2, "contents"), (3, "contents-2"), (10, "part-01-part-one"), (22, "part-02-part-two")]


def test_cli_preview_validate_and_print_profile(tmp_path):
    require_tool("qpdf")
    out = tmp_path / "dist"
    (out / "preview").mkdir(parents=True)
    stale = out / "preview" / f"{SEED.stem}-part-07-old-part.png"
    stale.write_bytes(b"old")
    unrelated = out / "preview" / "another-report-cover.png"
    unrelated.write_bytes(b"keep")
    result = run_cli(str(SEED), "--to", "pdf", "-o", str(out), "--profile", "print", "--preview", "--validate")
    assert result.returncode == 0, result.stderr
    assert "PDF001" not in result.stdout + result.stderr
    names = sorted(p.name for p in (out / "preview").iterdir())
    stem = SEED.stem
    assert names == sorted([
        "another-report-cover.png", f"{stem}-cover.png", f"{stem}-contents.png",
        f"{stem}-part-01-openinfra-project-updates.png",
        f"{stem}-part-02-openinfra-community-mentoring-programs.png",
    ])
    from PIL import Image

    with Image.open(out / "preview" / f"{stem}-cover.png") as cover:
        assert cover.format == "PNG" and cover.height > cover.width > 800
        assert cover.convert("RGB").getpixel((cover.width // 10, cover.height * 7 // 10))[2] < 90  # navy field
    assert not stale.exists() and unrelated.exists()


def test_cli_reports_an_unknown_variant(tmp_path):
    source = tmp_path / "short.md"
    source.write_text("# Short\n\nText.\n", encoding="utf-8")
    result = run_cli(str(source), "--to", "pdf", "-o", str(tmp_path / "out"), "--pdf-variant", "pdf/q-1")
    assert result.returncode == 2  # a usage error, caught before any work
    assert "unknown PDF variant 'pdf/q-1'" in result.stderr
    assert not (tmp_path / "out" / "short.pdf").exists()


# ---- the cover on its own (the EPUB cover image renders it like this) ---------------------------


@pytest.mark.parametrize("theme_name", ["openinfra", "default"])
def test_cover_templates_render_alone_as_one_page(theme_name):
    import weasyprint
    from pypdf import PdfReader

    from pipeline.document import Metadata

    theme = load_theme(theme_name)
    page = theme.tokens["page"]
    meta = Metadata(title="A Title That Is Long Enough To Wrap Over Two Lines", subtitle="Sub", date="2024",
                    publisher="Someone")
    html = (f'<html><head><style>@page {{ size: {page["width"]} {page["height"]}; margin: 0 }} body {{ margin: 0 }}'
            f'{theme.render("_cover.css.j2")}</style></head><body>'
            f'{theme.render("_cover.html.j2", meta=meta, logo=theme.tokens["logo"].as_uri())}</body></html>')
    pdf = weasyprint.HTML(string=html).write_pdf()
    reader = PdfReader(__import__("io").BytesIO(pdf))
    assert len(reader.pages) == 1
    text = " ".join(reader.pages[0].extract_text().split())
    assert "A Title That Is Long Enough" in text and "2024" in text and "Sub" in text


def test_missing_glyph_warnings_fold_into_one(tmp_path):
    from pipeline.document import Document, Metadata
    from pipeline.writers.pdf import summarize_missing_glyphs

    document = Document(tmp_path / "ja.md", Metadata(title="t"), "")
    document.warn("LINK005", "unrelated, before the render")
    for text in ("プラ", "ッ", "プ"):
        document.warn("PDF001", f'WeasyPrint: .notdef glyph rendered for Unicode string unsupported by fonts: "{text}"')
    document.warn("PDF001", "WeasyPrint: Failed to load image at 'x.png'")
    summarize_missing_glyphs(document, since=1)
    messages = [d.message for d in document.diagnostics]
    assert messages[0] == "unrelated, before the render"
    assert messages[1] == "WeasyPrint: Failed to load image at 'x.png'"
    assert messages[2].startswith("WeasyPrint: 3 characters have no glyph in the theme's fonts")
    assert "プ U+30D7, ラ U+30E9, ッ U+30C3" in messages[2] and len(messages) == 3


def test_dropped_raw_html_is_reported_once_with_or_without_notes(tmp_path):
    """The PDF body with notes is rendered on its own, but the removed raw HTML is still reported."""
    for name, note in (("plain", ""), ("noted", "[^1]\n\n[^1]: The note.")):
        source = tmp_path / f"{name}.md"
        source.write_text(f"---\ntitle: Raw\n---\n\n# Part\n\nText.{note}\n\n<script>alert(1)</script>\n\n"
                          '<p onclick="x()">Hi</p>\n', encoding="utf-8")
        result = run_cli(str(source), "--to", "pdf,html", "-o", str(tmp_path / "out"), "-j", "1")
        assert result.returncode == 0, result.stderr
        output = result.stdout + result.stderr
        reports = [line for line in output.splitlines() if "[HTML001]" in line]
        assert len(reports) == 1 and "<script>" in reports[0] and "event handlers" in reports[0], output


@pytest.mark.parametrize("depth", [1, 3])
def test_contents_depth_comes_from_the_theme(tmp_path, depth):
    """`toc_depth` in the theme decides how many heading levels the PDF's contents list."""
    import pdfplumber

    theme_dir = tmp_path / "styles" / "custom"
    shutil.copytree(REPO / "styles" / "openinfra", theme_dir)
    brand = theme_dir / "brand.yml"
    text = brand.read_text(encoding="utf-8")
    assert "toc_depth: 2" in text
    brand.write_text(text.replace("toc_depth: 2", f"toc_depth: {depth}"), encoding="utf-8")
    source = tmp_path / "depth.md"
    source.write_text("---\ntitle: Depth\n---\n# Part One\n\n## Article Alpha\n\n### Section Gamma\n\nText.\n\n"
                      "# Part Two\n\n## Article Beta\n\nMore.\n", encoding="utf-8")
    result = run_cli(str(source), "--to", "pdf", "-o", str(tmp_path / "out"), "--theme", str(theme_dir))
    assert result.returncode == 0, result.stderr
    with pdfplumber.open(tmp_path / "out" / "depth.pdf") as pdf:
        contents = next(page.extract_text() for page in pdf.pages if "Contents" in (page.extract_text() or ""))
    listed = {title: title in contents for title in ("Part One", "Article Alpha", "Section Gamma", "Part Two")}
    assert listed == {"Part One": True, "Article Alpha": depth >= 2, "Section Gamma": depth >= 3,
                      "Part Two": True}, contents
