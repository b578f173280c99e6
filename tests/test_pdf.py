"""The seed's PDF, read back with pypdf and poppler."""

from __future__ import annotations

import re
import subprocess

from conftest import SEED_HEADINGS, require_tool
from pypdf import PdfReader


def _text(reader: PdfReader) -> str:
    text = "\n".join(page.extract_text() or "" for page in reader.pages)
    return " ".join(text.split())


def _outline_titles(outline: list) -> list[str]:
    titles: list[str] = []
    for item in outline:
        if isinstance(item, list):
            titles.extend(_outline_titles(item))
        else:
            titles.append(item.title)
    return titles


def test_cover_page_holds_title_and_subtitle(seed_outputs):
    first = " ".join((PdfReader(seed_outputs["pdf"]).pages[0].extract_text() or "").split())
    assert "2021 Annual Report" in first
    assert "OpenInfra Foundation" in first


def test_every_article_heading_is_in_the_text(seed_outputs):
    text = _text(PdfReader(seed_outputs["pdf"]))
    for heading in SEED_HEADINGS:
        assert heading in text, heading


def test_outline_lists_the_articles(seed_outputs):
    titles = _outline_titles(PdfReader(seed_outputs["pdf"]).outline)
    for heading in SEED_HEADINGS:
        assert heading in titles, heading
    assert "2021 Annual Report" not in titles  # the cover title is not a section


def test_metadata_title_author_language(seed_outputs):
    reader = PdfReader(seed_outputs["pdf"])
    assert reader.metadata.title.startswith("2021 Annual Report")
    assert reader.metadata.author == "OpenInfra Foundation"
    assert reader.trailer["/Root"].get("/Lang") == "en"


def test_table_of_contents_and_page_numbers(seed_outputs):
    reader = PdfReader(seed_outputs["pdf"])
    toc = " ".join((reader.pages[1].extract_text() or "").split())
    assert toc.startswith("Contents")
    assert "Kata Containers" in toc
    last = len(reader.pages)
    footer = " ".join((reader.pages[last - 1].extract_text() or "").split())
    assert re.search(rf"\b{last} / {last}\b", footer)


def test_fonts_are_embedded_brand_fonts(seed_outputs):
    require_tool("pdffonts")
    listing = subprocess.run(["pdffonts", str(seed_outputs["pdf"])], capture_output=True, text=True,
                             check=True).stdout.splitlines()[2:]
    assert listing, "no fonts in the PDF"
    for row in listing:
        name, emb = row.split()[0], row.split()[-5]
        assert emb == "yes", row
        family = name.split("+", 1)[-1]
        assert family.startswith(("Inter", "Source-Serif-4", "IBMPlexMono", "IBM-Plex-Mono")), row
