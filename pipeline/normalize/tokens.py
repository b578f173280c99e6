"""Small helpers for reading and building markdown-it tokens."""

from __future__ import annotations

import bisect
import re

from markdown_it.token import Token


def text_of(children: list[Token] | None) -> str:
    """The visible text of inline children (code spans included, markup dropped)."""
    out: list[str] = []
    for child in children or []:
        if child.type in ("text", "code_inline", "text_special", "math_escape"):
            out.append(child.content)
        elif child.type in ("math_inline", "math_inline_double"):
            out.append(child.markup + child.content + child.markup)
        elif child.type in ("softbreak", "hardbreak"):
            out.append(" ")
        elif child.type == "image":
            out.append(text_of(child.children))
    return "".join(out)


def closing_index(tokens: list[Token], start: int) -> int:
    """Index of the token that closes the block opened at `start`."""
    depth = 0
    for i in range(start, len(tokens)):
        depth += tokens[i].nesting
        if depth == 0:
            return i
    return len(tokens) - 1


def heading_level(tok: Token) -> int:
    return int(tok.tag[1]) if tok.tag and tok.tag[0] == "h" and tok.tag[1:].isdigit() else 0


def set_heading_level(open_tok: Token, close_tok: Token, level: int) -> None:
    open_tok.tag = close_tok.tag = f"h{level}"
    # mdformat writes ATX headings from the markup; setext ones become ATX too.
    open_tok.markup = close_tok.markup = "#" * level


def make(type_: str, tag: str = "", nesting: int = 0, *, level: int = 0, block: bool = True, **kw: object) -> Token:
    tok = Token(type_, tag, nesting, level=level, block=block)
    for key, value in kw.items():
        setattr(tok, key, value)
    return tok


def inline_token(children: list[Token], level: int, map_: list[int] | None) -> Token:
    tok = make("inline", "", 0, level=level, children=children, content=text_of(children))
    tok.map = map_
    return tok


def paragraph(children: list[Token], level: int, map_: list[int] | None, hidden: bool = False) -> list[Token]:
    open_ = make("paragraph_open", "p", 1, level=level, hidden=hidden)
    open_.map = map_
    close = make("paragraph_close", "p", -1, level=level, hidden=hidden)
    return [open_, inline_token(children, level + 1, map_), close]


def heading(children: list[Token], level_in_tree: int, heading_lvl: int, map_: list[int] | None) -> list[Token]:
    open_ = make("heading_open", f"h{heading_lvl}", 1, level=level_in_tree, markup="#" * heading_lvl)
    open_.map = map_
    close = make("heading_close", f"h{heading_lvl}", -1, level=level_in_tree, markup="#" * heading_lvl)
    return [open_, inline_token(children, level_in_tree + 1, map_), close]


def strip_edges(children: list[Token]) -> list[Token]:
    """Drop leading/trailing whitespace-only text and break tokens."""
    kids = list(children)
    while kids and (
        kids[0].type in ("softbreak", "hardbreak") or (kids[0].type == "text" and not kids[0].content.strip())
    ):
        kids.pop(0)
    while kids and (
        kids[-1].type in ("softbreak", "hardbreak") or (kids[-1].type == "text" and not kids[-1].content.strip())
    ):
        kids.pop()
    return kids


def wrapping_emphasis(children: list[Token]) -> tuple[int, int] | None:
    """(open, close) indexes when one emphasis/strong pair wraps all of `children`, else None."""
    if len(children) < 3 or children[0].type not in ("strong_open", "em_open"):
        return None
    close_type = children[0].type.replace("_open", "_close")
    depth = 0
    for i, child in enumerate(children):
        if child.type == children[0].type:
            depth += 1
        elif child.type == close_type:
            depth -= 1
            if depth == 0:
                return (0, i) if i == len(children) - 1 else None
    return None


# Syntax a site generator evaluates before the Markdown is read: Hugo shortcodes, Go, Jinja or
# Liquid template tags (`{{< figure src="x" >}}`, `{{% note %}}`, `{{video "https://…"}}`,
# `{% include x.html %}`), and MDX/JSX expressions holding a string (`{'  '}at span`). Their quotes,
# spaces and URLs are code: a curly quote or a squeezed space there breaks the page or changes what
# it prints. A JSX expression needs a quote so that braces in prose (`{app.name}`, set notation)
# stay text. No `{` inside and bounded lengths keep the scan linear on a paragraph of braces.
_TEMPLATE = re.compile(r"\{\{[^{]{0,500}?\}\}|\{%[^{]{0,500}?%\}|\{(?=[^{}\n]{0,200}?['\"])[^{}\n]{0,200}\}")
# Stands for a child that is not text (code, HTML, link markup): it can sit inside a shortcode, but
# its content must not open or close one.
_OTHER = "\ufffc"


def template_spans(children: list[Token]) -> dict[int, list[tuple[int, int]]]:
    """For each text child of an inline, its spans inside a shortcode, template tag or JSX expression.

    Found on the inline's text as a whole: emphasis or a line break inside a shortcode
    (`{{< figure caption="A *big* cat" >}}`) splits it across several text tokens.
    """
    if not any(c.type == "text" and "{" in c.content for c in children):
        return {}
    parts: list[str] = []
    offsets: list[int] = []
    position = 0
    for child in children:
        offsets.append(position)
        if child.type == "text":
            piece = child.content
        elif child.type in ("softbreak", "hardbreak"):
            piece = "\n"
        else:
            piece = _OTHER
        parts.append(piece)
        position += len(piece)
    joined = "".join(parts)
    out: dict[int, list[tuple[int, int]]] = {}
    for m in _TEMPLATE.finditer(joined):
        k = bisect.bisect_right(offsets, m.start()) - 1
        while k < len(children) and offsets[k] < m.end():
            child = children[k]
            if child.type == "text":
                start = max(m.start(), offsets[k]) - offsets[k]
                end = min(m.end(), offsets[k] + len(child.content)) - offsets[k]
                if start < end:
                    out.setdefault(k, []).append((start, end))
            k += 1
    return out


def overlaps_any(spans: list[tuple[int, int]], start: int, end: int) -> bool:
    return any(s < end and start < e for s, e in spans)
