"""The spelling data the typo rules use, loaded lazily and cached.

- codespell's curated misspelling dictionaries, read from its package data with codespell's own
  rules for which corrections are safe to apply.
- symspellpy's English word-frequency dictionary (82,765 words) and bigram dictionary (242,342
  pairs, memory-mapped rather than unpickled: see `bigram_counts`).
- wordfreq's English word frequencies (web, subtitles, news, Wikipedia, Reddit: 290,000 words,
  technical and modern vocabulary included) and its lists of other languages' common words.
- the software names that ship with this package (data/software-names.txt.gz, built by
  scripts/build-lexicon from package indexes).

Parsing the text files takes ~0.4 s, so what they give is kept under the user cache dir (per
package version): the bigram counts, codespell's misspellings, wordfreq's English frequencies and
the foreign words as marisa tries that later processes memory-map (microseconds, shared through
the page cache), the rest pickled.
Within one process everything stays in memory.
"""

from __future__ import annotations

import gc
import gzip
import hashlib
import logging
import math
import os
import pickle
from collections.abc import Callable, Iterator
from functools import _lru_cache_wrapper, lru_cache
from importlib import resources
from importlib.metadata import version as _installed_version
from pathlib import Path
from typing import Any, NamedTuple, TypeVar

from pipeline.atomic import write_bytes_atomically

log = logging.getLogger(__name__)

CACHE_ENV = "PIPELINE_CACHE_DIR"
T = TypeVar("T")
# Each lookup scans the installed distributions (0.5 ms); a cold normalizer asks about ten times.
version = lru_cache(maxsize=None)(_installed_version)


_DICTIONARIES: list[_lru_cache_wrapper[Any]] = []


def dictionary(load: Callable[..., T]) -> _lru_cache_wrapper[T]:
    """`load`, run once per process and kept (until `release_dictionaries`): for the word rules' data."""
    cached = lru_cache(maxsize=1)(load)
    _DICTIONARIES.append(cached)
    return cached


def release_dictionaries() -> None:
    """Give back every dictionary (about 90 MB) in a process that will normalize no more: a
    one-document run's preparer, which goes on to write the Word file and the EPUB while LibreOffice
    and pandoc run beside it. A later `normalize` loads them again."""
    for cached in _DICTIONARIES:
        cached.cache_clear()
    gc.unfreeze()  # the speller froze them out of the collector's way; they are garbage now
    gc.collect()


class Misspelling(NamedTuple):
    corrections: tuple[str, ...]
    # codespell's own verdict: True only for a single correction with no reason attached.
    fixable: bool
    reason: str = ""
    rare: bool = False  # from codespell's `rare` list: a real but rare word, usually a typo


class MisspellingTable:
    """codespell's misspellings (`get`, `in`, `len`, iteration, `items`) in a memory-mapped marisa
    trie, each entry made a Misspelling when it is looked up.

    Mapping the trie takes microseconds and each lookup half of one; unpickling the 65,300 entries
    took 55 ms in every process that normalizes, for the few dozen a document finds.
    """

    def __init__(self, trie: Any) -> None:
        self._trie = trie

    def get(self, word: str, default: Any = None) -> Any:
        found = self._trie.get(word)
        return default if not found else _decode_misspelling(found[0])

    def __contains__(self, word: object) -> bool:
        return isinstance(word, str) and word in self._trie

    def __len__(self) -> int:
        return len(self._trie)

    def __iter__(self) -> Iterator[str]:
        return iter(self._trie.keys())

    def items(self) -> Iterator[tuple[str, Misspelling]]:
        return ((word, _decode_misspelling(data)) for word, data in self._trie.iteritems())


# Corrections are codespell's comma-separated words (spaces allowed); the fields are joined by a
# control character no entry holds.
_FIELD, _ITEM = "\x1f", "\x1e"


def _encode_misspelling(entry: tuple[Any, ...]) -> bytes:
    corrections, fixable, reason, rare = entry
    return _FIELD.join((_ITEM.join(corrections), "1" if fixable else "", reason, "1" if rare else "")).encode()


def _decode_misspelling(data: bytes) -> Misspelling:
    corrections, fixable, reason, rare = data.decode().split(_FIELD)
    return Misspelling(tuple(corrections.split(_ITEM)) if corrections else (), bool(fixable), reason, bool(rare))


