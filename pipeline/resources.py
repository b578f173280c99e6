"""Which files an output may read: documents are untrusted, so only their own folder, their site
root (see `pipeline.site`) and the theme.

Every writer resolves images and other resources through here: decode, then resolve (symlinks
included), then check the result lies under an allowed root.
"""

from __future__ import annotations

import base64
import mimetypes
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import unquote, urlsplit

if TYPE_CHECKING:
    from pipeline.document import Document
    from pipeline.site import Site

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


def document_roots(document: Document) -> list[Path]:
    """The folders a document's outputs may read: its own, and its site's root."""
    site = document.site
    return [document.base_dir, site.root] if site is not None else [document.base_dir]


def resolve_resource(url: str, document: Document) -> tuple[Path | None, str]:
    """The local file `url` names in `document`, or (None, why not): see `resolve_in`."""
    return resolve_in(url, document.base_dir, document.site)


def resolve_in(url: str, base_dir: Path, site: Site | None) -> tuple[Path | None, str]:
    """The local file `url` names for a document in `base_dir` on `site`, or (None, why not).

    Relative paths are read beside the document (a page bundle), root-relative ones (`/img/x.png`)
    from the site's static folders. Reasons: "remote", "missing", "outside" (the document's folder
    and site root), "site-relative" (root-relative, and no site root known).
    """
    parts = urlsplit(url)
    if (parts.scheme and parts.scheme != "file") or url.startswith("//"):
        return None, "remote"
    if not parts.path:
        return None, "missing"
    if not parts.scheme and parts.path.startswith("/"):
        if site is None:
            return None, "site-relative"
        found, why = site.resolve(parts.path)
        return found, why or "missing"
    target = local_target(url, base_dir)
    if target is None:
        return None, "missing"
    roots = [base_dir.resolve(), *([site.root] if site is not None else [])]
    if not any(target.is_relative_to(root) for root in roots):
        return None, "outside"
    return (target, "") if target.is_file() else (None, "missing")


_WHY_NOT = {
    "remote": "is remote and network access is off (see --allow-remote)",
    "missing": "is missing",
    "outside": "is outside the document's folder and its site root",
    "site-relative": "is a path from the website's root and no site root is known (see --site-root)",
}


def usable_image(url: str, document: Document) -> tuple[Path | None, str]:
    """The image file `url` names, or (None, a reason to print after the URL)."""
    target, why = resolve_resource(url, document)
    if target is None:
        reason = _WHY_NOT.get(why, why)
        if why == "missing" and document.site is not None and url.startswith("/"):
            reason = f"is not in the static folders of the {document.site.describe()}"
        return None, reason
    if target.suffix.lower() not in IMAGE_TYPES:
        return None, "is not a supported image type"
    if target.stat().st_size > MAX_RESOURCE_BYTES:
        return None, "is larger than the image size limit"
    pixels = image_pixels(target)
    if pixels is not None and pixels > MAX_IMAGE_PIXELS:
        return None, f"has {pixels / 1e6:.0f} million pixels, over the {MAX_IMAGE_PIXELS / 1e6:.0f} million limit"
    return target, ""


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
