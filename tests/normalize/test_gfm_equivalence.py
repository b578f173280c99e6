"""`lint --fix` keeps the page valid for its own site: a GFM renderer sees only the recorded changes.

The original and the fixed file are rendered by markdown-it-py in GFM mode (tables, strikethrough,
autolinks, task lists, footnotes), block by block. Every top-level block whose HTML differs must lie
on a line where a rule recorded a change; a change recorded as formatting only (FMT001) explains
nothing, since it says the page is unchanged. Over the seed and the whole public corpus.
"""

from __future__ import annotations

import difflib
import re
from functools import lru_cache
from pathlib import Path
from typing import Any

import pytest

from pipeline.document import Document
from pipeline.normalize import NormalizeOptions, normalize

from .helpers import SEED, THEME, corpus_params, load, run

FORMAT_ONLY = "FMT001"


@lru_cache(maxsize=1)
def _gfm() -> Any:
    from markdown_it import MarkdownIt
    from mdit_py_plugins.footnote import footnote_plugin
    from mdit_py_plugins.tasklists import tasklists_plugin

    return MarkdownIt("gfm-like").use(footnote_plugin).use(tasklists_plugin)


def _canonical(html: str) -> str:
    html = re.sub(r">\s+<", "><", html)
    return " ".join(html.split())


def gfm_blocks(text: str) -> list[tuple[tuple[int, int] | None, str]]:
    """((first line, end line) or None, canonical HTML) of each top-level block as GFM renders it."""
    md = _gfm()
    env: dict[str, Any] = {}
    tokens = md.parse(text, env)
    blocks: list[tuple[tuple[int, int] | None, str]] = []
    start = 0
    depth = 0
    for index, token in enumerate(tokens):
        depth += token.nesting
        if depth == 0:
            chunk = tokens[start:index + 1]
            opener = chunk[0]
            where = (opener.map[0], opener.map[1]) if opener.map else None
            blocks.append((where, _canonical(md.renderer.render(chunk, md.options, env))))
            start = index + 1
    return blocks


def unexplained_differences(original: str, fixed: str, document: Document) -> list[str]:
    """The blocks whose GFM HTML differs where no rule (other than formatting) recorded a change."""
    explaining = [c.line - document.body_line for c in document.changes if c.applied and c.rule != FORMAT_ONLY]
    before, after = gfm_blocks(original), gfm_blocks(fixed)
    matcher = difflib.SequenceMatcher(None, [h for _, h in before], [h for _, h in after], autojunk=False)
    problems = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            continue
        spans = [where for where, _ in before[max(0, i1 - (tag == "insert")):max(i2, i1 + 1)] if where]
        if not spans and explaining:
            continue  # footnote definitions: the renderer moves them, without lines
        if any(first <= line < end for first, end in spans for line in explaining):
            continue
        old = " ".join(h for _, h in before[i1:i2])[:300]
        new = " ".join(h for _, h in after[j1:j2])[:300]
        lines = ", ".join(f"{document.body_line + a}-{document.body_line + b - 1}" for a, b in spans) or "?"
        problems.append(f"lines {lines}: {old!r} → {new!r}")
    return problems


def _options(path: Path) -> NormalizeOptions:
    return NormalizeOptions(theme_dir=THEME if path.name.startswith("openinfra") else None)


@pytest.mark.corpus
@pytest.mark.slow
@pytest.mark.parametrize("path", [*corpus_params(), pytest.param(SEED, id="seed")])
def test_fixed_file_renders_like_the_original_on_a_gfm_site(path: Path) -> None:
    document = load(path)
    original = document.body
    normalize(document, _options(path))
    assert unexplained_differences(original, document.body, document) == []


@pytest.mark.parametrize(
    "body",
    [
        "## Article\n\nJane Doe, Technical Editor, ACME\n\nText.\n",  # a byline stays a paragraph
        "::: tip\n\nVitePress container\n\n:::\n",  # blank lines inside a container are kept
        ":::note\nDocusaurus admonition\n:::\n",
        "See [ref]({{< ref \"other.md\" >}}) and ![x]({{ site.baseurl }}/a.png).\n",
        "Go to [Описание](#Описание) or [Москва](https://ru.wikipedia.org/wiki/Москва).\n",
    ],
)
def test_site_syntax_survives_a_fix(body: str) -> None:
    document = run(body)
    assert unexplained_differences(body, document.body, document) == []


def test_a_difference_nobody_recorded_is_found() -> None:
    """The check itself: a change that no rule recorded is reported (else it proves nothing)."""
    document = run("Some *text*.\n")
    assert unexplained_differences("Some *text*.\n", "Some text.\n", document) != []
