"""The DOCX reference document pandoc styles Word files with, generated from the theme's tokens.

Every style a colleague will meet when editing is defined here in the brand: body and headings,
the cover (Title, Subtitle, Date, Cover Brand), contents (TOC Heading, TOC 1–3 with dot leaders),
header and footer, bylines, quotations, code, captions, footnotes, and a real table style with a
header row and banded rows (pandoc gives every table the style named "Table").
"""

from __future__ import annotations

import re
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pipeline.theme import Theme

_LENGTH = re.compile(r"^\s*([\d.]+)\s*(pt|px|rem|em|mm|cm|in)?\s*$")
_TO_PT = {"pt": 1.0, "px": 0.75, "rem": 11.0, "em": 11.0, "mm": 72 / 25.4, "cm": 72 / 2.54, "in": 72.0, None: 1.0}
TWIPS_PER_PT = 20


def to_points(value: Any, default: float) -> float:
    match = _LENGTH.match(str(value or ""))
    if not match:
        return default
    return float(match.group(1)) * _TO_PT[match.group(2)]


def _hex(color: str) -> str:
    value = color.lstrip("#")
    if len(value) == 3:
        value = "".join(ch * 2 for ch in value)
    return value[:6].upper()


def _rgb(hex_color: str) -> Any:
    from docx.shared import RGBColor

    return RGBColor.from_string(_hex(hex_color))


def _set_font(style: Any, family: str, size_pt: float | None = None, color: str | None = None,
              bold: bool | None = None) -> None:
    from docx.oxml.ns import qn
    from docx.shared import Pt

    font = style.font
    font.name = family
    # Word picks a font per script; set them all so East Asian and complex-script text stay on brand.
    rpr = style.element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = rpr.makeelement(qn("w:rFonts"), {})
        rpr.append(fonts)
    for attribute in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(attribute), family)
    for attribute in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        fonts.attrib.pop(qn(attribute), None)
    # Theme colours in pandoc's defaults (TOC Heading's accent1) would override the brand colour.
    color_element = rpr.find(qn("w:color"))
    if color_element is not None:
        for attribute in ("w:themeColor", "w:themeShade", "w:themeTint"):
            color_element.attrib.pop(qn(attribute), None)
    if size_pt:
        font.size = Pt(size_pt)
        _set_child(rpr, "w:szCs", {"w:val": str(round(size_pt * 2))})
    if color:
        font.color.rgb = _rgb(color)
    if bold is not None:
        font.bold = bold


# Word rejects a file whose XML children are out of schema order ("unreadable content"), so
# elements are inserted at their place in these sequences (ECMA-376 part 1, §17).
_ORDER = {
    "pPr": "pStyle keepNext keepLines pageBreakBefore framePr widowControl numPr suppressLineNumbers pBdr shd tabs "
           "suppressAutoHyphens kinsoku wordWrap overflowPunct topLinePunct autoSpaceDE autoSpaceDN bidi "
           "adjustRightInd snapToGrid spacing ind contextualSpacing mirrorIndents suppressOverlap jc textDirection "
           "textAlignment textboxTightWrap outlineLvl divId cnfStyle rPr sectPr pPrChange",
    "rPr": "rStyle rFonts b bCs i iCs caps smallCaps strike dstrike outline shadow emboss imprint noProof snapToGrid "
           "vanish webHidden color spacing w kern position sz szCs highlight u effect bdr shd fitText vertAlign rtl "
           "cs em lang eastAsianLayout specVanish oMath",
    "tblPr": "tblStyle tblpPr tblOverlap bidiVisual tblStyleRowBandSize tblStyleColBandSize tblW jc tblCellSpacing "
             "tblInd tblBorders shd tblLayout tblCellMar tblLook tblCaption tblDescription",
    "tcPr": "cnfStyle tcW gridSpan hMerge vMerge tcBorders shd noWrap tcMar textDirection tcFitText vAlign hideMark",
    "trPr": "cnfStyle divId gridBefore gridAfter wBefore wAfter cantSplit trHeight tblHeader tblCellSpacing jc hidden",
    "pBdr": "top left bottom right between bar",
    "tcBorders": "top left start bottom right end insideH insideV tl2br tr2bl",
    "tblBorders": "top left start bottom right end insideH insideV",
    "tblCellMar": "top left start bottom right end",
    "tblStylePr": "pPr rPr tblPr trPr tcPr",
}


