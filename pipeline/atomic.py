"""Atomic file writes: a reader (or a crash) never sees a half-written file, and the old one survives."""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from pipeline.errors import PipelineError


def write_atomically(path: Path, produce: Callable[[Path], Any], *, allow_empty: bool = False) -> Any:
    """Let `produce` write a temp file beside `path`, then flush it to disk and rename it into place.

    A failure or a kill leaves the previous file untouched and no partial file behind (a temp file
    a kill leaves is hidden, `.NAME.*.tmp`, and swept by the next batch). Returns what `produce` returns.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        result = produce(tmp)
        if not tmp.exists() or (tmp.stat().st_size == 0 and not allow_empty):
            raise PipelineError("writer produced no output", path)
        with open(tmp, "rb+") as handle:
            os.fsync(handle.fileno())
        os.chmod(tmp, 0o644)  # mkstemp makes 0600 files; outputs are for sharing
        os.replace(tmp, path)
        return result
    finally:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()


def write_text_atomically(path: Path, text: str) -> None:
    write_atomically(path, lambda tmp: tmp.write_text(text, encoding="utf-8", newline="\n"), allow_empty=True)


def write_bytes_atomically(path: Path, data: bytes) -> None:
    write_atomically(path, lambda tmp: tmp.write_bytes(data), allow_empty=True)
