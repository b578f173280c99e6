"""A book's chapters, each prepared on its own, assembled into one document every writer takes.

Each chapter is loaded and normalized by itself (its change report and warnings name its own file
and lines), parsed into its own AST with its own links checked and images embedded from its own
folder. The book is then one AST: part titles, for each chapter a chapter heading (its title,
subtitle and byline from its front matter) with the chapter's headings one or two levels below it,
ids made unique across chapters, and links between chapters made internal. Writers get an
ordinary Document (a BookDocument) with that AST already in place, so every format has one cover,
one contents and continuous numbering without knowing it is a book.

Ids: a chapter keeps the ids its own passes gave it (so an anchor pass that runs per chapter, such
as a site generator's slugs, keeps working); an id already taken by an earlier chapter becomes
`<chapter-id>-<id>`, and the chapter's links to it follow.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pipeline.document import Diagnostic, Document, Metadata
from pipeline.render import elements, outline, stringify, walk
from pipeline.transforms.book_links import ChapterContext, parse_reference

if TYPE_CHECKING:
    from pipeline.book.spec import Book
    from pipeline.theme import Theme

_HTML_ID = re.compile(r"""(\b(?:id|name)\s*=\s*["'])([^"']+)(["'])""", re.IGNORECASE)
_HTML_FRAGMENT = re.compile(r"""(\bhref\s*=\s*["']#)([^"']+)(["'])""", re.IGNORECASE)
_HTML_SOURCE = re.compile(r"""(\b(?:src|poster)\s*=\s*["'])([^"':#?]+)(["'])""", re.IGNORECASE)
_SLUG = re.compile(r"[^\w]+", re.UNICODE)
_SCHEME = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:")
# A page break for Word (other formats ignore raw OpenXML): chapters open on a new page there too.
_WORD_PAGE_BREAK = {"t": "RawBlock", "c": ["openxml", '<w:p><w:r><w:br w:type="page"/></w:r></w:p>']}


_QUOTED = re.compile(r"'([^'\n]{4,})'")


@dataclass
class BookDocument(Document):
    """The assembled book: an ordinary Document whose name is the book's output name."""

    output_name: str = "book"

    @property
    def name(self) -> str:
        return self.output_name

    def warn(self, code: str, message: str, line: int | None = None, column: int | None = None) -> None:
        """A writer's warning about the book goes to the chapter whose text it quotes (an image's
        address, a link), with that chapter's line; else to the book file."""
        if line is None:
            for quoted in _QUOTED.findall(message):
                for chapter in self.artifacts.get("chapters", ()):
                    found = chapter.line_of(quoted)
                    if found is not None:
                        self.diagnostics.append(Diagnostic("warning", code, message, chapter.source, found, column))
                        return
        super().warn(code, message, line, column)


@dataclass
class _Layout:
    """What assembly decided for one chapter: its heading, level shift and id renames."""

    heading_id: str
    heading_inlines: list[dict[str, Any]]
    drop_first_heading: bool
    level: int  # of the chapter heading: 1, or 2 in a part
    top: int  # the highest heading level inside the chapter
    renames: dict[str, str] = field(default_factory=dict)
    ids: set[str] = field(default_factory=set)


def _slug(text: str) -> str:
    return _SLUG.sub("-", text.lower()).strip("-_") or "chapter"


def _unique(candidate: str, taken: set[str]) -> str:
    ident, number = candidate, 2
    while ident in taken:
        ident, number = f"{candidate}-{number}", number + 1
    taken.add(ident)
    return ident


def _inlines(text: str) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for word in text.split():
        if out:
            out.append({"t": "Space"})
        out.append({"t": "Str", "c": word})
    return out


def _ids(blocks: list[dict[str, Any]]) -> list[str]:
    found: list[str] = []
    for node in elements(blocks):
        content = node.get("c")
        if node["t"] in ("RawBlock", "RawInline") and content[0] == "html":
            found.extend(match.group(2) for match in _HTML_ID.finditer(content[1]))
            continue
        attr = content[0] if isinstance(content, list) and content else None
        if node["t"] == "Header":
            attr = content[1]
        if isinstance(attr, list) and len(attr) == 3 and isinstance(attr[0], str) and attr[0]:
            found.append(attr[0])
    return list(dict.fromkeys(found))


def _same_text(first: str, second: str) -> bool:
    return " ".join(first.split()).casefold() == " ".join(second.split()).casefold()


def _rebase(url: str, prefix: str) -> str:
    """A path relative to a chapter's folder, made relative to the book's folder."""
    if not prefix or not url or url.startswith(("#", "/", "data:")) or _SCHEME.match(url) or url.startswith("//"):
        return url
    import posixpath

    return posixpath.normpath(posixpath.join(prefix, url))


