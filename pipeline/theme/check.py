"""`convert theme check`: a theme's brand.yml against the brand.yml schema, our `defaults.pipeline`
keys, its files and fonts, and WCAG AA contrast for the colour pairs the writers set text in.

Every problem is one line naming the brand file and the line of the key it is about, so an editor
or CI log jumps straight to it.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pipeline.errors import ThemeError
from pipeline.theme.contrast import contrast, rgb

Location = tuple[Any, ...]  # a path into the YAML: keys and list indexes


@dataclass(frozen=True)
class Problem:
    path: Path
    line: int | None
    key: str
    message: str

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else str(self.path)
        return f"{where}: {self.key}: {self.message}" if self.key else f"{where}: {self.message}"


# ---- Where a key is written --------------------------------------------------------------------

def _read(path: Path) -> Any:
    """brand.yml as ruamel.yaml reads it (as brand-yml does), keeping each key's line."""
    from ruamel.yaml import YAML

    return YAML(typ="rt").load(path.read_text(encoding="utf-8"))


def _steps(data: Any, location: Location) -> Iterator[tuple[Any, Any]]:
    """(container, key) for each part of `location` that is written in the file, outermost first."""
    node = data
    for part in location:
        present = (isinstance(node, dict) and part in node) or (
            isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node))
        if not present:
            return
        yield node, part
        node = node[part]


def line_of(data: Any, location: Location) -> int | None:
    """The 1-based line of the deepest part of `location` that is written in the file."""
    line = None
    for container, part in _steps(data, location):
        lc = getattr(container, "lc", None)
        if lc is not None:
            line = (lc.key(part) if isinstance(container, dict) else lc.item(part))[0] + 1
    return line


def _dotted(location: Location) -> str:
    return ".".join(f"[{part}]" if isinstance(part, int) else str(part) for part in location).replace(".[", "[")


def _get(data: Any, location: Location) -> Any:
    steps = list(_steps(data, location))
    if len(steps) < len(location):
        return None
    return steps[-1][0][steps[-1][1]] if steps else data


# ---- Our own keys: defaults.pipeline -----------------------------------------------------------
# Each checker returns a message when the value is wrong, else None. Where the writers parse a
# value themselves (pipeline/pdf/settings.py), the check calls the same code, so the check and the
# build can never disagree about what is valid.

Checker = Callable[[Any, Path], "str | None"]


def _length(value: Any, _root: Path) -> str | None:
    from pipeline.pdf.settings import length_mm

    return None if length_mm(str(value)) is not None else f"{value!r} is not a length such as 20mm, 0.75in or 12pt"


def _paper(value: Any, _root: Path) -> str | None:
    from pipeline.pdf.settings import PAPER_SIZES

    return None if str(value).lower() in PAPER_SIZES else f"{value!r} is not one of {', '.join(PAPER_SIZES)}"


def _boolean(value: Any, _root: Path) -> str | None:
    return None if isinstance(value, bool) else f"{value!r} is not true or false"


def _toc_depth(value: Any, _root: Path) -> str | None:
    ok = isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= 6
    return None if ok else f"{value!r} is not a whole number from 1 to 6"


def _choice(allowed: tuple[str, ...], key: str) -> Checker:
    def check(value: Any, root: Path) -> str | None:
        from pipeline.pdf import settings

        try:
            settings._choice(value, allowed, key, root)
        except ThemeError:
            return f"{value!r} is not one of {', '.join(allowed)}"
        return None

    return check


def _colour_name(value: Any, _root: Path) -> str | None:
    return None  # palette names and colour strings: checked with the palette in `_colours`


def _back_cover(value: Any, _root: Path) -> str | None:
    if isinstance(value, bool) or (isinstance(value, dict) and set(value) <= {"text"}):
        return None
    return f"{value!r} is not true, false or {{text: \"…\"}}"


def _marks(value: Any, _root: Path) -> str | None:
    marks = value if isinstance(value, list) else [value]
    wrong = [m for m in marks if str(m) not in ("crop", "cross")]
    return f"{', '.join(map(str, wrong))} not among crop, cross" if wrong else None


def _cmyk(value: Any, root: Path) -> str | None:
    from pipeline.pdf import settings

    try:
        settings._cmyk(dict(value) if isinstance(value, dict) else value, root)
    except ThemeError as exc:
        return exc.message.removeprefix("defaults.pipeline.pdf.")
    return None


def _theme_file(value: Any, root: Path) -> str | None:
    target = (root / str(value)).resolve()
    if not target.is_relative_to(root.resolve()) or not target.is_file():
        return f"{value} is not a file inside the theme folder"
    return None


def _text(value: Any, _root: Path) -> str | None:
    return None if isinstance(value, str | int | float) else f"{value!r} is not text"


