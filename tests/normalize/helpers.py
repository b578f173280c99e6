"""Helpers for the normalizer tests: documents built from strings, hermetic options, the corpus."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.document import Document, Metadata
from pipeline.normalize import NormalizeOptions, normalize

HERE = Path(__file__).parent
REPO = HERE.parents[1]
SEED = REPO / "input" / "openinfra-annual-report-2021.md"
CORPUS = REPO.parent / "shared" / "corpus"
THEME = REPO / "styles" / "openinfra"


def make_doc(
    body: str, title: str = "Test Document", source: Path | None = None, lang: str = "en", body_line: int = 1
) -> Document:
    return Document(
        source=source or Path("/nonexistent/test.md"),
        meta=Metadata(title=title, lang=lang),
        body=body,
        body_line=body_line,
    )


def options(*enable: str, **kw: object) -> NormalizeOptions:
    """Hermetic options: no project config, only the listed rules (all when none)."""
    kw.setdefault("use_config", False)
    return NormalizeOptions(enable=tuple(enable), **kw)  # type: ignore[arg-type]


def run(body: str, *enable: str, title: str = "Test Document", **kw: object) -> Document:
    return normalize(make_doc(body, title=title), options(*enable, **kw))


def corpus_files() -> list[Path]:
    if not CORPUS.is_dir():
        return []
    return sorted(p for p in CORPUS.glob("*.md") if p.name != "SOURCES.md")


def corpus_params() -> list:
    files = corpus_files()
    if not files:
        return [pytest.param(None, marks=pytest.mark.skip(reason=f"corpus not found at {CORPUS}"))]
    return [pytest.param(p, id=p.stem) for p in files]


def load(path: Path) -> Document:
    from pipeline.load import load_document

    return load_document(path)
