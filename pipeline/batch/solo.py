"""One document and no worker pool: its PDF laid out as soon as it is prepared, by a process that
imported WeasyPrint and parsed the stylesheet while the document was being prepared.

A pool's fork server imports and preloads everything a batch may need (a second) before its
first worker starts, and that worker then prepares the document before it can begin the PDF, the
longest format. For a single document this executor forks two processes from this one at once,
each loading only what it needs:

- the *preparer* loads, normalizes and parses the document, makes the PDF's print page (HTML and
  stylesheets, `pipeline.writers.pdf.print_page`) and hands it over, then writes the other formats;
- the *layout* process imports WeasyPrint and parses the stylesheet the page will most likely have
  (`expected_page`: no fallback fonts, left to right) meanwhile, then lays the page out and writes
  the PDF (`lay_out`, the same code as the PDF writer's).

Forked, not spawned: both start with what this process imported and with the theme it checked
(its fonts and tokens, from the cache folder). Used only while this process has no other thread,
since a fork copies a lock another thread may hold. Each job keeps a pool worker's guarantees: a
wall-time limit, a memory limit, and a process of its own whose crash fails that job only; the
formats the preparer had not written when it died or was stopped go to an ordinary pool.
"""

from __future__ import annotations

import contextlib
import dataclasses
import gc
import os
import pickle
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from pipeline import trace
from pipeline.batch.executors import LocalExecutor, Started, _signal_name, failed
from pipeline.batch.plan import Job

PREPARER, LAYOUT = "prepare", "layout"
# What the layout process does not need of a prepared document: the trees and bodies the print
# page was made from (megabytes to copy for nothing).
_PREPARER_ONLY = frozenset({"ast", "embedded_ast", "body_html", "pdf_body_html", "characters"})


def fits(jobs: list[Job], executor: str, workers: int | None) -> bool:
    """Whether this executor can run `jobs`: one document's, on this machine (Linux, whose fork
    copies a process safely when it has no other thread), with more than one job at a time allowed
    (or a single job), and this process free of threads (see the module's doc)."""
    documents = {(job.source, job.theme) for job in jobs}
    return (executor == "local" and len(documents) == 1 and (workers != 1 or len(jobs) == 1)
            and sys.platform.startswith("linux") and threading.active_count() == 1)


