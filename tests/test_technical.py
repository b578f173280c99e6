"""Technical reports in every format, read back from the files: formulas, code, callouts, task
lists, footnotes in lists and tables, wide tables, hand-written contents.

Two fixtures (tests/fixtures): `formulas.md`, thirty formulas of increasing difficulty from a letter
to aligned equations, and `technical.md`, the rest. Both are converted once, through the CLI, with
the neutral theme; the public corpus's math-heavy specification is converted once more (slow).
"""

from __future__ import annotations

import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest
from conftest import CORPUS, REPO, require_tool, run_cli
from lxml import etree
from lxml import html as lxml_html

pytestmark = pytest.mark.slow

FIXTURES = REPO / "tests" / "fixtures"
SPEC = CORPUS / "filecoin-fip-0086-fast-finality.md"
W = {"w": "http://schemas.openxmlformats.org/wordprocessingml/2006/main",
     "m": "http://schemas.openxmlformats.org/officeDocument/2006/math"}
X = {"x": "http://www.w3.org/1999/xhtml", "m": "http://www.w3.org/1998/Math/MathML"}
TEX_COMMAND = re.compile(r"\\[A-Za-z]+")
FORMULAS = 34  # thirty items, some with two or three formulas
DISPLAYED = 4


@pytest.fixture(scope="module")
def out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("technical")
    for name in ("formulas.md", "technical.md"):
        shutil.copyfile(FIXTURES / name, folder / name)
    target = folder / "out"
    result = run_cli(str(folder / "formulas.md"), str(folder / "technical.md"), "--to", "pdf,docx,epub,html",
                     "--theme", "default", "--no-validate", "-o", str(target))
    assert result.returncode == 0, result.stdout + result.stderr
    (target / "cli.txt").write_text(result.stdout + result.stderr, encoding="utf-8")
    return target


def _pdf_text(path: Path) -> str:
    require_tool("pdftotext")
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True,
                          check=True).stdout


def _epub_chapters(path: Path) -> list:
    with zipfile.ZipFile(path) as book:
        return [etree.fromstring(book.read(n)) for n in sorted(book.namelist())
                if n.startswith("EPUB/text/ch") and n.endswith(".xhtml")]


def _docx_xml(path: Path, part: str = "word/document.xml"):
    with zipfile.ZipFile(path) as word:
        return etree.fromstring(word.read(part))


def _epubcheck(path: Path) -> None:
    require_tool("java")
    from pipeline.validate import check_epub

    result = check_epub(path, name=path.name)
    assert [str(f) for f in result.findings] == []
    assert result.errors == 0 and result.warnings == 0


# -- formulas ------------------------------------------------------------------------------------
def test_pdf_draws_every_formula_and_prints_no_tex(out: Path) -> None:
    import pdfplumber

    text = _pdf_text(out / "formulas.pdf")
    assert TEX_COMMAND.findall(text) == [] and "$" not in text
    with pdfplumber.open(out / "formulas.pdf") as pdf:
        labels: list[tuple[int, object, dict]] = []
        for page in pdf.pages:
            for word in page.extract_words():
                if re.fullmatch(r"\d{1,2}\.", word["text"]) and word["x0"] < page.width / 4:
                    labels.append((int(word["text"][:-1]), page, word))
        assert [n for n, _, _ in labels] == list(range(1, 31))
        for index, (number, page, word) in enumerate(labels):
            following = labels[index + 1] if index + 1 < len(labels) else None
            bottom = following[2]["top"] if following and following[1] is page else word["top"] + 90
            drawn = [o for o in page.curves + page.rects + page.lines
                     if o["top"] >= word["top"] - 12 and o["bottom"] <= bottom + 2 and o["x0"] > word["x1"]]
            assert drawn, f"formula {number} is not drawn"
            if number > 30 - DISPLAYED:  # displayed: centred in the text column
                left = min(o["x0"] for o in drawn)
                right = max(o["x1"] for o in drawn)
                column_middle = (word["x0"] + page.width - 72) / 2
                assert abs((left + right) / 2 - column_middle) < page.width * 0.12, number


