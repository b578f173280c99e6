"""BCP 47 language tags: validity, and what a tag says about script and direction (via langcodes)."""

from __future__ import annotations

import functools

# Scripts written right to left (ISO 15924): Arabic, Hebrew, Syriac, Thaana, N'Ko, Adlam, Hanifi
# Rohingya, Mandaic, Samaritan, Mende Kikakui, Old South Arabian, Imperial Aramaic.
RTL_SCRIPTS = frozenset({"Arab", "Hebr", "Syrc", "Thaa", "Nkoo", "Adlm", "Rohg", "Mand", "Samr", "Mend", "Sarb",
                         "Armi"})


def normalize_tag(tag: str) -> str:
    """`en_us` → `en-US`: the canonical casing, with the underscore of POSIX locales made a hyphen."""
    import langcodes

    return langcodes.standardize_tag(tag.strip().replace("_", "-"))


@functools.lru_cache(maxsize=256)
def is_valid_tag(tag: str) -> bool:
    """True for a well-formed BCP 47 tag whose subtags are registered (`pt-BR`, `zh-Hant`, not `english`)."""
    import langcodes

    text = tag.strip().replace("_", "-")
    if not text or any(ch.isspace() for ch in text):
        return False
    try:
        return bool(langcodes.tag_is_valid(text))
    except (ValueError, LookupError):
        return False


@functools.lru_cache(maxsize=256)
def script_of(tag: str) -> str:
    """The script a language is usually written in (`ar` → Arab, `sr` → Cyrl, `zh-TW` → Hant)."""
    import langcodes

    try:
        return langcodes.Language.get(tag.replace("_", "-")).maximize().script or "Latn"
    except (ValueError, LookupError):
        return "Latn"


def direction(tag: str) -> str:
    """"rtl" or "ltr" for a language tag."""
    return "rtl" if script_of(tag) in RTL_SCRIPTS else "ltr"
