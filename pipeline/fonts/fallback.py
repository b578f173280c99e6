"""The fallback chain: the fonts behind the brand fonts, one list per script, and the ones a document needs.

A theme names its chain under `defaults.pipeline.fonts.fallback` (script group → families, in the
order they are tried); a group the theme leaves out is inherited from the default theme, which
ships a complete chain. A family comes from an installed `fontpkg-*` package (PyPI) when there is
one, else from the Debian package in `SYSTEM_FONTS`, found by its file path (never by what
fontconfig would pick). For a document, `select_fonts` walks the chain in order and keeps each family
that draws a character the brand fonts and the families before it do not; the CJK families go first
in the order of the document's language, so Han characters take its forms (Chinese, Japanese …).
"""

from __future__ import annotations

import copy
import dataclasses
import functools
import html
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pipeline.fonts.coverage import codepoints, covered, is_invisible
from pipeline.fonts.faces import FontFace, package_name, packaged_faces

if TYPE_CHECKING:
    from pipeline.document import Document
    from pipeline.fonts.subset import EmbeddedFont, Flavor
    from pipeline.theme import Theme

_NOTO = "/usr/share/fonts/truetype/noto"
_NOTO_CJK = "/usr/share/fonts/opentype/noto"


@dataclass(frozen=True)
class SystemFont:
    """A family from a Debian package: its files by weight, and the language whose forms it sets."""

    package: str
    files: Mapping[int, str]
    lang: str | None = None  # for a CJK regional face: the language it is made for (locl default)


def _cjk(kind: str) -> dict[str, SystemFont]:
    regions = (("SC", "zh-Hans"), ("TC", "zh-Hant"), ("HK", "zh-HK"), ("JP", "ja"), ("KR", "ko"))
    files = {400: f"{_NOTO_CJK}/Noto{kind}CJK-Regular.ttc", 700: f"{_NOTO_CJK}/Noto{kind}CJK-Bold.ttc"}
    return {f"Noto {kind} CJK {region}": SystemFont("fonts-noto-cjk", files, lang) for region, lang in regions}


def _noto_core(*scripts: str) -> dict[str, SystemFont]:
    """Debian fonts-noto-core families in regular and bold: `Noto Sans Bengali` … by script name."""
    return {f"Noto Sans {name}": SystemFont("fonts-noto-core", {
        400: f"{_NOTO}/NotoSans{name}-Regular.ttf", 700: f"{_NOTO}/NotoSans{name}-Bold.ttf"}) for name in scripts}


