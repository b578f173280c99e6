"""Brand colours for presses: `device-cmyk()` values for PDF/X, from the theme or converted.

A theme gives exact CMYK builds for its palette (`defaults.pipeline.pdf.cmyk`), as a brand guide
does; roles that point at a palette colour (primary: red) inherit its build. Colours without one
get the naive conversion, which a press will accept but a brand manager may not: the theme should
list every brand colour.
"""

from __future__ import annotations

import re
from typing import Any

_HEX = re.compile(r"^#([0-9a-fA-F]{3}|[0-9a-fA-F]{6})$")

CMYK = tuple[float, float, float, float]


def hex_to_rgb(value: str) -> tuple[float, float, float] | None:
    match = _HEX.match(value.strip())
    if not match:
        return None
    digits = match.group(1)
    if len(digits) == 3:
        digits = "".join(d * 2 for d in digits)
    return tuple(int(digits[i:i + 2], 16) / 255 for i in (0, 2, 4))  # type: ignore[return-value]


def naive_cmyk(rgb: tuple[float, float, float]) -> CMYK:
    """Device-independent-free conversion (GCR 100 %): exact for greys, approximate for the rest."""
    r, g, b = rgb
    k = 1 - max(r, g, b)
    if k >= 1:
        return (0.0, 0.0, 0.0, 1.0)
    return tuple(round(v, 4) for v in ((1 - r - k) / (1 - k), (1 - g - k) / (1 - k), (1 - b - k) / (1 - k), k))  # type: ignore[return-value]


def css_cmyk(value: CMYK) -> str:
    return "device-cmyk(" + " ".join(f"{v:g}" for v in value) + ")"


def cmyk_palette(colors: dict[str, Any], builds: dict[str, CMYK]) -> dict[str, str]:
    """Every colour token as `device-cmyk()`: the theme's build by name, else by equal hex, else naive."""
    by_hex = {str(colors[name]).lower(): build for name, build in builds.items() if name in colors}
    result: dict[str, str] = {}
    for name, value in colors.items():
        text = str(value)
        rgb = hex_to_rgb(text)
        if name in builds:
            result[name] = css_cmyk(builds[name])
        elif text.lower() in by_hex:
            result[name] = css_cmyk(by_hex[text.lower()])
        elif rgb is not None:
            result[name] = css_cmyk(naive_cmyk(rgb))
        else:
            result[name] = text  # a CSS colour name or function: left for WeasyPrint
    return result
