"""Lists in a Word file in the brand: bullets and numbers in the primary colour, and list items in
Word's own "List Bullet" / "List Number" styles from the reference document.

Pandoc writes its own numbering definitions (it ignores the reference document's), gives tight list
items the "Compact" style and loose ones none (Normal), so both are set here, after pandoc.
"""

from __future__ import annotations

from typing import Any

LIST_STYLES = {"bullet": "ListBullet", "number": "ListNumber"}


def brand_lists(word: Any, primary_color: str) -> int:
    """Colour every list marker and restyle list items; returns the number of items restyled."""
    from docx.oxml.ns import qn

    try:
        numbering = word.part.numbering_part.element
    except (KeyError, NotImplementedError):
        return 0  # no lists
    formats: dict[tuple[str, str], str] = {}  # (numId, level) → numFmt
    abstract_levels = {
        a.get(qn("w:abstractNumId")): {lvl.get(qn("w:ilvl")): lvl for lvl in a.iter(qn("w:lvl"))}
        for a in numbering.iter(qn("w:abstractNum"))
    }
    for num in numbering.iter(qn("w:num")):
        levels = abstract_levels.get(num.find(qn("w:abstractNumId")).get(qn("w:val")), {})
        for level, lvl in levels.items():
            fmt = lvl.find(qn("w:numFmt"))
            formats[(num.get(qn("w:numId")), level)] = fmt.get(qn("w:val")) if fmt is not None else "bullet"
    color = primary_color.lstrip("#").upper()
    for levels in abstract_levels.values():
        for lvl in levels.values():
            run = lvl.find(qn("w:rPr"))
            if run is None:
                run = lvl.makeelement(qn("w:rPr"), {})
                lvl.append(run)
            for old in run.findall(qn("w:color")):
                run.remove(old)
            run.append(run.makeelement(qn("w:color"), {qn("w:val"): color}))
    restyled = 0
    for paragraph in word.element.body.iter(qn("w:p")):
        properties = paragraph.find(qn("w:pPr"))
        numbered = properties.find(qn("w:numPr")) if properties is not None else None
        style = properties.find(qn("w:pStyle")) if properties is not None else None
        if numbered is None or (style is not None and style.get(qn("w:val")) != "Compact"):
            continue  # a list item pandoc gave a style of its own (a heading, a quotation) keeps it
        if style is None:  # a loose item: pandoc leaves it in Normal
            style = properties.makeelement(qn("w:pStyle"), {})
            properties.insert(0, style)
        num_id, level = numbered.find(qn("w:numId")), numbered.find(qn("w:ilvl"))
        key = (num_id.get(qn("w:val")) if num_id is not None else "",
               level.get(qn("w:val")) if level is not None else "0")
        kind = "bullet" if formats.get(key, "bullet") in ("bullet", "none") else "number"
        style.set(qn("w:val"), LIST_STYLES[kind])
        restyled += 1
    return restyled
