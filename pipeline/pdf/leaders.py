"""Dot leaders drawn as a few text runs each instead of one run per dot.

WeasyPrint lays out `content: leader(dotted)` as one text box per repetition of the leader's
string: the seed's contents page holds 2,771 boxes of ". ", 74 % of the text boxes of the whole
report. Each box is then drawn with a Pango layout of its own: writing the seed's PDF took 0.50 s,
and takes 0.33 s with the leaders joined. The repetitions of one leader sit side by side at the
width of the string, so one box holding the string repeated, at the first repetition's place,
draws the same glyphs at nearly the same positions: WeasyPrint writes each glyph's advance
truncated to a thousandth of an em, so a run drifts by up to that much per glyph (as all its text
does). Runs are therefore joined a few repetitions at a time, so that no dot moves more than
`MAX_DRIFT` from where the unjoined drawing puts it (checked against that drawing in
`tests/test_pdf_leaders.py`).

This works on WeasyPrint's laid-out boxes, between `render()` and `write_pdf()`. A leader that
does not look as expected is left as WeasyPrint made it: joining is only ever a speed-up.
"""

from __future__ import annotations

import copy
import itertools
from typing import Any

# How far apart (in CSS px) two repetitions may stray from the string's width and still be joined:
# WeasyPrint places them by repeated subtraction of that width, so their gaps differ by rounding only.
_TOLERANCE = 0.01
# The most (in CSS px) a joined glyph may move from its unjoined place: a quarter of a point.
MAX_DRIFT = 1 / 3
# The most a glyph's advance is truncated by, in ems (WeasyPrint's `TJ` adjustments are integers).
_TRUNCATION_EM = 1 / 1000


def join_leaders(document: Any) -> int:
    """Join each leader's repeated text boxes in a rendered WeasyPrint document; returns how many boxes went."""
    spared = 0
    for page in document.pages:
        root = getattr(page, "_page_box", None)
        if root is None:
            return spared  # not the WeasyPrint this was written for: draw as it is
        for box in root.descendants():
            if getattr(box, "is_leader", False) and len(box.children) > 1:
                joined = _joined(box.children)
                if joined is not None:
                    spared += len(box.children) - len(joined)
                    box.children = joined
    return spared


def _joined(repetitions: tuple[Any, ...]) -> tuple[Any, ...] | None:
    """Fewer text boxes for a leader's repetitions, or None when they are not identical and evenly spaced."""
    ordered = sorted(repetitions, key=lambda box: box.position_x)
    first = ordered[0]
    layout = getattr(first, "pango_layout", None)
    width = first.width
    if layout is None or width <= 0 or not first.text or getattr(layout, "text", None) != first.text:
        return None
    for previous, box in itertools.pairwise(ordered):
        if (box.text != first.text or box.pango_layout is not layout or abs(box.width - width) > _TOLERANCE
                or abs(box.position_x - previous.position_x - width) > _TOLERANCE
                or box.position_y != first.position_y):
            return None
    drift_per_repetition = len(first.text) * first.style["font_size"] * _TRUNCATION_EM
    per_box = max(1, int(MAX_DRIFT / drift_per_repetition))
    runs = [_run(ordered[start:start + per_box]) for start in range(0, len(ordered), per_box)]
    # In WeasyPrint's order (from the line's end), so text extraction reads the page as before.
    return tuple(reversed(runs))


def _run(repetitions: list[Any]) -> Any:
    """One text box drawing `repetitions` (side by side, left to right) from the first one's place."""
    first = repetitions[0]
    if len(repetitions) == 1:
        return first
    joined = first.copy()
    joined.text = first.text * len(repetitions)
    joined.width = repetitions[-1].position_x + first.width - first.position_x
    # A box is drawn by re-creating its Pango layout from the layout's text (`reactivate`): the
    # joined box gets a layout object of its own holding the whole run.
    joined.pango_layout = copy.copy(first.pango_layout)
    joined.pango_layout.text = joined.text
    return joined
