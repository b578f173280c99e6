"""DOCX writer: pandoc with the theme's reference document, then finished as a Word report.

Pandoc gives the body (headings, lists, tables in the "Table" style, footnotes as Word footnotes,
images embedded, bylines in the Byline style) and an empty TOC field. python-docx then adds what a
report needs: a cover (logo, title, subtitle, date) on a page of its own without header or footer,
the contents on the next page, the body after it, a header with the title and a footer with
"Page X / Y" fields, core properties. Finally LibreOffice lays the document out so the contents
arrive filled in with page numbers (`docx_toc`); without LibreOffice Word fills them on open.
"""

from __future__ import annotations

import datetime as dt
import io
import logging
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pipeline import trace
from pipeline.render import embedded_ast, run_pandoc, with_metadata
from pipeline.writers.docx_reference import page_size, reference_docx, text_width, to_points

if TYPE_CHECKING:
    from pipeline.document import Document
    from pipeline.theme import Theme
    from pipeline.writers import WriteOptions, WriteResult

log = logging.getLogger("pipeline")
LOGO_HEIGHT_MM = 14


def _created(date: str | None) -> dt.datetime | None:
    if not date:
        return None
    parts = [int(p) for p in date.split("-")] + [1, 1]
    try:
        return dt.datetime(parts[0], parts[1], parts[2], tzinfo=dt.UTC)
    except ValueError:
        return None


def _fit(text: str, limit: int = 255) -> str:
    """Core properties hold at most 255 characters (python-docx enforces Word's limit)."""
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _element(tag: str, **attributes: str) -> Any:
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    element = OxmlElement(tag)
    for key, value in attributes.items():
        element.set(qn(key), value)
    return element


def add_field(paragraph: Any, instruction: str, placeholder: str = "1") -> None:
    """A complex field (`PAGE`, `NUMPAGES` …) whose shown result Word and LibreOffice recompute."""
    paragraph.add_run()._r.append(_element("w:fldChar", **{"w:fldCharType": "begin"}))
    instr = _element("w:instrText", **{"xml:space": "preserve"})
    instr.text = f" {instruction} "
    paragraph.add_run()._r.append(instr)
    paragraph.add_run()._r.append(_element("w:fldChar", **{"w:fldCharType": "separate"}))
    paragraph.add_run(placeholder)
    paragraph.add_run()._r.append(_element("w:fldChar", **{"w:fldCharType": "end"}))


def set_core_properties(word: Any, document: Document) -> None:
    props, meta = word.core_properties, document.meta
    props.title = _fit(meta.title)
    props.subject = _fit(meta.subtitle or meta.description or "")
    props.author = _fit(", ".join(meta.authors) or meta.publisher or "")
    props.keywords = _fit(", ".join(meta.keywords))
    props.language = meta.lang
    props.comments = _fit(meta.description or "")
    props.category = _fit(str(meta.extra.get("category") or ""))
    props.last_modified_by = _fit(meta.publisher or "")
    props.revision = 1
    created = _created(meta.date)
    if created:
        props.created = created
    props.modified = dt.datetime.now(dt.UTC).replace(microsecond=0)


def compose_cover(word: Any, document: Document, theme: Theme) -> None:
    """Logo and organisation above pandoc's Title/Subtitle/Date block; the author line goes when it
    only repeats the organisation."""
    from docx.shared import Mm

    from pipeline.writers.cover import logo_png

    paragraphs = word.paragraphs
    title = next((p for p in paragraphs if p.style is not None and p.style.name == "Title"), None)
    if title is None:
        return
    publisher = document.meta.publisher or theme.tokens["name"]
    for paragraph in paragraphs:
        if paragraph.style is not None and paragraph.style.name == "Author" and paragraph.text.strip() == publisher:
            paragraph._p.getparent().remove(paragraph._p)
    brand = title.insert_paragraph_before(style="Cover Brand")
    logo = logo_png(theme)
    if logo is not None:
        data, _width, _height = logo
        picture = brand.add_run().add_picture(io.BytesIO(data), height=Mm(LOGO_HEIGHT_MM))
        picture._inline.docPr.set("descr", f"{publisher} logo")
        brand.add_run("\u2003")
    name = brand.add_run(publisher)
    # Raise the name to the middle of the logo (w:position is in half-points).
    name._r.get_or_add_rPr().append(_element("w:position", **{"w:val": str(round(LOGO_HEIGHT_MM * 72 / 25.4 / 2))}))


