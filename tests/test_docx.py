"""The DOCX, read back with python-docx and its XML, and laid out by LibreOffice."""

from __future__ import annotations

import json
import re
import zipfile

import docx
import pytest
from conftest import SEED_HEADINGS, require_tool
from docx.oxml.ns import qn
from writer_samples import manifest_details, sampler_outputs

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def _xml(path, part: str = "word/document.xml") -> str:
    with zipfile.ZipFile(path) as package:
        return package.read(part).decode("utf-8")


@pytest.fixture(scope="module")
def seed_docx(seed_outputs):
    return docx.Document(str(seed_outputs["docx"]))


@pytest.fixture(scope="module")
def sampler(tmp_path_factory):
    return sampler_outputs(tmp_path_factory)


@pytest.fixture(scope="module")
def seed_layout(seed_outputs, tmp_path_factory):
    """The seed DOCX laid out by LibreOffice (our own headless run), as pypdf pages' text."""
    require_tool("soffice")
    from pypdf import PdfReader

    from pipeline import libreoffice

    folder = tmp_path_factory.mktemp("docx-layout")
    pdf = libreoffice.to_pdf(libreoffice.find(), seed_outputs["docx"], folder / "seed.pdf")
    return [" ".join((page.extract_text() or "").split()) for page in PdfReader(pdf).pages]


def test_headings_use_heading_styles(seed_docx):
    styles: dict[str, set[str]] = {}
    for paragraph in seed_docx.paragraphs:
        styles.setdefault(paragraph.text.strip(), set()).add(paragraph.style.name)
    for heading in SEED_HEADINGS:
        assert any(style.startswith("Heading ") for style in styles.get(heading, ())), (heading, styles.get(heading))


def test_cover_has_logo_title_subtitle_and_date(seed_docx):
    opening = [(p.style.name, p.text.strip()) for p in seed_docx.paragraphs[:4]]
    assert opening[0] == ("Cover Brand", "OpenInfra Foundation")
    assert opening[1:] == [("Title", "2021 Annual Report"), ("Subtitle", "OpenInfra Foundation"), ("Date", "2021")]
    logo = seed_docx.paragraphs[0]._p.findall(".//" + qn("wp:docPr"))
    assert logo and logo[0].get("descr") == "OpenInfra Foundation logo"
    assert seed_docx.inline_shapes[0].height > 0


def test_styles_carry_the_brand(seed_docx):
    styles = seed_docx.styles
    assert styles["Heading 1"].font.name == "Inter"
    assert styles["Heading 2"].font.name == "Inter"
    assert styles["Title"].font.name == "Inter"
    assert styles["Body Text"].font.name == "Source Serif 4"
    assert styles["Byline"].font.name == "Inter"
    assert str(styles["Heading 1"].font.color.rgb) == "E2173E"
    assert str(styles["Hyperlink"].font.color.rgb) == "E2173E"
    assert styles["Heading 1"].paragraph_format.page_break_before  # parts open a page, as in the PDF
    bylines = [p.text for p in seed_docx.paragraphs if p.style.name == "Byline"]
    assert "Allison Randal, Board Chair" in bylines


def test_table_style_is_a_real_one(sampler):
    word = docx.Document(str(sampler["docx"]))
    assert [t.style.name for t in word.tables] == ["Table"]
    style = word.styles["Table"].element
    kinds = {part.get(qn("w:type")) for part in style.findall(qn("w:tblStylePr"))}
    assert {"firstRow", "band1Horz"} <= kinds
    header = next(p for p in style.findall(qn("w:tblStylePr")) if p.get(qn("w:type")) == "firstRow")
    assert header.find(f"{W}rPr/{W}b") is not None and header.find(f"{W}trPr/{W}tblHeader") is not None
    assert style.find(f"{W}tblPr/{W}tblBorders/{W}top").get(qn("w:color")) == "1F6F78"  # default theme teal


def test_contents_is_a_real_toc_field(seed_outputs):
    document = _xml(seed_outputs["docx"])
    assert "docPartGallery w:val=\"Table of Contents\"" in document
    assert re.search(r'<w:instrText[^>]*> ?TOC \\o (&quot;|")1-2(&quot;|") \\h \\z \\u', document)


def test_contents_arrive_filled_with_page_numbers(seed_outputs, seed_docx):
    require_tool("soffice")
    sdt = seed_docx.element.body.find(qn("w:sdt"))
    def is_entry(paragraph) -> bool:
        style = paragraph.find(f"{W}pPr/{W}pStyle")
        linked = paragraph.find(qn("w:hyperlink")) is not None
        return style is not None and style.get(qn("w:val")).startswith("TOC") and linked

    entries = [p for p in sdt.iter(qn("w:p")) if is_entry(p)]
    texts = ["".join(t.text for t in p.iter(qn("w:t"))) for p in entries]
    for heading in SEED_HEADINGS:
        assert any(text.startswith(heading) for text in texts), heading
    pages = [int(re.search(r"(\d+)$", text).group(1)) for text in texts]
    assert pages[0] >= 3 and pages == sorted(pages), pages  # after cover and contents, in order
    bookmarks = {b.get(qn("w:name")) for b in seed_docx.element.body.iter(qn("w:bookmarkStart"))}
    anchors = [p.find(qn("w:hyperlink")).get(qn("w:anchor")) for p in entries]
    assert all(anchor in bookmarks for anchor in anchors)
    assert 'w:dirty="true"' not in _xml(seed_outputs["docx"])  # nothing left for Word to ask about