def _parse_codespell(text: str, rare: bool, into: dict[str, tuple[Any, ...]]) -> None:
    # Same semantics as codespell's build_dict(): "a->b" is fixable; a trailing comma means several
    # candidates (ambiguous); "a->b, reason" carries a reason and is never applied automatically.
    for line in text.splitlines():
        if "->" not in line:
            continue
        key, data = line.split("->", 1)
        key = key.strip().lower()
        comma = data.rfind(",")
        if comma < 0:
            entry = ((data.strip(),), True, "", rare)
        elif comma == len(data.rstrip()) - 1:
            entry = (tuple(c.strip() for c in data.rstrip()[:-1].split(",") if c.strip()), False, "", rare)
        else:
            reason = data[comma + 1 :].strip()
            entry = (tuple(c.strip() for c in data[:comma].split(",") if c.strip()), False, reason, rare)
        if key not in into:
            into[key] = entry


@dictionary
def codespell() -> MisspellingTable:
    """codespell's `clear` dictionary (fixes) plus its `rare` one (suggestions only)."""
    import marisa_trie

    return MisspellingTable(_mapped(
        f"codespell-{version('codespell')}", marisa_trie.BytesTrie,
        lambda: marisa_trie.BytesTrie((key, _encode_misspelling(entry)) for key, entry in _codespell_table().items())))


@dictionary
def spelling_variants() -> dict[str, str]:
    """British ↔ American (and Oxford) spelling pairs from codespell, both ways: never typos."""
    return _codespell_words()[0]


@dictionary
def known_words() -> frozenset[str]:
    """Real words the frequency dictionary lacks: every correction codespell proposes is a real word."""
    return _codespell_words()[1]


@dictionary
def _codespell_words() -> tuple[dict[str, str], frozenset[str]]:
    # 20,000 short strings: a small pickle (3 ms), unlike the table.
    return _cached(f"codespell-words-{version('codespell')}", _build_codespell_words)


@dictionary
def _codespell_table() -> dict[str, tuple[Any, ...]]:
    # Parsing codespell's text files takes 0.17 s: only when a cache is made.
    data = resources.files("codespell_lib") / "data"
    table: dict[str, tuple[Any, ...]] = {}
    _parse_codespell((data / "dictionary.txt").read_text(encoding="utf-8"), False, table)
    _parse_codespell((data / "dictionary_rare.txt").read_text(encoding="utf-8"), True, table)
    return table


def _build_codespell_words() -> tuple[dict[str, str], frozenset[str]]:
    data = resources.files("codespell_lib") / "data"
    variants: dict[str, str] = {}
    for name in ("dictionary_en-GB_to_en-US.txt", "dictionary_en_to_en-OX_AUTOGENERATED.txt"):
        for line in (data / name).read_text(encoding="utf-8").splitlines():
            if "->" in line:
                a, b = (x.strip().lower() for x in line.split("->", 1))
                if "," not in b:
                    variants[a] = b
                    variants[b] = a
    words: set[str] = set(variants)
    for corrections, *_ in _codespell_table().values():
        for correction in corrections:
            words.update(correction.lower().split())
    return variants, frozenset(words)


def _cached(name: str, build: Callable[[], T]) -> T:
    """`build()`'s result from the pickle cache, else built now and cached (atomically: a concurrent
    process never reads a half-written pickle). A cache that cannot be read or written only costs
    the build."""
    try:
        path = cache_dir() / f"{name}-py{pickle.HIGHEST_PROTOCOL}.pickle"
    except Exception:  # no usable cache dir (e.g. no HOME)
        return build()
    try:
        with path.open("rb") as fh:
            return pickle.load(fh)
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ValueError, TypeError):
        pass
    value = build()
    try:
        write_bytes_atomically(path, pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL))
    except OSError as exc:
        log.debug("cannot write the cache %s: %s", path, exc)
    return value


def cache_dir() -> Path:
    override = os.environ.get(CACHE_ENV)
    if override:
        return Path(override)
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("pipeline", appauthor=False))


