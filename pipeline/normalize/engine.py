"""The normalizer engine: parse, run the ordered rules on the token stream, render, verify, record.

Rules never touch the Markdown text directly. They edit markdown-it tokens through a `RuleContext`,
which records a `Change` for every edit (or suggestion) before it is made, and which decides whether
an edit is applied (fixes: always; suggestions: only when asked). The edited tree is rendered back with
mdformat's renderer, and the result is checked: re-parsed, it must carry the same text as the edited
tree. Where it does not, the blocks that differ are kept as written and named (see `safety.py`); if
that cannot be pinned on blocks, or anything raises, the document keeps its original body and gets
a warning: the normalizer never loses text and never stops the pipeline.
"""

from __future__ import annotations

import bisect
import difflib
import logging
import re
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from pipeline.document import Change, Document
from pipeline.normalize import markdown, math
from pipeline.normalize.config import Config, load_config
from pipeline.normalize.registry import Rule, select
from pipeline.normalize.safety import render_checked
from pipeline.normalize.tokens import template_spans
from pipeline.normalize.vocabulary import VOCABULARY_FILE, Vocabulary, load_vocabulary, vocabulary_files

if TYPE_CHECKING:
    from markdown_it.token import Token

    from pipeline.normalize import NormalizeOptions

log = logging.getLogger(__name__)

FORMAT_RULE = "FMT001"
ENGINE_CODE = "NORM000"
VERBATIM_CODE = "NORM001"
UNWRAP_CODE = "NORM002"
CYCLE_CODE = "NORM003"
# Emphasis inside emphasis looks the same past a couple of levels, but pandoc's DOCX writer is
# quadratic in the depth (1,000 levels: 23 s) and our AST walks recurse once per level.
MAX_EMPHASIS_DEPTH = 20
_EMPHASIS = frozenset(["em_open", "strong_open", "s_open"])
_EMPHASIS_CLOSE = frozenset(["em_close", "strong_close", "s_close"])


@dataclass
class Settings:
    """Options and config merged: what this run of the normalizer actually does."""

    fix_suggested: bool = False
    quote_style: str = "curly"
    rules: list[Rule] = field(default_factory=list)
    vocabulary: Vocabulary = field(default_factory=Vocabulary)
    config: Config = field(default_factory=Config)


def resolve_settings(doc: Document, options: NormalizeOptions) -> Settings:
    config_root = options.config_dir if options.config_dir is not None else doc.base_dir
    config = load_config(config_root) if options.use_config else Config()
    enable = tuple(options.enable) or config.enable
    disable = tuple(options.disable) + config.disable
    project_root = config.root if config.root is not None else options.config_dir
    vocab_files = vocabulary_files(doc.base_dir if options.use_config else None, project_root)
    vocab_files += list(config.vocabulary)
    if options.theme_dir is not None:
        vocab_files.append(options.theme_dir / VOCABULARY_FILE)
    vocab_files += list(options.vocabulary)
    return Settings(
        fix_suggested=options.fix_suggested or bool(config.fix_suggested),
        quote_style=options.quote_style or config.quote_style or "curly",
        rules=select(enable, disable),
        vocabulary=load_vocabulary(vocab_files),
        config=config,
    )


@dataclass
class TextRef:
    """A `text` token inside an inline token, with what a text rule needs to know about its place."""

    inline: Token
    index: int
    token: Token
    in_link: bool  # inside a Markdown link or an HTML <a>: never linkified
    url_text: bool  # the visible text of an autolink / URL-like link text: never edited by word rules
    block: str  # type of the enclosing block: paragraph_open, heading_open, th_open, td_open...
    # Spans of this token inside a shortcode, template tag or JSX expression (`template_spans`).
    shielded: list[tuple[int, int]] = field(default_factory=list)

    def previous_char(self) -> str:
        """The character just before this token in its inline, or '' at the start of the block."""
        children = self.inline.children or []
        # Walk back by index: slicing the children would copy them, once per text token of a
        # paragraph (quadratic in a paragraph of thousands of links or emphasis runs).
        for k in range(self.index - 1, -1, -1):
            child = children[k]
            if child.type in ("softbreak", "hardbreak"):
                return " "
            if child.content:
                return child.content[-1]
            if child.type == "code_inline":
                return "x"
        return ""


