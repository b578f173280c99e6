"""A book's change report: each chapter's own report, naming its own file and lines, in book order."""

from __future__ import annotations

import re
from typing import Any

from pipeline.document import Document
from pipeline.normalize.report import FORMAT_VERSION, report_data, report_markdown

_HEADING = re.compile(r"^(#{1,5}) ", re.MULTILINE)


def book_report_data(book: Document) -> dict[str, Any]:
    chapters = [report_data(chapter) for chapter in book.artifacts["chapters"]]
    return {
        "version": FORMAT_VERSION,
        "book": str(book.source),
        "name": book.name,
        "summary": {key: sum(c["summary"][key] for c in chapters) for key in ("applied", "suggested", "warnings")},
        "chapters": chapters,
    }


def book_report_markdown(book: Document) -> str:
    data = book_report_data(book)
    summary = data["summary"]
    lines = [f"# Normalizer changes: {book.meta.title}", "", f"Book: `{book.source}`, "
             f"{len(data['chapters'])} chapters, each normalized on its own.", "",
             f"{summary['applied']} changes applied, {summary['suggested']} suggestions not applied, "
             f"{summary['warnings']} warnings.", "", "| Chapter | Applied | Suggested | Warnings |",
             "| --- | ---: | ---: | ---: |"]
    for chapter in data["chapters"]:
        counts = chapter["summary"]
        lines.append(f"| `{chapter['document']}` | {counts['applied']} | {counts['suggested']} "
                     f"| {counts['warnings']} |")
    lines.append("")
    for chapter in book.artifacts["chapters"]:
        # Each chapter's report one level down, under its own heading naming its file.
        lines.append(_HEADING.sub(lambda m: "#" + m.group(1) + " ", report_markdown(chapter)))
    return "\n".join(lines)