class Assembly:
    def __init__(self, book: Book, chapters: list[Document], chapter_break: str) -> None:
        self.book, self.chapters, self.chapter_break = book, chapters, chapter_break
        self.layouts: list[_Layout] = []
        self.links: dict[tuple[int, str], str] = {}  # (chapter, book reference) → "#final-id"
        taken: set[str] = set()
        self.part_ids = [_unique(_slug(name), taken) for name in book.parts]
        for index, document in enumerate(chapters):
            self.layouts.append(self._layout(index, document, taken))
        for index, document in enumerate(chapters):
            self._resolve_links(index, document)

    def _layout(self, index: int, document: Document, taken: set[str]) -> _Layout:
        spec = self.book.chapters[index]
        blocks = document.artifacts["ast"]["blocks"]
        title = spec.title or document.meta.title
        top = min((h["c"][0] for h in elements(blocks) if h["t"] == "Header"), default=1)
        first = blocks[0] if blocks and blocks[0]["t"] == "Header" and blocks[0]["c"][0] == top else None
        drop = first is not None and _same_text(stringify(first["c"][2]), title)
        inlines = first["c"][2] if drop and first is not None else _inlines(title)
        wanted = first["c"][1][0] if drop and first is not None and first["c"][1][0] else _slug(title)
        heading_id = _unique(wanted, taken)
        # A chapter in a part sits one level below the part; one outside (a preface) is top-level.
        layout = _Layout(heading_id, inlines, drop, 2 if spec.part is not None else 1, top)
        own = _ids(blocks[1:] if drop else blocks)
        for ident in own:
            if ident == wanted and drop:
                continue
            renamed = _unique(ident if ident not in taken else f"{heading_id}-{ident}", taken)
            if renamed != ident:
                layout.renames[ident] = renamed
            layout.ids.add(ident)
        if drop:
            layout.ids.add(wanted)
            if wanted != heading_id:
                layout.renames[wanted] = heading_id
        return layout

    def _target(self, index: int, fragment: str) -> str | None:
        layout = self.layouts[index]
        if not fragment:
            return layout.heading_id
        if fragment in layout.ids or fragment in layout.renames:
            return layout.renames.get(fragment, fragment)
        return None

    def _resolve_links(self, index: int, document: Document) -> None:
        """Every link to another chapter, to its final id; a fragment that is not there warns once."""
        for node in elements(document.artifacts["ast"]["blocks"]):
            if node["t"] != "Link":
                continue
            url = node["c"][2][0]
            reference = parse_reference(url)
            if reference is None or (index, url) in self.links:
                continue
            chapter, fragment = reference
            target = self._target(chapter, fragment)
            if target is None:
                name = self.book.chapters[chapter].relative
                document.warn("BOOK002", f"link to {name}#{fragment}: {name} has no heading or anchor "
                              f"{fragment!r}; it links to the chapter's start instead",
                              line=document.line_of(f"#{fragment})"))
                target = self.layouts[chapter].heading_id
            self.links[(index, url)] = f"#{target}"

    def blocks(self, key: str) -> list[dict[str, Any]]:
        """The book's blocks from each chapter's `key` AST ("ast", or "embedded_ast")."""
        out: list[dict[str, Any]] = []
        current_part: int | None = None
        for index, document in enumerate(self.chapters):
            spec, layout = self.book.chapters[index], self.layouts[index]
            if spec.part is not None and spec.part != current_part:
                current_part = spec.part
                if out and self.chapter_break != "none":
                    out.append(_WORD_PAGE_BREAK)
                out.append({"t": "Header", "c": [1, [self.part_ids[spec.part], ["part"], []],
                                                 _inlines(self.book.parts[spec.part])]})
            elif out and self.chapter_break != "none":
                out.append(_WORD_PAGE_BREAK)
            out.append({"t": "Header", "c": [layout.level, [layout.heading_id, ["chapter"], []],
                                             layout.heading_inlines]})
            out.extend(self._front_matter(document))
            blocks = document.artifacts[key]["blocks"]
            out.extend(self._chapter_blocks(index, blocks[1:] if layout.drop_first_heading else blocks))
        return out

    def _front_matter(self, document: Document) -> list[dict[str, Any]]:
        """The chapter's own subtitle and authors, under its heading."""
        blocks = []
        if document.meta.subtitle:
            blocks.append({"t": "Div", "c": [["", ["chapter-subtitle"], [["custom-style", "Subtitle"]]],
                                             [{"t": "Para", "c": _inlines(document.meta.subtitle)}]]})
        if document.meta.authors:
            blocks.append({"t": "Div", "c": [["", ["byline"], [["custom-style", "Byline"]]],
                                             [{"t": "Para", "c": _inlines(", ".join(document.meta.authors))}]]})
        return blocks

    def _chapter_blocks(self, index: int, blocks: list[dict[str, Any]]) -> list[dict[str, Any]]:
        layout = self.layouts[index]
        renames = layout.renames
        folder = Path(self.book.chapters[index].relative).parent.as_posix()
        prefix = "" if folder == "." else folder

        def rename_attr(attr: list[Any]) -> list[Any]:
            return [renames.get(attr[0], attr[0]), attr[1], attr[2]] if attr[0] in renames else attr

        def raw(text: str) -> str:
            text = _HTML_ID.sub(lambda m: m.group(1) + renames.get(m.group(2), m.group(2)) + m.group(3), text)
            text = _HTML_FRAGMENT.sub(lambda m: m.group(1) + renames.get(m.group(2), m.group(2)) + m.group(3), text)
            return _HTML_SOURCE.sub(lambda m: m.group(1) + _rebase(m.group(2), prefix) + m.group(3), text)

        def visit(node: dict[str, Any]) -> Any:
            kind, content = node["t"], node.get("c")
            if kind == "Header":
                level = min(6, content[0] - layout.top + 1 + layout.level)
                return {"t": "Header", "c": [level, rename_attr(content[1]), content[2]]}
            if kind in ("RawBlock", "RawInline") and content[0] == "html":
                return {"t": kind, "c": ["html", raw(content[1])]}
            if kind in ("Link", "Image"):
                url = content[2][0]
                if (index, url) in self.links:
                    url = self.links[(index, url)]
                elif url.startswith("#"):
                    url = "#" + renames.get(url[1:], url[1:])
                else:
                    url = _rebase(url, prefix)
                return {"t": kind, "c": [rename_attr(content[0]), content[1], [url, content[2][1]]]}
            if kind in ("Div", "Span", "CodeBlock", "Code", "Table", "Figure") and renames:
                return {"t": kind, "c": [rename_attr(content[0]), *content[1:]]}
            return None

        return walk(blocks, visit)


