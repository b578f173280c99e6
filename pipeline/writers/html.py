"""HTML writer: one standalone page in the brand that makes no request of its own.

The body, contents and labels are the ones the PDF uses (`htmlpage`); what differs is delivery:
the brand fonts are inlined as WOFF subsets of the characters the page shows (a few dozen KB
instead of megabytes), the logo and images are data: URIs, and an image that is not the document's
own (raw HTML pointing at a web site's /img/ folder, a remote picture) becomes its description, so
opening the file never reaches the network or the disk.
"""

from __future__ import annotations

import html as html_lib
import re
from pathlib import Path
from typing import TYPE_CHECKING

from markupsafe import Markup

from pipeline import __version__
from pipeline.mathsvg import MATH_FONT_KEY, math_font
from pipeline.resources import data_uri, usable_image
from pipeline.transforms.raw_images import parse_tag, start_tag
from pipeline.writers.htmlpage import body_html, document_direction, document_labels, inline_font_url, toc_entries

if TYPE_CHECKING:
    from pipeline.document import Document
    from pipeline.theme import Theme
    from pipeline.writers import WriteOptions, WriteResult

_LOADING_TAG = re.compile(r"<(img|source)\b[^>]*>", re.IGNORECASE)
_EMPTY_PICTURE = re.compile(r"<picture\b[^>]*>\s*</picture>", re.IGNORECASE)


def self_contained(markup: str, document: Document) -> str:
    """Every image a data: URI: the document's own files inlined, anything else its description."""
    cache: dict[str, str | None] = {}

    def inline(url: str) -> str | None:
        if url.startswith("data:"):
            return url
        if url not in cache:
            target, reason = usable_image(url, document)
            cache[url] = data_uri(target) if target is not None else None
            if cache[url] is None:
                document.warn("REND002", f"image {url[:120]!r} {reason}; shown as its description in the HTML")
        return cache[url]

    def replace(match: re.Match[str]) -> str:
        name, tag_attributes = parse_tag(match.group(0))
        attributes = dict(tag_attributes)
        if name == "source":
            return ""  # <picture> alternatives: the <img> inside is enough for a self-contained page
        source = inline(attributes.get("src", ""))
        if source is None:
            alt = " ".join(attributes.get("alt", "").split()) or "image"
            return f'<span class="missing-image">[{html_lib.escape(alt)}]</span>'
        kept = [(k, source if k == "src" else v) for k, v in tag_attributes if k not in ("srcset", "sizes")]
        return start_tag("img", kept)

    return _EMPTY_PICTURE.sub("", _LOADING_TAG.sub(replace, markup))


def render_page(document: Document, theme: Theme) -> str:
    """The page: masthead, contents, body; fonts subset to what it shows and inlined."""
    from pipeline.fonts.fallback import document_fonts, fallback_subsets, styled_theme
    from pipeline.fonts.subset import code_text_of_html, font_face_css, subset_theme_fonts, text_of_html

    meta = document.meta
    selection = document_fonts(document, theme)
    theme = styled_theme(theme, selection)
    body = self_contained(body_html(document), document)
    toc = toc_entries(document, theme.tokens["toc_depth"])
    logo = theme.tokens["logo"]

    def page(css: str) -> str:
        return theme.render(
            "page.html.j2",
            meta=meta,
            css=Markup(css),  # generated from theme tokens, not from the document
            body=Markup(body),  # pandoc's HTML of the sanitised AST, images inlined
            toc=toc,
            logo=data_uri(logo) if logo else None,
            labels=document_labels(document, theme),
            direction=document_direction(document),
            generator=f"pipeline {__version__}",
        )

    # The page without fonts tells which characters the fonts must carry (labels and all).
    shown = text_of_html(page(""))
    # WOFF rather than WOFF2: 30 KB more per page, but Brotli at font quality costs ~0.7 s a page.
    fonts = subset_theme_fonts(theme, shown, code_text=code_text_of_html(body), flavor="woff")
    fonts += fallback_subsets(selection, "woff")
    css = font_face_css(fonts, inline_font_url) + "\n" + theme.render("screen.css.j2")
    return page(css)


class HtmlWriter:
    name = "html"
    extension = ".html"
    description = "One standalone HTML page, no external requests"

    def write(self, document: Document, theme: Theme, options: WriteOptions, out_path: Path) -> WriteResult:
        from pipeline.fonts.fallback import document_fonts
        from pipeline.writers import WriteResult

        document.artifacts[MATH_FONT_KEY] = math_font(theme)
        html = render_page(document, theme)
        out_path.write_text(html, encoding="utf-8")
        details = {"bytes": len(html.encode("utf-8"))}
        if document_fonts(document, theme).families:
            details["fallback_fonts"] = document_fonts(document, theme).describe()
        return WriteResult(details=details)
