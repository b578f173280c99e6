"""Safety: text rules never touch code, HTML, URLs, e-mails or front matter; structure rules keep the
rendered text; the normalizer is idempotent; byline and outline come out as the writers expect."""

from __future__ import annotations

import json
import re

import pytest

from pipeline.normalize import NormalizeOptions, normalize
from pipeline.normalize.markdown import parse

from .helpers import SEED, THEME, load, make_doc, options, run
from .textutil import rendered_text

TEXT_RULES = ("TYPO", "TYPG", "LINK001", "LINK002", "LINK003")
STRUCTURE_RULES = ("HEAD001", "HEAD003", "HEAD004", "STRU002", "STRU003")

PROTECTED = """\
Intro teh `teh sucessful "q" 2-4 with with Github` code.

```
teh sucessful "quoted" 2-4 with with Github
```

    indented teh sucessful "q" 2-4 with with

<div class="x">teh sucessful "q" 2-4 with with Github</div>

Mail teh@sucessful-example.org, see https://example.org/teh_sucessful/2-4 and <b title="teh">sucessful</b>.
"""


def _blocks(markdown: str, kinds: tuple[str, ...]) -> list[str]:
    tokens, _ = parse(markdown)
    out = []
    for tok in tokens:
        if tok.type in kinds:
            out.append(tok.content)
        for child in tok.children or []:
            if child.type in kinds:
                out.append(child.content)
    return out


def test_text_rules_never_edit_code_html_urls_or_emails() -> None:
    doc = run(PROTECTED, *TEXT_RULES)
    # mdformat writes indented code as fenced code: compare code blocks of either kind together.
    for kinds in (("code_inline",), ("fence", "code_block"), ("html_block",), ("html_inline",)):
        assert _blocks(doc.body, kinds) == _blocks(PROTECTED, kinds)
    assert "teh@sucessful-example.org" in doc.body
    assert "https://example.org/teh_sucessful/2-4" in doc.body
    # The prose around them was edited, so the rules did run.
    assert doc.body.startswith("Intro the `")


TEMPLATES = [
    "{{< figure src=\"a.png\" caption=\"A  sucessful *big*  cat, 2-4\" >}}",
    "{{% note \"It's teh  end\" %}}",
    "{{video \"https://www.youtube.com/embed/x\"}}",
    "{% include x.html title=\"with with\" %}",
    "{'  '}",
    "{'+\t  '}",
]


def test_text_rules_and_the_formatter_never_edit_shortcodes_or_jsx() -> None:
    body = "Intro teh text.\n\n" + "\n".join(f"{t}at line {i} , teh" for i, t in enumerate(TEMPLATES)) + "\n"
    doc = run(body, *TEXT_RULES, "LINK004")
    for template in TEMPLATES:
        assert template in doc.body
    # The prose around them was edited, so the rules did run.
    assert doc.body.startswith("Intro the text.") and "at line 0, the" in doc.body


def test_front_matter_is_never_edited() -> None:
    body = '---\ntitle: "teh sucessful"  \nlink: example.org/x\n---\nText teh.\n'
    doc = run(body)
    assert doc.body.startswith('---\ntitle: "teh sucessful"  \nlink: example.org/x\n---\n')


@pytest.mark.parametrize("text", [PROTECTED, SEED.read_text(encoding="utf-8").split("---\n", 2)[2]])
def test_structure_rules_keep_the_rendered_text(text: str) -> None:
    doc = run(text, *STRUCTURE_RULES)
    assert any(c.applied for c in doc.changes)
    assert rendered_text(doc.body) == rendered_text(text)


def test_normalizing_twice_equals_once_on_the_seed() -> None:
    once = normalize(load(SEED), NormalizeOptions(theme_dir=THEME))
    twice = normalize(make_doc(once.body, title=once.meta.title, source=SEED), NormalizeOptions(theme_dir=THEME))
    assert twice.body == once.body
    assert [c for c in twice.changes if c.applied] == []


