"""TeX math, code, raw HTML and front matter come out of the normalizer byte for byte.

The oracle is independent of our parser: markdown-it with mdit-py-plugins' dollarmath plugin,
configured as pandoc reads dollars (no space inside the delimiters, `$$` inside paragraphs), and
pandoc itself for which spans are math.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from pipeline.normalize.markdown import format_text, parse
from pipeline.render import READER

from .helpers import corpus_files, run

PROTECTED = ("math_inline", "math_inline_double", "code_inline", "code_block", "fence", "html_block", "html_inline")


def _oracle():
    from markdown_it import MarkdownIt
    from mdit_py_plugins.dollarmath import dollarmath_plugin
    from mdit_py_plugins.footnote import footnote_plugin
    from mdit_py_plugins.front_matter import front_matter_plugin

    md = MarkdownIt("commonmark").enable(["table", "strikethrough"]).use(front_matter_plugin).use(footnote_plugin)
    dollarmath_plugin(md, allow_labels=False, allow_space=False, allow_blank_lines=False, double_inline=True)
    md.block.ruler.disable("math_block")
    return md


def protected_spans(text: str) -> list[tuple[str, str]]:
    """(type, exact content) of every math span, code span, code block, HTML and front matter."""
    found: list[tuple[str, str]] = []

    def visit(tokens) -> None:
        for token in tokens:
            if token.type in PROTECTED or token.type == "front_matter":
                # mdformat writes indented code as a fence: the same code.
                kind = "fence" if token.type == "code_block" else token.type
                found.append((kind, token.content))
            if token.children:
                visit(token.children)

    visit(_oracle().parse(text))
    return found


def pandoc_math(text: str) -> list[str]:
    import pypandoc

    out = subprocess.run([pypandoc.get_pandoc_path(), "-f", READER, "-t", "json"], input=text,
                         capture_output=True, text=True, check=True).stdout
    found: list[str] = []

    def visit(node) -> None:
        if isinstance(node, list):
            for item in node:
                visit(item)
        elif isinstance(node, dict):
            if node.get("t") == "Math":
                found.append(node["c"][1])
            else:
                visit(node.get("c"))

    visit(json.loads(out)["blocks"])
    return found


def our_math(text: str) -> list[str]:
    tokens, _ = parse(text)
    return [child.content for token in tokens for child in (token.children or [])
            if child.type in ("math_inline", "math_inline_double")]


EDGE_CASES = [
    r"$a $b$", r"2$x$", r"$x$5", r"$$x$$ y", r"\$x$ $y$", r"$x\$y$", r"$$ x $$", r"$ x$", r"a$x$b",
    r"$5 and $10", r"$x$$y$", r"$$x$", r"$x$$", r"`$x$`", r"[$x$](u)", r"$\text{a $b$}$", r"$a\\$",
    r"*$x$*", r"$x*y$ and *z*", r"$$a\\b$$", "$$\na\n\nb$$", r"$`x^2`$ and $``a`b``$", "$x\ny$", r"\\$x$",
    r"$x$_1", "$$\n\\begin{aligned}\na &= b \\\\\n2. &= c\n\\end{aligned}\n$$",
]


@pytest.mark.parametrize("text", EDGE_CASES)
def test_math_is_read_where_pandoc_reads_it(text: str) -> None:
    assert our_math(text) == pandoc_math(text)


@pytest.mark.parametrize("text", EDGE_CASES)
def test_math_comes_back_byte_for_byte(text: str) -> None:
    assert protected_spans(format_text(text)) == protected_spans(text)
    assert format_text(format_text(text)) == format_text(text)


def test_rules_never_touch_math() -> None:
    body = (
        "The prime in $C'$ and the sum $\\left[1000 \\times \\frac{a}{b}\\right]$ stay, as does\n"
        "\"quoted\" text -- and teh typo outside.\n\n"
        "> $$\n> \\begin{aligned} x &= \"y\" \\\\\n>   2. &= z -- w\n> \\end{aligned}\n> $$\n"
    )
    doc = run(body)
    assert protected_spans(doc.body) == protected_spans(body)
    assert "\u201cquoted\u201d" in doc.body  # the rules did run on the prose


def test_escaped_dollars_and_brackets_stay_escaped() -> None:
    # Without its backslash `\$x$` would become math; `\(a\)` is math on MathJax-configured sites.
    body = "Price \\$5 for \\$x$ and \\(a'\\) or \\[1\\] -- kept.\n"
    doc = run(body)
    assert "\\$5 for \\$x$" in doc.body
    assert "\\(a'\\)" in doc.body  # no curly quote between bracket escapes
    assert "\\[1\\]" in doc.body


@pytest.mark.corpus
@pytest.mark.slow
def test_corpus_math_code_html_and_front_matter_survive_lint_fix(tmp_path: Path) -> None:
    files = corpus_files()
    if not files:
        pytest.skip("corpus not found at ../shared/corpus")
    copies = []
    for path in files:
        copy = tmp_path / path.name
        shutil.copyfile(path, copy)
        copies.append(copy)
    done = subprocess.run([sys.executable, "-m", "pipeline", "lint", "--fix", *map(str, copies)],
                          capture_output=True, text=True, timeout=600)
    assert done.returncode in (0, 1), done.stderr[-2000:]
    total = 0
    for path, copy in zip(files, copies, strict=True):
        before = protected_spans(path.read_text(encoding="utf-8"))
        after = protected_spans(copy.read_text(encoding="utf-8"))
        assert after == before, path.name
        total += sum(kind.startswith("math") for kind, _ in before)
    assert total > 250  # the specification's formulas are among them


@pytest.mark.corpus
def test_corpus_math_agrees_with_pandoc() -> None:
    from pipeline.load import load_document

    files = corpus_files()
    if not files:
        pytest.skip("corpus not found at ../shared/corpus")
    for path in files:
        body = load_document(path).body
        ours, pandocs = our_math(body), pandoc_math(body)
        # Pandoc drops the indentation of a formula's continuation lines; the spans are the same.
        assert [" ".join(m.split()) for m in ours] == [" ".join(m.split()) for m in pandocs], path.name
