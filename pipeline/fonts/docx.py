"""The brand fonts embedded in the Word file, so it looks the same on machines without them.

Word (and LibreOffice) read TrueType fonts embedded in a DOCX: up to four faces per family
(regular, bold, italic, bold italic), each obfuscated with a per-font key as ECMA-376 §17.8.1
prescribes. We embed static instances of the brand's variable fonts, subset to the document's
characters plus the Latin ranges colleagues are likely to type, and flag them as subsets
(`saveSubsetFonts`) so Word knows. LibreOffice then lays the document out in the brand fonts too,
which is what makes the page numbers of the filled-in contents right.
"""

from __future__ import annotations

import html
import re
import uuid
import zipfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

from lxml import etree

if TYPE_CHECKING:
    from pipeline.fonts.fallback import Selection
    from pipeline.theme import Theme

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PACKAGE_RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
CONTENT_TYPES = "http://schemas.openxmlformats.org/package/2006/content-types"
FONT_RELATIONSHIP = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/font"
OBFUSCATED_FONT = "application/vnd.openxmlformats-officedocument.obfuscatedFont"
SLOTS = (("embedRegular", 400, "normal"), ("embedBold", 700, "normal"),
         ("embedItalic", 400, "italic"), ("embedBoldItalic", 700, "italic"))
# What colleagues may type in a Western European document besides what is already there.
EDITING_CHARACTERS = frozenset(
    [chr(c) for c in range(0x20, 0x7F)] + [chr(c) for c in range(0xA0, 0x180)]
    + [chr(c) for c in range(0x2010, 0x2045)] + list("€™•−×÷≤≥≠")
)
_TEXT = re.compile(r"<w:t(?:\s[^>]*)?>([^<]*)</w:t>")
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True)
# Children of w:settings that come before embedTrueTypeFonts in the schema (ECMA-376 §17.15.1).
_SETTINGS_BEFORE = {"writeProtection", "view", "zoom", "removePersonalInformation", "removeDateAndTime",
                    "doNotDisplayPageBoundaries", "displayBackgroundShape", "printPostScriptOverText",
                    "printFractionalCharacterWidth", "printFormsData"}


def obfuscate(font: bytes, key: str) -> bytes:
    """XOR the first 32 bytes with the GUID `key`'s bytes, read from its last hex pair backwards."""
    digits = key.strip("{}").replace("-", "")
    mask = bytes.fromhex(digits)[::-1]
    head = bytes(b ^ mask[i % 16] for i, b in enumerate(font[:32]))
    return head + font[32:]


def named_face(data: bytes, family: str, weight: int, style: str) -> bytes:
    """The face's names and style bits made those of one static member of `family`.

    A variable font pinned to bold still calls itself "Inter Regular"; Word and LibreOffice match
    embedded faces by these names and bits, and would otherwise fake the bold from the regular.
    Kept in the cache folder by the face's bytes: fontTools takes 0.1 s for the seed's eight faces.
    """
    from pipeline.cache import cached, tools_key

    return cached("docx-face", [data, family, str(weight), style, tools_key()],
                  lambda: _named_face(data, family, weight, style))


def _named_face(data: bytes, family: str, weight: int, style: str) -> bytes:
    import io

    from fontTools.ttLib import TTFont

    bold, italic = weight >= 600, style == "italic"
    subfamily = {(False, False): "Regular", (True, False): "Bold", (False, True): "Italic",
                 (True, True): "Bold Italic"}[(bold, italic)]
    font = TTFont(io.BytesIO(data), recalcTimestamp=False)  # same input, same bytes
    names = font["name"]
    names.names = [n for n in names.names if n.nameID not in (1, 2, 4, 6, 16, 17, 21, 22)]
    postscript = re.sub(r"[^A-Za-z0-9]", "", family) + "-" + subfamily.replace(" ", "")
    for name_id, value in ((1, family), (2, subfamily), (4, f"{family} {subfamily}"), (6, postscript)):
        names.setName(value, name_id, 3, 1, 0x409)
        names.setName(value, name_id, 1, 0, 0)
    os2 = font["OS/2"]
    os2.usWeightClass = weight
    os2.fsSelection = (os2.fsSelection & ~0b1100001) | (1 if italic else 0) | (0b100000 if bold else 0) \
        | (0b1000000 if not (bold or italic) else 0)
    font["head"].macStyle = (1 if bold else 0) | (2 if italic else 0)
    out = io.BytesIO()
    font.save(out)
    return out.getvalue()


def _local(element: etree._Element) -> str:
    return etree.QName(element).localname


def _families(theme: Theme, uses_code: bool) -> list[str]:
    tokens = theme.tokens["font"]
    families = [tokens["base"], tokens["headings"]] + ([tokens["mono"]] if uses_code else [])
    known = {face.family for face in theme.fonts}
    return [f for f in dict.fromkeys(families) if f in known]


