"""The seed's PDF (openinfra theme, screen profile), read back with pdfplumber, pypdf and poppler."""

from __future__ import annotations

import itertools
import re
import subprocess
from functools import cache
from pathlib import Path

import pytest
from conftest import SEED, SEED_HEADINGS, require_tool
from pypdf import PdfReader
from test_pdf_support import (
    MM,
    body_lines,
    heading_blocks,
    lines,
    margin_text,
    norm,
    outline_entries,
    page_geometry,
    page_of_heading,
    prepared,
    printed_toc,
)


@cache
def seed_headings() -> list[tuple[int, str]]:
    """(level, text) of the seed's headings after normalizing: parts are level 1, articles 2."""
    from pipeline.render import document_outline

    document, _theme = prepared(SEED, "openinfra")
    outline = document_outline(document)
    top = min(h.level for h in outline)
    return [(h.level - top + 1, norm(h.text)) for h in outline]


@cache
def toc_pages(path: Path) -> list[int]:
    """The contents: the page titled Contents and the pages after it until the body starts."""
    blocks = heading_blocks(path)
    start = next(page for page, _top, text in blocks if text == "Contents")
    first_body = min(page for page, _top, text in blocks if page > start)
    return [p for p in range(start, first_body) if lines(path)[p]]


@cache
def heading_pages(path: Path) -> list[tuple[int, int, str]]:
    """(level, 0-based page, text) of each part and article, where its text really is."""
    found, after = [], toc_pages(path)[-1]
    for level, text in seed_headings():
        if level > 2:
            continue
        page = page_of_heading(path, text, after)
        assert page is not None, f"heading not found in the PDF: {text!r}"
        found.append((level, page, text))
        after = page - 1  # headings come in order; two may share a page
    return found


def test_cover_holds_title_subtitle_publisher_and_year(seed_outputs):
    cover = norm(" ".join(line.text for line in lines(seed_outputs["pdf"])[0]))
    for text in ("2021 Annual Report", "OpenInfra Foundation", "2021", "openinfra.dev"):
        assert text in cover
    assert not re.search(r"\d+ / \d+", cover), "the cover carries a page number"


def test_every_article_heading_is_in_the_text(seed_outputs):
    text = norm(" ".join(line.text for page in lines(seed_outputs["pdf"]) for line in page))
    for heading in SEED_HEADINGS:
        assert norm(heading) in text, heading


def test_contents_numbers_are_the_pages_where_headings_start(seed_outputs):
    path = seed_outputs["pdf"]
    printed = printed_toc(path, toc_pages(path))
    expected = [(text, page + 1) for _level, page, text in heading_pages(path)]
    assert printed == expected


def test_contents_entries_link_to_their_pages(seed_outputs):
    reader = PdfReader(seed_outputs["pdf"])
    page = reader.pages[toc_pages(seed_outputs["pdf"])[0]]
    targets: dict[int, int] = {}  # line position → target page (WeasyPrint may split a link into boxes)
    for annotation in page.get("/Annots", []):
        annotation = annotation.get_object()
        dest = annotation.get("/Dest") or annotation.get("/A", {}).get("/D")
        if dest is None:
            continue
        if not isinstance(dest, list):
            dest = reader.named_destinations[str(dest)]
            target = reader.get_destination_page_number(dest)
        else:
            target = reader.get_page_number(dest[0].get_object())
        top = round(float(annotation["/Rect"][3]))
        assert targets.setdefault(top, target) == target
    targets = [targets[top] for top in sorted(targets, reverse=True)]
    expected = [page for _level, page, _text in heading_pages(seed_outputs["pdf"])]
    assert targets == expected


def test_outline_mirrors_the_headings(seed_outputs):
    path = seed_outputs["pdf"]
    entries = outline_entries(path)
    assert [title for _depth, title, _page in entries] == [text for _level, text in seed_headings()]
    assert "2021 Annual Report" not in [title for _d, title, _p in entries]  # the cover title is no section
    # Articles nest under their part; articles before the first part stand at the top level.
    part_seen = False
    for (depth, title, _page), (level, _text) in zip(entries, seed_headings(), strict=True):
        part_seen = part_seen or level == 1
        assert depth == (level - 1 if part_seen else level - 2), title
    by_text = {text: page for _level, page, text in heading_pages(path)}
    for _depth, title, page in entries:
        if title in by_text:
            assert page == by_text[title], title


