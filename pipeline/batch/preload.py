"""Imported once by the worker pool's fork server, before it forks any worker.

What is loaded here (the heavy libraries, the spelling dictionaries) is shared by every worker
copy-on-write instead of being loaded again by each one.
"""

# ruff: noqa: E402  (the imports are timed for the run's timeline, see pipeline.trace)
from __future__ import annotations

import contextlib
from pathlib import Path

from pipeline import regex_cache, trace

_started = trace.now()
trace.role("fork server")
regex_cache.install()  # a fork server is a new interpreter, not a fork of the command's process

import brand_yml  # noqa: F401  (every job reads its theme's brand.yml)
import docx  # noqa: F401
import pypandoc  # noqa: F401

import pipeline.batch.worker
import pipeline.writers.docx
import pipeline.writers.epub
import pipeline.writers.html
import pipeline.writers.pdf  # noqa: F401
from pipeline.libfinder import import_weasyprint
from pipeline.normalize import lexicon

import_weasyprint()  # the quick way to its libraries (none of the modules above imports it yet)
with contextlib.suppress(Exception):
    from pipeline.render import pypandoc_with_known_formats

    pypandoc_with_known_formats().get_pandoc_formats()  # asked once here, for every worker
trace.record("preload: imports", _started, trace.now())

# Normalizing a small sample compiles the rules' regular expressions and finishes their lazy
# imports once here (0.6 s of a fresh worker's first document), not once per worker.
_SAMPLE = """# **A heading**

Teh report, with a [link](example.org) and info@example.org -- in 2021--2022 ... "quoted".\\
* one
* two

| a | b |
|---|---|
| 1 | 2 |

Text[^1].

[^1]: A note.
"""

# A failure here only means each worker does this work itself, as it would anyway.
with contextlib.suppress(Exception), trace.span("preload: dictionaries"):
    lexicon.codespell()
    lexicon.spelling_variants()
    lexicon.known_words()
    lexicon.speller()
    lexicon.bigram_counts()
    lexicon.english_frequencies()
    lexicon.software_names()
    lexicon.foreign_words()
    from pipeline.normalize import spelling

    spelling.wider_speller()
    spelling.very_common_speller()
with contextlib.suppress(Exception), trace.span("preload: warm the normalizer"):
    from pipeline.document import Document, Metadata
    from pipeline.normalize import NormalizeOptions, normalize

    normalize(Document(source=Path("/nonexistent/warm-up.md"), meta=Metadata(title="Warm-up"), body=_SAMPLE,
                       body_line=1), NormalizeOptions(use_config=False))
