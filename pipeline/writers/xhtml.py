"""Valid XHTML from pandoc's EPUB chapters, whatever raw HTML the Markdown carried.

Pandoc copies raw HTML into its XHTML verbatim: unclosed `<img>`, `<div>`s opened in one block and
closed in another chapter, `width="50%"`, `<script>`, site components such as `<Note>`. Each
chapter is therefore parsed the way a browser parses it (tinyhtml5, the WHATWG algorithm), cleaned
against the EPUB 3 content model, and written back as XHTML. The rules:

- elements that run, restyle, fetch or embed (script, style, iframe, video, svg …) go with their content;
- unknown or obsolete elements are unwrapped (their text stays), a few are renamed (`strike` → `s`);
- attributes are kept only where EPUB allows them, with valid values (`width="600px"` → `600`);
- block elements inside text-only ones are unwrapped, stray list content gets its `<li>`;
- images outside the book become their description; links to nowhere keep only their text.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from lxml import etree

XHTML = "http://www.w3.org/1999/xhtml"
OPS = "http://www.idpf.org/2007/ops"
MATHML = "http://www.w3.org/1998/Math/MathML"
SVG = "http://www.w3.org/2000/svg"
XML = "http://www.w3.org/XML/1998/namespace"
NSMAP = {None: XHTML, "epub": OPS}

_DROP = {
    "script", "style", "noscript", "template", "iframe", "object", "embed", "applet", "frame", "frameset",
    "noframes", "canvas", "video", "audio", "source", "track", "link", "meta", "base", "title", "head",
    "select", "textarea", "map", "area", "param", "portal", "dialog", "slot",
}  # fmt: skip
_RENAME = {"strike": "s", "acronym": "abbr", "tt": "code", "center": "div", "big": "span", "font": "span",
           "xmp": "pre", "listing": "pre", "plaintext": "pre", "dir": "ul", "menu": "ul"}
_ALLOWED = {
    "a", "abbr", "address", "article", "aside", "b", "bdi", "bdo", "blockquote", "br", "caption", "cite",
    "code", "col", "colgroup", "data", "dd", "del", "details", "dfn", "div", "dl", "dt", "em", "figcaption",
    "figure", "footer", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hgroup", "hr", "i", "img", "input",
    "ins", "kbd", "li", "main", "mark", "nav", "ol", "p", "pre", "q", "rp", "rt", "ruby", "s", "samp",
    "section", "small", "span", "strong", "sub", "summary", "sup", "table", "tbody", "td", "tfoot", "th",
    "thead", "time", "tr", "u", "ul", "var", "wbr", "body", "html",
}  # fmt: skip
_BLOCKS = {
    "address", "article", "aside", "blockquote", "details", "div", "dl", "figure", "footer", "form", "h1",
    "h2", "h3", "h4", "h5", "h6", "header", "hgroup", "hr", "main", "nav", "ol", "p", "pre", "section",
    "table", "ul", "figcaption", "summary", "li", "dt", "dd",
}  # fmt: skip
_PHRASING_ONLY = {
    "p", "span", "em", "strong", "b", "i", "u", "s", "small", "code", "kbd", "samp", "var", "sub", "sup",
    "mark", "abbr", "cite", "dfn", "q", "time", "data", "bdi", "bdo", "h1", "h2", "h3", "h4", "h5", "h6",
    "pre", "label", "rt", "rp", "ruby", "dt", "summary", "caption", "img",
}  # fmt: skip
_TRANSPARENT = {"a", "ins", "del"}
_GLOBAL = {"id", "class", "lang", "dir", "title", "hidden", f"{{{OPS}}}type", f"{{{XML}}}lang"}
_ARIA = {"aria-label", "aria-labelledby", "aria-describedby", "aria-hidden"}
_PER_TAG = {
    "a": {"href"},
    "img": {"src", "alt", "width", "height"},
    "td": {"colspan", "rowspan", "headers", "style"},
    "th": {"colspan", "rowspan", "headers", "scope", "abbr", "style"},
    "col": {"span", "style"},
    "colgroup": {"span"},
    "ol": {"start", "reversed", "type"},
    "li": {"value"},
    "time": {"datetime"},
    "data": {"value"},
    "details": {"open"},
    "input": {"type", "checked", "disabled"},
    "bdo": set(),
    "p": {"style"},
    "div": {"style"},
}
_INTEGER_ATTRIBUTES = {"width", "height", "colspan", "rowspan", "span", "start", "value"}
_ROLES = {
    "doc-toc", "doc-endnotes", "doc-endnote", "doc-noteref", "doc-backlink", "doc-footnote", "doc-pagelist",
    "doc-chapter", "doc-part", "doc-subtitle", "doc-credit", "doc-credits", "doc-pullquote", "doc-example",
    "doc-tip", "doc-notice", "doc-biblioentry", "doc-bibliography", "doc-glossary", "doc-index",
    "doc-abstract", "doc-acknowledgments", "doc-afterword", "doc-appendix", "doc-colophon", "doc-conclusion",
    "doc-dedication", "doc-epigraph", "doc-epilogue", "doc-errata", "doc-foreword", "doc-introduction",
    "doc-preface", "doc-prologue", "doc-qna", "note", "presentation", "none", "img", "list", "listitem",
    "navigation", "region", "table", "row", "cell", "heading", "separator", "group", "figure", "math",
}  # fmt: skip
_SAFE_STYLE = re.compile(r"^\s*(text-align|width)\s*:\s*(left|right|center|justify|\d+(?:\.\d+)?(?:%|px|em))\s*$")
_LANG = re.compile(r"^[A-Za-z]{2,8}(?:-[A-Za-z0-9]{1,8})*$")
_DATA_ATTRIBUTE = re.compile(r"^data-[a-z0-9_.-]+$")
_XML_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_.-]*$")
_SCHEME = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:")
_WEB_SCHEMES = ("http:", "https:", "mailto:", "ftp:", "tel:")
_OL_TYPES = {"1", "a", "A", "i", "I"}


@dataclass
class Chapter:
    """One content document of the book, parsed and cleaned."""

    name: str  # file name inside the text folder, e.g. "ch002.xhtml"
    root: Any  # lxml element <html>
    removed: dict[str, int] = field(default_factory=dict)

    @property
    def body(self) -> Any:
        return self.root.find(f"{{{XHTML}}}body")

    def ids(self) -> set[str]:
        return {el.get("id") for el in self.root.iter() if isinstance(el.tag, str) and el.get("id")}

    def has(self, namespace: str) -> bool:
        return any(isinstance(el.tag, str) and el.tag.startswith(f"{{{namespace}}}") for el in self.root.iter())

    def serialize(self) -> bytes:
        return etree.tostring(self.root, xml_declaration=True, encoding="utf-8", doctype="<!DOCTYPE html>")


def _local(tag: Any) -> tuple[str, str]:
    if not isinstance(tag, str):
        return "", ""
    if tag.startswith("{"):
        namespace, _, name = tag[1:].partition("}")
        return namespace, name
    return XHTML, tag


def _attribute_name(name: str) -> str | None:
    """An HTML-parsed attribute name as an XML one (`epub:type` → Clark notation), or None."""
    if name.startswith("{"):
        return None if name.startswith("{http://www.w3.org/2000/xmlns/}") else name
    if name in ("epub:type", "xml:lang"):
        return f"{{{OPS if name.startswith('epub') else XML}}}{name.split(':')[1]}"
    if ":" in name or name.startswith("xmlns") or not _XML_NAME.match(name):
        return None
    return name.lower()


def _from_html_tree(node: ET.Element, parent: Any = None) -> Any:
    """tinyhtml5's ElementTree → an lxml tree (comments dropped, names made XML-safe)."""
    namespace, name = _local(node.tag)
    if not _XML_NAME.match(name or "-"):
        namespace, name = XHTML, "x-unknown"  # a tag XML cannot name (`<foo@bar>`): unwrapped later
    tag = f"{{{namespace}}}{name}"
    if parent is None:
        element = etree.Element(tag, nsmap=NSMAP)
    elif namespace in (MATHML, SVG) and _local(parent.tag)[0] != namespace:
        # A MathML or SVG island declares its namespace as the default (`<math xmlns=…>`), as
        # reading systems expect, rather than an `ns0:` prefix on every element.
        element = etree.SubElement(parent, tag, nsmap={None: namespace})
    else:
        element = etree.SubElement(parent, tag)
    for key, value in node.attrib.items():
        attribute = _attribute_name(key)
        if attribute:
            element.set(attribute, _xml_text(value))
    element.text = _xml_text(node.text)
    previous = None
    for child in node:
        if not isinstance(child.tag, str):  # a comment or processing instruction
            text = _xml_text(child.tail) or ""
            if previous is None:
                element.text = (element.text or "") + text
            else:
                previous.tail = (previous.tail or "") + text
            continue
        previous = _from_html_tree(child, element)
        previous.tail = _xml_text(child.tail)
    return element