def _local_name(element: Any) -> str:
    return element.tag.rsplit("}", 1)[-1]


def _insert(parent: Any, element: Any) -> Any:
    """Insert `element` into `parent` at its schema position (appended when the order is unknown)."""
    order = _ORDER.get(_local_name(parent), "").split()
    name = _local_name(element)
    if name in order:
        later = set(order[order.index(name) + 1:])
        for child in parent:
            if _local_name(child) in later:
                child.addprevious(element)
                return element
    parent.append(element)
    return element


insert_in_order = _insert


def _set_child(parent: Any, tag: str, attributes: dict[str, str]) -> Any:
    """Replace (or add) the child `tag` of an XML element with one carrying `attributes`."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    old = parent.find(qn(tag))
    if old is not None:
        parent.remove(old)
    element = OxmlElement(tag)
    for key, value in attributes.items():
        element.set(qn(key), value)
    return _insert(parent, element)


def _child(parent: Any, tag: str) -> Any:
    """The child `tag` of `parent`, added at its schema position when missing."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    found = parent.find(qn(tag))
    return found if found is not None else _insert(parent, OxmlElement(tag))


def _border(parent: Any, container: str, sides: dict[str, tuple[str, int, str]], space: int = 0) -> None:
    """Borders (`pBdr` or `tcBorders`): side → (line style, eighths of a point, hex colour)."""
    holder = _child(parent, container)
    for side, (kind, size, color) in sides.items():
        _set_child(holder, f"w:{side}", {"w:val": kind, "w:sz": str(size), "w:space": str(space),
                                         "w:color": _hex(color)})


def _shading(parent: Any, color: str) -> None:
    _set_child(parent, "w:shd", {"w:val": "clear", "w:color": "auto", "w:fill": _hex(color)})


def _paragraph_style(styles: Any, name: str, style_id: str | None = None, base: str | None = None) -> Any:
    """The paragraph style `name`, created when the default reference lacks it."""
    from docx.enum.style import WD_STYLE_TYPE

    existing = {s.name: s for s in styles}
    style = existing.get(name)
    if style is None:
        style = styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
        style.quick_style = True
    if style_id:
        style.style_id = style_id
    if name.lower().startswith(("toc ", "header", "footer")):
        # Word's own styles (the TOC field and headers use them): not "custom" ones.
        style.element.attrib.pop("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}customStyle", None)
    if base:
        style.base_style = styles[base]
    return style


def _right_tab(style: Any, position_pt: float, leader: str = "dot") -> None:
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    tabs = _child(style.element.get_or_add_pPr(), "w:tabs")
    for old in list(tabs):
        tabs.remove(old)
    tab = OxmlElement("w:tab")
    tab.set(qn("w:val"), "right")
    tab.set(qn("w:leader"), leader)
    tab.set(qn("w:pos"), str(round(position_pt * TWIPS_PER_PT)))
    tabs.append(tab)


