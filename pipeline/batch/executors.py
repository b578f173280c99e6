"""Where jobs run: in this process, on a local pool of worker processes, or on a Dask cluster.

Every executor takes jobs and yields (job, result) as jobs finish, and calls `started(job)` when a
job begins, so progress can show what is running. A job that exceeds its wall-time limit, or whose
worker dies, yields a failed result; the batch goes on.
"""

from __future__ import annotations

import os
import signal
from collections.abc import Callable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, wait
from concurrent.futures import TimeoutError as FutureTimeout
from typing import Any, Protocol

from pipeline.batch.plan import Job
from pipeline.batch.worker import MAX_DOCUMENTS, run_job

Started = Callable[[Job], None]


class Executor(Protocol):
    def run(self, jobs: list[Job], started: Started) -> Iterator[tuple[Job, dict[str, Any]]]: ...

    def check(self, check: Callable[[], None]) -> None: ...

    def close(self) -> None: ...


def failed(job: Job, message: str) -> dict[str, Any]:
    return {"source": job.source, "format": job.format, "output": job.out_path, "key": job.key,
            "status": "failed", "error": message, "warnings": [], "seconds": None}


class InlineExecutor:
    """Jobs one after another in this process: for the library API, debugging and tiny runs."""

    def run(self, jobs: list[Job], started: Started) -> Iterator[tuple[Job, dict[str, Any]]]:
        for job in jobs:
            started(job)
            yield job, run_job(job)

    def check(self, check: Callable[[], None]) -> None:
        check()

    def close(self) -> None:
        return None


_PRELOAD = ["pipeline.batch.preload"]


def _worker_init(memory_limit_mb: int | None, office_socket: str | None, role: str = "worker") -> None:
    from pipeline import trace
    from pipeline.libreoffice import BRIDGE_SOCKET

    trace.role(role)
    # Ctrl-C goes to the parent, which cancels cleanly; workers must not die mid-write on their own.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    # This batch's LibreOffice, if it has one: the fork server's environment may be an older batch's.
    if office_socket:
        os.environ[BRIDGE_SOCKET] = office_socket
    else:
        os.environ.pop(BRIDGE_SOCKET, None)
    if memory_limit_mb:
        import resource

        # RLIMIT_DATA, not RLIMIT_AS: it counts memory actually made writable, so pandoc's and the JVM's
        # large address-space reservations still work while a runaway allocation fails with MemoryError.
        limit = memory_limit_mb * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_DATA, (limit, limit))


class LocalExecutor:
    """Worker processes (pebble), each job with a wall-time limit; a stuck job's worker is killed.

    One single-worker pool per worker, so this side decides which worker runs which job: the
    formats of a document go where the document is already prepared (see DocumentAffinity).
    """

    def __init__(self, workers: int, job_timeout: float | None, memory_limit_mb: int | None = None) -> None:
        import multiprocessing
        from multiprocessing import forkserver

        from pebble import ProcessPool

        from pipeline.libreoffice import BRIDGE_SOCKET

        self.workers = max(1, workers)
        self.job_timeout = job_timeout
        # forkserver, not fork: the parent runs threads (progress display, pool manager) and forking a
        # threaded process can deadlock. The server imports the heavy libraries once; workers fork from it.
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(_PRELOAD)
        initargs = (memory_limit_mb, os.environ.get(BRIDGE_SOCKET))
        self.pools = [ProcessPool(max_workers=1, initializer=_worker_init, initargs=initargs, context=context)
                      for _ in range(self.workers)]
        # Start the fork server now: it imports and preloads in the background while the caller
        # still plans and checks; the first job then forks from a ready server.
        forkserver.ensure_running()

    def check(self, check: Callable[[], None]) -> None:
        """Run a check before the jobs (say, parse the theme) in the first worker, raising what it raises.

        The worker has the libraries it needs loaded already (brand.yml's parser is 20 MB and 0.2 s
        of imports); done here, this process would load them only for the check.
        """
        from pipeline.errors import PipelineError

        try:
            self.pools[0].schedule(check, timeout=self.job_timeout).result()
        except PipelineError:
            raise
        except Exception:  # the worker could not run it (died, timed out, could not take it): run it here
            check()

    def run(self, jobs: list[Job], started: Started) -> Iterator[tuple[Job, dict[str, Any]]]:
        from pebble import ProcessExpired

        pending = DocumentAffinity(jobs)
        idle = list(range(self.workers))
        running: dict[Future[Any], tuple[Job, int]] = {}
        try:
            while pending or running:
                while pending and idle:
                    worker = idle.pop(0)
                    job = pending.next_for(worker, [job for job, _ in running.values()])
                    started(job)
                    future = self.pools[worker].schedule(run_job, args=(job,), timeout=self.job_timeout)
                    running[future] = (job, worker)
                done, _ = wait(list(running), return_when=FIRST_COMPLETED)
                for future in done:
                    job, worker = running.pop(future)
                    idle.append(worker)
                    try:
                        outcome = future.result()
                        pending.prepared(worker, job)
                        yield job, outcome
                    except FutureTimeout:
                        pending.forget(worker)  # killed: its replacement starts empty
                        yield job, failed(job, f"{job.source}: {job.format} took longer than the "
                                               f"{self.job_timeout:g} s job limit and was stopped")
                    except ProcessExpired as exc:
                        pending.forget(worker)
                        reason = _signal_name(exc.exitcode)
                        yield job, failed(job, f"{job.source}: {job.format} worker died ({reason})")
                    except Exception as exc:  # e.g. a result that cannot be pickled back
                        yield job, failed(job, f"{job.source}: {job.format} failed: {type(exc).__name__}: {exc}")
        finally:
            for future in running:
                future.cancel()

    def close(self) -> None:
        for pool in self.pools:
            pool.close()
        for pool in self.pools:
            pool.join(timeout=30)


