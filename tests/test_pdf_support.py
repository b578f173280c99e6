"""Helpers for the PDF tests: render each variant once per session, and read PDFs back.

Rendering goes through the library (prepare + PdfWriter), not the CLI, so one process renders
every variant with WeasyPrint imported once; results are cached per (source, theme, options).
Readers are pdfplumber (text with positions and sizes), pypdf (structure) and poppler.
"""

from __future__ import annotations

import atexit
import functools
import re
import shutil
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from conftest import SEED

_WORK = Path(tempfile.mkdtemp(prefix="pipeline-pdf-tests-"))
atexit.register(shutil.rmtree, _WORK, ignore_errors=True)

MM = 72 / 25.4  # PDF points per millimetre


@dataclass(frozen=True)
class Rendered:
    path: Path
    pages: int
    details: dict[str, Any]
    warnings: tuple[str, ...]  # diagnostics the PDF writer added (PDF001 = WeasyPrint)
    seconds: float
    document: Any


@functools.cache
def prepared(source: Path, theme_name: str) -> tuple[Any, Any]:
    from pipeline.convert import prepare
    from pipeline.theme import load_theme

    theme = load_theme(theme_name)
    return prepare(source, theme), theme


@functools.cache
def render(source: Path = SEED, theme_name: str = "openinfra", profile: str = "screen",
           variant: str | None = None, paper: str | None = None, preview: bool = False,
           validate: bool = False, out_name: str | None = None) -> Rendered:
    """Write one PDF of `source` with the PDF writer, once per distinct set of arguments."""
    from pipeline.writers import WriteOptions
    from pipeline.writers.pdf import PdfWriter

    document, theme = prepared(source, theme_name)
    key = "-".join(str(p).replace("/", "") for p in (theme_name, profile, variant, paper, preview) if p)
    folder = _WORK / (out_name or key)
    folder.mkdir(parents=True, exist_ok=True)
    out = folder / f"{document.name}.pdf"
    before = len(document.diagnostics)
    started = time.perf_counter()
    result = PdfWriter().write(document, theme, WriteOptions(
        profile=profile, pdf_variant=variant, paper=paper, preview=preview, validate=validate), out)
    seconds = time.perf_counter() - started
    new = tuple(str(d) for d in document.diagnostics[before:])
    return Rendered(out, result.pages or 0, result.details, new, seconds, document)


def write_markdown(name: str, text: str) -> Path:
    folder = _WORK / "sources"
    folder.mkdir(exist_ok=True)
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


# ---- reading PDFs back -------------------------------------------------------------------------

def norm(text: str) -> str:
    """Text as extracted, compared loosely: hyphen variants unified, whitespace collapsed."""
    text = text.replace("\u2010", "-").replace("\u00ad", "").replace("\u2011", "-")
    return " ".join(text.split())


@dataclass(frozen=True)
class Line:
    page: int  # 0-based
    top: float
    bottom: float
    x0: float
    x1: float
    size: float
    text: str


@functools.cache
def lines(path: Path) -> tuple[tuple[Line, ...], ...]:
    """Every text line of every page, with position and the size of its largest character."""
    import pdfplumber

    pages = []
    with pdfplumber.open(path) as pdf:
        for index, page in enumerate(pdf.pages):
            found = []
            for line in page.extract_text_lines(return_chars=True):
                size = max(c["size"] for c in line["chars"])
                found.append(Line(index, line["top"], line["bottom"], line["x0"], line["x1"], size,
                                  norm(line["text"])))
            pages.append(tuple(found))
    return tuple(pages)


@functools.cache
def page_geometry(path: Path) -> tuple[tuple[float, float], ...]:
    import pdfplumber

    with pdfplumber.open(path) as pdf:
        return tuple((float(p.width), float(p.height)) for p in pdf.pages)


def heading_blocks(path: Path, min_size: float = 12.5, skip_pages: int = 0) -> list[tuple[int, float, str]]:
    """(page, top, text) of large-type blocks: consecutive big lines joined (wrapped headings)."""
    blocks: list[tuple[int, float, str]] = []
    for page_lines in lines(path)[skip_pages:]:
        current: list[Line] = []
        for line in [*page_lines, None]:
            big = line is not None and line.size >= min_size
            if big and current and line.top - current[-1].bottom < line.size * 0.8:
                current.append(line)
                continue
            if current:
                blocks.append((current[0].page, current[0].top, norm(" ".join(x.text for x in current))))
                current = []
            if big:
                current = [line]
    return blocks


def page_of_heading(path: Path, text: str, after_page: int) -> int | None:
    """0-based page where a heading block equal to `text` first appears after `after_page`."""
    wanted = norm(text)
    for page, _top, block in heading_blocks(path):
        if page > after_page and block == wanted:
            return page
    return None


_TOC_ENTRY = re.compile(r"^(?P<title>.*?)[\s.]*\.\s*(?P<page>\d+)$")  # title, dotted leader, number


def printed_toc(path: Path, toc_pages: list[int]) -> list[tuple[str, int]]:
    """(title, printed page number) of every contents entry; wrapped titles joined."""
    entries: list[tuple[str, int]] = []
    pending = ""
    for index in toc_pages:
        for line in body_lines(path, index):
            if line.size >= 20:
                continue  # the "Contents" title
            match = _TOC_ENTRY.match(line.text)
            if match:
                entries.append((norm(f"{pending} {match.group('title')}"), int(match.group("page"))))
                pending = ""
            else:
                pending = f"{pending} {line.text}".strip()
    assert not pending, f"contents line without a page number: {pending!r}"
    return entries


def margin_text(path: Path, page: int, where: str) -> str:
    """Text in the top or bottom margin of a page (running head or footer)."""
    _width, height = page_geometry(path)[page]
    picked = [line for line in lines(path)[page]
              if (where == "top" and line.bottom < 20 * MM) or (where == "bottom" and line.top > height - 22 * MM)]
    return norm(" ".join(line.text for line in picked))


def body_lines(path: Path, page: int) -> list[Line]:
    _width, height = page_geometry(path)[page]
    return [line for line in lines(path)[page] if line.bottom >= 20 * MM and line.top <= height - 22 * MM]


def outline_entries(path: Path) -> list[tuple[int, str, int]]:
    """(depth, title, 0-based page) of every PDF bookmark, in order."""
    from pypdf import PdfReader

    reader = PdfReader(path)
    found: list[tuple[int, str, int]] = []

    def walk(items: list[Any], depth: int) -> None:
        for item in items:
            if isinstance(item, list):
                walk(item, depth + 1)
            else:
                found.append((depth, norm(item.title), reader.get_destination_page_number(item)))

    walk(reader.outline, 0)
    return found


def xmp(path: Path) -> str:
    from pypdf import PdfReader

    metadata = PdfReader(path).trailer["/Root"].get("/Metadata")
    return metadata.get_object().get_data().decode("utf-8") if metadata else ""


def test_helpers_read_back_what_they_render() -> None:
    """The readers agree with the writer: page count and a heading where the outline says it is."""
    seed = render()
    assert len(lines(seed.path)) == seed.pages == len(page_geometry(seed.path))
    _depth, title, page = outline_entries(seed.path)[0]
    assert page_of_heading(seed.path, title, after_page=0) == page