def _table_style(styles: Any, tokens: dict[str, Any], base_pt: float) -> None:
    """Pandoc's "Table" style made a real one: brand font, header row, rules, banded rows."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    color, font = tokens["color"], tokens["font"]
    style = styles["Table"]
    element = style.element
    for old in element.findall(qn("w:tblStylePr")):
        element.remove(old)
    _set_font(style, font["base"], base_pt * 0.92, color["foreground"])
    ppr = element.get_or_add_pPr()
    _set_child(ppr, "w:spacing", {"w:before": "40", "w:after": "40", "w:line": "252", "w:lineRule": "auto"})
    tblpr = element.find(qn("w:tblPr"))
    _set_child(tblpr, "w:tblStyleRowBandSize", {"w:val": "1"})
    _border(tblpr, "w:tblBorders", {"top": ("single", 8, color["primary"]),
                                    "bottom": ("single", 8, color["primary"]),
                                    "insideH": ("single", 4, color["light"])})
    margins = tblpr.find(qn("w:tblCellMar"))
    if margins is not None:
        for side, twips in (("top", 60), ("bottom", 60), ("left", 100), ("right", 100)):
            _set_child(margins, f"w:{side}", {"w:w": str(twips), "w:type": "dxa"})

    def conditional(kind: str) -> Any:
        part = OxmlElement("w:tblStylePr")
        part.set(qn("w:type"), kind)
        element.append(part)  # tblStylePr elements close a style definition
        return part

    header = conditional("firstRow")
    rpr = _child(header, "w:rPr")
    fonts = _child(rpr, "w:rFonts")
    for attribute in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(attribute), font["headings"])
    _child(rpr, "w:b")
    # A header row repeats on every page of a long table.
    _child(_child(header, "w:trPr"), "w:tblHeader")
    tcpr = _child(header, "w:tcPr")
    _border(tcpr, "w:tcBorders", {"bottom": ("single", 12, color["primary"])})
    _set_child(tcpr, "w:vAlign", {"w:val": "bottom"})
    band = conditional("band1Horz")
    _shading(_child(band, "w:tcPr"), color["light"])


def _callout_styles(styles: Any, tokens: dict[str, Any], base_pt: float) -> None:
    """GitHub alerts (pipeline/transforms/alerts.py): "Note", "Note Title" … as in the PDF, a rule in
    the kind's colour on the left of a light panel, the title bold in that colour."""
    from docx.shared import Pt

    from pipeline.transforms.alerts import KINDS, style_name

    color, font = tokens["color"], tokens["font"]
    for kind in KINDS:
        hue = tokens["callout"][kind]
        body = _paragraph_style(styles, style_name(kind), base="Body Text")
        _set_font(body, font["base"], base_pt, color["foreground"])
        body.paragraph_format.left_indent = Pt(base_pt * 0.9)
        body.paragraph_format.right_indent = Pt(base_pt * 0.6)
        body.paragraph_format.space_after = Pt(base_pt * 0.4)
        properties = body.element.get_or_add_pPr()
        # Adjacent paragraphs with the same border and shading are drawn as one panel.
        _border(properties, "w:pBdr", {"left": ("single", 24, hue)}, space=8)
        _shading(properties, color["light"])
        title = _paragraph_style(styles, style_name(kind, "title"), base=style_name(kind))
        _set_font(title, font["headings"], base_pt * 0.92, hue, bold=True)
        title.paragraph_format.keep_with_next = True
        title.paragraph_format.space_after = Pt(base_pt * 0.2)


def page_size(theme: Theme, paper: str | None = None) -> tuple[float, float]:
    """Page width and height in points: the `paper` override, else the theme's."""
    sizes = {"a4": (595.28, 841.89), "letter": (612.0, 792.0)}
    if paper and paper.lower() in sizes:
        return sizes[paper.lower()]
    page = theme.tokens["page"]
    return to_points(page.get("width"), 595.28), to_points(page.get("height"), 841.89)


def margins(theme: Theme) -> dict[str, float]:
    margin = theme.tokens["page"].get("margin", {})
    return {"top": to_points(margin.get("top"), 62), "bottom": to_points(margin.get("bottom"), 68),
            "left": to_points(margin.get("inside"), 62), "right": to_points(margin.get("outside"), 57)}


def text_width(theme: Theme, paper: str | None = None) -> float:
    width, _height = page_size(theme, paper)
    edges = margins(theme)
    return width - edges["left"] - edges["right"]


def _pdf_setting(theme: Theme, key: str, default: str) -> str:
    pdf = theme.settings.get("pdf", {})
    return str(pdf.get(key, default)) if isinstance(pdf, dict) else default


def part_break(theme: Theme) -> bool:
    """Parts (level-1 headings) open a page, as in the PDF, unless the theme's PDF settings say not."""
    return _pdf_setting(theme, "part_break", "page") != "none"


def article_break(theme: Theme) -> bool:
    """Articles (level-2 headings) open a page when the theme's PDF settings say so."""
    return _pdf_setting(theme, "article_break", "none") == "page"


