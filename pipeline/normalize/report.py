"""The change report: what the normalizer did to a document, for tools (JSON) and for people (Markdown)."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

from pipeline.atomic import write_text_atomically
from pipeline.document import Change, Document

FORMAT_VERSION = 1


def _description(rule_id: str) -> str:
    if rule_id == "FMT001":
        return "Canonical Markdown formatting (mdformat); rendered text unchanged"
    try:
        from pipeline.normalize.registry import get

        found = get(rule_id)
    except Exception:
        found = None
    return found.description if found else ""


def report_data(doc: Document, changes: list[Change] | None = None) -> dict[str, Any]:
    """The JSON-ready change report of a normalized document (of `changes`, when given, instead of all)."""
    changes = doc.changes if changes is None else changes
    applied = Counter(c.rule for c in changes if c.applied)
    suggested = Counter(c.rule for c in changes if not c.applied)
    rules = sorted(set(applied) | set(suggested))
    diagnostics = [
        {
            "severity": d.severity,
            "code": d.code,
            "message": d.message,
            "file": str(d.path) if d.path else None,
            "line": d.line,
            "column": d.column,
        }
        for d in doc.diagnostics
    ]
    return {
        "version": FORMAT_VERSION,
        "document": str(doc.source),
        "name": doc.name,
        "summary": {
            "applied": sum(applied.values()),
            "suggested": sum(suggested.values()),
            "warnings": sum(1 for d in doc.diagnostics if d.severity in ("warning", "error")),
            "rules": {
                r: {"description": _description(r), "applied": applied[r], "suggested": suggested[r]} for r in rules
            },
        },
        "changes": [c.to_dict() for c in changes],
        "diagnostics": diagnostics,
    }


def _md_code(text: str, limit: int = 160) -> str:
    text = text.replace("\n", "⏎")
    if len(text) > limit:
        text = text[: limit - 1] + "…"
    if not text:
        return "*(nothing)*"
    fence = "``" if "`" in text else "`"
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def report_markdown(doc: Document) -> str:
    """A readable summary of the change report."""
    data = report_data(doc)
    summary = data["summary"]
    lines = [
        f"# Normalizer changes: {doc.name}",
        "",
        f"Source: `{doc.source}`",
        "",
        f"{summary['applied']} changes applied, {summary['suggested']} suggestions not applied, "
        f"{summary['warnings']} warnings.",
        "",
    ]
    if summary["rules"]:
        lines += ["| Rule | What it does | Applied | Suggested |", "| --- | --- | ---: | ---: |"]
        for rule_id, info in summary["rules"].items():
            lines.append(f"| {rule_id} | {info['description']} | {info['applied']} | {info['suggested']} |")
        lines.append("")
    by_rule: dict[str, list[Change]] = {}
    for change in doc.changes:
        by_rule.setdefault(change.rule, []).append(change)
    for rule_id in sorted(by_rule):
        lines += [f"## {rule_id}", ""]
        for c in by_rule[rule_id]:
            state = "" if c.applied else " *(suggestion, not applied)*"
            note = f" — {c.message}" if c.message else ""
            lines.append(f"- line {c.line}: {_md_code(c.before)} → {_md_code(c.after)}{note}{state}")
        lines.append("")
    if doc.diagnostics:
        lines += ["## Warnings", ""]
        for d in doc.diagnostics:
            where = f"line {d.line}" if d.line else "document"
            lines.append(f"- {where}: {d.severity} {d.code}: {d.message}")
        lines.append("")
    return "\n".join(lines)


def write_change_report(doc: Document, out_dir: Path) -> list[Path]:
    """Write `<out_dir>/<name>.changes.json` and `<name>.changes.md`; return their paths."""
    data, markdown = report_data, report_markdown
    if doc.artifacts.get("chapters"):  # a book: each chapter's report, with its own file and lines
        from pipeline.book.report import book_report_data, book_report_markdown

        data, markdown = book_report_data, book_report_markdown
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    json_path = out_dir / f"{doc.name}.changes.json"
    md_path = out_dir / f"{doc.name}.changes.md"
    write_text_atomically(json_path, json.dumps(data(doc), ensure_ascii=False, indent=2) + "\n")
    write_text_atomically(md_path, markdown(doc))
    return [json_path, md_path]
