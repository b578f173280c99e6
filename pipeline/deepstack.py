"""Run work on a thread with a deep stack: pathological nesting must not crash the recursive stages.

markdown-it, pandoc's JSON and our AST walks all recurse once per nesting level; 5 000 nested
emphasis markers exceed Python's default recursion limit and the main thread's stack. A worker
thread can have a large stack, and the recursion limit is raised to match it.

The work runs under one roomy Python frame (`_roomy_call`). CPython keeps Python frames in
chunks of 16 KiB and frees a chunk as soon as the frame that opened it returns, so code that calls
back and forth across a chunk's edge maps and unmaps 16 KiB on every call. Where the edges fall
is chance: WeasyPrint's layout of the seed hit one about 55,000 times in the layout process
(0.3 s of system time: the page faults bench/README had left unexplained). A frame asking for a
large stack opens a chunk twice its size (the next power of two), so everything it calls lives in
the free half of that one chunk, thousands of frames deep, and no call crosses an edge.
"""

from __future__ import annotations

import sys
import threading
import types
from collections.abc import Callable
from typing import Any, TypeVar

T = TypeVar("T")

STACK_BYTES = 256 * 1024 * 1024
RECURSION_LIMIT = 100_000
# Value-stack slots (8 bytes each) asked for by the roomy frame: a 512 KiB frame in a 1 MiB chunk.
ROOMY_SLOTS = 65_536


def _call(function: Callable[..., T], args: tuple[Any, ...]) -> T:
    return function(*args)


# `_call` with a frame asking for ROOMY_SLOTS of stack (it uses a few): the same function otherwise.
_roomy_call = types.FunctionType(_call.__code__.replace(co_stacksize=ROOMY_SLOTS), globals(), "_roomy_call")


def run_with_deep_stack(function: Callable[..., T], *args: Any) -> T:
    """`function(*args)` on a thread with a 256 MiB stack; its result, or its exception re-raised."""
    from pipeline import trace

    outcome: dict[str, Any] = {}
    caller = trace.context()

    def target() -> None:
        trace.adopt(caller)  # the caller's work, on a bigger stack: drawn on the caller's row
        try:
            outcome["value"] = _roomy_call(function, args)
        except BaseException as exc:  # handed back to the caller's thread as is
            outcome["error"] = exc

    previous_size = threading.stack_size(STACK_BYTES)
    previous_limit = sys.getrecursionlimit()
    sys.setrecursionlimit(max(previous_limit, RECURSION_LIMIT))
    try:
        thread = threading.Thread(target=target, name="pipeline-deep-stack")
        thread.start()
        thread.join()
    finally:
        threading.stack_size(previous_size)
        sys.setrecursionlimit(previous_limit)
    if "error" in outcome:
        raise outcome["error"]
    return outcome["value"]
