"""Reading text the way a reader sees it: the HTML rendering of Markdown, reduced to its words."""

from __future__ import annotations

import html
import re
from functools import lru_cache

from markdown_it import MarkdownIt


@lru_cache(maxsize=1)
def _html_parser() -> MarkdownIt:
    from mdit_py_plugins.container import container_plugin
    from mdit_py_plugins.footnote import footnote_plugin
    from mdit_py_plugins.front_matter import front_matter_plugin

    md = MarkdownIt("commonmark").enable(["table", "strikethrough"])
    md.use(front_matter_plugin).use(footnote_plugin)
    md.use(container_plugin, "div", validate=lambda params, *_: bool(params.strip()))
    return md


def rendered_text(markdown: str) -> str:
    """The visible text of the rendered HTML, whitespace-collapsed (as mdformat's safety check does)."""
    out = _html_parser().render(markdown)
    out = re.sub(r"<[^>]+>", " ", out)
    return " ".join(html.unescape(out).split())
