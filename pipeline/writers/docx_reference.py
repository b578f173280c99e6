"""The DOCX reference document pandoc styles Word files with, generated from the theme's tokens."""

from __future__ import annotations

import re
import subprocess
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pipeline.theme import Theme

_LENGTH = re.compile(r"^\s*([\d.]+)\s*(pt|px|rem|em|mm|cm|in)?\s*$")
_TO_PT = {"pt": 1.0, "px": 0.75, "rem": 11.0, "em": 11.0, "mm": 72 / 25.4, "cm": 72 / 2.54, "in": 72.0, None: 1.0}


def to_points(value: Any, default: float) -> float:
    match = _LENGTH.match(str(value or ""))
    if not match:
        return default
    return float(match.group(1)) * _TO_PT[match.group(2)]


def _rgb(hex_color: str) -> Any:
    from docx.shared import RGBColor

    value = hex_color.lstrip("#")
    if len(value) == 3:
        value = "".join(ch * 2 for ch in value)
    return RGBColor.from_string(value[:6].upper())


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
    if size_pt:
        font.size = Pt(size_pt)
    if color:
        font.color.rgb = _rgb(color)
    if bold is not None:
        font.bold = bold


def _pandoc_default_reference() -> bytes:
    import pypandoc

    result = subprocess.run(
        [pypandoc.get_pandoc_path(), "--print-default-data-file", "reference.docx"],
        capture_output=True, check=True, timeout=60,
    )
    return result.stdout


def build_reference(theme: Theme, target: Path) -> Path:
    """Write a reference.docx whose styles carry the theme's fonts, colours, sizes and page."""
    import docx
    from docx.enum.style import WD_STYLE_TYPE
    from docx.shared import Mm, Pt

    target.write_bytes(_pandoc_default_reference())
    document = docx.Document(str(target))
    tokens = theme.tokens
    color, font = tokens["color"], tokens["font"]
    base_pt = to_points(font["size"], 10.5)
    styles = document.styles

    for name in ("Normal", "Body Text", "First Paragraph", "Compact", "Block Text", "Footnote Text"):
        _set_font(styles[name], font["base"], base_pt, color["foreground"])
    styles["Body Text"].paragraph_format.space_after = Pt(base_pt * 0.7)
    styles["Block Text"].font.color.rgb = _rgb(color["muted"])
    _set_font(styles["Title"], font["headings"], base_pt * 2.6, color["primary"], bold=True)
    _set_font(styles["Subtitle"], font["headings"], base_pt * 1.5, color["secondary"], bold=False)
    for name in ("Author", "Date", "Abstract", "Image Caption", "Table Caption"):
        _set_font(styles[name], font["headings"], base_pt * 0.95, color["muted"])
    heading_sizes = {1: 2.0, 2: 1.5, 3: 1.25, 4: 1.1, 5: 1.0, 6: 1.0}
    for level, scale in heading_sizes.items():
        heading_color = color["primary"] if level == 1 else color["headings"]
        _set_font(styles[f"Heading {level}"], font["headings"], base_pt * scale, heading_color, bold=True)
        styles[f"Heading {level}"].paragraph_format.keep_with_next = True
    _set_font(styles["Verbatim Char"], font["mono"], base_pt * 0.88)
    styles["Hyperlink"].font.color.rgb = _rgb(color["link"])

    if "Byline" not in [s.name for s in styles]:
        byline = styles.add_style("Byline", WD_STYLE_TYPE.PARAGRAPH)
        byline.base_style = styles["Body Text"]
        byline.quick_style = True
    _set_font(styles["Byline"], font["headings"], base_pt * 0.95, color["muted"])
    styles["Byline"].paragraph_format.space_after = Pt(base_pt)

    page = tokens["page"]
    section = document.sections[0]
    if page.get("width") and page.get("height"):
        section.page_width = Pt(to_points(page["width"], 595))
        section.page_height = Pt(to_points(page["height"], 842))
    margin = page.get("margin", {})
    section.top_margin = Mm(to_points(margin.get("top"), 62) * 25.4 / 72)
    section.bottom_margin = Mm(to_points(margin.get("bottom"), 68) * 25.4 / 72)
    section.left_margin = Mm(to_points(margin.get("inside"), 62) * 25.4 / 72)
    section.right_margin = Mm(to_points(margin.get("outside"), 57) * 25.4 / 72)
    document.save(str(target))
    return target


_BUILT: dict[tuple[str, str], Path] = {}


def reference_docx(theme: Theme) -> Path:
    """The theme's reference document, built once per theme version and process."""
    key = (str(theme.root), theme.fingerprint)
    path = _BUILT.get(key)
    if path is None or not path.is_file():
        folder = Path(tempfile.mkdtemp(prefix="pipeline-docx-"))
        path = _BUILT[key] = build_reference(theme, folder / "reference.docx")
    return path
