"""EPUB 3 writer: pandoc's EPUB3, then finished inside the container.

Pandoc builds the book from the shared AST (metadata in the AST, the cover image from the PDF's
cover design on the command line). The container is then finished in one pass:

1. every chapter is parsed like a browser would and written back as valid XHTML (raw HTML from the
   Markdown is the usual reason an EPUB fails EPUBCheck: see `xhtml.py`);
2. the heading pandoc invents when a document does not open with a level-1 heading is removed, so
   the navigation matches the PDF's contents;
3. the brand fonts are embedded as static subsets of the characters the book uses;
4. the theme's CSS replaces pandoc's (`--css` cannot be combined with `--sandbox`);
5. the package document gets keywords, a reproducible modification date and accessibility
   metadata; the navigation document gets landmarks;
6. EPUBCheck judges the result (see `pipeline.validate`).
"""

from __future__ import annotations

import base64
import datetime as dt
import os
import re
import uuid
import zipfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote

from lxml import etree

from pipeline import trace
from pipeline.codelines import split_code_lines
from pipeline.errors import WriterError
from pipeline.render import embedded_ast, run_pandoc, valid_uri, with_metadata
from pipeline.writers.xhtml import MATHML, XHTML, Chapter, clean_chapter, fix_links, parse_chapter

if TYPE_CHECKING:
    from pipeline.document import Document
    from pipeline.theme import Theme
    from pipeline.writers import WriteOptions, WriteResult

OPF = "http://www.idpf.org/2007/opf"
DC = "http://purl.org/dc/elements/1.1/"
NCX = "http://www.daisy.org/z3986/2005/ncx/"
OPS = "http://www.idpf.org/2007/ops"
ROOT = "EPUB"  # pandoc's folder inside the container
STYLESHEET = f"{ROOT}/styles/stylesheet1.css"
_XML_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, remove_blank_text=False)
# EPUB 3 core media types for images, by what the data starts with.
_IMAGE_MAGIC = {b"\x89PNG": ("image/png", ".png"), b"\xff\xd8\xff": ("image/jpeg", ".jpg"),
                b"GIF8": ("image/gif", ".gif"), b"RIFF": ("image/webp", ".webp")}
MAX_IMAGE_BYTES = 25 * 1024 * 1024


def stable_identifier(document: Document) -> str:
    """Same document, same identifier: derived from its canonical URL, else its name and title."""
    key = document.meta.url or f"{document.name}|{document.meta.title}"
    return f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, key)}"


