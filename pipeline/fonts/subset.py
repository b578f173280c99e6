"""Brand fonts cut down to what one document needs: static weights, only the characters it uses.

The packaged brand fonts are variable fonts of ~1 MB each; an e-book or a web page that embeds them
whole is mostly font. HarfBuzz's subsetter (uharfbuzz) keeps only the glyphs for the document's
characters (with their ligatures and kerning) and pins each variable font to the static weights the
stylesheets use: reading systems handle static faces far better than variable ones (many ignore
the weight axis and fake the bold), and static subsets are a fraction of the size.
"""

from __future__ import annotations

import functools
import hashlib
import html
import io
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    from pipeline.fonts.faces import FontFace
    from pipeline.theme import Theme

Flavor = Literal["ttf", "woff", "woff2"]

# Characters every output may show besides the document's own text: ASCII (labels, numbers, URLs
# shown as text) and the typography the normalizer and pandoc produce (quotes, dashes, ellipsis).
BASE_CHARACTERS = frozenset(
    [chr(c) for c in range(0x20, 0x7F)] + list("\u00a0\u00ad\u00a9\u00b7\u2010\u2011\u2013\u2014\u2018\u2019"
                                              "\u201c\u201d\u2022\u2026\u2039\u203a\u00ab\u00bb\u2192\u2191")
)
_MEDIA = {"ttf": ("font/ttf", "truetype", ".ttf"), "woff": ("font/woff", "woff", ".woff"),
          "woff2": ("font/woff2", "woff2", ".woff2")}
_OPENTYPE = ("font/otf", "opentype", ".otf")
_TAG = re.compile(r"<[^>]*>")
_CODE = re.compile(r"<(code|pre|kbd|samp|tt)\b[^>]*>(.*?)</\1\s*>", re.IGNORECASE | re.DOTALL)


@dataclass(frozen=True)
class EmbeddedFont:
    """One static face, subset for a document, ready to embed."""

    family: str
    weight: int
    style: str
    data: bytes
    flavor: Flavor
    # The characters this face is for (a fallback face), as its @font-face `unicode-range`: a face
    # is then never taken for a character outside it (Pango would set digits in the emoji font).
    characters: frozenset[str] = frozenset()

    @property
    def unicode_range(self) -> str:
        """`U+20, U+5D0-5EA, …` for `characters`, "" when the face is for every character it has."""
        points = sorted(ord(ch) for ch in self.characters)
        ranges: list[tuple[int, int]] = []
        for point in points:
            if ranges and point == ranges[-1][1] + 1:
                ranges[-1] = (ranges[-1][0], point)
            else:
                ranges.append((point, point))
        return ", ".join(f"U+{a:X}" if a == b else f"U+{a:X}-{b:X}" for a, b in ranges)

    @property
    def _kind(self) -> tuple[str, str, str]:
        # A TrueType container holding CFF outlines (the CJK faces) is OpenType: say so to readers.
        return _OPENTYPE if self.flavor == "ttf" and self.data[:4] == b"OTTO" else _MEDIA[self.flavor]

    @property
    def media_type(self) -> str:
        return self._kind[0]

    @property
    def css_format(self) -> str:
        return self._kind[1]

    @property
    def filename(self) -> str:
        """A container-safe name (OCF forbids brackets and spaces): `Source-Serif-4-700-italic.ttf`."""
        stem = re.sub(r"[^A-Za-z0-9]+", "-", self.family).strip("-")
        italic = "-italic" if self.style == "italic" else ""
        return f"{stem}-{self.weight}{italic}{self._kind[2]}"


def text_of_html(markup: str) -> str:
    """The characters a reader sees in HTML/XHTML (tags dropped, entities decoded)."""
    return html.unescape(_TAG.sub(" ", markup))


def code_text_of_html(markup: str) -> str:
    """The characters set in the monospace font: text inside code, pre, kbd, samp."""
    return "".join(text_of_html(match.group(2)) for match in _CODE.finditer(markup))


def family_weights(theme: Theme) -> dict[str, set[int]]:
    """The weights each family is set in by our stylesheets (regular and bold; headings' own weight)."""
    fonts = theme.tokens["font"]
    weights: dict[str, set[int]] = {}
    for face in theme.fonts:
        weights.setdefault(face.family, {400, 700})
    heading_weight = str(fonts.get("headings_weight") or "")
    if heading_weight.isdigit() and fonts["headings"] in weights:
        weights[fonts["headings"]].add(int(heading_weight))
    return weights


def _pinned_weights(face: FontFace, wanted: set[int]) -> list[int]:
    parts = face.weight.split()
    if len(parts) == 2:  # variable: every wanted weight inside the axis range
        low, high = (int(float(p)) for p in parts)
        return sorted({min(max(w, low), high) for w in wanted})
    weight = int(float(parts[0])) if parts and parts[0].replace(".", "").isdigit() else 400
    return [weight] if weight in wanted else []


_CACHE: dict[tuple[str, int, int, str], bytes] = {}