_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _xml_text(text: str | None) -> str | None:
    return _XML_INVALID.sub("", text) if text else text


def parse_chapter(name: str, data: bytes) -> Chapter:
    """Parse a chapter as HTML (never fails, repairs nesting like a browser) into an XHTML tree."""
    import tinyhtml5

    # Bytes, never str: tinyhtml5 reads a short str that names an existing file from disk.
    document = tinyhtml5.parse(bytes(data), transport_encoding="utf-8")
    return Chapter(name, _from_html_tree(document))


# --- cleaning -----------------------------------------------------------------------------------

def _remove(element: Any, keep_content: bool) -> None:
    """Take `element` out of the tree: with its content, or leaving its text and children in place."""
    parent = element.getparent()
    if parent is None:
        return
    index = parent.index(element)
    tail = element.tail or ""
    if keep_content:
        children = list(element)
        lead = element.text or ""
        for offset, child in enumerate(children):
            parent.insert(index + offset, child)
        if children:
            last = children[-1]
            last.tail = (last.tail or "") + tail
        else:
            lead += tail
        _append_text(parent, index, lead)
    else:
        _append_text(parent, index, tail)
    parent.remove(element)


def _append_text(parent: Any, index: int, text: str) -> None:
    """Put `text` where the element at `index` of `parent` begins (after its previous sibling)."""
    if not text:
        return
    if index == 0:
        parent.text = (parent.text or "") + text
    else:
        sibling = parent[index - 1]
        sibling.tail = (sibling.tail or "") + text


