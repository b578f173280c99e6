"""Typo and wording rules: spacing, doubled words, vocabulary terms, known misspellings, unknown words.

Precision over recall. A wrong "correction" of a name or a product is worse than a missed typo, so:
- only the `text` of prose is read (never code, HTML, URLs, e-mails, paths, identifiers, front matter);
- vocabulary words are never corrected;
- a capitalized word in mid-sentence is taken for a name: at most a suggestion;
- an unknown word is only corrected with strong evidence (one close, frequent candidate that the
  neighbouring words confirm through the bigram dictionary) and never when it occurs elsewhere in the
  document or splits into two known words (`homeserver`, `meetpad`).
"""

from __future__ import annotations

import bisect
import re
from collections import Counter
from collections.abc import Callable

from pipeline.normalize import lexicon
from pipeline.normalize.engine import RuleContext, TextRef, common_ends
from pipeline.normalize.registry import rule
from pipeline.normalize.rules.links import merge_spans, protected_spans, url_spans

# A word of prose: letters with inner apostrophes, not glued to paths, domains, identifiers or hyphens.
WORD = re.compile(r"(?<![\w'’@#/\\.-])([A-Za-z]+(?:['’][A-Za-z]+)*)(?![\w@/\\-]|['’]\w|\.\w)")

# (replacement, message, suggest[, never apply]) or None to leave it
Decision = tuple[str, str, bool] | tuple[str, str, bool, bool] | None


def edit(
    ctx: RuleContext,
    ref: TextRef,
    pattern: re.Pattern[str],
    decide: Callable[[re.Match[str], str], Decision],
    *,
    never_apply_when: Callable[[str], bool] | None = None,
    urls_only: bool = False,
) -> None:
    """Apply `decide` to every match of `pattern` in a text token, skipping protected spans.

    Word rules skip URLs, paths and identifiers; `urls_only` (for typography) skips URLs and e-mails.
    Both skip shortcodes, template tags and JSX expressions.
    """
    text = ref.token.content
    spans = url_spans(text) if urls_only else protected_spans(ctx, text)
    if ref.shielded:
        spans = merge_spans(spans + ref.shielded)
    starts = [s for s, _ in spans]
    pieces: list[str] = []
    pos = 0
    for m in pattern.finditer(text):
        if spans and _overlaps(spans, starts, m.start(), m.end()):
            continue
        decision = decide(m, text)
        if decision is None:
            continue
        new, message, suggest, *never_flag = decision
        old = m.group(0)
        line0, col0 = ctx.locate_next(ref.inline, old, pattern)
        never = bool(never_flag and never_flag[0]) or (never_apply_when(new) if never_apply_when else False)
        if ctx.propose(line0, col0, old, new, message, suggest=suggest, never_apply=never):
            pieces += [text[pos : m.start()], new]
            pos = m.end()
    if pieces:
        ref.token.content = "".join(pieces) + text[pos:]


def _overlaps(spans: list[tuple[int, int]], starts: list[int], start: int, end: int) -> bool:
    # Spans are merged and sorted: only the last span starting before `end` can overlap.
    k = bisect.bisect_left(starts, end) - 1
    return k >= 0 and spans[k][1] > start


def glued(ref: TextRef, text: str, m: re.Match[str]) -> bool:
    """True when the match is part of a word split by markup (`**K**ubernetes`, `` `x`ing ``)."""
    if m.start() == 0 and ref.previous_char()[-1:].isalnum():
        return True
    return m.end() == len(text) and next_char(ref)[:1].isalnum()


def next_char(ref: TextRef) -> str:
    """The character just after this token in its inline, or ' ' at the end of the block."""
    children = ref.inline.children or []
    for k in range(ref.index + 1, len(children)):  # no slice: see TextRef.previous_char
        child = children[k]
        if child.type in ("softbreak", "hardbreak"):
            return " "
        if child.content:
            return child.content[0]
        if child.type in ("code_inline", "image"):
            return "x"
    return " "


