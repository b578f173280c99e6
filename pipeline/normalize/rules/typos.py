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
from typing import TYPE_CHECKING, Literal, NamedTuple

from pipeline.normalize import lexicon, spelling
from pipeline.normalize.engine import RuleContext, TextRef, common_ends
from pipeline.normalize.registry import rule
from pipeline.normalize.rules.links import merge_spans, protected_spans, url_spans

if TYPE_CHECKING:
    from markdown_it.token import Token

# A word of prose: letters with inner apostrophes, not glued to paths, domains, identifiers or hyphens.
WORD = re.compile(r"(?<![\w'’@#/\\.-])([A-Za-z]+(?:['’][A-Za-z]+)*)(?![\w@/\\-]|['’]\w|\.\w)")


class Finding(NamedTuple):
    replacement: str
    message: str
    suggest: bool
    never_apply: bool = False
    confidence: float | None = None


# A Finding, a plain (replacement, message, suggest) tuple, or None to leave the match alone.
Decision = Finding | tuple[str, str, bool] | None


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
        new, message, suggest, never, confidence = Finding(*decision)
        old = m.group(0)
        line0, col0 = ctx.locate_next(ref.inline, old, pattern)
        never = never or (never_apply_when(new) if never_apply_when else False)
        if ctx.propose(line0, col0, old, new, message, suggest=suggest, never_apply=never, confidence=confidence):
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
    # A window, not the whole text before: a paragraph of capitalized words stays linear.
    before = text[max(0, pos - 200) : pos].rstrip(" \t\"'“‘([*_")
    if before:
        return before[-1] in ".!?:"
    if pos > 200:
        return False
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
        if not suggest:
            return preferred, f"preferred spelling {preferred!r}", False
        # Worth a line in a plain lint only when the document itself writes the term the preferred
        # way elsewhere: then this spelling is the odd one out, not a house style or a word mark.
        confidence = VOCABULARY_CONFIDENCE if found.islower() and preferred in ctx.doc.body else 0.4
        return Finding(preferred, f"preferred spelling {preferred!r}", True, False, confidence)

    holder: list[TextRef] = []
    for ref in prose(ctx):
        holder[:] = [ref]
        edit(ctx, ref, pattern, decide)


VOCABULARY_CONFIDENCE = 0.6


def _shouting(text: str) -> bool:
    letters = [c for c in text if c.isalpha()]
    return len(letters) >= 12 and sum(c.isupper() for c in letters) > 0.6 * len(letters)


_NEXT_CAPITAL = re.compile(r"\s+[A-Z](?!['’\s])")  # the next word is capitalized ("I" is no name)

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
        if spelling.foreign_phrase(text, m.start(), m.end()):
            return None  # Portuguese "anual" in a quoted title is no misspelling of "annual"
        # Mid-sentence capitals are names; so is a capital followed by another ("Brin Zhang").
        name_like = word[0].isupper() and (
            not sentence_start(ctx_ref[0], text, m.start()) or bool(_NEXT_CAPITAL.match(text, m.end()))
        )
        # A rare word (`therefor` in a contract) or a name (`Brin Zhang`) is as often meant as not: listed
        # on request only. A known misspelling with several corrections is surely a slip: shown.
        if entry.rare:
            return Finding(" / ".join(fixes), f"rare word {word!r}, often a misspelling of {fixes[0]!r}", True,
                           False, 0.4)
        if len(fixes) > 1 or not entry.fixable:
            why = entry.reason or "several candidates"
            return Finding(" / ".join(fixes), f"possible misspelling of {word!r} ({why})", True, False, 0.7)
        if name_like:
            return Finding(fixes[0], f"possible misspelling {word!r} (capitalized: may be a name)", True, False, 0.4)
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


FAR_CONFIDENCE = 0.5
# Two edits away, most "close" words are another form of a real word (`onboarding` → `boarding`,
# `digitalization` → `digitization`) or a name; only long words get a second-tier suggestion.
_FAR_MIN_LENGTH = 6