def _count(chapter: Chapter, what: str) -> None:
    chapter.removed[what] = chapter.removed.get(what, 0) + 1


def _clean_style(value: str) -> str | None:
    kept = [part.strip() for part in value.split(";") if part.strip() and _SAFE_STYLE.match(part)]
    return "; ".join(kept) + ";" if kept else None


def _clean_attributes(element: Any, name: str) -> None:
    allowed = _PER_TAG.get(name, set())
    align = element.get("align")
    for key in list(element.attrib):
        value = element.get(key)
        keep = key in _GLOBAL or key in allowed or key in _ARIA or bool(_DATA_ATTRIBUTE.match(key))
        if key == "role":
            keep = all(token in _ROLES for token in value.split()) and bool(value.strip())
        if keep and key in _INTEGER_ATTRIBUTES:
            number = re.match(r"^\s*(\d+)(?:\.\d+)?\s*(px)?\s*$", value)
            keep = bool(number) and not (key in ("colspan", "rowspan", "span") and number.group(1) == "0")
            if keep:
                element.set(key, number.group(1))
                continue
        if keep and key == "style":
            value = _clean_style(value)
            keep = value is not None
            if keep:
                element.set(key, value)
                continue
        if keep and key == "dir":
            keep = value in ("ltr", "rtl", "auto")
        if keep and key in ("lang", f"{{{XML}}}lang"):
            keep = value == "" or bool(_LANG.match(value))
        if keep and key == "id":
            keep = bool(value) and not any(ch.isspace() for ch in value)
        if keep and key == "type" and name == "ol":
            keep = value in _OL_TYPES
        if keep and key == "type" and name == "input":
            keep = value == "checkbox"
        if keep and key == "scope":
            keep = value in ("row", "col", "rowgroup", "colgroup")
        if keep and key in ("hidden", "checked", "disabled", "open", "reversed"):
            element.set(key, key)
            continue
        if not keep:
            del element.attrib[key]
    if align and name in ("td", "th", "p", "div") and align.lower() in ("left", "right", "center", "justify"):
        style = element.get("style")
        element.set("style", (style + " " if style else "") + f"text-align: {align.lower()};")
    if name == "a" and element.get("name") is None and "name" in element.attrib:
        del element.attrib["name"]