def sentence_start(ref: TextRef, text: str, pos: int) -> bool:
    """True when position `pos` of the token opens a sentence (or a block, or a list entry)."""
    before = text[:pos].rstrip(" \t\"'“‘([*_")
    if before:
        return before[-1] in ".!?:"
    prev = ref.previous_char()
    return prev == "" or prev in ".!?:"


def match_case(model: str, word: str) -> str:
    if model.isupper() and len(model) > 1:
        return word.upper()
    if model[:1].isupper():
        return word[:1].upper() + word[1:]
    return word


def prose(ctx: RuleContext) -> list[TextRef]:
    return [r for r in ctx.texts() if not r.url_text]


# -- TYPO001 ---------------------------------------------------------------------------------------

_SPACE_BEFORE_PUNCT = re.compile(r"(?<=[\w)\]”’\"'])( +)([,;:!?]|\.(?!\.))(?=\s|$)")
# The same at the start of a text token, after a link, a code span or emphasis (`[x](u) , see`): the
# character before is in another token, so the lookbehind above cannot see it.
_LEADING_SPACE_BEFORE_PUNCT = re.compile(r"^( +)([,;:!?]|\.(?!\.))(?=\s|$)")
_WORD_END = re.compile(r"[\w)\]”’\"']")
_SPACE_RUN = re.compile(r"(?<=\S)( {2,})(?=\S)")


@rule("TYPO001")
def spacing(ctx: RuleContext) -> None:
    """Spaces before punctuation and runs of spaces are removed (`Renski , Role` → `Renski, Role`)."""
    english = ctx.english()  # French puts a space before : ; ! ? on purpose

    def drop_space(m: re.Match[str], t: str) -> Decision:
        return m.group(2), "space before punctuation removed", False

    for ref in prose(ctx):
        if english:
            edit(ctx, ref, _SPACE_BEFORE_PUNCT, drop_space, urls_only=True)
            if ref.token.content.startswith(" ") and _after_markup(ref):
                edit(ctx, ref, _LEADING_SPACE_BEFORE_PUNCT, drop_space, urls_only=True)
        edit(ctx, ref, _SPACE_RUN, lambda m, t: (" ", "run of spaces reduced to one", False), urls_only=True)


def _after_markup(ref: TextRef) -> bool:
    """True when the token follows a link, code span or emphasis that ends a word, not an operator.

    `` `a` ? `b` : `c` `` is an expression written with code spans: its spaced `?` and `:` are meant.
    """
    children = ref.inline.children or []
    if ref.index == 0 or children[ref.index - 1].type in ("softbreak", "hardbreak", "html_inline", "text"):
        return False
    if not _WORD_END.fullmatch(ref.previous_char()):
        return False
    between_code = (
        children[ref.index - 1].type == "code_inline"
        and ref.index + 1 < len(children)
        and children[ref.index + 1].type == "code_inline"
    )
    return not (between_code and len(ref.token.content.strip()) == 1)


# -- TYPO003 ---------------------------------------------------------------------------------------


@rule("TYPO003")
def vocabulary_terms(ctx: RuleContext) -> None:
    """Terms from the project and theme vocabulary get their preferred spelling (`Github` → `GitHub`)."""
    vocab = ctx.vocabulary
    pattern = vocab.pattern()
    if pattern is None:
        return

    def decide(m: re.Match[str], text: str) -> Decision:
        found = m.group(0)
        preferred = vocab.terms.get(" ".join(found.split()).lower())
        if preferred is None or " ".join(found.split()) == preferred or glued(holder[0], text, m):
            return None
        if found.isupper() and not preferred.isupper() and _shouting(text):
            return None  # legal notices and banners in capitals keep their capitals
        # All lower case is how package and command names are written (`openstacksdk`, `nodepool`),
        # and may be a plain word ("line" for LINE): only suggest. All capitals is deliberate as often
        # as not: a registered word mark (a trademark policy's "OPENSTACK"), or another product that
        # shares the letters (Cisco IOS is not iOS): only suggest. Mixed case (`Github`) is a slip.
        suggest = (found.islower() and not preferred.islower()) or (found.isupper() and not preferred.isupper())
        return preferred, f"preferred spelling {preferred!r}", suggest

    holder: list[TextRef] = []
    for ref in prose(ctx):
        holder[:] = [ref]
        edit(ctx, ref, pattern, decide)


