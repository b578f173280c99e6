"""Long runs of text with no break opportunity: invisible breaks for WeasyPrint, the same text in the PDF.

Their scaling is measured by tests/test_pathological.py ("backticks in print", "long word in print").
"""

from __future__ import annotations

import subprocess

from conftest import require_tool
from test_pdf_support import render, write_markdown

from pipeline.pdf.long_runs import EVERY, MIN_RUN, ZWSP, breakable

RUN = "e`e``e```" * 80  # 720 characters and no break opportunity, as in cmark's "backticks" case


def test_long_runs_get_invisible_break_opportunities_and_nothing_else_changes() -> None:
    html = f'<p title="{RUN}">{RUN} short words &amp; <a href="https://x.org/{RUN}">x</a></p>'
    out = breakable(html)
    assert out.replace(ZWSP, "") == html
    text = out.split(">", 1)[1].split(" short", 1)[0]
    assert all(0 < len(piece) <= EVERY for piece in text.split(ZWSP))
    assert f'title="{RUN}"' in out and f'href="https://x.org/{RUN}"' in out  # attributes untouched


def test_entities_code_of_other_scripts_and_short_runs_stay_whole() -> None:
    entity_run = "&amp;" * MIN_RUN
    out = breakable(f"<p>{entity_run}</p>")
    assert out.replace(ZWSP, "") == f"<p>{entity_run}</p>"
    assert all(piece.count("&") == piece.count(";") for piece in out.split(ZWSP))
    untouched = [
        f"<style>p::before {{ content: '{RUN}' }}</style>",
        f"<math><mtext>{RUN}</mtext></math>",
        "<p>" + "日本語のテキスト" * 40 + "</p>",  # CJK and Thai lines break by their own rules
        "<p>" + "ภาษาไทย" * 40 + "</p>",
        "<p>" + "a" * (MIN_RUN - 1) + "</p>",
    ]
    for html in untouched:
        assert breakable(html) == html


def test_the_pdf_shows_and_extracts_the_run_as_written() -> None:
    tool = require_tool("pdftotext")
    blob = "Zm9vYmFyYmF6cXV4" * 60  # base64: 960 characters, no break opportunity
    source = write_markdown("long-run.md", f"---\ntitle: Long run\n---\n\nBefore {blob} after.\n")
    pdf = render(source, out_name="long-run").path
    text = subprocess.run([tool, str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert ZWSP not in text
    assert f"Before{blob}after." in "".join(text.split())
