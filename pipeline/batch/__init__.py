"""Batch conversion: plan jobs (document × format), skip what is up to date, run the rest in parallel,
record every output in the manifest."""

from __future__ import annotations

import contextlib
import datetime as dt
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pipeline import trace
from pipeline.batch.manifest import Manifest
from pipeline.batch.plan import Job, Plan, plan_jobs
from pipeline.batch.progress import Reporter
from pipeline.batch.resident import Resident

__all__ = ["BatchResult", "Job", "Plan", "plan_jobs", "run_batch"]


@dataclass
class BatchResult:
    results: list[dict[str, Any]] = field(default_factory=list)
    skipped: list[Job] = field(default_factory=list)
    manifest: Path | None = None
    seconds: float = 0.0

    @property
    def failed(self) -> list[dict[str, Any]]:
        return [r for r in self.results if r["status"] != "ok"]

    @property
    def ok(self) -> bool:
        return not self.failed


def _entry(job: Job, result: dict[str, Any], versions: dict[str, str]) -> dict[str, Any]:
    entry = {
        "source": job.source,
        "source_sha256": job.source_sha256,
        "title": result.get("title"),
        "format": job.format,
        "status": result["status"],
        "key": job.key,
        "sha256": result.get("sha256"),
        "size": result.get("size"),
        "pages": result.get("pages"),
        "seconds": result.get("seconds"),
        "warnings": result.get("warnings", []),
        "changes": result.get("changes"),
        "built_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "versions": versions,
    }
    if result.get("language"):
        entry["language"] = result["language"]  # the language used, and where it came from (or why detected)
    if job.chapters:
        entry["book"] = {"chapters": [{"file": name, "sha256": digest} for name, digest in job.chapters]}
    if result.get("details"):
        entry["details"] = result["details"]
    if result["status"] != "ok":
        entry["error"] = result.get("error")
    return entry


def sweep_temp_files(jobs: list[Job]) -> None:
    """Remove temp files a killed worker or run left beside its outputs (we hold the folder's lock)."""
    for job in jobs:
        out = Path(job.out_path)
        for stale in out.parent.glob(f".{out.name}.*.tmp"):
            stale.unlink(missing_ok=True)


def resident_office(jobs: list[Job], executor: str) -> contextlib.AbstractContextManager[None]:
    """One LibreOffice for the whole batch when Word files will need it (their contents' page numbers).

    Started before the workers, so it starts while they prepare their documents; a Dask cluster's
    workers are elsewhere and start their own.
    """
    if executor == "dask" or not any(job.format == "docx" and getattr(job.options, "office", True) for job in jobs):
        return contextlib.nullcontext()
    from pipeline import libreoffice

    return libreoffice.resident(libreoffice.find())


def run_batch(plan: Plan, *, executor: str = "local", workers: int | None = None, job_timeout: float | None = 600,
              force: bool = False, reporter: Reporter | None = None, scheduler: Any = None,
              memory_limit_mb: int | None = None, before_work: Callable[[], None] | None = None,
              resident: Resident | None = None, while_waiting: Callable[[], None] | None = None) -> BatchResult:
    """Run a plan. Jobs whose output is up to date (same input hashes, output untouched) are skipped.

    With `resident`, the worker pool and LibreOffice are taken from it and left running for the
    next batch; without, they are started here and stopped when the batch ends. `while_waiting` is
    work for this process while other processes do the jobs (a one-document run's, see solo.py).
    """
    from pipeline.batch import solo
    from pipeline.batch.executors import make_executor

    started_at = time.perf_counter()
    reporter = reporter or Reporter()
    manifest = Manifest.load(plan.out_dir)
    manifest.versions = plan.versions
    todo = [job for job in plan.jobs if force or not manifest.is_current(job.out_path, job.key)]
    skipped = [job for job in plan.jobs if job not in todo]
    result = BatchResult(skipped=skipped, manifest=manifest.path)
    with contextlib.ExitStack() as office:
        with trace.span("start LibreOffice"):
            if resident is None:
                office.enter_context(resident_office(todo, executor))
            else:
                resident.start_office(plan.jobs, executor)  # the next batch may need it even if this one does not
        word_files_left = sum(job.format == "docx" for job in todo)
        if todo:
            settings = {"scheduler": scheduler, "memory_limit_mb": memory_limit_mb}
            with trace.span("start workers"):
                if resident is not None:
                    runner = resident.executor(executor, workers, job_timeout, **settings)
                elif solo.fits(todo, executor, workers):
                    runner = solo.SoloExecutor(todo, workers, job_timeout, memory_limit_mb, idle=while_waiting)
                else:
                    runner = make_executor(executor, workers, job_timeout, **settings)
            try:
                if before_work:
                    with trace.span("theme check"):
                        runner.check(before_work)  # e.g. the theme: only worth its cost when something will be built
            except BaseException:
                if resident is None:
                    runner.close()
                raise
        reporter.planned(todo)
        reporter.begin(len(todo), skipped)
        sweep_temp_files(todo)
        if todo:
            try:
                for job, outcome in runner.run(todo, reporter.started):
                    if outcome["status"] != "ok":
                        sweep_temp_files([job])
                    with trace.span("manifest"):
                        manifest.record(job.out_path, _entry(job, outcome, plan.versions))
                        manifest.save()  # after every job: a killed batch keeps what it finished
                    result.results.append(outcome)
                    reporter.finished(job, outcome)
                    if job.format == "docx":
                        word_files_left -= 1
                        if not word_files_left:
                            office.close()  # LibreOffice's memory back while the other formats finish
            finally:
                if resident is None:
                    with trace.span("stop workers"):
                        runner.close()
    result.seconds = time.perf_counter() - started_at
    reporter.end(result.results, skipped, result.seconds)
    return result
