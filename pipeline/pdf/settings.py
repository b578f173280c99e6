"""Print settings: the theme's `defaults.pipeline.pdf` block and the command line, resolved once.

Everything the print templates may vary on lives here, so the templates read one dictionary
(`theme.pdf`) and no writer code hard-codes a brand. Bad theme values are ThemeErrors naming the
brand file; a bad command-line value is a UsageError.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pipeline.errors import ThemeError, UsageError

if TYPE_CHECKING:
    from pipeline.theme import Theme
    from pipeline.writers import WriteOptions

# Named paper sizes (CSS `size` keywords) → width, height.
PAPER_SIZES = {
    "a3": ("297mm", "420mm"),
    "a4": ("210mm", "297mm"),
    "a5": ("148mm", "210mm"),
    "b5": ("176mm", "250mm"),
    "letter": ("8.5in", "11in"),
    "legal": ("8.5in", "14in"),
}
PROFILES = ("screen", "print")
PART_BREAKS = ("page", "recto", "none")  # recto: the right-hand page (left-hand in a right-to-left book)
ARTICLE_BREAKS = ("page", "none")
PRINT_BLEED = "3mm"  # the usual trim allowance for sheet-fed presses (Paged.js and Vivliostyle use the same)
PRINT_MARKS = ("crop", "cross")
DEFAULT_OUTPUT_CONDITION = "FOGRA39"  # ISO coated v2 (Europe); a theme names its press's condition

_LENGTH = re.compile(r"^\s*(-?\d+(?:\.\d+)?)\s*(mm|cm|in|pt|pc|px|q)\s*$", re.IGNORECASE)
_MM_PER_UNIT = {"mm": 1.0, "cm": 10.0, "in": 25.4, "pt": 25.4 / 72, "pc": 25.4 / 6, "px": 25.4 / 96, "q": 0.25}


def length_mm(value: str) -> float | None:
    """A CSS absolute length in millimetres, or None when it is not one (e.g. `auto`, `5%`)."""
    match = _LENGTH.match(str(value))
    return float(match.group(1)) * _MM_PER_UNIT[match.group(2).lower()] if match else None


def variant_names() -> list[str]:
    """The PDF standards WeasyPrint can write (its debug variant left out)."""
    from pipeline.libfinder import import_weasyprint

    import_weasyprint()
    from weasyprint.pdf import VARIANTS

    return sorted(name for name in VARIANTS if name.startswith("pdf/"))


def normalize_variant(value: str | None) -> str | None:
    """`PDF/A-3b`, `pdfa-3b` or `a-3b` → `pdf/a-3b`; unknown names are a usage error listing the known."""
    if not value:
        return None
    name = value.strip().lower().replace("_", "-")
    name = re.sub(r"^pdf[/-]?", "", name)
    name = f"pdf/{name}"
    known = variant_names()
    if name not in known:
        raise UsageError(f"unknown PDF variant {value!r} (known: {', '.join(known)})")
    return name


@dataclass(frozen=True)
class OutputIntent:
    """The press condition a PDF/X file is made for: a registered name and, ideally, its ICC profile."""

    condition: str = DEFAULT_OUTPUT_CONDITION
    info: str | None = None
    profile: Path | None = None  # a CMYK output profile inside the theme folder


@dataclass(frozen=True)
class PrintSettings:
    """How one PDF is laid out and written."""

    profile: str = "screen"
    size: str = "A4"  # CSS page size keyword or "W H"
    width: str = "210mm"
    height: str = "297mm"
    margin: dict[str, str] = field(default_factory=dict)  # top, bottom, inside, outside
    duplex: bool = False
    part_break: str = "page"
    chapter_break: str = "page"  # a book's chapters (pipeline.book); the part break unless the theme says
    article_break: str = "none"
    back_cover: bool = False
    back_cover_text: str | None = None
    hyphenate: bool = True
    bleed: str = "0mm"
    marks: tuple[str, ...] = ()
    link_color: bool = True
    variant: str | None = None
    cmyk: dict[str, tuple[float, float, float, float]] = field(default_factory=dict)
    output_intent: OutputIntent = field(default_factory=OutputIntent)

    @property
    def is_print(self) -> bool:
        return self.profile == "print"

    @property
    def is_pdfx(self) -> bool:
        return bool(self.variant and self.variant.startswith("pdf/x"))

    @property
    def tagged(self) -> bool:
        """Whether WeasyPrint will tag the PDF (PDF/UA and the accessible PDF/A levels)."""
        variant = self.variant or ""
        return variant.startswith("pdf/ua") or (variant.startswith("pdf/a-") and variant.endswith("a"))

    @property
    def content_height_mm(self) -> float:
        """Height of the text block, so images can be limited to what fits on one page."""
        height = length_mm(self.height) or 297.0
        top = length_mm(self.margin.get("top", "22mm")) or 22.0
        bottom = length_mm(self.margin.get("bottom", "24mm")) or 24.0
        return max(40.0, height - top - bottom)

    def _side_margins_mm(self) -> float:
        inside = length_mm(self.margin.get("inside", "22mm")) or 22.0
        outside = length_mm(self.margin.get("outside", "20mm")) or 20.0
        return inside + outside

    @property
    def content_width_mm(self) -> float:
        """Width of the text block (portrait), for fitting wide tables."""
        return max(40.0, (length_mm(self.width) or 210.0) - self._side_margins_mm())

    @property
    def landscape_width_mm(self) -> float:
        """Width of the text block on a landscape page (the page turned, the same margins)."""
        return max(40.0, (length_mm(self.height) or 297.0) - self._side_margins_mm())

    def template_tokens(self) -> dict[str, Any]:
        """What print templates read as `theme.pdf`."""
        tokens = asdict(self)
        tokens.pop("cmyk")
        tokens["output_intent"] = None
        tokens["marks"] = " ".join(self.marks) or "none"
        tokens["is_print"] = self.is_print
        tokens["is_pdfx"] = self.is_pdfx
        tokens["tagged"] = self.tagged
        tokens["image_max_height"] = f"{self.content_height_mm - 25:.0f}mm"
        return tokens


def _choice(value: Any, allowed: tuple[str, ...], key: str, brand_file: Path) -> str:
    text = str(value).strip().lower()
    if text in ("false", "no", "off"):
        text = "none"
    text = {"right": "recto", "odd": "recto"}.get(text, text)  # what designers also call it
    if text not in allowed:
        raise ThemeError(f"defaults.pipeline.pdf.{key} must be one of {', '.join(allowed)}, not {value!r}",
                         brand_file)
    return text


def _cmyk(raw: Any, brand_file: Path) -> dict[str, tuple[float, float, float, float]]:
    """`{navy: [85, 60, 30, 65]}` (percent) or `[0.85, 0.6, 0.3, 0.65]` → fractions per colour name."""
    if raw in (None, {}):
        return {}
    if not isinstance(raw, dict):
        raise ThemeError("defaults.pipeline.pdf.cmyk must map colour names to [c, m, y, k]", brand_file)
    colours: dict[str, tuple[float, float, float, float]] = {}
    for name, value in raw.items():
        if isinstance(value, str):
            value = value.replace(",", " ").replace("%", "").split()
        try:
            numbers = [float(v) for v in value]
        except (TypeError, ValueError):
            numbers = []
        if len(numbers) != 4 or not all(0 <= n <= 100 for n in numbers):
            raise ThemeError(f"defaults.pipeline.pdf.cmyk.{name} must be four numbers (0–1 or 0–100), "
                             f"not {value!r}", brand_file)
        scale = 100.0 if any(n > 1 for n in numbers) else 1.0
        colours[str(name)] = tuple(round(n / scale, 4) for n in numbers)  # type: ignore[assignment]
    return colours


def _output_intent(raw: Any, theme: Theme) -> OutputIntent:
    if not raw:
        return OutputIntent()
    if not isinstance(raw, dict):
        raise ThemeError("defaults.pipeline.pdf.output_intent must be a mapping (condition, info, profile)",
                         theme.brand_file)
    profile = None
    if raw.get("profile"):
        profile = (theme.root / str(raw["profile"])).resolve()
        if not profile.is_relative_to(theme.root.resolve()) or not profile.is_file():
            raise ThemeError(f"output profile {raw['profile']} is not a file inside the theme folder",
                             theme.brand_file)
    return OutputIntent(
        condition=str(raw.get("condition") or DEFAULT_OUTPUT_CONDITION),
        info=str(raw["info"]) if raw.get("info") else None,
        profile=profile,
    )


def print_settings(theme: Theme, options: WriteOptions) -> PrintSettings:
    """Resolve the theme's PDF settings against the command line's profile, paper and variant."""
    raw = theme.settings.get("pdf", {}) or {}
    if not isinstance(raw, dict):
        raise ThemeError("defaults.pipeline.pdf must be a mapping", theme.brand_file)
    brand_file = theme.brand_file
    if options.profile not in PROFILES:
        raise UsageError(f"unknown PDF profile {options.profile!r} (known: {', '.join(PROFILES)})")
    page = theme.tokens["page"]
    size = str(options.paper or page["size"])
    width, height = PAPER_SIZES.get(size.lower(), (page.get("width"), page.get("height")))
    if options.paper and size.lower() not in PAPER_SIZES:
        raise UsageError(f"unknown paper size {options.paper!r} (known: {', '.join(PAPER_SIZES)})")
    if not width or not height:
        raise ThemeError(f"page size {size!r} is not one of {', '.join(PAPER_SIZES)}", brand_file)
    back = raw.get("back_cover", False)
    is_print = options.profile == "print"
    return PrintSettings(
        profile=options.profile,
        size=size.upper() if size.lower() in ("a3", "a4", "a5", "b5") else size.title(),
        width=str(width),
        height=str(height),
        margin={k: str(v) for k, v in page["margin"].items()},
        duplex=bool(raw.get("duplex", False)),
        part_break=_choice(raw.get("part_break", "page"), PART_BREAKS, "part_break", brand_file),
        chapter_break=_choice(raw.get("chapter_break", raw.get("part_break", "page")), PART_BREAKS, "chapter_break",
                              brand_file),
        article_break=_choice(raw.get("article_break", "none"), ARTICLE_BREAKS, "article_break", brand_file),
        back_cover=bool(back),
        back_cover_text=str(back["text"]) if isinstance(back, dict) and back.get("text") else None,
        hyphenate=bool(raw.get("hyphenate", True)),
        bleed=str(raw.get("bleed", PRINT_BLEED)) if is_print else "0mm",
        marks=tuple(str(m) for m in raw.get("marks", PRINT_MARKS)) if is_print else (),
        link_color=not is_print,
        variant=normalize_variant(options.pdf_variant),
        cmyk=_cmyk(raw.get("cmyk"), brand_file),
        output_intent=_output_intent(raw.get("output_intent"), theme),
    )
