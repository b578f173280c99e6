"""The normalizer: cleans website Markdown before any writer runs and records every change.

`normalize(doc)` parses the body with markdown-it-py, runs the ordered rules (structure, links,
typos, typography) on the token tree, and renders the result back with mdformat's renderer as
canonical Markdown that pandoc's `commonmark_x` reader understands. Each edit is a `Change` on
`doc.changes`; findings that are not edits are warnings on `doc.diagnostics`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from pipeline.document import Document

__all__ = ["NormalizeOptions", "normalize"]


@dataclass(frozen=True)
class NormalizeOptions:
    """How to normalize. Unset values come from the project config, then from these defaults."""

    # Apply `suggest` edits too (reported but not applied by default).
    fix_suggested: bool = False
    # Theme folder: its vocabulary.txt adds preferred spellings and protected names.
    theme_dir: Path | None = None
    # Where to look for pyproject.toml [tool.pipeline.normalize] / pipeline.toml and vocabulary.txt;
    # default: from the document's folder upwards.
    config_dir: Path | None = None
    # "curly", "straight" or "keep"; None: config, else "curly".
    quote_style: str | None = None
    # Rule selectors (IDs or prefixes such as "LINK"); empty enable = all rules.
    enable: tuple[str, ...] = ()
    disable: tuple[str, ...] = ()
    # Extra vocabulary files.
    vocabulary: tuple[Path, ...] = ()
    # Read the project config file at all (tests and tools may want a hermetic run).
    use_config: bool = True
    # Request every http(s) link (httpx, cached for a day): off by default, documents convert offline.
    check_links: bool = False


def normalize(document: Document, options: NormalizeOptions | None = None) -> Document:
    """Return the document with a cleaned body; every edit is appended to `document.changes`."""
    from pipeline.normalize.engine import run  # lazy: keeps `import pipeline` fast

    return run(document, options or NormalizeOptions())

