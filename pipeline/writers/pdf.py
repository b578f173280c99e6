"""PDF writer: the pandoc AST as HTML, laid out with the theme's print CSS by WeasyPrint.

The stages live in `pipeline.pdf` (settings, footnotes, page, variants, preview, checks); this
module runs them in order and reports what it made.
"""

from __future__ import annotations

import dataclasses
import re
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pipeline import trace
from pipeline.logcapture import warnings_into
from pipeline.mathsvg import MATH_FONT_KEY, math_font
from pipeline.pdf.tables import FITTED_KEY

if TYPE_CHECKING:
    from pipeline.document import Document
    from pipeline.fonts.fallback import Selection
    from pipeline.pdf.settings import PrintSettings
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


@dataclass
class PrintPage:
    """One document's print page, everything WeasyPrint is given: made where the document was
    prepared, laid out there or in another process (`pipeline.batch.solo`), so it is plain data."""

    settings: PrintSettings
    stylesheets: tuple[str, ...]  # @font-face rules, the print rules, the colour profile (if any)
    base_url: str
    roots: tuple[Path, ...]  # the folders WeasyPrint may read
    families: tuple[str, ...]  # the font families that count as the theme's
    fallback: Any = None  # the fallback fonts chosen for the text (`Selection.describe()`), if any
    html: str = ""
    notes: int = 0


def page_settings(document: Document, theme: Theme, options: WriteOptions) -> PrintSettings:
    """The print settings, and the formula font the page's math is drawn in."""
    from pipeline.pdf.settings import print_settings

    document.artifacts[MATH_FONT_KEY] = math_font(theme)
    return print_settings(theme, options)


def page_styles(document: Document, theme: Theme, settings: PrintSettings, *,
                selection: Selection | None = None, direction: str | None = None) -> PrintPage:
    """The print page without its HTML: stylesheets, the folders it may read. `selection` and
    `direction`: the document's fallback fonts and writing direction, unless given."""
    from pipeline.fonts.fallback import PRIVATE_SUFFIX, document_fonts, whole_faces
    from pipeline.pdf import variants
    from pipeline.pdf.page import print_styles
    from pipeline.resources import document_roots

    selection = document_fonts(document, theme) if selection is None else selection
    roots = [*document_roots(document), theme.root, theme.default_root, *{f.path.parent for f in theme.fonts},
             *{f.path.parent for f in whole_faces(selection)}]
    if settings.output_intent.profile is not None:
        roots.append(settings.output_intent.profile.parent)
    styles = print_styles(document, theme, settings, selection=selection, direction=direction)
    # The chain's families count as the theme's under both names: Pango takes colour emoji from
    # fontconfig's copy of the very file the chain names (see WHOLE_FOR_WEASYPRINT).
    chain = [name for f in selection.families for name in (f.name + PRIVATE_SUFFIX, f.name)]
    families = tuple(dict.fromkeys([*(face.family for face in theme.fonts), *chain]))
    sheets = tuple(css for css in (styles.fonts, styles.rules, variants.color_profile_css(settings)) if css)
    return PrintPage(settings, sheets, str(document.base_dir.resolve()) + "/", tuple(roots), families,
                     selection.describe() if selection.families else None)


def expected_page(source: Path, site_root: Path | None, theme: Theme, options: WriteOptions) -> PrintPage:
    """The print page's styles for the document at `source` if it needs no fallback font and reads
    left to right, as most do: known before the document is read, so they can be parsed meanwhile."""
    from pipeline.document import Document, Metadata
    from pipeline.fonts.fallback import Selection
    from pipeline.site import find_site

    unread = Document(source=source, meta=Metadata(title=""), body="", site=find_site(source, site_root))
    return page_styles(unread, theme, page_settings(unread, theme, options), selection=Selection(),
                       direction="ltr")


def print_page(document: Document, theme: Theme, options: WriteOptions) -> PrintPage:
    """The whole print page of a document, HTML included, for laying out elsewhere."""
    from pipeline.pdf.page import build_print_html

    page = page_styles(document, theme, page_settings(document, theme, options))
    with trace.span("print HTML"):
        html, notes = build_print_html(document, theme, page.settings, inline_styles=False)
    return dataclasses.replace(page, html=html, notes=notes)


@dataclass
class ParsedStyles:
    """A page's stylesheets parsed by WeasyPrint, with the fonts they load: reusable for any page
    whose stylesheets and folders are the same (`matches`)."""

    stylesheets: tuple[str, ...]
    base_url: str
    roots: tuple[Path, ...]
    fetcher: Any
    fonts: Any  # weasyprint's FontConfiguration
    sheets: list[Any]
    diagnostics: list[Any]  # what WeasyPrint said while parsing them

    def matches(self, page: PrintPage) -> bool:
        return (self.stylesheets, self.base_url, self.roots) == (page.stylesheets, page.base_url, page.roots)


