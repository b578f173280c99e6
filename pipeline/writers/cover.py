"""Pictures of the brand for formats that cannot lay out HTML: the cover as an image, the logo as PNG.

The EPUB's cover image is the PDF's cover (same partial templates, same fonts), laid out by
WeasyPrint on one page and rasterised by pdfium; Word cannot show every SVG, so an SVG logo is
rasterised the same way for the DOCX cover.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from markupsafe import Markup

if TYPE_CHECKING:
    from pipeline.document import Document
    from pipeline.theme import Theme

COVER_WIDTH_PX = 1600  # what the stores ask for (Apple: ≥ 1400 px wide; Kobo, Google: 1600 × 2400)
RASTER_TYPES = {".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg"}


def _roots(theme: Theme, extra: tuple[Path, ...] = ()) -> list[Path]:
    return [theme.root, theme.default_root, *{face.path.parent for face in theme.fonts}, *extra]


def _render_pdf(html: str, theme: Theme, extra_roots: tuple[Path, ...] = ()) -> bytes:
    from pipeline.libfinder import import_weasyprint
    from pipeline.writers.pdf import restricted_fetcher

    weasyprint = import_weasyprint()

    fetcher = restricted_fetcher(_roots(theme, extra_roots))
    return weasyprint.HTML(string=html, base_url=str(theme.root) + "/", url_fetcher=fetcher).write_pdf()


def _rasterize(pdf: bytes, width_px: int, *, transparent: bool = False) -> Any:
    """The first page of `pdf` as a PIL image `width_px` wide."""
    import pypdfium2

    document = pypdfium2.PdfDocument(pdf)
    try:
        page = document[0]
        scale = width_px / page.get_width()
        fill = (255, 255, 255, 0) if transparent else (255, 255, 255, 255)
        bitmap = page.render(scale=scale, fill_color=fill, may_draw_forms=False)
        return bitmap.to_pil().copy()
    finally:
        document.close()


def cover_html(document: Document, theme: Theme) -> str:
    from pipeline.fonts.fallback import document_fonts, styled_theme
    from pipeline.writers.htmlpage import document_direction, font_face_css

    meta = document.meta
    logo = theme.tokens["logo"]
    selection = document_fonts(document, theme)
    theme = styled_theme(theme, selection, private=True)  # laid out by WeasyPrint
    css = font_face_css(theme, selection=selection, private=True) + "\n" + theme.render("_cover.css.j2")
    return theme.render(
        "cover.html.j2",
        meta=meta,
        css=Markup(css),  # generated from theme tokens, not from the document
        logo=logo.as_uri() if logo else None,
        logo_alt=f"{meta.publisher or theme.tokens['name']} logo",
        direction=document_direction(document),
    )


def _drawn(kind: str, parts: list[str | bytes], draw: Callable[[], Any]) -> Any:
    """What `draw()` makes, kept in the cache folder by what it is drawn from (`parts`) and the versions
    of the libraries and code that draw it: a cover or logo is laid out and rasterised once, not on every
    run (WeasyPrint's import alone is 0.3 s, in a process that may need it for nothing else)."""
    from pipeline.cache import cached, tools_key

    return cached(kind, [*parts, tools_key()], draw)


def cover_jpeg(document: Document, theme: Theme, width_px: int = COVER_WIDTH_PX) -> bytes:
    """The cover as a JPEG (photographic-size files for a flat design are still small at q88)."""
    from pipeline.fonts.fallback import document_fonts, whole_faces

    folders = tuple(sorted({face.path.parent for face in whole_faces(document_fonts(document, theme))}))
    html = cover_html(document, theme)

    def draw() -> bytes:
        image = _rasterize(_render_pdf(html, theme, folders), width_px).convert("RGB")
        out = io.BytesIO()
        image.save(out, "JPEG", quality=88, optimize=True, progressive=False)
        return out.getvalue()

    # The page names every file it shows (the theme's, whose contents its fingerprint covers).
    return _drawn("cover", [html, str(width_px), *map(str, folders), theme.fingerprint], draw)


def _svg_size(path: Path) -> tuple[float, float]:
    """An SVG's aspect from its width/height, else its viewBox (square when it says neither)."""
    import re

    from lxml import etree

    root = etree.parse(str(path), etree.XMLParser(resolve_entities=False, no_network=True)).getroot()
    number = re.compile(r"^\s*([\d.]+)")
    width, height = (number.match(root.get(k) or "") for k in ("width", "height"))
    if width and height and float(width.group(1)) > 0 and float(height.group(1)) > 0:
        return float(width.group(1)), float(height.group(1))
    box = (root.get("viewBox") or "").replace(",", " ").split()
    if len(box) == 4 and float(box[2]) > 0 and float(box[3]) > 0:
        return float(box[2]), float(box[3])
    return 100.0, 100.0


def logo_png(theme: Theme, height_px: int = 360) -> tuple[bytes, int, int] | None:
    """The theme's logo as PNG bytes with its pixel size; raster logos are returned as they are."""
    logo = theme.tokens["logo"]
    if logo is None:
        return None
    if logo.suffix.lower() in RASTER_TYPES:
        from PIL import Image

        data = logo.read_bytes()
        with Image.open(io.BytesIO(data)) as image:
            return data, image.width, image.height
    width, height = _svg_size(logo)
    width_px = max(1, round(height_px * width / height))
    page = (
        "<!DOCTYPE html><html><head><style>"
        f"@page {{ size: {width_px}px {height_px}px; margin: 0; }} html, body {{ margin: 0; }}"
        "img { display: block; width: 100%; height: 100vh; }"
        f'</style></head><body><img src="{logo.as_uri()}" alt=""></body></html>'
    )

    def draw() -> tuple[bytes, int, int]:
        image = _rasterize(_render_pdf(page, theme), width_px, transparent=True)
        out = io.BytesIO()
        image.save(out, "PNG", optimize=True)
        return out.getvalue(), image.width, image.height

    return _drawn("logo", [page, logo.read_bytes()], draw)
