"""A book's jobs: one per format, keyed by the book file and every chapter (and what they embed).

A change to one chapter changes the book's keys and nothing else's, so only the book's outputs are
rebuilt; the manifest records each chapter's hash.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from pipeline.batch.plan import Job, _normalizer_inputs, _referenced_files, file_sha256, job_key
from pipeline.book.spec import Book, BookError


def book_theme(book: Book, fallback: Any) -> Any:
    """The theme the book file names (a folder beside it, or a theme name), else `fallback`."""
    from pipeline.errors import ThemeError
    from pipeline.theme import load_theme

    if not book.theme:
        return fallback
    beside = (book.folder / book.theme).resolve()
    try:
        return load_theme(str(beside) if (beside / "brand.yml").is_file() else book.theme)
    except ThemeError as exc:
        raise BookError(f"theme: {exc.message}", book.file) from None


def book_jobs(source: Path, relative: Path, formats: list[str], extensions: dict[str, str], out_dir: Path,
              theme: Any, options: Any, *, own_theme: bool, normalize: bool, normalize_options: Any,
              format_versions: dict[str, dict[str, str]], max_input_bytes: int) -> list[Job]:
    from pipeline.book import load_any_book

    book = load_any_book(source)
    if own_theme:
        theme = book_theme(book, theme)
    chapters: list[tuple[str, str]] = []
    resources: list[str] = []
    inputs: set[str] = set()
    for chapter in book.chapters:
        with open(chapter.path, "rb") as handle:
            data = handle.read(max_input_bytes + 1)
        digest = hashlib.sha256(data).hexdigest() if len(data) <= max_input_bytes else file_sha256(chapter.path)
        chapters.append((chapter.relative, digest))
        folder = Path(chapter.relative).parent
        resources.extend(f"{(folder / name).as_posix()}" for name in _referenced_files(chapter.path, data))
        if normalize:
            inputs.update(_normalizer_inputs(chapter.path))
    resources.extend(f"chapter {name}:{digest}" for name, digest in chapters)
    book_hash = file_sha256(book.file)
    jobs = []
    for index, fmt in enumerate(formats):
        out_path = out_dir / relative / f"{book.output}{extensions[fmt]}"
        key = job_key(book_hash, fmt, theme.fingerprint, options, normalize, normalize_options, sorted(inputs),
                      format_versions[fmt], tuple(resources))
        jobs.append(Job(
            source=str(book.file), source_sha256=book_hash, format=fmt, out_path=str(out_path),
            theme=str(theme.root), options=options, normalize=normalize, normalize_options=normalize_options,
            write_report=normalize and index == 0, key=key, max_input_bytes=max_input_bytes,
            resources=tuple(resources), theme_fingerprint=theme.fingerprint, chapters=tuple(chapters),
        ))
    return jobs