def test_docx_formulas_are_word_equations(out: Path) -> None:
    body = _docx_xml(out / "formulas.docx")
    assert len(body.findall(".//m:oMath", W)) == FORMULAS
    assert len(body.findall(".//m:oMathPara", W)) == DISPLAYED
    text = "".join(body.xpath("//w:t/text()", namespaces=W))
    assert TEX_COMMAND.findall(text) == []


def test_epub_formulas_are_mathml_with_their_tex_and_pass_epubcheck(out: Path) -> None:
    maths = [m for chapter in _epub_chapters(out / "formulas.epub") for m in chapter.iterfind(".//m:math", X)]
    assert len(maths) == FORMULAS
    assert sum(m.get("display") == "block" for m in maths) == DISPLAYED
    assert all(m.get("alttext") and m.get("alttext").strip() for m in maths)
    assert any(m.get("alttext") == r"\frac{a}{b}" for m in maths)
    with zipfile.ZipFile(out / "formulas.epub") as book:
        package = book.read("EPUB/content.opf").decode()
    assert re.search(r'href="text/ch\d+\.xhtml"[^>]*properties="mathml"', package)
    _epubcheck(out / "formulas.epub")


def test_html_formulas_are_vector_drawings(out: Path) -> None:
    page = lxml_html.fromstring((out / "formulas.html").read_bytes())
    drawings = page.xpath("//span[contains(@class, 'math-svg')]")
    assert len(drawings) == FORMULAS
    assert len([d for d in drawings if "display" in d.get("class")]) == DISPLAYED
    assert all(d.xpath(".//*[local-name()='svg']//*[local-name()='path']") for d in drawings)
    assert all(d.get("aria-label") for d in drawings)
    assert not page.xpath("//*[local-name()='math']")


def test_a_formula_pandoc_cannot_read_stays_visible_as_code(tmp_path: Path) -> None:
    from pipeline.load import load_document
    from pipeline.render import pandoc_ast
    from pipeline.writers.htmlpage import body_html

    source = tmp_path / "broken.md"
    source.write_text("# Broken\n\nGood $\\frac{a}{b}$ and bad $\\notacommand{x}$.\n", encoding="utf-8")
    document = load_document(source)
    pandoc_ast(document)
    warnings = [d for d in document.diagnostics if d.code == "MATH001"]
    assert len(warnings) == 1 and warnings[0].line == 3 and "notacommand" in warnings[0].message
    body = body_html(document)
    assert '<code class="math-tex inline">\\notacommand{x}</code>' in body
    assert body.count('class="math-svg inline"') == 1


def test_a_theme_names_its_math_font_which_must_be_one(tmp_path: Path) -> None:
    import ziamath

    from pipeline.errors import ThemeError
    from pipeline.mathsvg import math_font
    from pipeline.theme import load_theme

    theme_dir = tmp_path / "brand"
    shutil.copytree(REPO / "styles" / "default", theme_dir)
    shutil.copyfile(Path(ziamath.__file__).parent / "fonts" / "STIXTwoMath-Regular.ttf", theme_dir / "math.ttf")
    shutil.copyfile(next(iter(load_theme("default").fonts)).path, theme_dir / "text.ttf")
    brand = (theme_dir / "brand.yml").read_text(encoding="utf-8")
    assert math_font(load_theme(str(theme_dir))) is None  # STIX Two Math
    for name, works in (("math.ttf", True), ("text.ttf", False), ("../outside.ttf", False)):
        (theme_dir / "brand.yml").write_text(brand.replace("    toc_depth: 2\n", f"    toc_depth: 2\n    math:\n"
                                                           f"      font: {name}\n", 1), encoding="utf-8")
        if works:
            assert math_font(load_theme(str(theme_dir))) == (theme_dir / name).resolve()
        else:
            with pytest.raises(ThemeError):
                math_font(load_theme(str(theme_dir)))


# -- callouts, task lists, footnotes -------------------------------------------------------------
KINDS = ("Note", "Tip", "Important", "Warning", "Caution")
NOTES = ("A footnote inside a callout.", "A footnote inside a task list.", "A footnote inside a table cell.")


