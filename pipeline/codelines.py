"""Code blocks as one element per source line, so wrapped lines can carry a continuation mark.

Pandoc's highlighted code already has a `span[id]` per line; plain code (no language, or one the
highlighter does not know) is one text. Here every line of every code block becomes its own block
(`span.code-line` for plain code), and the newlines between line elements go: the stylesheet
(`_content.css.j2`) then wraps a long line inside the text block with a hanging indent and marks
its continuation rows, while short lines, and so the columns of compiler output or a shell
transcript, stay exactly as written.
"""

from __future__ import annotations

import re

_BLOCK = re.compile(r"(<pre\b[^>]*>\s*<code\b[^>]*>)(.*?)(</code>\s*</pre>)", re.DOTALL)
_BETWEEN_LINES = re.compile(r"</span>\n(?=<span id=)")


def _lines(content: str) -> str:
    if content.startswith("<span id="):  # pandoc's highlighted lines
        return _BETWEEN_LINES.sub("</span>", content)
    if "<" in content:  # markup we do not know inside code: leave it as pandoc wrote it
        return content
    lines = content.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    return "".join(f'<span class="code-line">{line}</span>' for line in lines)


def split_code_lines(html: str) -> str:
    """`html` with each code block's lines as separate elements (see the module docstring)."""
    if "<pre" not in html:
        return html
    return _BLOCK.sub(lambda m: m.group(1) + _lines(m.group(2)) + m.group(3), html)
