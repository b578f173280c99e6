"""Typography rules: one quote style throughout, en dashes in number ranges."""

from __future__ import annotations

import re

from pipeline.normalize.engine import RuleContext, TextRef
from pipeline.normalize.registry import rule
from pipeline.normalize.rules.links import url_spans
from pipeline.normalize.rules.typos import edit, prose

_OPENERS = set(" \t\n([{“‘—–-/")
_CURLY_TO_STRAIGHT = {"“": '"', "”": '"', "‘": "'", "’": "'"}
# The next single quote that can close a quotation (after a non-space, before no letter or digit)
# or open one (after a space or an opening character).
_NEXT_SINGLE = re.compile(r"(?<=\S)'(?!\w)|(?:^|(?<=[\s(\[{“‘—–/-]))'")


def _closed_later(text: str, i: int) -> bool:
    """True when the next quote-like `'` after position `i` closes a quotation opened at `i`."""
    m = _NEXT_SINGLE.search(text, i + 1)
    return m is not None and m.start() > 0 and not text[m.start() - 1].isspace() and text[m.start() - 1] not in _OPENERS


def _curl(ref: TextRef, text: str, i: int, next_char: str, is_open: bool = False) -> str | None:
    """The curly form of the straight quote at `text[i]`, or None when it is not clearly a quote.

    `is_open`: a quote of the same kind was opened earlier in the paragraph and not closed yet. Then
    a quote after a character (not a space) that no letter or digit follows closes it, whatever that
    character is: `"HTTP/2"`, `("C17")`, `"-"`, `'#16'`, where a digit or an opening character
    before the quote alone would have kept it straight or made it a second opening quote.
    """
    q = text[i]
    prev = text[i - 1] if i > 0 else (ref.previous_char() or " ")
    nxt = text[i + 1] if i + 1 < len(text) else next_char
    opening_context = prev in _OPENERS or prev == " "
    closes = is_open and not prev.isspace() and not nxt.isalnum()
    if q == "'":
        if closes:
            return "’"
        if prev.isdigit() and (nxt.isdigit() or nxt in ' "'):
            return None  # feet and minutes (6'2"), not quotes
        if prev.isalnum() and nxt.isalnum():
            return "’"  # it's, don't, O'Neil
        if opening_context and re.match(r"\d\ds\b", text[i + 1 : i + 4]):
            return "’"  # the '90s
        if opening_context and re.match(r"\d\d(?![\w'’])", text[i + 1 :]) and not _closed_later(text, i):
            return "’"  # Security '23 (a year), unless a closing quote follows ('42')
        if opening_context and nxt not in " \t\n":
            return "‘"
        if not opening_context:
            return "’"
        return None
    if closes:
        return "”"
    if prev.isdigit() and not nxt.isalpha():
        return None  # inches (12")
    if opening_context and nxt not in " \t\n":
        return "“"
    if not opening_context:
        return "”"
    return None


def _track(state: dict[str, bool], text: str, i: int, quote: str) -> None:
    """Update which quotes are open after the (curly) quote at `text[i]`."""
    if quote == "“":
        state['"'] = True
    elif quote == "”":
        state['"'] = False
    elif quote == "‘":
        state["'"] = True
    elif quote == "’":
        inside_word = 0 < i < len(text) - 1 and text[i - 1].isalnum() and text[i + 1].isalnum()
        if not inside_word:
            state["'"] = False


def _next_char(ref: TextRef) -> str:
    children = ref.inline.children or []
    for k in range(ref.index + 1, len(children)):  # no slice: see TextRef.previous_char
        child = children[k]
        if child.type in ("softbreak", "hardbreak"):
            return " "
        if child.content:
            return child.content[0]
        if child.type == "code_inline":
            return "x"
    return " "


_WORDISH = re.compile(r"\S+")
# `key="value"`: pandoc attributes (`![](a.png){alt="..."}`, `[text]{key="..."}`), which the writers'
# commonmark_x reader parses but markdown-it leaves as text, and the same syntax in shortcodes. Curly
# quotes there break the attribute: pandoc then prints `{alt=”…”}` as text and drops the alt text.
_ATTRIBUTE = re.compile(r"(?<![\w-])[A-Za-z_:][\w:.-]*=(?:\"[^\"\n]*\"|'[^'\n]*')")


@rule("TYPG001")
def quotes(ctx: RuleContext) -> None:
    """Quotes and apostrophes follow one style (curly by default, or straight); no mixing."""
    style = ctx.settings.quote_style
    if style == "keep":
        return
    open_quotes: dict[int, dict[str, bool]] = {}
    for ref in prose(ctx):
        text = ref.token.content
        if style == "straight":
            if any(c in text for c in _CURLY_TO_STRAIGHT):
                pattern = re.compile(r"\S*[“”‘’]\S*")
                edit(
                    ctx,
                    ref,
                    pattern,
                    lambda m, t: (
                        "".join(_CURLY_TO_STRAIGHT.get(c, c) for c in m.group(0)),
                        "straight quotes",
                        False,
                    ),
                )
            continue
        if "'" not in text and '"' not in text:
            continue
        spans = url_spans(text) + [m.span() for m in _ATTRIBUTE.finditer(text)] + ref.shielded
        nxt = _next_char(ref)
        chars = list(text)
        # Quotes open across the text tokens of one paragraph (`"**bold**"`), never beyond it.
        state = open_quotes.setdefault(id(ref.inline), {'"': False, "'": False})
        for i, c in enumerate(text):
            if c in "'\"" and not any(s <= i < e for s, e in spans):
                curled = _curl(ref, text, i, nxt, state[c])
                if curled:
                    chars[i] = curled
                    _track(state, text, i, curled)
            elif c in "“”‘’":
                _track(state, text, i, c)
        if chars == list(text):
            continue
        new_text = "".join(chars)
        # One record per word that changed, so the report reads like a list of edits.
        pieces: list[str] = []
        pos = 0
        for m in _WORDISH.finditer(text):
            old, new = m.group(0), new_text[m.start() : m.end()]
            if old == new:
                continue
            line0, col0 = ctx.locate_next(ref.inline, old, "quotes")
            if ctx.propose(line0, col0, old, new, "curly quotes"):
                pieces += [text[pos : m.start()], new]
                pos = m.end()
        if pieces:
            ref.token.content = "".join(pieces) + text[pos:]


_STANDARD = re.compile(r"\b[A-Z]{2,}[\s:/-]*$")
_RANGE = re.compile(r"(?<![\w.,/:#+-])(\d{1,4})-(\d{1,4})(?![\w/:+-]|[.,]\d)")


@rule("TYPG002")
def number_ranges(ctx: RuleContext) -> None:
    """Number ranges take an en dash (`2-4 hours` → `2–4 hours`); dates and versions are left alone."""

    def decide(m: re.Match[str], text: str) -> tuple[str, str, bool] | None:
        a, b = m.group(1), m.group(2)
        if int(a) >= int(b) or (len(a) == 4 and len(b) == 2) or a.startswith("0") or b.startswith("0"):
            return None  # not a range (3-2), or a year-month (2021-11), or a code (01-02)
        # A standard's number and year: IEEE 754-2019, ISO 8601-1. Only the text just before the
        # match can hold the name; searching from the start of the text made every range in a long
        # paragraph rescan it (quadratic). `\b` still sees the character before the window.
        if _STANDARD.search(text, max(0, m.start() - 64), m.start()):
            return None

        return f"{a}–{b}", "en dash in a number range", False

    for ref in prose(ctx):
        if "-" in ref.token.content:
            edit(ctx, ref, _RANGE, decide, urls_only=True)