# Families from Debian (scripts/system-deps installs them): those PyPI has no well-kept package
# for, and Arabic and Devanagari, whose PyPI builds (Google Fonts' 2.x) draw letters from shared
# dotless bases and dots: a PDF reader then copies "نص" as "ض ص", and every search fails. Debian's
# static builds map each glyph to its letter.
SYSTEM_FONTS: dict[str, SystemFont] = {
    **_noto_core("Arabic", "Devanagari"),
    **_noto_core("Bengali", "Gurmukhi", "Gujarati", "Oriya", "Kannada", "Malayalam", "Sinhala", "Lao", "Myanmar",
                 "Armenian", "Georgian", "Ethiopic"),
    **_cjk("Sans"), **_cjk("Serif"),
    "Noto Sans Hebrew": SystemFont("fonts-noto-core", {400: f"{_NOTO}/NotoSansHebrew-Regular.ttf",
                                                       700: f"{_NOTO}/NotoSansHebrew-Bold.ttf"}),
    "Noto Sans Symbols": SystemFont("fonts-noto-core", {400: f"{_NOTO}/NotoSansSymbols-Regular.ttf",
                                                        700: f"{_NOTO}/NotoSansSymbols-Bold.ttf"}),
    "Noto Sans Symbols 2": SystemFont("fonts-noto-core", {400: f"{_NOTO}/NotoSansSymbols2-Regular.ttf"}),
    "Noto Sans Math": SystemFont("fonts-noto-core", {400: f"{_NOTO}/NotoSansMath-Regular.ttf"}),
    "Noto Color Emoji": SystemFont("fonts-noto-color-emoji", {400: f"{_NOTO}/NotoColorEmoji.ttf"}),
}
# The scripts (ISO 15924) each group of the chain is for: what a missing-font warning names.
GROUP_SCRIPTS = {
    "latin": ("Latn", "Grek", "Cyrl"), "hebrew": ("Hebr",), "arabic": ("Arab",), "devanagari": ("Deva",),
    "thai": ("Thai",), "cjk": ("Hani", "Hira", "Kana", "Hang", "Bopo"), "symbols": ("Zyyy",), "math": ("Zyyy",),
    "emoji": ("Zyyy",),
    "indic": ("Beng", "Guru", "Gujr", "Orya", "Taml", "Telu", "Knda", "Mlym", "Sinh"),
    "southeast_asian": ("Khmr", "Laoo", "Mymr"), "alphabets": ("Armn", "Geor", "Ethi"),
}
RTL_GROUPS = ("hebrew", "arabic")
# WeasyPrint knows a fallback face under its family name plus this: the machine may have a font of
# the same name installed (Debian's Noto fonts), which fontconfig would merge with ours and sometimes
# prefer (the system's colour emoji font drew every digit).
PRIVATE_SUFFIX = " Fallback"
# Pango takes an emoji sequence from a font that supports emoji as a language (fontconfig's `und-zsye`),
# judged on the font's whole character set: WeasyPrint gets the colour emoji font whole (it subsets
# what the PDF uses itself), or the machine's copy would be taken instead.
WHOLE_FOR_WEASYPRINT = ("emoji",)
_SHOWN_ATTRIBUTE = re.compile(r"""\b(?:alt|title)\s*=\s*(?:"([^"]*)"|'([^']*)')""", re.IGNORECASE)
# Kept in every fallback subset that has them: a run of text in one font holds its spaces, joiners and
# variation selectors too (an emoji sequence, a word after a space), and the shaper needs the dotted
# circle for a mark that has no base.
SHAPING_CHARACTERS = frozenset(" \u00a0\u200b\u200c\u200d\u200e\u200f\u2060\ufe0e\ufe0f\u25cc")
CJK_GROUP = "cjk"


@dataclass(frozen=True)
class Family:
    """One family of the chain, with its faces when installed, else how to install it."""

    name: str
    group: str
    faces: tuple[FontFace, ...] = ()
    install: str = ""  # "Debian package fonts-noto-cjk" / "pip install fontpkg-heebo"
    origin: str = ""  # where the faces come from, for the manifest
    lang: str | None = None

    @property
    def regular(self) -> FontFace | None:
        upright = [f for f in self.faces if f.style == "normal"]
        return min(upright, key=lambda f: abs(int(f.weight) - 400), default=None)


@dataclass(frozen=True)
class Chain:
    groups: tuple[tuple[str, tuple[Family, ...]], ...]

    @property
    def families(self) -> list[Family]:
        return [family for _group, families in self.groups for family in families]


def _collection_index(path: str, family: str) -> int:
    return _collection_names(path).get(family.casefold(), 0)


@functools.lru_cache(maxsize=16)
def _collection_names(path: str) -> dict[str, int]:
    """Family name → face number in a font collection (a .ttc holds every regional CJK face)."""
    if not path.lower().endswith((".ttc", ".otc")):
        return {}
    from fontTools.ttLib import TTCollection

    with TTCollection(path, lazy=True) as collection:
        return {str(font["name"].getBestFamilyName()).casefold(): index
                for index, font in enumerate(collection.fonts)}


def _system_family(name: str, group: str, font: SystemFont) -> Family:
    faces = tuple(FontFace(name, Path(file), str(weight), "normal", _collection_index(file, name))
                  for weight, file in sorted(font.files.items()) if Path(file).is_file())
    install = f"Debian package {font.package}"
    return Family(name, group, faces, install, f"{install} ({', '.join(sorted({f.path.name for f in faces}))})",
                  font.lang)


def _family(name: str, group: str, weights: set[int]) -> Family:
    from importlib.metadata import PackageNotFoundError, version

    from pipeline.errors import ThemeError

    system = SYSTEM_FONTS.get(name)
    if system is not None and all(Path(path).is_file() for path in system.files.values()):
        return _system_family(name, group, system)
    try:
        faces = packaged_faces(name, None, weights)
    except ThemeError:
        if system is not None:
            return _system_family(name, group, system)
        return Family(name, group, (), f"pip install {package_name(name)}")
    try:
        origin = f"{package_name(name)} {version(package_name(name))}"
    except PackageNotFoundError:
        origin = package_name(name)
    return Family(name, group, tuple(faces), f"pip install {package_name(name)}", origin)