class SoloExecutor:
    """The jobs of one document: the PDF in the layout process, the rest in the preparer."""

    def __init__(self, jobs: list[Job], workers: int | None, job_timeout: float | None,
                 memory_limit_mb: int | None = None, idle: Callable[[], None] | None = None) -> None:
        self.jobs = list(jobs)
        self.idle = idle  # what this process may do while it waits for the processes (once)
        self.workers = workers
        self.job_timeout = job_timeout
        self.memory_limit_mb = memory_limit_mb
        self.pdf = next((index for index, job in enumerate(self.jobs) if job.format == "pdf"), None)
        self.processes: dict[str, Any] = {}
        self.connections: dict[str, Any] = {}
        self.fallback: LocalExecutor | None = None
        self.finished = False  # every job has its result: the processes are on their way out

    def check(self, check: Callable[[], None]) -> None:
        """Run the check here, then start the processes: they inherit what it loaded (the theme)."""
        check()
        self._start()

    def _start(self) -> None:
        import multiprocessing

        from pipeline.batch.worker import _theme

        if self.processes:
            return
        first = self.jobs[0]
        with contextlib.suppress(Exception):  # a broken theme fails the jobs, in the processes
            _theme(first.theme, first.theme_fingerprint).tokens  # noqa: B018  (loaded once, here)
        context = multiprocessing.get_context("fork")
        names = [PREPARER, LAYOUT] if self.pdf is not None else [PREPARER]
        pipes = {name: context.Pipe() for name in names}
        ends = [end for pair in pipes.values() for end in pair]
        for name in names:
            own = pipes[name][1]
            target = _prepare_and_write if name == PREPARER else _lay_out_pdf
            job_data = self.jobs if name == PREPARER else self.jobs[self.pdf]
            process = context.Process(target=target, name=f"pipeline-{name}", daemon=True,
                                      args=(own, [e for e in ends if e is not own], self.memory_limit_mb, job_data,
                                            self.pdf))
            process.start()
            self.processes[name] = process
        for name in names:
            pipes[name][1].close()
            self.connections[name] = pipes[name][0]

    def run(self, jobs: list[Job], started: Started) -> Iterator[tuple[Job, dict[str, Any]]]:
        from multiprocessing.connection import wait

        self._start()
        done: set[int] = set()
        running: dict[str, tuple[int, float]] = {}  # process → (its job, when the job started)
        leftovers: list[Job] = []
        while len(done) < len(self.jobs) and self.connections:
            timeout = None
            if self.job_timeout and running:
                timeout = max(0.0, min(since for _, since in running.values()) + self.job_timeout - time.monotonic())
            ready = wait(list(self.connections.values()), timeout=timeout)
            for name, connection in list(self.connections.items()):
                if connection not in ready:
                    continue
                try:
                    message = connection.recv()
                except (EOFError, OSError):
                    yield from self._ended(name, running, done, leftovers, stopped=False)
                    continue
                kind, index = message[0], message[1]
                if kind == "started":
                    running[name] = (index, time.monotonic())
                    started(self.jobs[index])
                elif kind == "page":
                    since = running.pop(name)[1]
                    page = connection.recv_bytes()
                    try:
                        self.connections[LAYOUT].send_bytes(page)
                        running[LAYOUT] = (index, since)
                    except (KeyError, OSError):  # the layout process is gone: a pool lays the page out
                        self._retire(LAYOUT)
                        leftovers.append(self.jobs[index])
                elif kind == "result":
                    running.pop(name, None)
                    done.add(index)
                    yield self.jobs[index], message[2]
                elif kind == "done":
                    self._retire(name)
            if self.idle is not None and (self.pdf is None or LAYOUT in running):
                idle, self.idle = self.idle, None
                with contextlib.suppress(Exception), trace.span("while waiting"):
                    idle()
            now = time.monotonic()
            for name, (_index, since) in list(running.items()):
                if self.job_timeout and now - since >= self.job_timeout:
                    yield from self._ended(name, running, done, leftovers, stopped=True)
        leftovers += [job for index, job in enumerate(self.jobs) if index not in done and job not in leftovers]
        self.finished = True
        if leftovers:
            self.fallback = LocalExecutor(self.workers or os.cpu_count() or 1, self.job_timeout, self.memory_limit_mb)
            yield from self.fallback.run(leftovers, started)

    def _ended(self, name: str, running: dict[str, tuple[int, float]], done: set[int], leftovers: list[Job],
               *, stopped: bool) -> Iterator[tuple[Job, dict[str, Any]]]:
        """A process died or overran its job's limit (`stopped`): that job fails; the preparer's
        formats not yet begun go to a pool; without a preparer the page never comes."""
        process = self.processes[name]
        if stopped:
            with contextlib.suppress(ProcessLookupError):
                os.kill(process.pid, signal.SIGKILL)
        process.join(timeout=10)
        self._retire(name)
        if name in running:
            index, _ = running.pop(name)
            job = self.jobs[index]
            done.add(index)
            if stopped:
                yield job, failed(job, f"{job.source}: {job.format} took longer than the {self.job_timeout:g} s "
                                       "job limit and was stopped")
            else:
                yield job, failed(job, f"{job.source}: {job.format} worker died ({_signal_name(process.exitcode)})")
        if name == PREPARER:
            leftovers.extend(job for index, job in enumerate(self.jobs)
                             if index not in done and index != self.pdf and job not in leftovers)
            if self.pdf is not None and self.pdf not in done and LAYOUT not in running:
                leftovers.append(self.jobs[self.pdf])  # its page was never handed over
                self._retire(LAYOUT)

    def _retire(self, name: str) -> None:
        connection = self.connections.pop(name, None)
        if connection is not None:
            connection.close()

    def close(self) -> None:
        for name in list(self.connections):
            self._retire(name)  # a process still waiting for work sees its input close and exits
        for process in self.processes.values():
            if self.finished:
                process.join(timeout=5)
            if process.is_alive():  # interrupted, or its batch gave up on it: nothing of it is wanted
                process.kill()
                process.join()
        if self.fallback is not None:
            self.fallback.close()


def _begin(name: str, inherited: list[Any], memory_limit_mb: int | None) -> None:
    """A forked process's first steps: its role, the pipes that are not its own closed (so each
    sees the other end close when its peer exits), Ctrl-C left to this batch's main process, and
    the memory limit a pool worker would have."""
    from pipeline.batch.executors import _worker_init
    from pipeline.libreoffice import BRIDGE_SOCKET

    for connection in inherited:
        connection.close()
    _worker_init(memory_limit_mb, os.environ.get(BRIDGE_SOCKET), name)
    with contextlib.suppress(OSError):  # named for ps, top and bench/peak.py (Linux: 15 characters)
        Path("/proc/self/comm").write_text(f"convert-{name}"[:15], encoding="ascii")


