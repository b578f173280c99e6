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
from typing import TYPE_CHECKING, Any

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
    return md.renderer.render(tokens, md.options, dict(env))


def format_text(text: str) -> str:
    """Parse and render, with no rule applied: the canonical form of `text`."""
    tokens, env = parse(text)
    return render(tokens, env)
