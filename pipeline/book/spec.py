"""The book file: which Markdown files make one book, in which order, under which title.

`book.yml` (or `[tool.pipeline.book]` in pyproject.toml, `[book]` in pipeline.toml)::

    title: OpenInfra Annual Reports
    subtitle: 2022–2025
    language: en
    theme: openinfra              # a theme name, or a folder relative to the book file
    author: OpenInfra Foundation   # optional, also `authors: [...]`
    date: 2025                     # optional
    output: openinfra-reports      # optional: the outputs' file name (default: the book folder's name)
    base_url: https://openinfra.dev/annual-report/   # optional: where the book folder is on the web
    chapters:
      - preface.md
      - file: costs.md             # a chapter with a title of its own (default: its front matter's)
        title: What it cost
      - part: The years            # a part: its chapters open under a part title
        chapters: [2022.md, 2023.md]

Every problem is a BookError naming the book file and line, raised before anything is built.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pipeline.errors import UsageError
from pipeline.load import MARKDOWN_SUFFIXES

BOOK_FILES = ("book.yml", "book.yaml")
MAX_BOOK_BYTES = 1024 * 1024
KEYS = ("title", "subtitle", "language", "lang", "theme", "author", "authors", "date", "description",
        "keywords", "output", "base_url", "chapters", "parts")
CHAPTER_KEYS = ("file", "title")
PART_KEYS = ("part", "title", "chapters")

LineOf = Callable[[tuple[Any, ...]], "int | None"]  # a key path in the book data → its line


class BookError(UsageError):
    """A book file that cannot be built: named with its line, nothing is written."""


@dataclass(frozen=True)
class Chapter:
    path: Path  # resolved, inside the book folder
    relative: str  # as a POSIX path relative to the book folder
    title: str | None = None  # the book file's title for it; else its own front matter's
    part: int | None = None  # index into Book.parts


@dataclass(frozen=True)
class Book:
    file: Path  # the book file (book.yml, pyproject.toml …)
    folder: Path  # where chapter paths are relative to
    title: str
    chapters: tuple[Chapter, ...]
    parts: tuple[str, ...] = ()
    subtitle: str | None = None
    language: str | None = None
    theme: str | None = None
    authors: tuple[str, ...] = ()
    date: str | None = None
    description: str | None = None
    keywords: tuple[str, ...] = ()
    output: str = "book"
    base_url: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def index_of(self, path: Path) -> int | None:
        """The chapter number of a file (resolved path), or None when it is not a chapter."""
        for index, chapter in enumerate(self.chapters):
            if chapter.path == path:
                return index
        return None


def is_book_file(path: Path) -> bool:
    return path.suffix.lower() in (".yml", ".yaml")


def book_file_in(folder: Path) -> Path | None:
    for name in BOOK_FILES:
        if (folder / name).is_file():
            return folder / name
    return None


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, (list, dict)):
        return None
    text = " ".join(str(value).split())
    return text or None


def _names(value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    items = value if isinstance(value, list) else [value]
    return tuple(t for t in (_text(v) for v in items) if t)


def from_mapping(data: Any, file: Path, folder: Path, line_of: LineOf) -> Book:
    """A Book from the book file's data; `line_of` finds the line of a key path for messages."""

    def fail(message: str, where: tuple[Any, ...] = ()) -> BookError:
        return BookError(message, file, line_of(where) if where else line_of(()) or 1)

    if not isinstance(data, dict):
        raise fail("a book file must be a mapping (title, chapters …)")
    for key in data:
        if key not in KEYS:
            close = difflib.get_close_matches(str(key), KEYS, n=1)
            raise fail(f"unknown key {key!r}" + (f" (did you mean {close[0]}?)" if close else
                                                 f"; known: {', '.join(KEYS)}"), (key,))
    title = _text(data.get("title"))
    if not title:
        raise fail("the book has no title (title: …)", ("title",) if "title" in data else ())
    entries: list[tuple[tuple[Any, ...], Any, int | None]] = []  # (key path, entry, part)
    parts: list[str] = []

    def add_part(where: tuple[Any, ...], part: dict[str, Any]) -> None:
        unknown = [k for k in part if k not in PART_KEYS]
        if unknown:
            raise fail(f"unknown key {unknown[0]!r} in a part (known: part, chapters)", (*where, unknown[0]))
        name = _text(part.get("part") or part.get("title"))
        if not name:
            raise fail("a part needs a title (part: …)", where)
        chapters = part.get("chapters")
        if not isinstance(chapters, list) or not chapters:
            raise fail(f"part {name!r} lists no chapters", where)
        parts.append(name)
        for index, entry in enumerate(chapters):
            entries.append(((*where, "chapters", index), entry, len(parts) - 1))

    listed = data.get("chapters")
    if listed is not None and not isinstance(listed, list):
        raise fail("chapters must be a list of Markdown files", ("chapters",))
    for index, entry in enumerate(listed or []):
        if isinstance(entry, dict) and ("part" in entry or "chapters" in entry):
            add_part(("chapters", index), entry)
        else:
            entries.append((("chapters", index), entry, None))
    more = data.get("parts")
    if more is not None and not isinstance(more, list):
        raise fail("parts must be a list of {part: title, chapters: [...]}", ("parts",))
    for index, part in enumerate(more or []):
        if not isinstance(part, dict):
            raise fail("a part is a mapping {part: title, chapters: [...]}", ("parts", index))
        add_part(("parts", index), part)
    if not entries:
        raise fail("the book lists no chapters (chapters: [first.md, …])", ("chapters",) if "chapters" in data else ())

    root = folder.resolve()
    chapters: list[Chapter] = []
    seen: dict[Path, tuple[Any, ...]] = {}
    for where, entry, part in entries:
        if isinstance(entry, dict):
            unknown = [k for k in entry if k not in CHAPTER_KEYS]
            if unknown:
                raise fail(f"unknown key {unknown[0]!r} in a chapter (known: file, title)", (*where, unknown[0]))
            name, chapter_title = entry.get("file"), _text(entry.get("title"))
        else:
            name, chapter_title = entry, None
        if not isinstance(name, str) or not name.strip():
            raise fail("a chapter must name a Markdown file", where)
        name = name.strip()
        if "://" in name or name.startswith("/") or Path(name).is_absolute():
            raise fail(f"chapter {name} is not a path inside the book's folder", where)
        target = (folder / name).resolve()
        if not target.is_relative_to(root):
            raise fail(f"chapter {name} is outside the book's folder", where)
        if target.suffix.lower() not in MARKDOWN_SUFFIXES:
            raise fail(f"chapter {name} is not a Markdown file (*.md, *.markdown)", where)
        if not target.is_file():
            raise fail(f"chapter {name} does not exist", where)
        if target in seen:
            first = line_of(seen[target])
            raise fail(f"chapter {name} is listed twice" + (f" (first on line {first})" if first else ""), where)
        seen[target] = where
        chapters.append(Chapter(target, target.relative_to(root).as_posix(), chapter_title, part))

    output = _text(data.get("output")) or root.name or "book"
    if "/" in output or output.startswith("."):
        raise fail(f"output {output!r} must be a file name without a folder", ("output",))
    base_url = _text(data.get("base_url"))
    if base_url is not None and not base_url.startswith(("http://", "https://")):
        raise fail(f"base_url {base_url!r} must be a web address (https://…)", ("base_url",))
    authors = _names(data.get("authors")) or _names(data.get("author"))
    return Book(
        file=file, folder=folder, title=title, chapters=tuple(chapters), parts=tuple(parts),
        subtitle=_text(data.get("subtitle")), language=_text(data.get("language") or data.get("lang")),
        theme=_text(data.get("theme")), authors=authors, date=_text(data.get("date")),
        description=_text(data.get("description")), keywords=_names(data.get("keywords")), output=output,
        base_url=base_url.rstrip("/") + "/" if base_url else None,
    )


