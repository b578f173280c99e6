"""What the seed's PDF, DOCX and EPUB say and where their pages break, as small comparable data.

Not the bytes (dates, ids and compression differ run to run) but what a reader sees: the text,
the outline, the page count and every page's first and last words (PDF), the headings, explicit
breaks and LibreOffice's page numbers in the contents (DOCX), the chapter files and navigation
(EPUB). `tests/test_layout_snapshot.py` compares the seed's outputs with the stored snapshot,
`tests/fixtures/seed-layout.json`, so a change that moves a page break or loses a word shows, and
a speed-up that changes the layout fails.

Regenerate the snapshot on purpose only (a deliberate change of the look, the text or a library
that lays out), then review its diff:

    .venv/bin/python tests/layout_snapshot.py --update      # converts the seed as the test does
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import sys
import tempfile
import zipfile
from pathlib import Path
from typing import Any

SNAPSHOT = Path(__file__).resolve().parent / "fixtures" / "seed-layout.json"
EDGE_WORDS = 6  # words kept from each end of a page or chapter
# The libraries and programs that lay the outputs out or read them back here.
PACKAGES = ("weasyprint", "pydyf", "pyphen", "pypandoc-binary", "python-docx", "pypdf", "lxml", "fontpkg-inter",
            "fontpkg-source-serif-4", "fontpkg-ibm-plex-mono")


def _words(text: str) -> list[str]:
    return text.split()


def _digest(words: list[str]) -> str:
    return hashlib.sha256(" ".join(words).encode("utf-8")).hexdigest()[:16]


def _span(words: list[str]) -> dict[str, Any]:
    return {"words": len(words), "first": " ".join(words[:EDGE_WORDS]), "last": " ".join(words[-EDGE_WORDS:]),
            "text": _digest(words)}


def pdf_snapshot(path: Path) -> dict[str, Any]:
    """Page count, each page's words (first, last, count, digest), and the bookmarks with their pages."""
    from pypdf import PdfReader

    reader = PdfReader(str(path))
    pages = [_span(_words(page.extract_text() or "")) for page in reader.pages]

    outline: list[list[Any]] = []

    def walk(items: list[Any], level: int) -> None:
        for item in items:
            if isinstance(item, list):
                walk(item, level + 1)
            else:
                outline.append([level, " ".join(str(item.title).split()), reader.get_destination_page_number(item) + 1])

    walk(reader.outline, 1)
    return {"page_count": len(pages), "outline": outline, "pages": pages}


_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def docx_snapshot(path: Path) -> dict[str, Any]:
    """The body's words, headings, explicit page and section breaks, and the contents' entries as
    LibreOffice numbered them (its layout of the pages)."""
    import docx
    from docx.text.paragraph import Paragraph

    word = docx.Document(str(path))
    body, headings, breaks, contents = [], [], [], []
    # Every paragraph, those in tables and in the contents' field block included, in order.
    for paragraph in (Paragraph(element, word) for element in word.element.body.iter(f"{_W}p")):
        text = " ".join(paragraph.text.split())
        style = (paragraph.style.name if paragraph.style is not None else "") or ""
        element = paragraph._p
        page_break = (element.find(f".//{_W}br[@{_W}type='page']") is not None
                      or element.find(f"{_W}pPr/{_W}pageBreakBefore") is not None)
        if page_break or element.find(f"{_W}pPr/{_W}sectPr") is not None:
            breaks.append(" ".join(text.split()[:EDGE_WORDS]) or f"({style or 'empty paragraph'})")
        if re.fullmatch(r"(?i)toc \d", style):
            title, tab, page = paragraph.text.rpartition("\t")
            contents.append([int(style.split()[-1]), " ".join((title if tab else page).split()),
                             page.strip() if tab else None])
            continue
        match = re.fullmatch(r"Heading (\d)", style)
        if match and text:
            headings.append([int(match.group(1)), text])
        body.extend(_words(paragraph.text))
    return {"text": _span(body), "headings": headings, "breaks": breaks, "contents": contents}


def epub_snapshot(path: Path) -> dict[str, Any]:
    """The reading order (each chapter's words, first and last, count, digest) and the navigation."""
    from lxml import etree

    with zipfile.ZipFile(path) as book:
        container = etree.fromstring(book.read("META-INF/container.xml"))
        opf_name = container.find(".//{*}rootfile").get("full-path")
        opf = etree.fromstring(book.read(opf_name))
        base = opf_name.rsplit("/", 1)[0] + "/" if "/" in opf_name else ""
        items = {item.get("id"): item for item in opf.iter("{*}item")}
        chapters = []
        for ref in opf.iter("{*}itemref"):
            href = items[ref.get("idref")].get("href")
            tree = etree.fromstring(book.read(base + href))
            body = tree.xpath("//*[local-name()='body']")[0]
            chapters.append({"file": href, **_span(_words(" ".join(body.itertext())))})
        nav_href = next(item.get("href") for item in items.values() if "nav" in (item.get("properties") or "").split())
        nav = etree.fromstring(book.read(base + nav_href))
    toc = nav.xpath("//*[local-name()='nav'][@*[local-name()='type']='toc']")[0]
    outline = [[len(link.xpath("ancestor::*[local-name()='li']")), " ".join("".join(link.itertext()).split()),
                link.get("href")] for link in toc.xpath(".//*[local-name()='a']")]
    return {"chapters": chapters, "outline": outline}


def snapshot(outputs: dict[str, Path]) -> dict[str, Any]:
    return {"pdf": pdf_snapshot(outputs["pdf"]), "docx": docx_snapshot(outputs["docx"]),
            "epub": epub_snapshot(outputs["epub"])}


def versions() -> dict[str, str]:
    from importlib.metadata import PackageNotFoundError, version

    found = {}
    for package in PACKAGES:
        try:
            found[package] = version(package)
        except PackageNotFoundError:
            found[package] = "missing"
    office = shutil.which("soffice")
    found["libreoffice"] = "present" if office else "missing"
    return found


def main() -> None:
    if sys.argv[1:] != ["--update"]:
        sys.exit(__doc__)
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from conftest import SEED, outputs_in, run_cli

    with tempfile.TemporaryDirectory(prefix="seed-layout-") as folder:
        result = run_cli(str(SEED), "--to", "all", "-o", folder)
        if result.returncode != 0:
            sys.exit(result.stderr)
        data = {"regenerate": "see tests/layout_snapshot.py", "versions": versions(),
                **snapshot(outputs_in(Path(folder)))}
    SNAPSHOT.write_text(json.dumps(data, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"wrote {SNAPSHOT} ({SNAPSHOT.stat().st_size:,} bytes); review its diff before committing it")


if __name__ == "__main__":
    main()