class RuleContext:
    """What a rule sees: the tokens, the document, the settings, and the way to record edits."""

    def __init__(self, doc: Document, settings: Settings, tokens: list[Token], env: dict[str, Any]) -> None:
        self.doc = doc
        self.settings = settings
        self.tokens = tokens
        self.env = env
        self.lines = doc.body.split("\n")
        self.changes: list[Change] = []
        self.rule: Rule | None = None
        self._cache: dict[str, Any] = {}
        self._cursors: dict[tuple[str, object, int], tuple[int, int]] = {}
        self._blocks: dict[tuple[int, int], tuple[int, str, list[int]]] = {}

    # -- recording ---------------------------------------------------------------------------------
    @property
    def vocabulary(self) -> Vocabulary:
        return self.settings.vocabulary

    def source_line(self, line0: int | None) -> int:
        """1-based line in the source file for a 0-based body line."""
        return self.doc.body_line + (line0 or 0)

    def propose(
        self,
        line0: int | None,
        col0: int | None,
        before: str,
        after: str,
        message: str = "",
        *,
        suggest: bool = False,
        never_apply: bool = False,
        rule_id: str | None = None,
        confidence: float | None = None,
    ) -> bool:
        """Record an edit; return True when the rule must apply it (a fix, or an accepted suggestion)."""
        rule = self.rule
        rid = rule_id or (rule.id if rule else "RULE")
        is_suggestion = suggest or (rule is not None and rule.kind == "suggest")
        # Ambiguous findings (several candidates) are reported but never applied, whatever the options.
        applied = (not is_suggestion or self.settings.fix_suggested) and not never_apply
        self.changes.append(
            Change(
                rule=rid,
                path=self.doc.source,
                line=self.source_line(line0),
                column=(col0 or 0) + 1,
                before=before,
                after=after,
                message=message or (rule.description if rule else ""),
                applied=applied,
                confidence=confidence,
            )
        )
        return applied

    def warn(self, code: str, message: str, line0: int | None = None, col0: int | None = None) -> None:
        self.doc.warn(code, message, self.source_line(line0), None if col0 is None else col0 + 1)

    # -- locating ----------------------------------------------------------------------------------
    def locate_next(self, token: Token | None, snippet: str, stream: object = None) -> tuple[int, int]:
        """0-based (line, column) of `snippet` in the source of `token`'s block, after the last finding of `stream`.

        A rule that walks a block reports its findings in order, so each is searched after the
        one before (per rule, per block, per `stream` such as a pattern): the right occurrence of
        a repeated word, and linear in a long block, where searching every finding from the
        block's first line was quadratic. A snippet the source does not hold as such (markup or a
        line break inside it) is found by its first word; failing that, at the previous finding.
        """
        key = (self.rule.id if self.rule else "", stream, id(token))
        after = self._cursors.get(key)
        found = self._find(token, snippet, after) if snippet else None
        if found is None and snippet.split() and snippet.split()[0] != snippet:
            found = self._find(token, snippet.split()[0], after)
        if found is None:
            found = after if after is not None else self._block_start(token)
        self._cursors[key] = found
        return found

    def _block_start(self, token: Token | None) -> tuple[int, int]:
        start = token.map[0] if token is not None and token.map else 0
        line = self.lines[start] if start < len(self.lines) else ""
        return start, len(line) - len(line.lstrip())

    def _find(self, token: Token | None, snippet: str, after: tuple[int, int] | None) -> tuple[int, int] | None:
        """Where `snippet` first occurs in the token's block after `after` (exclusive), or None."""
        start, text, offsets = self._block(token)
        begin = 0
        if after is not None and after[0] >= start:
            if after[0] - start >= len(offsets):
                return None
            begin = offsets[after[0] - start] + after[1] + 1
        # One search in the block's joined text: in C, however long the block, where a Python loop
        # over its lines made every absent snippet cost a pass over the block.
        at = text.find(snippet, begin)
        # A word is found as a word: `shal` is not the start of an earlier `shall`.
        while at >= 0 and _inside_word(text, snippet, at):
            at = text.find(snippet, at + 1)
        if at < 0 and " " in snippet.strip():
            # Words a rule sees side by side may stand on two source lines ("of⏎of", joined by
            # the unwrapping rule before the doubled-word rule reads them).
            spaced = re.compile(r"\s+".join(map(re.escape, snippet.split())))
            found = spaced.search(text, begin)
            at = found.start() if found else -1
        if at < 0:
            return None
        k = bisect.bisect_right(offsets, at) - 1
        return start + k, at - offsets[k]

    def _block(self, token: Token | None) -> tuple[int, str, list[int]]:
        """(first line, the block's lines joined, offset of each line in that text), cached."""
        start, end = token.map if token is not None and token.map else (0, 1)
        key = (start, end)
        cached = self._blocks.get(key)
        if cached is None:
            lines = self.lines[start:end]
            offsets = []
            position = 0
            for line in lines:
                offsets.append(position)
                position += len(line) + 1
            cached = self._blocks[key] = (start, "\n".join(lines), offsets)
        return cached

    # -- walking -----------------------------------------------------------------------------------
    def inlines(self) -> Iterator[tuple[Token | None, Token]]:
        """(enclosing block open token, inline token) for every inline token, in order."""
        opener: Token | None = None
        for tok in self.tokens:
            if tok.nesting == 1:
                opener = tok
            elif tok.type == "inline":
                yield opener, tok

    def texts(self) -> Iterator[TextRef]:
        """Every `text` token a text rule may read; code, HTML, autolink URLs are not `text` here."""
        for opener, inline in self.inlines():
            block = opener.type if opener is not None else ""
            children = inline.children or []
            shielded = template_spans(children)
            for index, spans in math.bracket_spans(children).items():
                shielded[index] = shielded.get(index, []) + spans
            link_depth = 0
            html_a = 0
            auto = False
            for i, child in enumerate(children):
                t = child.type
                if t == "link_open":
                    link_depth += 1
                    auto = child.info == "auto" or child.markup == "linkify"
                elif t == "link_close":
                    link_depth = max(0, link_depth - 1)
                    auto = False
                elif t == "html_inline":
                    if re.match(r"<a[\s>]", child.content, re.IGNORECASE):
                        html_a += 1
                    elif re.match(r"</a\s*>", child.content, re.IGNORECASE):
                        html_a = max(0, html_a - 1)
                elif t == "text":
                    in_link = link_depth > 0 or html_a > 0
                    url_text = auto or (in_link and _looks_like_url(child.content))
                    yield TextRef(inline, i, child, in_link, url_text, block, shielded.get(i, []))

    def memo(self, key: str, factory: Callable[[], Any]) -> Any:
        if key not in self._cache:
            self._cache[key] = factory()
        return self._cache[key]

    def english(self) -> bool:
        """Spelling rules use English dictionaries: only run them on English text."""

        def decide() -> bool:
            lang = (self.doc.meta.lang or "en").lower() if self.doc.meta else "en"
            if not lang.startswith("en"):
                return False
            letters = len(_LETTER.findall(self.doc.body))
            if not letters:
                return False
            return len(_ASCII_LETTER.findall(self.doc.body)) / letters > 0.9

        return bool(self.memo("english", decide))


