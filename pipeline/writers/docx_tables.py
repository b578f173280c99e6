"""Word tables that would run past the margins, fitted to the text width.

Pandoc sizes a table's grid from the Markdown's line lengths and leaves its width automatic, so a
table with many or long columns runs off the page in Word. A table the PDF's estimate finds too
wide (`pipeline.pdf.tables`) gets the text width, a fixed layout with columns in proportion to
what their text needs, and, when even that is too tight, smaller type (down to two thirds).
"""

from __future__ import annotations

from typing import Any

from pipeline.pdf.tables import MIN_SCALE, TIGHT_PADDING, _column_em, table_em

TWIPS_PER_PT = 20


def _columns(table: Any) -> list[list[str]]:
    columns: list[list[str]] = []
    for row in table.rows:
        seen: set[int] = set()
        for index, cell in enumerate(row.cells):
            if id(cell._tc) in seen:  # a merged cell appears once per column it spans
                continue
            seen.add(id(cell._tc))
            while len(columns) <= index:
                columns.append([])
            columns[index].append(" ".join(cell.text.split()))
    return columns


def fit_tables(word: Any, text_width_pt: float, base_pt: float) -> int:
    """Fit every table wider than `text_width_pt`; returns how many were changed."""
    from docx.oxml.ns import qn

    from pipeline.writers.docx_reference import _set_child

    fitted = 0
    for table in word.tables:
        tbl = table._tbl
        grid = list(tbl.tblGrid.iter(qn("w:gridCol")))
        columns = _columns(table)
        grid_pt = sum(int(g.get(qn("w:w")) or 0) for g in grid) / TWIPS_PER_PT
        if not columns or len(columns) != len(grid):
            continue
        if table_em(columns, tight=False) * base_pt <= text_width_pt and grid_pt <= text_width_pt:
            continue
        needs = [_column_em(cells, TIGHT_PADDING) for cells in columns]
        total = sum(needs)
        for column, need in zip(grid, needs, strict=True):
            column.set(qn("w:w"), str(round(text_width_pt * need / total * TWIPS_PER_PT)))
        _set_child(tbl.tblPr, "w:tblW", {"w:type": "pct", "w:w": "5000"})
        _set_child(tbl.tblPr, "w:tblLayout", {"w:type": "fixed"})
        for row in tbl.tr_lst:
            for cell in row.tc_lst:
                cell_width = cell.tcPr.find(qn("w:tcW")) if cell.tcPr is not None else None
                if cell_width is not None:
                    cell.tcPr.remove(cell_width)
        scale = max(MIN_SCALE, min(1.0, text_width_pt / (table_em(columns, tight=True) * base_pt)))
        if scale < 1.0:
            from docx.shared import Pt

            for row in table.rows:
                for cell in row.cells:
                    for paragraph in cell.paragraphs:
                        for run in paragraph.runs:
                            run.font.size = Pt(round(base_pt * scale * 2) / 2)
        fitted += 1
    return fitted