def test_callouts_in_every_format(out: Path) -> None:
    page = lxml_html.fromstring((out / "technical.html").read_bytes())
    for kind in KINDS:
        callout = page.xpath(f"//div[contains(@class, 'callout-{kind.lower()}')]")
        assert len(callout) == 1
        assert callout[0].xpath("string(.//div[contains(@class, 'callout-title')])").strip() == kind
    epub = [d for c in _epub_chapters(out / "technical.epub") for d in c.iterfind(".//x:div", X)
            if "callout" in (d.get("class") or "").split()]
    assert len(epub) == len(KINDS)
    import docx

    styles = [p.style.name for p in docx.Document(str(out / "technical.docx")).paragraphs]
    for kind in KINDS:
        assert styles.count(f"{kind} Title") == 1 and styles.count(kind) == 1
    text = " ".join(_pdf_text(out / "technical.pdf").split())
    for kind, line in zip(KINDS, ("Notes carry", "Tips carry", "Important notes", "Warnings carry", "Cautions"),
                          strict=True):
        assert f"{kind} {line}" in text
    assert "[!NOTE]" not in text


def test_callout_labels_follow_the_document_language() -> None:
    from pipeline.transforms.alerts import alert_label, label_alerts

    assert [alert_label(k.lower(), "de") for k in KINDS] == ["Bemerkung", "Tipp", "Wichtig", "Warnung", "Vorsicht"]
    assert alert_label("caution", "pt-BR") == "Cuidado"
    assert alert_label("tip", "tlh") == "Tip"  # no labels for Klingon: English
    ast = {"blocks": [{"t": "Div", "c": [["", ["warning"], []], [
        {"t": "Div", "c": [["", ["title"], []], [{"t": "Para", "c": [{"t": "Str", "c": "Warning"}]}]]},
        {"t": "Para", "c": [{"t": "Str", "c": "Hot"}]}]]}]}
    labelled = label_alerts(ast, "fr")["blocks"][0]
    assert "callout-warning" in labelled["c"][0][1]
    assert labelled["c"][1][0]["c"][1][0]["c"] == [{"t": "Str", "c": "Avis"}]


def test_task_lists_are_boxes_in_every_format(out: Path) -> None:
    page = lxml_html.fromstring((out / "technical.html").read_bytes())
    boxes = page.xpath("//ul[contains(@class, 'task-list')]//span[@class='task-box']")
    assert [b.get("aria-checked") for b in boxes] == ["true", "false", "false"]
    inputs = [i for c in _epub_chapters(out / "technical.epub") for i in c.iterfind(".//x:input", X)]
    assert [i.get("checked") is not None for i in inputs] == [True, False, False]
    numbering = _docx_xml(out / "technical.docx", "word/numbering.xml")
    marks = set(numbering.xpath("//w:lvl[@w:ilvl='0']/w:lvlText/@w:val", namespaces=W))
    assert {"\u2612", "\u2610"} <= marks
    import pdfplumber

    with pdfplumber.open(out / "technical.pdf") as pdf:
        for page_ in pdf.pages:
            words = {w["text"]: w for w in page_.extract_words()}
            if "Collect" in words:
                line = words["Collect"]
                middle = (line["top"] + line["bottom"]) / 2
                boxes = [r for r in page_.rects if abs((r["top"] + r["bottom"]) / 2 - middle) < 4
                         and r["x1"] <= line["x0"] and 3 < r["width"] < 14]
                assert boxes, "no box drawn before the first task"
                break
        else:
            pytest.fail("task list not found in the PDF")


def test_footnotes_in_callouts_lists_and_tables_keep_working(out: Path) -> None:
    text = " ".join(_pdf_text(out / "technical.pdf").split())
    assert all(note in text for note in NOTES)
    footnotes = _docx_xml(out / "technical.docx", "word/footnotes.xml")
    notes_text = " ".join(" ".join(footnotes.xpath("//w:t/text()", namespaces=W)).split())
    assert all(note in notes_text for note in NOTES)
    page = (out / "technical.html").read_text(encoding="utf-8")
    assert all(note in page for note in NOTES)