def _phrasing_context(element: Any) -> bool:
    """Whether `element` sits where only phrasing content is allowed."""
    parent = element.getparent()
    while parent is not None:
        namespace, name = _local(parent.tag)
        if namespace != XHTML:
            return True
        if name in _TRANSPARENT:
            parent = parent.getparent()
            continue
        return name in _PHRASING_ONLY
    return False


def _tex_as_alttext(math: Any) -> None:
    """The formula's TeX (pandoc's annotation) as `alttext`: what a reading system without MathML shows."""
    for annotation in math.iter(f"{{{MATHML}}}annotation"):
        if annotation.get("encoding") == "application/x-tex" and annotation.text:
            math.set("alttext", " ".join(annotation.text.split()))
            return


def clean_chapter(chapter: Chapter, resolve_image: Callable[[str], str | None]) -> list[str]:
    """Make the body valid EPUB XHTML in place; returns the image sources shown as descriptions."""
    body = chapter.body
    missing: list[str] = []
    if body is None:
        return missing
    for element in list(body.iter()):
        if element.getparent() is None and element is not body:
            continue  # already removed with an ancestor
        namespace, name = _local(element.tag)
        if element is body:
            _clean_attributes(element, "body")
            continue
        if namespace == MATHML:
            for key in [k for k in element.attrib if k.lower().startswith("on") or "href" in k]:
                del element.attrib[key]
            if name == "math" and not element.get("alttext"):
                _tex_as_alttext(element)
            continue
        if namespace != XHTML or name in _DROP or (name == "input" and element.get("type") != "checkbox"):
            _count(chapter, name)
            _remove(element, keep_content=False)
            continue
        if name in _RENAME:
            element.tag = f"{{{XHTML}}}{_RENAME[name]}"
            name = _RENAME[name]
        elif name not in _ALLOWED:
            _count(chapter, name)
            _remove(element, keep_content=True)
            continue
        if name == "a" and element.get("name") and not element.get("id"):
            element.set("id", element.get("name"))
        _clean_attributes(element, name)
        if name == "img":
            # Raw HTML images reach us with their src hidden from pandoc (see epub.py).
            hidden = element.attrib.pop("data-pipeline-src", None)
            if hidden is not None:
                element.set("src", hidden)
            source = resolve_image(element.get("src") or "")
            if source is None:
                missing.append(element.get("src") or "")
                _replace_by_description(element)
                continue
            element.set("src", source)
            if element.get("alt") is None:
                element.set("alt", "")
    _fix_content_model(chapter)
    _unique_ids(chapter)
    return missing


def _replace_by_description(image: Any) -> None:
    alt = " ".join((image.get("alt") or "").split()) or "image"
    span = etree.Element(f"{{{XHTML}}}span", {"class": "missing-image"})
    span.text = f"[{alt}]"
    span.tail = image.tail
    image.getparent().replace(image, span)