def _block_after(element: Any) -> Any:
    """The next paragraph or table after `element`, skipping bookmarks and the like."""
    from docx.oxml.ns import qn

    sibling = element.getnext()
    while sibling is not None and sibling.tag not in (qn("w:p"), qn("w:tbl")):
        sibling = sibling.getnext()
    return sibling


def contents_then_body(word: Any, has_entries: bool) -> Any:
    """The contents start a page (TOC Heading's style) and the body starts the page after them; a
    document with no heading for the contents loses the empty contents instead."""
    from docx.oxml.ns import qn
    from docx.text.paragraph import Paragraph

    body = word.element.body
    contents = next((el for el in body.iterchildren(qn("w:sdt"))), None)
    if contents is None:
        return None
    anchor = contents
    if not has_entries:
        anchor = contents.getprevious()
        body.remove(contents)
        contents = None
    following = _block_after(anchor) if anchor is not None else None
    if following is not None and following.tag == qn("w:p"):
        Paragraph(following, word._body).paragraph_format.page_break_before = True
    elif following is not None:
        breaker = _element("w:p")
        breaker.append(_element("w:r"))
        breaker[0].append(_element("w:br", **{"w:type": "page"}))
        following.addprevious(breaker)
    return contents


def paragraph_style_names(word: Any) -> Callable[[Any], str]:
    """A paragraph's style name, from a table made once: python-docx's `paragraph.style` searches the
    styles part anew for every paragraph (0.1 s for the seed's thousand)."""
    from docx.enum.style import WD_STYLE_TYPE

    names = {style.style_id: style.name for style in word.styles if style.type == WD_STYLE_TYPE.PARAGRAPH}
    default = word.styles.default(WD_STYLE_TYPE.PARAGRAPH)
    fallback = default.name if default is not None else ""
    return lambda paragraph: names.get(paragraph._p.style, fallback) or ""


def mark_headings(word: Any, depth: int) -> list[Any]:
    """Hidden `_Toc` bookmarks on the headings the contents list (what Word itself links to)."""
    from docx.oxml.ns import qn

    from pipeline.writers.docx_toc import Entry

    body = word.element.body
    used = [int(b.get(qn("w:id"))) for b in body.iter(qn("w:bookmarkStart")) if (b.get(qn("w:id")) or "").isdigit()]
    next_id = max(used, default=0) + 1
    entries = []
    style_of = paragraph_style_names(word)
    for paragraph in word.paragraphs:
        style = style_of(paragraph)
        if not style.startswith("Heading ") or not style[8:].isdigit() or int(style[8:]) > depth:
            continue
        text = " ".join(paragraph.text.split())
        if not text:
            continue
        name = f"_Toc{next_id:08d}"
        start = _element("w:bookmarkStart", **{"w:id": str(next_id), "w:name": name})
        end = _element("w:bookmarkEnd", **{"w:id": str(next_id)})
        p = paragraph._p
        properties = p.find(qn("w:pPr"))
        if properties is not None:
            properties.addnext(start)
        else:
            p.insert(0, start)
        p.append(end)
        entries.append(Entry(int(style[8:]), text, name))
        next_id += 1
    return entries


