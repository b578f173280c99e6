"""Bylines ("Jane Doe, Technical Editor, ACME" under an article's heading) marked for the writers.

A byline is print structure: the PDF sets it small under the heading, Word gives it the Byline
style, the EPUB and HTML a `byline` class. It is marked here, on pandoc's AST, never in the source:
a fenced div written into the Markdown would print as text on the website the page comes from.
"""

from __future__ import annotations

import re
from typing import Any

BYLINE_CLASS = "byline"
BYLINE_STYLE = "Byline"  # the Word paragraph style (pandoc's custom-style)

_PARTICLES = {
    "de", "da", "das", "do", "dos", "du", "del", "della", "der", "den", "di", "la", "le", "van", "von",
    "bin", "binti", "al", "el", "y", "ten", "ter", "zu", "e",
}
_NAME_WORD = re.compile(r"^(?:[A-Z][\w'’.-]*|[A-Z]\.)$")
# A byline without a comma names a group rather than a person ("OpenStack Technical Committee").
_GROUP = re.compile(r"\b(?:Committee|Team|Board|Council|Group|SIG|Staff|Editors|Maintainers|Authors)$")


def looks_like_byline(text: str) -> bool:
    """A short "Name, Role[, Organization]" line, or a short Title-Case group name."""
    text = " ".join(text.split())
    if not text or len(text) > 160 or text[-1] in ".!?:;" or "http" in text:
        return False
    parts = [p.strip() for p in text.split(",")]
    if len(parts) == 1:
        words = text.split()
        return 2 <= len(words) <= 6 and all(w[0].isupper() for w in words) and bool(_GROUP.search(text))
    name, roles = parts[0].split(), parts[1:]
    if not 2 <= len(name) <= 5 or not all(roles) or len(" ".join(roles).split()) > 16:
        return False
    if not (_NAME_WORD.match(name[0]) and _NAME_WORD.match(name[-1])):
        return False
    return all(_NAME_WORD.match(w) or w in _PARTICLES for w in name)


def mark_bylines(ast: dict[str, Any]) -> dict[str, Any]:
    """A copy of the AST whose bylines (a short paragraph right under a heading) are `byline` divs."""
    from pipeline.render import stringify

    def mark(blocks: list[Any]) -> list[Any] | None:
        out: list[Any] | None = None
        for index, block in enumerate(blocks):
            if index and blocks[index - 1].get("t") == "Header" and block.get("t") == "Para" \
                    and looks_like_byline(stringify(block["c"])):
                out = out if out is not None else list(blocks)
                out[index] = {"t": "Div", "c": [["", [BYLINE_CLASS], [["custom-style", BYLINE_STYLE]]], [block]]}
        return out

    def visit_all(blocks: list[Any]) -> list[Any]:
        marked = mark(blocks)
        blocks = marked if marked is not None else blocks
        result = []
        for block in blocks:
            if block.get("t") == "Div" and BYLINE_CLASS not in block["c"][0][1]:
                inner = visit_all(block["c"][1])
                block = block if inner is block["c"][1] else {"t": "Div", "c": [block["c"][0], inner]}
            result.append(block)
        return blocks if all(a is b for a, b in zip(result, blocks, strict=True)) else result

    blocks = visit_all(ast["blocks"])
    return ast if blocks is ast["blocks"] else {**ast, "blocks": blocks}
