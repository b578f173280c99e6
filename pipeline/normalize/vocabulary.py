"""Project and theme vocabulary: preferred spellings of terms, and words that are never corrected.

A vocabulary file has one term per line, written the way it must appear (`GitHub`, `Kata Containers`);
`#` starts a comment. Like markdownlint's MD044 `names` and Vale's accept list, a term both protects the
word from spelling rules and fixes its capitalization (`Github` → `GitHub`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

VOCABULARY_FILE = "vocabulary.txt"


def builtin_vocabulary() -> Path:
    """The general vocabulary that ships with the package (`GitHub`, `PostgreSQL`, `macOS` …)."""
    return Path(__file__).with_name("data") / VOCABULARY_FILE


def vocabulary_files(document_dir: Path | None, project_root: Path | None) -> list[Path]:
    """The vocabularies every run reads, lowest priority first: the built-in one, then the
    project's (beside its config file, or at its root) and the one beside the document.

    The same document gets the same vocabulary wherever it lives, inside this repository or in a
    user's own folder; a project's and a document's own files only add to it.
    """
    files = [builtin_vocabulary()]
    for folder in (project_root, document_dir):
        if folder is not None:
            files.append(folder / VOCABULARY_FILE)
    return files


@dataclass
class Vocabulary:
    terms: dict[str, str] = field(default_factory=dict)  # lower-case term → preferred spelling
    words: set[str] = field(default_factory=set)  # lower-case words of every term, protected
    sources: list[Path] = field(default_factory=list)
    _pattern: re.Pattern[str] | None = None

    def add(self, term: str) -> None:
        term = " ".join(term.split())
        if not term:
            return
        self.terms[term.lower()] = term
        self.words.update(w.lower() for w in re.findall(r"[\w'’.-]+", term))
        self._pattern = None

    def protects(self, word: str) -> bool:
        return word.lower() in self.words

    def pattern(self) -> re.Pattern[str] | None:
        """One regex matching any term as a whole word, case-insensitively (longest terms first)."""
        if self._pattern is None and self.terms:
            alternatives = sorted(self.terms, key=len, reverse=True)
            body = "|".join(r"\s+".join(map(re.escape, t.split())) for t in alternatives)
            # Never inside identifiers, paths, domains or hyphenated names (`python-openstackclient`).
            self._pattern = re.compile(rf"(?<![\w@/\\.#-])(?:{body})(?![\w@/\\-]|\.\w)", re.IGNORECASE)
        return self._pattern


@lru_cache(maxsize=64)
def _read_terms(path: Path, mtime: float) -> tuple[str, ...]:
    terms = []
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            terms.append(line)
    return tuple(terms)


def load_vocabulary(paths: Iterable[Path]) -> Vocabulary:
    """Merge the vocabulary files that exist, in order (later files win for the same term)."""
    vocab = Vocabulary()
    seen: set[Path] = set()
    for path in paths:
        try:
            resolved = path.resolve()
            if resolved in seen or not resolved.is_file():
                continue
            seen.add(resolved)
            terms = _read_terms(resolved, resolved.stat().st_mtime)
        except (OSError, UnicodeDecodeError):
            continue
        vocab.sources.append(resolved)
        for term in terms:
            vocab.add(term)
    return vocab