def test_parts_open_right_hand_pages_without_running_heads(seed_outputs):
    path = seed_outputs["pdf"]
    parts = [page for level, page, _text in heading_pages(path) if level == 1]
    assert len(parts) == 2
    for page in parts:
        assert (page + 1) % 2 == 1, "duplex theme: a part opens on a right-hand (odd) page"
        assert margin_text(path, page, "top") == ""
        assert not lines(path)[page - 1] or page - 1 in toc_pages(path) or body_lines(path, page - 1)


def _expected_heads(path: Path) -> dict[int, tuple[str, str]]:
    """Per page: (part, article) the running heads should show (string-set with `first`)."""
    events = heading_pages(path)
    heads: dict[int, tuple[str, str]] = {}
    for page in range(len(lines(path))):
        on_page = [e for e in events if e[1] == page]
        before = [e for e in events if e[1] < page]
        parts_here = [t for level, _p, t in on_page if level == 1]
        parts_before = [t for level, _p, t in before if level == 1]
        part = parts_here[0] if parts_here else (parts_before[-1] if parts_before else "")
        article = on_page[0][2] if on_page else (before[-1][2] if before else "")
        heads[page] = (part, article)
    return heads


def test_running_heads_folios_and_title_on_every_body_page(seed_outputs):
    path = seed_outputs["pdf"]
    total = len(lines(path))
    parts = {page for level, page, _text in heading_pages(path) if level == 1}
    first_body = heading_pages(path)[0][1]
    last_body = max(page for _level, page, _text in heading_pages(path))
    heads = _expected_heads(path)
    checked = 0
    for page in range(first_body, last_body + 1):
        if not lines(path)[page]:
            assert margin_text(path, page, "bottom") == "", "a blank page carries a folio"
            continue
        footer = margin_text(path, page, "bottom")
        assert re.search(rf"(^|\s){page + 1} / {total}(\s|$)", footer), (page + 1, footer)
        assert "2021 Annual Report" in footer
        head = margin_text(path, page, "top")
        part, article = heads[page]
        if page in parts:
            assert head == ""
        elif (page + 1) % 2:  # right-hand page: the article
            assert head == article, (page + 1, head)
        else:  # left-hand page: the part, set in capitals
            assert head == part.upper(), (page + 1, head)
        checked += 1
    assert checked >= 15


def test_duplex_margins_mirror_and_folios_sit_outside(seed_outputs):
    path = seed_outputs["pdf"]
    width = page_geometry(path)[0][0]
    lefts = {page: min(line.x0 for line in body_lines(path, page)) for page in range(4, 20) if body_lines(path, page)}
    odd = {round(x / MM) for page, x in lefts.items() if (page + 1) % 2}
    even = {round(x / MM) for page, x in lefts.items() if not (page + 1) % 2}
    assert odd == {22} and even == {20}, (odd, even)  # inside margin 22 mm at the spine, outside 20 mm
    import pdfplumber

    with pdfplumber.open(path) as pdf:
        for page in (5, 6):
            words = pdf.pages[page].extract_words()
            slash = next(i for i, w in enumerate(words) if w["text"] == "/" and words[i - 1]["text"] == str(page + 1))
            on_the_left = words[slash]["x0"] < width / 2
            assert on_the_left == ((page + 1) % 2 == 0), "the folio is on the outer edge"


def test_bylines_follow_their_headings(seed_outputs):
    path = seed_outputs["pdf"]
    page = heading_pages(path)[0][1]
    texts = [line.text for line in body_lines(path, page)]
    heading_end = max(i for i, t in enumerate(texts) if t in ("Directors", "Note from the Chair of the OpenInfra "
                                                                            "Foundation Board of Directors"))
    byline = next(line for line in body_lines(path, page) if line.text == "Allison Randal, Board Chair")
    assert texts.index(byline.text) == heading_end + 1
    assert byline.size < 10  # set smaller than the text