def book_metadata(book: Book, publisher: str | None) -> Metadata:
    from pipeline.metadata import map_metadata

    front = {"title": book.title, "subtitle": book.subtitle, "lang": book.language, "date": book.date,
             "author": list(book.authors) or None, "description": book.description,
             "keywords": list(book.keywords) or None}
    return map_metadata({k: v for k, v in front.items() if v is not None}, "", default_publisher=publisher)


def prepare_book(path: Path, theme: Theme, *, run_normalizer: bool = True, normalize_options: Any = None,
                 max_input_bytes: int | None = None, allowed_hosts: tuple[str, ...] = (),
                 site_root: Path | None = None, lang: str | None = None) -> BookDocument:
    """Load, normalize and parse every chapter of the book at `path`, then assemble the book.

    `lang` (the command line's) overrides every chapter's language; else a chapter without a `lang`
    of its own speaks the book's.
    """
    from pipeline.book import load_any_book
    from pipeline.convert import prepare
    from pipeline.pdf.settings import print_settings
    from pipeline.render import embedded_ast
    from pipeline.writers import WriteOptions

    book = load_any_book(Path(path))
    limits = {"max_input_bytes": max_input_bytes} if max_input_bytes else {}
    chapters: list[Document] = []
    for index, chapter in enumerate(book.chapters):
        document = prepare(chapter.path, theme, run_normalizer=run_normalizer, normalize_options=normalize_options,
                           site_root=site_root, lang=lang, allowed_hosts=allowed_hosts, **limits)
        document.artifacts["book_chapter"] = ChapterContext(book, index)
        origin = document.meta.lang_origin or {}
        if book.language and origin.get("source") == "detected":
            # A chapter speaks the book's language unless it (or --lang) says otherwise.
            document.meta.lang = book.language
            document.meta.lang_origin = {"source": "book", "lang": book.language}
        embedded_ast(document)  # parsed with its own links and images, from its own folder
        chapters.append(document)
    assembly = Assembly(book, chapters, print_settings(theme, WriteOptions()).chapter_break)
    meta = book_metadata(book, theme.tokens["name"])
    document = BookDocument(source=book.file, meta=meta, body="", output_name=book.output)
    for chapter in chapters:
        document.diagnostics.extend(chapter.diagnostics)
        document.changes.extend(chapter.changes)
        document.reported_links.update(chapter.reported_links)
    ast = {**chapters[0].artifacts["ast"], "blocks": assembly.blocks("ast"), "meta": {}}
    document.artifacts.update(
        ast=ast,
        embedded_ast={**ast, "blocks": assembly.blocks("embedded_ast")},
        outline=outline(ast),
        chapters=chapters,
        book=book,
        allowed_hosts=allowed_hosts,
        epub_split_level=2 if book.parts else 1,
        running_head_style="Heading 2" if book.parts else "Heading 1",  # Word's header: the chapter's title
    )
    return document
