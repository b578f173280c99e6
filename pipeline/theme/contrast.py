"""Colours as brand.yml writes them (#RRGGBB, rgb(), CSS names) and their WCAG 2 contrast."""

from __future__ import annotations

from typing import Any


def rgb(value: Any) -> tuple[int, int, int] | None:
    """A CSS colour as 0–255 sRGB channels, or None when it is not one."""
    from PIL import ImageColor

    try:
        colour = ImageColor.getrgb(str(value).strip())
    except ValueError:
        return None
    return colour[:3]


def contrast(first: tuple[int, int, int], second: tuple[int, int, int]) -> float:
    """WCAG 2 contrast ratio of two sRGB colours (1 to 21)."""
    def luminance(colour: tuple[int, int, int]) -> float:
        channels = [c / 255 for c in colour]
        linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]

    light, dark = sorted((luminance(first), luminance(second)), reverse=True)
    return (light + 0.05) / (dark + 0.05)