def _fallback_chain(value: Any, _root: Path) -> str | None:
    from pipeline.fonts.fallback import GROUP_SCRIPTS

    if not isinstance(value, dict):
        return f"must be a mapping of script groups ({', '.join(GROUP_SCRIPTS)}) to lists of families"
    unknown = [str(group) for group in value if group not in GROUP_SCRIPTS]
    if unknown:
        return f"unknown script group {unknown[0]!r} (known: {', '.join(GROUP_SCRIPTS)})"
    for group, families in value.items():
        if not isinstance(families, list | str) or (isinstance(families, list)
                                                     and not all(isinstance(f, str) for f in families)):
            return f"{group}: must be a list of font family names"
    return None


def _labels(value: Any, _root: Path) -> str | None:
    from pipeline.i18n import is_valid_tag

    if not isinstance(value, dict):
        return "must be a mapping of language tags to {label: text}"
    for lang, words in value.items():
        if not is_valid_tag(str(lang)):
            return f"{lang!r} is not a BCP 47 language tag"
        if not isinstance(words, dict) or not all(isinstance(text, str) for text in words.values()):
            return f"{lang}: must be a mapping of label names to text"
    return None


def _schema() -> dict[str, Any]:
    from pipeline.pdf.settings import ARTICLE_BREAKS, PART_BREAKS

    return {
        "fonts": {"fallback": _fallback_chain},
        "labels": _labels,
        "math": {"font": _theme_file},
        "page": {"size": _paper, "margin": {side: _length for side in ("top", "bottom", "inside", "outside")}},
        "cover": {"background": _colour_name, "foreground": _colour_name, "accent": _colour_name},
        "toc_depth": _toc_depth,
        "pdf": {
            "duplex": _boolean,
            "part_break": _choice(PART_BREAKS, "part_break"),
            "chapter_break": _choice(PART_BREAKS, "chapter_break"),
            "article_break": _choice(ARTICLE_BREAKS, "article_break"),
            "back_cover": _back_cover,
            "hyphenate": _boolean,
            "bleed": _length,
            "marks": _marks,
            "cmyk": _cmyk,
            "output_intent": {"condition": _text, "info": _text, "profile": _theme_file},
        },
    }


def _walk_schema(value: Any, schema: Any, location: Location, root: Path) -> Iterator[tuple[Location, str]]:
    if callable(schema):
        message = schema(value, root)
        if message:
            yield location, message
        return
    if not isinstance(value, dict):
        yield location, f"must be a mapping of {', '.join(schema)}"
        return
    for key, item in value.items():
        if key not in schema:
            close = difflib.get_close_matches(str(key), list(schema), n=1)
            hint = f" (did you mean {close[0]}?)" if close else f" (known: {', '.join(schema)})"
            yield (*location, key), f"unknown key{hint}"
            continue
        yield from _walk_schema(item, schema[key], (*location, key), root)


# ---- Colours and contrast ----------------------------------------------------------------------

AA_TEXT, AA_LARGE = 4.5, 3.0


# (what is set in it, text token, background token, the minimum ratio). h1 is display-sized (≥ 18pt):
# large text; everything else includes text at body size.
TEXT_PAIRS = (
    ("body text", "foreground", "background", AA_TEXT),
    ("headings", "headings", "background", AA_TEXT),
    ("part titles (h1, large text)", "primary", "background", AA_LARGE),
    ("links", "link", "background", AA_TEXT),
    ("captions, bylines, quotations and running heads", "muted", "background", AA_TEXT),
    ("code blocks", "foreground", "light", AA_TEXT),
    ("cover text", "cover_foreground", "cover_background", AA_TEXT),
)
# Where each token is written in brand.yml, most specific first.
TOKEN_KEYS: dict[str, tuple[Location, ...]] = {
    "foreground": (("color", "foreground"),),
    "background": (("color", "background"),),
    "primary": (("color", "primary"),),
    "headings": (("typography", "headings", "color"), ("color", "primary")),
    "link": (("typography", "link", "color"), ("color", "primary")),
    "muted": (("color", "tertiary"), ("color", "secondary")),
    "light": (("color", "light"),),
    "cover_foreground": (("defaults", "pipeline", "cover", "foreground"), ("color", "background")),
    "cover_background": (("defaults", "pipeline", "cover", "background"), ("color", "primary")),
}


def _token_location(data: Any, token: str) -> Location:
    for location in TOKEN_KEYS.get(token, ()):
        if _get(data, location) is not None:
            return location
    return ("color",)