def _shouting(text: str) -> bool:
    letters = [c for c in text if c.isalpha()]
    return len(letters) >= 12 and sum(c.isupper() for c in letters) > 0.6 * len(letters)


_NEXT_CAPITAL = re.compile(r"\s+[A-Z]")

# -- TYPO004 ---------------------------------------------------------------------------------------


@rule("TYPO004")
def known_misspellings(ctx: RuleContext) -> None:
    """Known misspellings from codespell's dictionary are corrected when the correction is unambiguous."""
    if not ctx.english():
        return
    table = lexicon.codespell()
    vocab = ctx.vocabulary

    def decide(m: re.Match[str], text: str) -> Decision:
        word = m.group(1)
        entry = table.get(word.lower().replace("’", "'"))
        if entry is None or vocab.protects(word) or (word.isupper() and len(word) > 1):
            return None
        fixes = [match_case(word, c) for c in entry.corrections]
        if not fixes:
            return None
        if glued(ctx_ref[0], text, m):
            return None
        # Mid-sentence capitals are names; so is a capital followed by another ("Brin Zhang").
        name_like = word[0].isupper() and (
            not sentence_start(ctx_ref[0], text, m.start()) or bool(_NEXT_CAPITAL.match(text, m.end()))
        )
        if len(fixes) > 1 or not entry.fixable:
            why = entry.reason or "several candidates"
            return " / ".join(fixes), f"possible misspelling of {word!r} ({why})", True
        if entry.rare:
            return fixes[0], f"rare word {word!r}, often a misspelling of {fixes[0]!r}", True
        if name_like:
            return fixes[0], f"possible misspelling {word!r} (capitalized: may be a name)", True
        return fixes[0], f"misspelling {word!r}", False

    ctx_ref: list[TextRef] = []
    for ref in prose(ctx):
        ctx_ref[:] = [ref]
        edit(ctx, ref, WORD, decide, never_apply_when=lambda new: " / " in new)


# -- TYPO005 ---------------------------------------------------------------------------------------

_MIN_LENGTH = 4
# Longer than any English word: not a typo of one, and the compound and edit-distance checks are
# quadratic in the length (a 100,000-letter "word" took minutes).
_MAX_LENGTH = 45
_FREQUENT = 100_000  # corpus count of a candidate we trust as a real, common word


# Two edits away, most "close" words are another form of a real word (`onboarding` → `boarding`,
# `digitalization` → `digitization`) or a name; only long words get a second-tier suggestion.
_FAR_MIN_LENGTH = 6


