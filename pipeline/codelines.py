"""Code blocks as one element per source line, so wrapped lines can carry a continuation mark.

Pandoc's highlighted code already has a `span[id]` per line; plain code (no language, or one the
highlighter does not know) is one text. Here every line of every code block becomes its own block
(`span.code-line` for plain code), and the newlines between line elements go: the stylesheet
(`_content.css.j2`) then wraps a long line inside the text block with a hanging indent and marks
its continuation rows, while short lines, and so the columns of compiler output or a shell
transcript, stay exactly as written.
"""

from __future__ import annotations

import html
import re

_BLOCK = re.compile(r"(<pre\b[^>]*>\s*<code\b[^>]*>)(.*?)(</code>\s*</pre>)", re.DOTALL)
_LINE = re.compile(r'<span id="([^"]*)">(.*?)</span>\n?(?=<span id=|$)', re.DOTALL)
_TAG = re.compile(r"<[^>]*>")
# A line this long may wrap (a text block holds about 100 characters of code at the print size,
# less inside a list or a quotation): only such lines get the continuation mark's background.
MAY_WRAP = 48


def _visible_length(markup: str) -> int:
    return len(html.unescape(_TAG.sub("", markup)))


def _line(markup: str, attributes: str) -> str:
    wraps = " long-line" if _visible_length(markup) > MAY_WRAP else ""
    return f'<span {attributes}class="code-line{wraps}">{markup}</span>'


def _lines(content: str) -> str:
    if content.startswith("<span id="):  # pandoc's highlighted lines
        return _LINE.sub(lambda m: _line(m.group(2), f'id="{m.group(1)}" '), content)
    if "<" in content:  # markup we do not know inside code: leave it as pandoc wrote it
        return content
    lines = content.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    return "".join(_line(line, "") for line in lines)


def split_code_lines(html: str) -> str:
    """`html` with each code block's lines as separate elements (see the module docstring)."""
    if "<pre" not in html:
        return html
    return _BLOCK.sub(lambda m: m.group(1) + _lines(m.group(2)) + m.group(3), html)
