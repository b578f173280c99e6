"""Which files an output may read: documents are untrusted, so only their own folder and the theme.

Every writer resolves images and other resources through here: decode, then resolve (symlinks
included), then check the result lies under an allowed root.
"""

from __future__ import annotations

import base64
import mimetypes
from pathlib import Path
from urllib.parse import unquote, urlsplit

MAX_RESOURCE_BYTES = 25 * 1024 * 1024
# A small PNG can declare 50 000 × 50 000 pixels ("decompression bomb"); decoding it would take GBs.
MAX_IMAGE_PIXELS = 80_000_000
IMAGE_TYPES = {
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".gif": "image/gif",
    ".svg": "image/svg+xml",
    ".webp": "image/webp",
}


def local_target(url: str, base: Path) -> Path | None:
    """The file a relative or file: URL names, resolved against `base`; None for other schemes."""
    parts = urlsplit(url)
    if parts.scheme == "file":
        return Path(unquote(parts.path)).resolve()
    if parts.scheme or url.startswith("//"):
        return None
    if not parts.path:
        return None
    return (base / unquote(parts.path)).resolve()


def is_allowed(path: Path, roots: list[Path]) -> bool:
    resolved = path.resolve()
    return any(resolved.is_relative_to(root.resolve()) for root in roots) and resolved.is_file()


def data_uri(path: Path) -> str:
    mime = IMAGE_TYPES.get(path.suffix.lower()) or mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    return f"data:{mime};base64,{base64.b64encode(path.read_bytes()).decode('ascii')}"


def image_pixels(path: Path) -> int | None:
    """Width × height from the image header (nothing is decoded); None for SVG or unreadable files."""
    if path.suffix.lower() == ".svg":
        return None
    import warnings

    from PIL import Image

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # Pillow warns about bombs; we decide and report ourselves
            with Image.open(path) as image:
                return image.width * image.height
    except Exception:  # not an image Pillow knows: the writers will say so
        return None
