"""The print HTML: cover, contents, body with page footnotes, back cover — from the theme's templates.

This is `writers.htmlpage.build_page` for print: the same body, TOC entries and fonts, plus what only
paper needs (the print settings as `theme.pdf`, CMYK colours for PDF/X, footnotes at their calls).
"""

from __future__ import annotations

import copy
import dataclasses
import json
from typing import TYPE_CHECKING, Any

from markupsafe import Markup

from pipeline import __version__
from pipeline.fonts.fallback import document_fonts, styled_theme
from pipeline.pdf.colors import cmyk_palette
from pipeline.pdf.footnotes import has_notes, inline_notes
from pipeline.pdf.long_runs import breakable
from pipeline.pdf.tables import fit_tables
from pipeline.render import embedded_ast, run_pandoc
from pipeline.writers.docx_reference import to_points
from pipeline.writers.htmlpage import (
    body_html,
    document_direction,
    document_labels,
    finish_body,
    font_face_css,
    report_dropped_html,
    toc_entries,
)

if TYPE_CHECKING:
    from pipeline.document import Document
    from pipeline.fonts.fallback import Selection
    from pipeline.pdf.settings import PrintSettings
    from pipeline.theme import Theme

# The same pandoc options as every other HTML body, so all formats agree on ids and structure.
PANDOC_HTML_ARGS = ["--section-divs", "--wrap=none", "--mathml"]


def print_body(document: Document) -> tuple[str, int]:
    """The body HTML with notes at their call sites, and the number of notes.

    Without notes this is the shared body (cached on the document, for the other writers too);
    with notes pandoc renders the transformed AST instead.
    """
    ast = embedded_ast(document)
    if "has_notes" not in document.artifacts:
        document.artifacts["has_notes"] = has_notes(ast)
    if not document.artifacts["has_notes"]:
        return body_html(document), 0
    cached = document.artifacts.get("pdf_body_html")
    if cached is None:
        report_dropped_html(document)
        transformed, count = inline_notes(ast)
        html = run_pandoc(json.dumps(transformed), "html5", args=PANDOC_HTML_ARGS, document=document)
        cached = document.artifacts["pdf_body_html"] = (finish_body(html, document), count)
    return cached


def print_theme(theme: Theme, settings: PrintSettings) -> Theme:
    """The theme as the print templates see it: paper size, print settings, press colours.

    A copy with its own tokens, so the shared Theme object (used by other writers, perhaps in
    other threads) is never changed.
    """
    tokens: dict[str, Any] = copy.deepcopy(theme.tokens)
    tokens["page"].update(size=settings.size, width=settings.width, height=settings.height)
    tokens["pdf"] = settings.template_tokens()
    if settings.is_pdfx:
        tokens["color"] = cmyk_palette(tokens["color"], settings.cmyk)
    variant = dataclasses.replace(theme)
    variant.__dict__["tokens"] = tokens  # pre-fills the cached_property on the copy only
    return variant


def document_keywords(document: Document) -> list[str]:
    return list(dict.fromkeys(k for k in document.meta.keywords if k))


@dataclasses.dataclass(frozen=True)
class PrintStyles:
    fonts: str  # @font-face rules for the theme's packaged fonts
    rules: str  # the print stylesheet, from the theme's tokens and print settings


def print_styles(document: Document, theme: Theme, settings: PrintSettings, *, selection: Selection | None = None,
                 direction: str | None = None) -> PrintStyles:
    """The print page's stylesheet, in two parts: the fonts, and the rules. `selection` and
    `direction` are the document's fallback fonts and writing direction, unless given."""
    selection = document_fonts(document, theme) if selection is None else selection
    styled = print_theme(styled_theme(theme, selection, private=True), settings)
    return PrintStyles(font_face_css(theme, selection=selection, private=True),
                       styled.render("print.css.j2", direction=direction or document_direction(document)))


def build_print_html(document: Document, theme: Theme, settings: PrintSettings, *,
                     inline_styles: bool = True) -> tuple[str, int]:
    """The print page and the number of footnotes in it.

    With `inline_styles` off, the page has no stylesheet: the caller hands WeasyPrint `print_styles`
    itself (parsed while pandoc writes the body).
    """
    meta = document.meta
    styled = print_theme(styled_theme(theme, document_fonts(document, theme), private=True), settings)
    direction = document_direction(document)
    css = ""
    if inline_styles:
        styles = print_styles(document, theme, settings)
        css = styles.fonts + "\n" + styles.rules
    body, notes = print_body(document)
    body = fit_tables(body, document, settings.content_width_mm, settings.landscape_width_mm,
                      to_points(theme.tokens["font"]["size"], 10.5))
    body = breakable(body)  # WeasyPrint is quadratic in a run of text with no break opportunity
    logo = theme.tokens["logo"]
    html = styled.render(
        "print.html.j2",
        meta=meta,
        css=Markup(css),  # generated from theme tokens, not from the document
        body=Markup(body),  # pandoc's HTML of the (sanitised) AST
        toc=toc_entries(document, theme.tokens["toc_depth"]),
        logo=logo.as_uri() if logo else None,
        logo_alt=f"{meta.publisher or theme.tokens['name']} logo",
        labels=document_labels(document, theme),
        direction=direction,
        generator=f"pipeline {__version__}",
        authors=meta.authors or ([meta.publisher] if meta.publisher else []),
        subject=meta.description or meta.subtitle,
        keywords=document_keywords(document),
    )
    return html, notes
