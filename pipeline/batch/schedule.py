"""Scheduled conversion: one batch per cron tick in a long-lived process, stopped cleanly by a signal."""

from __future__ import annotations

import datetime as dt
import logging
import signal
import threading
from collections.abc import Callable
from typing import Any

from pipeline.errors import UsageError

log = logging.getLogger("pipeline.schedule")


def validate_cron(expression: str) -> None:
    from croniter import croniter

    if not croniter.is_valid(expression):
        raise UsageError(f"not a valid cron expression: {expression!r} (e.g. '0 2 * * *' for 02:00 daily)")


def next_tick(expression: str, after: dt.datetime) -> dt.datetime:
    from croniter import croniter

    return croniter(expression, after).get_next(dt.datetime)


def run_schedule(expression: str, run_once: Callable[[], int], *, stop: threading.Event | None = None,
                 clock: Callable[[], dt.datetime] | None = None, max_runs: int | None = None) -> int:
    """Call `run_once` at every tick of `expression` until `stop` is set (SIGTERM/SIGINT set it).

    A run in progress when the signal arrives finishes (outputs are written atomically, so there is
    never a partial file); then the process exits 0. Returns the exit code of the last run.
    """
    validate_cron(expression)
    stop = stop or threading.Event()
    clock = clock or (lambda: dt.datetime.now().astimezone())
    last_code, runs = 0, 0
    while not stop.is_set() and (max_runs is None or runs < max_runs):
        tick = next_tick(expression, clock())
        log.info("next run at %s", tick.isoformat(timespec="seconds"))
        while not stop.is_set():
            remaining = (tick - clock()).total_seconds()
            if remaining <= 0:
                break
            stop.wait(min(remaining, 60))
        if stop.is_set():
            break
        log.info("run started")
        last_code = run_once()
        runs += 1
        log.info("run finished with exit code %d", last_code)
    log.info("scheduler stopped")
    return last_code


def install_stop_handlers(stop: threading.Event) -> dict[int, Any]:
    """Make SIGTERM and SIGINT ask the scheduler to stop after the current run, instead of killing it."""

    def handler(signum: int, _frame: Any) -> None:
        log.info("received %s: stopping after the current run", signal.Signals(signum).name)
        stop.set()

    return {sig: signal.signal(sig, handler) for sig in (signal.SIGTERM, signal.SIGINT)}
