"""The safety check after the rules: the rendered Markdown must carry the text of the edited tree.

Re-parsed, the rendered body must read as the edited tokens do. Where it does not, the top-level
blocks whose text differs are written back exactly as the author wrote them (verbatim tokens), the
rest of the document keeps its fixes, and the engine names each block it kept. Only a difference
that no block of the source can be blamed for (a moved footnote, a block a rule made up) leaves
the engine its last resort, the whole body as written.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from pipeline.normalize import markdown, math

if TYPE_CHECKING:
    from markdown_it.token import Token

# Each round keeps the blocks that failed; a block restored as written can make a neighbour render
# differently (a list marker), which the next round catches.
MAX_ROUNDS = 4


class UnsafeRender(ValueError):
    """The rendered Markdown lost or changed text, and no block of the source explains it."""


@dataclass(frozen=True)
class KeptBlock:
    """Source lines (0-based, end exclusive) written back as they were, and what they held."""

    start: int
    end: int
    kinds: tuple[str, ...]

    def describe(self) -> str:
        what = " and ".join(dict.fromkeys(k.removesuffix("_open").replace("container_", "fenced ").replace("_", " ")
                                          for k in self.kinds))
        return what or "block"


def plain_text(tokens: list[Token]) -> str:
    """The text a reader sees (plus code and link targets), whitespace-collapsed, for safety checks."""
    parts: list[str] = []

    def visit(toks: list[Token]) -> None:
        for tok in toks:
            if tok.children:
                visit(tok.children)
            if tok.type == markdown.VERBATIM and "text" in tok.meta:
                parts.append(tok.meta["text"])  # what the source lines it holds read as
            elif tok.type in (
                "text",
                "code_inline",
                "code_block",
                "fence",
                "html_block",
                "html_inline",
                "front_matter",
                markdown.VERBATIM,
                math.ESCAPE,
                *math.TYPES,
            ):
                parts.append(tok.content)
            elif tok.type in ("softbreak", "hardbreak"):
                parts.append(" ")
            elif tok.type == "link_open":
                parts.append(str(tok.attrs.get("href", "")))
            elif tok.type == "image":
                parts.append(str(tok.attrs.get("src", "")))
            if tok.block:
                parts.append(" ")

    visit(tokens)
    return " ".join("".join(parts).split())


def top_level_blocks(tokens: list[Token]) -> list[tuple[int, int]]:
    """(first, last) token index of every top-level block, in order."""
    blocks: list[tuple[int, int]] = []
    depth = 0
    for i, tok in enumerate(tokens):
        if depth == 0:
            blocks.append((i, i))
        depth += tok.nesting
        if depth == 0 and blocks:
            blocks[-1] = (blocks[-1][0], i)
    return blocks


def _differing(edited: list[str], reparsed: list[str]) -> set[int]:
    """Indexes of the edited blocks whose text the re-parse does not have in the same place."""
    from pipeline.normalize.engine import common_ends

    prefix, suffix = common_ends(edited, reparsed)
    middle_a, middle_b = edited[prefix:len(edited) - suffix], reparsed[prefix:len(reparsed) - suffix]
    found: set[int] = set()
    matcher = difflib.SequenceMatcher(None, middle_a, middle_b, autojunk=False)
    for tag, i1, i2, _j1, _j2 in matcher.get_opcodes():
        if tag == "equal":
            continue
        if i1 == i2:  # the re-parse has a block the tree has not: one of its neighbours split
            found.update(k for k in (i1 - 1, i1) if 0 <= k < len(middle_a))
        found.update(range(i1, i2))
    return {prefix + k for k in found}


def _adjacent_lists(tokens: list[Token], blocks: list[tuple[int, int]], failing: set[int]) -> set[int]:
    """The lists right before and after a failing list, of its kind.

    mdformat gives adjacent lists alternating markers so they stay apart; one kept as written keeps
    its own, and a neighbour rendered with the same one would merge with it on the next read.
    """
    found: set[int] = set()
    for k in failing:
        kind = tokens[blocks[k][0]].type
        if kind not in ("bullet_list_open", "ordered_list_open"):
            continue
        for step in (-1, 1):
            j = k + step
            while 0 <= j < len(blocks) and tokens[blocks[j][0]].type == kind:
                found.add(j)
                j += step
    return found


def _lines(tokens: list[Token], block: tuple[int, int], source: list[str]) -> tuple[int, int] | None:
    """The source lines of a block (0-based, end exclusive), closing fence included."""
    opener = tokens[block[0]]
    if not opener.map:
        return None
    start, end = opener.map
    # A fenced div's map stops before its closing `:::`.
    if opener.type.startswith("container_") and end < len(source) and source[end].strip() == opener.markup:
        end += 1
    return start, end


def _defines_footnotes(tokens: list[Token], spans: list[list[int]]) -> bool:
    """Whether a footnote is defined on these lines: markdown-it moved it to the end, where it is
    rendered again, so the lines cannot come back as written."""
    in_notes = False
    for token in tokens:
        in_notes = in_notes or token.type == "footnote_block_open"
        if in_notes and token.map and any(s[0] <= token.map[0] < s[1] for s in spans):
            return True
    return False


def _merge(ranges: list[list[int]]) -> list[list[int]]:
    merged: list[list[int]] = []
    for start, end in sorted(ranges):
        if merged and start < merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return merged


def _keep(tokens: list[Token], blocks: list[tuple[int, int]], failing: set[int], source: list[str],
          pristine: list[Token]) -> tuple[list[Token], list[KeptBlock]]:
    """Replace the failing blocks, and every block sharing source lines with them, by their source."""
    from markdown_it.token import Token

    ranges: list[list[int]] = []
    for k in sorted(failing):
        lines = _lines(tokens, blocks[k], source)
        if lines is None:
            kind = tokens[blocks[k][0]].type.removesuffix("_open").replace("_", " ")
            raise UnsafeRender(f"a {kind} without source lines (moved or made by a rule) does not keep its text")
        ranges.append(list(lines))
    # Blocks a rule split or moved share lines with the failing ones: they go back together, and
    # the ranges grow until no block straddles an edge.
    spans = [lines for block in blocks if (lines := _lines(tokens, block, source)) is not None]
    while True:
        merged = _merge(ranges)
        grown = _merge(merged + [list(s) for s in spans if any(s[0] < m[1] and m[0] < s[1] for m in merged)])
        if grown == merged:
            break
        ranges = grown
    if _defines_footnotes(tokens, merged):
        raise UnsafeRender("a block that defines a footnote does not keep its text")
    out: list[Token] = []
    kept: dict[int, KeptBlock] = {}  # per merged span
    verbatims: dict[int, Token] = {}
    for block in blocks:
        lines = _lines(tokens, block, source)
        at = next((n for n, s in enumerate(merged) if lines and s[0] <= lines[0] and lines[1] <= s[1]), None)
        if at is None:
            out += tokens[block[0]:block[1] + 1]
            continue
        refs = markdown.reference_labels(tokens[block[0]:block[1] + 1])
        if at in kept:  # the span's verbatim token is out already
            verbatims[at].meta["refs"] += refs
            kept[at] = KeptBlock(kept[at].start, kept[at].end, (*kept[at].kinds, tokens[block[0]].type))
            continue
        body = source[merged[at][0]:merged[at][1]]
        while body and not body[-1].strip():
            body.pop()
        start = merged[at][0]
        verbatim = Token(markdown.VERBATIM, "", 0, content="\n".join(body), map=[start, start + len(body)],
                         block=True)
        verbatim.meta["refs"] = refs
        # The text the re-parse must find there: the source's own blocks on those lines.
        verbatim.meta["text"] = " ".join(
            plain_text(pristine[a:b + 1]) for a, b in top_level_blocks(pristine)
            if (lines := _lines(pristine, (a, b), source)) and start <= lines[0] and lines[1] <= merged[at][1])
        out.append(verbatim)
        verbatims[at] = verbatim
        kept[at] = KeptBlock(start, start + len(body), (tokens[block[0]].type,))
    return out, list(kept.values())


def render_checked(tokens: list[Token], env: dict[str, Any], source: str) -> tuple[str, list[KeptBlock]]:
    """The rendered body and the blocks kept as written so that its re-parse carries the tree's text.

    `source` is the text `tokens` were parsed from (their line maps point into it). Raises
    UnsafeRender when the difference cannot be pinned on blocks of the source.
    """
    lines = re.split(r"\r\n?|\n", source.replace("\0", "\ufffd"))  # the lines markdown-it numbered
    kept: list[KeptBlock] = []
    pristine: list[Token] | None = None  # the source as parsed, before the rules: read when needed
    for _ in range(MAX_ROUNDS):
        body = markdown.render(tokens, env)
        reparsed, _ = markdown.parse(body)
        if plain_text(reparsed) == plain_text(tokens):
            return body, kept
        blocks, again = top_level_blocks(tokens), top_level_blocks(reparsed)
        failing = _differing([plain_text(tokens[a:b + 1]) for a, b in blocks],
                             [plain_text(reparsed[a:b + 1]) for a, b in again])
        # A block already kept as written that still reads differently was changed by its
        # neighbours (a list continuing into it, say): they go back as written too.
        failing |= {n for k in failing if tokens[blocks[k][0]].type == markdown.VERBATIM for n in (k - 1, k + 1)}
        failing = {k for k in failing if 0 <= k < len(blocks) and tokens[blocks[k][0]].type != markdown.VERBATIM}
        failing |= _adjacent_lists(tokens, blocks, failing)
        if not failing:
            raise UnsafeRender("the rendered Markdown does not carry the same text as the edited tree")
        if pristine is None:
            pristine, _ = markdown.parse(source)
        tokens, newly = _keep(tokens, blocks, failing, lines, pristine)
        kept = sorted([*kept, *newly], key=lambda b: b.start)
    raise UnsafeRender(f"the rendered Markdown still differs after keeping {len(kept)} blocks as written")
