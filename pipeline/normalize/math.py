"""TeX math in the normalizer: read exactly where pandoc reads it, written back byte for byte.

Pandoc's `commonmark_x+tex_math_gfm` reader (pipeline/render.py) takes `$…$` (no space after the
opening `$` or before the closing one, braces nested, `\\$` never closes), `$$…$$` anywhere in a
paragraph, and GitHub's `` $`…`$ `` and ```` ```math ```` fences as math. The inline rule here
follows the same rules (a fence is a code block already), so the normalizer and the writers agree
on what is math; its tokens (`math_inline`, `math_inline_double`) hold the TeX, which no rule reads
and the renderer writes back as it was.

Two escapes are kept as written, because dropping them changes what a reader sees: `\\$` (without
its backslash a `$` may open math) and the bracket escapes `\\(`, `\\)`, `\\[`, `\\]`, which
CommonMark and GitHub print as brackets but MathJax-configured sites (Hugo's passthrough, MkDocs'
arithmatex) read as math delimiters. Text between such brackets is shielded from the rules.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from markdown_it import MarkdownIt
    from markdown_it.rules_core import StateCore
    from markdown_it.rules_inline import StateInline
    from markdown_it.token import Token
    from mdformat.renderer import RenderContext, RenderTreeNode

INLINE = "math_inline"
DISPLAY = "math_inline_double"
ESCAPE = "math_escape"
TYPES = frozenset([INLINE, DISPLAY])
_KEPT_ESCAPES = frozenset(["\\$", "\\(", "\\)", "\\[", "\\]"])
_BRACKETS = {"\\(": "\\)", "\\[": "\\]"}


def _closing_dollar(src: str, start: int, end: int, double: bool) -> int:
    """Index of the `$` (or `$$`) closing math whose TeX starts at `start`, or -1.

    Backslash escapes skip the next character; a `$` inside braces does not close
    (`$\\text{a $b$}$` is one formula, as pandoc reads it).
    """
    depth = 0
    i = start
    while i < end:
        char = src[i]
        if char == "\\":
            i += 2
            continue
        if char == "{":
            depth += 1
        elif char == "}":
            depth = max(depth - 1, 0)
        elif char == "$" and depth == 0:
            if not double:
                return i
            if src.startswith("$$", i):
                return i
        i += 1
    return -1


def _gfm_math(state: StateInline, silent: bool) -> bool:
    """GitHub's `` $`x^2`$ ``: a code span between dollars (pandoc's tex_math_gfm)."""
    src, start, end = state.src, state.pos, state.posMax
    ticks = start + 1
    while ticks < end and src[ticks] == "`":
        ticks += 1
    fence = src[start + 1 : ticks]
    closing = src.find(fence + "$", ticks, end)
    while closing != -1 and (src[closing - 1] == "`" or src.startswith("`", closing + len(fence))):
        closing = src.find(fence + "$", closing + 1, end)
    if closing == -1 or closing == ticks:
        return False
    if not silent:
        token = state.push(INLINE, "math", 0)
        token.content = src[ticks:closing]
        token.markup = "$" + fence
        token.info = "gfm"
    state.pos = closing + len(fence) + 1
    return True


def _push(state: StateInline, silent: bool, kind: str, content: str, markup: str, end: int) -> bool:
    if not silent:
        token = state.push(kind, "math", 0)
        token.content = content
        token.markup = markup
    state.pos = end
    return True


def dollar_math(state: StateInline, silent: bool) -> bool:
    """Inline rule: `$…$` and `$$…$$` as pandoc's CommonMark reader reads them."""
    src, start, end = state.src, state.pos, state.posMax
    if src[start] != "$":
        return False
    if start + 1 < end and src[start + 1] == "`":
        return _gfm_math(state, silent)
    if src.startswith("$$", start) and start + 2 < end:
        closing = _closing_dollar(src, start + 2, end, True)
        if closing > start + 2:
            return _push(state, silent, DISPLAY, src[start + 2 : closing], "$$", closing + 2)
        return False  # the next `$` may still open inline math, as in pandoc
    if start + 1 >= end or src[start + 1].isspace():
        return False
    closing = _closing_dollar(src, start + 1, end, False)
    if closing <= start + 1 or src[closing - 1].isspace():
        return False
    return _push(state, silent, INLINE, src[start + 1 : closing], "$", closing + 1)


def _keep_escapes(state: StateCore) -> None:
    """Escapes whose backslash matters become `math_escape` tokens, which text_join leaves alone."""
    for token in state.tokens:
        if token.type != "inline" or not token.children:
            continue
        for child in token.children:
            if child.type == "text_special" and child.info == "escape" and child.markup in _KEPT_ESCAPES:
                child.type = ESCAPE


def use_math(md: MarkdownIt) -> None:
    """Teach a markdown-it parser pandoc's TeX math (see the module docstring)."""
    md.inline.ruler.before("escape", "dollar_math", dollar_math)
    md.core.ruler.before("text_join", "keep_math_escapes", _keep_escapes)


# mdformat strips and escapes the lines of a paragraph (`#`, `>`, `2.` at a line start): inside a
# formula they are TeX. Its line breaks travel as this character until the paragraph is done.
_NEWLINE = "\U0010ffee"


def render_math(node: RenderTreeNode, context: RenderContext) -> str:
    token = node.token
    assert token is not None  # math is a leaf
    closing = token.markup[::-1] if token.info == "gfm" else token.markup
    content = token.content
    if "\n" in content and _NEWLINE not in content:
        content = content.replace("\n", _NEWLINE)
    return f"{token.markup}{content}{closing}"


def restore_newlines(text: str, node: RenderTreeNode, context: RenderContext) -> str:
    return text.replace(_NEWLINE, "\n") if _NEWLINE in text else text


def render_escape(node: RenderTreeNode, context: RenderContext) -> str:
    return node.markup


RENDERERS: dict[str, Any] = {INLINE: render_math, DISPLAY: render_math, ESCAPE: render_escape}
POSTPROCESSORS: dict[str, Any] = {"paragraph": restore_newlines}


def bracket_spans(children: list[Token]) -> dict[int, list[tuple[int, int]]]:
    """For each text child between `\\(`…`\\)` or `\\[`…`\\]` escapes, its whole span: rules keep out."""
    out: dict[int, list[tuple[int, int]]] = {}
    closing = ""
    inside: list[int] = []
    for index, child in enumerate(children):
        if child.type == ESCAPE and not closing and child.markup in _BRACKETS:
            closing, inside = _BRACKETS[child.markup], []
        elif child.type == ESCAPE and closing and child.markup == closing:
            for k in inside:
                out[k] = [(0, len(children[k].content))]
            closing = ""
        elif closing and child.type == "text":
            inside.append(index)
    return out
