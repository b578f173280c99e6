"""Evidence about a word the dictionary lacks: is it a word after all, and if not, which word was meant.

An unknown word is changed only when every source agrees it is not a word and one candidate wins
clearly in its context; otherwise it is a suggestion with a confidence, or nothing. The sources:

- the speller's dictionary and codespell's corrections (the rule never asks about those words);
- wordfreq's English frequencies, from web, news, subtitles and forums (`nonce`, `slog`, `rpms`);
- the software names shipped with the package (`klog`, `ebuild`, `runc`), see scripts/build-lexicon;
- the document itself: a word it uses elsewhere, in any form (code, links, `snark-friendly` for
  `snarks`), is its own vocabulary;
- other languages, when the word stands in a phrase of one of them (a quoted French title).

The candidates are the dictionary words one edit away, weighed as a typist's slip (noisy channel):
how common the word is, how likely the edit is (a neighbouring key, two letters swapped, a letter
dropped or struck twice are likely; a new first letter, as in `klog` → `log`, is how names are
made), and whether the neighbouring words confirm it through the bigram dictionary.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass
from typing import TYPE_CHECKING, NamedTuple

from pipeline.normalize import lexicon
from pipeline.normalize.engine import common_ends

if TYPE_CHECKING:
    from pipeline.normalize.engine import RuleContext

# log10(speller count) − zipf frequency: the median over the speller's words (the two counts come
# from different corpora; this puts them on one scale).
ZIPF_OFFSET = 2.87
# A web corpus holds typos too: `teh` at zipf 3.0, against 7.7 for `the`. A typo of a word is this
# many orders of magnitude rarer than the word itself (usually far more); a real word that looks
# like a slip of another (`nonce`/`none`: 2.4 against 4.9) is within it.
TYPO_RARITY = 3.5
# Present at all in wordfreq's large list (zipf 1.0, once per 100 million words) is not enough.
MIN_ZIPF = 1.0

# log10 weights: an edit that is no slip of the finger (a far key, a letter from nowhere) against
# one that is, and how much a neighbouring word's association with a candidate counts.
UNLIKELY_EDIT = -0.7
CONTEXT_WEIGHT = 1.0
MAX_ASSOCIATION = 2.0
CONFIRMED_WEIGHT = 0.5  # and a known bigram besides
APPLY_SHARE = 0.9  # share of the evidence the best candidate needs before it is applied
MIN_CONFIDENCE = 0.2
# A candidate no neighbouring word confirms must be common (zipf ≥ 3.1; ≥ 4.8 for a word of five
# letters or fewer): a slip of a rare word (`nomarch`, `sadists`) is rarer than a name nobody has
# listed (`noarch`, `sdists`), and short words are abbreviated as often as mistyped (`copat` in
# "back copat concerns" is `compat`, not `coat`).
UNCONFIRMED_COUNT = 1_000_000
UNCONFIRMED_LEAD = 0.97


class Edit(NamedTuple):
    kind: str  # swap | sub | ins (typed an extra letter) | del (dropped a letter)
    position: int  # in the typed word
    likely: bool  # a slip of the finger: neighbouring key, repeated key, swap, dropped letter


@dataclass(frozen=True)
class Candidate:
    word: str
    count: int
    edit: Edit
    context: int  # neighbouring words that it forms a known, better-than-chance bigram with (0–2)
    score: float  # log10 of its weight among the candidates


@dataclass(frozen=True)
class Verdict:
    replacement: str  # one word, or "a / b" when several fit
    confidence: float  # how likely the word is a slip and the replacement the word meant, 0–1
    apply: bool
    reason: str


# -- the edit a typist made ---------------------------------------------------------------------------

_QWERTY = ("qwertyuiop", "asdfghjkl", "zxcvbnm")
_KEY = {ch: (r, c) for r, row in enumerate(_QWERTY) for c, ch in enumerate(row)}


def adjacent_keys(a: str, b: str) -> bool:
    """True for keys that touch on a QWERTY keyboard (rows are staggered by half a key)."""
    if a not in _KEY or b not in _KEY:
        return False
    (r1, c1), (r2, c2) = _KEY[a], _KEY[b]
    dr, dc = r2 - r1, c2 - c1
    return (dr == 0 and abs(dc) == 1) or (dr == -1 and dc in (0, 1)) or (dr == 1 and dc in (-1, 0))


def classify(typed: str, meant: str) -> Edit | None:
    """The single edit that turns `meant` into `typed`, or None when they are not one edit apart."""
    start, end = common_ends(typed, meant)
    a, b = typed[start : len(typed) - end], meant[start : len(meant) - end]
    if len(a) == 1 and len(b) == 1:
        return Edit("sub", start, adjacent_keys(a, b))
    if len(a) == 2 and len(b) == 2 and a == b[::-1]:
        return Edit("swap", start, True)
    if len(a) == 1 and not b:
        return classify_insert(typed, start)
    if len(b) == 1 and not a:
        return Edit("del", start, True)
    return None


def classify_insert(typed: str, i: int) -> Edit:
    """An extra letter at `i`: a slip when it repeats or neighbours a letter beside it."""
    neighbours = typed[i - 1 : i] + typed[i + 1 : i + 2]
    return Edit("ins", i, typed[i] in neighbours or any(adjacent_keys(typed[i], n) for n in neighbours))


def channel(edit: Edit) -> float:
    """log10 of how likely a typist makes this edit, relative to the likeliest slips."""
    weight = 0.0 if edit.likely else UNLIKELY_EDIT
    if edit.position == 0:
        # The first letter is rarely mistyped, and a letter put before a word is how names are
        # made (`klog`, `ebuild`, `zswap`, `fsync`).
        weight -= 2.0 if edit.kind == "ins" else 1.0
    return weight


# -- the document's own vocabulary --------------------------------------------------------------------

_LETTERS = re.compile(r"[A-Za-z]+")
_CAMEL = re.compile(r"[a-z]+|[A-Z][a-z]+|[A-Z]+(?![a-z])")
_SUFFIXES = ("s", "es", "ed", "d", "ing", "er", "ers", "ly")
DOUBLED = re.compile(r"(?<![\w'’-])([A-Za-z]+)((?:\s+\1)+)(?![\w'’-])", re.IGNORECASE)


class DocumentWords:
    """Every run of letters in the document (prose, code, links, hyphenated parts), counted."""

    def __init__(self, body: str, code: str) -> None:
        # A doubled word ("whoe whoe") counts once, or the doubled-word rule would change the
        # verdict on the next run.
        self.counts = Counter(w.lower() for w in _LETTERS.findall(DOUBLED.sub(r"\1", body)))
        self.code = {p.lower() for w in _LETTERS.findall(code) for p in (w, *_CAMEL.findall(w))}

    def uses(self, word: str) -> bool:
        """True when the document has the word elsewhere, in its code, or as another form of a name it uses."""
        if self.counts[word] > 1 or word in self.code:
            return True
        known = lexicon.speller().words
        for suffix in _SUFFIXES:
            # `snarks` beside `snark-friendly`: a form of a term the dictionary does not know.
            if word.endswith(suffix) and len(word) - len(suffix) >= 3:
                stem = word[: -len(suffix)]
                if stem not in known and (self.counts[stem] or stem in self.code):
                    return True
            longer = word + suffix
            if longer not in known and (self.counts[longer] or longer in self.code):
                return True
        return False


def document_words(ctx: RuleContext) -> DocumentWords:
    def build() -> DocumentWords:
        code = [tok.content for tok in ctx.tokens if tok.type in ("fence", "code_block", "html_block")]
        for tok in ctx.tokens:
            code += [c.content for c in tok.children or () if c.type in ("code_inline", "html_inline")]
        return DocumentWords(ctx.doc.body, "\n".join(code))

    return ctx.memo("document-words", build)


# -- other languages ----------------------------------------------------------------------------------

# A quotation, each kind of mark closed by its partner; an apostrophe inside a word opens nothing.
_QUOTED = re.compile(
    r"(?<!\w)(?:“([^”“]{3,200})”|„([^“”„]{3,200})[“”]|«([^»«]{3,200})»|‘([^‘’]{3,200})’(?!\w)"
    r"|\"([^\"]{3,200})\"|'([^']{3,200})'(?!\w))"
)
_PHRASE_WORD = re.compile(r"[^\W\d_]+")


def foreign_phrase(text: str, start: int, end: int) -> bool:
    """True when the word at text[start:end] stands in a phrase of another language.

    The phrase is the quotation around the word, or else the clause it stands in. It is in another
    language when two of its words (and, outside quotation marks, two in five) are common in one of
    the languages English quotes most and not common in English; a word with letters outside ASCII
    counts for every language.
    """
    phrase = None
    for m in _QUOTED.finditer(text, max(0, start - 200), min(len(text), end + 200)):
        if m.start() < start and end < m.end():
            phrase = next(g for g in m.groups() if g is not None)
            break
    quoted = phrase is not None
    if phrase is None:
        # The clause, within a window: a paragraph-long "clause" must not make every word cost its length.
        lo, hi = max(0, start - 200), min(len(text), end + 200)
        left = max(text.rfind(p, lo, start) for p in ".;:!?()")
        right = min([i for i in (text.find(p, end, hi) for p in ".;:!?()") if i >= 0] or [hi])
        phrase = text[max(left + 1, lo) : right]
    # Pieces of contractions and elisions (`wasn’t`, `l’acquisition`) say nothing on their own. A word
    # counts once: `Github Github` is one word of evidence, and removing the doubled one must not
    # change the verdict (the next run would then correct what this one let stand).
    words = list(dict.fromkeys(w.lower() for w in _PHRASE_WORD.findall(phrase) if len(w) >= 3))
    accented = sum(not w.isascii() for w in words)
    english = lexicon.speller().words
    candidates = [w for w in words if w.isascii() and english.get(w, 0) < 1_000_000]
    if len(candidates) + accented < 2:
        return False  # one odd word in an English clause (the lists are not even loaded)
    needed = 2 if quoted else max(2, 0.4 * len(words))
    return any(accented + sum(w in vocabulary for w in candidates) >= needed
               for vocabulary in lexicon.foreign_words().values())


# -- candidates and the verdict -----------------------------------------------------------------------


def zipf(word: str) -> float:
    """wordfreq's zipf frequency of a word the speller lacks (0 when wordfreq has never seen it)."""
    return lexicon.english_frequencies().get(word, 0) / 100


