"""Body typography on a made-up report: page footnotes, long URLs, long tables, big images, metadata."""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import pytest
from pypdf import PdfReader
from test_pdf_support import MM, Rendered, lines, norm, page_geometry, render, write_markdown

SENTENCE = ("open infrastructure communities publish reports that travel from websites to printers and "
            "readers expect footnotes tables and links to behave like they do in a real book")
WORDS = SENTENCE.split(" ")
LONG_URL = "https://example.org/" + "/".join(f"segment-{i:02d}-with-a-long-name" for i in range(12))
LONG_CODE = "configuration_value_" + "x" * 140
NOTES = 40


def _prose(seed: int, words: int) -> str:
    return " ".join(WORDS[(seed * 7 + i) % len(WORDS)] for i in range(words))


def _make_images(folder: Path) -> None:
    from PIL import Image, ImageDraw

    wide = Image.new("RGB", (3000, 600), (31, 111, 120))
    ImageDraw.Draw(wide).rectangle((100, 100, 2900, 500), outline=(255, 255, 255), width=20)
    wide.save(folder / "wide.png")
    Image.new("RGB", (500, 5000), (226, 23, 62)).save(folder / "tall.png")


@cache
def stress_source() -> Path:
    paragraphs = []
    for i in range(1, NOTES + 1):
        paragraphs.append(f"{_prose(i, 45)}[^n{i}] {_prose(i + 50, 30)}.")
    notes = [f"[^n{i}]: Note {i}: a source with [a link](https://example.org/source/{i})." for i in range(1, NOTES)]
    notes.append(f"[^n{NOTES}]: Note {NOTES} has two paragraphs.\n\n    Its second one, and a list:\n\n"
                 "    - first point\n    - second point")
    rows = "\n".join(f"| Row {i} | {_prose(i, 6)} | {_prose(i + 3, 10)} |" for i in range(1, 81))
    # Seven columns of words that do not break (file names, hashes, code): still inside the margins.
    paths = ["about/openstack-vs-proprietary-clouds-a-digital-sovereignty-comparison-guide.md",
             "blog/where-cloud-native-meets-infrastructure-openinfra-at-kubecon-cloudnativecon-eu.md"]
    wide = "\n".join(
        f"| openinfra-blog-kubecon-eu-2026-base64-image-{i}.md | OpenStackweb/osf-website | `src/pages/{paths[i % 2]}` "
        f"| 4bb728e96f08 | 286156add1bc (2024-01-10) | 6cd40238bb8b | 7937{i} |" for i in range(6))
    text = f"""---
title: Layout Stress Test
subtitle: Footnotes, tables, URLs and images
lang: en
author: Test Author
keywords: [print, footnotes, typography]
date: 2024-05-06
description: A report made up to exercise the print layout.
---
# Part One

## Notes everywhere

{chr(10).join(paragraphs[:20])}

A long address in the text: {LONG_URL} and as a link <{LONG_URL}>, and a long piece of code: `{LONG_CODE}`.

{chr(10).join(paragraphs[20:])}

# Part Two

## Tables and pictures

| Column | Value | Remarks |
|--------|-------|---------|
{rows}

| file | repo | path | commit | last commit | blob | bytes |
|------|------|------|--------|-------------|------|-------|
{wide}

![A picture far wider than the page](wide.png "The wide picture")

![A picture far taller than the page](tall.png)

{chr(10).join(notes)}
"""
    source = write_markdown("layout-stress.md", text)
    _make_images(source.parent)
    return source


@cache
def stress() -> Rendered:
    return render(source=stress_source(), out_name="layout-stress")


def _footnote_pages(path: Path) -> tuple[dict[int, int], dict[int, int]]:
    """Note number → page of its call (small raised digits) and page of its note (`N.` at the foot)."""
    import pdfplumber

    calls: dict[int, int] = {}
    notes: dict[int, int] = {}
    with pdfplumber.open(path) as pdf:
        for index, page in enumerate(pdf.pages):
            run, last = "", None
            for char in [*page.chars, None]:
                small_digit = char is not None and char["size"] < 7 and char["text"].isdigit()
                if small_digit and last is not None and abs(char["x0"] - last["x1"]) < 1 \
                        and abs(char["top"] - last["top"]) < 1:
                    run += char["text"]
                else:
                    if run:
                        calls.setdefault(int(run), index)
                    run = char["text"] if small_digit else ""
                last = char if small_digit else None
            for line in page.extract_text_lines(return_chars=True):
                match = re.match(r"^(\d+)\. Note (\d+)", line["text"])
                if match and match.group(1) == match.group(2):
                    notes[int(match.group(1))] = index
    return calls, notes


def test_every_footnote_is_at_the_foot_of_the_page_that_calls_it():
    calls, notes = _footnote_pages(stress().path)
    assert sorted(notes) == list(range(1, NOTES + 1))
    assert sorted(calls) == list(range(1, NOTES + 1))
    assert {n: calls[n] for n in notes} == notes
    assert stress().details["footnotes"] == NOTES


def test_notes_sit_below_the_text_and_keep_their_blocks():
    path = stress().path
    text = " ".join(line.text for page in lines(path) for line in page)
    assert f"{NOTES}. Note {NOTES} has two paragraphs." in text
    assert "Its second one, and a list:" in text and "• first point" in text and "• second point" in text
    # No end-of-document note list: the notes appear once, at their pages.
    assert text.count("Note 7: a source with a link") == 1
    for page in lines(path):
        body = [x for x in page if re.match(r"^\d+\. Note \d+", x.text)]
        others = [x for x in page if x.size > 9 and x.top < page_geometry(path)[0][1] - 25 * MM]
        if body and others:
            assert min(x.top for x in body) > max(x.top for x in others)