def chain_settings(theme: Theme) -> dict[str, list[str]]:
    """The theme's chain (group → families), groups it leaves out taken from the default theme."""
    from pipeline.theme import brand_data

    def read(settings: Any) -> dict[str, list[str]]:
        fonts = settings.get("fonts") if isinstance(settings, dict) else None
        raw = fonts.get("fallback") if isinstance(fonts, dict) else None
        if not isinstance(raw, dict):
            return {}
        return {str(group): [str(f) for f in (families if isinstance(families, list) else [families])]
                for group, families in raw.items() if families}

    def settings_of(brand_file: Path) -> Any:
        # Plain YAML, not brand-yml: planning a batch needs this without parsing the theme.
        data = brand_data(brand_file)
        return ((data.get("defaults") or {}).get("pipeline")) if isinstance(data, dict) else None

    inherited: dict[str, list[str]] = {}
    default_brand = theme.default_root / "brand.yml"
    if default_brand.is_file() and default_brand.resolve() != theme.brand_file.resolve():
        inherited = read(settings_of(default_brand))
    return {**inherited, **read(settings_of(theme.brand_file))}


def chain_fingerprint(theme: Theme) -> list[str]:
    """Every font the chain may draw with (package versions, Debian files with size and time): part of
    every output's key, so a changed or newly installed fallback font rebuilds what it may touch."""
    from importlib.metadata import PackageNotFoundError, version

    parts = []
    for group, names in chain_settings(theme).items():
        for name in names:
            try:
                parts.append(f"{group}|{name}|{package_name(name)}=={version(package_name(name))}")
                continue
            except PackageNotFoundError:
                pass
            for file in SYSTEM_FONTS[name].files.values() if name in SYSTEM_FONTS else ():
                path = Path(file)
                stat = path.stat() if path.is_file() else None
                parts.append(f"{group}|{name}|{file}|{stat.st_size}|{stat.st_mtime_ns}" if stat else f"{file}|missing")
    return parts


def load_chain(theme: Theme) -> Chain:
    """The theme's fallback chain with every family resolved to its faces (or to how to install it)."""
    heading_weight = str(theme.tokens["font"].get("headings_weight") or "")
    weights = {400, 700} | ({int(heading_weight)} if heading_weight.isdigit() else set())
    groups = tuple((group, tuple(_family(name, group, weights) for name in names))
                   for group, names in chain_settings(theme).items())
    return Chain(groups)


def _language_match(face_lang: str | None, lang: str) -> int:
    """How well a regional face suits the document's language: 3 same region, 2 same script, 1 same language."""
    if not face_lang:
        return 0
    import langcodes

    try:
        face, document = langcodes.Language.get(face_lang).maximize(), langcodes.Language.get(lang).maximize()
    except (ValueError, LookupError):
        return 0
    if face.language != document.language:
        return 0
    if face.script != document.script:
        return 1
    return 3 if face.territory == document.territory else 2


def _cjk_language(characters: Iterable[str], lang: str) -> str:
    """The language whose Han forms to prefer: the document's when it is a CJK one, else the one the
    CJK characters themselves point to (kana → Japanese, Hangul → Korean, else Chinese)."""
    from pipeline.i18n import detect_language, script_of

    if script_of(lang) in ("Hans", "Hant", "Jpan", "Kore", "Hani", "Hira", "Kana", "Hang"):
        return lang
    from fontTools.unicodedata import script

    cjk = "".join(ch for ch in characters if script(ch) in GROUP_SCRIPTS[CJK_GROUP])
    return detect_language(cjk * 10).lang if cjk else lang


@dataclass(frozen=True)
class Selection:
    """The fallback families a document needs, each with the characters it draws."""

    families: tuple[Family, ...] = ()
    assigned: Mapping[str, frozenset[str]] = field(default_factory=dict)
    missing: frozenset[str] = frozenset()
    hints: Mapping[str, str] = field(default_factory=dict)  # missing character → how to get a font for it

    def stack(self, family: str, generic: str, private: bool = False) -> str:
        """A CSS font-family value: the brand family, the fallback families, the generic family
        (`private`: under the names WeasyPrint knows them by, see PRIVATE_SUFFIX)."""
        names = [family, *(f.name + (PRIVATE_SUFFIX if private else "") for f in self.families)]
        return ", ".join(f'"{name}"' for name in dict.fromkeys(names)) + f", {generic}"

    def family_of(self, char: str) -> Family | None:
        for family in self.families:
            if char in self.assigned[family.name]:
                return family
        return None

    def describe(self) -> list[dict[str, Any]]:
        """For the manifest: each family used, where it comes from, and how many characters it draws."""
        return [{"family": f.name, "group": f.group, "source": f.origin, "characters": len(self.assigned[f.name])}
                for f in self.families]