@rule("TYPO005")
def unknown_words(ctx: RuleContext) -> None:
    """Unknown words close to exactly one frequent word: corrected when the context confirms one edit."""
    if not ctx.english():
        return
    speller = lexicon.speller()
    table = lexicon.codespell()
    vocab = ctx.vocabulary
    # A doubled word ("whoe whoe") counts once, or the doubled-word rule would change the verdict
    # on the next run.
    counts: Counter[str] = ctx.memo(
        "word-counts",
        lambda: Counter(w.lower() for w in WORD.findall(_DOUBLED.sub(r"\1", ctx.doc.body))),
    )

    variants = lexicon.spelling_variants()

    def decide(m: re.Match[str], text: str) -> Decision:
        word = m.group(1)
        lw = word.lower()
        if (
            not word.islower()
            or not _MIN_LENGTH <= len(word) <= _MAX_LENGTH
            or "'" in word
            or "’" in word
            or speller.known(lw)
            or lw in table
            or vocab.protects(word)
            or counts[lw] > 1
            or _compound(speller, lw)
        ):
            return None
        near = speller.candidates(lw, 1)
        candidates = [
            c
            for c in near
            if c[1] == 1 and not _inflection(lw, c[0]) and variants.get(c[0]) != lw and not _variant(lw, c[0])
        ]
        if not candidates and near:
            return None
        if glued(ref_holder[0], text, m):
            return None
        prev_word, next_word = _neighbours(text, m.start(), m.end())
        if not candidates:
            far = _far_candidate(speller, variants, lw, prev_word, next_word)
            if far is None:
                return None
            # Two edits is weak evidence, whatever the context: reported, never applied.
            return far, f"unknown word {word!r}, two edits from {far!r}", True, True
        confirmed = [
            c
            for c in candidates
            if c[2] >= _FREQUENT and _typo_shaped(lw, c[0]) and _in_context(speller, prev_word, c[0], next_word)
        ]
        if len(confirmed) == 1:
            return confirmed[0][0], f"unknown word {word!r}; {confirmed[0][0]!r} fits the context", False
        if len(candidates) > 2:
            return None  # too many look-alikes to suggest anything useful
        names = [c[0] for c in sorted(candidates, key=lambda c: -c[2])]
        return " / ".join(names), f"unknown word {word!r}", True

    ref_holder: list[TextRef] = []
    for ref in prose(ctx):
        ref_holder[:] = [ref]
        edit(ctx, ref, WORD, decide, never_apply_when=lambda new: " / " in new)


def _far_candidate(
    speller: lexicon.Speller, variants: dict[str, str], word: str, prev_word: str, next_word: str
) -> str | None:
    """The one frequent word two edits from `word`, when the edits look like two slips and the context fits."""
    if len(word) < _FAR_MIN_LENGTH:
        return None
    frequent = [c[0] for c in speller.candidates(word, 2) if c[1] == 2 and c[2] >= _FREQUENT]
    if len(frequent) != 1:
        return None
    candidate = frequent[0]
    if (
        _inflection(word, candidate)
        or variants.get(candidate) == word
        or _variant(word, candidate)
        or not _two_slips(word, candidate)
    ):
        return None
    return candidate if _in_context(speller, prev_word, candidate, next_word) else None


def _two_slips(word: str, candidate: str) -> bool:
    """Two typing slips keep the word's first and last letters and do not add or drop a whole syllable.

    A different start or end is another prefix or suffix (`unmounts`/`amounts`,
    `miscalculating`/`miscalculation`); two adjacent letters more or less in one place are a
    morpheme (`digitalization`/`digitization`), not two slips.
    """
    if word[0] != candidate[0] or word[-1] != candidate[-1]:
        return False
    start, end = common_ends(word, candidate)
    middle = (word[start : len(word) - end], candidate[start : len(candidate) - end])
    return not (min(len(x) for x in middle) == 0 and max(len(x) for x in middle) >= 2)


def _inflection(word: str, candidate: str) -> bool:
    # `collaboratory` vs `collaborator`: another form of a long word, not a typo (but `whoe` → `who` is).
    return (word.startswith(candidate) or candidate.startswith(word)) and min(len(word), len(candidate)) >= 6


_VARIANT_PAIRS = (("our", "or"), ("re", "er"), ("ise", "ize"), ("yse", "yze"), ("ll", "l"), ("ogue", "og"))


def _variant(word: str, candidate: str) -> bool:
    """British/American pairs the variant dictionary misses (`rumors`/`rumours`): not typos."""
    for a, b in _VARIANT_PAIRS:
        for x, y in ((word, candidate), (candidate, word)):
            if a in x and any(x[:i] + b + x[i + len(a) :] == y for i in _find_all(x, a)):
                return True
    return False


def _find_all(text: str, sub: str) -> list[int]:
    return [i for i in range(len(text)) if text.startswith(sub, i)]


_QWERTY = ("qwertyuiop", "asdfghjkl", "zxcvbnm")
_KEY_POS = {ch: (r, c) for r, row in enumerate(_QWERTY) for c, ch in enumerate(row)}


