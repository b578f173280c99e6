"""The user-level cache folder (spelling dictionaries, static font instances): safe to delete any time."""

from __future__ import annotations

import os
from pathlib import Path

CACHE_ENV = "PIPELINE_CACHE_DIR"


def cache_dir(*parts: str) -> Path:
    """`$PIPELINE_CACHE_DIR`, else the platform's user cache folder for 'pipeline' (created on demand)."""
    override = os.environ.get(CACHE_ENV)
    if override:
        base = Path(override)
    else:
        from platformdirs import user_cache_dir

        base = Path(user_cache_dir("pipeline", appauthor=False))
    folder = base.joinpath(*parts)
    folder.mkdir(parents=True, exist_ok=True)
    return folder
