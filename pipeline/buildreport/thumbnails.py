"""Cover thumbnails for the build report: the PDF's first page, else the EPUB's cover image.

Rendered once per output file (keyed by the hash the manifest already holds) and kept in a hidden
cache folder beside the outputs, so a report over a large, mostly unchanged folder costs no
rendering; pictures of outputs that are gone are removed.
"""

from __future__ import annotations

import contextlib
import io
import logging
import zipfile
from pathlib import Path

from pipeline.atomic import write_bytes_atomically

log = logging.getLogger("pipeline")

CACHE_FOLDER = ".thumbnails"
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


class Thumbnails:
    """Thumbnails by output file, cached under `<out_dir>/.thumbnails/<sha256 prefix>.jpg`."""

    def __init__(self, out_dir: Path) -> None:
        self.folder = out_dir / CACHE_FOLDER
        self.used: set[Path] = set()

    def get(self, path: Path, sha256: str | None, fmt: str) -> bytes | None:
        """The thumbnail of a PDF or EPUB output, or None when it has none or cannot be read."""
        if fmt not in ("pdf", "epub") or not sha256 or not path.is_file():
            return None
        cached = self.folder / f"{sha256[:24]}.jpg"
        self.used.add(cached)
        if cached.is_file():
            return cached.read_bytes()
        try:
            data = _from_pdf(path) if fmt == "pdf" else _from_epub(path)
        except Exception as exc:  # a damaged or foreign file: the report shows a placeholder instead
            log.debug("no thumbnail for %s: %s", path, exc)
            return None
        with contextlib.suppress(OSError):  # a read-only cache only costs the next report a render
            write_bytes_atomically(cached, data)
        return data

    def prune(self) -> None:
        """Remove thumbnails of outputs that no longer exist or changed."""
        if not self.folder.is_dir():
            return
        for old in self.folder.glob("*.jpg"):
            if old not in self.used:
                with contextlib.suppress(OSError):
                    old.unlink()
