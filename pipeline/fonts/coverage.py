"""Which characters a font covers: its cmap, read once per file and face through HarfBuzz (microseconds)."""

from __future__ import annotations

import functools
from pathlib import Path


@functools.lru_cache(maxsize=128)
def _codepoints(path: str, index: int, size: int, mtime_ns: int) -> frozenset[int]:
    import uharfbuzz as hb

    return frozenset(hb.Face(hb.Blob.from_file_path(path), index).unicodes)


def codepoints(path: Path, index: int = 0) -> frozenset[int]:
    """The code points `path` (face `index` of a collection) maps to glyphs."""
    stat = path.stat()
    return _codepoints(str(path), index, stat.st_size, stat.st_mtime_ns)


def covered(characters: str | frozenset[str], path: Path, index: int = 0) -> frozenset[str]:
    """The characters of `characters` the font has a glyph for."""
    points = codepoints(path, index)
    return frozenset(ch for ch in characters if ord(ch) in points)


def data_codepoints(data: bytes, index: int = 0) -> frozenset[int]:
    """The code points of font bytes (an embedded subset read back)."""
    import uharfbuzz as hb

    return frozenset(hb.Face(hb.Blob(data), index).unicodes)


def is_invisible(char: str) -> bool:
    """Characters no font needs to draw: format controls (joiners, bidi marks, soft hyphen), variation
    selectors, whitespace and other control characters."""
    import unicodedata

    if char.isspace():
        return True
    category = unicodedata.category(char)
    code = ord(char)
    return category in ("Cc", "Cf", "Zs", "Zl", "Zp") or 0xFE00 <= code <= 0xFE0F or 0xE0100 <= code <= 0xE01EF
