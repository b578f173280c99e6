"""`convert lint PATH...`: report (and with --fix, apply) what the normalizer would change.

Prints `file:line:col RULE message` per finding and a summary; exit 0 when clean, 1 when there are
findings left, 2 on a usage error. Usable as a pre-commit hook (see .pre-commit-hooks.yaml).
"""

from __future__ import annotations

import difflib
import json
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import click

from pipeline.atomic import write_text_atomically
from pipeline.document import Change, Diagnostic, Document
from pipeline.errors import PipelineError

MARKDOWN_SUFFIXES = (".md", ".markdown", ".mdown", ".mkd")


@dataclass
class FileResult:
    path: Path
    document: Document | None = None
    original: str = ""
    fixed_text: str = ""
    error: PipelineError | None = None
    findings: list[Change | Diagnostic] = field(default_factory=list)
    hidden: int = 0  # suggestions below the confidence a plain lint shows

    @property
    def remaining(self) -> list[Change | Diagnostic]:
        """Findings a --fix run leaves: suggestions not applied and warnings."""
        return [f for f in self.findings if not (isinstance(f, Change) and f.applied)]


def _expand(paths: tuple[Path, ...]) -> list[Path]:
    out: list[Path] = []
    for path in paths:
        if path.is_dir():
            out += sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in MARKDOWN_SUFFIXES)
        else:
            out.append(path)
    return out


def _load(path: Path) -> Document:
    from pipeline.load import load_document

    return load_document(path)


def _resolve_theme(theme: str | None) -> Path:
    """The theme folder whose vocabulary the normalizer reads.

    Without `--theme`, the theme `convert` uses by default, found the same way: lint must report
    what convert changes (a theme's vocabulary both protects its names and corrects them).
    """
    from pipeline.errors import ThemeError
    from pipeline.theme import DEFAULT_THEME, load_theme

    try:
        return load_theme(theme or DEFAULT_THEME).root
    except ThemeError:
        if theme and Path(theme).is_dir():
            return Path(theme)  # a folder with only a vocabulary.txt is enough here
        raise  # a usage error (exit 2)


def _selected(rule_id: str, ignore: tuple[str, ...]) -> bool:
    return not any(rule_id.upper().startswith(s.upper()) for s in ignore)


def _lint_file(path: Path, options: Any, ignore: tuple[str, ...], site_root: Path | None = None,
               all_suggestions: bool = False) -> FileResult:
    from pipeline.normalize import normalize
    from pipeline.site import find_site

    result = FileResult(path)
    try:
        doc = _load(path)
        doc.site = find_site(path, site_root)  # root-relative images are checked against the site's files
    except PipelineError as exc:
        result.error = exc
        return result
    result.original = path.read_text(encoding="utf-8", errors="replace").replace("\r\n", "\n")
    body = doc.body
    # Loader warnings (e.g. front matter that is not strict YAML) are findings too.
    normalize(doc, options)
    result.document = doc
    if doc.body == body:
        result.fixed_text = result.original
    else:
        # Front matter is written back byte for byte: only the body is replaced.
        head = result.original[: len(result.original) - len(body)] if result.original.endswith(body) else ""
        if head and not head.endswith("\n"):
            head += "\n"
        result.fixed_text = head + doc.body
    changes = [c for c in doc.changes if _selected(c.rule, ignore)]
    if not all_suggestions:
        result.hidden = sum(not c.shown for c in changes)
        changes = [c for c in changes if c.shown]
    diags = [d for d in doc.diagnostics if d.severity != "info" and _selected(d.code, ignore)]
    result.findings = sorted([*changes, *diags], key=lambda f: (f.line or 0, f.column or 0))
    return result


def _line(finding: Change | Diagnostic, fixed: bool) -> str:
    where = f"{finding.path}:{finding.line or 1}:{finding.column or 1}"
    if isinstance(finding, Change):
        status = "" if not fixed else " [fixed]" if finding.applied else " [not fixed]"
        kind = "" if finding.applied else " (suggestion)"
        detail = f"{_short(finding.before)!r} → {_short(finding.after)!r}"
        return f"{where} {finding.rule} {finding.message}{kind}: {detail}{status}"
    return f"{where} {finding.code} {finding.message}"


def _short(text: str, n: int = 70) -> str:
    text = text.replace("\n", "⏎")
    return text if len(text) <= n else text[: n - 1] + "…"


