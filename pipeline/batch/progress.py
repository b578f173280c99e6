"""What a batch tells its user: live progress on a terminal, plain lines for logs, JSON for machines."""

from __future__ import annotations

import json
import sys
from collections import Counter
from typing import Any, TextIO

from pipeline.batch.plan import Job

# Warnings about this machine, not about a document (every DOCX of a run would repeat it, from
# whichever worker built it): printed once per run, without a document's name.
RUN_WIDE = ("DOCX001",)


def _run_wide(warning: str) -> str | None:
    return next((code for code in RUN_WIDE if warning.endswith(f"[{code}]")), None)


class Reporter:
    """Silent base: the hooks a batch calls. Subclasses print (and call these to keep the tallies)."""

    def __init__(self, show_warnings: bool = True) -> None:
        self.show_warnings = show_warnings
        self._seen_warnings: set[str] = set()
        self._order: dict[str, int] = {}  # output → when its job started: a document's formats in plan order
        self._failures: dict[tuple[str, str], list[str]] = {}  # (document, error) → the outputs it stopped
        self._formats: dict[str, str] = {}  # output → its format
        self._jobs_left: Counter[str] = Counter()  # document → its jobs not finished yet
        self._told: list[str] = []  # documents whose errors were printed

    def planned(self, jobs: list[Job]) -> None:
        """The jobs about to run: a document's errors can be told as soon as its last job is done."""
        self._jobs_left = Counter(job.source for job in jobs)

    def begin(self, total: int, skipped: list[Job]) -> None: ...

    def started(self, job: Job) -> None:
        self._order.setdefault(job.out_path, len(self._order))

    def finished(self, job: Job, result: dict[str, Any]) -> None:
        if result["status"] != "ok":
            error = result.get("error") or f"{job.format} failed"
            if job.source not in error:
                error = f"{job.source}: {error}"
            self._failures.setdefault((job.source, error), []).append(job.out_path)
            self._formats[job.out_path] = job.format
        if job.source in self._jobs_left:
            self._jobs_left[job.source] -= 1

    def document_done(self, source: str) -> bool:
        """True once every planned job of `source` has finished (never, without a plan: then at the end)."""
        return source in self._jobs_left and self._jobs_left[source] <= 0

    def end(self, results: list[dict[str, Any]], skipped: list[Job], seconds: float) -> None: ...

    def print_errors(self, stream: TextIO, source: str | None = None) -> None:
        """Print `source`'s failure lines once its last job is done, or (no `source`) all that are left."""
        if source is None or self.document_done(source):
            for line in self.failure_lines(source):
                print(line, file=stream, flush=True)

    def failure_lines(self, source: str | None = None) -> list[str]:
        """One line per document and error, naming the formats it stopped; each line is given once.

        A broken document (bad front matter, say) fails every format with the same error: said once,
        when its last job is done (`source`), or at the end for what is left.
        """
        lines = []
        for (document, error), outputs in list(self._failures.items()):
            if source is not None and document != source:
                continue
            ordered = sorted(outputs, key=lambda out: self._order.get(out, len(self._order)))
            formats = ", ".join(self._formats[out] for out in ordered)
            lines.append(f"convert: error: {error} ({formats} not built)")
            self._told.append(document)
            del self._failures[(document, error)]
        return lines

    @property
    def failed_documents(self) -> int:
        return len({source for source, _error in self._failures} | set(self._told))

    def new_warnings(self, result: dict[str, Any]) -> list[str]:
        """Warnings not printed yet: a document's own warnings come back with each of its formats."""
        fresh = []
        for warning in result.get("warnings", []):
            code = _run_wide(warning)
            if (code or warning) in self._seen_warnings:
                continue
            self._seen_warnings.add(code or warning)
            fresh.append(f"convert: warning: {warning.partition(': warning: ')[2]}" if code else warning)
        return fresh


def _line(result: dict[str, Any]) -> str:
    pages = f", {result['pages']} pages" if result.get("pages") else ""
    checked = (result.get("details") or {}).get("validation") or {}
    summary = f"; {checked['summary']}" if checked.get("summary") else ""
    return f"wrote {result['output']} ({result['seconds']:.1f} s{pages}{summary})"