class Speller:
    """symspellpy's frequency dictionary with bigrams, for the unknown-word rule.

    Near words come from comparing the query with every dictionary word of a compatible length
    (rapidfuzz's C++ OSA distance), not from a SymSpell deletes index: the index made the same
    answers cost ~60 MB and ~0.15 s of loading in every process, for lookups only a handful of
    unknown words per document ever make.
    """

    def __init__(self, words: dict[str, int], *, with_bigrams: bool = False) -> None:
        self.words = words
        self.with_bigrams = with_bigrams  # symspellpy's pairs (`bigram_counts`), mapped on the first question
        self.total = sum(words.values())
        # Words by (length, first letter) and by (length, last letter). A word within d edits of a
        # query has a length within d of it, and keeps the query's first or last letter unless one
        # edit falls on each end (see `candidates`): two small buckets instead of the whole list.
        self._by_first: dict[tuple[int, str], list[str]] = {}
        self._by_last: dict[tuple[int, str], list[str]] = {}
        for term in words:
            self._by_first.setdefault((len(term), term[:1]), []).append(term)
            self._by_last.setdefault((len(term), term[-1:]), []).append(term)
        self._alphabet = sorted({ch for term in words for ch in term})

    def count(self, word: str) -> int:
        return self.words.get(word.lower(), 0)

    def known(self, word: str) -> bool:
        lw = word.lower()
        return lw in self.words or lw in known_words()

    def candidates(self, word: str, max_distance: int = 1) -> list[tuple[str, int, int]]:
        """(term, distance, frequency) for dictionary words within `max_distance` edits.

        The same answers as symspellpy's `lookup(word, Verbosity.ALL, max_distance)` on the index
        this replaced: its distance is the optimal-string-alignment one (a swap of neighbours is one
        edit), the exact word itself comes back at distance 0, and the order is distance, then most
        frequent first.
        """
        from rapidfuzz import process
        from rapidfuzz.distance import OSA

        if max_distance > MAX_DISTANCE:
            raise ValueError("distance too large")  # as symspellpy did beyond the index's distance
        lw = word.lower()
        found: dict[str, int] = {}
        for length in range(max(len(lw) - max_distance, 0), len(lw) + max_distance + 1):
            for bucket in (self._by_first.get((length, lw[:1])), self._by_last.get((length, lw[-1:]))):
                if bucket:
                    for term, distance, _ in process.extract(
                        lw, bucket, scorer=OSA.distance, score_cutoff=max_distance, limit=None
                    ):
                        found[term] = int(distance)
        if len(lw) < 4:
            # Too short for the argument below (one edit can touch both ends): look at every word.
            for length in range(max(len(lw) - max_distance, 0), len(lw) + max_distance + 1):
                for (size, _), bucket in self._by_first.items():
                    if size == length:
                        for term, distance, _ in process.extract(
                            lw, bucket, scorer=OSA.distance, score_cutoff=max_distance, limit=None
                        ):
                            found[term] = int(distance)
        elif max_distance == 2:
            # A word that keeps neither end letter needs one edit at each end (each edit touches one
            # end of a word of four letters or more), so it is one of these spellings.
            for middle in self._end_edits(lw, front=True):
                for term in self._end_edits(middle, front=False):
                    if term in self.words and term not in found:
                        distance = OSA.distance(lw, term, score_cutoff=max_distance)
                        if distance <= max_distance:
                            found[term] = distance
        # Sorted by term first so that ties in distance and count come out in a stable order.
        result = sorted((term, distance, self.words[term]) for term, distance in found.items())
        result.sort(key=lambda c: (c[1], -c[2]))
        return result

    def _end_edits(self, word: str, front: bool) -> list[str]:
        """Every spelling one edit (substitution, insertion, deletion, swap) at one end of `word`."""
        if not front:
            return [s[::-1] for s in self._end_edits(word[::-1], front=True)]
        out = [word[1:], word[1] + word[0] + word[2:]]
        out += [ch + word[1:] for ch in self._alphabet]
        out += [ch + word for ch in self._alphabet]
        return out

    @property
    def bigrams(self) -> Any:
        """Counts of word pairs ("first second"): `in`, `get`. Empty for a speller made without."""
        return bigram_counts() if self.with_bigrams else {}

    def bigram(self, first: str, second: str) -> bool:
        return f"{first.lower()} {second.lower()}" in self.bigrams

    def association(self, first: str, second: str) -> float | None:
        """log10 of how much more often `first second` occurs than the two words would by chance (PMI).

        The bigram list keeps only pairs seen at least BIGRAM_CUT times (in a corpus BIGRAM_SCALE
        times the unigrams' size): a pair it lacks was seen less often than that, which says the
        words avoid each other when chance alone would have put the pair in the list. None when
        either word is unknown.
        """
        a, b = self.words.get(first.lower()), self.words.get(second.lower())
        if not a or not b:
            return None
        chance = BIGRAM_SCALE * a * b / self.total
        seen = self.bigrams.get(f"{first.lower()} {second.lower()}")
        return math.log10((seen if seen is not None else min(BIGRAM_CUT, chance)) / chance)