def _prepare_and_write(connection: Any, inherited: list[Any], memory_limit_mb: int | None, jobs: list[Job],
                       pdf: int | None) -> None:
    from pipeline.batch.worker import release_dictionaries_when_prepared, run_job
    from pipeline.deepstack import run_with_deep_stack

    _begin(PREPARER, inherited, memory_limit_mb)
    release_dictionaries_when_prepared()  # one document: once it is normalized, nothing else will be
    order = ([pdf] if pdf is not None else []) + [index for index in range(len(jobs)) if index != pdf]
    with contextlib.suppress(BrokenPipeError, EOFError, OSError):  # the batch is gone: nothing to report to
        for index in order:
            connection.send(("started", index))
            if index == pdf:
                kind, outcome = run_with_deep_stack(_print_page, jobs[index])
                if kind == "page":
                    connection.send(("page", index))
                    connection.send_bytes(outcome)
                else:
                    connection.send(("result", index, outcome))
            else:
                connection.send(("result", index, run_job(jobs[index])))
        connection.send(("done", None))


def _print_page(job: Job) -> tuple[str, Any]:
    """("page", the pickled page, document, …) for the layout process, or ("result", a failure)."""
    from pipeline.batch.worker import (
        _document,
        _theme,
        finish_result,
        new_result,
        record_failure,
        write_change_report,
    )
    from pipeline.writers.pdf import print_page

    started = time.perf_counter()
    document = None
    before = 0
    try:
        with trace.span("pdf job: prepare"):
            theme = _theme(job.theme, job.theme_fingerprint)
            document = _document(job, theme)
        before = len(document.diagnostics)
        write_change_report(job, document)
        with trace.span("print page"):
            page = print_page(document, theme, job.options)
        kept = {key: value for key, value in document.artifacts.items() if key not in _PREPARER_ONLY}
        handed = dataclasses.replace(document, artifacts=kept)
        return "page", pickle.dumps((page, handed, before, time.perf_counter() - started), pickle.HIGHEST_PROTOCOL)
    except Exception as exc:  # as in a pool worker: the job fails, the batch goes on
        result = new_result(job)
        record_failure(result, job, exc)
        return "result", finish_result(result, document, before, started)


def _lay_out_pdf(connection: Any, inherited: list[Any], memory_limit_mb: int | None, job: Job,
                 pdf: int | None) -> None:
    from pipeline.deepstack import run_with_deep_stack
    from pipeline.libfinder import import_weasyprint

    _begin(LAYOUT, inherited, memory_limit_mb)
    with trace.span("import WeasyPrint"):
        import_weasyprint()
    expected = None
    with contextlib.suppress(Exception), trace.span("expected stylesheet"):  # a guess: wrong costs nothing
        expected = _expected_styles(job)
    # WeasyPrint's modules and the parsed stylesheet live as long as this process: out of the garbage
    # collector's way, its full collections during the layout walk the page's objects only (the
    # layout is 10 % faster; the pool's workers get the same from the speller's freeze, lexicon.py).
    gc.collect()
    gc.freeze()
    try:
        handed = connection.recv_bytes()
    except (EOFError, OSError):
        return  # the page will not come (the preparer failed): the batch knows
    page, document, before, prepared = pickle.loads(handed)
    with contextlib.suppress(BrokenPipeError, OSError):
        connection.send(("result", pdf, run_with_deep_stack(_write_pdf, job, page, document, before, prepared,
                                                            expected)))


def _expected_styles(job: Job) -> Any:
    from pipeline.batch.worker import _theme
    from pipeline.writers.pdf import expected_page, parse_styles

    theme = _theme(job.theme, job.theme_fingerprint)
    page = expected_page(Path(job.source), Path(job.site_root) if job.site_root else None, theme, job.options)
    return parse_styles(page, Path(job.source))


def _write_pdf(job: Job, page: Any, document: Any, before: int, prepared: float, expected: Any) -> dict[str, Any]:
    from pipeline.atomic import write_atomically
    from pipeline.batch.worker import _theme, finish_result, new_result, record_failure, record_output
    from pipeline.writers.pdf import lay_out, parse_styles

    started = time.perf_counter() - prepared  # the job's time includes the page's making
    result = new_result(job)
    try:
        theme = _theme(job.theme, job.theme_fingerprint)
        styles = expected if expected is not None and expected.matches(page) else parse_styles(page, document.source)
        with trace.span("write pdf"):
            outcome = write_atomically(Path(job.out_path),
                                       lambda tmp: lay_out(page, styles, document, theme, job.options, tmp))
        record_output(result, outcome)
    except Exception as exc:
        record_failure(result, job, exc)
    return finish_result(result, document, before, started)
