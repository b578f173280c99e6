"""Injected-typo benchmark for the normalizer's word rules (TYPO002–TYPO005).

Public English text (the corpus at ../shared/corpus, read where it lies, plus the public-domain texts
in bench/typos/texts/) gets realistic errors injected at random prose words, seeded:

- single-edit typos: a neighbouring key struck instead, two letters swapped, a letter dropped, a
  letter struck twice or a neighbouring key struck as well (never one that makes a dictionary word:
  a real-word error is not a spelling error);
- known misspellings: a word replaced by one of codespell's misspellings of it;
- doubled words: a word typed twice, on the same line or across a line break;

and things that must survive unchanged, with no suggestion shown:

- real technical terms (bench/typos/terms.txt), put in place of a prose word;
- user names as meeting notes write them (`[jdoe]`, `@jdoe`);
- quoted titles in other languages (bench/typos/foreign.txt).

The normalizer runs as `convert lint` does (default theme), once on the clean text and once on the
injected text. An applied word change at an injected error that restores the original word is right;
every other applied word change that the clean text did not get is wrong. Changes the clean text
gets too are the document's own (reviewed by hand: see bench/README.md) and are left out.

    .venv/bin/python bench/typos.py                  # seeds 1-3, a table per rule and per kind
    .venv/bin/python bench/typos.py --seeds 1 --show # one seed, listing every miss and wrong change
    PYTHONPATH=/tmp/before .venv/bin/python bench/typos.py   # the same on another checkout

Works on any version of the package: a change without a `confidence` counts as shown.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
import tempfile
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
CORPUS = REPO.parent / "shared" / "corpus"
DATA = HERE / "typos"
WORD_RULES = ("TYPO002", "TYPO003", "TYPO004", "TYPO005")

_QWERTY = ("qwertyuiop", "asdfghjkl", "zxcvbnm")
_KEY = {ch: (r, c) for r, row in enumerate(_QWERTY) for c, ch in enumerate(row)}
# Keys that touch (rows are staggered by half a key): its own model, independent of the code it judges.
_NEIGHBOURS = {
    a: [b for b, (r2, c2) in _KEY.items()
        if b != a and abs(r - r2) <= 1 and abs(c - c2) <= 1 and (r2 - r) * (c2 - c) != 1]
    for a, (r, c) in _KEY.items()
}
FUNCTION_WORDS = [
    "the", "a", "an", "to", "of", "in", "on", "for", "with", "and", "or", "is", "are", "was", "were", "be",
    "it", "that", "this", "at", "by", "from", "as", "not", "but", "can", "will", "we", "they", "you", "their",
    "our", "has", "have",
]
_PROSE_WORD = re.compile(r"(?<![\w'’@#/\\.\-\[])([A-Za-z]+)(?![\w'’@/\\\-\]]|\.\w)")
_FIRST_NAMES = [
    "anna", "ben", "carlos", "dmitri", "elena", "farid", "grace", "hiro", "ines", "jun", "kofi", "lena",
    "marco", "nadia", "omar", "priya", "quinn", "rosa", "sven", "tariq", "uma", "victor", "wei", "yara", "zoe",
]
_SURNAMES = [
    "schmidt", "kowalski", "tanaka", "okafor", "lindqvist", "moreau", "ferreira", "novak", "haddad", "kaur",
    "brennan", "castillo", "zhou", "ivanova", "mbeki", "reyes",
]


@dataclass
class Injection:
    kind: str  # typo | misspelling | doubled | term | handle | foreign
    line: int  # 1-based line in the file
    original: str
    injected: str
    detail: str = ""
    lines: tuple[int, ...] = ()  # every line the injection touches
    document: str = ""


@dataclass
class Result:
    injections: list[Injection] = field(default_factory=list)
    outcome: dict[int, str] = field(default_factory=dict)  # injection index -> outcome
    fixed_by: dict[int, str] = field(default_factory=dict)  # injection index -> rule that fixed it
    notes: dict[int, str] = field(default_factory=dict)  # injection index -> what the rules said there
    wrong: list[tuple[str, object]] = field(default_factory=list)  # (document, change) applied wrongly
    noise: list[tuple[str, object]] = field(default_factory=list)  # shown suggestions that are no typo
    shown_true: int = 0
    clean: list[tuple[str, object]] = field(default_factory=list)  # word findings on the texts as published


# -- the texts ---------------------------------------------------------------------------------------


def texts() -> list[Path]:
    files = sorted(DATA.glob("texts/*.md"))
    if CORPUS.is_dir():
        files += sorted(p for p in CORPUS.glob("*.md") if p.name != "SOURCES.md")
    else:
        print(f"note: corpus not found at {CORPUS}; only bench/typos/texts", file=sys.stderr)
    return files


def english(doc) -> bool:
    lang = (doc.meta.lang or "en").lower()
    letters = re.findall(r"[^\W\d_]", doc.body)
    return lang.startswith("en") and bool(letters) and len(re.findall(r"[A-Za-z]", doc.body)) / len(letters) > 0.9


def prose_sites(doc) -> list[tuple[int, int, str]]:
    """(file line 0-based, column, word) of prose words found unambiguously in the source."""
    from pipeline.normalize import markdown

    tokens, _ = markdown.parse(doc.body)
    lines = doc.body.split("\n")
    sites: list[tuple[int, int, str]] = []
    opener = None
    for tok in tokens:
        if tok.nesting == 1:
            opener = tok
        if tok.type != "inline" or opener is None or opener.type != "paragraph_open" or not tok.map:
            continue
        depth = 0
        for child in tok.children or []:
            if child.type in ("link_open", "html_inline"):
                depth += child.type == "link_open"
                continue
            if child.type == "link_close":
                depth -= 1
                continue
            if child.type != "text" or depth or len(child.content) < 12 or "{" in child.content:
                continue
            found = [
                (i, lines[i].find(child.content))
                for i in range(tok.map[0], tok.map[1])
                if lines[i].count(child.content) == 1
            ]
            if len(found) != 1:
                continue
            i, at = found[0]
            for m in _PROSE_WORD.finditer(child.content):
                sites.append((i + doc.body_line - 1, at + m.start(1), m.group(1)))
    return sites


# -- the errors --------------------------------------------------------------------------------------


def single_edit(rng: random.Random, word: str) -> str:
    i = rng.randrange(len(word))
    kind = rng.choice(("adjacent", "swap", "drop", "insert"))
    ch = word[i].lower()
    if kind == "adjacent" and _NEIGHBOURS.get(ch):
        new = rng.choice(_NEIGHBOURS[ch])
        return word[:i] + (new.upper() if word[i].isupper() else new) + word[i + 1 :]
    if kind == "swap" and i < len(word) - 1 and word[i] != word[i + 1] and i > 0:
        return word[:i] + word[i + 1] + word[i] + word[i + 2 :]
    if kind == "drop" and i > 0:
        return word[:i] + word[i + 1 :]
    # insert: the same key twice, or a neighbouring key as well
    extra = ch if rng.random() < 0.5 or not _NEIGHBOURS.get(ch) else rng.choice(_NEIGHBOURS[ch])
    return word[: i + 1] + extra + word[i + 1 :]


class Lexicons:
    def __init__(self) -> None:
        from pipeline.normalize import lexicon

        self.speller = lexicon.speller()
        self.codespell = lexicon.codespell()
        self.known = lexicon.known_words()
        by_correction: dict[str, list[str]] = defaultdict(list)
        for wrong, entry in self.codespell.items():
            corrections, fixable, _reason, rare = entry[:4]
            if fixable and not rare and len(corrections) == 1 and " " not in corrections[0] and wrong.isalpha():
                by_correction[corrections[0]].append(wrong)
        self.misspellings = {k: sorted(v) for k, v in by_correction.items()}

    def is_word(self, word: str) -> bool:
        lw = word.lower()
        return lw in self.speller.words or lw in self.known or lw in self.codespell


def _injected(rng: random.Random, kind: str, word: str, start: bool, lex: Lexicons, terms: list[str],
              foreign: list[str]) -> str | None:
    """What `word` becomes for an injection of `kind`, or None when the word does not suit it."""
    lower = word.islower()
    new = None
    capital = start and word[:1].isupper() and word[1:].islower()
    if len(word) >= 4 and ((kind == "typo" and lower) or (kind == "capital" and capital)):
        new = single_edit(rng, word)
    elif kind == "misspelling" and lower and lex.misspellings.get(word):
        new = rng.choice(lex.misspellings[word])
        return None if new in lex.speller.words else new
    elif kind == "doubled" and (word.lower() in FUNCTION_WORDS or rng.random() < 0.25):
        return f"{word} {word}"
    elif kind == "term" and lower and len(word) >= 4:
        return rng.choice(terms)
    elif kind == "handle" and lower and len(word) >= 3:
        name = rng.choice(_FIRST_NAMES)[: rng.choice((1, 3, 99))] + rng.choice(_SURNAMES)
        return rng.choice(("[{}]", "@{}", "[{}]")).format(name)
    elif kind == "foreign" and lower and len(word) >= 4:
        return rng.choice(foreign)
    if new is None or lex.is_word(new) or not new.isalpha():
        return None  # a real-word error is no spelling error
    return new


def inject(rng: random.Random, doc, lex: Lexicons, per_kind: int, terms: list[str], foreign: list[str],
           avoid: set[int]) -> tuple[str, list[Injection]]:
    """The document's text (front matter included) with errors and terms injected; what was injected."""
    text = doc.source.read_text(encoding="utf-8").replace("\r\n", "\n")
    lines = text.split("\n")
    sites = [s for s in prose_sites(doc) if s[0] not in avoid and s[0] + 1 not in avoid]
    rng.shuffle(sites)
    used: set[int] = set()
    edits: list[tuple[int, int, str, str]] = []  # (line, column, old, new)
    injections: list[Injection] = []
    quota = {"typo": per_kind, "capital": max(1, per_kind // 3), "misspelling": per_kind, "doubled": per_kind,
             "term": per_kind, "handle": max(1, per_kind // 3), "foreign": max(1, per_kind // 3)}
    pending = [k for k, n in quota.items() for _ in range(n)]
    rng.shuffle(pending)
    for line, col, word in sites:
        if not pending:
            break
        if line in used or line - 1 in used or line + 1 in used or lines[line][col : col + len(word)] != word:
            continue
        start = not lines[line][:col].strip() or lines[line][:col].rstrip()[-1:] in ".!?"
        for kind in dict.fromkeys(pending):
            new = _injected(rng, kind, word, start, lex, terms, foreign)
            if new is not None and new != word:
                break
        else:
            continue
        pending.remove(kind)
        used.add(line)
        kind = "typo" if kind == "capital" else kind
        if kind == "doubled" and rng.random() < 0.4 and col + len(word) == len(lines[line].rstrip()) and \
                line + 1 < len(lines) and lines[line + 1].strip() and lines[line + 1][:1].isalpha():
            # the repeat opens the next line of the paragraph
            edits.append((line + 1, 0, "", word + " "))
            used.add(line + 1)
            injections.append(Injection("doubled", line + 1, word, word, "across a line break", (line + 1, line + 2)))
            continue
        edits.append((line, col, word, new))
        injections.append(Injection(kind, line + 1, word, new, "", (line + 1,)))
    for line, col, old, new in sorted(edits, reverse=True):
        lines[line] = lines[line][:col] + new + lines[line][col + len(old) :]
    return "\n".join(lines), injections


# -- judging -----------------------------------------------------------------------------------------


def lint(path: Path, theme_dir: Path):
    from pipeline.load import load_document
    from pipeline.normalize import NormalizeOptions, normalize

    doc = load_document(path)
    normalize(doc, NormalizeOptions(theme_dir=theme_dir))
    return doc


def shown(change, threshold: float | None) -> bool:
    if change.applied:
        return True
    confidence = getattr(change, "confidence", None)
    return confidence is None or threshold is None or confidence >= threshold


def key(change) -> tuple:
    return (change.line, change.rule, change.before, change.after)


def judge(name: str, injections: list[Injection], clean: list, changes: list, threshold: float | None,
          result: Result) -> None:
    baseline = Counter(key(c) for c in clean if c.rule in WORD_RULES)
    offset = len(result.injections)
    for inj in injections:
        inj.document = name
    result.injections += injections
    by_line: dict[int, list[int]] = defaultdict(list)
    for k, inj in enumerate(injections):
        for line in inj.lines:
            by_line[line].append(k)
    claimed: dict[int, list] = defaultdict(list)
    for c in changes:
        if c.rule not in WORD_RULES:
            continue
        if baseline[key(c)] > 0:
            baseline[key(c)] -= 1
            continue
        site = [k for k in by_line.get(c.line, []) if _touches(injections[k], c)]
        if site:
            claimed[site[0]].append(c)
            continue
        if c.applied:
            result.wrong.append((name, c))
        elif shown(c, threshold):
            result.noise.append((name, c))
    for k, inj in enumerate(injections):
        found = claimed.get(k, [])
        result.notes[offset + k] = "; ".join(
            f"{c.after!r} [{getattr(c, 'confidence', None)}] {c.message}" for c in found
        )
        applied = [c for c in found if c.applied]
        visible = [c for c in found if not c.applied and shown(c, threshold)]
        if inj.kind in ("typo", "misspelling"):
            right = [c for c in applied if c.after.lower() == inj.original.lower()]
            if right:
                outcome = "fixed"
                result.fixed_by[offset + k] = right[0].rule
            elif applied:
                outcome = "wrong fix"
                result.wrong += [(name, c) for c in applied]
            elif any(inj.original.lower() in c.after.lower().split(" / ") for c in visible):
                outcome = "suggested"
                result.shown_true += 1
            elif visible:
                outcome = "other suggestion"
                result.noise += [(name, c) for c in visible]
            elif found:
                outcome = "hidden suggestion"
            else:
                outcome = "missed"
        elif inj.kind == "doubled":
            if applied and all(c.rule == "TYPO002" for c in applied):
                outcome = "fixed"
                result.fixed_by[offset + k] = "TYPO002"
            elif applied:
                outcome = "wrong fix"
                result.wrong += [(name, c) for c in applied]
            else:
                outcome = "missed"
        else:
            if applied:
                outcome = "changed"
                result.wrong += [(name, c) for c in applied]
            elif visible:
                outcome = "suggested"
                result.noise += [(name, c) for c in visible]
            else:
                outcome = "kept"
        result.outcome[offset + k] = outcome


def _touches(inj: Injection, change) -> bool:
    before = change.before.lower()
    if inj.kind == "doubled":
        return change.rule == "TYPO002" or inj.original.lower() in before
    words = re.findall(r"[^\W\d_]+", inj.injected.lower())
    return any(w in before for w in words)


# -- the run -----------------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seeds", type=int, default=3, help="how many seeds (default 3)")
    parser.add_argument("--first-seed", type=int, default=1, help="seeds FIRST..FIRST+N-1 (default 1)")
    parser.add_argument("--per-kind", type=int, default=3, help="injections of each kind per document")
    parser.add_argument("--threshold", type=float, default=None,
                        help="confidence a suggestion needs to be shown (default: the package's own)")
    parser.add_argument("--show", action="store_true", help="list misses, wrong changes and shown noise")
    parser.add_argument("--json", type=Path, help="write the counts as JSON here")
    parser.add_argument("--without", default="", help="comma-separated sources to switch off, to measure what "
                        "each one buys: wordfreq, lexicon (software names), document (its own words), foreign")
    args = parser.parse_args()
    # The package comes from the environment (or PYTHONPATH): the same script judges any checkout.
    switch_off(args.without)
    from pipeline.load import load_document
    from pipeline.theme import DEFAULT_THEME, load_theme

    threshold = args.threshold
    if threshold is None:
        try:
            from pipeline.document import SHOWN_CONFIDENCE as threshold
        except ImportError:
            threshold = None
    theme_dir = load_theme(DEFAULT_THEME).root
    lex = Lexicons()
    terms = [t for line in (DATA / "terms.txt").read_text(encoding="utf-8").splitlines()
             if not line.startswith("#") for t in line.split()]
    foreign = [line.split("\t", 1)[1] for line in (DATA / "foreign.txt").read_text(encoding="utf-8").splitlines()
               if line and not line.startswith("#")]
    result = Result()
    clean_cache: dict[Path, list] = {}
    started = time.perf_counter()
    documents = 0
    with tempfile.TemporaryDirectory() as tmp:
        for path in texts():
            doc = load_document(path)
            if not english(doc):
                continue
            documents += 1
            if path not in clean_cache:
                clean_cache[path] = lint(path, theme_dir).changes
                result.clean += [(path.name, c) for c in clean_cache[path] if c.rule in WORD_RULES]
            clean = clean_cache[path]
            avoid: set[int] = set()  # lines are not avoided: injections must not depend on the code judged
            for seed in range(args.first_seed, args.first_seed + args.seeds):
                rng = random.Random(f"{seed}:{path.name}")
                text, injections = inject(rng, doc, lex, args.per_kind, terms, foreign, avoid)
                target = Path(tmp) / path.name
                target.write_text(text, encoding="utf-8")
                changes = lint(target, theme_dir).changes
                judge(f"{path.name} (seed {seed})", injections, clean, changes, threshold, result)
    elapsed = time.perf_counter() - started
    report(result, documents, args, threshold, elapsed)


def switch_off(sources: str) -> None:
    """Make the named evidence sources know nothing (this process only)."""
    if not sources:
        return
    from pipeline.normalize import lexicon, spelling

    class NoWords:
        def uses(self, word: str) -> bool:
            return False

    off = {s.strip() for s in sources.split(",") if s.strip()}
    unknown = off - {"wordfreq", "lexicon", "document", "foreign"}
    if unknown:
        raise SystemExit(f"unknown source(s): {', '.join(sorted(unknown))}")
    if "wordfreq" in off:
        lexicon.english_frequencies = dict
        lexicon.common_english_words = lambda min_zipf: {}
    if "lexicon" in off:
        lexicon.software_names = frozenset
    if "document" in off:
        spelling.document_words = lambda ctx: NoWords()
    if "foreign" in off:
        spelling.foreign_phrase = lambda *args: False


def report(result: Result, documents: int, args: argparse.Namespace, threshold: float | None, elapsed: float) -> None:
    kinds: dict[str, Counter] = defaultdict(Counter)
    for k, inj in enumerate(result.injections):
        kinds[inj.kind + (" (across lines)" if inj.detail else "")][result.outcome[k]] += 1
    applied_right = sum(c["fixed"] for c in kinds.values())
    wrong = len(result.wrong)
    print(f"{documents} documents × {args.seeds} seeds, {len(result.injections)} injections, "
          f"{elapsed:.0f} s; suggestions shown at confidence ≥ {threshold}")
    print()
    print("| injected | n | fixed | suggested (shown) | hidden suggestion | missed | wrong fix / changed |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
    for kind in sorted(kinds):
        c = kinds[kind]
        n = sum(c.values())
        print(f"| {kind} | {n} | {c['fixed']} ({c['fixed'] / n:.0%}) | {c['suggested']} | "
              f"{c['hidden suggestion']} | {c['missed'] + c['kept'] + c['other suggestion']} | "
              f"{c['wrong fix'] + c['changed']} |")
    print()
    per_rule: dict[str, Counter] = defaultdict(Counter)
    for k in range(len(result.injections)):
        if result.outcome[k] == "fixed":
            per_rule[result.fixed_by[k]]["right"] += 1
    for _, c in result.wrong:
        per_rule[c.rule]["wrong"] += 1
    print("| rule | applied right | applied wrong | precision |")
    print("| --- | ---: | ---: | ---: |")
    for rule in sorted(per_rule):
        c = per_rule[rule]
        total = c["right"] + c["wrong"]
        print(f"| {rule} | {c['right']} | {c['wrong']} | {c['right'] / total:.3f} |")
    total = applied_right + wrong
    print(f"| all word rules | {applied_right} | {wrong} | {applied_right / total if total else 1:.3f} |")
    shown_total = result.shown_true + len(result.noise)
    print()
    print(f"Suggestions shown: {shown_total}, of which real (injected) typos with the right word: "
          f"{result.shown_true} ({result.shown_true / shown_total if shown_total else 0:.0%}).")
    applied = [c for _, c in result.clean if c.applied]
    visible = [c for _, c in result.clean if not c.applied and shown(c, threshold)]
    print(f"On the texts as published (no injection): {len(applied)} word changes applied "
          f"({', '.join(f'{r} {n}' for r, n in sorted(Counter(c.rule for c in applied).items()))}), "
          f"{len(visible)} suggestions shown, {len(result.clean) - len(applied) - len(visible)} hidden.")
    if args.show:
        print("\nWord changes on the texts as published:")
        for name, c in result.clean:
            state = "applied" if c.applied else "shown" if shown(c, threshold) else "hidden"
            print(f"  {name}:{c.line} {c.rule} {state} {c.before!r} → {c.after!r} "
                  f"[{getattr(c, 'confidence', None)}] ({c.message})")
        print("\nWrong applied changes:")
        for name, c in result.wrong:
            print(f"  {name}:{c.line} {c.rule} {c.before!r} → {c.after!r} ({c.message})")
        print("\nShown suggestions that are no injected typo:")
        for name, c in result.noise:
            print(f"  {name}:{c.line} {c.rule} {c.before!r} → {c.after!r} "
                  f"[{getattr(c, 'confidence', None)}] ({c.message})")
        print("\nInjected errors not fixed:")
        for k, inj in enumerate(result.injections):
            if inj.kind in ("typo", "misspelling", "doubled") and result.outcome[k] != "fixed":
                print(f"  {inj.kind}: {inj.injected!r} (for {inj.original!r}) {inj.document}:{inj.line}: "
                      f"{result.outcome[k]} {result.notes.get(k, '')}")
    if args.json:
        args.json.write_text(json.dumps({k: dict(v) for k, v in kinds.items()}, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
