"""PDF writer: the pandoc AST as HTML, laid out with the theme's print CSS by WeasyPrint."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from pipeline.logcapture import warnings_into
from pipeline.writers.htmlpage import build_page

if TYPE_CHECKING:
    from pipeline.document import Document
    from pipeline.theme import Theme
    from pipeline.writers import WriteOptions, WriteResult


def restricted_fetcher(roots: list[Path]) -> Any:
    """A WeasyPrint URL fetcher that reads only data: URLs and files under `roots`."""
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


class PdfWriter:
    name = "pdf"
    extension = ".pdf"
    description = "Print-ready PDF (HTML + print CSS, laid out by WeasyPrint)"

    def write(self, document: Document, theme: Theme, options: WriteOptions, out_path: Path) -> WriteResult:
        import weasyprint

        from pipeline.writers import WriteResult

        html = build_page(document, theme, template="print.html.j2", stylesheet="print.css.j2")
        roots = [document.base_dir, theme.root, theme.default_root, *{f.path.parent for f in theme.fonts}]
        with warnings_into(document, "weasyprint", "PDF001", "WeasyPrint"):
            rendered = weasyprint.HTML(
                string=html, base_url=str(document.base_dir.resolve()) + "/",
                url_fetcher=restricted_fetcher(roots),
            ).render()
            rendered.write_pdf(out_path)
        return WriteResult(pages=len(rendered.pages))