def _fix_content_model(chapter: Chapter) -> None:
    body = chapter.body
    for element in list(body.iter()):
        if element.getparent() is None and element is not body:
            continue
        namespace, name = _local(element.tag)
        if namespace != XHTML or element is body:
            continue
        parent = element.getparent()
        parent_name = _local(parent.tag)[1] if parent is not None else ""
        orphan = ((name == "li" and parent_name not in ("ul", "ol"))
                  or (name in ("dt", "dd") and parent_name not in ("dl", "div"))
                  or (name == "figcaption" and parent_name != "figure"))
        if orphan:  # an item without its list: a plain block keeps the text valid
            element.tag = f"{{{XHTML}}}div"
            name = "div"
        if name in _BLOCKS and _phrasing_context(element):
            if name == "hr":
                _remove(element, keep_content=False)
            else:
                _space_around(element)
                _remove(element, keep_content=True)
    for element in list(body.iter(f"{{{XHTML}}}ul", f"{{{XHTML}}}ol")):
        _wrap_strays(element, "li", {"li"})
    for element in list(body.iter(f"{{{XHTML}}}dl")):
        _wrap_strays(element, "dd", {"dt", "dd", "div"})
    for element in list(body.iter(f"{{{XHTML}}}figure")):
        captions = element.findall(f"{{{XHTML}}}figcaption")
        for caption in captions:
            if caption is not element[0] and caption is not element[-1]:
                caption.tag = f"{{{XHTML}}}div"


def _space_around(element: Any) -> None:
    # Unwrapping a paragraph inside a span must not glue its words to the neighbours'.
    element.text = " " + (element.text or "")
    element.tail = " " + (element.tail or "")


def _wrap_strays(container: Any, wrapper: str, allowed: set[str]) -> None:
    """Text and elements a list (or definition list) may not hold directly go into one item each run."""
    run: list[Any] = []
    lead = container.text or ""

    def flush(before: Any) -> None:
        nonlocal run
        if not run:
            return
        item = etree.Element(f"{{{XHTML}}}{wrapper}")
        for node in run:
            item.append(node)
        if before is None:
            container.append(item)
        else:
            before.addprevious(item)
        run = []

    if lead.strip():
        item = etree.Element(f"{{{XHTML}}}{wrapper}")
        item.text = lead
        container.text = None
        container.insert(0, item)
    for child in list(container):
        name = _local(child.tag)[1]
        if name in allowed:
            flush(child)
            if child.tail and child.tail.strip():
                tail_item = etree.Element(f"{{{XHTML}}}{wrapper}")
                tail_item.text, child.tail = child.tail, None
                child.addnext(tail_item)
            continue
        run.append(child)
    flush(None)


def _unique_ids(chapter: Chapter) -> None:
    seen: set[str] = set()
    for element in chapter.root.iter():
        if not isinstance(element.tag, str):
            continue
        ident = element.get("id")
        if ident is None:
            continue
        if ident in seen:
            del element.attrib["id"]
        seen.add(ident)


# --- links across the book ----------------------------------------------------------------------

def fix_links(chapters: list[Chapter], valid_uri: Callable[[str], str], other_files: set[str]) -> int:
    """Point `#id` links at the chapter that holds the id; unlink what leads nowhere in the book.

    Pandoc rewrites the links it parsed, but not those inside raw HTML, so `<a href="#x">` still
    names the chapter it was written in. Returns how many links were unwrapped.
    """
    where: dict[str, str] = {}
    ids_of: dict[str, set[str]] = {}
    for chapter in chapters:
        ids_of[chapter.name] = chapter.ids()
        for ident in ids_of[chapter.name]:
            where.setdefault(ident, chapter.name)
    unwrapped = 0
    for chapter in chapters:
        for link in list(chapter.root.iter(f"{{{XHTML}}}a")):
            href = link.get("href")
            if href is None:
                continue
            target = _resolve_href(href, chapter.name, where, ids_of, other_files, valid_uri)
            if target is None:
                del link.attrib["href"]
                if not link.attrib:
                    _remove(link, keep_content=True)
                unwrapped += 1
            else:
                link.set("href", target)
    return unwrapped


def _resolve_href(href: str, here: str, where: dict[str, str], ids_of: dict[str, set[str]],
                  other_files: set[str], valid_uri: Callable[[str], str]) -> str | None:
    if href.startswith("#"):
        fragment = href[1:]
        if fragment in ids_of[here]:
            return href
        return f"{where[fragment]}#{fragment}" if fragment in where else None
    if _SCHEME.match(href):
        return valid_uri(href) if href.lower().startswith(_WEB_SCHEMES) else None
    file, _, fragment = href.partition("#")
    if file in ids_of:
        if not fragment or fragment in ids_of[file]:
            return href
        return file
    return href if file in other_files else None