# symspellpy's index was built for two edits; TYPO005 never asks for more.
MAX_DISTANCE = 2
# The bigram list's smallest count, and how much larger its corpus is than the unigrams' (the
# listed pairs that start with `the` add up to 37 times the unigram count of `the`).
BIGRAM_CUT = 6_400_000
BIGRAM_SCALE = 37


def _read_pairs(text: str) -> list[list[str]]:
    return [parts for parts in (line.split(" ") for line in text.splitlines()) if len(parts) >= 2]


def _read_speller_words() -> dict[str, int]:
    text = (resources.files("symspellpy") / "frequency_dictionary_en_82_765.txt").read_text(encoding="utf-8")
    words: dict[str, int] = {}
    for term, count, *_ in _read_pairs(text):
        # As symspellpy's load_dictionary: a repeated term adds up.
        words[term] = words.get(term, 0) + int(count)
    return words


def _read_bigrams() -> dict[str, int]:
    text = (resources.files("symspellpy") / "frequency_bigramdictionary_en_243_342.txt").read_text(encoding="utf-8")
    return {f"{first} {second}": int(count) for first, second, count, *_ in _read_pairs(text)}


class CountTrie:
    """Read-only counts by string (`in`, `get`, `[]`, `len`, `items`) in a marisa trie: a file memory-mapped in
    microseconds, shared by every process through the page cache, where a pickled dict of the same
    242,342 pairs took 0.1 s to load and ~30 MB in each process."""

    def __init__(self, trie: Any) -> None:
        self._trie = trie

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and key in self._trie

    def get(self, key: str, default: Any = None) -> Any:
        found = self._trie.get(key)
        return found[0][0] if found else default

    def __getitem__(self, key: str) -> int:
        return self._trie[key][0][0]

    def __len__(self) -> int:
        return len(self._trie)

    def items(self) -> Iterator[tuple[str, int]]:
        return ((key, value[0]) for key, value in self._trie.iteritems())


def _mapped(name: str, empty: Callable[[], Any], build: Callable[[], Any]) -> Any:
    """The marisa trie `build()` makes, memory-mapped from the cache folder (into `empty()`), else
    built now and kept there (atomically). A cache that cannot be read or written only costs the build."""
    try:
        path = str(cache_dir() / f"{name}-marisa{version('marisa-trie')}.trie")
    except Exception:  # no usable cache dir (e.g. no HOME)
        return build()
    try:
        return empty().mmap(path)
    except Exception:  # absent or damaged: marisa raises its own errors
        pass
    fresh = build()
    try:
        write_bytes_atomically(Path(path), fresh.tobytes())
        return empty().mmap(path)
    except Exception as exc:
        log.debug("cannot write the cache %s: %s", path, exc)
        return fresh


def _mapped_counts(name: str, fmt: str, build: Callable[[], dict[str, int]]) -> CountTrie:
    """`build()`'s counts, each packed as the struct format `fmt`, as a mapped CountTrie (`_mapped`)."""
    import marisa_trie

    return CountTrie(_mapped(name, lambda: marisa_trie.RecordTrie(fmt),
                             lambda: marisa_trie.RecordTrie(fmt, ((k, (n,)) for k, n in build().items()))))


@dictionary
def bigram_counts() -> CountTrie:
    """symspellpy's bigram dictionary: how often each pair of words occurs."""
    return _mapped_counts(f"bigrams-{version('symspellpy')}", "<Q", _read_bigrams)