def test_page_numbers_in_contents_match_libreoffice_layout(seed_docx, seed_layout):
    sdt = seed_docx.element.body.find(qn("w:sdt"))
    texts = ["".join(t.text for t in p.iter(qn("w:t"))) for p in sdt.iter(qn("w:p"))]
    listed = {re.sub(r"\d+$", "", t).strip(): int(re.search(r"(\d+)$", t).group(1))
              for t in texts if re.search(r"\d+$", t)}
    for heading in ("OpenInfra Project Updates", "OpenInfra Community & Mentoring Programs"):
        page = listed[heading]
        assert heading in seed_layout[page - 1], (heading, page)


def test_header_footer_fields_and_a_clean_cover(seed_docx, seed_layout):
    section = seed_docx.sections[0]
    assert section.different_first_page_header_footer
    assert "2021 Annual Report" in section.header.paragraphs[0].text
    footer = section.footer._element.xml
    assert " PAGE " in footer and " NUMPAGES " in footer
    assert not "".join(p.text for p in section.first_page_header.paragraphs).strip()
    assert not "".join(p.text for p in section.first_page_footer.paragraphs).strip()
    assert "Page 1" not in seed_layout[0] and "2021 Annual Report" in seed_layout[0]
    assert f"Page 2 / {len(seed_layout)}" in seed_layout[1]
    assert seed_layout[1].startswith("2021 Annual Report") and "Contents" in seed_layout[1]


def test_libreoffice_page_count(seed_layout):
    # Cover, two pages of contents at most, 24 articles in three parts: 20–40 pages.
    assert 20 <= len(seed_layout) <= 40, len(seed_layout)


def test_core_properties(seed_docx):
    props = seed_docx.core_properties
    assert props.title == "2021 Annual Report"
    assert props.subject == "OpenInfra Foundation"
    assert props.author == "OpenInfra Foundation"
    assert props.language == "en"
    assert props.created.year == 2021
    assert props.modified is not None and props.modified >= props.created


def test_brand_fonts_are_embedded(seed_outputs):
    from io import BytesIO

    from fontTools.ttLib import TTFont

    from pipeline.fonts.docx import obfuscate

    table = _xml(seed_outputs["docx"], "word/fontTable.xml")
    assert "<w:embedTrueTypeFonts/>" in _xml(seed_outputs["docx"], "word/settings.xml")
    embeds = re.findall(r'<w:font w:name="([^"]+)">.*?</w:font>', table, re.S)
    assert {"Inter", "Source Serif 4"} <= set(embeds)
    bold = re.search(r'<w:font w:name="Inter">.*?<w:embedBold r:id="([^"]+)" w:fontKey="([^"]+)"', table, re.S)
    rels = _xml(seed_outputs["docx"], "word/_rels/fontTable.xml.rels")
    target = re.search(rf'Id="{bold.group(1)}"[^>]*Target="([^"]+)"|Target="([^"]+)"[^>]*Id="{bold.group(1)}"', rels)
    with zipfile.ZipFile(seed_outputs["docx"]) as package:
        data = package.read("word/" + (target.group(1) or target.group(2)))
    font = TTFont(BytesIO(obfuscate(data, bold.group(2))))  # the same XOR undoes it
    assert font["OS/2"].usWeightClass == 700 and "fvar" not in font
    assert font["name"].getDebugName(1) == "Inter" and font["name"].getDebugName(2) == "Bold"


def test_footnotes_images_links_code_and_raw_html(sampler):
    word = docx.Document(str(sampler["docx"]))
    text = "\n".join(p.text for p in word.paragraphs)
    assert "The footnote text." in _xml(sampler["docx"], "word/footnotes.xml")
    assert "<w:footnoteReference" in _xml(sampler["docx"])
    assert len(word.inline_shapes) >= 3  # logo, the figure, the raw <img> made a real image
    rels = _xml(sampler["docx"], "word/_rels/document.xml.rels")
    assert 'Target="https://example.org/a%20b" TargetMode="External"' in rels
    assert any(p.style.name == "Source Code" and "héllo" in p.text for p in word.paragraphs)
    # Raw HTML blocks keep their text in Word (pandoc alone drops them), minus what runs.
    assert "Raw HTML kept text" in text and "Custom component text" in text and "alert(" not in text
    assert "[A missing picture]" in text


