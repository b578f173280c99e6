"""Links that no reader can follow: unwrapped once, reported once, whoever found them first."""

from __future__ import annotations

from pathlib import Path

from pipeline.convert import prepare
from pipeline.render import pandoc_ast, walk
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


def test_walk_shares_what_it_does_not_change_and_never_changes_its_input():
    unchanged = {"t": "Para", "c": [{"t": "Str", "c": "keep"}]}
    target = {"t": "Para", "c": [{"t": "Emph", "c": [{"t": "Str", "c": "old"}]}]}
    tree = [unchanged, target, {"t": "HorizontalRule"}]
    snapshot = repr(tree)

    def rename(node):
        return {"t": "Str", "c": "new"} if node == {"t": "Str", "c": "old"} else None

    result = walk(tree, rename)
    assert result is not tree and result[0] is unchanged  # only the changed path is copied
    assert result[1]["c"][0]["c"] == [{"t": "Str", "c": "new"}]
    assert repr(tree) == snapshot
    assert walk(tree, lambda node: None) is tree
    # A list replaces its element in place; an empty list removes it.
    assert walk(tree, lambda node: [] if node["t"] == "HorizontalRule" else None) == tree[:2]
    spliced = walk(tree, lambda node: [node, node] if node is unchanged else None)
    assert spliced[:2] == [unchanged, unchanged] and len(spliced) == 4
