"""Links that no reader can follow: unwrapped once, reported once, whoever found them first."""

from __future__ import annotations

from pathlib import Path

from pipeline.convert import prepare
from pipeline.render import pandoc_ast
from pipeline.theme import load_theme
from pipeline.writers.htmlpage import body_html


def test_dead_links_keep_their_text_and_are_reported_once(tmp_path: Path) -> None:
    source = tmp_path / "links.md"
    source.write_text(
        "---\ntitle: Links\n---\n\n"
        "See [one](missing.md), [two](it's.md), [three](#nowhere) and [four](missing.md) again.\n",
        encoding="utf-8",
    )
    document = prepare(source, load_theme("default"))
    pandoc_ast(document)
    html = body_html(document)

    assert "href" not in html
    for text in ("one", "two", "three", "four"):
        assert f'<span class="unlinked">{text}</span>' in html
    reports = [(d.code, d.line) for d in document.diagnostics if d.code in ("LINK005", "REND001")]
    # The normalizer reports the relative paths (quoted with ' and with "), the renderer only the
    # anchor it alone can check: no target is reported by both.
    assert sorted(reports) == [("LINK005", 5), ("LINK005", 5), ("LINK005", 5), ("REND001", 5)]