def _brand_coverage(theme: Theme, family: str) -> frozenset[int]:
    faces = [f for f in theme.fonts if f.family == family and f.style == "normal"]
    points: set[int] = set()
    for face in faces:
        points |= codepoints(face.path, face.index)
    return frozenset(points)


def select_fonts(theme: Theme, characters: Iterable[str], lang: str, code_characters: Iterable[str] = ()) -> Selection:
    """The fallback families (in stack order) that draw what the brand fonts cannot, for these characters."""
    tokens = theme.tokens["font"]
    wanted = {ch for ch in characters if not is_invisible(ch)}
    code = {ch for ch in code_characters if not is_invisible(ch)}
    known = {f.family for f in theme.fonts}
    text_families = [f for f in dict.fromkeys((tokens["base"], tokens["headings"])) if f in known]
    needed = set(wanted) if not text_families else set()
    for family in text_families:  # a character any text family lacks needs a fallback in that role
        coverage = _brand_coverage(theme, family)
        needed |= {ch for ch in wanted if ord(ch) not in coverage}
    if tokens["mono"] in known and code:
        coverage = _brand_coverage(theme, tokens["mono"])
        needed |= {ch for ch in code if ord(ch) not in coverage}
    if not needed:
        return Selection()
    chain = theme.fallback
    cjk_lang = _cjk_language(needed, lang) if any(g == CJK_GROUP for g, _ in chain.groups) else lang
    ordered: list[Family] = []
    for group, families in chain.groups:
        if group == CJK_GROUP:
            families = tuple(sorted(families, key=lambda f: -_language_match(f.lang, cjk_lang)))
        ordered.extend(families)
    remaining = set(needed)
    chosen: list[Family] = []
    assigned: dict[str, frozenset[str]] = {}
    for family in ordered:
        regular = family.regular
        if regular is None or not remaining:
            continue
        coverage = codepoints(regular.path, regular.index)
        drawn = frozenset(ch for ch in remaining if ord(ch) in coverage)
        if drawn:
            chosen.append(family)
            assigned[family.name] = drawn
            remaining -= drawn
    return Selection(tuple(chosen), assigned, frozenset(remaining), _hints(remaining, chain))


def _hints(missing: Iterable[str], chain: Chain) -> dict[str, str]:
    """For each missing character, the uninstalled families of its script's group, or what to add."""
    from fontTools.unicodedata import script, script_name

    hints = {}
    for char in missing:
        code = script(char)
        absent = [f for f in chain.families if not f.faces and code in GROUP_SCRIPTS.get(f.group, ())]
        if code in ("Zyyy", "Zinh"):
            absent = [f for f in chain.families if not f.faces and f.group in ("symbols", "math", "emoji")]
        if absent:
            hints[char] = "; ".join(f"{f.name} ({f.install})" for f in absent)
        else:
            hints[char] = f"a font for {script_name(code)} in defaults.pipeline.fonts.fallback"
    return hints


def missing_fonts_message(selection: Selection) -> str:
    """One line: which characters no font covers and what to install or add for them."""
    from pipeline.fonts.pdfcheck import describe_characters

    by_hint: dict[str, str] = {}
    for char in sorted(selection.missing):
        by_hint[selection.hints.get(char, "")] = by_hint.get(selection.hints.get(char, ""), "") + char
    parts = [f"{describe_characters(chars)}: install {hint}" if hint.startswith(("Debian", "Noto", "pip"))
             or "(" in hint else f"{describe_characters(chars)}: add {hint}" for hint, chars in by_hint.items()]
    return (f"{len(selection.missing)} characters are in no font of the theme or its fallback chain and show as "
            f"boxes (the PDF borrows them from this machine's fonts where it has one, see PDF002): "
            f"{'; '.join(parts)}")


