"""A table of contents written by hand in the source is left out: every format makes its own.

Site Markdown often carries its own contents: a list whose every item is a link to one of the
document's headings (GitHub READMEs, markdown-toc between `<!-- toc -->` markers), or a marker a
site generator expands (`[TOC]`, `[[_TOC_]]`, `[[toc]]`, kramdown's `{:toc}`). In the PDF, DOCX,
EPUB and HTML page it would repeat the real contents without page numbers. Such a list, its
markers and a heading that introduces nothing else are dropped, and the document says so
(REND004). Lists that merely contain some internal links are kept.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pipeline.document import Document

MIN_LINKS = 3
_MARKER = re.compile(r"^\s*(?:\[toc\]|\[\[_?toc_?\]\]|\{:\s*\.?toc\s*\}|\$\{toc\})\s*$", re.IGNORECASE)
_TOC_COMMENT = re.compile(r"^\s*<!--\s*(?:/?toc\b|tocstop|end\s*toc|start\s*toc|table of contents)[^>]*-->\s*$",
                          re.IGNORECASE)
_LISTS = ("BulletList", "OrderedList")
_IGNORABLE = ("Space", "SoftBreak", "LineBreak")


def _item_links(blocks: list[dict[str, Any]]) -> int | None:
    """Links in a contents entry (its own link plus those of its sub-list), or None if it is not one."""
    if not blocks or blocks[0]["t"] not in ("Plain", "Para"):
        return None
    inlines = [node for node in blocks[0]["c"] if node["t"] not in _IGNORABLE]
    if len(inlines) != 1 or inlines[0]["t"] != "Link" or not inlines[0]["c"][2][0].startswith("#"):
        return None
    count = 1
    for block in blocks[1:]:
        nested = _list_links(block)
        if nested is None:
            return None
        count += nested
    return count


def _list_links(block: dict[str, Any]) -> int | None:
    """The number of links when `block` is a list of nothing but internal links, else None."""
    if block["t"] not in _LISTS:
        return None
    items = block["c"] if block["t"] == "BulletList" else block["c"][1]
    total = 0
    for item in items:
        links = _item_links(item)
        if links is None:
            return None
        total += links
    return total


def _is_marker(block: dict[str, Any]) -> bool:
    from pipeline.render import stringify

    if block["t"] in ("RawBlock",) and block["c"][0] == "html":
        return bool(_TOC_COMMENT.match(block["c"][1]))
    if block["t"] in ("Para", "Plain"):
        return bool(_MARKER.match(stringify(block["c"])))
    return False


def _heading_level(block: dict[str, Any] | None) -> int | None:
    return block["c"][0] if block is not None and block["t"] == "Header" else None


def drop_manual_toc(ast: dict[str, Any], document: Document) -> dict[str, Any]:
    """The AST without hand-written contents (top-level blocks only), each dropped one reported."""
    from pipeline.render import stringify

    blocks = ast["blocks"]
    drop: set[int] = set()
    for index, block in enumerate(blocks):
        if _is_marker(block):
            drop.add(index)
            if block["t"] != "RawBlock":
                document.warn("REND004", f"contents marker {stringify(block['c']).strip()!r} left out: every format "
                                         "has its own contents", line=document.line_of(stringify(block["c"]).strip()))
            continue
        links = _list_links(block)
        if links is None or links < MIN_LINKS:
            continue
        drop.add(index)
        before = index - 1
        while before >= 0 and _is_marker(blocks[before]):
            before -= 1
        after = index + 1
        while after < len(blocks) and _is_marker(blocks[after]):
            after += 1
        level = _heading_level(blocks[before] if before >= 0 else None)
        following = _heading_level(blocks[after] if after < len(blocks) else None)
        targets = _targets(block)
        heading = ""
        if level is not None and (after == len(blocks) or (following is not None and following <= level)
                                  or f"#{blocks[before]['c'][1][0]}" in targets):
            drop.add(before)  # a heading over nothing but the contents, or one the contents list
            heading = f" and its heading {stringify(blocks[before]['c'][2])!r}"
        document.warn("REND004", f"hand-written table of contents ({links} links){heading} left out: "
                                 "every format has its own", line=document.line_of(f"]({targets[0]})"))
    if not drop:
        return ast
    return {**ast, "blocks": [block for index, block in enumerate(blocks) if index not in drop]}


def _targets(block: dict[str, Any]) -> list[str]:
    from pipeline.render import elements

    return [node["c"][2][0] for node in elements(block) if node["t"] == "Link"]