def modified_timestamp(document: Document) -> str:
    """dcterms:modified: SOURCE_DATE_EPOCH for reproducible builds, else when the source last changed."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "")
    seconds = int(epoch) if epoch.isdigit() else int(document.source.stat().st_mtime)
    return dt.datetime.fromtimestamp(seconds, dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass
class Container:
    """The members of an EPUB zip, in order, editable in memory."""

    members: dict[str, bytes] = field(default_factory=dict)

    @classmethod
    def read(cls, path: Path) -> Container:
        with zipfile.ZipFile(path) as archive:
            return cls({info.filename: archive.read(info) for info in archive.infolist() if not info.is_dir()})

    def write(self, path: Path) -> None:
        """`mimetype` first and stored, as OCF requires; everything else deflated."""
        with zipfile.ZipFile(path, "w") as archive:
            archive.writestr(zipfile.ZipInfo("mimetype", (1980, 1, 1, 0, 0, 0)), b"application/epub+zip",
                             compress_type=zipfile.ZIP_STORED)
            for name, data in self.members.items():
                if name == "mimetype":
                    continue
                # A fixed date: the same book gives the same bytes (reproducible builds).
                archive.writestr(zipfile.ZipInfo(name, (1980, 1, 1, 0, 0, 0)), data,
                                 compress_type=zipfile.ZIP_DEFLATED, compresslevel=9)

    def xml(self, name: str) -> Any:
        return etree.fromstring(self.members[name], _XML_PARSER)

    def set_xml(self, name: str, root: Any, doctype: str | None = None) -> None:
        self.members[name] = etree.tostring(root, xml_declaration=True, encoding="utf-8", doctype=doctype)


def rewrite_container(path: Path, replacements: dict[str, bytes]) -> None:
    """Replace members of an EPUB (a zip whose first member, `mimetype`, must stay uncompressed)."""
    book = Container.read(path)
    missing = set(replacements) - set(book.members)
    if missing:
        raise WriterError(f"EPUB container has no {', '.join(sorted(missing))}")
    book.members.update(replacements)
    book.write(path)


class _Images:
    """Images raw HTML points at, taken into the book when they are the document's own."""

    def __init__(self, book: Container, document: Document) -> None:
        self.book, self.document = book, document
        self.added: dict[str, str] = {}  # container path → media type
        self._by_source: dict[str, str | None] = {}

    def resolve(self, src: str) -> str | None:
        """The src to use from a chapter in EPUB/text/, or None to show the image's description."""
        if src in self._by_source:
            return self._by_source[src]
        inside = str(PurePosixPath(f"{ROOT}/text") / unquote(src)) if src and ":" not in src else ""
        normalized = os.path.normpath(inside) if inside else ""
        if normalized in self.book.members:
            result: str | None = src
        else:
            data = self._data(src)
            result = self._add(data) if data else None
            if result is None:
                shown = src if not src.startswith("data:") else "data: URI"
                self.document.warn("REND002", f"image {shown[:120]!r} is missing, remote or not a supported image; "
                                   "shown as its description in the EPUB")
        self._by_source[src] = result
        return result

    def _data(self, src: str) -> bytes | None:
        from pipeline.resources import resolve_resource

        if src.startswith("data:"):
            header, _, payload = src.partition(",")
            if ";base64" not in header:
                return None
            try:
                return base64.b64decode(payload, validate=False)
            except ValueError:
                return None
        target, _reason = resolve_resource(src, self.document)
        if target is None:
            return None
        if target.stat().st_size > MAX_IMAGE_BYTES:
            return None
        return target.read_bytes()

    def _add(self, data: bytes) -> str | None:
        kind = next((v for magic, v in _IMAGE_MAGIC.items() if data.startswith(magic)), None)
        if kind is None or len(data) > MAX_IMAGE_BYTES:
            return None  # SVG from a document can carry scripts and remote references: not taken in
        media_type, extension = kind
        name = f"{ROOT}/media/raw-{len(self.added) + 1:03d}{extension}"
        self.book.members[name] = data
        self.added[name] = media_type
        return "../" + name.removeprefix(f"{ROOT}/")


_RAW_IMG_SRC = re.compile(r"(<img\b[^>]*?\s)src\s*=", re.IGNORECASE)


def hide_raw_image_sources(ast: dict[str, Any]) -> dict[str, Any]:
    """Raw `<img src>` renamed `data-pipeline-src` before pandoc sees it.

    Pandoc's EPUB writer tries to fetch raw HTML images itself (and warns, under --sandbox, then
    rewrites the path); the chapter cleaner resolves them instead, from the original src.
    """
    from pipeline.render import walk

    def visit(node: dict[str, Any]) -> Any:
        if node["t"] in ("RawBlock", "RawInline") and node["c"][0] == "html" and "<img" in node["c"][1].lower():
            return {"t": node["t"], "c": ["html", _RAW_IMG_SRC.sub(r"\1data-pipeline-src=", node["c"][1])]}
        return None

    return {**ast, "blocks": walk(ast["blocks"], visit)}


def _text(element: Any) -> str:
    return " ".join("".join(element.itertext()).split())


def _first_block_is_h1(ast: dict[str, Any]) -> bool:
    """Pandoc's EPUB writer invents a title heading unless the document opens with a level-1 one."""
    for block in ast.get("blocks", []):
        if block["t"] == "Header":
            return block["c"][0] == 1
        if block["t"] == "Div":
            inner = block["c"][1]
            return bool(inner) and inner[0]["t"] == "Header" and inner[0]["c"][0] == 1
        return False
    return False


def _invented_heading(chapters: list[Chapter], title: str) -> str | None:
    """The id of the section pandoc wrapped around the opening text under the book's title."""
    if not chapters:
        return None
    body = chapters[0].body
    section = body.find(f"{{{XHTML}}}section") if body is not None else None
    if section is None or "unnumbered" not in (section.get("class") or ""):
        return None
    heading = section.find(f"{{{XHTML}}}h1")
    if heading is None or _text(heading) != " ".join(title.split()):
        return None
    return section.get("id")