def _document(job: Job) -> tuple[str, str]:
    return job.source, job.theme


class DocumentAffinity:
    """The jobs still to run, handed out so that each document is prepared by one worker.

    Every worker loads, normalizes and parses a document before its first format (and keeps the
    last few), so the formats of one document are cheapest on the worker that already has it. A
    worker with nothing of its own left starts a document no one has; only then does it share
    one (the last documents of a batch, or a single document, whose formats run side by side).
    Each choice looks at a handful of documents, whatever the size of the batch.
    """

    def __init__(self, jobs: list[Job], remembered: int = MAX_DOCUMENTS) -> None:
        self.remembered = remembered
        self.queues: dict[tuple[str, str], list[Job]] = {}  # document → its jobs, in plan order
        for job in jobs:
            self.queues.setdefault(_document(job), []).append(job)
        self.held: dict[int, list[tuple[str, str]]] = {}  # worker → its documents, newest last

    def __bool__(self) -> bool:
        return bool(self.queues)

    def prepared(self, worker: int, job: Job) -> None:
        documents = self.held.setdefault(worker, [])
        document = _document(job)
        if document in documents:
            documents.remove(document)
        documents.append(document)
        del documents[:-self.remembered]

    def forget(self, worker: int) -> None:
        self.held.pop(worker, None)

    def next_for(self, worker: int, running: list[Job]) -> Job:
        for document in reversed(self.held.get(worker, [])):
            if document in self.queues:
                return self._take(document)
        taken = {document for documents in self.held.values() for document in documents}
        taken.update(_document(job) for job in running)
        # At most len(taken) documents are skipped before a free one.
        free = next((document for document in self.queues if document not in taken), None)
        return self._take(free if free is not None else next(iter(self.queues)))

    def _take(self, document: tuple[str, str]) -> Job:
        queue = self.queues[document]
        job = queue.pop(0)
        if not queue:
            del self.queues[document]
        return job


def _signal_name(exitcode: int | None) -> str:
    if exitcode is not None and exitcode < 0:
        try:
            name = signal.Signals(-exitcode).name
        except ValueError:
            name = f"signal {-exitcode}"
        return f"killed by {name}; out of memory?" if name == "SIGKILL" else f"killed by {name}"
    return f"exit code {exitcode}"


class DaskExecutor:
    """Jobs on a Dask distributed cluster; workers need this package and a shared file system."""

    def __init__(self, scheduler: str | Any, workers: int, job_timeout: float | None,
                 connect_seconds: float = 30) -> None:
        from distributed import Client

        from pipeline.errors import UsageError

        try:
            self.client = scheduler if hasattr(scheduler, "submit") else Client(scheduler,
                                                                                timeout=f"{connect_seconds}s")
        except (OSError, TimeoutError, ValueError) as exc:
            reason = " ".join(str(exc).split())[:160] or type(exc).__name__
            raise UsageError(f"cannot reach the Dask scheduler at {scheduler}: {reason}") from None
        self.owns_client = not hasattr(scheduler, "submit")
        self.in_flight = max(1, workers)
        self.job_timeout = job_timeout

    def run(self, jobs: list[Job], started: Started) -> Iterator[tuple[Job, dict[str, Any]]]:
        import time

        from distributed import wait as dask_wait

        pending = list(jobs)
        running: dict[Any, tuple[Job, float]] = {}
        while pending or running:
            while pending and len(running) < self.in_flight:
                job = pending.pop(0)
                started(job)
                # pure=False: the same job submitted twice (a rebuild) must run again.
                running[self.client.submit(run_job, job, pure=False)] = (job, time.monotonic())
            done, _ = dask_wait(list(running), timeout=5, return_when="FIRST_COMPLETED")
            for future in done:
                job, _ = running.pop(future)
                try:
                    yield job, future.result()
                except Exception as exc:
                    yield job, failed(job, f"{job.source}: {job.format} failed on the cluster: {exc}")
            if self.job_timeout:
                now = time.monotonic()
                for future, (job, since) in list(running.items()):
                    if now - since > self.job_timeout:
                        future.cancel()  # Dask cannot kill a running task; the result is dropped
                        running.pop(future)
                        yield job, failed(job, f"{job.source}: {job.format} took longer than the "
                                               f"{self.job_timeout:g} s job limit and was abandoned")

    def check(self, check: Callable[[], None]) -> None:
        check()  # here: the cluster's workers may be busy with someone else's work

    def close(self) -> None:
        if self.owns_client:
            self.client.close()


def make_executor(kind: str, workers: int | None, job_timeout: float | None, *, scheduler: Any = None,
                  memory_limit_mb: int | None = None) -> Executor:
    count = workers or os.cpu_count() or 1
    if kind == "inline":
        return InlineExecutor()
    if kind == "dask":
        from pipeline.errors import UsageError

        if scheduler is None:
            raise UsageError("--executor dask needs --scheduler tcp://HOST:PORT")
        return DaskExecutor(scheduler, count, job_timeout)
    return LocalExecutor(count, job_timeout, memory_limit_mb)
