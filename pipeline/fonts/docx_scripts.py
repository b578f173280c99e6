"""Word's script font slots: the fallback families in every style, and on every run of text they draw.

Word chooses a font per character by slot: `w:ascii`/`w:hAnsi` for Latin, `w:eastAsia` for CJK,
`w:cs` for complex scripts (Arabic, Hebrew, Indic, Thai). Every style gets the document's CJK and
complex-script fallback families in those slots (and `w:lang` its language), and a run holding text
a brand font lacks is split so that each piece names the family that draws it in all four slots:
Word then shows the same faces as the PDF, from the fonts embedded in the file. Right-to-left pieces
are marked `w:rtl`.
"""

from __future__ import annotations

import copy
from typing import TYPE_CHECKING, Any

from lxml import etree

from pipeline.fonts.coverage import is_invisible
from pipeline.fonts.fallback import CJK_GROUP, RTL_GROUPS

if TYPE_CHECKING:
    from pipeline.fonts.fallback import Family, Selection

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True)
_COMPLEX_GROUPS = (*RTL_GROUPS, "devanagari", "thai", "indic", "southeast_asian")


def _w(name: str) -> str:
    return f"{{{W}}}{name}"


def _slot_families(selection: Selection, lang: str) -> tuple[str | None, str | None]:
    """The East Asian and the complex-script family for the styles: the document's own script's
    when it is one, else the one that draws the most characters."""
    from pipeline.i18n import direction

    def pick(groups: tuple[str, ...]) -> str | None:
        families = [f for f in selection.families if f.group in groups]
        if not families:
            return None
        return max(families, key=lambda f: len(selection.assigned[f.name])).name

    complex_family = pick(RTL_GROUPS) if direction(lang) == "rtl" else None
    return pick((CJK_GROUP,)), complex_family or pick(_COMPLEX_GROUPS)


def _set_fonts(rfonts: Any, east_asian: str | None, complex_family: str | None) -> None:
    if east_asian:
        rfonts.set(_w("eastAsia"), east_asian)
        rfonts.attrib.pop(_w("eastAsiaTheme"), None)
    if complex_family:
        rfonts.set(_w("cs"), complex_family)
        rfonts.attrib.pop(_w("cstheme"), None)


def _styles(data: bytes, selection: Selection, lang: str) -> bytes:
    from pipeline.i18n import direction, script_of
    from pipeline.writers.docx_reference import insert_in_order

    root = etree.fromstring(data, _PARSER)
    east_asian, complex_family = _slot_families(selection, lang)
    defaults = root.find(f"{_w('docDefaults')}/{_w('rPrDefault')}/{_w('rPr')}")
    if defaults is not None:
        rfonts = defaults.find(_w("rFonts"))
        if rfonts is None:
            rfonts = insert_in_order(defaults, etree.Element(_w("rFonts")))
        language = defaults.find(_w("lang"))
        if language is None:
            language = insert_in_order(defaults, etree.Element(_w("lang")))
        # The document's language for its own script's slot; East Asian text in the language its CJK
        # face is made for (the one chosen for this document).
        attribute = ("eastAsia" if script_of(lang) in ("Hans", "Hant", "Jpan", "Kore")
                     else "bidi" if direction(lang) == "rtl" else "val")
        language.set(_w(attribute), lang)
        cjk = next((f for f in selection.families if f.group == CJK_GROUP and f.lang), None)
        if cjk is not None and attribute != "eastAsia":
            language.set(_w("eastAsia"), cjk.lang)
    for rfonts in root.iter(_w("rFonts")):
        _set_fonts(rfonts, east_asian, complex_family)
    paragraph_defaults = root.find(f"{_w('docDefaults')}/{_w('pPrDefault')}/{_w('pPr')}")
    if direction(lang) == "rtl" and paragraph_defaults is not None and paragraph_defaults.find(_w("bidi")) is None:
        # A right-to-left document: every paragraph, ours too (cover, contents), runs right to left.
        insert_in_order(paragraph_defaults, etree.Element(_w("bidi")))
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def _segments(text: str, selection: Selection) -> list[tuple[Family | None, str]]:
    """The text cut where the family that draws it changes; spaces and invisible characters stay with
    the piece they are in."""
    pieces: list[tuple[Family | None, str]] = []
    for char in text:
        family = selection.family_of(char)
        if pieces and (family is pieces[-1][0] or (family is None and is_invisible(char))):
            pieces[-1] = (pieces[-1][0], pieces[-1][1] + char)
        else:
            pieces.append((family, char))
    return pieces


def _mark(run: Any, family: Family) -> None:
    from pipeline.writers.docx_reference import insert_in_order

    properties = run.find(_w("rPr"))
    if properties is None:
        properties = etree.Element(_w("rPr"))
        run.insert(0, properties)
    rfonts = properties.find(_w("rFonts"))
    if rfonts is None:
        rfonts = insert_in_order(properties, etree.Element(_w("rFonts")))
    for slot in ("ascii", "hAnsi", "eastAsia", "cs"):
        rfonts.set(_w(slot), family.name)
    if family.group == CJK_GROUP:
        rfonts.set(_w("hint"), "eastAsia")
    if family.group in RTL_GROUPS and properties.find(_w("rtl")) is None:
        insert_in_order(properties, etree.Element(_w("rtl")))


def _right_to_left(root: Any) -> None:
    """`w:bidi` on every paragraph of a right-to-left document's part, unless it says otherwise."""
    from pipeline.writers.docx_reference import insert_in_order

    for paragraph in root.iter(_w("p")):
        properties = paragraph.find(_w("pPr"))
        if properties is None:
            properties = etree.Element(_w("pPr"))
            paragraph.insert(0, properties)
        if properties.find(_w("bidi")) is None:
            insert_in_order(properties, etree.Element(_w("bidi")))


def _runs(data: bytes, selection: Selection, rtl: bool = False) -> bytes:
    root = etree.fromstring(data, _PARSER)
    if rtl:
        _right_to_left(root)
    for run in list(root.iter(_w("r"))):
        texts = [child for child in run if child.tag == _w("t")]
        if not texts:
            continue
        text = "".join(t.text or "" for t in texts)
        pieces = _segments(text, selection)
        if all(family is None for family, _ in pieces):
            continue
        if len(pieces) == 1 or any(child.tag not in (_w("t"), _w("rPr")) for child in run):
            # One family, or a run holding tabs or fields that must not be cut: mark it as a whole.
            drawn = [(len(piece), family) for family, piece in pieces if family is not None]
            _mark(run, max(drawn, key=lambda item: item[0])[1])
            continue
        properties = run.find(_w("rPr"))
        for family, piece in pieces:
            part = etree.Element(_w("r"))
            if properties is not None:
                part.append(copy.deepcopy(properties))
            if family is not None:
                _mark(part, family)
            element = etree.SubElement(part, _w("t"))
            element.text = piece
            element.set(XML_SPACE, "preserve")
            run.addprevious(part)
        run.getparent().remove(run)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def script_fonts(members: dict[str, bytes], selection: Selection, lang: str) -> None:
    """Set the script slots of the styles and the fonts of the runs, in the package's members."""
    from pipeline.i18n import direction

    if "word/styles.xml" in members:
        members["word/styles.xml"] = _styles(members["word/styles.xml"], selection, lang)
    for name in list(members):
        folder, _, file = name.rpartition("/")
        if folder == "word" and file.endswith(".xml") and file.startswith(
                ("document", "footnotes", "endnotes", "header", "footer")):
            members[name] = _runs(members[name], selection, direction(lang) == "rtl")