def candidates(word: str, near: list[tuple[str, int, int]], prev_word: str, next_word: str) -> list[Candidate]:
    """The one-edit candidates (term, distance, count), weighed and sorted, likeliest first.

    A candidate's weight: how common it is, how likely the edit is, and how well it goes with the
    words on either side (pointwise mutual information from the bigram counts, clipped: one
    neighbour's word must not decide alone).
    """
    speller = lexicon.speller()
    out = []
    for term, distance, count in near:
        if distance != 1:
            continue
        edit = classify(word, term)
        if edit is None:
            continue
        fit = 0.0
        confirmed = 0
        for pair in ((prev_word, term), (term, next_word)):
            if not all(pair):
                continue
            association = speller.association(*pair)
            if association is None:
                continue
            fit += min(max(association, -MAX_ASSOCIATION), MAX_ASSOCIATION)
            confirmed += association > 0 and speller.bigram(*pair)
        score = math.log10(count) + channel(edit) + CONTEXT_WEIGHT * fit + CONFIRMED_WEIGHT * confirmed
        out.append(Candidate(term, count, edit, confirmed, score))
    return sorted(out, key=lambda c: -c.score)


# Common words the speller's dictionary (British-leaning, older) lacks: `center`, `behaviors`,
# `github`. At this frequency wordfreq's words are words, not the web's typos of them.
WIDER_CANDIDATE_ZIPF = 300


