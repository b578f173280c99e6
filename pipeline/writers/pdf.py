"""PDF writer: the pandoc AST as HTML, laid out with the theme's print CSS by WeasyPrint.

The stages live in `pipeline.pdf` (settings, footnotes, page, variants, preview, checks); this
module runs them in order and reports what it made.
"""

from __future__ import annotations

import re
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pipeline import trace
from pipeline.logcapture import warnings_into
from pipeline.mathsvg import MATH_FONT_KEY, math_font
from pipeline.pdf.tables import FITTED_KEY

if TYPE_CHECKING:
    from pipeline.document import Document
    from pipeline.theme import Theme
    from pipeline.writers import WriteOptions, WriteResult


def restricted_fetcher(roots: list[Path]) -> Any:
    """A WeasyPrint URL fetcher that reads only data: URLs and files under `roots`."""
    from pipeline.libfinder import import_weasyprint

    import_weasyprint()
    from weasyprint.urls import URLFetcher

    from pipeline.resources import MAX_RESOURCE_BYTES, is_allowed, local_target

    class RestrictedFetcher(URLFetcher):
        def fetch(self, url: str, headers: Any = None) -> Any:
            if url.startswith("data:"):
                return super().fetch(url, headers)
            target = local_target(url, Path.cwd())
            if target is None:
                raise ValueError(f"blocked {url.split(':', 1)[0]} URL (network access is off): {url[:80]}")
            if not is_allowed(target, roots):
                inside = any(target.is_relative_to(root.resolve()) for root in roots)
                reason = "no such file" if inside else "blocked: outside the document and theme folders"
                raise ValueError(f"{reason}: {url[:120]}")
            if target.stat().st_size > MAX_RESOURCE_BYTES:
                raise ValueError(f"file is larger than the resource size limit: {target.name}")
            return super().fetch(target.as_uri(), headers)

    return RestrictedFetcher(timeout=5, allow_redirects=False)


_NOTDEF = re.compile(r'\.notdef glyph rendered for Unicode string unsupported by fonts: "(.*?)"')


def summarize_missing_glyphs(document: Document, since: int) -> None:
    """Fold WeasyPrint's one-warning-per-text-run about missing glyphs into one warning.

    A Japanese report in a theme without CJK fonts makes tens of thousands of them; what the
    user needs is which characters the theme's fonts lack.
    """
    missing: dict[str, None] = {}
    kept = []
    for diagnostic in document.diagnostics[since:]:
        match = _NOTDEF.search(diagnostic.message) if diagnostic.code == "PDF001" else None
        if match:
            missing.update(dict.fromkeys(match.group(1)))
        else:
            kept.append(diagnostic)
    if not missing:
        return
    document.diagnostics[since:] = kept
    sample = ", ".join(f"{ch} U+{ord(ch):04X}" for ch in list(missing)[:8])
    more = f" and {len(missing) - 8} more" if len(missing) > 8 else ""
    document.warn("PDF001", f"WeasyPrint: {len(missing)} characters have no glyph in the theme's fonts and show "
                            f"as boxes: {sample}{more}; add a font that covers them to the theme")


def report_foreign_fonts(document: Document, rendered: Any, families: list[str]) -> dict[str, str]:
    """Warn when the written PDF embeds fonts that are not the theme's, naming each and what it drew.

    Pango takes a character the theme's fonts lack from any font on the machine and WeasyPrint
    embeds it without a word: the brand's PDF then carries, say, DejaVu Sans for a few symbols.
    Read from the rendered document's fonts after writing (microseconds), so it shows on every
    build, not only with --validate (whose pdffonts check says the same from the file).
    """
    from pipeline.fonts.pdfcheck import describe_characters, foreign_characters

    if not families:  # a theme that declares no fonts leaves every font to the machine by design
        return {}
    foreign = foreign_characters(rendered, families)
    if foreign:
        listed = "; ".join(f"{family} for {describe_characters(chars) or 'no visible character'}"
                           for family, chars in foreign.items())
        document.warn("PDF002", f"fonts that are not the theme's are embedded, taken from this machine for "
                                f"characters the theme's fonts lack: {listed}; add a theme font that covers "
                                f"them (another machine would pick another font)")
    return foreign


def _blank_pages(pages: list[Any]) -> set[int]:
    """Pages WeasyPrint left empty (to start a part on a right-hand page): nothing to preview."""
    blank = set()
    for index, page in enumerate(pages):
        box = getattr(page, "_page_box", None)
        page_type = getattr(box, "page_type", None)
        if getattr(page_type, "blank", False):
            blank.add(index)
    return blank


def _traced(name: str, function: Any, *args: Any, **kwargs: Any) -> Any:
    trace.adopt(lane="thread")
    with trace.span(name):
        return function(*args, **kwargs)


