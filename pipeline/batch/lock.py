"""One run at a time per output folder: a lock file that dies with its owner."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from pipeline.errors import PipelineError, UsageError

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

    lock = FileLock(str(out_dir / LOCK_NAME), timeout=0)
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        lock.acquire()
    except Timeout as exc:
        raise LockHeld("another conversion is writing to this folder; not starting a second one", out_dir) from exc
    except OSError as exc:  # a file where the folder should be, a read-only or virtual file system
        raise output_folder_error(out_dir, exc) from exc
    try:
        yield
    finally:
        lock.release()


def output_folder_error(out_dir: Path, exc: OSError) -> UsageError:
    """The one-line usage error for an output folder that cannot be created or written."""
    blocker = next((p for p in (out_dir, *out_dir.parents) if p.exists() and not p.is_dir()), None)
    if blocker is not None:
        where = "is a file" if blocker == out_dir else f"is inside {blocker}, which is a file"
        return UsageError(f"cannot write outputs here: the output folder {where}, not a folder", out_dir)
    return UsageError(f"cannot use as the output folder: {exc.strerror or exc}", out_dir)