def test_never_raises_on_a_broken_rule(monkeypatch: pytest.MonkeyPatch) -> None:
    from pipeline.normalize.registry import all_rules

    rule = next(r for r in all_rules() if r.id == "TYPO002")

    def boom(ctx: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(type(rule), "__call__", lambda self, ctx: boom(ctx) if self.id == "TYPO002" else self.func(ctx))
    doc = run("Some text with with words.\n")
    assert doc.body == "Some text with with words.\n"
    assert any(d.code == "NORM000" and "TYPO002" in d.message for d in doc.diagnostics)


def test_renderer_failure_keeps_the_original_body(monkeypatch: pytest.MonkeyPatch) -> None:
    from pipeline.normalize import markdown

    monkeypatch.setattr(markdown, "render", lambda tokens, env: "lost\n")
    doc = run("# Heading\n\nSome teh text.\n")
    assert doc.body == "# Heading\n\nSome teh text.\n"
    assert doc.changes and not any(c.applied for c in doc.changes)
    assert any(d.code == "NORM000" for d in doc.diagnostics)


def _break_inline_links(monkeypatch: pytest.MonkeyPatch, *also: str) -> None:
    """Run `also` and a rule whose edit the renderer cannot write back (a line break inside an
    inline link's destination: the re-parse reads text where the tree has a link)."""
    from pipeline.normalize import engine
    from pipeline.normalize.registry import Rule, get

    def break_links(ctx: engine.RuleContext) -> None:
        for _opener, inline in ctx.inlines():
            for child in inline.children or []:
                if child.type == "link_open" and not child.meta.get("label") and ctx.propose(None, None, "x", "y"):
                    child.attrs["href"] = "https://example.org/a\nb"

    rules = [*(get(rule_id) for rule_id in also), Rule("TEST001", "breaks links", "fix", break_links)]
    monkeypatch.setattr(engine, "select", lambda enable, disable: rules)


def test_a_block_that_loses_its_text_when_rendered_is_kept_as_written_alone(monkeypatch: pytest.MonkeyPatch) -> None:
    _break_inline_links(monkeypatch, "TYPO004")
    source = "First teh line.\n\n- a teh item\n- [link](https://example.org) teh\n\nLast teh line.\n"
    doc = normalize(make_doc(source, body_line=5), options())
    assert doc.body == "First the line.\n\n- a teh item\n- [link](https://example.org) teh\n\nLast the line.\n"
    assert [(d.code, d.line) for d in doc.diagnostics] == [("NORM001", 7)]
    assert "bullet list at lines 7–8" in doc.diagnostics[0].message
    assert [(c.line, c.applied) for c in doc.changes if c.rule == "TYPO004"] == [
        (5, True), (7, False), (8, False), (10, True)]


def test_a_kept_block_keeps_its_reference_definitions(monkeypatch: pytest.MonkeyPatch) -> None:
    _break_inline_links(monkeypatch)
    source = "Read [the docs][d] or [this](https://example.org).\n\n[d]: https://example.org/docs\n"
    doc = normalize(make_doc(source), options())
    assert doc.body == source
    assert [d.code for d in doc.diagnostics] == ["NORM001"]


@pytest.mark.parametrize(("source", "kept"), [
    # mdformat writes a setext heading with a hard break as `# a<br /> b`: other text.
    ("Intro teh.\n\nOne  \ntwo\n===\n\nOutro teh.\n", "the heading at lines 3–5"),
    # The same inside a fenced div: kept with its closing fence.
    ("Intro teh.\n\n::: {.note}\nOne  \ntwo\n===\n:::\n\nOutro teh.\n", "the fenced div at lines 3–7"),
])
def test_a_block_the_renderer_cannot_write_back_is_kept_alone(source: str, kept: str) -> None:
    doc = run(source)
    assert doc.body == source.replace("teh", "the")
    assert [(d.code, kept in d.message) for d in doc.diagnostics] == [("NORM001", True)]
    assert run(doc.body).body == doc.body


def test_a_failing_block_that_defines_a_footnote_keeps_the_whole_body() -> None:
    # The definition was moved to the end and written there again: the body grew on every run.
    source = "a\n\n::: {.note}\n[^1]: a\n\na  \na\n===\n:::\n"
    doc = run(source)
    assert doc.body == source
    assert [d.code for d in doc.diagnostics] == ["NORM000"] and "footnote" in doc.diagnostics[0].message


def test_change_lines_are_source_lines() -> None:
    doc = normalize(make_doc("\nIntro.\n\nThe teh end.\n", body_line=11), options("TYPO004"))
    [change] = doc.changes
    assert (change.line, change.column, change.before, change.after) == (14, 5, "teh", "the")


def _pandoc_ast(markdown: str) -> dict:
    pypandoc = pytest.importorskip("pypandoc")
    return json.loads(pypandoc.convert_text(markdown, "json", format="commonmark_x"))


def test_seed_outline_and_bylines_as_pandoc_reads_them() -> None:
    from pipeline.render import pandoc_ast

    doc = normalize(load(SEED), NormalizeOptions(theme_dir=THEME))
    ast = pandoc_ast(doc)
    headers = [(b["c"][0], b) for b in ast["blocks"] if b["t"] == "Header"]
    assert headers[0][0] == 2  # the first article comes before any part
    assert min(level for level, _ in headers) == 1
    assert {level for level, _ in headers} <= {1, 2, 3}
    # Bylines are marked in the render stage; the fixed source holds no pandoc-only fenced div.
    divs = [b for b in ast["blocks"] if b["t"] == "Div"]
    bylines = [d for d in divs if "byline" in d["c"][0][1]]
    assert len(bylines) >= 10
    assert all(["custom-style", "Byline"] in d["c"][0][2] for d in bylines)
    assert ":::" not in doc.body
    # The title is not in the body.
    assert not doc.body.startswith("# 2021 Annual Report")


def test_byline_stays_plain_text_in_the_source() -> None:
    body = "# Article\n\nJane Doe, Editor, ACME\n\nText.\n"
    once = run(body).body
    assert once == body
    assert run(once).body == once


def test_fenced_divs_from_the_source_are_kept() -> None:
    body = "::::: challenge\n## Task\n\nDo it.\n\n:::: solution\nAnswer.\n::::\n:::::\n"
    out = run(body).body
    assert out.startswith("::::: challenge\n")
    assert ":::: solution\nAnswer.\n::::\n:::::" in out
    assert run(out).body == out


def test_no_text_is_lost_on_the_seed() -> None:
    original = load(SEED)
    before = rendered_text(original.body)
    doc = normalize(load(SEED), NormalizeOptions(theme_dir=THEME))
    after = rendered_text(doc.body)
    removed = set(re.findall(r"\w+", before)) - set(re.findall(r"\w+", after))
    replaced = {w for c in doc.changes for w in re.findall(r"\w+", c.before)}
    assert removed <= replaced
