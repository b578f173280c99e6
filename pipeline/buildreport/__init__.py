"""The build report: `<out_dir>/index.html`, one page a person opens to see what a run made.

Written after every run from `manifest.json`, so outputs that were up to date are listed as well as
the ones just built: every document and book with a cover thumbnail, each format's file, size,
pages, validation result and build time, the normalizer's change report (the `.changes.md` beside
the outputs, rendered), and the warnings grouped by code. The page is self-contained (styles
inline, thumbnails as data: URIs, a Content-Security-Policy that forbids any request), works with
a keyboard alone (a skip link, native disclosure widgets, visible focus) and on a phone (one column,
tables as cards). Written atomically, like every output.
"""

from __future__ import annotations

import base64
import datetime as dt
import functools
import hashlib
import logging
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pipeline.atomic import write_text_atomically
from pipeline.batch.manifest import MANIFEST_NAME, Manifest
from pipeline.buildreport.cache import ReportCache
from pipeline.buildreport.thumbnails import thumbnail

if TYPE_CHECKING:
    from pipeline.batch import BatchResult

log = logging.getLogger("pipeline")

REPORT_NAME = "index.html"
FALLBACK_NAME = "build-report.html"  # when a document of the batch is itself called index.html
FORMAT_ORDER = ("pdf", "docx", "epub", "html")
_WARNING_CODE = re.compile(r"\s*\[([A-Za-z][A-Za-z0-9_-]*)\]\s*$")
_WARNING_LOCATION = re.compile(r"^(?P<where>.*?): (?:warning|error): ")
_SLUG = re.compile(r"[^a-z0-9]+")


@dataclass(frozen=True)
class RunSummary:
    """What the run that writes the report did (outputs relative to the output folder)."""

    built: tuple[str, ...] = ()
    failed: tuple[str, ...] = ()
    up_to_date: tuple[str, ...] = ()
    seconds: float = 0.0
    finished: str = ""

    @classmethod
    def of(cls, result: BatchResult, manifest: Manifest) -> RunSummary:
        done = [r for r in result.results if r.get("output")]
        return cls(
            built=tuple(manifest.relative(r["output"]) for r in done if r["status"] == "ok"),
            failed=tuple(manifest.relative(r["output"]) for r in done if r["status"] != "ok"),
            up_to_date=tuple(manifest.relative(job.out_path) for job in result.skipped),
            seconds=round(result.seconds, 1),
            finished=dt.datetime.now().astimezone().isoformat(timespec="seconds"),
        )

    def state(self, output: str) -> str:
        if output in self.failed:
            return "failed"
        if output in self.built:
            return "built"
        if output in self.up_to_date:
            return "up to date"
        return ""


@dataclass
class OutputRow:
    format: str
    href: str  # relative to the report
    exists: bool
    ok: bool
    state: str  # what this run did with it: built, up to date, failed, or "" (an earlier run's)
    size: int | None = None
    pages: int | None = None
    seconds: float | None = None
    built_at: str = ""
    validation: dict[str, Any] | None = None
    error: str | None = None


@dataclass
class Item:
    """One document or book and everything the report says about it."""

    anchor: str
    title: str
    source: str
    kind: str  # document | book
    outputs: list[OutputRow] = field(default_factory=list)
    chapters: list[dict[str, Any]] = field(default_factory=list)
    thumbnail: str | None = None
    thumbnail_size: tuple[int, int] = (120, 170)
    changes: dict[str, int] = field(default_factory=dict)
    changes_href: str | None = None
    changes_html: str | None = None
    warnings: dict[str, list[str]] = field(default_factory=dict)

    @property
    def failed(self) -> bool:
        return any(not row.ok for row in self.outputs)

    @property
    def seconds(self) -> float:
        return round(sum(row.seconds or 0 for row in self.outputs), 1)

    @property
    def warning_count(self) -> int:
        return sum(len(messages) for messages in self.warnings.values())


def _anchor(source: str, taken: set[str]) -> str:
    base = "doc-" + (_SLUG.sub("-", Path(source).with_suffix("").as_posix().lower()).strip("-")[-60:] or "x")
    anchor, number = base, 2
    while anchor in taken:
        anchor, number = f"{base}-{number}", number + 1
    taken.add(anchor)
    return anchor