def _inside_word(text: str, snippet: str, at: int) -> bool:
    """True when `snippet`, found at `at`, begins or ends with a letter that continues into the text."""
    before = text[at - 1 : at] if at else ""
    after = text[at + len(snippet) : at + len(snippet) + 1]
    return (snippet[:1].isalnum() and before.isalnum()) or (snippet[-1:].isalnum() and after.isalnum())


_LETTER = re.compile(r"[^\W\d_]")
_ASCII_LETTER = re.compile(r"[A-Za-z]")
_URLISH = re.compile(r"^\s*(?:[a-z][a-z0-9+.-]*:|www\.|[\w.-]+\.[a-z]{2,}(?:/|$))", re.IGNORECASE)


def _looks_like_url(text: str) -> bool:
    return bool(_URLISH.match(text)) or "@" in text


# -- the run ---------------------------------------------------------------------------------------
def run(doc: Document, options: NormalizeOptions) -> Document:
    """Normalize `doc` in place and return it; never raises."""
    started = time.perf_counter()
    original = doc.body
    try:
        settings = resolve_settings(doc, options)
    except Exception as exc:
        doc.warn(ENGINE_CODE, f"normalizer settings ignored: {exc}")
        from pipeline.normalize import NormalizeOptions as _Options

        settings = resolve_settings(doc, _Options(use_config=False, theme_dir=options.theme_dir))
    try:
        # Before anything that may keep the document as written: pandoc must never see a cycle.
        original, fixes = _break_footnote_cycles(doc, original)
        doc.body = original
        tokens, env = markdown.parse(original)
    except markdown.KeptAsWritten as exc:
        doc.warn(VERBATIM_CODE, f"{exc}: the document is left as written, not normalized", doc.body_line)
        return doc
    except Exception as exc:  # markdown-it is robust, but a plugin might not be
        doc.warn(ENGINE_CODE, f"cannot parse the Markdown, left unchanged: {exc}", doc.body_line)
        return doc

    # Blocks the parser or the renderer cannot handle safely (nested deeper than markdown-it
    # reads, too many lists in a row) come back as written (see markdown.parse); the author hears
    # why they were not cleaned.
    for first, end, reason in env.get(markdown.VERBATIM_LINES, ()):
        where = f"line {doc.body_line + first}" if end - first <= 1 else (
            f"lines {doc.body_line + first}–{doc.body_line + end - 1}"
        )
        doc.warn(VERBATIM_CODE, f"{reason}: {where} left as written, not normalized", doc.body_line + first)

    for line0, depth in _unwrap_deep_emphasis(tokens):
        doc.warn(
            UNWRAP_CODE,
            f"emphasis nested {depth} levels deep: the levels past {MAX_EMPHASIS_DEPTH} were unwrapped "
            "(their text is kept)",
            doc.body_line + line0,
        )

    ctx = RuleContext(doc, settings, tokens, env)
    ctx.changes.extend(fixes)
    for rule in settings.rules:
        ctx.rule = rule
        try:
            rule(ctx)
        except Exception as exc:
            log.debug("rule %s failed", rule.id, exc_info=True)
            doc.warn(ENGINE_CODE, f"rule {rule.id} failed and was skipped: {exc!r}", doc.body_line)
    ctx.rule = None

    try:
        body, kept = render_checked(tokens, env, original)
    except Exception as exc:
        doc.warn(ENGINE_CODE, f"normalized text failed the safety check, body left unchanged: {exc}", doc.body_line)
        doc.changes.extend(replace(c, applied=False) for c in ctx.changes)
        return doc
    for block in kept:
        first, last = doc.body_line + block.start, doc.body_line + block.end - 1
        where = f"line {first}" if last <= first else f"lines {first}–{last}"
        doc.warn(VERBATIM_CODE, f"the {block.describe()} at {where} did not keep its text when normalized: "
                 "left as written, not normalized", first)
        ctx.changes = [replace(c, applied=False) if first <= c.line <= last else c for c in ctx.changes]

    if not original.endswith("\n") and body.endswith("\n") and original.strip():
        pass  # canonical Markdown ends with a newline; that is formatting, recorded below
    if options.check_links:
        try:
            from pipeline.normalize.linkcheck import check_document

            check_document(doc, tokens=tokens)
        except Exception as exc:
            doc.warn(ENGINE_CODE, f"online link check failed: {exc!r}", doc.body_line)
    ctx.changes.extend(_format_changes(doc, original, body, ctx.changes))
    ctx.changes.sort(key=lambda c: (c.line, c.column))
    doc.changes.extend(ctx.changes)
    doc.body = body
    doc.artifacts.setdefault("normalize", {})["seconds"] = time.perf_counter() - started
    return doc


