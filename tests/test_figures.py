"""Images alone in their paragraph are captioned figures in every format, read back from each file.

One made-up report holds a captioned picture, pictures whose alt text says nothing ("image", a file
name, nothing at all), a small picture inside a sentence, a missing picture and a picture in a
footnote. It is converted once to PDF, DOCX, EPUB and HTML through the CLI.
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import pytest
from conftest import outputs_in, require_tool, run_cli
from lxml import etree, html

CAPTION = "The harbour at dawn, seen from the north pier"
NOTE_CAPTION = "Tide chart kept in the footnote"
SOURCE = f"""\
---
title: Figures Report
lang: en
---
# Pictures

Opening text of the report, before the first picture.

![{CAPTION}](harbour.png)

![image](IMG_1234.png)

![IMG_1234.png](IMG_1234.png)

![](harbour.png)

A sentence with a small ![tiny icon](icon.png) picture inside the text.

![A missing chart](missing.png)

Closing text of the report.[^1]

[^1]: A note with a picture:

    ![{NOTE_CAPTION}](tide.png)
"""
JUNK_ALTS = ("image", "IMG_1234.png", "")
X = {"x": "http://www.w3.org/1999/xhtml"}


@pytest.fixture(scope="module")
def outputs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    from PIL import Image

    folder = tmp_path_factory.mktemp("figures")
    (folder / "figures.md").write_text(SOURCE, encoding="utf-8")
    Image.new("RGB", (600, 300), (31, 111, 120)).save(folder / "harbour.png")
    Image.new("RGB", (600, 300), (226, 23, 62)).save(folder / "IMG_1234.png")
    Image.new("RGB", (300, 200), (40, 40, 160)).save(folder / "tide.png")
    Image.new("RGB", (12, 12), (0, 0, 0)).save(folder / "icon.png")
    out = folder / "out"
    # EPUBCheck runs in the test itself (below), once.
    result = run_cli(str(folder / "figures.md"), "--to", "pdf,docx,epub,html", "--theme", "default",
                     "--no-validate", "-o", str(out))
    assert result.returncode == 0, result.stdout + result.stderr
    return outputs_in(out)


def _words(text: str) -> str:
    return " ".join(text.split())


def _check_figures(figures: list, images_in_paragraphs: list, caption_of, alt_of) -> None:
    """The same structure in the EPUB and the HTML: two captioned figures (body and note), three
    without caption whose alt text is kept, the small picture inline in its sentence."""
    captions = [_words(caption_of(f)) for f in figures]
    assert captions.count(CAPTION) == 1 and captions.count(NOTE_CAPTION) == 1
    uncaptioned = [alt_of(f) for f, c in zip(figures, captions, strict=True) if c == ""]
    assert sorted(uncaptioned) == sorted(JUNK_ALTS)
    assert [alt for alt, _text in images_in_paragraphs] == ["tiny icon"]
    assert "A sentence with a small" in images_in_paragraphs[0][1]


def test_html_figures_and_captions(outputs):
    page = html.fromstring(outputs["html"].read_bytes())
    main = page.get_element_by_id("content")
    figures = main.findall(".//figure")
    inline = [(img.get("alt"), img.getparent().text_content()) for img in main.iterfind(".//p//img")]
    _check_figures(figures, inline,
                   lambda f: "".join(c.text_content() for c in f.findall("figcaption")),
                   lambda f: f.find("img").get("alt") or "")
    # A missing picture shows its description once, not again as a caption under it.
    assert main.text_content().count("A missing chart") == 1
    assert "[A missing chart]" in main.text_content()


def test_epub_figures_and_captions_pass_epubcheck(outputs):
    with zipfile.ZipFile(outputs["epub"]) as book:
        chapters = [etree.fromstring(book.read(n)) for n in book.namelist()
                    if n.startswith("EPUB/text/ch") and n.endswith(".xhtml")]
    figures = [f for c in chapters for f in c.iterfind(".//x:figure", X)]
    inline = [(img.get("alt"), "".join(img.getparent().itertext()))
              for c in chapters for img in c.iterfind(".//x:p//x:img", X)]
    _check_figures(figures, inline,
                   lambda f: "".join("".join(c.itertext()) for c in f.findall("x:figcaption", X)),
                   lambda f: f.find("x:img", X).get("alt") or "")
    require_tool("java")
    from pipeline.validate import check_epub

    result = check_epub(outputs["epub"], name=outputs["epub"].name)
    assert [str(f) for f in result.findings] == []
    assert result.status == "passed" and result.errors == 0 and result.warnings == 0


def test_docx_captions_use_the_caption_style(outputs):
    import docx
    from docx.oxml.ns import qn

    word = docx.Document(str(outputs["docx"]))
    paragraphs = word.paragraphs

    def alts(paragraph) -> list[str]:
        return [d.get("descr", "") for d in paragraph._p.iter(qn("wp:docPr"))]

    captioned = [i for i, p in enumerate(paragraphs) if p.style.name == "Captioned Figure"]
    assert len(captioned) == 1
    assert alts(paragraphs[captioned[0]]) == [CAPTION]
    caption = paragraphs[captioned[0] + 1]
    assert caption.style.name == "Image Caption" and _words(caption.text) == CAPTION
    # Pictures whose alt text says nothing: figures with no caption paragraph, alt text kept.
    plain = [p for p in paragraphs if p.style.name == "Figure"]
    assert sorted(a for p in plain for a in alts(p)) == sorted(JUNK_ALTS)
    assert [p.text for p in paragraphs if p.style.name == "Image Caption"] == [CAPTION]
    # The small picture stays in its sentence.
    sentence = next(p for p in paragraphs if "A sentence with a small" in p.text)
    assert alts(sentence) == ["tiny icon"] and sentence.style.name not in ("Figure", "Captioned Figure")
    # The reference document styles figures like the PDF: centred, caption upright, kept together.
    styles = word.styles
    assert styles["Image Caption"].font.italic is False
    assert styles["Captioned Figure"].paragraph_format.keep_with_next is True
    assert styles["Image Caption"].paragraph_format.alignment == 1  # WD_ALIGN_PARAGRAPH.CENTER
    notes = zipfile.ZipFile(outputs["docx"]).read("word/footnotes.xml").decode("utf-8")
    assert NOTE_CAPTION in notes


def test_pdf_caption_sits_under_its_picture(outputs):
    import pdfplumber

    with pdfplumber.open(outputs["pdf"]) as pdf:
        pages = [(page.images, page.extract_text_lines()) for page in pdf.pages[2:]]  # after cover, contents
    texts = [_words(line["text"]) for _images, lines in pages for line in lines]
    found = [(images, line) for images, lines in pages for line in lines if _words(line["text"]) == CAPTION]
    assert len(found) == 1, texts
    images, line = found[0]
    above = [im for im in images if im["bottom"] <= line["top"] and line["top"] - im["bottom"] < 20]
    assert len(above) == 1, (line, images)  # the harbour, just above its caption
    picture = above[0]
    centre = (picture["x0"] + picture["x1"]) / 2
    assert abs((line["x0"] + line["x1"]) / 2 - centre) < 3  # centred under it
    # Alt text that says nothing is never printed as a caption; the missing picture shows once.
    for junk in ("image", "IMG_1234.png"):
        assert junk not in texts
    assert sum("A missing chart" in t for t in texts) == 1
    # The picture in a footnote keeps its caption too.
    assert NOTE_CAPTION in texts
    # The small picture is inline: it sits on the line of its sentence, not on a line of its own.
    icon = next(im for images, _lines in pages for im in images if im["x1"] - im["x0"] < 20)
    sentence = next(ln for _images, lines in pages for ln in lines if "A sentence with a small" in ln["text"])
    assert sentence["top"] - 2 <= icon["top"] and icon["bottom"] <= sentence["bottom"] + 2
    assert re.search(r"small\s*picture inside", sentence["text"])


@pytest.mark.parametrize(("alt", "url", "junk"), [
    ("image", "a.png", True),
    ("Picture", "a.png", True),
    ("screenshot", "a.png", True),
    ("Screenshot 2025-12-16 at 9.44.38 AM", "a.png", True),
    ("IMG_1234.png", "a.png", True),
    ("diagram.svg", "a.png", True),
    ("oi_report_2024", "/img/oi_report_2024.png", True),
    ("https://example.org/a.png", "a.png", True),
    ("  ", "a.png", True),
    ("Figure 1-1 Location of TECS OpenStack", "zte1.1.png", False),
    ("OpenStack Standard Logo 2", "osstandard2.png", False),
    ("Architecture", "architecture.png", False),  # a real word that happens to be the file's name
    ("A chart saved as chart.png in the folder", "chart.png", False),
])
def test_which_alt_texts_say_nothing(alt, url, junk):
    from pipeline.render import says_nothing

    assert says_nothing(alt, url) is junk
