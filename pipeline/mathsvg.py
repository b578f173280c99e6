"""Formulas as vector graphics for the PDF and HTML pages, typeset by ziamath in a math font.

WeasyPrint does not lay out MathML: it printed each formula's letters as plain text (twice, with
pandoc's TeX annotation). ziamath typesets MathML with the OpenType MATH table of a math font
(STIX Two Math, which it ships, unless the theme names another in `defaults.pipeline.math.font`)
and draws every glyph as a path:
the formula looks the same in the PDF and in any browser, needs no font of the reader's, and leaves
no TeX in the PDF's text. Sizes are in `em`, so a formula follows the size of its text (body,
footnote, table cell); its colour is the text's (`currentColor`). Inline formulas sit on the text's
baseline; display formulas are centred blocks that shrink to the text width when wider.

The MathML is pandoc's (`pipeline.transforms.math`), so every format reads the TeX the same way.
Rendered formulas are cached by content hash in the user cache folder.
"""

from __future__ import annotations

import hashlib
import html
import logging
import re
import threading
from pathlib import Path
from typing import TYPE_CHECKING

from pipeline.transforms.math import MATHML_KEY, formula_key, tex_of_mathml

if TYPE_CHECKING:
    from pipeline.document import Document
    from pipeline.theme import Theme

log = logging.getLogger(__name__)

# ziamath's units are pixels of this font size: 1 em of the surrounding text.
_SIZE = 20.0
_MARGIN = 0.5
_MATH_ELEMENT = re.compile(r"<math\b[^>]*>.*?</math>", re.DOTALL)
_DISPLAY = re.compile(r'\bdisplay="block"')
_SEMANTICS = re.compile(r"</?semantics>|<annotation\b.*?</annotation>", re.DOTALL)
_LOCK = threading.Lock()  # ziamath keeps its settings and fonts in module globals


def _version() -> str:
    from importlib.metadata import version

    return f"ziamath {version('ziamath')}"


def _render(mathml: str, display: bool, font: Path | None) -> str:
    """The formula as an inline <svg> element, sized in em, drawn in currentColor."""
    import ziamath

    with _LOCK:
        ziamath.config.svg2 = False  # paths drawn in place: no <use>/<symbol> ids shared across formulas
        ziamath.config.math.color = "currentColor"
        ziamath.config.precision = 2
        formula = ziamath.Math(_SEMANTICS.sub("", mathml), size=_SIZE, font=str(font) if font else None,
                               margin=_MARGIN)
        svg = formula.svgxml()
        low = formula.getyofst() - _MARGIN
    width, height = float(svg.attrib.pop("width")), float(svg.attrib.pop("height"))
    svg.attrib.pop("xmlns:xlink", None)
    svg.attrib["width"] = f"{width / _SIZE:.3f}em"
    svg.attrib["height"] = f"{height / _SIZE:.3f}em"
    svg.attrib["aria-hidden"] = "true"
    svg.attrib["focusable"] = "false"
    if not display:
        svg.attrib["style"] = f"vertical-align: {low / _SIZE:.3f}em"
    import xml.etree.ElementTree as ET

    return ET.tostring(svg, encoding="unicode")


def _cached_render(mathml: str, display: bool, font: Path | None) -> str:
    from pipeline.cache import cache_dir

    face = f"{font}:{font.stat().st_size}:{font.stat().st_mtime_ns}" if font else "STIX Two Math"
    key = hashlib.sha256(f"{_version()}|{face}|{display}|{mathml}".encode()).hexdigest()
    path = cache_dir("math", key[:2]) / f"{key}.svg"
    try:
        return path.read_text(encoding="utf-8")
    except OSError:
        pass
    svg = _render(mathml, display, font)
    try:
        temporary = path.with_suffix(f".{threading.get_ident()}.tmp")
        temporary.write_text(svg, encoding="utf-8")
        temporary.replace(path)
    except OSError:
        log.debug("math cache not writable", exc_info=True)
    return svg


MATH_FONT_KEY = "math_font"  # document.artifacts: the theme's math font file, set by the writer


def math_font(theme: Theme) -> Path | None:
    """The theme's math font (`defaults.pipeline.math.font`, a file in the theme folder), or None
    for STIX Two Math. It must carry an OpenType MATH table, the layout rules of a math font."""
    from pipeline.errors import ThemeError

    name = (theme.settings.get("math") or {}).get("font")
    if not name:
        return None
    path = (theme.root / str(name)).resolve()
    if not path.is_file() or not path.is_relative_to(theme.root.resolve()):
        raise ThemeError(f"math font {name!r} is not a file inside the theme folder", theme.brand_file)
    from fontTools.ttLib import TTFont, TTLibError

    try:
        with TTFont(path, lazy=True) as face:
            has_math = "MATH" in face
    except (TTLibError, OSError) as exc:
        raise ThemeError(f"math font {name!r} cannot be read: {exc}", theme.brand_file) from exc
    if not has_math:
        raise ThemeError(f"math font {name!r} has no OpenType MATH table (choose a math font, such as "
                         "STIX Two Math, Latin Modern Math or Fira Math)", theme.brand_file)
    return path


def typeset_math(body: str, document: Document, font: Path | None = None) -> str:
    """`body` (sanitized HTML) with each MathML formula replaced by its vector drawing.

    The font is `font`, else the one the writer recorded for the theme, else STIX Two Math. A
    formula ziamath cannot draw stays visible as its TeX in code style, with a warning.
    """
    if "<math" not in body:
        return body
    font = font or document.artifacts.get(MATH_FONT_KEY)
    known: dict[tuple[bool, str], str] = document.artifacts.get(MATHML_KEY, {})
    drawn: dict[tuple[bool, str], str | None] = {}

    def replace(match: re.Match[str]) -> str:
        sanitized = match.group(0)
        display = bool(_DISPLAY.search(sanitized[: sanitized.find(">")]))
        tex = tex_of_mathml(sanitized) or ""
        key = formula_key(display, tex)
        if key not in drawn:
            # pandoc's MathML before sanitizing (attributes such as mathvariant and stretchy kept)
            mathml = known.get(key, sanitized)
            try:
                drawn[key] = _cached_render(mathml, display, font)
            except Exception as exc:  # ziamath raises what its parser meets; never lose the formula
                drawn[key] = None
                document.warn("MATH002", f"formula {tex[:80]!r} could not be typeset ({type(exc).__name__}); "
                                         "shown as its TeX in code style", line=document.line_of(tex))
        svg = drawn[key]
        label = html.escape(tex, quote=True)
        if svg is None:
            return f'<code class="math-tex {"display" if display else "inline"}">{html.escape(tex)}</code>'
        kind = "display" if display else "inline"
        return f'<span class="math-svg {kind}" role="img" aria-label="{label}" title="{label}">{svg}</span>'

    return _MATH_ELEMENT.sub(replace, body)
