"""The language of a text: Unicode script counts settle most cases, py3langid decides within a script.

A script written by one language (Hebrew, Greek, Thai, Hangul, kana …) names the language outright.
Han characters are Japanese when kana stand among them, else Chinese, Simplified or Traditional by
which forms of the commonest characters appear. Scripts shared by many languages (Latin, Cyrillic,
Arabic, Devanagari) go to py3langid, restricted to the languages written in that script, so a
Latin-script text is never taken for Chinese because of a stray character.
"""

from __future__ import annotations

import functools
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pipeline.i18n.tags import script_of

# Scripts one language (or one major language) is written in.
_SINGLE = {"Hebr": "he", "Grek": "el", "Thai": "th", "Hang": "ko", "Geor": "ka", "Armn": "hy", "Ethi": "am",
           "Khmr": "km", "Laoo": "lo", "Mymr": "my", "Sinh": "si", "Taml": "ta", "Telu": "te", "Knda": "kn",
           "Mlym": "ml", "Gujr": "gu", "Guru": "pa", "Beng": "bn", "Orya": "or", "Tibt": "bo", "Thaa": "dv"}
_CJK = ("Hani", "Hira", "Kana", "Hang", "Bopo")
# The commonest characters whose Simplified and Traditional forms differ, in the same order.
_SIMPLIFIED = frozenset("这们国说时会来对为发经过还没问开关现进动学长实与业东车义书"
                         "见电话么点体门头应种样给让认机员术质区务设计网络数据条报华钟")
_TRADITIONAL = frozenset("這們國說時會來對為發經過還沒問開關現進動學長實與業東車義書"
                          "見電話麼點體門頭應種樣給讓認機員術質區務設計網絡數據條報華鐘")
# What is not prose: fenced and inline code, HTML tags, link and image targets, bare URLs.
_NOT_PROSE = re.compile(r"```.*?```|~~~.*?~~~|`[^`\n]*`|<[^>\n]*>|\]\([^)\n]*\)|https?://\S+", re.DOTALL)
SAMPLE_LETTERS = 20_000
MIN_LETTERS = 20


@dataclass(frozen=True)
class Detection:
    """A detected language, the script that led to it, and why, in words for the manifest."""

    lang: str
    script: str
    reason: str

    def to_dict(self) -> dict[str, str]:
        return {"lang": self.lang, "script": self.script, "reason": self.reason}


def script_counts(text: str) -> Counter[str]:
    """Letters per Unicode script (ISO 15924 code); punctuation, digits, symbols and marks left out."""
    import unicodedata

    from fontTools.unicodedata import script

    counts: Counter[str] = Counter()
    for char, number in Counter(text).items():
        if unicodedata.category(char).startswith("L") and script(char) not in ("Zyyy", "Zinh", "Zzzz"):
            counts[script(char)] += number
    return counts


def _prose(text: str) -> str:
    return _NOT_PROSE.sub(" ", text)


def _names(counts: Counter[str]) -> str:
    from fontTools.unicodedata import script_name

    return ", ".join(f"{script_name(code)} {count:,}" for code, count in counts.most_common(4))


@functools.lru_cache(maxsize=1)
def _identifier() -> object:
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    try:
        return _mapped_identifier()
    except Exception:  # another layout of py3langid's model, or no cache folder: its own loader
        return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


_MODEL_ARRAYS = ("ptc", "pc", "classes", "nextmove", "nextmove_row", "out_feat")


def _mapped_identifier() -> object:
    """py3langid's model from an unpacked copy in the cache folder, its arrays memory-mapped.

    The shipped model is an LZMA-compressed archive: unpacking it takes 0.35 s of every process's
    first detection, and most documents have no `lang` to spare it. Unpacked once (68 MB), the
    arrays are mapped in milliseconds, and the same pages serve every process on the machine.
    """
    from array import array

    import numpy as np
    from py3langid.langid import MODEL_DIR, MODEL_FILE, LanguageIdentifier

    def plain(values: Any) -> array:  # what py3langid's own loader makes of the transition tables
        out = array({2: "H", 4: "I", 8: "L"}[values.dtype.itemsize])
        out.frombytes(memoryview(np.ascontiguousarray(values)).cast("B"))
        return out

    folder = _unpacked_model(MODEL_DIR / MODEL_FILE)
    data = {name: np.load(folder / f"{name}.npy", mmap_mode="r") for name in _MODEL_ARRAYS}
    return LanguageIdentifier(data["ptc"], data["pc"], data["classes"].tolist(), plain(data["nextmove"]),
                              data["out_feat"].tolist(), norm_probs=True, tk_row=plain(data["nextmove_row"]))