def _drop_invented_heading(chapter: Chapter, section_id: str) -> None:
    from pipeline.writers.xhtml import _remove

    section = next(el for el in chapter.body.iter(f"{{{XHTML}}}section") if el.get("id") == section_id)
    heading = section.find(f"{{{XHTML}}}h1")
    _remove(heading, keep_content=False)
    _remove(section, keep_content=True)


def _lift(item: Any) -> None:
    """Replace a navigation entry by its sub-entries (a nav `li` or an NCX `navPoint`)."""
    container = item.getparent()
    index = container.index(item)
    if etree.QName(item).localname == "li":
        sub = item.find(f"{{{XHTML}}}ol")
        children = list(sub) if sub is not None else []
    else:
        children = [c for c in item if etree.QName(c).localname == "navPoint"]
    for offset, child in enumerate(children):
        container.insert(index + offset, child)
    container.remove(item)


def _nav_entry(toc: Any, href: str) -> Any:
    """The first contents entry (`li`) linking to `href`."""
    for link in toc.iter(f"{{{XHTML}}}a"):
        if link.get("href") == href:
            return link.getparent()
    return None


def invented_entry_removable(book: Container, href: str) -> bool:
    """Removing the invented title heading must leave the contents with entries of their own."""
    toc = book.xml(f"{ROOT}/nav.xhtml").find(f".//{{{XHTML}}}nav[@id='toc']")
    entry = _nav_entry(toc, href) if toc is not None else None
    if entry is None:
        return False
    sub_entries = entry.find(f"{{{XHTML}}}ol")
    siblings = [li for li in entry.getparent() if li is not entry]
    return bool(siblings) or (sub_entries is not None and len(sub_entries) > 0)


def _retarget(href: str, ids_of: dict[str, set[str]], where: dict[str, str]) -> str:
    """A navigation link at the chapter that really holds its id.

    Pandoc's navigation can name the wrong chapter when two sections share an id (its invented
    title section and a real section of the same name), and one of them may have been removed.
    """
    path, _, fragment = href.partition("#")
    name = path.removeprefix("text/")
    if not fragment or fragment in ids_of.get(name, set()) or fragment not in where:
        return href
    return f"text/{where[fragment]}#{fragment}"


def _entry_text(href: str, chapters: list[Chapter], number: int, section_label: str) -> str:
    """Text for a contents entry that has none: its heading's text, else the alt text of the images
    in it, else "Section N" (a heading that is empty or made only of markup)."""
    path, _, fragment = href.partition("#")
    chapter = next((c for c in chapters if c.name == path.removeprefix("text/")), None)
    target = None
    if chapter is not None:
        target = next((el for el in chapter.root.iter() if fragment and el.get("id") == fragment), None)
        if target is not None and etree.QName(target).localname == "section":
            target = next((h for h in target if etree.QName(h).localname in _HEADINGS), target)
    if target is not None:
        text = _text(target) or " ".join(
            " ".join((img.get("alt") or "").split()) for img in target.iter(f"{{{XHTML}}}img")).strip()
        if text:
            return text
    return f"{section_label} {number}"


_HEADINGS = {"h1", "h2", "h3", "h4", "h5", "h6"}


def _label_entries(nav: Any, chapters: list[Chapter], section_label: str) -> dict[str, str]:
    """Every contents entry has text (EPUBCheck RSC-005: an empty heading gave an empty `<a/>`); an
    empty span is no entry's text and goes. Returns the text given to each href, for the NCX."""
    from pipeline.writers.xhtml import _remove

    toc = nav.find(f".//{{{XHTML}}}nav[@id='toc']")
    if toc is None:
        return {}
    for span in [s for s in toc.iter(f"{{{XHTML}}}span") if not _text(s) and not len(s)]:
        _remove(span, keep_content=True)
    given: dict[str, str] = {}
    for number, link in enumerate(toc.iter(f"{{{XHTML}}}a"), start=1):
        if _text(link) or not link.get("href"):
            continue
        for child in list(link):
            link.remove(child)
        link.text = given[link.get("href")] = _entry_text(link.get("href"), chapters, number, section_label)
    return given


