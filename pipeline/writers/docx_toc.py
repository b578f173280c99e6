"""A Word table of contents that arrives filled in, with page numbers.

Pandoc writes the contents as an empty TOC field marked dirty: Word then asks "update fields?" on
open, and a reader who says no (or opens it anywhere else) sees an empty contents. Page numbers
need a layout engine, so LibreOffice lays the document out headless and updates its indexes; we
read its page numbers and write the field's result into our own document (LibreOffice's re-saved
DOCX is not what we deliver: the document stays pandoc's, with our styles). The field stays a real
TOC field, so Word can update it later; each entry links to a hidden `_Toc` bookmark on its heading
through a PAGEREF field, exactly as Word builds it.
"""

from __future__ import annotations

import re
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lxml import etree

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_XML_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True)


def w(tag: str) -> str:
    return f"{{{W}}}{tag}"


@dataclass(frozen=True)
class Entry:
    level: int
    text: str
    bookmark: str


def _normal(text: str) -> str:
    return " ".join(text.split()).casefold()


def paragraph_text(paragraph: Any) -> str:
    """A paragraph's text with tabs kept (runs' w:t and w:tab in document order)."""
    parts: list[str] = []
    for node in paragraph.iter(w("t"), w("tab"), w("br")):
        if node.tag == w("t"):
            parts.append(node.text or "")
        elif node.tag == w("tab") and node.getparent().tag == w("r"):
            parts.append("\t")
    return "".join(parts)


def _is_toc_begin(paragraph: Any) -> bool:
    return any((t.text or "").strip().upper().startswith("TOC ") for t in paragraph.iter(w("instrText")))


def lo_entries(docx_path: Path) -> list[tuple[int, str, str]]:
    """(level, text, page) of each entry in the first TOC of a DOCX LibreOffice wrote."""
    with zipfile.ZipFile(docx_path) as package:
        root = etree.fromstring(package.read("word/document.xml"), _XML_PARSER)
    paragraphs = list(root.iter(w("p")))
    start = next((i for i, p in enumerate(paragraphs) if _is_toc_begin(p)), None)
    if start is None:
        return []
    entries: list[tuple[int, str, str]] = []
    depth = 0  # open fields: the TOC ends where its own field does
    for paragraph in paragraphs[start:]:
        style = paragraph.find(f"{w('pPr')}/{w('pStyle')}")
        level_match = re.search(r"(\d+)$", style.get(w("val"), "")) if style is not None else None
        text = paragraph_text(paragraph)
        if "\t" in text and level_match:
            title, _, page = text.rpartition("\t")
            entries.append((int(level_match.group(1)), title.strip(), page.strip()))
        for mark in paragraph.iter(w("fldChar")):
            depth += {"begin": 1, "end": -1}.get(mark.get(w("fldCharType")), 0)
        if depth <= 0:
            break
    return entries


def match_pages(entries: list[Entry], laid_out: list[tuple[int, str, str]]) -> dict[str, str]:
    """Bookmark → page, pairing our entries with LibreOffice's in order, by their text."""
    pages: dict[str, str] = {}
    position = 0
    for entry in entries:
        for index in range(position, len(laid_out)):
            if _normal(laid_out[index][1]) == _normal(entry.text):
                pages[entry.bookmark] = laid_out[index][2]
                position = index + 1
                break
    if not pages and len(entries) == len(laid_out):  # same outline, text changed on the way (fields …)
        pages = {entry.bookmark: page for entry, (_level, _text, page) in zip(entries, laid_out, strict=True)}
    return pages


def _run(parent: Any, *children: Any) -> Any:
    run = etree.SubElement(parent, w("r"))
    for child in children:
        run.append(child)
    return run


def _field_char(kind: str) -> Any:
    element = etree.Element(w("fldChar"))
    element.set(w("fldCharType"), kind)
    return element


def _instruction(text: str) -> Any:
    element = etree.Element(w("instrText"))
    element.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
    element.text = text
    return element


def _text(value: str) -> Any:
    element = etree.Element(w("t"))
    element.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
    element.text = value
    return element


def build_result(instruction: str, entries: list[Entry], pages: dict[str, str]) -> list[Any]:
    """The paragraphs of a filled TOC field: begin + instruction in the first entry, end after the last.

    A field with a page number missing is marked dirty, so Word offers to update it on open.
    """
    paragraphs: list[Any] = []
    for index, entry in enumerate(entries):
        paragraph = etree.Element(w("p"))
        properties = etree.SubElement(paragraph, w("pPr"))
        etree.SubElement(properties, w("pStyle")).set(w("val"), f"TOC{min(entry.level, 9)}")
        if index == 0:
            begin = _field_char("begin")
            if any(not pages.get(e.bookmark) for e in entries):
                begin.set(w("dirty"), "true")
            _run(paragraph, begin)
            _run(paragraph, _instruction(f" {instruction.strip()} "))
            _run(paragraph, _field_char("separate"))
        link = etree.SubElement(paragraph, w("hyperlink"))
        link.set(w("anchor"), entry.bookmark)
        link.set(w("history"), "1")
        _run(link, _text(entry.text))
        _run(link, etree.Element(w("tab")))
        _run(link, _field_char("begin"))
        _run(link, _instruction(f" PAGEREF {entry.bookmark} \\h "))
        _run(link, _field_char("separate"))
        _run(link, _text(pages.get(entry.bookmark, "")))
        _run(link, _field_char("end"))
        paragraphs.append(paragraph)
    closing = etree.Element(w("p"))
    _run(closing, _field_char("end"))
    paragraphs.append(closing)
    return paragraphs


def fill_field(body: Any, entries: list[Entry], pages: dict[str, str]) -> bool:
    """Replace the empty TOC field paragraph in `body` (a w:body element) by the filled one."""
    field_paragraph = next((p for p in body.iter(w("p")) if _is_toc_begin(p)), None)
    if field_paragraph is None or not entries:
        return False
    instruction = "".join(t.text or "" for t in field_paragraph.iter(w("instrText")))
    for paragraph in build_result(instruction, entries, pages):
        field_paragraph.addprevious(paragraph)
    field_paragraph.getparent().remove(field_paragraph)
    return True


def laid_out_entries(docx_path: Path, timeout: float) -> tuple[list[tuple[int, str, str]], str, bool]:
    """LibreOffice's contents for `docx_path`: (entries, LibreOffice version, whether the batch's
    resident LibreOffice laid it out)."""
    from pipeline import libreoffice

    office = libreoffice.find()
    if office is None:
        raise libreoffice.LibreOfficeError("LibreOffice (soffice) is not installed")
    with tempfile.TemporaryDirectory(prefix="pipeline-toc-") as folder:
        source = Path(folder) / "document.docx"
        source.write_bytes(docx_path.read_bytes())
        updated, resident = libreoffice.update_indexes(office, source, Path(folder) / "updated.docx",
                                                       timeout=timeout)
        return lo_entries(updated), office.version, resident
