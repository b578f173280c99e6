"""Fonts in the PDF that are not the theme's.

When the theme's fonts lack a character, Pango quietly takes it from any font fontconfig finds on
the machine (DejaVu, Noto …), and WeasyPrint embeds that font: the PDF then carries a typeface that
is not the brand's and that another machine would not pick. Two views of the same question:

- `foreign_characters` reads WeasyPrint's rendered document (its `fonts`, filled while the PDF is
  written), so the writer can say which font drew which characters, for free;
- `foreign_pdf_fonts` reads font names as they stand in any PDF (`BaseFont`, e.g.
  `XKQQSR+DejaVu-Sans-Bold`), for the validation gate's pdffonts check.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable
from typing import Any

# The style words Pango writes after the family in a font description ("Inter Semi-Bold Italic"),
# which WeasyPrint turns into the PDF name with spaces as hyphens.
_STYLES = (
    "Thin|Ultra-Light|Extra-Light|Light|Semi-Light|Demi-Light|Book|Regular|Medium|Semi-Bold|Demi-Bold|"
    "Bold|Ultra-Bold|Extra-Bold|Heavy|Black|Ultra-Heavy|Extra-Heavy|Roman|Oblique|Italic|Small-Caps|"
    "All-Small-Caps|Petite-Caps|All-Petite-Caps|Unicase|Title-Caps|Ultra-Condensed|Extra-Condensed|"
    "Condensed|Semi-Condensed|Semi-Expanded|Expanded|Extra-Expanded|Ultra-Expanded|Not-Rotated|South|"
    "Upside-Down|North|Rotated-Left|East|Rotated-Right|West|Weight=\\d+"
)
_STYLE_RUN = re.compile(rf"(?:-(?:{_STYLES}))+", re.IGNORECASE)
_STYLE_TAIL = re.compile(rf"(?:-(?:{_STYLES}))+$", re.IGNORECASE)
_SUBSET_PREFIX = re.compile(r"^[A-Z]{6}\+")


def _key(family: str) -> str:
    return "".join(ch for ch in family.casefold() if ch.isalnum())


def _bare(base_font: str) -> str:
    """`/ABCDEF+Source-Serif-4,-Bold` → `Source-Serif-4-Bold`: no subset prefix, and no comma
    (Pango ends a family that looks like a style or size, "Source Serif 4", with one)."""
    return _SUBSET_PREFIX.sub("", base_font.strip().lstrip("/")).replace(",", "")


def pdf_font_family(base_font: str) -> str:
    """The family a PDF font name stands for, as a person writes it: `XKQQSR+DejaVu-Sans-Bold` →
    `DejaVu Sans` (only a run of style words at the very end is a style)."""
    name = _SUBSET_PREFIX.sub("", base_font.strip().lstrip("/"))
    family = name.split(",")[0] if "," in name else _STYLE_TAIL.sub("", name)
    return family.replace("-", " ").strip() or name


def is_theme_font(base_font: str, families: Collection[str]) -> bool:
    """Whether a PDF font name is one of `families` in some style. Compared against each family as a
    whole, so a theme family that ends in a style word ("Roboto Condensed") is still recognised and
    "Inter Display" is not taken for "Inter"."""
    name = _bare(base_font).casefold()
    for family in families:
        stem = family.replace(" ", "-").replace(",", "").casefold()
        if name == stem:
            return True
        if name.startswith(stem + "-") and _STYLE_RUN.fullmatch(name[len(stem):]):
            return True
    return False


def foreign_pdf_fonts(base_fonts: Iterable[str], families: Collection[str]) -> dict[str, list[str]]:
    """Family → the PDF font names (subset prefix dropped) of every font that is not one of `families`."""
    found: dict[str, list[str]] = {}
    for base_font in base_fonts:
        if not is_theme_font(base_font, families):
            names = found.setdefault(pdf_font_family(base_font), [])
            name = _SUBSET_PREFIX.sub("", base_font.strip().lstrip("/"))
            if name not in names:
                names.append(name)
    return found


def foreign_characters(rendered: Any, families: Collection[str]) -> dict[str, str]:
    """Family → the characters it drew, for each font of a written WeasyPrint document that is not
    one of `families`.

    `Document.fonts` holds the fonts WeasyPrint embedded, keyed by description; each knows its Pango
    family and the text of each glyph it drew (`to_unicode`), minus the characters it had no glyph
    for (`missing`: those show as boxes and are reported as missing glyphs instead).
    """
    theme = {_key(family) for family in families}
    found: dict[str, dict[str, None]] = {}
    for font in (getattr(rendered, "fonts", None) or {}).values():
        family = str(getattr(font, "family", "") or "")
        if _key(family) in theme:
            continue
        missing = set(getattr(font, "missing", None) or ())
        characters = found.setdefault(family or "(unnamed)", {})
        for text in (getattr(font, "to_unicode", None) or {}).values():
            characters.update(dict.fromkeys(ch for ch in str(text) if ord(ch) not in missing))
    return {family: "".join(sorted(chars)) for family, chars in found.items()}


def describe_characters(characters: str, limit: int = 8) -> str:
    """`☃ U+2603, ♞ U+265E and 3 more`: visible and unambiguous (marks have their codes).

    Whitespace is left out unless there is nothing else: a list marker such as "◦ " draws its
    space in the same fallback font, and "U+0020" first would hide the character that matters.
    """
    characters = "".join(ch for ch in characters if not ch.isspace()) or characters
    shown = ", ".join(f"{ch} U+{ord(ch):04X}" for ch in characters[:limit])
    more = f" and {len(characters) - limit} more" if len(characters) > limit else ""
    return shown + more