# -- code ----------------------------------------------------------------------------------------
def test_code_is_highlighted_in_the_brand_palette(out: Path) -> None:
    from pipeline.theme import load_theme

    palette = load_theme("default").tokens["code"]
    page = (out / "technical.html").read_text(encoding="utf-8")
    assert '<span class="bu">int</span>' in page  # a built-in type
    assert f"code span.bu {{ color: {palette['type']}" in page
    with zipfile.ZipFile(out / "technical.epub") as book:
        css = book.read("EPUB/styles/stylesheet1.css").decode()
    assert f"code span.co {{ color: {palette['comment']}" in css
    styles = _docx_xml(out / "technical.docx", "word/styles.xml")
    color = styles.xpath("//w:style[@w:styleId='BuiltInTok']//w:color/@w:val", namespaces=W)
    assert [c.lower() for c in color] == [palette["type"].lstrip("#").lower()]
    import pdfplumber

    with pdfplumber.open(out / "technical.pdf") as pdf:
        chars = [c for p in pdf.pages for c in p.chars]
    expected = tuple(int(palette["type"][i:i + 2], 16) / 255 for i in (1, 3, 5))
    ints = [c for c in chars if c["text"] == "i" and "Mono" in c["fontname"]]
    assert any(all(abs(a - b) < 0.02 for a, b in zip(c["non_stroking_color"] or (), expected, strict=False))
               for c in ints)


def test_long_code_lines_wrap_inside_the_page_with_a_mark_and_output_keeps_its_columns(out: Path) -> None:
    import pdfplumber

    with pdfplumber.open(out / "technical.pdf") as pdf:
        for page in pdf.pages:
            lines = page.extract_text_lines()
            texts = [line["text"] for line in lines]
            if any(t.startswith("def fibonacci") for t in texts):
                break
        else:
            pytest.fail("code block not found")
        start = next(i for i, t in enumerate(texts) if t.startswith("def fibonacci"))
        code_left = lines[start]["x0"]
        comment = next(i for i, t in enumerate(texts) if "# a comment long enough" in t)
        continuation = lines[comment + 1]
        assert "type" in continuation["text"] and continuation["x0"] > code_left + 3  # hanging indent
        assert max(c["x1"] for c in page.chars) <= page.width
        number = page.page_number
        gutter = (code_left, continuation["top"], continuation["x0"] - 0.5, continuation["bottom"])
        bars = [line for line in lines if line["text"].lstrip().startswith("|") or " | " in line["text"]]
        columns = {round(next(c["x0"] for c in line["chars"] if c["text"] == "|"), 1) for line in bars}
        assert len(bars) == 3 and len(columns) == 1  # the compiler's gutter stays one column
    # The mark is a background image: look at the pixels of the gutter beside the wrapped row.
    assert _ink(out / "technical.pdf", number, gutter) > 0.03, "no continuation mark beside the wrapped row"


def _ink(path: Path, page_number: int, box: tuple[float, float, float, float]) -> float:
    """Share of dark pixels in a box (PDF points from the top left) of a page rendered at 4×."""
    import pypdfium2

    document = pypdfium2.PdfDocument(str(path))
    try:
        image = document[page_number - 1].render(scale=4).to_pil().convert("L")
    finally:
        document.close()
    left, top, right, bottom = (round(v * 4) for v in box)
    histogram = image.crop((left, top, max(right, left + 1), max(bottom, top + 1))).histogram()
    return sum(histogram[:160]) / sum(histogram)


# -- wide tables and hand-written contents -------------------------------------------------------
def _chars_outside(path: Path) -> list[tuple[int, str]]:
    import pdfplumber

    outside = []
    with pdfplumber.open(path) as pdf:
        for number, page in enumerate(pdf.pages, 1):
            x0, top, x1, bottom = page.trimbox if getattr(page, "trimbox", None) else page.bbox
            outside += [(number, c["text"]) for c in page.chars if c["x0"] < x0 - 0.5 or c["x1"] > x1 + 0.5
                        or c["top"] < top - 0.5 or c["bottom"] > bottom + 0.5]
    return outside