def _label_ncx(ncx: Any, given: dict[str, str]) -> None:
    for point in ncx.iter(f"{{{NCX}}}navPoint"):
        content, label = point.find(f"{{{NCX}}}content"), point.find(f"{{{NCX}}}navLabel/{{{NCX}}}text")
        if content is not None and label is not None and not (label.text or "").strip():
            label.text = given.get(content.get("src", ""), label.text)


def _fix_navigation(book: Container, invented_href: str | None, chapters: list[Chapter], has_cover: bool,
                    words: dict[str, str], direction: str = "") -> None:
    ids_of = {c.name: c.ids() for c in chapters}
    where: dict[str, str] = {}
    for chapter in chapters:
        for ident in ids_of[chapter.name]:
            where.setdefault(ident, chapter.name)
    nav_name = f"{ROOT}/nav.xhtml"
    nav = book.xml(nav_name)
    ns = {"x": XHTML, "epub": OPS}
    toc = nav.find(".//x:nav[@id='toc']", ns)
    if invented_href and toc is not None:
        entry = _nav_entry(toc, invented_href)
        if entry is not None:
            _lift(entry)
    for link in nav.iter(f"{{{XHTML}}}a"):
        if link.get("href"):
            link.set("href", _retarget(link.get("href"), ids_of, where))
    given = _label_entries(nav, chapters, words.get("section", "Section"))
    for old in nav.findall(".//x:nav", ns):
        if old.get(f"{{{OPS}}}type") == "landmarks":
            old.getparent().remove(old)
    landmarks = etree.SubElement(nav.find(f"{{{XHTML}}}body"), f"{{{XHTML}}}nav",
                                 {f"{{{OPS}}}type": "landmarks", "id": "landmarks", "hidden": "hidden"})
    heading = etree.SubElement(landmarks, f"{{{XHTML}}}h2")
    heading.text = words["landmarks"]
    items = etree.SubElement(landmarks, f"{{{XHTML}}}ol")
    entries = []
    if has_cover:
        entries.append(("cover", "text/cover.xhtml", words["cover"]))
    if f"{ROOT}/text/title_page.xhtml" in book.members:
        entries.append(("titlepage", "text/title_page.xhtml", words["title_page"]))
    entries.append(("toc", "nav.xhtml#toc", words["contents"]))
    body_chapters = [c for c in chapters if c.name.startswith("ch")]
    if body_chapters:
        entries.append(("bodymatter", f"text/{body_chapters[0].name}", words["start"]))
    for kind, href, label in entries:
        link = etree.SubElement(etree.SubElement(items, f"{{{XHTML}}}li"), f"{{{XHTML}}}a",
                                {"href": href, f"{{{OPS}}}type": kind})
        link.text = label
    if direction:
        nav.set("dir", direction)
    book.set_xml(nav_name, nav, "<!DOCTYPE html>")
    ncx_name = f"{ROOT}/toc.ncx"
    if ncx_name in book.members:
        ncx = book.xml(ncx_name)
        if invented_href:
            for content in ncx.iter(f"{{{NCX}}}content"):
                if content.get("src") == invented_href:
                    _lift(content.getparent())
                    break
        for content in ncx.iter(f"{{{NCX}}}content"):
            if content.get("src"):
                content.set("src", _retarget(content.get("src"), ids_of, where))
        _label_ncx(ncx, given)
        book.set_xml(ncx_name, ncx)


def _accessibility_summary(has_images: bool, all_described: bool, has_math: bool) -> str:
    parts = ["Reflowable text with a navigation document, landmarks and a heading structure for "
             "moving through the book; the reading order follows the source document."]
    if has_images:
        parts.append("Images have text descriptions." if all_described else
                     "Some images have no text description in the source document.")
    if has_math:
        parts.append("Mathematics is encoded as MathML.")
    parts.append("No known hazards.")
    return " ".join(parts)


def _subtitle(metadata: Any, subtitle: str | None) -> None:
    """The subtitle as a second dc:title refined as such (pandoc shows it only on the title page)."""
    title = metadata.find(f"{{{DC}}}title")
    if not subtitle or title is None:
        return
    title.set("id", title.get("id") or "epub-title-1")
    second = etree.Element(f"{{{DC}}}title", {"id": "epub-subtitle-1"})
    second.text = subtitle
    title.addnext(second)
    for element, kind, sequence in ((title, "main", "1"), (second, "subtitle", "2")):
        # Inserted right after their title, in reverse so they read title-type, display-seq.
        for prop, value in (("display-seq", sequence), ("title-type", kind)):
            refine = etree.Element(f"{{{OPF}}}meta", {"refines": f"#{element.get('id')}", "property": prop})
            refine.text = value
            element.addnext(refine)


