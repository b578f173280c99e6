"""The 25 public corpus documents and the seed: no crash, no hang, idempotent, no text lost."""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest

from pipeline.normalize import NormalizeOptions, normalize

from .helpers import SEED, THEME, corpus_params, load, make_doc
from .textutil import rendered_text

pytestmark = pytest.mark.corpus


def _options(path: Path) -> NormalizeOptions:
    return NormalizeOptions(theme_dir=THEME if path.name.startswith("openinfra") else None)


@pytest.mark.parametrize("path", [*corpus_params(), pytest.param(SEED, id="seed")])
def test_document_normalizes_safely(path: Path) -> None:
    original = load(path)
    source_text = rendered_text(original.body)
    started = time.perf_counter()
    doc = normalize(load(path), _options(path))
    elapsed = time.perf_counter() - started
    assert elapsed < 20, f"normalizer took {elapsed:.1f}s"
    # Never a rule failure, never the safety net.
    assert [d for d in doc.diagnostics if d.code == "NORM000"] == []
    # Idempotent.
    again = normalize(make_doc(doc.body, title=doc.meta.title, source=path, lang=doc.meta.lang), _options(path))
    assert again.body == doc.body
    assert [c for c in again.changes if c.applied] == []
    # No text lost: every word that disappeared was part of a recorded edit.
    removed = set(re.findall(r"\w+", source_text)) - set(re.findall(r"\w+", rendered_text(doc.body)))
    recorded = {w for c in doc.changes for w in re.findall(r"\w+", c.before)}
    assert removed <= recorded, sorted(removed - recorded)[:20]
    # Every change is located in the source file.
    n_lines = path.read_text(encoding="utf-8").count("\n") + 1
    assert all(1 <= c.line <= n_lines and c.column >= 1 for c in doc.changes)


def test_seed_is_fast_when_warm() -> None:
    normalize(load(SEED), NormalizeOptions(theme_dir=THEME))  # load dictionaries once
    times = []
    for _ in range(5):
        doc = load(SEED)
        started = time.perf_counter()
        normalize(doc, NormalizeOptions(theme_dir=THEME))
        times.append(time.perf_counter() - started)
    median = sorted(times)[2]
    # The budget is 150 ms on a developer machine; leave room for slow CI runners.
    assert median < 0.6, f"warm median {median * 1000:.0f} ms"