def test_wide_tables_fit_the_page(out: Path) -> None:
    import pdfplumber

    assert _chars_outside(out / "technical.pdf") == []
    with pdfplumber.open(out / "technical.pdf") as pdf:
        landscape = [p for p in pdf.pages if p.width > p.height]
        assert landscape and "twelfth" in landscape[0].extract_text()
        for page in pdf.pages:  # nothing past the right margin either
            if "Quebec" in page.extract_text():
                assert max(c["x1"] for c in page.chars) < page.width - 40
    from pipeline.theme import load_theme
    from pipeline.writers.docx_reference import text_width

    body = _docx_xml(out / "technical.docx")
    width = text_width(load_theme("default"))
    wide = [t for t in body.iterfind(".//w:tbl", W) if len(t.findall("w:tblGrid/w:gridCol", W)) > 10]
    assert len(wide) == 2
    for table in wide:
        grid = sum(int(c.get(f"{{{W['w']}}}w")) for c in table.findall("w:tblGrid/w:gridCol", W)) / 20
        assert grid <= width + 1
        assert table.find("w:tblPr/w:tblLayout", W).get(f"{{{W['w']}}}type") == "fixed"


def test_split_when_even_a_landscape_page_is_too_narrow() -> None:
    from pipeline.document import Document, Metadata
    from pipeline.pdf.tables import fit_tables

    header = "".join(f"<th>Column number {k}</th>" for k in range(40))
    row = "<td>label</td>" + "".join(f"<td>value-{k}-with-a-long-word</td>" for k in range(39))
    document = Document(source=Path("/x.md"), meta=Metadata(title="t", lang="en"), body="", body_line=1)
    fitted = fit_tables(f"<table><thead><tr>{header}</tr></thead><tbody><tr>{row}</tr></tbody></table>",
                        document, 168, 255, 10.5)
    tables = lxml_html.fragment_fromstring(fitted).findall(".//table")
    assert len(tables) > 2
    assert all(t.xpath("string(.//th[1])") == "Column number 0" for t in tables)  # the key column repeats
    assert sum(len(t.findall(".//th")) - 1 for t in tables) == 39


def test_hand_written_contents_are_left_out(out: Path) -> None:
    assert "REND004" in (out / "cli.txt").read_text(encoding="utf-8")
    page = lxml_html.fromstring((out / "technical.html").read_bytes())
    main = page.get_element_by_id("content")
    assert not main.xpath(".//ul[li/a[@href='#callouts']]")
    assert not [a for c in _epub_chapters(out / "technical.epub") for a in c.iterfind(".//x:li/x:a", X)
                if a.get("href", "").endswith("#callouts")]
    import docx

    word = docx.Document(str(out / "technical.docx"))
    assert not [p for p in word.paragraphs if p.style.name.startswith("List") and p.text.strip() == "Callouts"]
    _epubcheck(out / "technical.epub")


# -- the public corpus's specification -----------------------------------------------------------
@pytest.fixture(scope="module")
def spec(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if not SPEC.is_file():
        pytest.skip(f"corpus not found at {CORPUS}")
    target = tmp_path_factory.mktemp("spec")
    result = run_cli(str(SPEC), "--to", "pdf,docx", "--no-validate", "--no-office", "-o", str(target))
    assert result.returncode == 0, result.stdout + result.stderr
    return target


@pytest.mark.corpus
def test_specification_pdf_keeps_every_character_on_the_page(spec: Path) -> None:
    assert _chars_outside(spec / f"{SPEC.stem}.pdf") == []


@pytest.mark.corpus
def test_specification_formulas_are_typeset(spec: Path) -> None:
    from pipeline.load import load_document
    from pipeline.normalize.markdown import parse

    body = load_document(SPEC).body
    tokens, _ = parse(body)
    formulas = [c.content for t in tokens for c in (t.children or []) if c.type.startswith("math_inline")]
    assert len(formulas) > 250
    prose = re.sub(r"\$[^$]*\$", " ", body)  # TeX the authors wrote outside formulas stays text
    math_only = {c for f in formulas for c in TEX_COMMAND.findall(f)} - set(TEX_COMMAND.findall(prose))
    printed = set(TEX_COMMAND.findall(_pdf_text(spec / f"{SPEC.stem}.pdf")))
    assert math_only and not (printed & math_only)
    assert len(_docx_xml(spec / f"{SPEC.stem}.docx").findall(".//m:oMath", W)) == len(formulas)
