"""The unit that flows through the pipeline: a loaded document and what was learned about it."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    from pipeline.site import Site

Severity = Literal["error", "warning", "info"]


@dataclass(frozen=True)
class Diagnostic:
    """Something the user should hear about a document, located in its source file."""

    severity: Severity
    code: str
    message: str
    path: Path | None = None
    line: int | None = None
    column: int | None = None

    def location(self) -> str:
        where = str(self.path) if self.path else "<input>"
        if self.line is not None:
            where += f":{self.line}"
            if self.column is not None:
                where += f":{self.column}"
        return where

    def __str__(self) -> str:
        return f"{self.location()}: {self.severity}: {self.message} [{self.code}]"


# Suggestions rated below this are listed only on request (`convert lint --all-suggestions`): at
# this level and above, at least half of what the word rules suggest is a real typo (bench/typos.py).
SHOWN_CONFIDENCE = 0.5


@dataclass(frozen=True)
class Change:
    """One edit the normalizer made (or, for a suggestion, would make) to the Markdown."""

    rule: str
    path: Path | None
    line: int
    column: int
    before: str
    after: str
    message: str = ""
    applied: bool = True
    # How likely a suggestion is right, 0–1, where a rule can tell (the word rules); None: not rated.
    confidence: float | None = None

    @property
    def shown(self) -> bool:
        """Applied, or a suggestion confident enough for a plain `convert lint` to show."""
        return self.applied or self.confidence is None or self.confidence >= SHOWN_CONFIDENCE

    def to_dict(self) -> dict[str, Any]:
        data = {
            "rule": self.rule,
            "file": str(self.path) if self.path else None,
            "line": self.line,
            "column": self.column,
            "before": self.before,
            "after": self.after,
            "message": self.message,
            "applied": self.applied,
        }
        if self.confidence is not None:
            data["confidence"] = self.confidence
        return data


@dataclass
class Metadata:
    """Bibliographic facts about a document, mapped from its front matter and the theme."""

    title: str
    subtitle: str | None = None
    description: str | None = None
    date: str | None = None  # ISO 8601 (YYYY, YYYY-MM or YYYY-MM-DD)
    lang: str = "en"  # BCP 47
    # Where `lang` came from: {"source": "front matter" | "detected" | "--lang", "reason": …, "line": …}.
    lang_origin: dict[str, Any] = field(default_factory=dict)
    authors: list[str] = field(default_factory=list)
    publisher: str | None = None
    url: str | None = None
    keywords: list[str] = field(default_factory=list)
    # Front-matter keys we do not map are kept here, never dropped.
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def year(self) -> str | None:
        return self.date[:4] if self.date else None


@dataclass
class Document:
    """A Markdown document on its way through load → normalize → render → writers."""

    source: Path
    meta: Metadata
    body: str
    # 1-based line in the source file where `body` starts, so rules can report source lines.
    body_line: int = 1
    front_matter: dict[str, Any] = field(default_factory=dict)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    changes: list[Change] = field(default_factory=list)
    # The body as loaded, before the normalizer rewrote it (for locating findings in the file).
    original_body: str = ""
    # Link targets already reported as unusable (by the normalizer), so later stages say it once.
    reported_links: set[str] = field(default_factory=set)
    # The website the document is a page of (its images under `/…`, its address), when known.
    site: Site | None = None
    # Filled by later stages and shared by every writer (e.g. the pandoc AST).
    artifacts: dict[str, Any] = field(default_factory=dict)

    @property
    def name(self) -> str:
        return self.source.stem

    @property
    def base_dir(self) -> Path:
        return self.source.parent

    def line_of(self, text: str) -> int | None:
        """The source line where `text` first occurs, for locating findings made after parsing."""
        # Search what the author wrote: after normalizing, body lines no longer match the file's.
        original = self.original_body or self.body
        index = original.find(text)
        return None if index < 0 else self.body_line + original.count("\n", 0, index)

    def warn(self, code: str, message: str, line: int | None = None, column: int | None = None) -> None:
        self.diagnostics.append(Diagnostic("warning", code, message, self.source, line, column))

    def info(self, code: str, message: str, line: int | None = None) -> None:
        self.diagnostics.append(Diagnostic("info", code, message, self.source, line))
