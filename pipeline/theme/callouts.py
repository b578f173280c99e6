"""Callout colours (GitHub alerts): the hues readers know, made to read on the brand's paper.

Blue notes, green tips, violet important notes, amber warnings and red cautions are what GitHub,
Quarto and Docusaurus readers expect; each is darkened (same hue) until its title reads at 4.5:1
on the theme's light colour, the callout's background.
"""

from __future__ import annotations

from typing import Any

from pipeline.theme.highlight import readable

_HUES = {"note": "#0969da", "tip": "#1a7f37", "important": "#8250df", "warning": "#9a6700", "caution": "#d1242f"}


def callout_palette(colors: dict[str, Any]) -> dict[str, str]:
    """Kind → colour of the callout's rule and title, from the theme's colour tokens."""
    background = str(colors.get("light") or "#f4f5f7")
    return {kind: readable(hue, background) for kind, hue in _HUES.items()}
