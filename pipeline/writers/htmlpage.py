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
    from pipeline.fonts.fallback import Selection
    from pipeline.fonts.subset import EmbeddedFont
    from pipeline.theme import Theme

def document_labels(document: Document, theme: Theme) -> dict[str, str]:
    """The words the outputs print ("Contents", "Page" …) in the document's language (`pipeline.i18n`),
    with the theme's own words for a language first (`defaults.pipeline.labels.<lang>.<key>`)."""
    from pipeline.i18n import labels

    overrides = theme.settings.get("labels")
    return labels(document.meta.lang, overrides if isinstance(overrides, dict) else None)


def document_direction(document: Document) -> str:
    """"rtl" or "ltr": the writing direction of the document's language."""
    from pipeline.i18n import direction

    return direction(document.meta.lang)


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


def font_face_css(theme: Theme, *, embed: bool = False, selection: Selection | None = None,
                  private: bool = False) -> str:
    """@font-face rules for the theme's packaged fonts (as file URLs, or inline for portable HTML), and
    for the fallback families of a document's `selection` (inline subsets of what each draws; under
    private names for WeasyPrint, see `pipeline.fonts.fallback.PRIVATE_SUFFIX`)."""
    rules = []
    for face in theme.fonts:
        src = data_uri(face.path) if embed else face.path.resolve().as_uri()
        # A variable face covers every weight; WeasyPrint rejects weight ranges, so leave it open.
        weight = "" if " " in face.weight else f"font-weight: {face.weight}; "
        rules.append(
            f'@font-face {{ font-family: "{face.family}"; src: url("{src}") format("{face.format}"); '
            f"{weight}font-style: {face.style}; }}"
        )
    if selection is not None and selection.families:
        from pipeline.fonts.fallback import fallback_subsets, whole_faces
        from pipeline.fonts.subset import font_face_css as subset_rules

        rules.append(subset_rules(fallback_subsets(selection, private=private), inline_font_url))
        for face in whole_faces(selection) if private else ():
            rules.append(f'@font-face {{ font-family: "{face.family}"; src: url("{face.path.resolve().as_uri()}") '
                         f'format("{face.format}"); font-weight: {face.weight}; font-style: {face.style}; }}')
    return "\n".join(rules)


def inline_font_url(font: EmbeddedFont) -> str:
    """A data: URI of an embedded font."""
    import base64

    return f"data:{font.media_type};base64,{base64.b64encode(font.data).decode('ascii')}"


def build_page(document: Document, theme: Theme, *, template: str, stylesheet: str, embed: bool = False) -> str:
    """Render a full HTML page: metadata, cover, table of contents and body, styled by the theme."""
    from pipeline.fonts.fallback import document_fonts, styled_theme

    meta = document.meta
    selection = document_fonts(document, theme)
    theme = styled_theme(theme, selection)
    css = font_face_css(theme, embed=embed, selection=selection) + "\n" + theme.render(stylesheet)
    logo = theme.tokens["logo"]
    return theme.render(
        template,
        meta=meta,
        css=Markup(css),  # generated from theme tokens, not from the document
        body=Markup(body_html(document)),  # pandoc's HTML of the (sanitised) AST
        toc=toc_entries(document, theme.tokens["toc_depth"]),
        logo=(data_uri(logo) if embed else logo.as_uri()) if logo else None,
        labels=document_labels(document, theme),
        direction=document_direction(document),
        generator=f"pipeline {__version__}",
    )
