"""Run work on a thread with a deep stack: pathological nesting must not crash the recursive stages.

markdown-it, pandoc's JSON and our AST walks all recurse once per nesting level; 5 000 nested
emphasis markers exceed Python's default recursion limit and the main thread's stack. A worker
thread can have a large stack, and the recursion limit is raised to match it.
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Callable
from typing import Any, TypeVar

T = TypeVar("T")

STACK_BYTES = 256 * 1024 * 1024
RECURSION_LIMIT = 100_000


def run_with_deep_stack(function: Callable[..., T], *args: Any) -> T:
    """`function(*args)` on a thread with a 256 MiB stack; its result, or its exception re-raised."""
    from pipeline import trace

    outcome: dict[str, Any] = {}
    caller = trace.context()

    def target() -> None:
        trace.adopt(caller)  # the caller's work, on a bigger stack: drawn on the caller's row
        try:
            outcome["value"] = function(*args)
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