def test_validation_result_is_recorded(sampler):
    require_tool("soffice")
    validation = manifest_details(sampler, "docx")["validation"]
    assert validation["status"] == "passed" and validation["errors"] == 0
    assert validation["pages"] >= 3 and validation["tool"].startswith("LibreOffice")


def test_without_libreoffice_the_field_updates_on_open_and_the_cli_says_so_once(tmp_path):

    from conftest import run_cli

    folder = tmp_path / "in"
    folder.mkdir()
    for n in range(3):
        (folder / f"doc-{n}.md").write_text(f"---\ntitle: Doc {n}\n---\n# Part {n}\n\n## Article {n}\n\nText.\n",
                                            encoding="utf-8")
    no_tools = tmp_path / "bin"  # a PATH without soffice (and without anything else)
    no_tools.mkdir()
    out = tmp_path / "out"
    result = run_cli(str(folder), "--to", "docx", "-j", "2", "--no-validate", "-o", str(out),
                     env={"PATH": str(no_tools)})
    assert result.returncode == 0, result.stderr
    said = (result.stdout + result.stderr).count("LibreOffice (soffice) is not installed")
    assert said == 1, result.stdout + result.stderr  # once per run, whichever worker built which file
    entries = json.loads((out / "manifest.json").read_text(encoding="utf-8"))["outputs"]
    for n in range(3):
        entry = entries[f"doc-{n}.docx"]
        assert entry["details"]["toc"]["filled"] is False
        assert any("[DOCX001]" in warning for warning in entry["warnings"])  # each file records it
    document = _xml(out / "doc-0.docx")
    assert re.search(r"<w:instrText[^>]*> ?TOC ", document) and 'w:dirty="true"' in document


def test_lists_use_word_list_styles_and_brand_coloured_markers(seed_docx, tmp_path):
    """List items are in Word's List Bullet / List Number styles (brand font), markers in the brand
    colour."""
    from conftest import run_cli

    assert seed_docx.styles["List Bullet"].font.name == "Source Serif 4"
    bullets = [p for p in seed_docx.paragraphs if p._p.pPr is not None and p._p.pPr.numPr is not None]
    assert len(bullets) > 50 and {p.style.name for p in bullets} == {"List Bullet"}

    source = tmp_path / "lists.md"
    source.write_text("---\ntitle: Lists\n---\n# Part\n\n1. first\n2. second\n   - inner\n\n"
                      "- loose one\n\n- loose two\n", encoding="utf-8")
    result = run_cli(str(source), "--to", "docx", "-o", str(tmp_path / "out"), "--no-validate")
    assert result.returncode == 0, result.stderr
    word = docx.Document(str(tmp_path / "out" / "lists.docx"))
    styles = {p.text: p.style.name for p in word.paragraphs if p.text in ("first", "second", "inner", "loose one")}
    assert styles == {"first": "List Number", "second": "List Number", "inner": "List Bullet",
                      "loose one": "List Bullet"}, styles
    numbering = word.part.numbering_part.element
    colours = {c.get(qn("w:val")) for c in numbering.iter(qn("w:color"))}
    levels = list(numbering.iter(qn("w:lvl")))
    assert colours == {"E2173E"} and len([lvl for lvl in levels if lvl.find(qn("w:rPr")) is not None]) == len(levels)


def test_no_office_leaves_page_numbers_to_word_and_never_starts_libreoffice(tmp_path):
    """--no-office: the contents list every heading, linked, without page numbers, and the field is
    marked for Word to update on open; LibreOffice (here a stub that leaves a mark) is not run."""
    from conftest import run_cli

    tools = tmp_path / "bin"
    tools.mkdir()
    called = tmp_path / "soffice-was-called"
    stub = tools / "soffice"
    stub.write_text(f"#!/bin/sh\n: > {called}\nexit 1\n", encoding="utf-8")  # no touch on this PATH
    stub.chmod(0o755)
    source = tmp_path / "doc.md"
    source.write_text("---\ntitle: Doc\n---\n# Part one\n\n## An article\n\nText.\n\n# Part two\n\nMore.\n",
                      encoding="utf-8")
    out = tmp_path / "out"
    result = run_cli(str(source), "--to", "docx", "--no-office", "--no-validate", "-o", str(out),
                     env={"PATH": str(tools)})
    assert result.returncode == 0, result.stderr
    assert not called.exists(), "LibreOffice was started"
    document = _xml(out / "doc.docx")
    assert 'w:dirty="true"' in document
    assert document.count("PAGEREF") == 3
    for heading in ("Part one", "An article", "Part two"):
        assert heading in document
    toc = json.loads((out / "manifest.json").read_text(encoding="utf-8"))["outputs"]["doc.docx"]["details"]["toc"]
    assert toc["filled"] and toc["entries"] == 3 and toc["with_pages"] == 0 and "--no-office" in toc["reason"]
    # The stub does catch a call: the same build with LibreOffice on runs it.
    assert run_cli(str(source), "--to", "docx", "--no-validate", "-o", str(tmp_path / "on"),
                   env={"PATH": str(tools)}).returncode == 0
    assert called.exists()
