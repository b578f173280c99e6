"""Books: one PDF, DOCX, EPUB and HTML from an ordered list of Markdown files (see `spec`).

`convert book.yml --to all` builds a book, and so does a folder holding a book.yml (found at any
depth under a folder given to convert: its Markdown files are the book's, not documents of their
own). The book file may also be `[tool.pipeline.book]` in pyproject.toml or `[book]` in
pipeline.toml.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pipeline.book.spec import BOOK_FILES, Book, BookError, book_file_in, book_from_config, is_book_file, load_book

__all__ = ["Book", "BookError", "find_books", "is_book_input", "load_any_book"]

CONFIG_FILES = ("pipeline.toml", "pyproject.toml")


def _config_table(path: Path) -> dict[str, Any] | None:
    """The book table of a project file: `[book]` in pipeline.toml, `[tool.pipeline.book]` in pyproject.toml."""
    from pipeline.runconfig import project_table

    table = project_table(path).get("book")
    return table if isinstance(table, dict) else None


def load_any_book(path: Path) -> Book:
    """A book from a book file or from a config file's book table."""
    if path.name in CONFIG_FILES:
        table = _config_table(path)
        if table is None:
            raise BookError("has no book table ([tool.pipeline.book] or, in pipeline.toml, [book])", path)
        return book_from_config(path, table)
    return load_book(path)


def book_source_in(folder: Path) -> Path | None:
    """The file that makes `folder` a book: book.yml, else a config file with a book table."""
    found = book_file_in(folder)
    if found is not None:
        return found
    for name in CONFIG_FILES:
        if (folder / name).is_file() and _config_table(folder / name) is not None:
            return folder / name
    return None


def is_book_input(path: Path) -> bool:
    """True for a book file given as input (book.yml, or a config file with a book table)."""
    if not path.is_file():
        return False
    if path.name in CONFIG_FILES:
        return _config_table(path) is not None
    return is_book_file(path)


def find_books(paths: list[Path], out_dir: Path | None = None) -> tuple[list[tuple[Path, Path]], list[Path],
                                                                          tuple[str, ...]]:
    """Split convert's inputs into books and documents.

    Returns (book source, its folder relative to the input root) for every book, the inputs left
    for documents, and exclusion patterns that keep the books' Markdown out of those inputs.
    """
    books: list[tuple[Path, Path]] = []
    rest: list[Path] = []
    excludes: list[str] = []
    for path in paths:
        if is_book_input(path):
            books.append((path, Path(".")))
            continue
        if not path.is_dir():
            rest.append(path)
            continue
        source = book_source_in(path)
        if source is not None:
            books.append((source, Path(".")))
            continue
        nested = sorted(found for name in BOOK_FILES for found in path.rglob(name)
                        if not any(part.startswith(".") for part in found.relative_to(path).parts)
                        and not (out_dir is not None and found.resolve().is_relative_to(out_dir.resolve())))
        outer: list[Path] = []
        for found in nested:
            folder = found.parent
            if any(folder.is_relative_to(other) for other in outer):
                continue  # a book inside a book is the outer book's
            outer.append(folder)
            relative = folder.relative_to(path)
            books.append((found, relative))
            excludes.append(f"{relative.as_posix()}/*")
        if outer and not _has_other_markdown(path, outer, out_dir):
            continue
        rest.append(path)
    return books, rest, tuple(excludes)


def _has_other_markdown(root: Path, books: list[Path], out_dir: Path | None) -> bool:
    from pipeline.load import MARKDOWN_SUFFIXES

    for candidate in root.rglob("*"):
        if candidate.suffix.lower() not in MARKDOWN_SUFFIXES or not candidate.is_file():
            continue
        if any(candidate.is_relative_to(book) for book in books):
            continue
        if any(part.startswith(".") for part in candidate.relative_to(root).parts):
            continue
        if out_dir is not None and candidate.resolve().is_relative_to(out_dir.resolve()):
            continue
        return True
    return False
