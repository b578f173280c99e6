"""HTML writer: one standalone, self-contained page in the brand (fonts and images inline)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from pipeline.writers.htmlpage import build_page

if TYPE_CHECKING:
    from pipeline.document import Document
    from pipeline.theme import Theme
    from pipeline.writers import WriteOptions, WriteResult


class HtmlWriter:
    name = "html"
    extension = ".html"
    description = "One standalone HTML page, no external requests"

    def write(self, document: Document, theme: Theme, options: WriteOptions, out_path: Path) -> WriteResult:
        from pipeline.writers import WriteResult

        html = build_page(document, theme, template="page.html.j2", stylesheet="screen.css.j2", embed=True)
        out_path.write_text(html, encoding="utf-8")
        return WriteResult()
