"""DOCX writer: pandoc with a reference document generated from the theme, then core properties."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING

from pipeline.render import embedded_ast, run_pandoc, with_metadata
from pipeline.writers.docx_reference import reference_docx

if TYPE_CHECKING:
    from pipeline.document import Document
    from pipeline.theme import Theme
    from pipeline.writers import WriteOptions, WriteResult


def _created(date: str | None) -> dt.datetime | None:
    if not date:
        return None
    parts = [int(p) for p in date.split("-")] + [1, 1]
    try:
        return dt.datetime(parts[0], parts[1], parts[2], tzinfo=dt.UTC)
    except ValueError:
        return None


def _fit(text: str, limit: int = 255) -> str:
    """Core properties hold at most 255 characters (python-docx enforces Word's limit)."""
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


class DocxWriter:
    name = "docx"
    extension = ".docx"
    description = "Editable Word document styled from the theme"

    def write(self, document: Document, theme: Theme, options: WriteOptions, out_path: Path) -> WriteResult:
        import docx

        from pipeline.writers import WriteResult

        source = with_metadata(embedded_ast(document), document)
        run_pandoc(source, "docx", args=["--reference-doc", str(reference_docx(theme))],
                   outputfile=out_path, document=document)
        word = docx.Document(str(out_path))
        props, meta = word.core_properties, document.meta
        props.title = _fit(meta.title)
        props.subject = _fit(meta.subtitle or meta.description or "")
        props.author = _fit(", ".join(meta.authors) or meta.publisher or "")
        props.keywords = _fit(", ".join(meta.keywords))
        props.language = meta.lang
        props.comments = _fit(meta.description or "")
        created = _created(meta.date)
        if created:
            props.created = created
        props.modified = dt.datetime.now(dt.UTC).replace(microsecond=0)
        word.save(str(out_path))
        return WriteResult()
