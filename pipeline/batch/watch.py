"""Watch mode: rebuild what changed on save, with the same incremental logic as a batch."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable
from pathlib import Path

log = logging.getLogger("pipeline.watch")

_RELEVANT = (".md", ".markdown", ".yml", ".yaml", ".j2", ".css", ".svg", ".png", ".jpg", ".jpeg", ".gif", ".webp",
             ".txt", ".toml", ".ttf", ".otf")


def watch(paths: Iterable[Path], out_dir: Path, rebuild: Callable[[], int], *,
          stop_event: threading.Event | None = None) -> None:
    """Run `rebuild` now and after every batch of relevant file changes under `paths`, until `stop_event` is set."""
    from watchfiles import watch as watch_changes

    out = out_dir.resolve()

    def relevant(_change: object, path: str) -> bool:
        resolved = Path(path).resolve()
        # Our own outputs (and their temp files) must not trigger rebuilds when dist/ is inside a watched folder.
        return not resolved.is_relative_to(out) and resolved.suffix.lower() in _RELEVANT

    rebuild()
    if stop_event is not None and stop_event.is_set():
        return
    folders = sorted({str(p if p.is_dir() else p.parent) for p in paths})
    log.info("watching %s for changes (Ctrl-C to stop)", ", ".join(folders))
    for changes in watch_changes(*folders, watch_filter=relevant, stop_event=stop_event, raise_interrupt=False):
        names = sorted({Path(path).name for _, path in changes})
        log.info("changed: %s", ", ".join(names[:5]) + (" …" if len(names) > 5 else ""))
        rebuild()