def _plain_metadata(opf: Any) -> Any:
    """The metadata element, re-declared without pandoc's `opf:` prefix: lxml would otherwise write
    the elements we add as `<opf:meta>`, valid XML that naive reading systems do not recognise."""
    old = opf.find(f"{{{OPF}}}metadata")
    metadata = etree.Element(f"{{{OPF}}}metadata", nsmap={"dc": DC})
    metadata.text, metadata.tail = old.text, old.tail
    for child in list(old):
        metadata.append(child)
    opf.replace(old, metadata)
    return metadata


def _indent(parent: Any, level: int = 2) -> None:
    """Newlines and indentation for the elements we appended, so the package stays readable."""
    inner, outer = "\n" + "  " * level, "\n" + "  " * (level - 1)
    for child in parent:
        child.tail = inner
    if len(parent):
        parent[-1].tail = outer
    parent.text = inner


def _fix_package(book: Container, document: Document, fonts: list[Any], images: _Images,
                 chapters: list[Chapter], direction: str = "") -> None:
    opf_name = f"{ROOT}/content.opf"
    opf = book.xml(opf_name)
    ns = {"o": OPF, "dc": DC}
    metadata, manifest = _plain_metadata(opf), opf.find("o:manifest", ns)
    meta = document.meta
    _subtitle(metadata, meta.subtitle)
    # pandoc files the description under dc:subject too; subjects are the keywords.
    for subject in metadata.findall("dc:subject", ns):
        metadata.remove(subject)
    for keyword in meta.keywords:
        etree.SubElement(metadata, f"{{{DC}}}subject").text = keyword
    for item in metadata.findall("o:meta", ns):
        prop = item.get("property", "")
        if prop == "dcterms:modified":
            item.text = modified_timestamp(document)
        elif prop.startswith("schema:access"):
            metadata.remove(item)
    images_in_book = [img for c in chapters for img in c.root.iter(f"{{{XHTML}}}img")]
    described = all((img.get("alt") or "").strip() for img in images_in_book)
    has_math = any(c.has(MATHML) for c in chapters)
    modes = ["textual"] + (["visual"] if images_in_book else [])
    features = ["structuralNavigation", "tableOfContents", "readingOrder", "displayTransformability"]
    features += (["alternativeText"] if images_in_book and described else [])
    features += (["MathML"] if has_math else [])
    sufficient = ["textual"] if not images_in_book or described else ["textual,visual"]
    for prop, values in (("schema:accessMode", modes), ("schema:accessModeSufficient", sufficient),
                         ("schema:accessibilityFeature", features), ("schema:accessibilityHazard", ["none"]),
                         ("schema:accessibilitySummary",
                          [_accessibility_summary(bool(images_in_book), described, has_math)])):
        for value in values:
            etree.SubElement(metadata, f"{{{OPF}}}meta", {"property": prop}).text = value
    for item in manifest.findall("o:item", ns):
        href = f"{ROOT}/{item.get('href')}"
        if item.get("media-type", "").startswith("font/") or href not in book.members:
            manifest.remove(item)
    for index, font in enumerate(fonts):
        etree.SubElement(manifest, f"{{{OPF}}}item", {"id": f"font-{index + 1:02d}", "href": f"fonts/{font.filename}",
                                                      "media-type": font.media_type})
    for index, (name, media_type) in enumerate(images.added.items()):
        etree.SubElement(manifest, f"{{{OPF}}}item", {"id": f"raw-image-{index + 1:03d}",
                                                      "href": name.removeprefix(f"{ROOT}/"), "media-type": media_type})
    by_href = {f"text/{c.name}": c for c in chapters}
    for item in manifest.findall("o:item", ns):
        chapter = by_href.get(item.get("href", ""))
        if chapter is None:
            continue
        properties = set((item.get("properties") or "").split()) - {"mathml", "scripted", "svg", "remote-resources"}
        if chapter.has(MATHML):
            properties.add("mathml")
        if properties:
            item.set("properties", " ".join(sorted(properties)))
        elif "properties" in item.attrib:
            del item.attrib["properties"]
    if direction:  # right-to-left books turn their pages the other way
        opf.find("o:spine", ns).set("page-progression-direction", direction)
    for part in (metadata, manifest, opf.find("o:spine", ns), opf.find("o:guide", ns)):
        if part is not None:
            _indent(part)
    book.set_xml(opf_name, opf)


