"""A timeline of a run: what each process did, and when, written to one file by all of them.

Off unless the environment names a file in `PIPELINE_TRACE`; then every `span()` appends one JSON
line (process, thread, name, start and end) to it. Times are CLOCK_BOOTTIME seconds, the clock
the kernel counts process start times in, so the spans of the main process, the fork server, its
workers and the programs they run line up, and a process's start (before Python could note
anything) is read from /proc. `bench/timeline.py` runs a command with it and draws the picture.
"""

from __future__ import annotations

import contextlib
import json
import os
import threading
import time
from collections.abc import Iterator

TRACE_ENV = "PIPELINE_TRACE"
_local = threading.local()
_announced: set[int] = set()  # processes whose start is written (a fork inherits the parent's set)


def enabled() -> bool:
    return bool(os.environ.get(TRACE_ENV))


def now() -> float:
    return time.clock_gettime(time.CLOCK_BOOTTIME)


def process_started() -> float | None:
    """When this process started (fork or exec), on the `now()` clock; None off Linux."""
    try:
        with open("/proc/self/stat", "rb") as handle:
            fields = handle.read().rsplit(b")", 1)[1].split()
        return int(fields[19]) / os.sysconf("SC_CLK_TCK")  # field 22 of stat(5): start time in ticks
    except (OSError, ValueError, IndexError):
        return None


def _write(record: dict[str, object]) -> None:
    path = os.environ.get(TRACE_ENV)
    if not path:
        return
    pid = os.getpid()
    lines = []
    if pid not in _announced:
        _announced.add(pid)
        lines.append({"kind": "process", "pid": pid, "ppid": os.getppid(), "start": process_started()})
    lines.append({"pid": pid, **record})
    # One write per record, appended: lines from concurrent processes never interleave.
    with contextlib.suppress(OSError), open(path, "a", encoding="utf-8") as handle:
        handle.write("".join(json.dumps(line) + "\n" for line in lines))


def _lane() -> str:
    lane = getattr(_local, "lane", None)
    if lane is None:
        thread = threading.current_thread()
        lane = "" if thread is threading.main_thread() else thread.name
    return lane


def context() -> tuple[str, int]:
    """Where this thread draws (its row, its nesting), for a thread that works on its behalf."""
    return _lane(), getattr(_local, "depth", 0)


def adopt(where: tuple[str, int] | None = None, *, lane: str | None = None) -> None:
    """Draw this thread's spans where `where` (another thread's `context()`) says, or on row `lane`."""
    _local.lane, _local.depth = where if where is not None else (lane or _lane(), 0)


def record(name: str, start: float, end: float, *, lane: str | None = None) -> None:
    """A span that already happened (say, from this process's start until now)."""
    if enabled():
        _write({"kind": "span", "name": name, "start": start, "end": end, "lane": lane or _lane(),
                "depth": getattr(_local, "depth", 0)})


def role(name: str) -> None:
    """Name this process in the timeline (the main process, the fork server, a worker)."""
    if enabled():
        _write({"kind": "role", "role": name})


@contextlib.contextmanager
def span(name: str, *, lane: str | None = None) -> Iterator[None]:
    """Time the block as one bar of the timeline; `lane` puts it on its own row (a child program)."""
    if not enabled():
        yield
        return
    depth = getattr(_local, "depth", 0)
    _local.depth = depth + (lane is None)
    start = now()
    try:
        yield
    finally:
        _local.depth = depth
        _write({"kind": "span", "name": name, "start": start, "end": now(), "lane": lane or _lane(),
                "depth": 0 if lane else depth})