def test_no_heading_is_left_alone_at_a_page_bottom(seed_outputs):
    path = seed_outputs["pdf"]
    for page, top, text in heading_blocks(path, skip_pages=toc_pages(path)[-1] + 1):
        below = [line for line in body_lines(path, page) if line.top > top + 5 and line.size < 12]
        assert len(below) >= 2, f"heading {text!r} on page {page + 1} has no text under it"


def test_hyphenation_in_the_document_language(seed_outputs):
    path = seed_outputs["pdf"]
    source = SEED.read_text(encoding="utf-8").lower()
    breaks = 0
    for page in lines(path):
        for line, following in itertools.pairwise(page):
            if not re.search(r"[a-z]-$", line.text) or not following.text:
                continue
            head = line.text.split()[-1][:-1].lower()
            tail = re.sub(r"\W.*$", "", following.text.split()[0].lower())
            # The joined word is in the source, the hyphenated one is not: the hyphenator broke it.
            if re.search(rf"\b{re.escape(head + tail)}\b", source) and f"{head}-{tail}" not in source:
                breaks += 1
    assert breaks >= 10


def test_back_cover_is_last_on_a_left_hand_page(seed_outputs):
    path = seed_outputs["pdf"]
    last = len(lines(path)) - 1
    assert (last + 1) % 2 == 0
    text = " ".join(line.text for line in lines(path)[last])
    assert "OPENINFRA FOUNDATION" in text and "openinfra.dev" in text and "© 2021" in text
    assert not re.search(r"\d+ / \d+", text)


def test_metadata_fields(seed_outputs):
    reader = PdfReader(seed_outputs["pdf"])
    info = reader.metadata
    assert info.title == "2021 Annual Report: OpenInfra Foundation"
    assert info.author == "OpenInfra Foundation"
    assert info.subject == "2021 OpenInfra Foundation Annual Report"
    assert info["/CreationDate"].startswith("D:2021")
    assert info.creator.startswith("pipeline ")
    assert reader.trailer["/Root"].get("/Lang") == "en"


def test_external_links_are_clickable(seed_outputs):
    reader = PdfReader(seed_outputs["pdf"])
    uris = [a.get_object()["/A"]["/URI"] for page in reader.pages for a in page.get("/Annots", [])
            if a.get_object().get("/A", {}).get("/URI")]
    assert len(uris) >= 20
    assert all(u.startswith(("https://", "http://", "mailto:")) for u in uris)


def test_fonts_are_embedded_subset_brand_fonts(seed_outputs):
    require_tool("pdffonts")
    listing = subprocess.run(["pdffonts", str(seed_outputs["pdf"])], capture_output=True, text=True,
                             check=True).stdout.splitlines()[2:]
    assert listing, "no fonts in the PDF"
    for row in listing:
        columns = row.split()
        name, emb, sub = columns[0], columns[-5], columns[-4]
        assert (emb, sub) == ("yes", "yes"), row
        assert re.match(r"^[A-Z]{6}\+", name), row  # a subset tag
        assert name.split("+", 1)[1].startswith(("Inter", "Source-Serif-4", "IBMPlexMono", "IBM-Plex-Mono")), row


@pytest.mark.parametrize("page", [0, -1])
def test_covers_fill_the_page_with_the_brand_colour(seed_outputs, page):
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(str(seed_outputs["pdf"]))
    try:
        image = pdf[page if page >= 0 else len(pdf) - 1].render(scale=0.5).to_pil().convert("RGB")
    finally:
        pdf.close()
    navy = (0x1B, 0x2A, 0x3A)
    for xy in ((1, 1), (image.width - 2, image.height - 2), (1, image.height - 2)):
        assert all(abs(a - b) <= 3 for a, b in zip(image.getpixel(xy), navy, strict=True)), xy
