"""PDF standards: what WeasyPrint needs to write PDF/A, PDF/UA or PDF/X, and what it leaves to us.

WeasyPrint does the heavy part (XMP identification, sRGB output intent for PDF/A, tags for
PDF/UA, TrimBox/BleedBox, trapping key and identifiers for PDF/X). What it leaves open:

- PDF/X needs an output intent naming the press condition. WeasyPrint writes one only from an ICC
  profile given as `@color-profile device-cmyk`; a theme may ship that profile
  (`defaults.pipeline.pdf.output_intent.profile`). Without one we still declare the registered
  characterization (e.g. FOGRA39, from the ICC registry), which PDF/X-1a and X-3 accept as is and
  which a prepress tool resolves for X-4.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Callable

    from pipeline.pdf.settings import OutputIntent, PrintSettings

ICC_REGISTRY = "http://www.color.org"
# Registered characterizations a theme is likely to name, for the Info string of the output intent.
KNOWN_CONDITIONS = {
    "FOGRA39": "Coated FOGRA39 (ISO 12647-2:2004)",
    "FOGRA51": "PSO Coated v3 (ISO 12647-2:2013)",
    "FOGRA52": "PSO Uncoated v3 (ISO 12647-2:2013)",
    "CGATS TR 001": "SWOP (CGATS TR 001)",
    "CGATS21-2-CRPC6": "GRACoL 2013 (CRPC6)",
}


def color_profile_css(settings: PrintSettings) -> str:
    """The `@color-profile` rule that makes WeasyPrint embed the theme's CMYK output profile."""
    profile = settings.output_intent.profile
    if not settings.is_pdfx or profile is None:
        return ""
    return f'@color-profile device-cmyk {{ src: url("{profile.as_uri()}"); }}\n'


def render_options(settings: PrintSettings) -> dict[str, Any]:
    """Options for `weasyprint.HTML.render` and `Document.write_pdf`."""
    options: dict[str, Any] = {"pdf_variant": settings.variant}
    if settings.is_pdfx:
        options["output_intent"] = "device-cmyk"
    return options


def _registered_output_intent(intent: OutputIntent) -> Callable[[Any, Any], None]:
    def finish(_document: Any, pdf: Any) -> None:
        import pydyf

        if "OutputIntents" in pdf.catalog:
            return  # WeasyPrint embedded the theme's profile
        info = intent.info or KNOWN_CONDITIONS.get(intent.condition, intent.condition)
        pdf.catalog["OutputIntents"] = pydyf.Array([pydyf.Dictionary({
            "Type": "/OutputIntent",
            "S": "/GTS_PDFX",
            "OutputCondition": pydyf.String(info),
            "OutputConditionIdentifier": pydyf.String(intent.condition),
            "RegistryName": pydyf.String(ICC_REGISTRY),
            "Info": pydyf.String(info),
        })])

    return finish


def finisher(settings: PrintSettings) -> Callable[[Any, Any], None] | None:
    """Post-processing of WeasyPrint's PDF object before it is written, when the variant needs it."""
    if settings.is_pdfx:
        return _registered_output_intent(settings.output_intent)
    return None