_COVER_PAGE = """<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE html>
<html xmlns="http://www.w3.org/1999/xhtml" xmlns:epub="http://www.idpf.org/2007/ops">
<head>
<meta charset="utf-8"/>
<title></title>
<style>html, body {{ margin: 0; padding: 0; height: 100%; }}
svg {{ display: block; width: 100%; height: 100%; }}</style>
</head>
<body epub:type="cover">
<section epub:type="cover" id="cover">
<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" version="1.1" width="100%"
 height="100%" viewBox="0 0 {width} {height}" preserveAspectRatio="xMidYMid meet" role="img"><title></title>
<image width="{width}" height="{height}" xlink:href="../media/cover.jpg"/></svg>
</section>
</body>
</html>
"""


def add_cover(book: Container, document: Document, jpeg: bytes, cover_word: str = "Cover") -> None:
    """The cover image and a cover page, declared the EPUB 3 way (`cover-image`) and the EPUB 2 way
    (`<meta name="cover">`, the guide) so every reading system shows it in the library."""
    import io

    from PIL import Image

    with Image.open(io.BytesIO(jpeg)) as image:
        width, height = image.size
    page = etree.fromstring(_COVER_PAGE.format(width=width, height=height).encode(), _XML_PARSER)
    page.set("lang", document.meta.lang)
    page.set("{http://www.w3.org/XML/1998/namespace}lang", document.meta.lang)
    label = f"{cover_word}: {document.meta.title}"
    page.find(f"{{{XHTML}}}head/{{{XHTML}}}title").text = label
    page.find(".//{http://www.w3.org/2000/svg}title").text = label
    book.members[f"{ROOT}/media/cover.jpg"] = jpeg
    book.set_xml(f"{ROOT}/text/cover.xhtml", page, "<!DOCTYPE html>")
    opf_name = f"{ROOT}/content.opf"
    opf = book.xml(opf_name)
    ns = {"o": OPF}
    manifest, spine = opf.find("o:manifest", ns), opf.find("o:spine", ns)
    etree.SubElement(manifest, f"{{{OPF}}}item", {"id": "cover-image", "href": "media/cover.jpg",
                                                  "media-type": "image/jpeg", "properties": "cover-image"})
    etree.SubElement(manifest, f"{{{OPF}}}item", {"id": "cover_xhtml", "href": "text/cover.xhtml",
                                                  "media-type": "application/xhtml+xml", "properties": "svg"})
    etree.SubElement(opf.find("o:metadata", ns), f"{{{OPF}}}meta", {"name": "cover", "content": "cover-image"})
    spine.insert(0, etree.Element(f"{{{OPF}}}itemref", {"idref": "cover_xhtml", "linear": "yes"}))
    guide = opf.find("o:guide", ns)
    if guide is not None:
        guide.insert(0, etree.Element(f"{{{OPF}}}reference", {"type": "cover", "title": cover_word,
                                                               "href": "text/cover.xhtml"}))
    book.set_xml(opf_name, opf)


def _css(theme: Theme, fonts: list[Any]) -> bytes:
    faces = [{"family": f.family, "weight": f.weight, "style": f.style, "href": f"../fonts/{f.filename}",
              "format": f.css_format, "unicode_range": f.unicode_range if f.characters else ""} for f in fonts]
    return theme.render("epub.css.j2", embedded_fonts=faces).encode("utf-8")