def _adjacent_keys(a: str, b: str) -> bool:
    if a not in _KEY_POS or b not in _KEY_POS:
        return False
    (r1, c1), (r2, c2) = _KEY_POS[a], _KEY_POS[b]
    return abs(r1 - r2) <= 1 and abs(c1 - c2) <= 1


def _typo_shaped(word: str, candidate: str) -> bool:
    """One edit a typist makes: a missing or extra letter, two letters swapped, or a neighbouring key.

    `semver` → `server` is one substitution too, but m and r are far apart: not a slip of the finger.
    """
    if abs(len(word) - len(candidate)) == 1:
        return True
    if len(word) != len(candidate):
        return False
    diff = [i for i, (x, y) in enumerate(zip(word, candidate, strict=True)) if x != y]
    if len(diff) == 2 and diff[1] == diff[0] + 1:
        i = diff[0]
        return word[i] == candidate[i + 1] and word[i + 1] == candidate[i]
    return len(diff) == 1 and _adjacent_keys(word[diff[0]], candidate[diff[0]])


def _compound(speller: lexicon.Speller, word: str) -> bool:
    for k in range(3, len(word) - 2):
        if speller.count(word[:k]) >= _FREQUENT and speller.count(word[k:]) >= _FREQUENT:
            return True
    return False


_NEIGHBOUR = re.compile(r"[A-Za-z]+")


def _neighbours(text: str, start: int, end: int) -> tuple[str, str]:
    before = _NEIGHBOUR.findall(text[max(0, start - 40) : start])
    after = _NEIGHBOUR.findall(text[end : end + 40])
    # Only words in the same clause count as context.
    gap_before = text[max(0, start - 3) : start]
    gap_after = text[end : end + 3]
    prev_word = before[-1] if before and not re.search(r"[.,;:!?()]", gap_before) else ""
    next_word = after[0] if after and not re.search(r"[.,;:!?()]", gap_after) else ""
    return prev_word, next_word


def _in_context(speller: lexicon.Speller, prev_word: str, candidate: str, next_word: str) -> bool:
    return bool(prev_word and speller.bigram(prev_word, candidate)) or bool(
        next_word and speller.bigram(candidate, next_word)
    )


# -- TYPO002: after the spelling rules, so `the teh` → `the the` → `the` in one run ---

_DOUBLED = re.compile(r"(?<![\w'’-])([A-Za-z]+)((?:\s+\1)+)(?![\w'’-])", re.IGNORECASE)
# Doubles that English uses on purpose ("what it is is", "had had", "that that").
_LEGIT_DOUBLES = frozenset(
    [
        "had",
        "that",
        "is",
        "do",
        "bye",
        "no",
        "so",
        "very",
        "blah",
        "ha",
        "la",
        "yada",
        "tsk",
        "knock",
        "chop",
        "wait",
        "there",
        "really",
        "far",
        "long",
        "more",
        "again",
        "over",
        "many",
        "bla",
        "win",
        "go",
        "well",
        "now",
    ]
)


@rule("TYPO002")
def doubled_words(ctx: RuleContext) -> None:
    """Doubled words are reduced to one ("with with" → "with"), keeping legitimate ones ("had had")."""

    def decide(m: re.Match[str], text: str) -> Decision:
        first = m.group(1)
        repeats = m.group(2).split()
        second = repeats[0]
        if any(r != second for r in repeats):
            return None
        if first.lower() in _LEGIT_DOUBLES or (first.isupper() and len(first) > 1):
            return None
        if first != second and not (first[0].isupper() and first[1:] == second[1:]):
            return None  # "Walla Walla"-style names and case changes are left alone
        if first[0].isupper() and first == second:
            return None  # "Bora Bora", "Sirhan Sirhan": a name, not a typo
        return first, f"doubled word {first!r}", False

    for ref in prose(ctx):
        edit(ctx, ref, _DOUBLED, decide)