def parse_styles(page: PrintPage, source: Path) -> ParsedStyles:
    """Parse a page's stylesheets (fonts loaded); WeasyPrint's warnings kept for the document at `source`."""
    from weasyprint.text.fonts import FontConfiguration

    from pipeline.document import Document, Metadata
    from pipeline.libfinder import import_weasyprint

    weasyprint = import_weasyprint()
    said = Document(source=source, meta=Metadata(title=""), body="")
    fetcher = restricted_fetcher(list(page.roots))
    with trace.span("stylesheet"), warnings_into(said, "weasyprint", "PDF001", "WeasyPrint"):
        fonts = FontConfiguration()
        sheets = [weasyprint.CSS(string=css, base_url=page.base_url, url_fetcher=fetcher, font_config=fonts)
                  for css in page.stylesheets]
    return ParsedStyles(page.stylesheets, page.base_url, page.roots, fetcher, fonts, sheets, said.diagnostics)


def lay_out(page: PrintPage, styles: ParsedStyles, document: Document, theme: Theme, options: WriteOptions,
            out_path: Path, started: float | None = None) -> WriteResult:
    """Lay the page out with its parsed styles and write the PDF to `out_path`; checks and previews."""
    from pipeline.libfinder import import_weasyprint
    from pipeline.pdf import variants
    from pipeline.pdf.leaders import join_leaders
    from pipeline.writers import WriteResult

    weasyprint = import_weasyprint()
    started = time.perf_counter() if started is None else started
    wp_options = variants.render_options(page.settings)
    diagnostics_before = len(document.diagnostics)
    document.diagnostics.extend(dataclasses.replace(d, path=document.source) for d in styles.diagnostics)
    with warnings_into(document, "weasyprint", "PDF001", "WeasyPrint"):
        with trace.span("layout"):
            rendered = weasyprint.HTML(string=page.html, base_url=page.base_url, url_fetcher=styles.fetcher).render(
                stylesheets=styles.sheets, font_config=styles.fonts, **wp_options)
            join_leaders(rendered)
        laid_out = time.perf_counter()
        with trace.span("write PDF"):
            rendered.write_pdf(out_path, finisher=variants.finisher(page.settings), **wp_options)
    written = time.perf_counter()
    summarize_missing_glyphs(document, diagnostics_before)
    families = list(page.families)
    foreign = report_foreign_fonts(document, rendered, families)
    details: dict[str, Any] = {
        "profile": page.settings.profile,
        "paper": page.settings.size,
        "variant": page.settings.variant,
        "duplex": page.settings.duplex,
        "footnotes": page.notes,
        "layout_seconds": round(laid_out - started, 3),
        "pdf_seconds": round(written - laid_out, 3),
    }
    if foreign:
        details["foreign_fonts"] = sorted(foreign)
    if page.fallback:
        details["fallback_fonts"] = page.fallback
    if document.artifacts.get(FITTED_KEY):
        details["wide_tables"] = document.artifacts[FITTED_KEY]
    result = WriteResult(pages=len(rendered.pages), details=details)
    # The shared validation gate (qpdf, pdffonts, outline): raises WriterError on errors, so a
    # broken file never replaces the previous output; previews come after it for the same reason.
    from pipeline.validate import gate

    gate("pdf", out_path, document, options, result, name=f"{document.name}.pdf", theme_families=families)
    if options.preview:
        details["previews"] = [str(p) for p in _previews(document, theme, rendered, out_path)]
    return result


class PdfWriter:
    name = "pdf"
    extension = ".pdf"
    description = "Print-ready PDF (HTML + print CSS, laid out by WeasyPrint; PDF/A, PDF/UA, PDF/X)"

    def write(self, document: Document, theme: Theme, options: WriteOptions, out_path: Path) -> WriteResult:
        from concurrent.futures import ThreadPoolExecutor

        from pipeline.libfinder import import_weasyprint
        from pipeline.pdf.page import build_print_html

        import_weasyprint()
        settings = page_settings(document, theme, options)
        started = time.perf_counter()
        # Pandoc writes the body (0.1 s for the seed, in its own process) while WeasyPrint loads
        # the fonts and parses the stylesheet here: the page is built without inline styles.
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="print-html") as pool:
            html = pool.submit(_traced, "print HTML", build_print_html, document, theme, settings,
                               inline_styles=False)
            page = page_styles(document, theme, settings)
            styles = parse_styles(page, document.source)
            body, notes = html.result()
        return lay_out(dataclasses.replace(page, html=body, notes=notes), styles, document, theme, options,
                       out_path, started)



def _previews(document: Document, theme: Theme, rendered: Any, out_path: Path) -> list[Path]:
    from pipeline.pdf.preview import anchor_pages, choose_pages, write_previews
    from pipeline.writers.htmlpage import toc_entries

    entries = toc_entries(document, theme.tokens["toc_depth"])
    parts = [(e.id, e.text) for e in entries if e.level == 1]
    anchors = anchor_pages(rendered.pages)
    pages = choose_pages(anchors, [e.id for e in entries], parts, len(rendered.pages))
    return write_previews(out_path, out_path.parent, document.name, pages, skip_blank=_blank_pages(rendered.pages))