@dictionary
def speller() -> Speller:
    """The shared speller: from memory, else from the pickle cache, else built (and cached)."""
    result = _load_speller()
    # The dictionary and bigrams are a few hundred thousand small objects that live as long as the
    # process. Left in the young generations, every later garbage collection walks them all (ms, at
    # random moments of a run); freezing moves them out of the collector's way. No collection first:
    # it found 20 unreachable objects in a preparer, for 13 ms on its critical path, and
    # `release_dictionaries` collects what freezing kept.
    gc.freeze()
    return result


def _load_speller() -> Speller:
    # The whole object, its buckets too (0.08 s to load, against 0.13 s from the word lists), keyed
    # by this module's text so that a changed Speller never meets an old pickle.
    code = hashlib.sha256(Path(__file__).read_bytes()).hexdigest()[:12]
    return _cached(f"speller-{version('symspellpy')}-{code}", lambda: Speller(_read_speller_words(), with_bigrams=True))


# -- wider vocabulary: wordfreq and the software names ---------------------------------------------

DATA = resources.files("pipeline.normalize") / "data"
SOFTWARE_NAMES = "software-names.txt.gz"
# Quoted titles in English prose come in these languages far more often than in others.
FOREIGN_LANGUAGES = ("fr", "de", "es", "it", "pt", "nl")


@dictionary
def english_frequencies() -> CountTrie:
    """Zipf frequency × 100 (300: once per million words) of English words the speller lacks.

    From wordfreq's large list, letters only: `nonce` 244, `slog` 287, `teh` 304 (the web has its
    typos too, so presence alone does not make a word; see `spelling.known_by_frequency`). Words
    the speller's dictionary holds are left out: they never get this far. 207,000 words, mapped.
    """
    # Keyed by both versions: the words kept depend on the speller's dictionary too.
    return _mapped_counts(f"wordfreq-en-{version('wordfreq')}-{version('symspellpy')}", "<H",
                          _build_english_frequencies)


@dictionary
def common_english_words(min_zipf: int) -> dict[str, int]:
    """The words of `english_frequencies` seen at least that often (their zipf × 100): a few thousand,
    pickled, so that no run walks the 207,000 to find them."""
    versions = f"{version('wordfreq')}-{version('symspellpy')}-marisa{version('marisa-trie')}"
    return _cached(f"wordfreq-en-common-{min_zipf}-{versions}",
                   lambda: {word: zipf for word, zipf in english_frequencies().items() if zipf >= min_zipf})


def _build_english_frequencies() -> dict[str, int]:
    import wordfreq

    known = speller().words
    out: dict[str, int] = {}
    # wordfreq's lists: the i-th list holds the words of frequency 10^(-i/100) (i centibels).
    for centibels, words in enumerate(wordfreq.get_frequency_list("en", "large")):
        zipf = 900 - centibels
        for word in words:
            if word.isascii() and word.isalpha() and word not in known and word not in out:
                out[word] = zipf
    return out


@dictionary
def foreign_words() -> dict[str, Any]:
    """Common words of the languages English prose quotes most (wordfreq's small lists), by language:
    sets that answer `in`, memory-mapped (`_mapped`).

    Only words that are not also common English words (`de`, `per`, `via` stay English), so that a
    word in one of these sets is evidence of the other language.
    """
    import marisa_trie

    versions = f"{version('wordfreq')}-{version('symspellpy')}"
    return {lang: _mapped(f"wordfreq-{lang}-{versions}", marisa_trie.Trie,
                          lambda lang=lang: marisa_trie.Trie(_foreign_words(lang)))
            for lang in FOREIGN_LANGUAGES}


def _foreign_words(lang: str) -> set[str]:
    import wordfreq

    english = speller().words
    words = set()
    for centibels, bucket in enumerate(wordfreq.get_frequency_list(lang, "small")):
        if centibels > 650:  # zipf below 2.5: too rare to tell a language by
            break
        words.update(w for w in bucket if w.isalpha() and english.get(w, 0) < 1_000_000)
    return words


@dictionary
def software_names() -> frozenset[str]:
    """Names of software that are not English words (`klog`, `ebuild`, `pino`), shipped as package data."""
    text = gzip.decompress((DATA / SOFTWARE_NAMES).read_bytes()).decode("utf-8")
    return frozenset(line for line in text.splitlines() if line and not line.startswith("#"))
