"""Route a library's log warnings into a document's diagnostics instead of raw stderr noise."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager

from pipeline.document import Document


@contextmanager
def warnings_into(document: Document, logger_name: str, code: str, prefix: str) -> Iterator[None]:
    """While active, every WARNING+ record of `logger_name` becomes a warning on `document`."""

    class Collector(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            message = " ".join(record.getMessage().replace("[WARNING]", "").split())[:300]
            document.warn(code, f"{prefix}: {message}")

    logger = logging.getLogger(logger_name)
    handler = Collector(level=logging.WARNING)
    logger.addHandler(handler)
    propagate, logger.propagate = logger.propagate, False
    try:
        yield
    finally:
        logger.removeHandler(handler)
        logger.propagate = propagate