def document_characters(document: Document, theme: Theme) -> tuple[frozenset[str], frozenset[str]]:
    """Every character a document's outputs may show (text, code, metadata, labels), and those in code."""
    cached = document.artifacts.get("characters")
    if cached is not None:
        return cached
    from pipeline.fonts.subset import text_of_html
    from pipeline.render import elements, embedded_ast
    from pipeline.writers.htmlpage import document_labels

    text: list[str] = []
    code: list[str] = []
    for node in elements(embedded_ast(document)["blocks"]):
        kind, content = node["t"], node.get("c")
        if kind == "Str":
            text.append(content)
        elif kind in ("Code", "CodeBlock"):
            code.append(content[1])
        elif kind == "Math":
            text.append(content[1])
        elif kind in ("RawInline", "RawBlock") and content[0] == "html":
            # Its text, and the descriptions an image that cannot be shown is replaced by.
            text.append(text_of_html(content[1]))
            text.extend(html.unescape(a or b) for a, b in _SHOWN_ATTRIBUTE.findall(content[1]))
    meta = document.meta
    text += [meta.title, meta.subtitle or "", meta.description or "", meta.publisher or "", meta.date or "",
             *meta.authors, *meta.keywords, theme.tokens["name"], *document_labels(document, theme).values()]
    characters = frozenset("".join(text)) | frozenset("".join(code))
    cached = document.artifacts["characters"] = (characters, frozenset("".join(code)))
    return cached


def document_fonts(document: Document, theme: Theme) -> Selection:
    """The fallback families for a document's characters (chosen once; every format uses the same)."""
    cached = document.artifacts.get("fallback_fonts")
    if cached is None:
        characters, code = document_characters(document, theme)
        cached = document.artifacts["fallback_fonts"] = select_fonts(theme, characters, document.meta.lang, code)
        if cached.missing:
            document.warn("FONT001", missing_fonts_message(cached))
    return cached


def styled_theme(theme: Theme, selection: Selection, private: bool = False) -> Theme:
    """A copy of the theme whose font tokens carry the document's stacks (`font.base_stack` …);
    `private` for the pages WeasyPrint lays out (see PRIVATE_SUFFIX)."""
    if not selection.families:
        return theme
    tokens: dict[str, Any] = copy.deepcopy(theme.tokens)
    font = tokens["font"]
    font.update(base_stack=selection.stack(font["base"], "serif", private),
                headings_stack=selection.stack(font["headings"], "sans-serif", private),
                mono_stack=selection.stack(font["mono"], "monospace", private))
    variant = dataclasses.replace(theme)
    variant.__dict__["tokens"] = tokens  # pre-fills the cached_property on the copy only
    variant.__dict__["fallback"] = theme.fallback
    return variant


def whole_faces(selection: Selection) -> list[FontFace]:
    """The faces WeasyPrint gets whole, by file, under their private names (see WHOLE_FOR_WEASYPRINT)."""
    return [dataclasses.replace(face, family=family.name + PRIVATE_SUFFIX) for family in selection.families
            if family.group in WHOLE_FOR_WEASYPRINT for face in family.faces if face.style == "normal"]


def _decompositions(characters: Iterable[str]) -> frozenset[str]:
    """The characters the shaper may split these into (Thai SARA AM → NIKHAHIT + SARA AA, split Indic
    vowels): a subset needs their glyphs too, or the split shows as a box."""
    import unicodedata

    parts = set()
    for char in characters:
        for code in unicodedata.decomposition(char).split():
            if not code.startswith("<"):
                parts.add(chr(int(code, 16)))
    return frozenset(parts)


def fallback_subsets(selection: Selection, flavor: Flavor = "ttf", private: bool = False) -> list[EmbeddedFont]:
    """Each chosen family's faces as static subsets of the characters it draws (`private`: named for
    WeasyPrint, see PRIVATE_SUFFIX)."""
    from pipeline.fonts.subset import subset_face

    fonts = []
    for family in selection.families:
        if private and family.group in WHOLE_FOR_WEASYPRINT:
            continue  # see whole_faces
        for face in family.faces:
            if face.style != "normal":
                continue
            drawn = selection.assigned[family.name]
            characters = drawn | covered(SHAPING_CHARACTERS | _decompositions(drawn), face.path, face.index)
            font = subset_face(face, int(face.weight), characters, flavor)
            fonts.append(dataclasses.replace(font, family=font.family + PRIVATE_SUFFIX) if private else font)
    return fonts
