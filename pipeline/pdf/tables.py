"""Tables too wide for the text block, fitted so that no text runs off the page.

In order, as a typesetter would: smaller type (down to `MIN_SCALE` of the table's size, with tighter
cells), then a landscape page of its own at that type, then the columns split into several tables
that each repeat the first column (the row labels). A table's width is estimated from its text:
each column gets up to `COMFORT` characters for its longest word and its longest cell, in
the body font's average advance (`AVERAGE_ADVANCE` em) plus the cell padding; longer words
(paths, hashes) break anywhere, as the stylesheet lets them. Every table that is
changed is listed in the PDF's details (`wide_tables`), with what was done.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pipeline.document import Document

MM_PER_PT = 25.4 / 72
TABLE_SCALE = 0.88  # the print stylesheet's table font size, in em of the body text
AVERAGE_ADVANCE = 0.6  # em: a generous mean character width (bold sans headers run wide): never too narrow
PADDING = 1.0  # em of horizontal cell padding at normal size (0.5em a side)
TIGHT_PADDING = 0.6  # em, in a fitted table
MIN_WIDTH = 5.0  # em: the print stylesheet's minimum cell width, dropped in fitted tables
COMFORT = 14  # characters of a long cell a column may take before its text wraps
SCALES = (1.0, 0.92, 0.85, 0.78, 0.72, 0.66)
MIN_SCALE = SCALES[-1]
FITTED_KEY = "wide_tables"  # document.artifacts: what was done to each table, for the PDF's details
_TABLE = re.compile(r"<table\b.*?</table>", re.DOTALL)
_WORD = re.compile(r"\S+")


@dataclass(frozen=True)
class Fit:
    scale: float  # font size relative to the normal table size
    landscape: bool
    parts: int  # 1, or the number of tables the columns were split into


def _columns(table: object) -> list[list[str]]:
    """The text of each column's cells (a cell spanning columns counts for its first)."""
    columns: list[list[str]] = []
    for row in table.iter("tr"):  # type: ignore[attr-defined]
        for index, cell in enumerate(c for c in row if c.tag in ("td", "th")):
            while len(columns) <= index:
                columns.append([])
            columns[index].append(" ".join(cell.text_content().split()))
    return columns


def _column_em(cells: list[str], padding: float) -> float:
    # Words up to COMFORT characters stay whole; longer ones (paths, hashes, URLs) break anywhere,
    # as the stylesheet lets them.
    longest_word = max((len(w) for text in cells for w in _WORD.findall(text)), default=1)
    longest_text = max((len(text) for text in cells), default=1)
    characters = max(min(longest_word, COMFORT), min(longest_text, COMFORT))
    return characters * AVERAGE_ADVANCE + padding


def table_em(columns: list[list[str]], *, tight: bool) -> float:
    """Estimated width of the table in em of its own font size."""
    padding = TIGHT_PADDING if tight else PADDING
    widths = [_column_em(cells, padding) for cells in columns]
    if not tight:
        widths = [max(w, MIN_WIDTH) for w in widths]
    return sum(widths)


def choose_fit(columns: list[list[str]], width_pt: float, landscape_pt: float, table_pt: float) -> Fit | None:
    """How to fit a table with these columns, or None when it fits as it is."""
    if table_em(columns, tight=False) * table_pt <= width_pt:
        return None
    tight = table_em(columns, tight=True) * table_pt
    for scale in SCALES:
        if tight * scale <= width_pt:
            return Fit(scale, False, 1)
    for scale in SCALES:
        if tight * scale <= landscape_pt:
            return Fit(scale, True, 1)
    parts = split_columns(columns, landscape_pt / (table_pt * MIN_SCALE))
    return Fit(MIN_SCALE, True, len(parts))


def split_columns(columns: list[list[str]], width_em: float) -> list[list[int]]:
    """Column indexes of each part: the first column in every part, the others in order."""
    if len(columns) < 2:
        return [list(range(len(columns)))]
    key = _column_em(columns[0], TIGHT_PADDING)
    parts: list[list[int]] = [[0]]
    used = key
    for index in range(1, len(columns)):
        width = _column_em(columns[index], TIGHT_PADDING)
        if len(parts[-1]) > 1 and used + width > width_em:
            parts.append([0])
            used = key
        parts[-1].append(index)
        used += width
    return parts


def _keep_columns(table: object, keep: list[int]) -> object:
    import copy

    part = copy.deepcopy(table)
    for colgroup in part.findall("colgroup"):  # type: ignore[attr-defined]
        colgroup.getparent().remove(colgroup)
    for row in part.iter("tr"):  # type: ignore[attr-defined]
        cells = [c for c in row if c.tag in ("td", "th")]
        for index, cell in enumerate(cells):
            if index not in keep:
                row.remove(cell)
    return part


def _rewrite(markup: str, fit: Fit, columns: list[list[str]], landscape_pt: float, table_pt: float) -> str:
    from lxml import html as lxml_html

    table = lxml_html.fragment_fromstring(markup)
    for colgroup in table.findall("colgroup"):
        table.remove(colgroup)  # pandoc's relative widths were chosen for the source's line lengths
    classes = ["fitted-table"] + (["landscape-table"] if fit.landscape else [])
    style = f"font-size: {fit.scale:.2f}em"
    if fit.parts == 1:
        table.set("class", " ".join(filter(None, [table.get("class"), *classes])))
        table.set("style", style)
        return lxml_html.tostring(table, encoding="unicode")
    parts = split_columns(columns, landscape_pt / (table_pt * fit.scale))
    pieces = []
    for number, keep in enumerate(parts):
        part = _keep_columns(table, keep)
        part.set("class", " ".join(filter(None, [table.get("class"), *classes, "split-table"])))
        part.set("style", style)
        if number:
            for caption in part.findall("caption"):
                part.remove(caption)
        pieces.append(lxml_html.tostring(part, encoding="unicode"))
    return f'<div class="split-tables landscape-table">{"".join(pieces)}</div>'


def fit_tables(body: str, document: Document, width_mm: float, landscape_mm: float, base_pt: float) -> str:
    """`body` with every table that would run past the text block fitted (see the module docstring)."""
    if "<table" not in body:
        return body
    from lxml import html as lxml_html

    table_pt = base_pt * TABLE_SCALE
    fitted: list[dict[str, object]] = document.artifacts.setdefault(FITTED_KEY, [])
    fitted.clear()
    width_pt, landscape_pt = width_mm / MM_PER_PT, landscape_mm / MM_PER_PT

    def replace(match: re.Match[str]) -> str:
        markup = match.group(0)
        if markup.count("<table") > 1:
            return markup  # a table inside a table (raw HTML): left to the browser rules
        columns = _columns(lxml_html.fragment_fromstring(markup))
        fit = choose_fit(columns, width_pt, landscape_pt, table_pt)
        if fit is None:
            return markup
        some_text = next((text for cells in columns for text in cells if text), "")
        fitted.append({"line": document.line_of(some_text) if some_text else None, "columns": len(columns),
                       "scale": fit.scale, "landscape": fit.landscape, "parts": fit.parts})
        return _rewrite(markup, fit, columns, landscape_pt, table_pt)

    return _TABLE.sub(replace, body)