def _grouped_warnings(entries: list[dict[str, Any]]) -> dict[str, list[str]]:
    """Each distinct warning once (a document's own warnings come back with every format), by code."""
    by_code: dict[str, list[str]] = {}
    seen: set[str] = set()
    for entry in entries:
        for warning in entry.get("warnings") or []:
            if warning in seen:
                continue
            seen.add(warning)
            match = _WARNING_CODE.search(warning)
            code = match.group(1) if match else "other"
            text = warning[: match.start()] if match else warning
            location = _WARNING_LOCATION.match(text)
            if location:  # "file:line: warning: message" → "file:line — message"
                text = f"{location.group('where')} — {text[location.end():]}"
            by_code.setdefault(code, []).append(text)
    return dict(sorted(by_code.items()))


@functools.cache
def _markdown() -> Any:
    from markdown_it import MarkdownIt

    # The change report quotes the documents: no raw HTML, no links or images out of the page.
    return MarkdownIt("commonmark", {"html": False}).enable("table").disable(["link", "image", "autolink"])


def render_changes(text: str, heading_shift: int = 2) -> str:
    """The `.changes.md` as an HTML fragment, its headings moved under the document's own."""
    md = _markdown()
    tokens = md.parse(text)
    for token in tokens:
        if token.type in ("heading_open", "heading_close"):
            token.tag = f"h{min(6, int(token.tag[1]) + heading_shift)}"
    return md.renderer.render(tokens, md.options, {})


def _row(out_dir: Path, relative: str, entry: dict[str, Any], run: RunSummary | None) -> OutputRow:
    path = out_dir / relative
    validation = (entry.get("details") or {}).get("validation")
    return OutputRow(
        format=entry.get("format") or path.suffix.lstrip("."),
        href=relative,
        exists=path.is_file(),
        ok=entry.get("status") == "ok",
        state=run.state(relative) if run else "",
        size=path.stat().st_size if path.is_file() else entry.get("size"),
        pages=entry.get("pages") or (validation or {}).get("pages"),
        seconds=entry.get("seconds"),
        built_at=_local_time(entry.get("built_at")),
        validation=validation,
        error=entry.get("error"),
    )


def _local_time(stamp: str | None) -> str:
    if not stamp:
        return ""
    try:
        return dt.datetime.fromisoformat(stamp).astimezone().strftime("%Y-%m-%d %H:%M")
    except ValueError:
        return stamp


def _format_rank(fmt: str) -> tuple[int, str]:
    return (FORMAT_ORDER.index(fmt) if fmt in FORMAT_ORDER else len(FORMAT_ORDER), fmt)


def collect(out_dir: Path, run: RunSummary | None = None, *, report_name: str = REPORT_NAME) -> list[Item]:
    """Every document and book the manifest lists, with what the report shows about each."""
    manifest = Manifest.load(out_dir)
    by_source: dict[str, list[tuple[str, dict[str, Any]]]] = {}
    for relative, entry in manifest.outputs.items():
        if relative == report_name:
            continue
        by_source.setdefault(str(entry.get("source") or relative), []).append((relative, entry))
    cache = ReportCache(out_dir)
    taken: set[str] = set()
    items = []
    for source, outputs in sorted(by_source.items(), key=lambda pair: pair[0].lower()):
        outputs.sort(key=lambda pair: _format_rank(pair[1].get("format", "")))
        entries = [entry for _relative, entry in outputs]
        latest = max(entries, key=lambda e: e.get("built_at") or "")
        book = latest.get("book") or {}
        item = Item(
            anchor=_anchor(source, taken),
            title=next((e["title"] for e in entries if e.get("title")), None) or Path(source).stem,
            source=source,
            kind="book" if book else "document",
            chapters=list(book.get("chapters") or []),
            outputs=[_row(out_dir, relative, entry, run) for relative, entry in outputs],
            changes=dict(latest.get("changes") or {}),
            warnings=_grouped_warnings(entries),
        )
        for relative, entry in outputs:
            picture = thumbnail(cache, out_dir / relative, entry.get("sha256"), entry.get("format", ""))
            if picture:
                item.thumbnail = "data:image/jpeg;base64," + base64.b64encode(picture).decode("ascii")
                item.thumbnail_size = _size(picture)
                break
        first = Path(outputs[0][0])
        changes = first.with_name(f"{first.stem}.changes.md")
        if (out_dir / changes).is_file():
            item.changes_href = changes.as_posix()
            item.changes_html = _cached_changes(cache, (out_dir / changes).read_bytes(), manifest.versions)
        items.append(item)
    cache.prune()
    return items