def _break_footnote_cycles(doc: Document, text: str) -> tuple[str, list[Change]]:
    """Escape the footnote references that close a cycle of notes; the new text and the edits.

    `[^1]: see [^1]` (or 1 → 2 → 1) makes pandoc's CommonMark and GFM readers expand the notes
    forever: 9 bytes of Markdown took 20 GB of memory in two minutes (found by the fuzzer). The
    references become text (`\\[^1]`) in the source, so even a document the normalizer otherwise
    keeps as written reaches pandoc without the cycle.
    """
    if text.count("[^") < 2:
        return text, []
    env: dict[str, Any] = {}
    tokens = markdown.parser().parse(text, env)  # the raw parse: nothing is kept as written here
    refs: list[tuple[str, Token, str]] = []  # (note, inline holding the reference, referenced note)
    note: str | None = None
    for tok in tokens:
        if tok.type == "footnote_open":
            note = str(tok.meta.get("label", ""))
        elif tok.type == "footnote_close":
            note = None
        elif note is not None and tok.children:
            refs += [(note, tok, str(c.meta.get("label", ""))) for c in tok.children if c.type == "footnote_ref"]
    graph: dict[str, set[str]] = {}
    for source, _, target in refs:
        graph.setdefault(source, set()).add(target)
    component = _components(graph)
    cyclic = {
        (tuple(inline.map), target)
        for source, inline, target in refs
        if inline.map and source in component and component[source] == component.get(target)
    }
    if not cyclic:
        return text, []
    lines = re.split(r"\r\n?|\n", text)
    changes: list[Change] = []
    for (start, end), label in sorted(cyclic):
        pattern = re.compile(r"(?<!\\)\[\^" + re.escape(label) + r"\]")
        for i in range(start, min(end, len(lines))):
            line = lines[i]

            def escape(m: re.Match[str], line: str = line) -> str:
                # `[^1]:` opening a line is the definition itself, not a reference.
                if not line[: m.start()].strip(" >") and line[m.end() : m.end() + 1] == ":":
                    return m.group(0)
                return "\\" + m.group(0)

            fixed = pattern.sub(escape, line)
            if fixed != line:
                lines[i] = fixed
                changes.append(
                    Change(CYCLE_CODE, doc.source, doc.body_line + i, line.find("[^" + label) + 1, line.strip(),
                           fixed.strip(), f"footnote [^{label}] leads back to itself: reference kept as text")
                )
        doc.warn(
            CYCLE_CODE,
            f"footnote [^{label}] leads back to itself through footnote references; the reference is kept as "
            "text (pandoc cannot convert a cycle of notes: it runs until memory is gone)",
            doc.body_line + start,
        )
    return "\n".join(lines), changes


