"""The Markdown dialect the normalizer reads and writes.

CommonMark + GFM tables, strikethrough and task lists + footnotes + pandoc fenced divs, parsed with
markdown-it-py and rendered back with mdformat's renderer. Pandoc's `commonmark_x` reader, which the
writers use, understands every construct we emit, so both sides agree on what the text means.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any, NamedTuple

if TYPE_CHECKING:
    from markdown_it import MarkdownIt
    from markdown_it.token import Token
    from mdformat.renderer import RenderContext, RenderTreeNode

# The container plugin names its tokens after this; every fenced div shares it.
DIV = "div"
DIV_OPEN = f"container_{DIV}_open"
DIV_CLOSE = f"container_{DIV}_close"

_DIV_PARAMS = re.compile(r"^\s*(\{[^{}\n]*\}|[\w-]+(?:\s*\{[^{}\n]*\})?)\s*$")


def _is_fenced_div(params: str, *_: Any) -> bool:
    # Pandoc only opens a div when the fence carries attributes or a class word; a bare `:::` closes.
    return bool(_DIV_PARAMS.match(params))


def _render_div(node: RenderTreeNode, context: RenderContext) -> str:
    marker = node.markup or ":::"
    inner = "\n\n".join(child.render(context) for child in node.children)
    info = node.info.strip()
    closing = marker
    if inner:
        return f"{marker} {info}\n{inner}\n{closing}"
    return f"{marker} {info}\n{closing}"


def _render_front_matter(node: RenderTreeNode, context: RenderContext) -> str:
    # Front matter is never touched: it comes back byte for byte.
    return f"{node.markup}\n{node.content}{node.markup}" if node.content else f"{node.markup}\n{node.markup}"


_TICK_BOX = re.compile(r"^\[([ xX])\](?![(\[:])", flags=re.MULTILINE)


def _escape_tick_box(text: str, node: RenderTreeNode, context: RenderContext) -> str:
    # mdformat-gfm escapes every line-initial `[x]`, which also breaks a link whose text is "x"
    # (`[x](url)` → `\[x\](url)`); only a bare tick box needs escaping.
    return _TICK_BOX.sub(r"\[\g<1>\]", text)


def _gfm_renderers() -> SimpleNamespace:
    import mdformat.plugins

    gfm = mdformat.plugins.PARSER_EXTENSIONS["gfm"]
    postprocessors = dict(gfm.POSTPROCESSORS)
    postprocessors["paragraph"] = _escape_tick_box
    return SimpleNamespace(CHANGES_AST=False, RENDERERS=gfm.RENDERERS, POSTPROCESSORS=postprocessors)


_OWN_PLUGIN = SimpleNamespace(
    CHANGES_AST=False,
    RENDERERS={f"container_{DIV}": _render_div, "front_matter": _render_front_matter},
    POSTPROCESSORS={},
)


@lru_cache(maxsize=1)
def parser() -> MarkdownIt:
    """The shared markdown-it parser, configured for mdformat's renderer (built once per process)."""
    import mdformat.plugins
    from markdown_it import MarkdownIt
    from mdformat.renderer import MDRenderer
    from mdit_py_plugins.container import container_plugin
    from mdit_py_plugins.front_matter import front_matter_plugin
    from mdit_py_plugins.tasklists import tasklists_plugin

    md = MarkdownIt("commonmark", renderer_cls=MDRenderer)
    md.options["mdformat"] = {
        "wrap": "keep",
        "number": False,
        "end_of_line": "lf",
        # Orphan footnote definitions are text too: never drop them.
        "plugin": {"footnote": {"keep_orphans": True}},
    }
    md.options["store_labels"] = True
    extensions = mdformat.plugins.PARSER_EXTENSIONS
    # Only the renderers of mdformat-gfm: its parser half would auto-link bare URLs itself, and we
    # want that done (and recorded) by the LINK rules instead.
    md.options["parser_extension"] = [
        extensions["tables"],
        _gfm_renderers(),
        extensions["footnote"],
        _OWN_PLUGIN,
    ]
    md.enable(["table", "strikethrough"])
    md.use(front_matter_plugin).use(tasklists_plugin)
    # mdformat-footnote's own setup: footnotes plus a reorder step that keeps orphan definitions,
    # which markdown-it alone would silently drop.
    extensions["footnote"].update_mdit(md)
    md.use(container_plugin, DIV, validate=_is_fenced_div)
    return md


def parse(text: str) -> tuple[list[Token], dict[str, Any]]:
    """Parse Markdown into markdown-it's flat token stream and its environment (references)."""
    env: dict[str, Any] = {}
    tokens = parser().parse(text, env)
    return tokens, env


def render(tokens: Sequence[Token], env: dict[str, Any]) -> str:
    """Render tokens back to canonical Markdown with mdformat's renderer."""
    md = parser()
    return md.renderer.render_tree(build_tree(tokens), md.options, dict(env))


class _Nester(NamedTuple):
    # The shape of markdown-it's private `_NesterTokens`: what the renderers read from a container.
    opening: Token
    closing: Token


@lru_cache(maxsize=1)
def _node_class() -> type[RenderTreeNode]:
    from mdformat.renderer import RenderTreeNode

    class Node(RenderTreeNode):
        """A render node that knows its place among its siblings.

        markdown-it's `next_sibling`/`previous_sibling` search the parent's children list, and
        mdformat asks for the next sibling of every text node: quadratic in a paragraph of many
        links or emphasis runs. The index set when the tree is built makes both O(1).
        """

        _index = 0

        @property
        def next_sibling(self) -> Node | None:
            siblings = self.siblings
            return siblings[self._index + 1] if self._index + 1 < len(siblings) else None

        @property
        def previous_sibling(self) -> Node | None:
            return self.siblings[self._index - 1] if self._index > 0 else None

    return Node


def build_tree(tokens: Sequence[Token]) -> RenderTreeNode:
    """mdformat's render tree for `tokens`, built in one pass.

    `SyntaxTreeNode(tokens)` copies every container's token slice once per nesting level, which
    is quadratic in the depth (thousands of nested emphasis markers took seconds); this builds the
    same tree with a stack. Unbalanced tokens raise ValueError, as there.
    """
    node_class = _node_class()
    root = node_class()
    _attach_children(root, tokens, node_class)
    return root


def _attach_children(parent: RenderTreeNode, tokens: Sequence[Token], node_class: type[RenderTreeNode]) -> None:
    stack = [parent]
    openers: list[Token] = []
    for tok in tokens:
        if tok.nesting == -1:
            if not openers:
                raise ValueError(f"closing token without an opening one: {tok.type}")
            node = stack.pop()
            node.nester_tokens = _Nester(openers.pop(), tok)
            continue
        node = node_class()
        container = stack[-1]
        node._parent = container
        node._index = len(container._children)  # type: ignore[attr-defined]
        container._children.append(node)
        if tok.nesting == 1:
            # Set for real when the closing token arrives; `type` is read from the opening one.
            node.nester_tokens = _Nester(tok, tok)
            stack.append(node)
            openers.append(tok)
        else:
            node.token = tok
            if tok.children:
                _attach_children(node, tok.children, node_class)
    if openers:
        raise ValueError(f"unclosed tokens starting {openers[0].type}")


def format_text(text: str) -> str:
    """Parse and render, with no rule applied: the canonical form of `text`."""
    tokens, env = parse(text)
    return render(tokens, env)
