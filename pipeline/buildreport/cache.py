"""What the build report makes from the outputs (cover thumbnails, rendered change reports), kept in a
hidden folder beside them by a key of what each is made from.

A report over a large, mostly unchanged folder then renders only what changed; whatever this report
did not use (outputs gone or changed) is removed, so the folder never grows past the outputs.
"""

from __future__ import annotations

import contextlib
import shutil
from collections.abc import Callable
from pathlib import Path

from pipeline.atomic import write_bytes_atomically

CACHE_FOLDER = ".report-cache"
_OLD_FOLDERS = (".thumbnails",)  # where earlier versions kept the thumbnails


class ReportCache:
    def __init__(self, out_dir: Path) -> None:
        self.out_dir = out_dir
        self.folder = out_dir / CACHE_FOLDER
        self.used: set[Path] = set()

    def get(self, name: str, make: Callable[[], bytes]) -> bytes:
        """The file `name` (its key and suffix) from the folder, else `make()`'s bytes, kept there."""
        path = self.folder / name
        self.used.add(path)
        with contextlib.suppress(OSError):
            return path.read_bytes()
        data = make()
        with contextlib.suppress(OSError):  # a read-only folder only costs the next report the work
            write_bytes_atomically(path, data)
        return data

    def prune(self) -> None:
        """Remove what this report did not use."""
        for old in _OLD_FOLDERS:
            shutil.rmtree(self.out_dir / old, ignore_errors=True)
        if not self.folder.is_dir():
            return
        for path in self.folder.iterdir():
            if path not in self.used:
                with contextlib.suppress(OSError):
                    path.unlink()
