"""Which characters the fonts embedded in an output can draw, read back from the file itself.

PDF: each embedded font program's own cmap (fontTools), plus the characters its ToUnicode map gives
for glyphs the program really has: a shaped Arabic or Devanagari letter, or an emoji sequence, is
drawn by a glyph no cmap entry points at (a contextual form, a ligature), while a character with no
glyph gets a number past the program's last glyph (WeasyPrint's .notdef stand-ins), so it never counts.
EPUB, HTML and DOCX: the cmaps of the fonts the file carries (DOCX fonts de-obfuscated first).
"""

from __future__ import annotations

import base64
import io
import re
import subprocess
import zipfile
from pathlib import Path

from fontTools.ttLib import TTFont

from pipeline.fonts.coverage import is_invisible
from pipeline.fonts.docx import obfuscate
from pipeline.fonts.subset import text_of_html

_BFCHAR = re.compile(r"<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]+)>")
_BFRANGE = re.compile(r"<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]+)>")


def _unicode(hex_text: str) -> str:
    data = bytes.fromhex(hex_text)
    return data.decode("utf-16-be", "replace")


def _to_unicode(cmap: str) -> dict[int, str]:
    mapping: dict[int, str] = {}
    for block in re.findall(r"beginbfrange(.*?)endbfrange", cmap, re.DOTALL):
        for start, end, first in _BFRANGE.findall(block):
            base = int(first, 16)
            for offset, gid in enumerate(range(int(start, 16), int(end, 16) + 1)):
                mapping[gid] = chr(base + offset)
    for block in re.findall(r"beginbfchar(.*?)endbfchar", cmap, re.DOTALL):
        for gid, text in _BFCHAR.findall(block):
            mapping[int(gid, 16)] = _unicode(text)
    return mapping


def pdf_fonts(path: Path) -> dict[str, set[str]]:
    """PDF font name → the characters it can draw (see the module's note)."""
    from pypdf import PdfReader

    found: dict[str, set[str]] = {}
    seen: set[int] = set()
    for page in PdfReader(path).pages:
        fonts = (page.get("/Resources") or {}).get("/Font") or {}
        for reference in fonts.values():
            font = reference.get_object()
            if id(font) in seen:
                continue
            seen.add(id(font))
            name = str(font.get("/BaseFont"))
            characters = found.setdefault(name, set())
            for descendant in font.get("/DescendantFonts") or [font]:
                descriptor = descendant.get_object().get("/FontDescriptor")
                program = None
                for key in ("/FontFile2", "/FontFile3"):
                    if descriptor is not None and key in descriptor.get_object():
                        program = TTFont(io.BytesIO(descriptor.get_object()[key].get_object().get_data()))
                if program is None:
                    continue
                characters.update(chr(c) for c in (program.getBestCmap() or {}))
                glyphs = program["maxp"].numGlyphs
                if "/ToUnicode" in font:
                    mapping = _to_unicode(font["/ToUnicode"].get_object().get_data().decode("latin-1"))
                    characters.update(ch for gid, text in mapping.items() if 0 < gid < glyphs for ch in text)
    return found


def visible(text: str) -> set[str]:
    return {ch for ch in text if not is_invisible(ch) and not ch.isspace()}


def pdf_uncovered(path: Path) -> set[str]:
    """Characters pdftotext extracts that no embedded font can draw."""
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    drawable = set().union(*pdf_fonts(path).values())
    return visible(text) - drawable


def _cmap(data: bytes) -> set[str]:
    return {chr(c) for c in (TTFont(io.BytesIO(data)).getBestCmap() or {})}


def epub_uncovered(path: Path) -> set[str]:
    with zipfile.ZipFile(path) as book:
        names = book.namelist()
        drawable = set().union(*(_cmap(book.read(n)) for n in names if "/fonts/" in n))
        text = "".join(text_of_html(book.read(n).decode("utf-8")) for n in names if n.endswith(".xhtml")
                       and not n.endswith("nav.xhtml"))
    return visible(text) - drawable


def html_uncovered(path: Path) -> set[str]:
    page = path.read_text(encoding="utf-8")
    fonts = re.findall(r"url\(\"data:font/[a-z0-9]+;base64,([A-Za-z0-9+/=]+)\"\)", page)
    drawable = set().union(*(_cmap(base64.b64decode(data)) for data in fonts))
    body = page.split("<body", 1)[1]
    body = re.sub(r"<style\b.*?</style>", " ", body, flags=re.DOTALL)
    return visible(text_of_html(body)) - drawable


def docx_fonts(path: Path) -> dict[str, set[str]]:
    """Embedded font family → the characters its faces cover (de-obfuscated with their keys)."""
    from lxml import etree

    w = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
    r = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
    with zipfile.ZipFile(path) as package:
        table = etree.fromstring(package.read("word/fontTable.xml"))
        rels = etree.fromstring(package.read("word/_rels/fontTable.xml.rels"))
        targets = {rel.get("Id"): rel.get("Target") for rel in rels}
        found: dict[str, set[str]] = {}
        for font in table.iter(f"{w}font"):
            for slot in font:
                if not slot.tag.startswith(f"{w}embed"):
                    continue
                data = package.read("word/" + targets[slot.get(f"{r}id")])
                found.setdefault(font.get(f"{w}name"), set()).update(_cmap(obfuscate(data, slot.get(f"{w}fontKey"))))
    return found


def docx_uncovered(path: Path) -> set[str]:
    with zipfile.ZipFile(path) as package:
        xml = "".join(package.read(n).decode("utf-8") for n in package.namelist()
                      if n.startswith("word/") and n.endswith(".xml") and "fontTable" not in n)
    import html

    text = "".join(html.unescape(t) for t in re.findall(r"<w:t(?:\s[^>]*)?>([^<]*)</w:t>", xml))
    return visible(text) - set().union(*docx_fonts(path).values())
