"""Break opportunities in very long unbroken runs of text, so WeasyPrint lays them out in linear time.

WeasyPrint fits a line by laying out a slice of the text that follows, and keeps the slice only
when a break opportunity shows up in it; in a run with none (a hash, a base64 blob, a long URL,
cmark's "backticks" case) it lays out, hyphenates and scans everything left, for every line:
quadratic (16,000 characters of `e``e```…` took 6 s, 80,000 took six minutes). Such runs get a
zero-width space every few characters: an invisible break opportunity that draws no glyph, so
the text of the PDF (copy, search, pdftotext) is unchanged. Only scripts that separate words with
spaces are touched; Chinese, Japanese, Thai or Arabic runs are left to their own line breaking.
"""

from __future__ import annotations

import re

# A run shorter than this costs little whatever it holds (about six lines of body text), and long
# URLs and identifiers, which are shorter, keep WeasyPrint's own line breaking.
MIN_RUN = 500
# Characters between two inserted break opportunities: a line ends at most this far from its edge.
EVERY = 8
ZWSP = "\u200b"

# Tags (attribute values may hold `>` in quotes), comments, and the text between them.
_TOKEN = re.compile(r"<!--.*?-->|<(?:[^>\"']|\"[^\"]*\"|'[^']*')*>|[^<]+|<", re.DOTALL)
_RAW_OPEN = re.compile(r"<(style|script|math|svg|textarea|title)\b", re.IGNORECASE)
# Latin, Greek and Cyrillic letters, digits, ASCII and general punctuation: scripts whose words are
# separated by spaces. Entities (`&amp;`) are written with these characters and stay whole.
_RUN = re.compile("[!-;=-~\u00a1-\u024f\u0370-\u052f\u2010-\u2027\u2030-\u205e]{" + str(MIN_RUN) + ",}")
_UNIT = re.compile(r"&#?[A-Za-z0-9]{1,32};|.", re.DOTALL)


def _broken(run: re.Match[str]) -> str:
    units = _UNIT.findall(run.group(0))
    return ZWSP.join("".join(units[i:i + EVERY]) for i in range(0, len(units), EVERY))


def breakable(html: str) -> str:
    """`html` with a zero-width space every few characters of each long unbroken run in its text."""
    if not _RUN.search(html):
        return html
    out: list[str] = []
    raw_until: str | None = None  # inside <style>, <math> …: text that is not prose
    for token in _TOKEN.finditer(html):
        part = token.group(0)
        if part.startswith("<") and len(part) > 1:
            if raw_until is None:
                opened = _RAW_OPEN.match(part)
                if opened and not part.endswith("/>"):
                    raw_until = f"</{opened.group(1).lower()}"
            elif part.lower().startswith(raw_until):
                raw_until = None
            out.append(part)
        elif raw_until is None:
            out.append(_RUN.sub(_broken, part))
        else:
            out.append(part)
    return "".join(out)