def _embedding_plan(theme: Theme, uses_code: bool, characters: frozenset[str],
                    selection: Selection | None) -> list[tuple[str, list[tuple[str, int, str, Any, frozenset[str]]]]]:
    """Family → (slot, weight, style, face, characters) for every face to embed: the brand families
    with the editing characters, the fallback families with the characters each draws."""
    from pipeline.fonts.fallback import SHAPING_CHARACTERS
    from pipeline.fonts.subset import face_for

    plan = []
    for family in _families(theme, uses_code):
        faces = [(slot, weight, style, face, characters) for slot, weight, style in SLOTS
                 if (face := face_for(theme.fonts, family, weight, style)) is not None]
        plan.append((family, faces))
    for fallback in selection.families if selection is not None else ():
        drawn = selection.assigned[fallback.name] | SHAPING_CHARACTERS
        faces = [(slot, weight, style, face, drawn) for slot, weight, style in SLOTS if style == "normal"
                 for face in fallback.faces if int(face.weight) == weight and face.style == style]
        plan.append((fallback.name, faces))
    return plan


def embed_fonts(path: Path, theme: Theme, selection: Selection | None = None, lang: str = "en") -> list[str]:
    """Embed the theme's fonts, and the document's fallback families, into the DOCX at `path`; every
    style gets the fallback families in its East Asian and complex-script slots, and every run of
    text a brand font lacks names the family that draws it. Returns the faces embedded ("Inter Bold")."""
    from pipeline.fonts.subset import static_face

    with zipfile.ZipFile(path) as package:
        members = {info.filename: package.read(info) for info in package.infolist()}
    text_parts = [n for n in members if n.startswith("word/") and n.endswith(".xml")]
    shown = "".join(html.unescape(m) for n in text_parts for m in _TEXT.findall(members[n].decode("utf-8")))
    document_xml = members["word/document.xml"].decode("utf-8")
    uses_code = "VerbatimChar" in document_xml or "SourceCode" in document_xml
    characters = frozenset(shown) | EDITING_CHARACTERS
    if selection is not None and selection.families:
        from pipeline.fonts.docx_scripts import script_fonts

        script_fonts(members, selection, lang)

    table = etree.fromstring(members["word/fontTable.xml"], _PARSER)
    rels_name = "word/_rels/fontTable.xml.rels"
    rels = (etree.fromstring(members[rels_name], _PARSER) if rels_name in members
            else etree.Element(f"{{{PACKAGE_RELS}}}Relationships", nsmap={None: PACKAGE_RELS}))
    embedded: list[str] = []
    number = 0
    for family, faces in _embedding_plan(theme, uses_code, characters, selection):
        entry = next((f for f in table.iter(f"{{{W}}}font") if f.get(f"{{{W}}}name") == family), None)
        if entry is None:
            entry = etree.SubElement(table, f"{{{W}}}font", {f"{{{W}}}name": family})
        for old in [c for c in entry if _local(c).startswith("embed")]:
            entry.remove(old)
        for slot, weight, style, face, wanted in faces:
            number += 1
            key = "{" + str(uuid.uuid5(uuid.NAMESPACE_URL, f"{family}|{weight}|{style}")).upper() + "}"
            part = f"fonts/font{number}.odttf"
            data = named_face(static_face(face, weight, wanted), family, weight, style)
            members[f"word/{part}"] = obfuscate(data, key)
            rel_id = f"rIdFont{number}"
            etree.SubElement(rels, f"{{{PACKAGE_RELS}}}Relationship",
                             {"Id": rel_id, "Type": FONT_RELATIONSHIP, "Target": part})
            etree.SubElement(entry, f"{{{W}}}{slot}", {f"{{{R}}}id": rel_id, f"{{{W}}}fontKey": key})
            embedded.append(f"{family} {weight}{' italic' if style == 'italic' else ''}")
    if not embedded:
        return []
    members["word/fontTable.xml"] = etree.tostring(table, xml_declaration=True, encoding="UTF-8", standalone=True)
    members[rels_name] = etree.tostring(rels, xml_declaration=True, encoding="UTF-8", standalone=True)
    types = etree.fromstring(members["[Content_Types].xml"], _PARSER)
    if not any(d.get("Extension") == "odttf" for d in types.iter(f"{{{CONTENT_TYPES}}}Default")):
        types.insert(0, etree.Element(f"{{{CONTENT_TYPES}}}Default",
                                      {"Extension": "odttf", "ContentType": OBFUSCATED_FONT}))
    members["[Content_Types].xml"] = etree.tostring(types, xml_declaration=True, encoding="UTF-8", standalone=True)
    members["word/settings.xml"] = _settings_with_embedding(members["word/settings.xml"])
    _write(path, members)
    return embedded


def _settings_with_embedding(data: bytes) -> bytes:
    settings = etree.fromstring(data, _PARSER)
    for name in ("embedTrueTypeFonts", "saveSubsetFonts"):
        for old in settings.findall(f"{{{W}}}{name}"):
            settings.remove(old)
    index = 0
    for position, child in enumerate(settings):
        if _local(child) in _SETTINGS_BEFORE:
            index = position + 1
    settings.insert(index, etree.Element(f"{{{W}}}embedTrueTypeFonts"))
    system = settings.find(f"{{{W}}}embedSystemFonts")
    (system if system is not None else settings[index]).addnext(etree.Element(f"{{{W}}}saveSubsetFonts"))
    return etree.tostring(settings, xml_declaration=True, encoding="UTF-8", standalone=True)


def _write(path: Path, members: dict[str, bytes]) -> None:
    temporary = path.with_name(path.name + ".fonts")
    with zipfile.ZipFile(temporary, "w", zipfile.ZIP_DEFLATED) as package:
        for name, data in members.items():
            package.writestr(name, data)
    temporary.replace(path)