VERY_COMMON = 100_000_000


@lexicon.dictionary
def very_common_speller() -> lexicon.Speller:
    """The speller's words seen 100 million times or more (about 900): a quick first look."""
    return lexicon.Speller({w: c for w, c in lexicon.speller().words.items() if c >= VERY_COMMON})


def one_edit(word: str) -> list[tuple[str, int, int]]:
    """The words one edit from `word` (term, 1, count): the speller's, and wordfreq's common ones."""
    near = [c for c in lexicon.speller().candidates(word, 1) if c[1] == 1]
    return near + [c for c in wider_speller().candidates(word, 1) if c[1] == 1]


@lexicon.dictionary
def wider_speller() -> lexicon.Speller:
    """wordfreq's common words that the speller lacks, searched the way the speller searches its own."""
    table = lexicon.codespell()
    words = {
        word: int(10 ** (zipf / 100 + ZIPF_OFFSET))
        for word, zipf in lexicon.common_english_words(WIDER_CANDIDATE_ZIPF).items()
        if word not in table
    }
    return lexicon.Speller(words)


def share(ranked: list[Candidate]) -> float:
    """The best candidate's share of the weight of all of them."""
    top = ranked[0].score
    return 1 / sum(10 ** (c.score - top) for c in ranked)


def judge(word: str, ranked: list[Candidate], *, sentence_start: bool) -> Verdict | None:
    """The verdict on an unknown word (lower case) with its weighed candidates."""
    if not ranked:
        return None
    best = ranked[0]
    lead = share(ranked)
    frequency = zipf(word)
    # wordfreq knows it as a word, not as a rare slip of the candidate.
    common = frequency >= MIN_ZIPF and frequency > math.log10(best.count) - ZIPF_OFFSET - TYPO_RARITY
    named = word in lexicon.software_names() or _daemon(word)
    # A regular form of a dictionary word the dictionary lacks (`diffed`, `repartitions`): a word.
    common = common or inflected(word)
    affixed = _affix(word, best.edit)
    # How likely the word is a slip at all (the candidates' shares then say which word was meant).
    typo = 0.95
    for doubt, factor in (
        (common, 0.25),
        (named, 0.25),
        (affixed, 0.3),
        (best.edit.position == 0 and not affixed, 0.6),
        (not best.edit.likely, 0.7),
        (not best.context, 0.7),
        (sentence_start, 0.9),
    ):
        if doubt:
            typo *= factor
    # Without a neighbour to confirm it, only a word one slip from a common word and from no other;
    # the shorter the word, the more common the candidate must be (short names abound).
    needed = UNCONFIRMED_COUNT * (50 if len(word) <= 5 else 1)
    confirmed = best.context > 0 or (
        best.edit.position > 0
        and lead >= UNCONFIRMED_LEAD
        and best.count >= needed
    )
    # An edit that is no slip of the finger is only suggested, however well the word fits: `opex`
    # → `open`, `copr` → `copy`, `analytis` → `analysis` (for `analytics`) fit their sentences too.
    apply = not (common or named or affixed) and best.edit.likely and lead >= APPLY_SHARE and confirmed
    if apply or lead >= 0.6:
        verdict = Verdict(best.word, round(typo * lead, 2), apply, _reason(best, common, named))
    else:
        verdict = Verdict(" / ".join(c.word for c in ranked[:2]), round(typo * (lead + share(ranked[1:])) / 2, 2),
                          False, "several words fit")
    # Below this, a suggestion would be wrong nine times in ten: not worth a line, even on request.
    return verdict if verdict.apply or verdict.confidence >= MIN_CONFIDENCE else None


