"""Page footnotes: each pandoc `Note` becomes an inline span at its call site.

Pandoc's HTML collects notes at the end of the document (`section.footnotes`); WeasyPrint can only
float an element to the foot of the page it is called on (`float: footnote`) if the note's text
sits where the call is. So before the PDF's HTML is made, every Note in the AST is replaced by a
`Span.footnote` holding the note's content. Notes may hold blocks (paragraphs, lists, code), but a
span may hold only phrasing content — a `<p>` inside a `<span>` would end the enclosing paragraph
when the HTML is parsed — so blocks become spans with a class (`fn-p`, `fn-li`, `fn-pre`) that the
print CSS displays as blocks.
"""

from __future__ import annotations

from typing import Any

from pipeline.render import elements, stringify, walk

Node = dict[str, Any]


def _span(classes: list[str], inlines: list[Node]) -> Node:
    return {"t": "Span", "c": [["", classes, []], inlines]}


def _list_marker(kind: str, attrs: Any, index: int) -> str:
    if kind == "BulletList":
        return "• "
    start = attrs[0] if isinstance(attrs, list) and attrs else 1
    return f"{start + index}. "


def blocks_to_inlines(blocks: list[Node]) -> list[Node]:
    """Phrasing content for a note's blocks: each block a span the CSS shows as a block."""
    out: list[Node] = []
    for block in blocks:
        kind, content = block.get("t"), block.get("c")
        if kind in ("Para", "Plain"):
            out.append(_span(["fn-p"], content))
        elif kind == "Header":
            out.append(_span(["fn-p", "fn-h"], content[2]))
        elif kind == "LineBlock":
            lines: list[Node] = []
            for i, line in enumerate(content):
                lines.extend(([{"t": "LineBreak"}] if i else []) + line)
            out.append(_span(["fn-p"], lines))
        elif kind == "CodeBlock":
            out.append(_span(["fn-pre"], [{"t": "Code", "c": content}]))
        elif kind in ("BulletList", "OrderedList"):
            items = content if kind == "BulletList" else content[1]
            attrs = None if kind == "BulletList" else content[0]
            for index, item in enumerate(items):
                marker = {"t": "Str", "c": _list_marker(kind, attrs, index)}
                # The item's first paragraph runs on from its marker; later blocks stack below.
                first = item[0]["c"] if item and item[0].get("t") in ("Para", "Plain") else None
                rest = blocks_to_inlines(item[1:] if first is not None else item)
                out.append(_span(["fn-li"], [marker, *(first or []), *rest]))
        elif kind == "DefinitionList":
            for term, definitions in content:
                out.append(_span(["fn-p", "fn-dt"], term))
                for definition in definitions:
                    out.extend(blocks_to_inlines(definition))
        elif kind in ("BlockQuote", "Div"):
            inner = content if kind == "BlockQuote" else content[1]
            out.append(_span(["fn-quote"] if kind == "BlockQuote" else ["fn-div"], blocks_to_inlines(inner)))
        elif kind == "Figure":
            # The picture, then its caption (caption blocks are Plain: one fn-p span each).
            out.extend(blocks_to_inlines(content[2]))
            out.extend(blocks_to_inlines(content[1][1]))
        elif kind == "RawBlock":
            out.append({"t": "RawInline", "c": content})
        elif kind == "Table":
            # A table in a footnote is rare and cannot be floated as a table; keep its words.
            out.append(_span(["fn-p"], [{"t": "Str", "c": _table_text(block)}]))
        # HorizontalRule and unknown blocks carry no text worth keeping in a note.
    return out


def _table_text(table: Node) -> str:
    cells: list[str] = []

    def visit(node: Node) -> None:
        if node.get("t") in ("Para", "Plain"):
            cells.append(stringify(node["c"]))

    walk(table.get("c"), visit)
    return " · ".join(c for c in cells if c)


def _label_headings(node: Node) -> Any:
    """A heading that calls a note gets its plain text as `title`.

    Running heads and bookmarks take a heading's text; with the note inside it they would also
    take the note's number. The print CSS reads `title` instead when it is there.
    """
    if node.get("t") != "Header" or not has_notes({"blocks": node["c"][2]}):
        return None
    level, (ident, classes, attrs), inlines = node["c"]
    attrs = [kv for kv in attrs if kv[0] != "title"] + [["title", stringify(inlines).strip()]]
    return {"t": "Header", "c": [level, [ident, classes, attrs], inlines]}


def inline_notes(ast: dict[str, Any]) -> tuple[dict[str, Any], int]:
    """A copy of the AST whose notes are `Span.footnote`s at their call sites, and how many there were.

    Only the top-level blocks that hold a note are rebuilt; the others are shared with `ast` (the
    copy is only serialised for pandoc). Rebuilding every block cost 40 ms on a document of the
    seed's size, in the PDF step's thread that competes with the stylesheet's parsing.
    """
    count = 0

    def visit(node: Node) -> Any:
        nonlocal count
        if node["t"] != "Note":
            return None
        count += 1
        return _span(["footnote"], blocks_to_inlines(node["c"]))

    blocks = [walk(walk(block, _label_headings), visit) if has_notes({"blocks": [block]}) else block
              for block in ast["blocks"]]
    return {**ast, "blocks": blocks}, count


def has_notes(ast: dict[str, Any]) -> bool:
    return any(node["t"] == "Note" for node in elements(ast["blocks"]))
