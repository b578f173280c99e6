"""Idempotence and robustness: CommonMark spec examples and generated Markdown."""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import example as known_example
from hypothesis import strategies as st

from .helpers import HERE, run

SPEC = json.loads((HERE / "fixtures" / "commonmark_spec.json").read_text(encoding="utf-8"))


def test_commonmark_spec_examples_never_crash_and_are_idempotent() -> None:
    failures = []
    fallbacks = 0
    for example in SPEC:
        once = run(example["markdown"])
        fallbacks += any(d.code == "NORM000" for d in once.diagnostics)
        twice = run(once.body)
        if twice.body != once.body:
            failures.append(example["example"])
    assert failures == []
    # The safety net may keep a pathological example unchanged, but it must stay the exception.
    assert fallbacks <= 10


WORDS = st.sampled_from(
    [
        "the",
        "teh",
        "with",
        "with",
        "a",
        "sucessful",
        "Zuul",
        "OpenStack",
        "Github",
        "whoe",
        "2-4",
        '"quoted"',
        "it's",
        "example.org/path",
        "https://x.org/a_(b)",
        "mail@example.org",
        "`code`",
        "*em*",
        "**strong**",
        "[link](openinfra.dev/x)",
        "%255E",
        ",",
        " ,",
        "Name",
        "&amp;",
        "\\",
        "<b>x</b>",
    ]
)
LINE = st.lists(WORDS, min_size=1, max_size=12).map(" ".join)


@st.composite
def documents(draw: st.DrawFn) -> str:
    blocks = []
    for _ in range(draw(st.integers(1, 8))):
        kind = draw(st.sampled_from(["heading", "para", "list", "bold", "byline", "code", "quote", "wrapped"]))
        line = draw(LINE)
        if kind == "heading":
            blocks.append("#" * draw(st.integers(1, 6)) + " " + draw(st.sampled_from(["", "**"])) + line)
        elif kind == "list":
            items = draw(st.lists(LINE, min_size=1, max_size=4))
            blocks.append("\n".join(draw(st.sampled_from(["* ", "- ", "1. "])) + i for i in items))
        elif kind == "bold":
            blocks.append(f"**{line}**" + draw(st.sampled_from(["", "\\", "  "])))
        elif kind == "byline":
            blocks.append("Jane Doe, " + line)
        elif kind == "code":
            blocks.append("```\n" + line + "\n```")
        elif kind == "quote":
            blocks.append("> " + line)
        elif kind == "wrapped":
            blocks.append(line + "\n" + draw(LINE))
        else:
            blocks.append(line)
    return "\n\n".join(blocks) + "\n"


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(documents())
@known_example("teh Github Github\n\n# Github\n")  # found by this test: the doubled word counted twice as Dutch
# found by this test: 101 characters, a heading only once the doubled words were gone
@known_example("**the the the the the the the sucessful example.org/path https://x.org/a_(b) https://x.org/a_(b) "
               "**strong****\n\n# the\n")
def test_generated_markdown_is_idempotent(text: str) -> None:
    once = run(text)
    twice = run(once.body)
    assert twice.body == once.body


@settings(max_examples=100, deadline=None)
@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=200))
def test_arbitrary_text_never_raises(text: str) -> None:
    once = run(text)
    assert isinstance(once.body, str)


@pytest.mark.parametrize(
    "text",
    ["", "\n", "# \n", "**\n", "::: {.byline}\n:::\n", "[x]()\n", "- \\\n", "\\\n", "| a |\n|---|\n| b |\n",
     # A doubled name that TYPO003 re-cases: TYPO002 counts the word without case on both runs.
     "Github\n\n# Github Github\n"],
)
def test_edge_cases_are_idempotent(text: str) -> None:
    once = run(text)
    assert run(once.body).body == once.body


@pytest.mark.parametrize(
    ("text", "kept"),
    [
        ("| &nbsp; |\n|---|\n", "| &#160; |"),  # found by fuzz/run.py: the cell came back empty
        ("| a&nbsp; | &emsp;b |\n|---|---|\n", "| a&#160; | &#8195;b |"),
        ("# &nbsp;Heading&nbsp;\n", "# &#160;Heading&#160;"),
    ],
)
def test_spaces_at_the_edges_of_cells_and_headings_survive(text: str, kept: str) -> None:
    # The parser trims cells and headings with str.strip(): a no-break space written as the
    # character would vanish on the next run; as a reference it is kept.
    once = run(text)
    assert kept in once.body
    assert run(once.body).body == once.body


@pytest.mark.parametrize(
    ("text", "kept"),
    [
        ("3) a\n", "3) a"),  # found by fuzz/run.py: it became `3.`, which pandoc shows differently
        ("1. a\n1) b\n1. c\n", "1. a\n\n1) b\n\n1. c"),  # three lists stay three
        ("1) a\n   1. inner\n2) b\n", "1) a\n   1. inner\n1) b"),
    ],
)
def test_ordered_list_delimiters_are_the_authors(text: str, kept: str) -> None:
    once = run(text)
    assert once.body.rstrip("\n") == kept
    assert run(once.body).body == once.body


@pytest.mark.xfail(strict=True, reason="known: mdformat re-indents a whitespace-only line of a code block that "
                   "opens on a footnote's first line to fewer spaces than the note's indent, so the next run reads "
                   "it as blank (found by fuzz/run.py; invisible: only spaces on an empty code line)")
def test_whitespace_only_code_line_in_a_footnote_is_idempotent() -> None:
    once = run("[^1]: ```python\n\n\n\n        \n\n")
    assert run(once.body).body == once.body