class PdfWriter:
    name = "pdf"
    extension = ".pdf"
    description = "Print-ready PDF (HTML + print CSS, laid out by WeasyPrint; PDF/A, PDF/UA, PDF/X)"

    def write(self, document: Document, theme: Theme, options: WriteOptions, out_path: Path) -> WriteResult:
        from concurrent.futures import ThreadPoolExecutor

        from weasyprint.text.fonts import FontConfiguration

        from pipeline.fonts.fallback import PRIVATE_SUFFIX, document_fonts
        from pipeline.libfinder import import_weasyprint
        from pipeline.pdf import variants
        from pipeline.pdf.page import build_print_html, print_styles
        from pipeline.pdf.settings import print_settings
        from pipeline.resources import document_roots
        from pipeline.writers import WriteResult

        weasyprint = import_weasyprint()
        settings = print_settings(theme, options)
        document.artifacts[MATH_FONT_KEY] = math_font(theme)
        started = time.perf_counter()
        from pipeline.fonts.fallback import whole_faces

        selection = document_fonts(document, theme)
        roots = [*document_roots(document), theme.root, theme.default_root, *{f.path.parent for f in theme.fonts},
                 *{f.path.parent for f in whole_faces(selection)}]
        if settings.output_intent.profile is not None:
            roots.append(settings.output_intent.profile.parent)
        fetcher = restricted_fetcher(roots)
        base_url = str(document.base_dir.resolve()) + "/"
        wp_options = variants.render_options(settings)
        diagnostics_before = len(document.diagnostics)
        with warnings_into(document, "weasyprint", "PDF001", "WeasyPrint"):
            # Pandoc writes the body (0.1 s for the seed, in its own process) while WeasyPrint loads
            # the fonts and parses the stylesheet here: the page is built without inline styles.
            with ThreadPoolExecutor(max_workers=1, thread_name_prefix="print-html") as pool:
                page = pool.submit(_traced, "print HTML", build_print_html, document, theme, settings,
                                   inline_styles=False)
                with trace.span("stylesheet"):
                    styles = print_styles(document, theme, settings)
                    fonts = FontConfiguration()
                    sheets = [weasyprint.CSS(string=css, base_url=base_url, url_fetcher=fetcher, font_config=fonts)
                              for css in (styles.fonts, styles.rules, variants.color_profile_css(settings)) if css]
                html, notes = page.result()
            with trace.span("layout"):
                rendered = weasyprint.HTML(string=html, base_url=base_url, url_fetcher=fetcher).render(
                    stylesheets=sheets, font_config=fonts, **wp_options)
            laid_out = time.perf_counter()
            with trace.span("write PDF"):
                rendered.write_pdf(out_path, finisher=variants.finisher(settings), **wp_options)
        written = time.perf_counter()
        summarize_missing_glyphs(document, diagnostics_before)
        # The chain's families count as the theme's under both names: Pango takes colour emoji from
        # fontconfig's copy of the very file the chain names (see WHOLE_FOR_WEASYPRINT).
        chain = [name for f in selection.families for name in (f.name + PRIVATE_SUFFIX, f.name)]
        families = list(dict.fromkeys([*(face.family for face in theme.fonts), *chain]))
        foreign = report_foreign_fonts(document, rendered, families)
        details: dict[str, Any] = {
            "profile": settings.profile,
            "paper": settings.size,
            "variant": settings.variant,
            "duplex": settings.duplex,
            "footnotes": notes,
            "layout_seconds": round(laid_out - started, 3),
            "pdf_seconds": round(written - laid_out, 3),
        }
        if foreign:
            details["foreign_fonts"] = sorted(foreign)
        if selection.families:
            details["fallback_fonts"] = selection.describe()
        if document.artifacts.get(FITTED_KEY):
            details["wide_tables"] = document.artifacts[FITTED_KEY]
        result = WriteResult(pages=len(rendered.pages), details=details)
        # The shared validation gate (qpdf, pdffonts, outline): raises WriterError on errors, so a
        # broken file never replaces the previous output; previews come after it for the same reason.
        from pipeline.validate import gate

        gate("pdf", out_path, document, options, result, name=f"{document.name}.pdf", theme_families=families)
        if options.preview:
            details["previews"] = [str(p) for p in self._previews(document, theme, rendered, out_path)]
        return result

    def _previews(self, document: Document, theme: Theme, rendered: Any, out_path: Path) -> list[Path]:
        from pipeline.pdf.preview import anchor_pages, choose_pages, write_previews
        from pipeline.writers.htmlpage import toc_entries

        entries = toc_entries(document, theme.tokens["toc_depth"])
        parts = [(e.id, e.text) for e in entries if e.level == 1]
        anchors = anchor_pages(rendered.pages)
        pages = choose_pages(anchors, [e.id for e in entries], parts, len(rendered.pages))
        return write_previews(out_path, out_path.parent, document.name, pages,
                              skip_blank=_blank_pages(rendered.pages))
