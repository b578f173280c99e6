"""PNG previews of a PDF: the cover, the contents and the opening page of each part.

A reviewer looks at a handful of pictures instead of opening the PDF. Pages are chosen from
WeasyPrint's layout (the anchors of the contents and of the top-level headings), rendered from the
written PDF with pdfium, and written atomically into `<out_dir>/preview/`; previews a previous run
left for the same document and no longer made are removed.
"""

from __future__ import annotations

import contextlib
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pipeline.atomic import write_atomically

CONTENTS_ANCHOR = "pipeline-contents"  # the id print.html.j2 gives the contents
PREVIEW_DPI = 110
MAX_PART_PREVIEWS = 24  # a document with 80 top-level sections does not need 80 pictures


@dataclass(frozen=True)
class PreviewPage:
    index: int  # 0-based page index in the PDF
    name: str  # file name stem, after the document name


def _slug(text: str, limit: int = 40) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    return slug[:limit].rstrip("-") or "part"


def anchor_pages(pages: list[Any]) -> dict[str, int]:
    """Anchor id → index of the first page it is on, from a WeasyPrint document's pages."""
    found: dict[str, int] = {}
    for index, page in enumerate(pages):
        for anchor in page.anchors:
            found.setdefault(anchor, index)
    return found


def choose_pages(anchors: dict[str, int], heading_ids: list[str], parts: list[tuple[str, str]],
                 page_count: int) -> list[PreviewPage]:
    """The cover, every contents page, and the first page of each part (id, title).

    The contents run from their own anchor to the page before the first heading of the body.
    """
    chosen = [PreviewPage(0, "cover")] if page_count else []
    if CONTENTS_ANCHOR in anchors:
        start = anchors[CONTENTS_ANCHOR]
        body = [anchors[i] for i in heading_ids if i in anchors and anchors[i] > start]
        end = min(body, default=start + 1)
        for number, index in enumerate(range(start, end), start=1):
            chosen.append(PreviewPage(index, "contents" if number == 1 else f"contents-{number}"))
    for number, (part_id, title) in enumerate(parts[:MAX_PART_PREVIEWS], start=1):
        if part_id in anchors:
            chosen.append(PreviewPage(anchors[part_id], f"part-{number:02d}-{_slug(title)}"))
    unique: dict[int, PreviewPage] = {}
    for page in chosen:
        unique.setdefault(page.index, page)
    return list(unique.values())


def _stale_pattern(document_name: str) -> re.Pattern[str]:
    return re.compile(re.escape(document_name) + r"-(cover|contents(-\d+)?|part-\d{2}-[a-z0-9-]+)\.png$")


def write_previews(pdf_path: Path, out_dir: Path, document_name: str, pages: list[PreviewPage],
                   *, skip_blank: set[int] | None = None, dpi: int = PREVIEW_DPI) -> list[Path]:
    """Render `pages` of `pdf_path` to `<out_dir>/preview/<document>-<name>.png`; return the paths."""
    import pypdfium2 as pdfium

    folder = out_dir / "preview"
    folder.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    pdf = pdfium.PdfDocument(str(pdf_path))
    try:
        for page in pages:
            if skip_blank and page.index in skip_blank:
                continue
            image = pdf[page.index].render(scale=dpi / 72).to_pil()
            target = folder / f"{document_name}-{page.name}.png"
            write_atomically(target, lambda tmp, image=image: image.save(tmp, format="PNG", optimize=True))
            written.append(target)
    finally:
        pdf.close()
    stale = _stale_pattern(document_name)
    for old in folder.glob(f"{document_name}-*.png"):
        if stale.match(old.name) and old not in written:
            with contextlib.suppress(FileNotFoundError):
                old.unlink()
    return written