def _affix(word: str, edit: Edit) -> bool:
    """A letter before a word or a consonant after it is how names are made, not how fingers slip.

    `klog`, `ebuild`, `zswap`, `fsync`; `healthz`, `runc`, `journald`. A neighbouring or repeated
    key after the last letter is still a slip (`throughu`), and so is a final `e` (`whoe`).
    """
    if edit.kind != "ins":
        return False
    if edit.position == 0:
        return True
    return edit.position == len(word) - 1 and not edit.likely and word[-1] not in "aeiouy"


def _daemon(word: str) -> bool:
    """`journald`, `linkerd`, `containerd`: a daemon's name, a word of five letters or more with a `d` after it."""
    stem = word[:-1]
    return word.endswith("d") and len(stem) >= 5 and stem[-1] not in "de" and lexicon.speller().known(stem)


def inflected(word: str) -> bool:
    """True for a regular inflection of a dictionary word: `diffed`, `repartitions`, `approvers`, `copied`.

    Spelling rules included (`mapped` from `map`, `making` from `make`); a letter typed twice is no
    inflection (`costss`, `sharedd`).
    """
    known = lexicon.speller().known
    for suffix in ("ing", "ers", "ed", "er", "es", "s", "d"):
        if not word.endswith(suffix) or len(word) - len(suffix) < 3:
            continue
        stem = word[: -len(suffix)]
        if suffix in ("s", "es") and stem.endswith("ed"):
            continue  # `nameds` is no form of `named`
        if suffix == "s" and stem.endswith(("s", "x", "z", "sh", "ch")):
            continue
        if suffix == "d":
            if stem.endswith("e") and known(stem):
                return True
            continue
        if suffix == "es" and not stem.endswith(("s", "x", "z", "sh", "ch", "o")):
            if stem.endswith("i") and known(stem[:-1] + "y"):  # `copies`
                return True
            continue
        if suffix in ("ed", "er", "ers") and stem.endswith("i") and known(stem[:-1] + "y"):  # `copied`
            return True
        if known(stem) or (suffix != "s" and (known(stem + "e") or (_doubled_final(stem) and known(stem[:-1])))):
            return True
    return False


def _doubled_final(stem: str) -> bool:
    """`mapp` (of `mapped`): a short vowel's final consonant doubled, as English doubles it; not `centt`."""
    vowels = "aeiou"
    return (
        len(stem) >= 4
        and stem[-1] == stem[-2]
        and stem[-1] not in vowels + "wxy"
        and stem[-3] in vowels
        and stem[-4] not in vowels
    )


def _reason(best: Candidate, common: bool, named: bool) -> str:
    if common:
        return "but wordfreq knows it as a word"
    if named:
        return "but it is the name of a software package"
    if best.context:
        return f"{best.word!r} fits the context"
    return "no neighbouring word confirms it"
