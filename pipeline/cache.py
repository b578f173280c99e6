"""The user-level cache folder (spelling dictionaries, static font instances): safe to delete any time."""

from __future__ import annotations

import contextlib
import functools
import hashlib
import os
import pickle
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TypeVar

CACHE_ENV = "PIPELINE_CACHE_DIR"
T = TypeVar("T")


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


def cached(kind: str, key: Iterable[str | bytes], make: Callable[[], T]) -> T:
    """`make()`'s result, kept in the cache folder by a hash of `key`, which must name everything the
    result is made from (files' contents, versions of the code that makes it). Written atomically, so a
    concurrent process never reads half a file; a cache that cannot be read or written only costs `make()`.
    Only our own pickles are read back, from the user's own cache folder."""
    from pipeline.atomic import write_bytes_atomically

    digest = hashlib.sha256(kind.encode())
    for part in key:
        digest.update(part if isinstance(part, bytes) else part.encode("utf-8", "surrogatepass"))
        digest.update(b"\0")
    try:
        path = cache_dir("results") / f"{kind}-{digest.hexdigest()[:40]}.pickle"
    except OSError:
        return make()
    try:
        with open(path, "rb") as handle:
            return pickle.load(handle)
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError, ValueError, TypeError):
        pass
    result = make()
    with contextlib.suppress(OSError, pickle.PicklingError, TypeError, AttributeError):
        write_bytes_atomically(path, pickle.dumps(result, protocol=pickle.HIGHEST_PROTOCOL))
    return result


@functools.cache
def tools_key() -> str:
    """The versions of our code and of the libraries that shape outputs (`batch.plan.tool_versions`),
    for the key of a result they make; read once per process."""
    from pipeline.batch.plan import tool_versions

    return repr(sorted(tool_versions().items()))
