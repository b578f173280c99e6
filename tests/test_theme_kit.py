"""The theme kit: `convert theme new`, `convert theme check`, and the specimen built with both shipped themes."""

from __future__ import annotations

import json
import re
import zipfile
from pathlib import Path

import pytest
from conftest import REPO, require_tool, run_cli

from pipeline.theme.contrast import contrast, rgb

SHIPPED = ("openinfra", "default")


# ---- theme new -----------------------------------------------------------------------------------

def test_new_writes_a_theme_that_checks_clean_and_builds(tmp_path: Path) -> None:
    result = run_cli("theme", "new", "acme-blue", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    folder = tmp_path / "styles" / "acme-blue"
    assert sorted(p.name for p in folder.iterdir()) == ["brand.yml", "logo.svg", "vocabulary.txt"]
    brand = (folder / "brand.yml").read_text(encoding="utf-8")
    assert "full: Acme Blue" in brand and brand.count("#") > 20, "a commented brand.yml"
    assert (folder / "vocabulary.txt").read_text(encoding="utf-8").splitlines()[-1] == "Acme Blue"
    check = run_cli("theme", "check", "--theme", "acme-blue", cwd=tmp_path)
    assert check.returncode == 0, check.stdout + check.stderr
    assert "no problems" in check.stdout
    (tmp_path / "doc.md").write_text("---\ntitle: Hello\n---\n# One\n\nText.\n", encoding="utf-8")
    built = run_cli("doc.md", "--to", "html", "--theme", "acme-blue", cwd=tmp_path)
    assert built.returncode == 0, built.stderr
    assert "#1F6F78" in (tmp_path / "dist" / "doc.html").read_text(encoding="utf-8")


def test_new_refuses_to_overwrite_a_theme(tmp_path: Path) -> None:
    folder = tmp_path / "styles" / "mine"
    folder.mkdir(parents=True)
    (folder / "brand.yml").write_text("meta: {name: Mine}\n", encoding="utf-8")
    result = run_cli("theme", "new", "mine", cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "convert: error: styles/mine: a theme folder is already there; choose another name or remove it first"]
    assert (folder / "brand.yml").read_text(encoding="utf-8") == "meta: {name: Mine}\n"
    assert [p.name for p in (tmp_path / "styles").iterdir()] == ["mine"], "no staging folder left behind"
    bad = run_cli("theme", "new", "../escape", cwd=tmp_path)
    assert bad.returncode == 2 and "must be a folder name" in bad.stderr


def test_new_from_a_quarto_brand_keeps_it_and_adds_our_settings(tmp_path: Path) -> None:
    from PIL import Image

    quarto = tmp_path / "quarto"
    quarto.mkdir()
    (quarto / "_brand.yml").write_text(
        "# Our brand, as Quarto reads it\nmeta:\n  name: Harbour Lab\ncolor:\n  palette:\n    blue: \"#2B5C8A\"\n"
        "  primary: blue\nlogo:\n  small: mark.png\n  large:\n    path: gone.svg\n    alt: Harbour Lab\n",
        encoding="utf-8")
    Image.new("RGB", (24, 24), (43, 92, 138)).save(quarto / "mark.png")
    result = run_cli("theme", "new", "harbour", "--from", str(quarto / "_brand.yml"), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    folder = tmp_path / "styles" / "harbour"
    assert (folder / "mark.png").read_bytes() == (quarto / "mark.png").read_bytes()
    brand = (folder / "brand.yml").read_text(encoding="utf-8")
    assert "# Our brand, as Quarto reads it" in brand, "the source's comments are kept"
    assert "path: logo.svg" in brand and (folder / "logo.svg").is_file(), "a missing logo gets the placeholder"
    assert "part_break:" in brand and "chapter_break:" in brand, "our settings are added, commented"
    assert "#2B5C8A" in (folder / "logo.svg").read_text(encoding="utf-8"), "the placeholder is in the brand colour"
    check = run_cli("theme", "check", "--theme", str(folder), cwd=tmp_path)
    assert check.returncode == 0, check.stdout + check.stderr


# ---- theme check ---------------------------------------------------------------------------------

def test_contrast_ratio_is_wcag_2() -> None:
    assert contrast((0, 0, 0), (255, 255, 255)) == pytest.approx(21.0)
    assert contrast(rgb("#777777"), rgb("white")) == pytest.approx(4.48, abs=0.01)
    assert contrast(rgb("#E2173E"), rgb("#FFFFFF")) > 4.5


@pytest.mark.parametrize("theme", SHIPPED)
def test_shipped_themes_have_no_problems(theme: str) -> None:
    result = run_cli("theme", "check", "--theme", theme)
    assert result.returncode == 0, result.stdout + result.stderr


BAD_BRAND = """\
meta:
  name: Pale
color:
  palette:
    lemon: "#FFF176"
  primary: lemon
  foreground: "#777777"
  background: white
  secondary: notacolour
typography:
  fonts:
    - family: Comic Neue Nonexistent
      source: google
logo: missing.svg
defaults:
  pipeline:
    cover:
      background: lemon
      foreground: white
"""


def test_check_names_file_and_line_of_every_problem(tmp_path: Path) -> None:
    theme = tmp_path / "pale"
    theme.mkdir()
    (theme / "brand.yml").write_text(BAD_BRAND, encoding="utf-8")
    result = run_cli("theme", "check", "--theme", str(theme))
    assert result.returncode == 1
    lines = result.stdout.strip().splitlines()
    brand = theme / "brand.yml"
    expected = {
        6: "color.primary: contrast of headings (#FFF176 on white) is 1.16:1, below WCAG AA's 4.5:1",
        7: "color.foreground: contrast of body text (#777777 on white) is 4.48:1, below WCAG AA's 4.5:1",
        9: "color.secondary: 'notacolour' is neither a colour",
        12: "typography.fonts[0].family: font family 'Comic Neue Nonexistent' is not installed",
        14: "logo: missing.svg is not a file inside the theme folder",
        19: "defaults.pipeline.cover.foreground: contrast of cover text (white on #FFF176) is 1.16:1",
    }
    for line, text in expected.items():
        assert any(entry.startswith(f"{brand}:{line}: {text}") for entry in lines), (line, lines)
    assert all(re.match(rf"{re.escape(str(brand))}:\d+: ", entry) for entry in lines), lines


def test_check_reports_schema_errors_and_unknown_keys_of_ours(tmp_path: Path) -> None:
    theme = tmp_path / "typo"
    theme.mkdir()
    (theme / "brand.yml").write_text(
        "meta:\n  name: Typo\ncolor:\n  primary: '#123456'\n  bogus: 1\ntypography:\n  base:\n    weight: heavy\n"
        "defaults:\n  pipeline:\n    toc_depth: 9\n    pdf:\n      part_brek: recto\n      bleed: lots\n",
        encoding="utf-8")
    result = run_cli("theme", "check", "--theme", str(theme))
    brand = theme / "brand.yml"
    assert result.returncode == 1
    assert f"{brand}:5: color.bogus: Extra inputs are not permitted" in result.stdout
    assert f"{brand}:8: typography.base.weight: " in result.stdout
    assert f"{brand}:11: defaults.pipeline.toc_depth: 9 is not a whole number from 1 to 6" in result.stdout
    assert f"{brand}:13: defaults.pipeline.pdf.part_brek: unknown key (did you mean part_break?)" in result.stdout
    assert f"{brand}:14: defaults.pipeline.pdf.bleed: 'lots' is not a length" in result.stdout
    (theme / "brand.yml").write_text("meta:\n  name: [unclosed\n", encoding="utf-8")
    broken = run_cli("theme", "check", "--theme", str(theme))
    assert broken.returncode == 1
    assert re.fullmatch(rf"{re.escape(str(brand))}:\d+: not valid YAML: .+", broken.stdout.strip())


# ---- theme specimen ------------------------------------------------------------------------------

# Text of each kind of element, as it must come out in every format.
ELEMENTS = {
    "headings": ["Headings and text", "An article at the second level", "The third level", "The fourth level",
                 "The fifth level", "The sixth level"],
    "byline": ["Ada Lovelace, Chief Designer"],
    "lists": ["nested twice", "nested and numbered", "set as a description list"],
    "tables": ["North America", "gracefully"],
    "code": ["def contrast", "keeps its indentation"],
    "quotations": ["A quotation inside a quotation"],
    "footnotes": ["A short footnote", "Its second paragraph"],
    "figures": ["A bar chart in the brand"],
    "callouts": ["A note: information", "A warning: something", "Caution: the risks"],
    "mathematics": ["display mathematics stands alone"],
    "scripts": ["Zwölf Boxkämpfer", "Ξεσκεπάζω", "Съешь же ещё"],
}
# Text of the scripts only the fallback fonts cover (the theme's fallback chain).
FALLBACK_SCRIPTS = {"Hebrew": "דג סקרן", "Arabic": "نص حكيم", "Devanagari": "ऋषियों", "Thai": "เป็นมนุษย์",
                    "Chinese": "我能吞下玻璃", "Japanese": "いろはにほへと", "Korean": "키스의"}


@pytest.fixture(scope="module", params=SHIPPED)
def specimen(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    out = tmp_path_factory.mktemp(f"specimen-{request.param}")
    result = run_cli("theme", "specimen", "--theme", request.param, "-o", str(out), "--no-office", "-j", "2")
    assert result.returncode == 0, result.stdout + result.stderr
    name = f"specimen-{request.param}"
    return {"theme": Path(request.param), "out": out, **{fmt: out / f"{name}.{fmt}"
                                                         for fmt in ("pdf", "docx", "epub", "html")}}


def _words(text: str) -> str:
    return " ".join(text.replace("\u00ad", "").split())


@pytest.mark.slow
def test_specimen_shows_every_element_in_every_format(specimen: dict[str, Path]) -> None:
    import docx
    from pypdf import PdfReader

    texts = {
        "pdf": _words(" ".join(page.extract_text() or "" for page in PdfReader(specimen["pdf"]).pages)),
        "docx": _words(" ".join(p.text for p in docx.Document(str(specimen["docx"])).paragraphs) + " " + " ".join(
            cell.text for table in docx.Document(str(specimen["docx"])).tables for row in table.rows
            for cell in row.cells)),
        "html": _words(re.sub(r"<[^>]+>", " ", specimen["html"].read_text(encoding="utf-8"))),
        "epub": _words(" ".join(re.sub(r"<[^>]+>", " ", zipfile.ZipFile(specimen["epub"]).read(n).decode())
                                for n in zipfile.ZipFile(specimen["epub"]).namelist() if n.endswith(".xhtml"))),
    }
    missing = {fmt: [t for kind in ELEMENTS.values() for t in kind if _words(t) not in text]
               for fmt, text in texts.items()}
    # Word keeps footnotes in their own part, not among the body's paragraphs.
    missing["docx"] = [t for t in missing["docx"] if t not in ELEMENTS["footnotes"]]
    assert not any(missing.values()), missing
    for fmt in ("html", "epub", "pdf"):
        assert all(sample in texts[fmt] for sample in FALLBACK_SCRIPTS.values()), fmt
    assert "\\frac" not in texts["pdf"] and "\\sum" not in texts["pdf"], "formulas are drawn, not printed as TeX"
    manifest = json.loads((specimen["out"] / "manifest.json").read_text(encoding="utf-8"))
    warnings = [w for entry in manifest["outputs"].values() for w in entry.get("warnings", [])]
    assert not [w for w in warnings if any(code in w for code in ("[PDF001]", "[PDF002]", "[FONT001]", "[MATH001]"))]


@pytest.mark.slow
def test_specimen_structure_each_format(specimen: dict[str, Path]) -> None:
    import docx
    from pypdf import PdfReader

    html = specimen["html"].read_text(encoding="utf-8")
    for tag in ("<h1", "<h2", "<h3", "<h4", "<h5", "<h6", "<table", "<pre", "<blockquote", "<figure",
                "<figcaption", "<dl", 'class="byline"', 'class="footnote-ref"', 'dir="rtl"'):
        assert tag in html, tag
    assert re.search(r'class="math[^"]*"[^>]*>\s*<svg', html), "formulas drawn as SVG"
    assert 'type="checkbox"' in html or "task" in html, "task lists"
    for callout in ("note", "tip", "important", "warning", "caution"):
        assert re.search(rf'<div class="[^"]*\bcallout-{callout}\b', html), callout
    word = docx.Document(str(specimen["docx"]))
    styles = {p.style.name for p in word.paragraphs if p.style is not None}
    assert {f"Heading {n}" for n in range(1, 7)} <= styles and "Byline" in styles, styles
    assert len(word.tables) == 2
    # A page of each script: every script's part opens its own page.
    reader = PdfReader(specimen["pdf"])
    first_page = {}
    for number, page in enumerate(reader.pages):
        for script in ("Latin", "Greek", "Cyrillic", *FALLBACK_SCRIPTS, "Symbols and emoji"):
            if script not in first_page and re.search(rf"(^|\n){re.escape(script)}\s*\n", page.extract_text() or ""):
                first_page[script] = number
    assert len(first_page) == 3 + len(FALLBACK_SCRIPTS) + 1, first_page
    assert len(set(first_page.values())) == len(first_page), "each script on a page of its own"
    manifest = json.loads((specimen["out"] / "manifest.json").read_text(encoding="utf-8"))
    epub = manifest["outputs"][specimen["epub"].name]
    if epub.get("details", {}).get("validation", {}).get("status") != "skipped":
        assert epub["details"]["validation"]["status"] == "passed"
    else:
        require_tool("java")


def test_specimen_source_is_written_where_the_outputs_are(tmp_path: Path) -> None:
    from pipeline.theme import load_theme
    from pipeline.theme.specimen import write_specimen_source

    theme = load_theme("default")
    source = write_specimen_source(theme, tmp_path)
    text = source.read_text(encoding="utf-8")
    assert source.name == "specimen-default.md" and "subtitle: \"Pipeline\"" in text
    assert (tmp_path / "specimen-chart.png").is_file()
    before = source.stat().st_mtime_ns
    write_specimen_source(theme, tmp_path)
    assert source.stat().st_mtime_ns == before, "unchanged content is not rewritten"
    assert REPO.joinpath("pipeline", "theme", "specimen.md").is_file()