def _yaml_lines(text: str) -> dict[tuple[Any, ...], int]:
    """The line of every key and list item of a YAML document, by its path."""
    import yaml

    lines: dict[tuple[Any, ...], int] = {}

    def visit(node: Any, path: tuple[Any, ...]) -> None:
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                child = (*path, key.value)
                lines[child] = key.start_mark.line + 1
                visit(value, child)
        elif isinstance(node, yaml.SequenceNode):
            for index, item in enumerate(node.value):
                lines[(*path, index)] = item.start_mark.line + 1
                visit(item, (*path, index))

    root = yaml.compose(text, Loader=yaml.SafeLoader)
    if root is not None:
        lines[()] = root.start_mark.line + 1
        visit(root, ())
    return lines


def load_book(path: Path) -> Book:
    """Read and check a book file (book.yml)."""
    import yaml

    path = Path(path)
    if not path.is_file():
        raise BookError("no such book file", path)
    if path.stat().st_size > MAX_BOOK_BYTES:
        raise BookError(f"is over {MAX_BOOK_BYTES // 1024} KB: not a book file", path)
    text = path.read_text(encoding="utf-8-sig")
    try:
        data = yaml.safe_load(text)
        lines = _yaml_lines(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise BookError(f"not valid YAML: {problem}", path, mark.line + 1 if mark else None) from None

    def line_of(where: tuple[Any, ...]) -> int | None:
        while where and where not in lines:
            where = where[:-1]
        return lines.get(where)

    return from_mapping(data, path, path.parent, line_of)


def book_from_config(config: Path, table: dict[str, Any]) -> Book:
    """A Book from `[tool.pipeline.book]` (pyproject.toml) or `[book]` (pipeline.toml), already parsed.

    TOML readers give no positions, so a problem's line is found by searching the file for the value
    or key it is about.
    """
    text = config.read_text(encoding="utf-8")
    all_lines = text.splitlines()
    header = next((n for n, line in enumerate(all_lines) if line.strip() in ("[tool.pipeline.book]", "[book]")), 0)

    def line_of(where: tuple[Any, ...]) -> int | None:
        node: Any = table
        for part in where:
            try:
                node = node[part]
            except (KeyError, IndexError, TypeError):
                break
        needles = [f'"{node}"', f"'{node}'"] if isinstance(node, str) else []
        needles += [f"{where[-1]} =", f"{where[-1]}="] if where and isinstance(where[-1], str) else []
        for number in range(header, len(all_lines)):
            if any(needle in all_lines[number] for needle in needles):
                return number + 1
        return header + 1

    return from_mapping(table, config, config.parent, line_of)