class PlainReporter(Reporter):
    """One line per event: for logs, cron mail and anything that is not a terminal."""

    def __init__(self, out: TextIO | None = None, err: TextIO | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.out = out or sys.stdout
        self.err = err or sys.stderr

    def begin(self, total: int, skipped: list[Job]) -> None:
        if skipped:
            print(f"{len(skipped)} output(s) up to date, {total} to build", file=self.out, flush=True)

    def finished(self, job: Job, result: dict[str, Any]) -> None:
        super().finished(job, result)
        if result["status"] == "ok":
            print(_line(result), file=self.out, flush=True)
        if self.show_warnings:
            for warning in self.new_warnings(result):
                print(warning, file=self.out, flush=True)
        self.print_errors(self.err, job.source)  # a long batch in a log shows a broken document at once

    def end(self, results: list[dict[str, Any]], skipped: list[Job], seconds: float) -> None:
        self.print_errors(self.err)
        failed = sum(1 for r in results if r["status"] != "ok")
        built = len(results) - failed
        documents = f" ({self.failed_documents} document{'s' if self.failed_documents > 1 else ''})" if failed else ""
        if results or skipped:
            print(f"done in {seconds:.1f} s: {built} built, {len(skipped)} up to date, {failed} failed{documents}",
                  file=self.out, flush=True)


class QuietReporter(Reporter):
    """Errors only, on stderr."""

    def finished(self, job: Job, result: dict[str, Any]) -> None:
        super().finished(job, result)
        self.print_errors(sys.stderr, job.source)

    def end(self, results: list[dict[str, Any]], skipped: list[Job], seconds: float) -> None:
        self.print_errors(sys.stderr)


class JsonReporter(Reporter):
    """One JSON document on stdout at the end: every job with its status, for tools."""

    def end(self, results: list[dict[str, Any]], skipped: list[Job], seconds: float) -> None:
        data = {
            "seconds": round(seconds, 3),
            "built": [{k: v for k, v in r.items() if k != "traceback"} for r in results if r["status"] == "ok"],
            "failed": [{k: v for k, v in r.items() if k != "traceback"} for r in results if r["status"] != "ok"],
            "up_to_date": [{"source": j.source, "format": j.format, "output": j.out_path} for j in skipped],
        }
        json.dump(data, sys.stdout, indent=2, ensure_ascii=False)
        sys.stdout.write("\n")


class RichReporter(Reporter):
    """A live display on a terminal: one line per running job, an overall bar, then a summary table."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        from rich.console import Console

        self.console = Console()
        self.errors = Console(stderr=True)
        self.progress: Any = None
        self.tasks: dict[str, Any] = {}
        self.overall: Any = None
        self.failed = 0

    def begin(self, total: int, skipped: list[Job]) -> None:
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

        self.progress = Progress(SpinnerColumn(), TextColumn("{task.description}"), BarColumn(),
                                 MofNCompleteColumn(), TimeElapsedColumn(), console=self.console, transient=True)
        self.progress.start()
        self.overall = self.progress.add_task("[bold]all jobs", total=total)
        if skipped:
            self.console.print(f"{len(skipped)} output(s) up to date")

    def started(self, job: Job) -> None:
        super().started(job)
        self.tasks[job.out_path] = self.progress.add_task(job.label, total=None)

    def finished(self, job: Job, result: dict[str, Any]) -> None:
        super().finished(job, result)
        task = self.tasks.pop(job.out_path, None)
        if task is not None:
            self.progress.remove_task(task)
        if result["status"] == "ok":
            self.progress.advance(self.overall)
            self.console.print(_line(result), highlight=False)
        else:
            # The error itself comes once per document at the end; the bar says at once that something failed.
            self.failed += 1
            self.progress.update(self.overall, advance=1,
                                 description=f"[bold]all jobs[/] [bold red]{self.failed} failed[/]")
        if self.show_warnings:
            for warning in self.new_warnings(result):
                self.console.print(warning, style="yellow", highlight=False)

    def end(self, results: list[dict[str, Any]], skipped: list[Job], seconds: float) -> None:
        from rich.table import Table

        if self.progress is not None:
            self.progress.stop()
        if not results:
            if skipped:
                self.console.print(f"nothing to do: {len(skipped)} output(s) up to date ({seconds:.1f} s)")
            return
        table = Table(title=f"{len(results)} job(s) in {seconds:.1f} s", title_justify="left")
        # A long path folds rather than ending in "…": cut short, several documents read the same.
        table.add_column("document", overflow="fold")
        for column in ("format", "status", "pages", "time", "warnings"):
            table.add_column(column, justify="left" if column in ("format", "status") else "right")
        # A document's formats together, in the order they were asked for.
        for result in sorted(results, key=lambda r: (r.get("source", ""), self._order.get(r.get("output"), 0))):
            ok = result["status"] == "ok"
            table.add_row(
                result.get("source", ""), result["format"], "[green]ok" if ok else "[red]failed",
                str(result.get("pages") or ""), f"{result['seconds']:.1f} s" if result.get("seconds") else "",
                str(len(result.get("warnings", []))),
            )
        for job in skipped:
            table.add_row(job.source, job.format, "[dim]up to date", "", "", "")
        self.console.print(table)
        for line in self.failure_lines():
            self.errors.print(line, style="bold red", highlight=False, markup=False, soft_wrap=True)


def make_reporter(mode: str) -> Reporter:
    """`auto` picks the live display on a terminal and plain lines otherwise."""
    if mode == "auto":
        mode = "rich" if sys.stdout.isatty() else "plain"
    return {"rich": RichReporter, "plain": PlainReporter, "quiet": QuietReporter, "json": JsonReporter}[mode]()
