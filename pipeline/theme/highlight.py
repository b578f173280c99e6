"""Syntax-highlighting colours derived from the brand, for every format.

Pandoc's highlighter (skylighting) marks code tokens with classes (`kw`, `st`, `co` …, the KDE
token kinds). The same palette styles them everywhere: the HTML, PDF and EPUB stylesheets read
`theme.code` (see `_content.css.j2`), and DOCX gets a pandoc theme file with the same colours.

The palette is the brand's own colours by role (keywords in the secondary colour, types and
built-ins in the primary one, comments in the muted one), plus two hues turned from the primary
one for strings and numbers, each darkened until it reads at 4.5:1 (WCAG AA) on the code background.
"""

from __future__ import annotations

import colorsys
import json
from pathlib import Path
from typing import Any

from pipeline.theme.contrast import contrast, rgb

# Pandoc's token kinds (KDE syntax highlighting) and the role that colours each.
TOKEN_ROLES = {
    "Keyword": "keyword", "ControlFlow": "keyword", "Import": "keyword", "Extension": "keyword",
    "DataType": "type", "BuiltIn": "type", "Preprocessor": "type", "Attribute": "type",
    "Function": "function", "Variable": "text", "Operator": "text", "Other": "text",
    "String": "string", "Char": "string", "SpecialString": "string", "VerbatimString": "string",
    "SpecialChar": "string",
    "DecVal": "number", "BaseN": "number", "Float": "number", "Constant": "number",
    "Comment": "comment", "Documentation": "comment", "Annotation": "comment", "CommentVar": "comment",
    "Information": "comment",
    "Alert": "alert", "Error": "alert", "Warning": "alert", "RegionMarker": "comment",
}  # fmt: skip
# The class pandoc's HTML writer gives each kind.
TOKEN_CLASSES = {
    "Keyword": "kw", "ControlFlow": "cf", "Import": "im", "Extension": "ex", "DataType": "dt",
    "BuiltIn": "bu", "Preprocessor": "pp", "Attribute": "at", "Function": "fu", "Variable": "va",
    "Operator": "op", "Other": "ot", "String": "st", "Char": "ch", "SpecialString": "ss",
    "VerbatimString": "vs", "SpecialChar": "sc", "DecVal": "dv", "BaseN": "bn", "Float": "fl",
    "Constant": "cn", "Comment": "co", "Documentation": "do", "Annotation": "an", "CommentVar": "cv",
    "Information": "in", "Alert": "al", "Error": "er", "Warning": "wa", "RegionMarker": "re",
}  # fmt: skip
_BOLD = {"keyword", "alert"}
_ITALIC = {"comment"}


def _rgb(value: str, fallback: str = "#222222") -> tuple[float, float, float]:
    # A colour that is not one (theme check reports it) must not stop a build: use a neutral one.
    channels = rgb(value) or rgb(fallback) or (34, 34, 34)
    return tuple(c / 255 for c in channels)  # type: ignore[return-value]


def _hex(channels: tuple[float, float, float]) -> str:
    return "#" + "".join(f"{round(max(0.0, min(1.0, c)) * 255):02x}" for c in channels)


def _ratio(a: str, b: str) -> float:
    return contrast(*(tuple(round(c * 255) for c in _rgb(v)) for v in (a, b)))  # type: ignore[arg-type]


def readable(color: str, background: str, ratio: float = 4.5) -> str:
    """`color`, darkened (same hue) until it reads at `ratio` on `background`."""
    hue, lightness, saturation = colorsys.rgb_to_hls(*_rgb(color))
    candidate = color
    while _ratio(candidate, background) < ratio and lightness > 0:
        lightness = max(0.0, lightness - 0.03)
        candidate = _hex(colorsys.hls_to_rgb(hue, lightness, saturation))
    return candidate


def _turned(color: str, degrees: float) -> str:
    hue, lightness, saturation = colorsys.rgb_to_hls(*_rgb(color))
    return _hex(colorsys.hls_to_rgb((hue + degrees / 360) % 1.0, min(lightness, 0.45), max(saturation, 0.45)))


def code_palette(colors: dict[str, Any]) -> dict[str, str]:
    """Role → colour for code, from the theme's colour tokens (`Theme.tokens["color"]`)."""
    background = str(colors.get("light") or "#f4f5f7")
    primary = str(colors.get("primary") or "#1f6f78")
    roles = {
        "background": background,
        "text": str(colors.get("foreground") or "#222222"),
        "keyword": str(colors.get("secondary") or primary),
        "type": primary,
        "function": str(colors.get("secondary") or primary),
        "string": _turned(primary, 140),
        "number": _turned(primary, -110),
        "comment": str(colors.get("muted") or "#6b7280"),
        "alert": primary,
    }
    return {role: value if role == "background" else readable(value, background) for role, value in roles.items()}


def css_rules(palette: dict[str, str]) -> str:
    """CSS for pandoc's highlighted HTML (`pre.sourceCode span.kw` …)."""
    rules = []
    for kind, css_class in TOKEN_CLASSES.items():
        role = TOKEN_ROLES[kind]
        declarations = [f"color: {palette[role]}"]
        if role in _BOLD:
            declarations.append("font-weight: 600")
        if role in _ITALIC:
            declarations.append("font-style: italic")
        rules.append(f"code span.{css_class} {{ {'; '.join(declarations)}; }}")
    return "\n".join(rules)


def pandoc_theme(palette: dict[str, str]) -> dict[str, Any]:
    """A pandoc highlighting theme (`--syntax-highlighting FILE.theme`) with the same colours."""
    return {
        "text-color": palette["text"],
        "background-color": palette["background"],
        "line-number-color": palette["comment"],
        "line-number-background-color": None,
        "text-styles": {
            kind: {"text-color": palette[role], "background-color": None, "bold": role in _BOLD,
                   "italic": role in _ITALIC, "underline": False}
            for kind, role in TOKEN_ROLES.items()
        },
    }


def pandoc_theme_file(palette: dict[str, str]) -> Path:
    """The theme as a file pandoc can read (cached by content, so it is written once)."""
    import hashlib

    from pipeline.cache import cache_dir

    text = json.dumps(pandoc_theme(palette), indent=1, sort_keys=True)
    path = cache_dir("highlight") / f"{hashlib.sha256(text.encode()).hexdigest()[:16]}.theme"
    if not path.is_file():
        temporary = path.with_suffix(f".{id(text)}.tmp")
        temporary.write_text(text, encoding="utf-8")
        temporary.replace(path)
    return path