def test_long_urls_and_code_wrap_inside_the_text_block():
    path = stress().path
    import pdfplumber

    with pdfplumber.open(path) as pdf:
        for index, page in enumerate(pdf.pages[2:-1], start=2):
            width = float(page.width)
            chars = [c for c in page.chars if c["text"].strip()]
            if not chars:
                continue
            assert min(c["x0"] for c in chars) >= 20 * MM - 1, index
            assert max(c["x1"] for c in chars) <= width - 20 * MM + 1, index
    text = "".join(line.text.replace(" ", "") for page in lines(path) for line in page)
    assert LONG_URL.replace("-", "") in text.replace("-", "")  # all of it, wrapped over lines
    assert LONG_CODE in text


def _outside_the_measure(path: Path) -> list[int]:
    """Pages (1-based) with a character outside the 20 mm side margins (covers excluded)."""
    import pdfplumber

    pages = []
    with pdfplumber.open(path) as pdf:
        for index, page in enumerate(pdf.pages[1:-1], start=2):
            chars = [c for c in page.chars if c["text"].strip()]
            if chars and (min(c["x0"] for c in chars) < 20 * MM - 1
                          or max(c["x1"] for c in chars) > float(page.width) - 20 * MM + 1):
                pages.append(index)
    return pages


def test_wide_tables_of_unbreakable_words_stay_inside_the_margins():
    """The corpus's SOURCES table (seven columns of file names, paths and hashes) once overflowed."""
    from conftest import CORPUS

    source = CORPUS / "SOURCES.md"
    if not source.is_file():
        pytest.skip(f"the public corpus is not at {CORPUS}")
    assert _outside_the_measure(render(source=source, out_name="corpus-sources").path) == []


def test_long_tables_repeat_their_header_row():
    path = stress().path
    pages_with_rows = sorted({x.page for page in lines(path) for x in page if re.match(r"^Row \d+\b", x.text)})
    assert len(pages_with_rows) >= 2, "the table should run over several pages"
    for index in pages_with_rows:
        texts = [x.text for x in lines(path)[index]]
        first_row = next(i for i, t in enumerate(texts) if re.match(r"^Row \d+\b", t))
        assert any(t.startswith("Column Value Remarks") for t in texts[:first_row]), index


def test_images_are_scaled_into_the_text_block():
    import pdfplumber

    path = stress().path
    with pdfplumber.open(path) as pdf:
        inner = pdf.pages[1:-1]  # the covers carry the logo
        images = [(float(p.width), float(p.height), im) for p in inner for im in p.images]
    assert len(images) == 2  # the wide and the tall picture
    for width, height, image in images:
        assert image["x0"] >= 20 * MM - 1 and image["x1"] <= width - 20 * MM + 1
        assert image["bottom"] - image["top"] <= height - 46 * MM  # fits the text block with room to spare
    wide, tall = (image for _w, _h, image in images)
    assert wide["x1"] - wide["x0"] == pytest.approx(210 * MM - 42 * MM, abs=2)  # fills the measure
    assert (wide["x1"] - wide["x0"]) / (wide["bottom"] - wide["top"]) == pytest.approx(3000 / 600, rel=0.02)
    assert (tall["bottom"] - tall["top"]) / (tall["x1"] - tall["x0"]) == pytest.approx(5000 / 500, rel=0.02)


def test_metadata_from_front_matter():
    reader = PdfReader(stress().path)
    info = reader.metadata
    assert info.title == "Layout Stress Test: Footnotes, tables, URLs and images"
    assert info.author == "Test Author"
    assert info.subject == "A report made up to exercise the print layout."
    assert info["/Keywords"] == "print, footnotes, typography"
    assert info["/CreationDate"].startswith("D:20240506")
    assert not stress().warnings


def test_article_titles_do_not_pick_up_notes():
    path = stress().path
    heads = {norm(x.text) for page in lines(path) for x in page if x.bottom < 20 * MM}
    assert heads <= {"PART ONE", "PART TWO", "Notes everywhere", "Tables and pictures", ""}, heads


@cache
def arabic() -> Rendered:
    paragraph = "هذا نص عربي طويل يملأ الصفحة ليختبر اتجاه الكتابة من اليمين إلى اليسار في التقرير المطبوع. " * 12
    body = "\n\n".join(paragraph for _ in range(6))
    text = (f"---\ntitle: تقرير\nlang: ar\n---\n# الجزء الأول\n\n## مقالة\n\n{body}\n\n"
            f"# الجزء الثاني\n\n## مقالة أخرى\n\n{body}\n")
    return render(source=write_markdown("rtl-report.md", text), out_name="rtl-report")


def test_right_to_left_books_mirror_the_spread():
    path = arabic().path
    width = page_geometry(path)[0][0]
    texts = [" ".join(x.text for x in page) for page in lines(path)]
    contents = "المحتويات"
    assert contents in texts[2] or contents[::-1] in texts[2]  # on the recto after the cover (text in visual order)
    for index, page in enumerate(lines(path)[4:-2], start=4):
        body = [x for x in page if 20 * MM < x.top < page_geometry(path)[index][1] - 25 * MM and x.size < 12]
        if len(body) < 5:
            continue
        right_edge = max(x.x1 for x in body)
        recto = (index + 1) % 2 == 1  # page 1, 3, 5 … are rectos; in Arabic they are left-hand pages
        spine_margin = 22 if recto else 20  # recto: the spine (inside margin) is on the right
        assert right_edge == pytest.approx(width - spine_margin * MM, abs=1.5), (index + 1, right_edge / MM)