def _subset_ttf(path: Path, weight: int, characters: frozenset[str], variable: bool, index: int = 0) -> bytes:
    """HarfBuzz subset of one face at one weight (cached: the EPUB and HTML of a document share it)."""
    import uharfbuzz as hb

    digest = hashlib.sha1("".join(sorted(characters)).encode("utf-8", "surrogatepass")).hexdigest()
    key = (str(path), index, weight, digest)
    if key in _CACHE:
        return _CACHE[key]
    face = hb.Face(hb.Blob.from_file_path(str(path)), index)
    request = hb.SubsetInput()
    for char in characters:
        request.unicode_set.add(ord(char))
    if variable:
        # Pin weight to the wanted value and every other axis (optical size …) to its default:
        # the result is a plain static font every reading system understands.
        request.pin_all_axes_to_default(face)
        if "wght" in {axis.tag for axis in face.axis_infos}:
            request.pin_axis_location(face, "wght", weight)
    # Hinting is for low-resolution Windows rendering; e-readers and browsers do without it.
    request.flags = hb.SubsetFlags.NO_HINTING
    subset = hb.subset(face, request)
    if subset is None:
        raise ValueError(f"HarfBuzz could not subset {path.name}")
    data = bytes(subset.blob.data)
    if len(_CACHE) > 64:
        _CACHE.clear()
    _CACHE[key] = data
    return data


def static_face(face: FontFace, weight: int, characters: frozenset[str]) -> bytes:
    """One face as a static TrueType subset at `weight` (pinned when the face is variable)."""
    return _subset_ttf(face.path, weight, characters, len(face.weight.split()) == 2, face.index)


def subset_face(face: FontFace, weight: int, characters: frozenset[str], flavor: Flavor = "ttf") -> EmbeddedFont:
    """One face, subset to `characters` and declared for them only, ready to embed under its family name."""
    data = static_face(face, weight, characters)
    if flavor != "ttf":
        data = _to_web(data, flavor)
    return EmbeddedFont(face.family, weight, face.style, data, flavor, characters)


def face_for(faces: Iterable[FontFace], family: str, weight: int, style: str) -> FontFace | None:
    """The face of `family` that can be set at `weight` in `style` (a variable face covering it)."""
    for face in faces:
        if face.family != family or face.style != style:
            continue
        parts = face.weight.split()
        if len(parts) == 2 and float(parts[0]) <= weight <= float(parts[1]):
            return face
        if len(parts) == 1 and parts[0].replace(".", "").isdigit() and int(float(parts[0])) == weight:
            return face
    return None


@functools.lru_cache(maxsize=64)
def _to_web(data: bytes, flavor: str) -> bytes:
    """WOFF (zlib, ~10 ms a face) or WOFF2 (Brotli: a quarter smaller, ~0.1 s a face); cached, since
    watch mode and repeated builds subset the same text again."""
    from fontTools.ttLib import TTFont

    font = TTFont(io.BytesIO(data), recalcTimestamp=False)  # same input, same bytes
    font.flavor = flavor
    out = io.BytesIO()
    font.save(out)
    return out.getvalue()


def subset_theme_fonts(theme: Theme, text: str, *, code_text: str = "", flavor: Flavor = "ttf") -> list[EmbeddedFont]:
    """The theme's faces as static subsets for `text`.

    The monospace family only carries `code_text` (and is left out when the document has no
    code); the other families carry every character of `text` plus BASE_CHARACTERS.
    """
    mono = theme.tokens["font"]["mono"]
    other_families = {theme.tokens["font"]["base"], theme.tokens["font"]["headings"]}
    characters = frozenset(text) | BASE_CHARACTERS
    code_characters = frozenset(code_text) | BASE_CHARACTERS if code_text.strip() else frozenset()
    weights = family_weights(theme)
    fonts: list[EmbeddedFont] = []
    for face in theme.fonts:
        wanted = code_characters if face.family == mono and mono not in other_families else characters
        if not wanted:
            continue
        variable = len(face.weight.split()) == 2
        for weight in _pinned_weights(face, weights.get(face.family, {400, 700})):
            data = _subset_ttf(face.path, weight, wanted, variable)
            if flavor != "ttf":
                data = _to_web(data, flavor)
            fonts.append(EmbeddedFont(face.family, weight, face.style, data, flavor))
    return _unique(fonts)


def _unique(fonts: Iterable[EmbeddedFont]) -> list[EmbeddedFont]:
    # A weight clamped to a variable font's range can repeat another one: keep the first.
    seen: dict[tuple[str, int, str], EmbeddedFont] = {}
    for font in fonts:
        seen.setdefault((font.family, font.weight, font.style), font)
    return list(seen.values())


def font_face_css(fonts: Iterable[EmbeddedFont], url: Any) -> str:
    """@font-face rules; `url(font)` gives each face's URL (a path in the EPUB, a data: URI in HTML)."""
    rules = []
    for font in fonts:
        scope = f" unicode-range: {font.unicode_range};" if font.characters else ""
        rules.append(
            f'@font-face {{ font-family: "{font.family}"; src: url("{url(font)}") format("{font.css_format}"); '
            f"font-weight: {font.weight}; font-style: {font.style};{scope} }}"
        )
    return "\n".join(rules)