def _cached_changes(cache: ReportCache, text: bytes, versions: dict[str, str]) -> str:
    # Every run writes the report; parsing each document's change report again made a no-op
    # rebuild of 50 reports take 1.8 s instead of 0.5 s. Keyed by the text and the code that renders
    # it (the versions the manifest records: ours and markdown-it's among them). Not named .html: it is
    # a fragment, and whatever takes the outputs' pages by their suffix (a site upload, a glob) must not take it.
    key = hashlib.sha256(repr(sorted(versions.items())).encode() + b"\0" + text).hexdigest()[:24]
    return cache.get(f"{key}.fragment", lambda: render_changes(text.decode("utf-8")).encode("utf-8")).decode("utf-8")


def _size(jpeg: bytes) -> tuple[int, int]:
    import io

    from PIL import Image

    with Image.open(io.BytesIO(jpeg)) as image:
        width, height = image.size
    return 120, max(1, round(120 * height / width))


def human_size(size: int | None) -> str:
    if size is None:
        return "—"
    for unit in ("bytes", "KB", "MB", "GB"):
        if size < 1024 or unit == "GB":
            return f"{size} {unit}" if unit == "bytes" else f"{size:.1f} {unit}"
        size /= 1024  # type: ignore[assignment]
    return str(size)


def report_path(out_dir: Path) -> Path:
    """`index.html`, unless a document of the folder was converted to `index.html` itself."""
    manifest = Manifest.load(out_dir)
    return out_dir / (FALLBACK_NAME if manifest.entry(out_dir / REPORT_NAME) else REPORT_NAME)


@functools.cache
def _template() -> Any:
    import jinja2

    from pipeline.theme import template_bytecode_cache

    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(Path(__file__).parent)), bytecode_cache=template_bytecode_cache(),
        autoescape=True, undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True,
    )
    environment.filters["size"] = human_size
    return environment.get_template("page.html.j2")


def get_ready() -> None:
    """Load what writing a report takes (its template, Markdown for the change reports, Pillow for the
    thumbnails' sizes) ahead of time: a run that waits for its last output does it meanwhile."""
    from PIL import Image  # noqa: F401

    _template()
    _markdown()


def render_report(out_dir: Path, run: RunSummary | None = None, *, report_name: str = REPORT_NAME) -> str:
    items = collect(out_dir, run, report_name=report_name)
    states = Counter(row.state for item in items for row in item.outputs)
    return _template().render(
        items=items, run=run, folder=out_dir.name or str(out_dir), manifest=MANIFEST_NAME,
        outputs=sum(len(item.outputs) for item in items), states=states,
        failed=sum(1 for item in items for row in item.outputs if not row.ok),
        warnings=sum(item.warning_count for item in items),
        generated=dt.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M"),
    )


def write_build_report(out_dir: Path | str, result: BatchResult | None = None) -> Path | None:
    """Write the build report of `out_dir` (after a run: `result` says what the run did).

    A report that cannot be written is logged, never a failed run: the outputs are what matters.
    """
    out = Path(out_dir)
    if not (out / MANIFEST_NAME).is_file():
        return None
    target = report_path(out)
    try:
        run = RunSummary.of(result, Manifest.load(out)) if result is not None else None
        write_text_atomically(target, render_report(out, run, report_name=target.name))
    except Exception as exc:
        log.warning("convert: warning: the build report %s was not written: %s: %s", target,
                    type(exc).__name__, exc)
        return None
    return target