def _colours(data: Any, tokens: dict[str, Any], brand_file: Path) -> Iterator[Problem]:
    palette = _get(data, ("color", "palette")) or {}
    named = {*palette, *(_get(data, ("color",)) or {})}  # a colour may name a palette entry or a theme colour
    for location in [*[("color", "palette", name) for name in palette],
                     *[("color", key) for key in (_get(data, ("color",)) or {}) if key != "palette"],
                     *[("defaults", "pipeline", "cover", key) for key in _get(data, ("defaults", "pipeline", "cover"))
                       or {}],
                     ("typography", "headings", "color"), ("typography", "link", "color")]:
        value = _get(data, location)
        if value is None or isinstance(value, dict):
            continue
        if str(value) not in named and rgb(value) is None:
            yield Problem(brand_file, line_of(data, location), _dotted(location),
                          f"{value!r} is neither a colour (#RRGGBB, rgb(), a CSS name) nor a palette colour")
    colours = tokens["color"]
    for what, text, ground, minimum in TEXT_PAIRS:
        fore, back = rgb(colours.get(text)), rgb(colours.get(ground))
        if fore is None or back is None:
            continue
        ratio = contrast(fore, back)
        if ratio + 1e-9 < minimum:
            location = _token_location(data, text)
            yield Problem(brand_file, line_of(data, location), _dotted(location),
                          f"contrast of {what} ({colours[text]} on {colours[ground]}) is {ratio:.2f}:1, below "
                          f"WCAG AA's {minimum:g}:1 for text")


# ---- The whole check ---------------------------------------------------------------------------

def check_theme(theme: Any) -> list[Problem]:
    """Every problem of a theme's brand.yml (empty when it is fine)."""
    import pydantic
    from ruamel.yaml.error import MarkedYAMLError

    brand_file: Path = theme.brand_file
    try:
        data = _read(brand_file)
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = " ".join(f"{exc.context or ''} {exc.problem or ''}".split())
        return [Problem(brand_file, mark.line + 1 if mark else None, "", f"not valid YAML: {problem}")]
    except OSError as exc:
        return [Problem(brand_file, None, "", f"cannot be read: {exc.strerror}")]
    if not isinstance(data, dict):
        return [Problem(brand_file, 1, "", "must be a mapping (meta, color, typography, logo, defaults)")]
    problems: list[Problem] = []
    import brand_yml

    try:
        brand = brand_yml.Brand.from_yaml(brand_file)
    except pydantic.ValidationError as exc:
        for error in exc.errors():
            location = tuple(part for part in error["loc"] if not (isinstance(part, str) and "[" in part))
            message = " ".join(error["msg"].split())
            problems.append(Problem(brand_file, line_of(data, location), _dotted(location), message))
    except (ValueError, TypeError) as exc:
        problems.append(Problem(brand_file, None, "", " ".join(str(exc).split())[:200]))
    settings = _get(data, ("defaults", "pipeline"))
    if settings is not None:
        for location, message in _walk_schema(settings, _schema(), ("defaults", "pipeline"), theme.root):
            problems.append(Problem(brand_file, line_of(data, location), _dotted(location), message))
    if problems:
        return problems  # the rest reads the parsed brand
    problems.extend(_files(theme, brand, data, brand_file))
    # The theme's tokens without resolving its fonts (a missing one is a problem reported above).
    parsed = type(theme)(theme.name, theme.root, loaded=(brand, [], dict((brand.defaults or {}).get("pipeline") or {})))
    try:
        tokens = parsed.tokens
    except ThemeError as exc:
        problems.append(Problem(brand_file, exc.line, "", exc.message))
        return problems
    problems.extend(_colours(data, tokens, brand_file))
    return sorted(problems, key=lambda problem: problem.line or 0)


def _files(theme: Any, brand: Any, data: Any, brand_file: Path) -> Iterator[Problem]:
    """Fonts that are not installed, font and logo files that are not in the theme folder."""
    from types import SimpleNamespace

    from pipeline.fonts.faces import resolve_fonts

    typography = brand.typography
    for index, font in enumerate(getattr(typography, "fonts", None) or []):
        # One font at a time, so each problem is told at its own entry.
        headings = getattr(typography, "headings", None)
        alone = SimpleNamespace(typography=SimpleNamespace(fonts=[font], headings=headings))
        try:
            resolve_fonts(alone, theme.root, brand_file)
        except ThemeError as exc:
            location = ("typography", "fonts", index, "family")
            yield Problem(brand_file, line_of(data, location), _dotted(location), exc.message)
    logo = _get(data, ("logo",))
    entries = {"logo": logo} if isinstance(logo, str) else {
        f"logo.{size}": (value.get("path") if isinstance(value, dict) else value)
        for size, value in (logo or {}).items() if size in ("small", "medium", "large")}
    for key, value in entries.items():
        if not isinstance(value, str) or "://" in value:
            continue
        target = (theme.root / str(value)).resolve()
        if not target.is_relative_to(theme.root.resolve()) or not target.is_file():
            location = tuple(key.split("."))
            yield Problem(brand_file, line_of(data, location), key, f"{value} is not a file inside the theme folder")
