"""Fonts in the PDF that are not the theme's: the writer names them, and so does the validation gate.

When the theme's fonts lack a character, Pango takes it from a font on the machine and WeasyPrint
embeds that font. These tests render a document with such a character and read the PDF back
(pdffonts), and check the seed embeds only the theme's fonts.
"""

from __future__ import annotations

import subprocess

import pytest
from conftest import IN_CI, require_tool
from test_pdf_support import render, write_markdown

# ꓐ (Lisu): in DejaVu Sans, in no brand font and no font of the fallback chain (emoji, symbols …).
SNOWMAN = "\ua4d0"


def _pdffonts(path) -> str:
    require_tool("pdffonts")
    return subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout


def _theme_lacks(theme_name: str, character: str) -> bool:
    from fontTools.ttLib import TTFont

    from pipeline.theme import load_theme

    theme = load_theme(theme_name)
    faces = [*theme.fonts, *(face for family in theme.fallback.families for face in family.faces)]
    return all(ord(character) not in (TTFont(face.path, lazy=True, fontNumber=face.index).getBestCmap() or {})
               for face in faces)


def _machine_families_with(character: str) -> set[str]:
    """Families fontconfig offers for `character` (what Pango may fall back to)."""
    require_tool("fc-list")
    listing = subprocess.run(["fc-list", f":charset={ord(character):x}", "family"], capture_output=True,
                             text=True, check=True).stdout
    return {name.strip() for line in listing.splitlines() for name in line.split(",") if name.strip()}


def _findings(rendered, code: str) -> list[str]:
    validation = rendered.details["validation"]
    return [f["message"] for f in validation["findings"] if f["code"] == code]


def test_a_font_from_the_machine_is_named_by_the_writer_and_the_gate():
    assert _theme_lacks("openinfra", SNOWMAN)
    families = _machine_families_with(SNOWMAN)
    if not families:
        message = f"no font on this machine has {SNOWMAN} U+A4D0 (install fonts-dejavu-core)"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    source = write_markdown("snowman.md", f"---\ntitle: Snow Report\n---\n# Weather\n\n"
                                          f"A snowman {SNOWMAN} in the text, and **a bold one {SNOWMAN}** too.\n")
    rendered = render(source=source, validate=True, out_name="snowman")
    # The PDF really carries a font from the machine (read back with poppler).
    listing = _pdffonts(rendered.path)
    embedded = [family for family in families if family.replace(" ", "-") in listing]
    assert embedded, listing
    # The writer says so on every build (no --validate needed), naming the font and the character.
    warnings = [w for w in rendered.warnings if "[PDF002]" in w]
    assert len(warnings) == 1, rendered.warnings
    assert any(family in warnings[0] for family in embedded) and "U+A4D0" in warnings[0]
    assert not any(theme_family in warnings[0].split("U+")[0] for theme_family in ("Inter", "Source Serif"))
    assert set(rendered.details["foreign_fonts"]) & set(embedded)
    # The validation gate's pdffonts check lists it too, as a warning that does not fail the build.
    messages = _findings(rendered, "PDF-FONT-THEME")
    assert len(messages) == 1 and any(family in messages[0] for family in embedded)
    assert rendered.details["validation"]["status"] == "passed"


def test_the_seed_embeds_only_the_theme_fonts():
    rendered = render(validate=True)
    assert not [w for w in rendered.warnings if "[PDF002]" in w]
    assert "foreign_fonts" not in rendered.details
    assert _findings(rendered, "PDF-FONT-THEME") == []
    assert rendered.details["validation"]["warnings"] == 0


@pytest.mark.parametrize("theme_name", ["openinfra", "default"])
def test_nested_list_bullets_come_from_the_theme_fonts(theme_name):
    """Browsers' default second- and third-level bullets (◦ U+25E6, ▪ U+25AA) are missing from most
    brand fonts; the print CSS draws them with characters every text font has."""
    source = write_markdown("nested.md", "---\ntitle: Nested\n---\n# Part\n\n- one\n  - two\n    - three\n"
                                         "      - four\n- five\n")
    rendered = render(source=source, theme_name=theme_name, out_name=f"nested-{theme_name}")
    assert not [w for w in rendered.warnings if "[PDF002]" in w], rendered.warnings
    listing = _pdffonts(rendered.path)
    assert "DejaVu" not in listing, listing
    text = subprocess.run(["pdftotext", "-layout", str(rendered.path), "-"], capture_output=True, text=True).stdout
    assert "– two" in text and "· three" in text, text


def test_long_font_names_are_read_whole():
    """pdffonts prints a name longer than its column whole and shifts the row; a Semi-Bold Italic
    heading word in the default theme makes one ("ABCDEF+Source-Sans-3-Semi-Bold-Italic")."""
    source = write_markdown("long-names.md", "---\ntitle: Long Names\n---\n# Part\n\n## A heading with an "
                                             "*emphasised* word\n\nBody text.\n")
    rendered = render(source=source, theme_name="default", validate=True, out_name="long-names")
    assert "+Source-Sans-3-Semi-Bold-Italic" in _pdffonts(rendered.path)
    assert _findings(rendered, "PDF-FONT-THEME") == []
    assert rendered.details["validation"]["status"] == "passed"


@pytest.mark.parametrize(("name", "theme", "family"), [
    ("QUWLDS+Inter-Bold", True, "Inter"),
    ("ZMQUBA+Inter-Semi-Bold", True, "Inter"),
    ("VLCZJG+Source-Serif-4,", True, "Source Serif 4"),  # Pango's comma after a family ending in a digit
    ("/MHNVOE+Source-Serif-4-Bold-Italic", True, "Source Serif 4"),
    ("AAAAAA+Roboto-Condensed-Bold", True, "Roboto"),  # a theme family ending in a style word
    ("XKQQSR+DejaVu-Sans-Bold", False, "DejaVu Sans"),
    ("AAAAAA+Inter-Display", False, "Inter Display"),  # not Inter
    ("AAAAAA+Noto-Sans-CJK-JP,-Bold", False, "Noto Sans CJK JP"),
])
def test_pdf_font_names_and_theme_families(name, theme, family):
    from pipeline.fonts.pdfcheck import is_theme_font, pdf_font_family

    assert is_theme_font(name, ["Inter", "Source Serif 4", "Roboto Condensed"]) is theme
    assert pdf_font_family(name) == family
