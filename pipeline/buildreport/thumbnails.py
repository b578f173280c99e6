"""Cover thumbnails for the build report: the PDF's first page, else the EPUB's cover image.

Rendered once per output file and kept in the report's cache folder (`cache.ReportCache`).
"""

from __future__ import annotations

import io
import logging
import zipfile
from pathlib import Path

from pipeline.buildreport.cache import ReportCache

log = logging.getLogger("pipeline")

WIDTH_PX = 240  # shown 120 CSS px wide: sharp on a 2× screen, 10–25 KB as JPEG
EPUB_COVER = "EPUB/media/cover.jpg"  # where our EPUB writer puts the cover


def _jpeg(image: object) -> bytes:
    from PIL import Image

    assert isinstance(image, Image.Image)
    picture = image.convert("RGB")
    if picture.width != WIDTH_PX:
        picture = picture.resize((WIDTH_PX, max(1, round(picture.height * WIDTH_PX / picture.width))),
                                 Image.Resampling.LANCZOS)
    buffer = io.BytesIO()
    picture.save(buffer, format="JPEG", quality=82, optimize=True, progressive=True)
    return buffer.getvalue()


def _from_pdf(path: Path) -> bytes:
    from pipeline.writers.cover import _rasterize

    return _jpeg(_rasterize(str(path), WIDTH_PX))  # pdfium takes a path as well as bytes


def _from_epub(path: Path) -> bytes:
    from PIL import Image

    with zipfile.ZipFile(path) as book, Image.open(io.BytesIO(book.read(EPUB_COVER))) as cover:
        return _jpeg(cover)


def thumbnail(cache: ReportCache, path: Path, sha256: str | None, fmt: str) -> bytes | None:
    """The thumbnail of a PDF or EPUB output (kept by the output's hash, which the manifest holds),
    or None when it has none or cannot be read."""
    if fmt not in ("pdf", "epub") or not sha256 or not path.is_file():
        return None
    try:
        return cache.get(f"{sha256[:24]}.jpg", lambda: _from_pdf(path) if fmt == "pdf" else _from_epub(path))
    except Exception as exc:  # a damaged or foreign file: the report shows a placeholder instead
        log.debug("no thumbnail for %s: %s", path, exc)
        return None