@rule("TYPO005")
def unknown_words(ctx: RuleContext) -> None:
    """Unknown words one slip from a word: corrected when no source knows them and the context confirms it."""
    if not ctx.english():
        return
    speller = lexicon.speller()
    table = lexicon.codespell()
    vocab = ctx.vocabulary
    variants = lexicon.spelling_variants()
    words = spelling.document_words(ctx)

    def decide(m: re.Match[str], text: str) -> Decision:
        word = m.group(1)
        lw = word.lower()
        ref = ref_holder[0]
        if (
            not _MIN_LENGTH <= len(word) <= _MAX_LENGTH
            or "'" in word
            or "’" in word
            or speller.known(lw)
            or lw in table
            or vocab.protects(word)
            or _handle(text, m)
        ):
            return None
        # Mid-sentence capitals are names; a capitalized word opening a sentence may be a slip.
        start = not word.islower() and sentence_start(ref, text, m.start())
        if not word.islower() and not (start and word[1:].islower()):
            return None
        if words.uses(lw) or _compound(speller, lw):
            return None
        # A capitalized word before another ("Harshal Patil") is a name, unless it is a slip of a
        # very common word ("Eachh Gold Director"): that is quick to rule out first.
        name_like = start and bool(_NEXT_CAPITAL.match(text, m.end()))
        if name_like and not [c for c in spelling.very_common_speller().candidates(lw, 1) if c[1] == 1]:
            return None
        near = spelling.one_edit(lw)
        # Another form of a long word (`collaboratory`) is no slip: the edit model weighs that. A
        # British spelling (`rumours`) is common in wordfreq: the verdict weighs that.
        kept = [c for c in near if c[1] == 1 and variants.get(c[0]) != lw]
        if (not kept and near) or glued(ref, text, m) or spelling.foreign_phrase(text, m.start(), m.end()):
            return None
        prev_word, next_word = _neighbours(text, m.start(), m.end())
        if not kept:
            # Two edits is weak evidence, whatever the context: reported, never applied, and not
            # even reported for a word that wordfreq or the software names know.
            if spelling.zipf(lw) or lw in lexicon.software_names():
                return None
            far = _far_candidate(speller, variants, lw, prev_word, next_word)
            if far is None:
                return None
            return Finding(match_case(word, far), f"unknown word {word!r}, two edits from {far!r}", True, True,
                           FAR_CONFIDENCE)
        ranked = spelling.candidates(lw, kept, prev_word, next_word)
        if name_like and ranked and ranked[0].count < spelling.VERY_COMMON:
            return None
        verdict = spelling.judge(lw, ranked, sentence_start=start)
        if verdict is None:
            return None
        replacement = " / ".join(match_case(word, w) for w in verdict.replacement.split(" / "))
        if verdict.apply:
            return Finding(replacement, f"unknown word {word!r}; {verdict.reason}", False, False, verdict.confidence)
        return Finding(replacement, f"unknown word {word!r} ({verdict.reason})", True, False, verdict.confidence)

    ref_holder: list[TextRef] = []
    for ref in prose(ctx):
        ref_holder[:] = [ref]
        edit(ctx, ref, WORD, decide, never_apply_when=lambda new: " / " in new)


def _handle(text: str, m: re.Match[str]) -> bool:
    """A user name as meeting notes write it (`[jdoe]`), or a function named in prose (`fsync()`)."""
    before = text[m.start() - 1 : m.start()]
    after = text[m.end() : m.end() + 1]
    return (before == "[" and after == "]") or after == "("


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


# Both halves of a compound (`homeserver`, `meetpad`) are common words; a typo splits by chance
# into rarer pieces (`reterred`: `ret` + `erred`; `outswide`: `outs` + `wide`).
_COMPOUND_PART = 10_000_000


def _compound(speller: lexicon.Speller, word: str) -> bool:
    for k in range(3, len(word) - 2):
        if max(k, len(word) - k) < 4:
            continue  # two three-letter words (`thesee`: `the` + `see`) make a slip more often than a name
        if speller.count(word[:k]) >= _COMPOUND_PART and speller.count(word[k:]) >= _COMPOUND_PART:
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

