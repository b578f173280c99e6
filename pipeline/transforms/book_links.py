"""Links of a book's chapter, before the link check: between chapters, and out of the book.

A link to another chapter (`[see](costs.md#staff)`) becomes `pipeline-book:N#staff`, a reference
the book's assembly (`pipeline.book.assemble`) turns into an internal link once every chapter's
final ids are known, so it works in every format. A link to a file outside the book's folder
becomes that file's web address when the book gives a `base_url`; otherwise it is kept as text
with a warning (BOOK001): a PDF or EPUB cannot follow a path on the author's disk.

Outside a book (no `book_chapter` artifact) the AST is returned as it is.
"""

from __future__ import annotations

import posixpath
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, unquote, urlsplit

from pipeline.render import walk

if TYPE_CHECKING:
    from pipeline.book.spec import Book
    from pipeline.document import Document

BOOK_SCHEME = "pipeline-book:"


@dataclass(frozen=True)
class ChapterContext:
    """What a chapter's passes need to know about the book it is in."""

    book: Book
    index: int


def chapter_reference(index: int, fragment: str) -> str:
    return f"{BOOK_SCHEME}{index}#{fragment}"


def parse_reference(url: str) -> tuple[int, str] | None:
    if not url.startswith(BOOK_SCHEME):
        return None
    number, _, fragment = url[len(BOOK_SCHEME):].partition("#")
    return (int(number), unquote(fragment)) if number.isdigit() else None


def _web_address(book: Book, target: Path) -> str | None:
    """`base_url` + the target's path relative to the book folder (`../blog/x.md` → …/blog/x.md)."""
    if not book.base_url:
        return None
    relative = posixpath.relpath(target.as_posix(), book.folder.resolve().as_posix())
    base = urlsplit(book.base_url)
    path = posixpath.normpath(posixpath.join(base.path, relative))
    if relative.endswith("/") and not path.endswith("/"):
        path += "/"
    return f"{base.scheme}://{base.netloc}{quote(path, safe='/%')}"


def resolve_book_links(ast: dict[str, Any], document: Document) -> dict[str, Any]:
    """Links to other chapters → book references; links out of the book → base_url or text."""
    context: ChapterContext | None = document.artifacts.get("book_chapter")
    if context is None:
        return ast
    book = context.book
    root = book.folder.resolve()
    here = document.base_dir.resolve()

    def visit(node: dict[str, Any]) -> Any:
        if node["t"] != "Link":
            return None
        attr, inlines, (url, title) = node["c"]
        parts = urlsplit(url)
        if parts.scheme or parts.netloc or url.startswith("#") or not parts.path:
            return None
        target = (here / unquote(parts.path)).resolve()
        index = book.index_of(target)
        if index is not None:
            return {"t": "Link", "c": [attr, inlines, [chapter_reference(index, unquote(parts.fragment)), title]]}
        if target.is_relative_to(root):
            return None  # a file of the book's own: the link check decides
        address = _web_address(book, target)
        if address is not None:
            fragment = f"#{parts.fragment}" if parts.fragment else ""
            return {"t": "Link", "c": [attr, inlines, [address + fragment, title]]}
        document.warn("BOOK001", f"link to {url!r} leads outside the book's folder; kept its text without the link "
                      f"(give base_url in {book.file.name} to link to it on the web)",
                      line=document.line_of(f"]({url}"))
        document.reported_links.add(url)
        return {"t": "Span", "c": [["", ["unlinked"], []], inlines]}

    return {**ast, "blocks": walk(ast["blocks"], visit)}
