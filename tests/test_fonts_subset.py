"""Brand fonts subset to a document's characters and pinned to static weights."""

from __future__ import annotations

import io

from fontTools.ttLib import TTFont

from pipeline.fonts.subset import BASE_CHARACTERS, code_text_of_html, subset_theme_fonts, text_of_html
from pipeline.theme import load_theme


def test_variable_fonts_become_static_subsets():
    theme = load_theme("openinfra")
    fonts = subset_theme_fonts(theme, "Grüße, Ωmega — “quoted”", flavor="ttf")
    assert {(f.family, f.weight, f.style) for f in fonts} >= {("Inter", 400, "normal"), ("Inter", 700, "normal"),
                                                               ("Source Serif 4", 700, "italic")}
    for font in fonts:
        parsed = TTFont(io.BytesIO(font.data))
        assert "fvar" not in parsed and parsed["OS/2"].usWeightClass == font.weight
        cmap = {chr(c) for c in parsed.getBestCmap()}
        assert set("Grüße,—“”") <= cmap
        assert "Ж" not in cmap  # Cyrillic is in Inter, but not in this text
        assert len(font.data) < 60_000
    names = [f.filename for f in fonts]
    assert len(names) == len(set(names)) and all("[" not in n and " " not in n for n in names)


def test_monospace_only_with_code():
    theme = load_theme("openinfra")
    assert not any(f.family == "IBM Plex Mono" for f in subset_theme_fonts(theme, "no code here"))
    with_code = subset_theme_fonts(theme, "text", code_text="x = 1", flavor="woff2")
    mono = [f for f in with_code if f.family == "IBM Plex Mono"]
    assert mono and all(f.flavor == "woff2" and f.data[:4] == b"wOF2" for f in mono)


def test_default_theme_headings_weight_is_embedded():
    theme = load_theme("default")  # headings are Source Sans 3 at 600
    fonts = subset_theme_fonts(theme, "text")
    assert ("Source Sans 3", 600, "normal") in {(f.family, f.weight, f.style) for f in fonts}
    assert not any(f.family == "IBM Plex Serif" and f.weight == 600 for f in fonts)


def test_text_extraction_from_markup():
    markup = "<p>a &amp; b<code>x&lt;y</code></p><pre>z</pre>"
    assert "&" in text_of_html(markup) and "<" not in text_of_html(markup).replace("x<y", "")
    assert code_text_of_html(markup) == "x<yz"
    assert " " in BASE_CHARACTERS and "’" in BASE_CHARACTERS
