"""Dot leaders joined into a few text runs draw the same dots, at most MAX_DRIFT from where WeasyPrint puts them.

Each case is rendered twice by WeasyPrint, with and without `join_leaders`, and read back with
pdfplumber: the same characters, each within the drift bound of its unjoined place.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from test_pdf_support import render

from pipeline.libfinder import import_weasyprint
from pipeline.pdf.leaders import MAX_DRIFT, join_leaders

PT_PER_PX = 0.75
QUARTER_POINT = 0.25  # invisible in print: a tenth of the dots' own size at 10 pt

ENTRIES = ["Introduction", "A much longer title that runs on to a second line of the contents page, "
           "where the leader fills what the last line leaves", "Résumé & notes", "Z"]


def _page(direction: str, leader: str, font_size: str, letter_spacing: str = "normal") -> str:
    items = "".join(f'<li><a href="#s{n}">{title}</a></li>' for n, title in enumerate(ENTRIES))
    sections = "".join(f'<h2 id="s{n}" style="break-before: page">{title}</h2>' for n, title in enumerate(ENTRIES))
    return f"""<html dir="{direction}"><head><style>
      body {{ font-family: "DejaVu Sans", sans-serif; font-size: {font_size}; }}
      ol {{ list-style: none; padding: 0; }}
      a {{ display: block; padding-inline-end: 10mm; color: black; text-decoration: none; }}
      a::after {{ content: leader({leader}) target-counter(attr(href url), page);
                  margin-inline-end: -10mm; letter-spacing: {letter_spacing}; }}
    </style></head><body><ol>{items}</ol>{sections}</body></html>"""


def _chars(html: str, tmp_path: Path, joined: bool) -> tuple[list[tuple[str, float, float]], int]:
    import pdfplumber

    weasyprint = import_weasyprint()
    rendered = weasyprint.HTML(string=html).render()
    spared = join_leaders(rendered) if joined else 0
    out = tmp_path / f"{'joined' if joined else 'boxes'}.pdf"
    rendered.write_pdf(out)
    with pdfplumber.open(out) as pdf:
        chars = [(c["text"], c["x0"], c["top"]) for c in pdf.pages[0].chars]
    return sorted(chars, key=lambda c: (round(c[2]), c[1])), spared


@pytest.mark.parametrize(("direction", "leader", "font_size", "letter_spacing"), [
    ("ltr", "dotted", "9.5pt", "normal"),
    ("ltr", "dotted", "24pt", "normal"),
    ("ltr", "'.'", "11pt", "normal"),
    ("ltr", "'- '", "8pt", "0.2em"),
    ("rtl", "dotted", "10pt", "normal"),
])
def test_joined_leaders_draw_the_same_dots_in_nearly_the_same_places(
        tmp_path: Path, direction: str, leader: str, font_size: str, letter_spacing: str) -> None:
    html = _page(direction, leader, font_size, letter_spacing)
    boxes, _ = _chars(html, tmp_path, joined=False)
    joined, spared = _chars(html, tmp_path, joined=True)
    assert spared > 20  # every entry's leader had many repetitions; most of them went
    assert [c[0] for c in joined] == [c[0] for c in boxes]
    assert MAX_DRIFT * PT_PER_PX <= QUARTER_POINT
    bound = QUARTER_POINT + 0.01  # pdfplumber's positions, rounded by the PDF's own numbers
    worst = max(abs(a[1] - b[1]) + abs(a[2] - b[2]) for a, b in zip(boxes, joined, strict=True))
    assert worst <= bound, f"a glyph moved {worst:.3f} pt (bound {bound:.3f})"
    assert sum(c[0] in ".-" for c in joined) > 100  # the leaders are there, as text, in the PDF


def test_a_page_without_leaders_is_left_alone() -> None:
    rendered = import_weasyprint().HTML(string="<p>No leader. At all . . .</p>").render()
    assert join_leaders(rendered) == 0


def test_the_contents_page_of_a_converted_report_is_drawn_with_few_text_runs() -> None:
    """The pipeline joins its contents' leaders: a handful of text objects per entry, not one per dot."""
    from pypdf import PdfReader

    pdf = render().path  # the seed, as the PDF writer makes it
    reader = PdfReader(pdf)
    contents = next(page for page in reader.pages if "Contents" in (page.extract_text() or "")[:200])
    stream = contents.get_contents().get_data().decode("latin-1")
    text_objects = len(re.findall(r"\bBT\b", stream))
    dots = (contents.extract_text() or "").count(".")
    assert dots > 1000  # the leaders are drawn, as text
    assert text_objects < dots / 4, f"{text_objects} text objects for {dots} leader dots"