class EpubWriter:
    name = "epub"
    extension = ".epub"
    description = "EPUB 3 e-book with navigation, embedded fonts and metadata"

    def write(self, document: Document, theme: Theme, options: WriteOptions, out_path: Path) -> WriteResult:
        from pipeline import validate
        from pipeline.fonts.fallback import document_fonts, fallback_subsets, styled_theme
        from pipeline.fonts.subset import code_text_of_html, subset_theme_fonts, text_of_html
        from pipeline.writers import WriteResult
        from pipeline.writers.cover import cover_jpeg
        from pipeline.writers.htmlpage import document_labels
        from pipeline.writers.rawhtml import promote_raw_images, text_direction

        ast = hide_raw_image_sources(promote_raw_images(embedded_ast(document), document))
        words = document_labels(document, theme)
        contents_label = words["contents"]
        # --toc: the navigation document is also a page in the reading order (a visible contents).
        # A book with parts (pipeline.book) has its chapters one level down: each gets its own file too.
        # --mathml: formulas as MathML (EPUB 3 allows it; declared per chapter in the package).
        split_level = str(document.artifacts.get("epub_split_level", 1))
        args = ["--toc", "--toc-depth", str(theme.tokens["toc_depth"]), "--split-level", split_level, "--mathml"]
        source = with_metadata(ast, document, identifier=stable_identifier(document),
                               rights=str(document.meta.extra.get("rights") or ""),
                               dir=text_direction(document), **{"toc-title": contents_label})
        run_pandoc(source, "epub3", args=args, outputfile=out_path, document=document)

        book = Container.read(out_path)
        # Pandoc's --epub-cover-image cannot be read under --sandbox, so the cover goes in here.
        with trace.span("cover"):
            add_cover(book, document, cover_jpeg(document, theme), words["cover"])
        names = [n for n in book.members if n.startswith(f"{ROOT}/text/") and n.endswith(".xhtml")]
        chapters = [parse_chapter(n.rsplit("/", 1)[1], split_code_lines(book.members[n].decode("utf-8")).encode())
                    for n in names if not n.endswith("/cover.xhtml")]
        images = _Images(book, document)
        for chapter in chapters:
            clean_chapter(chapter, images.resolve)
        invented_href = None
        body_chapters = [c for c in chapters if c.name.startswith("ch")]
        if not _first_block_is_h1(ast) and body_chapters:
            invented = _invented_heading(body_chapters, document.meta.title)
            href = f"text/{body_chapters[0].name}#{invented}"
            # A book whose contents would be empty without it keeps its title as its one heading.
            if invented and invented_entry_removable(book, href):
                _drop_invented_heading(body_chapters[0], invented)
                invented_href = href
        other_files = {n.removeprefix(f"{ROOT}/text/") for n in book.members if n.startswith(f"{ROOT}/")}
        unlinked = fix_links(chapters, valid_uri, other_files)
        direction = text_direction(document)
        for chapter in chapters:
            if direction:
                chapter.root.set("dir", direction)
            book.members[f"{ROOT}/text/{chapter.name}"] = chapter.serialize()
        _fix_navigation(book, invented_href, chapters, f"{ROOT}/text/cover.xhtml" in book.members, words, direction)

        markup = "".join(book.members[n].decode("utf-8") for n in book.members
                         if n.endswith(".xhtml") or n.endswith(".ncx"))
        with trace.span("font subsets"):
            fonts = subset_theme_fonts(theme, text_of_html(markup), code_text=code_text_of_html(markup), flavor="ttf")
            selection = document_fonts(document, theme)
            fonts += fallback_subsets(selection, "ttf")
        for name in [n for n in book.members if n.startswith(f"{ROOT}/fonts/")]:
            del book.members[name]
        for font in fonts:
            book.members[f"{ROOT}/fonts/{font.filename}"] = font.data
        book.members[STYLESHEET] = _css(styled_theme(theme, selection), fonts)
        _fix_package(book, document, fonts, images, chapters, direction)
        book.write(out_path)

        removed: dict[str, int] = {}
        for chapter in chapters:
            for tag, count in chapter.removed.items():
                removed[tag] = removed.get(tag, 0) + count
        if removed:
            summary = ", ".join(f"{count}× <{tag}>" for tag, count in sorted(removed.items()))
            document.info("EPUB001", f"raw HTML an e-book cannot carry was left out of the EPUB: {summary}")
        result = WriteResult(details={
            "cover": "text/cover.xhtml",
            "fonts": [font.filename for font in fonts],
            "fonts_bytes": sum(len(font.data) for font in fonts),
            "fallback_fonts": selection.describe(),
            "raw_html_removed": removed,
            "links_unwrapped": unlinked,
            "images_added": len(images.added),
        })
        validate.gate("epub", out_path, document, options, result)
        return result
