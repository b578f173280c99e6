"""Big regular expressions compiled once per machine instead of once per process.

CPython compiles a pattern in Python code (`re._parser` parses it, `re._compiler` generates the
matcher's code), and a few libraries compile very large ones: linkify-it's URL and e-mail patterns
hold the whole IANA list of top-level domains, langcodes' subtag-validity pattern every registered
subtag, mdformat's entity pattern every HTML entity. Each process that prepares a document paid
0.15 s for them, on the critical path of a one-document run. What compiling produces is a list of
integers that `_sre.compile` takes as it is: for patterns of `MIN_LENGTH` characters and more,
that list is kept in the cache folder, keyed by the interpreter's exact version and the pattern,
and read back in under a millisecond (`install`).

A kept entry is used only for the very pattern and flags it was made from, and `_sre` validates
the code it is given; an entry that cannot be read, or is refused, only costs the compile.

An entry is written the second time a pattern is compiled: the first leaves an empty marker. Some
patterns are made anew in every process (mdformat joins a set of entity names, whose order changes
with each process's string hashing; a rule may build one from a document's words): they leave
markers only. The folder keeps at most `MAX_FILES`; past that, the least recently used go.
"""

from __future__ import annotations

import _sre
import contextlib
import hashlib
import marshal
import os
import re
import sys
from pathlib import Path
from re import _compiler, _parser
from typing import Any

MIN_LENGTH = 2000  # shorter patterns compile in about a millisecond or less: not worth a file read
MAX_FILES = 256  # entries (10-200 KB each) and markers
# The versions whose `re._compiler.compile` is the one `_compile` below repeats (3.11 to 3.13).
_KNOWN_VERSIONS = {(3, 11), (3, 12), (3, 13)}

_original: Any = None
_folder: Path | None = None


def install() -> None:
    """Let `re` read the compiled code of big patterns from the cache folder, and keep there the
    code of those it compiles, in this process and in the processes it forks. Does nothing on an
    interpreter whose compiler this module does not know, and when already installed."""
    global _original
    if _original is not None or sys.version_info[:2] not in _KNOWN_VERSIONS or sys.implementation.name != "cpython":
        return
    _original = _compiler.compile
    _compiler.compile = _compile


def uninstall() -> None:
    """Give `re` its own compiler back (for tests)."""
    global _original
    if _original is not None:
        _compiler.compile = _original
        _original = None


def _compile(pattern: Any, flags: int = 0) -> Any:
    if not isinstance(pattern, (str, bytes)) or len(pattern) < MIN_LENGTH or flags & re.DEBUG:
        return _original(pattern, flags)
    flags = int(flags)
    path = _entry_path(pattern, flags)
    if path is not None:
        with contextlib.suppress(Exception):  # absent, unreadable, damaged or refused by _sre: compile it
            compiled = _from_entry(path.read_bytes(), pattern, flags)
            with contextlib.suppress(OSError):
                os.utime(path)  # recently used: the last to go
            return compiled
    compiled, entry = _compiled_with_entry(pattern, flags)
    if path is not None:
        with contextlib.suppress(Exception):
            _keep(path, entry)
    return compiled


def _keep(path: Path, entry: bytes) -> None:
    marker = path.with_suffix(".seen")
    if marker.exists():
        from pipeline.atomic import write_bytes_atomically

        write_bytes_atomically(path, entry)
        marker.unlink(missing_ok=True)
    else:
        marker.touch()
    _sweep(path.parent)


def _sweep(folder: Path) -> None:
    """Remove the least recently used files while the folder holds more than `MAX_FILES`."""
    with os.scandir(folder) as found:
        files = [(item.stat().st_mtime_ns, item.path) for item in found if item.is_file()]
    if len(files) <= MAX_FILES:
        return
    for _, name in sorted(files)[: len(files) - MAX_FILES // 2]:
        with contextlib.suppress(OSError):
            os.unlink(name)


def _entry_path(pattern: str | bytes, flags: int) -> Path | None:
    global _folder
    if _folder is None:
        try:
            from pipeline.cache import cache_dir

            _folder = cache_dir("regex")
        except Exception:  # no usable cache folder: every pattern is compiled, as without this module
            return None
    kind = type(pattern).__name__
    digest = hashlib.sha256(f"{sys.version}\0{_sre.MAGIC}\0{_sre.CODESIZE}\0{flags}\0{kind}\0".encode())
    digest.update(pattern.encode("utf-8", "surrogatepass") if isinstance(pattern, str) else pattern)
    return _folder / f"{digest.hexdigest()[:40]}.marshal"


def _compiled_with_entry(pattern: str | bytes, flags: int) -> tuple[Any, bytes]:
    """What `re._compiler.compile(pattern, flags)` returns, and the entry that makes it again."""
    parsed = _parser.parse(pattern, flags)
    code = [int(op) for op in _compiler._code(parsed, flags)]
    groupindex = dict(parsed.state.groupdict)
    indexgroup = [None] * parsed.state.groups
    for name, index in groupindex.items():
        indexgroup[index] = name
    arguments = (int(flags | parsed.state.flags), code, parsed.state.groups - 1, groupindex, tuple(indexgroup))
    return _sre.compile(pattern, *arguments), marshal.dumps((pattern, flags, *arguments))


def _from_entry(entry: bytes, pattern: str | bytes, flags: int) -> Any:
    kept_pattern, kept_flags, *arguments = marshal.loads(entry)
    if kept_pattern != pattern or kept_flags != flags or type(kept_pattern) is not type(pattern):
        raise ValueError("another pattern's entry")
    return _sre.compile(pattern, *arguments)
