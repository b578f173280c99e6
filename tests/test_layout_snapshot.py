"""The seed's PDF, DOCX and EPUB say the same and break their pages in the same places as the stored
snapshot (tests/fixtures/seed-layout.json): speed-ups must not change what a reader sees.

A failure shows which page, chapter or heading moved. If the change is meant (a new look, a
normalizer fix, an upgraded library that lays out), regenerate the snapshot on purpose and review
its diff: `.venv/bin/python tests/layout_snapshot.py --update` (see that module).
"""

from __future__ import annotations

import json
import shutil

import pytest
from layout_snapshot import SNAPSHOT, docx_snapshot, epub_snapshot, pdf_snapshot, versions

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def stored() -> dict:
    return json.loads(SNAPSHOT.read_text(encoding="utf-8"))


def _changed_tools(stored: dict) -> str:
    now = versions()
    changed = [f"{name} {was} → {now.get(name)}" for name, was in stored["versions"].items() if now.get(name) != was]
    return ("; tools changed since the snapshot: " + ", ".join(changed)) if changed else ""


def _compare(kind: str, now: dict, stored: dict) -> None:
    for key, expected in stored[kind].items():
        if isinstance(expected, list) and now[key] != expected:
            pairs = zip([*now[key], None], [*expected, None], strict=False)
            moved = next(index for index, (a, b) in enumerate(pairs) if a != b)
            pytest.fail(f"{kind} {key} differ from the snapshot first at item {moved}: now "
                        f"{now[key][moved] if moved < len(now[key]) else 'nothing'!r}, stored "
                        f"{expected[moved] if moved < len(expected) else 'nothing'!r} ({len(now[key])} items now, "
                        f"{len(expected)} stored){_changed_tools(stored)}")
        assert now[key] == expected, f"{kind} {key}: {now[key]!r} != {expected!r}{_changed_tools(stored)}"


def test_pdf_pages_outline_and_text_match_the_snapshot(seed_outputs, stored):
    now = pdf_snapshot(seed_outputs["pdf"])
    assert now["page_count"] == stored["pdf"]["page_count"], _changed_tools(stored)
    _compare("pdf", now, stored)


def test_docx_text_headings_and_breaks_match_the_snapshot(seed_outputs, stored):
    now = docx_snapshot(seed_outputs["docx"])
    assert [entry[:2] for entry in now.pop("contents")] == [entry[:2] for entry in stored["docx"]["contents"]]
    _compare("docx", now, {"docx": {k: v for k, v in stored["docx"].items() if k != "contents"},
                           "versions": stored["versions"]})


def test_docx_contents_page_numbers_match_the_snapshot(seed_outputs, stored):
    """The page numbers LibreOffice's layout gave the Word contents."""
    if shutil.which("soffice") is None or stored["versions"]["libreoffice"] != "present":
        pytest.skip("LibreOffice (soffice) is not installed here or was not when the snapshot was made: "
                    "the Word contents carry no page numbers to compare")
    assert docx_snapshot(seed_outputs["docx"])["contents"] == stored["docx"]["contents"], _changed_tools(stored)


def test_epub_chapters_and_navigation_match_the_snapshot(seed_outputs, stored):
    _compare("epub", epub_snapshot(seed_outputs["epub"]), stored)
