"""The worker pool and LibreOffice, kept from one batch to the next by a long-lived command.

A one-shot `convert` starts both and stops them when it is done: the fork server's imports and
dictionaries (1.4 s) and LibreOffice (about 1 s) are paid once per run. `convert watch` runs a
batch on every save, so it keeps them: a rebuild then costs what the changed documents cost.
"""

from __future__ import annotations

import contextlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pipeline.batch.executors import Executor
    from pipeline.batch.plan import Job


class Resident:
    """What stays up between batches; `close()` (or leaving the `with` block) stops it all."""

    def __init__(self) -> None:
        self._office = contextlib.ExitStack()
        self._office_checked = False
        self._runner: Executor | None = None
        self._settings: tuple[Any, ...] | None = None

    def __enter__(self) -> Resident:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def start_office(self, jobs: list[Job], executor: str) -> None:
        """LibreOffice for the Word files' contents, started once, before the first pool (whose
        workers are told where to reach it), if any job of the plan writes a Word file."""
        from pipeline.batch import resident_office

        if not self._office_checked:
            self._office_checked = True
            self._office.enter_context(resident_office(jobs, executor))

    def executor(self, kind: str, workers: int | None, job_timeout: float | None, *, scheduler: Any = None,
                 memory_limit_mb: int | None = None) -> Executor:
        """The pool of the last batch if it was made with the same settings, else a new one."""
        from pipeline.batch.executors import make_executor

        settings = (kind, workers, job_timeout, scheduler, memory_limit_mb)
        if self._runner is None or settings != self._settings:
            if self._runner is not None:
                self._runner.close()
            self._runner = make_executor(kind, workers, job_timeout, scheduler=scheduler,
                                         memory_limit_mb=memory_limit_mb)
            self._settings = settings
        return self._runner

    def close(self) -> None:
        if self._runner is not None:
            self._runner.close()
            self._runner = None
        self._office.close()
