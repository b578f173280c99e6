"""The words our outputs print, in the document's language, from pandoc's own translation files.

Pandoc ships `translations/<lang>.yaml` for dozens of languages (the terms its LaTeX and Word writers
print: Contents, Figure, Table, Page …). We read the file for a language once, try the tag from most
to least specific (`zh-Hant-TW`, `zh-Hant`, `zh`), and fall back to English term by term. Terms
pandoc has no translation for ("Notes", the e-book's landmarks) are English unless the theme gives
them under `defaults.pipeline.labels.<lang>`.
"""

from __future__ import annotations

import contextlib
import functools
import json
from collections.abc import Mapping

# Our label keys → pandoc's translation terms.
PANDOC_TERMS = {"contents": "Contents", "page": "Page", "figure": "Figure", "table": "Table", "part": "Part",
                "chapter": "Chapter", "abstract": "Abstract", "appendix": "Appendix", "references": "References",
                "index": "Index", "preface": "Preface", "listing": "Listing"}
ENGLISH = {"contents": "Contents", "page": "Page", "figure": "Figure", "table": "Table", "part": "Part",
           "chapter": "Chapter", "abstract": "Abstract", "appendix": "Appendix", "references": "References",
           "index": "Index", "preface": "Preface", "listing": "Listing", "notes": "Notes", "cover": "Cover",
           "title_page": "Title Page", "start": "Start of Content", "landmarks": "Landmarks", "logo": "logo"}


def _candidates(lang: str) -> list[str]:
    """`zh-TW` → zh-TW, zh-Hant-TW, zh-Hant, zh: the file names worth trying, most specific first."""
    import langcodes

    tags = [lang]
    try:
        language = langcodes.Language.get(lang)
        full = language.maximize()
        tags += [full.to_tag(), f"{full.language}-{full.script}" if full.script else "",
                 f"{full.language}-{full.territory}" if full.territory else "", full.language or ""]
    except (ValueError, LookupError):
        tags.append(lang.split("-")[0])
    return [t for t in dict.fromkeys(tags) if t]


def _parse(data: bytes) -> dict[str, str]:
    import yaml

    loaded = yaml.safe_load(data.decode("utf-8")) or {}
    return {str(k): str(v) for k, v in loaded.items() if isinstance(v, (str, int, float))} if isinstance(
        loaded, dict) else {}


def _disk_cache(lang: str) -> tuple[dict[str, str] | None, object]:
    """The cached terms for `lang` of this pandoc, and where to store them."""
    from pathlib import Path

    from pipeline.cache import cache_dir
    from pipeline.render import pandoc_binary

    binary = Path(pandoc_binary()).stat()
    path = cache_dir("translations") / f"{binary.st_size}-{binary.st_mtime_ns}-{lang}.json"
    try:
        return json.loads(path.read_text(encoding="utf-8")), path
    except (OSError, ValueError):
        return None, path


@functools.lru_cache(maxsize=64)
def pandoc_terms(lang: str) -> Mapping[str, str]:
    """Pandoc's translation terms for `lang` (empty when pandoc has none), read once per process."""
    from pipeline.atomic import write_text_atomically
    from pipeline.render import pandoc_data_file

    cached, path = _disk_cache(lang)
    if cached is not None:
        return cached
    terms: dict[str, str] = {}
    for tag in _candidates(lang):
        try:
            terms = _parse(pandoc_data_file(f"translations/{tag}.yaml"))
        except (FileNotFoundError, ValueError, OSError):
            continue
        if terms:
            break
    with contextlib.suppress(OSError):
        write_text_atomically(path, json.dumps(terms, ensure_ascii=False))  # type: ignore[arg-type]
    return terms


def labels(lang: str, overrides: Mapping[str, Mapping[str, str]] | None = None) -> dict[str, str]:
    """Every label for `lang`: the theme's own words, else pandoc's translation, else English."""
    terms = pandoc_terms(lang) if lang and not lang.lower().startswith("en") else {}
    result = {key: terms.get(PANDOC_TERMS.get(key, ""), english) for key, english in ENGLISH.items()}
    for tag in reversed(_candidates(lang)) if overrides else ():
        result.update({str(k): str(v) for k, v in (overrides or {}).get(tag, {}).items()})
    return result


def label(lang: str, key: str) -> str:
    """One label, e.g. `label("de", "contents")` → "Inhaltsverzeichnis"."""
    return labels(lang).get(key, key)