def build_reference(theme: Theme, target: Path) -> Path:
    """Write a reference.docx whose styles carry the theme's fonts, colours, sizes and page."""
    import docx
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt

    from pipeline.render import pandoc_data_file

    target.write_bytes(pandoc_data_file("reference.docx"))
    document = docx.Document(str(target))
    tokens = theme.tokens
    color, font = tokens["color"], tokens["font"]
    base_pt = to_points(font["size"], 10.5)
    styles = document.styles
    width_pt, height_pt = page_size(theme)
    column_pt = text_width(theme)

    for name in ("Normal", "Body Text", "First Paragraph", "Compact", "Block Text", "Footnote Text"):
        _set_font(styles[name], font["base"], base_pt, color["foreground"])
    line = float(font.get("line_height") or 1.4)
    for name in ("Body Text", "First Paragraph"):
        styles[name].paragraph_format.space_after = Pt(base_pt * 0.7)
        styles[name].paragraph_format.line_spacing = line
    # Quotations as in the PDF: a rule in the primary colour on the left, muted text.
    block = styles["Block Text"]
    block.font.color.rgb = _rgb(color["muted"])
    block.paragraph_format.left_indent = Pt(base_pt * 1.2)
    block.paragraph_format.right_indent = Pt(0)
    _border(block.element.get_or_add_pPr(), "w:pBdr", {"left": ("single", 18, color["primary"])}, space=8)
    _set_font(styles["Footnote Text"], font["base"], base_pt * 0.85, color["muted"])
    # Word's own list styles, so a colleague adding an item gets the same look; the DOCX writer
    # moves pandoc's tight list items (Compact) onto them (docx_lists.py).
    for name, style_id in (("List Bullet", "ListBullet"), ("List Number", "ListNumber")):
        item = _paragraph_style(styles, name, style_id, base="Compact")
        _set_font(item, font["base"], base_pt, color["foreground"])
        item.paragraph_format.space_after = Pt(base_pt * 0.3)
        item.paragraph_format.line_spacing = line

    # The cover: brand line, title, subtitle, date (placed a third of the way down the page).
    title = styles["Title"]
    _set_font(title, font["headings"], base_pt * 3.4, color["primary"], bold=True)
    title.paragraph_format.space_before = Pt(height_pt * 0.25)
    title.paragraph_format.space_after = Pt(base_pt)
    title.paragraph_format.line_spacing = 1.0
    title.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.LEFT
    _border(title.element.get_or_add_pPr(), "w:pBdr", {"top": ("single", 24, color["cover_accent"])}, space=18)
    # Pandoc's reference bases these on Title: they would inherit its placement and rule.
    for name in ("Subtitle", "Author", "Date"):
        styles[name].base_style = styles["Normal"]
    subtitle = styles["Subtitle"]
    _set_font(subtitle, font["headings"], base_pt * 1.6, color["secondary"], bold=False)
    subtitle.paragraph_format.space_before = Pt(0)
    subtitle.paragraph_format.space_after = Pt(base_pt * 3)
    for name in ("Author", "Abstract", "Image Caption", "Table Caption"):
        _set_font(styles[name], font["headings"], base_pt * 0.95, color["muted"])
    # Figures as in the PDF: the picture centred, its caption centred under it in upright type
    # (pandoc's Caption is italic); "Captioned Figure" keeps the picture with its caption.
    for name in ("Figure", "Captioned Figure", "Image Caption"):
        styles[name].paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
    styles["Figure"].paragraph_format.space_before = Pt(base_pt * 0.6)
    styles["Figure"].paragraph_format.space_after = Pt(base_pt * 0.6)
    styles["Captioned Figure"].paragraph_format.space_after = Pt(base_pt * 0.3)
    styles["Captioned Figure"].paragraph_format.keep_with_next = True
    styles["Image Caption"].font.italic = False
    styles["Image Caption"].paragraph_format.space_after = Pt(base_pt)
    date = styles["Date"]
    _set_font(date, font["headings"], base_pt * 1.8, color["foreground"], bold=True)
    date.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.LEFT
    date.paragraph_format.space_before = Pt(base_pt * 2)
    brand = _paragraph_style(styles, "Cover Brand", "CoverBrand", base="Normal")
    _set_font(brand, font["headings"], base_pt * 0.9, color["secondary"], bold=True)
    brand.font.all_caps = True
    brand.paragraph_format.space_after = Pt(0)

    heading_sizes = {1: 2.0, 2: 1.5, 3: 1.25, 4: 1.1, 5: 1.0, 6: 1.0}
    for level, scale in heading_sizes.items():
        style = styles[f"Heading {level}"]
        heading_color = color["primary"] if level == 1 else color["headings"]
        _set_font(style, font["headings"], base_pt * scale, heading_color, bold=True)
        style.paragraph_format.keep_with_next = True
        style.paragraph_format.space_before = Pt(base_pt * (2.2 if level <= 2 else 1.4))
        style.paragraph_format.space_after = Pt(base_pt * 0.5)
    styles["Heading 1"].paragraph_format.page_break_before = part_break(theme)
    styles["Heading 2"].paragraph_format.page_break_before = article_break(theme)
    _set_font(styles["Verbatim Char"], font["mono"], base_pt * 0.88)
    source = _paragraph_style(styles, "Source Code", base="Normal")
    _set_font(source, font["mono"], base_pt * 0.85, color["foreground"])
    _shading(source.element.get_or_add_pPr(), color["light"])
    styles["Hyperlink"].font.color.rgb = _rgb(color["link"])

    byline = _paragraph_style(styles, "Byline", base="Body Text")
    _set_font(byline, font["headings"], base_pt * 0.95, color["muted"])
    byline.paragraph_format.space_after = Pt(base_pt)
    byline.paragraph_format.keep_with_next = True

    contents = styles["TOC Heading"]
    _set_font(contents, font["headings"], base_pt * 2.0, color["primary"], bold=True)
    contents.paragraph_format.page_break_before = True
    contents.paragraph_format.space_after = Pt(base_pt * 1.2)
    for level in (1, 2, 3):
        entry = _paragraph_style(styles, f"toc {level}", f"TOC{level}", base="Normal")
        _set_font(entry, font["headings"] if level == 1 else font["base"], base_pt * (1.0 if level == 1 else 0.95),
                  color["foreground"], bold=level == 1)
        entry.paragraph_format.left_indent = Pt(base_pt * 1.3 * (level - 1))
        entry.paragraph_format.space_before = Pt(base_pt * (0.8 if level == 1 else 0.15))
        entry.paragraph_format.space_after = Pt(0)
        _right_tab(entry, column_pt)

    for name, style_id in (("Header", "Header"), ("Footer", "Footer")):
        style = _paragraph_style(styles, name, style_id, base="Normal")
        _set_font(style, font["headings"], base_pt * 0.8, color["muted"])
        style.paragraph_format.space_after = Pt(0)
        _right_tab(style, column_pt, leader="none")
    _border(styles["Header"].element.get_or_add_pPr(), "w:pBdr", {"bottom": ("single", 4, color["muted"])}, space=4)

    _table_style(styles, tokens, base_pt)
    _callout_styles(styles, tokens, base_pt)

    section = document.sections[0]
    section.page_width, section.page_height = Pt(width_pt), Pt(height_pt)
    edges = margins(theme)
    section.top_margin, section.bottom_margin = Pt(edges["top"]), Pt(edges["bottom"])
    section.left_margin, section.right_margin = Pt(edges["left"]), Pt(edges["right"])
    section.header_distance = section.footer_distance = Pt(min(edges["top"], edges["bottom"]) * 0.45)
    document.save(str(target))
    return target


_BUILT: dict[tuple[str, str], Path] = {}


def reference_docx(theme: Theme) -> Path:
    """The theme's reference document, built once per theme version (and kept in the cache folder),
    written once per process."""
    from pipeline.cache import cached, tools_key

    key = (str(theme.root), theme.fingerprint)
    path = _BUILT.get(key)
    if path is None or not path.is_file():
        folder = Path(tempfile.mkdtemp(prefix="pipeline-docx-"))

        def build() -> bytes:
            return build_reference(theme, folder / "built.docx").read_bytes()

        path = folder / "reference.docx"
        path.write_bytes(cached("reference-docx", [*key, tools_key()], build))
        _BUILT[key] = path
    return path
