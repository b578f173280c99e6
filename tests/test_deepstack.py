"""The deep-stack runner: results, errors and deep recursion pass through, and calls never thrash frame chunks."""

from __future__ import annotations

import resource
import sys
import threading
from typing import Any

import pytest

from pipeline.deepstack import run_with_deep_stack

CALLS_PER_DEPTH = 2_000
DEPTHS = 400  # frames of `_descend`: more than two of CPython's 16 KiB frame chunks


def _leaf() -> None:
    return None


def _descend(depth: int) -> None:
    """At every depth on the way down, call a tiny function many times (as a layout's inner loops do)."""
    for _ in range(CALLS_PER_DEPTH):
        _leaf()
    if depth:
        _descend(depth - 1)


def _faults_of(sweep: Any) -> int:
    before = resource.getrusage(resource.RUSAGE_THREAD).ru_minflt
    sweep()
    return resource.getrusage(resource.RUSAGE_THREAD).ru_minflt - before


def _in_plain_thread(function: Any) -> Any:
    outcome: list[Any] = []
    thread = threading.Thread(target=lambda: outcome.append(function()))
    thread.start()
    thread.join()
    return outcome[0]


def test_results_errors_and_deep_recursion_pass_through() -> None:
    def deep(n: int) -> int:
        return 0 if n == 0 else 1 + deep(n - 1)

    assert run_with_deep_stack(deep, 50_000) == 50_000  # far past the default recursion limit
    with pytest.raises(KeyError, match="missing"):
        run_with_deep_stack({}.__getitem__, "missing")
    assert sys.getrecursionlimit() < 50_000  # the caller's limit is given back


@pytest.mark.skipif(not hasattr(resource, "RUSAGE_THREAD"), reason="needs per-thread resource usage (Linux)")
def test_calls_across_a_frame_chunk_edge_do_not_map_memory_each_time() -> None:
    sweep = lambda: _faults_of(lambda: _descend(DEPTHS))  # noqa: E731
    plain = min(_in_plain_thread(sweep) for _ in range(2))
    if plain < CALLS_PER_DEPTH:
        pytest.skip(f"this Python keeps its frame chunks ({plain} page faults in a plain thread's sweep)")
    roomy = max(run_with_deep_stack(sweep) for _ in range(2))
    assert roomy < CALLS_PER_DEPTH / 4, f"{roomy} page faults in the sweep, {plain} in a plain thread"