def _unpacked_model(model: Path) -> Path:
    import lzma
    import shutil
    import tempfile

    import numpy as np

    from pipeline.cache import cache_dir

    stat = model.stat()
    folder = cache_dir("langid") / f"{stat.st_size}-{stat.st_mtime_ns}"
    if (folder / "out_feat.npy").is_file():
        return folder
    staging = Path(tempfile.mkdtemp(prefix=".unpacking-", dir=folder.parent))
    try:
        with tempfile.TemporaryFile() as unpacked:
            with lzma.open(model) as packed:
                shutil.copyfileobj(packed, unpacked, length=1 << 20)
            unpacked.seek(0)
            with np.load(unpacked, allow_pickle=False) as archive:
                for name in _MODEL_ARRAYS:
                    np.save(staging / f"{name}.npy", archive[name], allow_pickle=False)
        staging.rename(folder)  # whole or not at all; a concurrent process's copy is as good
    except OSError:
        if not (folder / "out_feat.npy").is_file():
            raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return folder


@functools.lru_cache(maxsize=16)
def _languages_written_in(script: str) -> tuple[str, ...]:
    identifier = _identifier()
    return tuple(sorted({lang for lang in identifier.nb_classes if lang != "zxx" and script_of(lang) == script}))


def _classify(text: str, script: str) -> tuple[str, float] | None:
    candidates = _languages_written_in(script)
    if not candidates:
        return None
    identifier = _identifier()
    identifier.set_languages(list(candidates))
    try:
        lang, probability = identifier.classify(text)
    finally:
        identifier.set_languages(None)
    return str(lang), float(probability)


def _chinese(text: str, counts: Counter[str]) -> Detection:
    simplified = sum(1 for ch in text if ch in _SIMPLIFIED)
    traditional = sum(1 for ch in text if ch in _TRADITIONAL)
    lang = "zh-Hant" if traditional > simplified else "zh-Hans"
    return Detection(lang, "Hani", f"script counts ({_names(counts)}), no kana; {simplified} simplified and "
                                   f"{traditional} traditional forms of common characters")


def detect_language(text: str) -> Detection:
    """The language of `text` (Markdown or plain), as a BCP 47 tag with the reason it was chosen."""
    prose = _prose(text)
    counts = script_counts(prose)
    letters = sum(counts.values())
    if letters < MIN_LETTERS:
        return Detection("en", "Latn", f"only {letters} letters to go by; English assumed")
    # An ideograph or syllable carries about a word: weigh them like the letters of a short word.
    weighted = Counter({code: count * (3 if code in _CJK else 1) for code, count in counts.items()})
    dominant = weighted.most_common(1)[0][0]
    if dominant in ("Hani", "Hira", "Kana", "Bopo"):
        kana = counts["Hira"] + counts["Kana"]
        if kana >= 0.05 * (kana + counts["Hani"]):
            return Detection("ja", "Jpan", f"script counts ({_names(counts)}): kana among the Han characters")
        return _chinese(prose, counts)
    if dominant in _SINGLE:
        return Detection(_SINGLE[dominant], dominant, f"script counts ({_names(counts)}): the script of one language")
    sample = _sample(prose, dominant)
    found = _classify(sample, dominant)
    if found is None:
        return Detection("und", dominant, f"script counts ({_names(counts)}): no language model for this script")
    lang, probability = found
    return Detection(lang, dominant, f"script counts ({_names(counts)}); py3langid among the languages written "
                                     f"in this script: {lang} (p={probability:.2f})")


def _sample(prose: str, script: str) -> str:
    """Up to SAMPLE_LETTERS of the text's lines in `script`: enough for the model, at bounded cost."""
    from fontTools.unicodedata import script as script_of_char

    kept: list[str] = []
    size = 0
    for line in prose.splitlines():
        letters = [ch for ch in line if ch.isalpha()]
        if not letters:
            continue
        if sum(1 for ch in letters if script_of_char(ch) == script) * 2 < len(letters):
            continue
        kept.append(line)
        size += len(letters)
        if size >= SAMPLE_LETTERS:
            break
    return "\n".join(kept) or prose[:SAMPLE_LETTERS]