def _components(graph: dict[str, set[str]]) -> dict[str, int]:
    """Strongly connected component of each node that lies on a cycle (Tarjan, without recursion)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    result: dict[str, int] = {}
    counter = 0
    for root in graph:
        if root in index:
            continue
        work: list[tuple[str, Iterator[str]]] = [(root, iter(graph.get(root, ())))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, successors = work[-1]
            advanced = False
            for nxt in successors:
                if nxt not in index:
                    index[nxt] = low[nxt] = counter
                    counter += 1
                    stack.append(nxt)
                    on_stack.add(nxt)
                    work.append((nxt, iter(graph.get(nxt, ()))))
                    advanced = True
                    break
                if nxt in on_stack:
                    low[node] = min(low[node], index[nxt])
            if advanced:
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                members = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    members.append(member)
                    if member == node:
                        break
                # A single node is on a cycle only when it refers to itself.
                if len(members) > 1 or node in graph.get(node, ()):
                    for member in members:
                        result[member] = index[node]
    return result


def _unwrap_deep_emphasis(tokens: list[Token]) -> list[tuple[int, int]]:
    """Drop emphasis markers nested deeper than MAX_EMPHASIS_DEPTH; (line, depth) per paragraph."""
    found: list[tuple[int, int]] = []
    for tok in tokens:
        children = tok.children
        if tok.type != "inline" or not children:
            continue
        depth = deepest = 0
        dropped: list[bool] = []  # per open emphasis: was it dropped?
        kept: list[Token] = []
        for child in children:
            if child.type in _EMPHASIS:
                depth += 1
                deepest = max(deepest, depth)
                dropped.append(depth > MAX_EMPHASIS_DEPTH)
                if dropped[-1]:
                    continue
            elif child.type in _EMPHASIS_CLOSE and dropped:
                depth -= 1
                if dropped.pop():
                    continue
            kept.append(child)
        if deepest > MAX_EMPHASIS_DEPTH:
            # Text that was split by the dropped markers is one text again, as a re-parse of the
            # output will see it (so the word rules judge it the same way on the next run).
            merged: list[Token] = []
            for child in kept:
                if child.type == "text" and merged and merged[-1].type == "text":
                    merged[-1] = merged[-1].copy(content=merged[-1].content + child.content)
                else:
                    merged.append(child)
            tok.children = merged
            found.append(((tok.map or (0, 0))[0], deepest))
    return found


def _format_changes(doc: Document, before: str, after: str, recorded: list[Change]) -> list[Change]:
    """FMT001 records for the lines the renderer changed that no rule has accounted for."""
    old = before.split("\n")
    new = after.split("\n")
    while old and not old[-1].strip():
        old.pop()
    while new and not new[-1].strip():
        new.pop()
    touched = {c.line - doc.body_line for c in recorded}
    out: list[Change] = []
    hunks: list[tuple[int, list[str], list[str]]] = []
    for tag, i1, i2, j1, j2 in line_opcodes(old, new):
        if tag == "equal":
            continue
        if tag == "replace" and i2 - i1 == j2 - j1:
            # Same number of lines: judge line by line, so a rule's edit on one line does not hide
            # the formatter's edits on its neighbours.
            for k in range(i2 - i1):
                if old[i1 + k] != new[j1 + k] and (i1 + k) not in touched:
                    hunks.append((i1 + k, [old[i1 + k]], [new[j1 + k]]))
            continue
        # A hunk at or right after a recorded change is part of it (e.g. a byline's closing fence).
        if any(i1 - 1 <= t < max(i2, i1 + 1) for t in touched):
            continue
        hunks.append((i1, old[i1:i2], new[j1:j2]))
    for i1, a, b in _merge_hunks(hunks):
        if not "".join(a).strip() and not "".join(b).strip():
            continue  # blank lines only
        tail_only = [x.rstrip() for x in a] == b
        if tail_only:
            message = "trailing whitespace removed"
        elif [" ".join(x.split()) for x in a] == [" ".join(x.split()) for x in b]:
            message = "runs of spaces reduced"
        elif len(a) == len(b) and all(re.sub(r"^(\s*)[*+]", r"\1-", x) == y for x, y in zip(a, b, strict=True)):
            message = "list markers made consistent"
        else:
            message = "reformatted to canonical Markdown (rendered text unchanged)"
        out.append(
            Change(
                rule=FORMAT_RULE,
                path=doc.source,
                line=doc.body_line + i1,
                column=1,
                before=_clip("\n".join(_tail(x) for x in a) if tail_only else "\n".join(a)),
                after=_clip("\n".join(_tail(x) for x in b) if tail_only else "\n".join(b)),
                message=message,
                applied=True,
            )
        )
    return out


Opcode = tuple[str, int, int, int, int]
# A gap between anchors bigger than this (old lines × new lines) is one hunk rather than a
# SequenceMatcher run, which is quadratic in it.
_GAP_CELLS = 1_000_000


def _blank(line: str) -> bool:
    return not line.strip()


def common_ends(a: Sequence[Any], b: Sequence[Any]) -> tuple[int, int]:
    """How many leading and trailing items `a` and `b` share (the two never overlap)."""
    shortest = min(len(a), len(b))
    prefix = 0
    while prefix < shortest and a[prefix] == b[prefix]:
        prefix += 1
    suffix = 0
    while suffix < shortest - prefix and a[-1 - suffix] == b[-1 - suffix]:
        suffix += 1
    return prefix, suffix


def line_opcodes(old: list[str], new: list[str]) -> list[Opcode]:
    """difflib-style opcodes turning `old` lines into `new`, in about linear time.

    SequenceMatcher alone is quadratic when changes are scattered (a hard-break style document
    with trailing spaces on every other line: 16,000 lines took 21 s) or lines repeat. Patience
    diff's idea fixes that: lines that occur exactly once on each side and keep their order are
    anchors, and SequenceMatcher only aligns the short gaps between them. Blank lines are junk:
    they are everywhere and the renderer adds and removes them freely.
    """
    prefix, suffix = common_ends(old, new)
    ops: list[Opcode] = []
    if prefix:
        ops.append(("equal", 0, prefix, 0, prefix))
    previous = (prefix, prefix)
    for i, j in _anchors(old, new, prefix, len(old) - suffix, len(new) - suffix):
        ops += _gap(old, new, previous[0], i, previous[1], j)
        ops.append(("equal", i, i + 1, j, j + 1))
        previous = (i + 1, j + 1)
    ops += _gap(old, new, previous[0], len(old) - suffix, previous[1], len(new) - suffix)
    if suffix:
        ops.append(("equal", len(old) - suffix, len(old), len(new) - suffix, len(new)))
    merged: list[Opcode] = []
    for op in ops:
        if merged and op[0] == merged[-1][0] == "equal":
            last = merged[-1]
            merged[-1] = ("equal", last[1], op[2], last[3], op[4])
        else:
            merged.append(op)
    return merged


def _anchors(old: list[str], new: list[str], start: int, old_end: int, new_end: int) -> list[tuple[int, int]]:
    """(old index, new index) of lines unique on both sides, longest run in the same order."""
    seen_old: dict[str, int] = {}
    for i in range(start, old_end):
        if not _blank(old[i]):
            seen_old[old[i]] = -1 if old[i] in seen_old else i
    seen_new: dict[str, int] = {}
    for j in range(start, new_end):
        if new[j] in seen_old:
            seen_new[new[j]] = -1 if new[j] in seen_new else j
    pairs = sorted((i, seen_new[line]) for line, i in seen_old.items() if i >= 0 and seen_new.get(line, -1) >= 0)
    # Longest increasing subsequence of the new indexes (patience sorting, O(k log k)).
    tails: list[int] = []  # new index ending the best run of each length
    tail_at: list[int] = []  # position in `pairs` of that ending
    back: list[int] = []
    for k, (_, j) in enumerate(pairs):
        n = bisect.bisect_left(tails, j)
        back.append(tail_at[n - 1] if n else -1)
        if n == len(tails):
            tails.append(j)
            tail_at.append(k)
        else:
            tails[n] = j
            tail_at[n] = k
    chain: list[tuple[int, int]] = []
    k = tail_at[-1] if tail_at else -1
    while k >= 0:
        chain.append(pairs[k])
        k = back[k]
    return chain[::-1]


def _gap(old: list[str], new: list[str], i1: int, i2: int, j1: int, j2: int) -> list[Opcode]:
    if i1 == i2 and j1 == j2:
        return []
    if i1 == i2:
        return [("insert", i1, i2, j1, j2)]
    if j1 == j2:
        return [("delete", i1, i2, j1, j2)]
    if (i2 - i1) * (j2 - j1) > _GAP_CELLS:
        return [("replace", i1, i2, j1, j2)]
    matcher = difflib.SequenceMatcher(_blank, old[i1:i2], new[j1:j2], autojunk=False)
    return [(tag, a1 + i1, a2 + i1, b1 + j1, b2 + j1) for tag, a1, a2, b1, b2 in matcher.get_opcodes()]


def _merge_hunks(hunks: list[tuple[int, list[str], list[str]]]) -> list[tuple[int, list[str], list[str]]]:
    """Join one-line hunks on consecutive lines (a whole list's markers is one record, not twenty)."""
    merged: list[tuple[int, list[str], list[str]]] = []
    for start, a, b in sorted(hunks, key=lambda h: h[0]):
        if merged and len(a) == len(b) == 1 and merged[-1][0] + len(merged[-1][1]) == start:
            prev_start, pa, pb = merged[-1]
            if len(pa) == len(pb):
                merged[-1] = (prev_start, pa + a, pb + b)
                continue
        merged.append((start, a, b))
    return merged


def _tail(line: str, keep: int = 30) -> str:
    # For whitespace-only edits the end of the line is the whole story.
    return line if len(line) <= keep else "…" + line[-keep:]


def _clip(text: str, limit: int = 300) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