_DOUBLED = spelling.DOUBLED
# Doubles that English uses on purpose ("had had", "very very", "knock knock", C's "long long").
_LEGIT_DOUBLES = frozenset(
    [
        "had", "do", "bye", "blah", "bla", "ha", "la", "yada", "tsk", "knock", "chop", "wait", "really", "very",
        "far", "long", "many", "win", "go"
    ]
)
# Closed-class words: never a name, so "The The" and "As As" are slips wherever they stand.
_FUNCTION_WORDS = frozenset(
    [
        "a", "an", "the", "to", "of", "in", "on", "at", "by", "for", "from", "with", "as", "into", "onto", "upon",
        "about", "over", "under", "and", "or", "but", "nor", "if", "then", "than", "is", "are", "was", "were",
        "be", "been", "am", "it", "its", "this", "these", "those", "we", "you", "they", "he", "she", "i", "me",
        "us", "them", "our", "your", "their", "his", "her", "my", "not", "can", "could", "will", "would", "shall",
        "should", "may", "might", "must", "has", "have"
    ]
)
# "that that" is grammatical wherever the second "that" can start a noun phrase or a clause ("he said
# that that is wrong", "gave their lives that that nation might live", "ensure that that value is
# set"): only before an article, a pronoun, a preposition or a conjunction is it surely a slip ("note
# that that it works", "so that that the"). Elsewhere after a noun it is most likely a relative
# pronoun typed twice ("responses that that have"): suggested, not applied.
_VERB_BEFORE_THAT = frozenset(
    [
        "say", "says", "said", "think", "thinks", "thought", "know", "knows", "knew", "believe", "believes",
        "believed", "ensure", "ensures", "ensured", "mean", "means", "meant", "note", "notes", "noted", "show",
        "shows", "showed", "shown", "suggest", "suggests", "suggested", "claim", "claims", "claimed", "argue",
        "argues", "argued", "realize", "realized", "find", "finds", "found", "assume", "assumed", "hope", "hoped",
        "agree", "agreed", "feel", "felt", "so", "such", "fact", "is", "was", "are", "were", "now", "given",
        "except", "than", "in", "ask", "asked", "request", "requested", "require", "requires", "required",
    ]
)
_NOT_AFTER_THAT = frozenset(
    [
        "the", "a", "an", "to", "of", "in", "on", "at", "by", "for", "from", "with", "as", "and", "or", "but",
        "it", "it's", "its", "we", "we've", "we're", "they", "they're", "you", "he", "she", "i", "there",
        "this", "these", "those", "our", "their", "your", "my",
    ]
)
# "is is" is grammatical after a clause that is itself a subject: "what it is is", "what the plan
# needs is is", "who they are is", "all it is is"; after a noun it is a slip ("all of them is is").
_SUBJECT_CLAUSE = re.compile(
    r"\b(?:(?:what|whatever|who|whoever)(?:\s+[\w'’]+){1,3}|all\s+(?:it|this|that|he|she|we|they|you|i))\s*$",
    re.IGNORECASE,
)
_PREVIOUS_WORD = re.compile(r"([A-Za-z]+)[^\w.;:!?]*$")
_FIRST_WORD = re.compile(r"([A-Za-z]+)(?![\w'’-])")
_LAST_WORD = re.compile(r"(?<![\w'’@#/\\.-])([A-Za-z]+)$")


