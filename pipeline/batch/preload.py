"""Imported once by the worker pool's fork server, before it forks any worker.

What is loaded here (the heavy libraries, the spelling dictionaries) is shared by every worker
copy-on-write instead of being loaded again by each one.
"""

from __future__ import annotations

import contextlib

import docx  # noqa: F401
import pypandoc  # noqa: F401
import weasyprint  # noqa: F401

import pipeline.batch.worker
import pipeline.writers.docx
import pipeline.writers.epub
import pipeline.writers.html
import pipeline.writers.pdf  # noqa: F401
from pipeline.normalize import lexicon

# A failure here only means each worker loads the dictionaries itself, as it would anyway.
with contextlib.suppress(Exception):
    lexicon.codespell()
    lexicon.spelling_variants()
    lexicon.known_words()
    lexicon.speller()
