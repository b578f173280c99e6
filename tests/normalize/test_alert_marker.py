"""STRU003 unwraps hard-wrapped paragraphs, but a GitHub alert's marker keeps its own line."""

from __future__ import annotations

from .helpers import run


def test_alert_marker_stays_on_its_line() -> None:
    body = "> [!WARNING]\n> Hot surface,\n> do not touch.\n"
    doc = run(body, "STRU003")
    assert doc.body == "> [!WARNING]\n> Hot surface, do not touch.\n"


def test_ordinary_bracketed_first_line_is_still_joined() -> None:
    doc = run("> [note]\n> text\n", "STRU003")
    assert doc.body == "> [note] text\n"
