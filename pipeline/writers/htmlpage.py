"""A complete HTML page for a document, from a theme template: the common ground of PDF and HTML."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from markupsafe import Markup

from pipeline import __version__
from pipeline.codelines import split_code_lines
from pipeline.mathsvg import typeset_math
from pipeline.render import Heading, document_outline, embedded_ast_json, pandoc_ast, run_pandoc
from pipeline.resources import data_uri
from pipeline.sanitize import clean_html, report_raw_html

if TYPE_CHECKING:
    from pipeline.document import Document
    from pipeline.theme import Theme

# Labels the templates print, by language; English is the fallback.
LABELS = {
    "en": {"contents": "Contents", "page": "Page"},
    "de": {"contents": "Inhalt", "page": "Seite"},
    "fr": {"contents": "Sommaire", "page": "Page"},
    "es": {"contents": "Índice", "page": "Página"},
    "ja": {"contents": "目次", "page": "ページ"},
    "ar": {"contents": "المحتويات", "page": "صفحة"},
}
RTL_LANGUAGES = {"ar", "he", "fa", "ur"}


def labels(lang: str) -> dict[str, str]:
    return LABELS.get(lang.split("-")[0].lower(), LABELS["en"])


def body_html(document: Document) -> str:
    """The document body as an HTML fragment, one <section> per heading (cached)."""
    cached = document.artifacts.get("body_html")
    if cached is None:
        html = run_pandoc(embedded_ast_json(document), "html5", args=["--section-divs", "--wrap=none", "--mathml"],
                          document=document)
        report_dropped_html(document)
        cached = document.artifacts["body_html"] = finish_body(html, document)
    return cached


_TASK_BOX = re.compile(r'<input type="checkbox"( checked(?:="[^"]*")?)?\s*/?>')


def _task_box(match: re.Match[str]) -> str:
    # A drawn box rather than a form field: WeasyPrint paints form fields its own way.
    state = "true" if match.group(1) else "false"
    return f'<span class="task-box" role="checkbox" aria-checked="{state}" aria-disabled="true"></span>'


def finish_body(html: str, document: Document) -> str:
    """Pandoc's HTML body made ready for a page: sanitized, formulas drawn, code split into lines,
    task-list boxes drawn."""
    html = split_code_lines(typeset_math(clean_html(html), document))
    return _TASK_BOX.sub(_task_box, html) if 'type="checkbox"' in html else html


def report_dropped_html(document: Document) -> None:
    """Warn about the raw HTML the outputs drop, once per document whichever writer comes first."""
    if not document.artifacts.get("dropped_html_reported"):
        report_raw_html(pandoc_ast(document), document)
        document.artifacts["dropped_html_reported"] = True


def toc_entries(document: Document, depth: int) -> list[Heading]:
    """Headings for a table of contents: the top `depth` levels present in the document."""
    headings = [h for h in document_outline(document) if h.id and h.text]
    if not headings:
        return []
    top = min(h.level for h in headings)
    return [Heading(h.level - top + 1, h.id, h.text) for h in headings if h.level < top + depth]


def font_face_css(theme: Theme, *, embed: bool = False) -> str:
    """@font-face rules for the theme's packaged fonts (as file URLs, or inline for portable HTML)."""
    rules = []
    for face in theme.fonts:
        src = data_uri(face.path) if embed else face.path.resolve().as_uri()
        # A variable face covers every weight; WeasyPrint rejects weight ranges, so leave it open.
        weight = "" if " " in face.weight else f"font-weight: {face.weight}; "
        rules.append(
            f'@font-face {{ font-family: "{face.family}"; src: url("{src}") format("{face.format}"); '
            f"{weight}font-style: {face.style}; }}"
        )
    return "\n".join(rules)


def build_page(document: Document, theme: Theme, *, template: str, stylesheet: str, embed: bool = False) -> str:
    """Render a full HTML page: metadata, cover, table of contents and body, styled by the theme."""
    meta = document.meta
    css = font_face_css(theme, embed=embed) + "\n" + theme.render(stylesheet)
    logo = theme.tokens["logo"]
    lang = meta.lang.split("-")[0].lower()
    return theme.render(
        template,
        meta=meta,
        css=Markup(css),  # generated from theme tokens, not from the document
        body=Markup(body_html(document)),  # pandoc's HTML of the (sanitised) AST
        toc=toc_entries(document, theme.tokens["toc_depth"]),
        logo=(data_uri(logo) if embed else logo.as_uri()) if logo else None,
        labels=labels(meta.lang),
        direction="rtl" if lang in RTL_LANGUAGES else "ltr",
        generator=f"pipeline {__version__}",
    )