@click.command("lint")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--fix", is_flag=True, help="Write the cleaned Markdown (in place, or into --out).")
@click.option("--fix-suggested", is_flag=True, help="Also apply suggestions (implies reporting them as fixed).")
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="With --fix: write cleaned files into this folder instead of in place.",
)
@click.option("--diff", "show_diff", is_flag=True, help="Show a unified diff of what --fix would write.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option(
    "--theme",
    default=None,
    help="Theme name or folder whose vocabulary.txt to use (default: convert's default theme, openinfra).",
)
@click.option(
    "--config",
    "config_dir",
    type=click.Path(exists=True, path_type=Path),
    help="Folder (or file) with pyproject.toml [tool.pipeline.normalize] or pipeline.toml.",
)
@click.option("--select", "select", multiple=True, help="Only these rules (ID or prefix); repeatable.")
@click.option("--ignore", "ignore", multiple=True, help="Skip these rules (ID or prefix); repeatable.")
@click.option("--quote-style", type=click.Choice(["curly", "straight", "keep"]), default=None)
@click.option("--check-links", is_flag=True, help="Also request every http(s) link (cached for a day).")
@click.option("--site-root", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="The website the files are pages of (default: site-root in pipeline.toml, else found "
                   "by walking up to a site generator's config).")
@click.option(
    "--all-suggestions",
    is_flag=True,
    help="Also list the word suggestions rated below the confidence a plain lint shows.",
)
def lint(
    paths: tuple[Path, ...],
    fix: bool,
    fix_suggested: bool,
    out_dir: Path | None,
    show_diff: bool,
    fmt: str,
    theme: str | None,
    config_dir: Path | None,
    select: tuple[str, ...],
    ignore: tuple[str, ...],
    quote_style: str | None,
    check_links: bool,
    site_root: Path | None,
    all_suggestions: bool,
) -> None:
    """Check Markdown files with the normalizer's rules; exit 1 when there are findings."""
    from pipeline.normalize import NormalizeOptions

    try:
        theme_dir = _resolve_theme(theme)
    except PipelineError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(exc.exit_code)
    options = NormalizeOptions(
        fix_suggested=fix_suggested,
        theme_dir=theme_dir,
        config_dir=config_dir,
        quote_style=quote_style,
        enable=tuple(select),
        disable=tuple(ignore),
        check_links=check_links,
    )
    files = _expand(paths)
    if not files:
        click.echo("error: no Markdown files to lint", err=True)
        sys.exit(2)
    if site_root is None:
        from pipeline.runconfig import load_run_config

        try:
            site_root = load_run_config(files[0]).values.get("site_root")
        except PipelineError as exc:
            click.echo(f"error: {exc}", err=True)
            sys.exit(exc.exit_code)
    results = [_lint_file(p, options, ignore, site_root, all_suggestions) for p in files]
    exit_code = 0
    for r in results:
        if r.error is not None:
            click.echo(f"error: {r.error}", err=True)
            exit_code = max(exit_code, r.error.exit_code)
    if fix:
        for r in results:
            if r.document is None or r.fixed_text == r.original:
                continue
            target = (out_dir / r.path.name) if out_dir else r.path
            write_text_atomically(target, r.fixed_text)
    if fmt == "json":
        _print_json(results, fix)
    else:
        _print_text(results, fix, show_diff)
    remaining = sum(len(r.remaining if fix else r.findings) for r in results)
    if remaining:
        exit_code = max(exit_code, 1)
    sys.exit(exit_code)


def _print_text(results: list[FileResult], fix: bool, show_diff: bool) -> None:
    total = fixable = 0
    for r in results:
        for finding in r.findings:
            click.echo(_line(finding, fix))
        total += len(r.findings)
        fixable += sum(1 for f in r.findings if isinstance(f, Change) and f.applied)
        if show_diff and r.document is not None and r.fixed_text != r.original:
            diff = difflib.unified_diff(
                r.original.splitlines(keepends=True),
                r.fixed_text.splitlines(keepends=True),
                fromfile=str(r.path),
                tofile=f"{r.path} (normalized)",
            )
            click.echo("".join(diff), nl=False)
    files = sum(1 for r in results if r.findings)
    if not any(r.document for r in results):
        return
    hidden = sum(r.hidden for r in results)
    if hidden:
        click.echo(f"{hidden} low-confidence suggestion{'s' * (hidden != 1)} not shown (--all-suggestions shows them).")
    if not total:
        click.echo(f"All clean: {len(results)} file{'s' * (len(results) != 1)} checked.")
    elif fix:
        click.echo(f"Fixed {fixable} of {total} findings in {files} file{'s' * (files != 1)}; {total - fixable} left.")
    else:
        click.echo(f"{total} findings in {files} file{'s' * (files != 1)} ({fixable} fixable with --fix).")


def _print_json(results: list[FileResult], fix: bool) -> None:
    from pipeline.normalize.report import report_data

    payload = {
        "fixed": fix,
        "files": [
            {"path": str(r.path), "error": str(r.error)}
            if r.document is None
            else {
                "path": str(r.path),
                "findings": len(r.findings),
                "hidden_suggestions": r.hidden,
                **report_data(r.document, [f for f in r.findings if isinstance(f, Change)]),
            }
            for r in results
        ],
    }
    click.echo(json.dumps(payload, ensure_ascii=False, indent=2))