@rule("TYPO002")
def doubled_words(ctx: RuleContext) -> None:
    """Doubled words are reduced to one ("with with" → "with"), keeping legitimate ones ("had had")."""
    counts = ctx.memo("word-counts", lambda: _word_counts(ctx.doc.body))
    speller = lexicon.speller()

    def judge(first: str, second: str, before: str, after: str) -> Slip:
        """Whether `first second` (the same word twice) is a slip, `before`/`after` the text around it."""
        lower = first.lower()
        if first != second and not (first[0].isupper() and first[1:] == second[1:]):
            return None  # "Walla Walla"-style names and case changes are left alone
        if lower in _LEGIT_DOUBLES:
            return None
        if lower == "that":
            return _that_that(before, after)
        if lower == "is":
            return None if _SUBJECT_CLAUSE.search(before) else "fix"
        if lower == "so" and (not after.strip() or after.lstrip()[:1] in ".,;:!?)"):
            return None  # "it went so so."
        if lower in _FUNCTION_WORDS or first.islower():
            return "fix"
        # A capitalized or all-capitals word twice ("Bora Bora", "Sirhan Sirhan") is a name, unless
        # it is a common word ("Executive Executive") or the document uses it on its own elsewhere
        # ("Kibana Kibana" beside "Kibana").
        common = first[1:].islower() and speller.count(lower) >= _COMMON_WORD
        # Counted without case: an earlier rule may have re-cased the word ("Github" → "GitHub").
        return "fix" if counts[lower] > 2 or common else None

    def decide(m: re.Match[str], text: str) -> Decision:
        first = m.group(1)
        repeats = m.group(2).split()
        if any(r != repeats[0] for r in repeats):
            return None
        # What the judgement reads around the pair: a few words, not the whole paragraph (linear time).
        slip = judge(first, repeats[0], text[max(0, m.start() - 80) : m.start()], text[m.end() : m.end() + 80])
        if slip is None:
            return None
        if slip == "suggest":
            return Finding(first, f"doubled word {first!r} (may be grammatical)", True, False, 0.5)
        return first, f"doubled word {first!r}", False

    for ref in prose(ctx):
        edit(ctx, ref, _DOUBLED, decide)
        _across_line_break(ctx, ref, judge)


_COMMON_WORD = 10_000_000


# A doubled word is a slip to fix, one to suggest, or no slip (None).
Slip = Literal["fix", "suggest"] | None


def _that_that(before: str, after: str) -> Slip:
    following = _FIRST_WORD.match(after.lstrip())
    if following is not None and following.group(1).lower() in _NOT_AFTER_THAT:
        return "fix"
    previous = _PREVIOUS_WORD.search(before)
    return "suggest" if previous is not None and previous.group(1).lower() not in _VERB_BEFORE_THAT else None


def _word_counts(body: str) -> Counter[str]:
    return Counter(word.lower() for word in re.findall(r"[A-Za-z]+", body))


def _across_line_break(ctx: RuleContext, ref: TextRef, judge: Callable[[str, str, str, str], Slip]) -> None:
    """A word that ends one line and opens the next ("to⏎to propose"): the second goes."""
    children = ref.inline.children or []
    k = ref.index
    if k + 2 >= len(children) or children[k + 1].type != "softbreak" or children[k + 2].type != "text":
        return
    last = _LAST_WORD.search(ref.token.content)
    following = children[k + 2]
    first = _FIRST_WORD.match(following.content)
    if last is None or first is None:
        return
    rest = following.content[first.end() :].lstrip(" \t")
    if not rest or rest[0] in ".,;:!?)":
        return
    before = ref.token.content[max(0, last.start() - 80) : last.start()]
    slip = judge(last.group(1), first.group(1), before, following.content[first.end() : first.end() + 80])
    if slip is None:
        return
    word = last.group(1)
    line0, col0 = _line_opening_with(ctx, ref.inline, word, first.group(1))
    suggest = slip == "suggest"
    if ctx.propose(line0, col0, f"{word} {first.group(1)}", word, f"doubled word {word!r} (across a line break)",
                   suggest=suggest, confidence=0.5 if suggest else None):
        following.content = rest


def _line_opening_with(ctx: RuleContext, inline: Token, word: str, second: str) -> tuple[int, int]:
    """Where `second` opens a source line of the block right after a line that ends with `word`.

    Counting the inline's line breaks would not do: the structure rules may have joined lines.
    """
    start, end = inline.map if inline.map else (0, len(ctx.lines))
    ends = re.compile(rf"(?<![\w'’-]){re.escape(word)}\s*$")
    opens = re.compile(rf"^[\s>]*({re.escape(second)})(?![\w'’-])")
    for i in range(start, min(end, len(ctx.lines)) - 1):
        m = opens.match(ctx.lines[i + 1])
        if m and ends.search(ctx.lines[i]):
            return i + 1, m.start(1)
    return start, 0
