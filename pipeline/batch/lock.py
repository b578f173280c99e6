"""One run at a time per output folder: a lock file that dies with its owner."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from pipeline.errors import PipelineError

LOCK_NAME = ".pipeline.lock"


class LockHeld(PipelineError):
    """Another run is writing to the same output folder."""

    exit_code = 3


@contextmanager
def output_lock(out_dir: Path) -> Iterator[None]:
    """Hold the output folder's lock, or raise LockHeld at once.

    filelock uses flock(2), which the kernel releases when the holder exits, however it exits:
    a lock left by a killed run never blocks the next one.
    """
    from filelock import FileLock, Timeout

    out_dir.mkdir(parents=True, exist_ok=True)
    lock = FileLock(str(out_dir / LOCK_NAME), timeout=0)
    try:
        lock.acquire()
    except Timeout as exc:
        raise LockHeld("another conversion is writing to this folder; not starting a second one", out_dir) from exc
    try:
        yield
    finally:
        lock.release()