def header_and_footer(word: Any, document: Document, theme: Theme, paper: str | None) -> None:
    """Title (and organisation) in the header, "Page X / Y" in the footer, none on the cover."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt

    from pipeline.writers.htmlpage import document_labels

    label = document_labels(document, theme)["page"]
    for section in word.sections:
        if paper:
            width, height = page_size(theme, paper)
            section.page_width, section.page_height = Pt(width), Pt(height)
        section.different_first_page_header_footer = True
        for part in (section.first_page_header, section.first_page_footer):
            part.is_linked_to_previous = False  # an empty definition: the cover stays clean
            for paragraph in part.paragraphs:
                paragraph.style = word.styles["Normal"]  # not "Header", whose rule would show
        header = section.header
        header.is_linked_to_previous = False
        paragraph = header.paragraphs[0]
        paragraph.style = word.styles["Header"]
        chapter_style = document.artifacts.get("running_head_style")  # a book: the current chapter's title
        if chapter_style:
            add_field(paragraph, f'STYLEREF "{chapter_style}"', placeholder=document.meta.title)
        else:
            paragraph.add_run(document.meta.title)
        organisation = document.meta.publisher or theme.tokens["name"]
        if organisation and organisation != document.meta.title:
            paragraph.add_run("\t" + organisation)
        footer = section.footer
        footer.is_linked_to_previous = False
        paragraph = footer.paragraphs[0]
        paragraph.style = word.styles["Footer"]
        paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        paragraph.add_run(f"{label} ")
        add_field(paragraph, "PAGE")
        paragraph.add_run(" / ")
        add_field(paragraph, "NUMPAGES")


def fill_contents(path: Path, entries: list[Any], document: Document, *, office: bool = True) -> dict[str, Any]:
    """Page numbers from LibreOffice into the TOC field; what happened, for the job's details.

    Without `office`, the entries go in without their page numbers and the field stays marked for
    Word to update when the file is opened.
    """
    import docx

    from pipeline import libreoffice
    from pipeline.writers.docx_toc import fill_field, laid_out_entries, match_pages

    if not entries:
        return {"filled": False, "reason": "no headings for a table of contents"}
    if not office:
        word = docx.Document(str(path))
        if not fill_field(word.element.body, entries, {}):
            return {"filled": False, "reason": "no TOC field found"}
        word.save(str(path))
        return {"filled": True, "entries": len(entries), "with_pages": 0,
                "reason": "--no-office: page numbers left for Word to fill on open"}
    if libreoffice.find() is None:
        # Every DOCX records it (each worker process sees it afresh); the batch's reporter prints
        # this machine-wide warning once per run (see pipeline.batch.progress.RUN_WIDE).
        document.warn("DOCX001", "LibreOffice (soffice) is not installed: Word files get their table of "
                      "contents filled when they are opened (Word asks to update fields)")
        return {"filled": False, "reason": "LibreOffice (soffice) is not installed; Word updates it on open"}
    try:
        laid_out, version, resident = laid_out_entries(path, timeout=libreoffice.TIMEOUT_SECONDS)
    except libreoffice.LibreOfficeError as exc:
        document.warn("DOCX002", f"the table of contents is left for Word to fill: {exc.message}")
        return {"filled": False, "reason": exc.message}
    pages = match_pages(entries, laid_out)
    word = docx.Document(str(path))
    body = word.element.body
    if not fill_field(body, entries, pages):  # marked for Word to update if a page number is missing
        return {"filled": False, "reason": "no TOC field found"}
    word.save(str(path))
    return {"filled": True, "entries": len(entries), "with_pages": len(pages), "laid_out_by": version,
            "office": "kept running for the batch" if resident else "started for this document"}


class DocxWriter:
    name = "docx"
    extension = ".docx"
    description = "Editable Word document styled from the theme"

    def write(self, document: Document, theme: Theme, options: WriteOptions, out_path: Path) -> WriteResult:
        import docx

        from pipeline import validate
        from pipeline.fonts.docx import embed_fonts
        from pipeline.fonts.fallback import document_fonts
        from pipeline.theme.highlight import pandoc_theme_file
        from pipeline.writers import WriteResult
        from pipeline.writers.docx_lists import brand_lists
        from pipeline.writers.docx_tables import fit_tables
        from pipeline.writers.htmlpage import document_labels
        from pipeline.writers.rawhtml import promote_raw_images, raw_blocks_as_ast, text_direction

        depth = int(theme.tokens["toc_depth"])
        ast = raw_blocks_as_ast(promote_raw_images(embedded_ast(document), document), document)
        source = with_metadata(ast, document, dir=text_direction(document),
                               **{"toc-title": document_labels(document, theme)["contents"]})
        highlight = pandoc_theme_file(theme.tokens["code"])
        run_pandoc(source, "docx", args=["--reference-doc", str(reference_docx(theme)), "--toc",
                                         "--toc-depth", str(depth), f"--syntax-highlighting={highlight}"],
                   outputfile=out_path, document=document)
        word = docx.Document(str(out_path))
        set_core_properties(word, document)
        compose_cover(word, document, theme)
        entries = mark_headings(word, depth)
        contents_then_body(word, bool(entries))
        header_and_footer(word, document, theme, getattr(options, "paper", None))
        brand_lists(word, theme.tokens["color"]["primary"])
        fit_tables(word, text_width(theme, getattr(options, "paper", None)),
                   to_points(theme.tokens["font"]["size"], 10.5))
        word.save(str(out_path))
        selection = document_fonts(document, theme)
        # Before LibreOffice lays it out: its pages use them.
        fonts = embed_fonts(out_path, theme, selection, document.meta.lang)
        with trace.span("fill the contents (LibreOffice)"):
            contents = fill_contents(out_path, entries, document, office=getattr(options, "office", True))
        result = WriteResult(details={"fonts": fonts, "toc": contents})
        if selection.families:
            result.details["fallback_fonts"] = selection.describe()
        validate.gate("docx", out_path, document, options, result)
        return result
