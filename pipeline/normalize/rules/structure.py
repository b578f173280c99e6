"""Structure rules: headings, outline, pseudo-headings, stray breaks, wrapped lines.

Bylines are print structure, marked in the render stage (`pipeline.transforms.bylines`): a fenced
div written into the source would show as text on the site the page comes from.

These rules change structure or formatting only: the rendered text stays the same (the tests
compare the text of the rendered HTML before and after, as mdformat does).
"""

from __future__ import annotations

import re
import unicodedata

from markdown_it.token import Token

from pipeline.normalize import tokens as tk
from pipeline.normalize.engine import RuleContext
from pipeline.normalize.markdown import DIV_CLOSE, DIV_OPEN
from pipeline.normalize.registry import rule
from pipeline.transforms.bylines import looks_like_byline

# -- helpers ---------------------------------------------------------------------------------------

def _heading_line(level: int, children: list[Token]) -> str:
    return "#" * level + " " + tk.text_of(children).strip()


def _source(ctx: RuleContext, tok: Token) -> tuple[int, str]:
    line0 = tok.map[0] if tok.map else 0
    return line0, ctx.lines[line0].rstrip() if line0 < len(ctx.lines) else ""


def _comparable(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).casefold()
    return " ".join(re.sub(r"[^\w\s]", " ", text).split())


def _top_level_headings(tokens: list[Token]) -> list[int]:
    # Headings inside lists or block quotes are not part of the outline; those in fenced divs are.
    out = []
    depth = 0
    for i, tok in enumerate(tokens):
        if tok.type in (DIV_OPEN,):
            depth += 1
        elif tok.type == DIV_CLOSE:
            depth -= 1
        elif tok.type == "heading_open" and tok.level == depth:
            out.append(i)
    return out


# -- rules -----------------------------------------------------------------------------------------


@rule("HEAD001")
def heading_emphasis(ctx: RuleContext) -> None:
    """Headings lose emphasis that wraps the whole heading (`#### **Zuul**` → `#### Zuul`)."""
    toks = ctx.tokens
    for i, tok in enumerate(toks):
        if tok.type != "heading_open" or i + 1 >= len(toks):
            continue
        inline = toks[i + 1]
        kids = tk.strip_edges(inline.children or [])
        changed = False
        while (span := tk.wrapping_emphasis(kids)) is not None:
            kids = tk.strip_edges(kids[span[0] + 1 : span[1]])
            changed = True
        if not changed or not kids:
            continue
        line0, before = _source(ctx, tok)
        level = tk.heading_level(tok)
        if ctx.propose(line0, 0, before, _heading_line(level, kids), "emphasis around the whole heading removed"):
            inline.children = kids


@rule("HEAD002")
def duplicate_title(ctx: RuleContext) -> None:
    """A heading at the very top that repeats the document title is removed (writers render the title)."""
    toks = ctx.tokens
    title = ctx.doc.meta.title if ctx.doc.meta else ""
    if not title:
        return
    first = next((i for i, t in enumerate(toks) if t.type != "front_matter" and t.nesting >= 0), None)
    if first is None or toks[first].type != "heading_open" or tk.heading_level(toks[first]) != 1:
        return
    inline = toks[first + 1]
    if _comparable(tk.text_of(inline.children)) != _comparable(title):
        return
    line0, before = _source(ctx, toks[first])
    if ctx.propose(line0, 0, before, "", "heading repeats the document title (rendered from metadata)"):
        del toks[first : first + 3]


@rule("HEAD003")
def pseudo_headings(ctx: RuleContext) -> None:
    """Bold-only paragraphs that act as headings become headings at the right level (MD036)."""
    toks = ctx.tokens
    i = 0
    article_level = 0  # level of headings that carry bylines: the document's "articles"
    current_level = 0
    while i < len(toks):
        tok = toks[i]
        if tok.type == "heading_open" and tok.level == 0:
            current_level = tk.heading_level(tok)
            nxt = toks[i + 4] if i + 4 < len(toks) and toks[i + 3].type == "paragraph_open" else None
            if nxt is not None and looks_like_byline(tk.text_of(nxt.children)):
                article_level = current_level
        if not (tok.type == "paragraph_open" and tok.level == 0 and i + 2 < len(toks)):
            i += 1
            continue
        inline = toks[i + 1]
        kids = inline.children or []
        split = _pseudo_heading_split(kids)
        if split is None or i + 3 >= len(toks):
            i += 1
            continue
        title_kids, rest = split
        title_text = tk.text_of(title_kids).strip()
        if rest and looks_like_byline(f"{title_text}, {tk.text_of(rest)}"):
            # "**Name**\ Role, Organization": a signature or byline, not a heading.
            i += 1
            continue
        if rest:
            following = tk.text_of(rest)
        elif toks[i + 3].type == "paragraph_open" and i + 4 < len(toks):
            following = tk.text_of(toks[i + 4].children)
        else:
            following = ""
        # Pseudo-headings are siblings of each other: one level below the last real heading, or at
        # the article level when a byline follows (the bold line opens a new article).
        level = article_level if looks_like_byline(following) and article_level else min(current_level + 1, 6)
        line0, before = _source(ctx, tok)
        if not ctx.propose(
            line0,
            0,
            before,
            "#" * level + " " + title_text,
            f"bold paragraph used as a heading becomes a level-{level} heading",
        ):
            i += 1
            continue
        map_ = tok.map
        new = tk.heading(title_kids, 0, level, [map_[0], map_[0] + 1] if map_ else None)
        if rest:
            rest_map = [map_[0] + 1, map_[1]] if map_ else None
            new += tk.paragraph(rest, 0, rest_map)
        toks[i : i + 3] = new
        i += len(new)


def _pseudo_heading_split(kids: list[Token]) -> tuple[list[Token], list[Token]] | None:
    """(heading children, rest) when a paragraph opens with a bold line that acts as a heading."""
    # The bold part ends at the first line break; what follows (a byline, say) stays a paragraph.
    cut = next((k for k, c in enumerate(kids) if c.type in ("softbreak", "hardbreak")), len(kids))
    head, rest = tk.strip_edges(kids[:cut]), tk.strip_edges(kids[cut + 1 :])
    # A stray trailing backslash (`**Title**\` at the end of a paragraph) is not text.
    if head and head[-1].type == "text" and head[-1].content.strip() == "\\":
        head = tk.strip_edges(head[:-1])
    span = tk.wrapping_emphasis(head)
    if span is None or head[0].type != "strong_open":
        return None
    inner = tk.strip_edges(head[1:-1])
    # `***Title***`, `****Title****`: the heading keeps none of the wrapping emphasis (as HEAD001).
    while (inner_span := tk.wrapping_emphasis(inner)) is not None:
        inner = tk.strip_edges(inner[inner_span[0] + 1 : inner_span[1]])
    text = tk.text_of(inner).strip()
    # Measured as the word rules will leave it: a doubled word (TYPO002) must not keep a line from
    # being a heading in this run that it is in the next.
    written = text.split()
    words = [w for k, w in enumerate(written) if not k or w.lower() != written[k - 1].lower()]
    if not text or len(" ".join(words)) > 100 or len(words) > 14 or text[-1] in ".,;:!?" or not text[0].isalnum():
        return None
    if any(c.type in ("image", "html_inline") for c in inner):
        return None
    return inner, rest


@rule("HEAD004")
def outline(ctx: RuleContext) -> None:
    """Heading levels start at 1 and never skip a level (MD001), shifted consistently."""
    toks = ctx.tokens
    idx = _top_level_headings(toks)
    if not idx:
        return
    used = sorted({tk.heading_level(toks[i]) for i in idx})
    rank = {lvl: n + 1 for n, lvl in enumerate(used)}
    # MD001 only limits increments: the first heading keeps its rank (articles before the first
    # part stay articles), every later one is at most one level below the one before it.
    prev: int | None = None
    for i in idx:
        old = tk.heading_level(toks[i])
        new = rank[old] if prev is None else min(rank[old], prev + 1)
        prev = new
        if new == old:
            continue
        close = tk.closing_index(toks, i)
        line0, before = _source(ctx, toks[i])
        msg = f"heading level {old} → {new} (outline starts at 1, no skipped levels)"
        if ctx.propose(line0, 0, before, _heading_line(new, toks[i + 1].children or []), msg):
            tk.set_heading_level(toks[i], toks[close], new)
        else:
            prev = old


@rule("STRU001")
def stray_breaks(ctx: RuleContext) -> None:
    """A stray trailing backslash at the end of a paragraph, list item or heading is removed."""
    toks = ctx.tokens
    i = 0
    while i < len(toks):
        tok = toks[i]
        if tok.type == "inline" and tok.children and i > 0 and toks[i - 1].type in ("paragraph_open", "heading_open"):
            last = tok.children[-1]
            line0 = (tok.map[1] - 1) if tok.map else 0
            src = ctx.lines[line0].rstrip() if line0 < len(ctx.lines) else ""
            # Only a backslash written as a hard break (not an escaped `\\`) is stray.
            if (
                last.type == "text"
                and last.content.rstrip().endswith("\\")
                and src.endswith("\\")
                and not src.endswith("\\\\")
            ):
                stripped = last.content.rstrip()[:-1].rstrip()
                if ctx.propose(line0, len(src) - 1, src[-40:], src[:-1].rstrip()[-39:], "stray hard break removed"):
                    if stripped or len(tok.children) > 1:
                        last.content = stripped
                        tok.children = tk.strip_edges(tok.children) or tok.children
                        if not stripped:
                            tok.children = [c for c in tok.children if c is not last] or tok.children
                    else:
                        # The paragraph was nothing but the backslash: drop it.
                        del toks[i - 1 : i + 2]
                        continue
        i += 1


_ENTRY_START = re.compile(r"^(?:[A-Z0-9“\"'(\[]|https?://)")


@rule("STRU002", kind="suggest")
def glued_list_items(ctx: RuleContext) -> None:
    """A list item whose continuation line starts a new entry is split into two items (suggestion)."""
    toks = ctx.tokens
    i = 0
    while i < len(toks):
        tok = toks[i]
        if tok.type not in ("bullet_list_open", "ordered_list_open"):
            i += 1
            continue
        close = tk.closing_index(toks, i)
        items = [j for j in range(i + 1, close) if toks[j].type == "list_item_open" and toks[j].level == tok.level + 1]
        multi = [
            j
            for j in items
            if _first_inline(toks, j) is not None
            and any(c.type == "softbreak" for c in (_first_inline(toks, j).children or []))
        ]
        # Glue is an anomaly: most items of the list are single lines.
        if len(items) < 2 or len(multi) * 2 > len(items):
            i += 1
            continue
        for j in reversed(multi):
            _split_item(ctx, toks, j)
        i += 1


def _first_inline(toks: list[Token], item: int) -> Token | None:
    if item + 2 < len(toks) and toks[item + 1].type == "paragraph_open" and toks[item + 2].type == "inline":
        return toks[item + 2]
    return None


def _split_item(ctx: RuleContext, toks: list[Token], item: int) -> None:
    inline = _first_inline(toks, item)
    if inline is None:
        return
    kids = inline.children or []
    for k in range(len(kids) - 1, -1, -1):
        if kids[k].type != "softbreak":
            continue
        before_text = tk.text_of(kids[:k]).rstrip()
        after_text = tk.text_of(kids[k + 1 :]).lstrip()
        prev_line = before_text.split("\n")[-1]
        ends_entry = bool(re.search(r"[.:!?]$|https?://\S+$", prev_line))
        if not (ends_entry and _ENTRY_START.match(after_text)):
            continue
        line0 = (inline.map[0] if inline.map else 0) + sum(1 for c in kids[:k] if c.type == "softbreak") + 1
        marker = toks[item].markup or "-"
        if not ctx.propose(
            line0,
            0,
            after_text[:60],
            f"{marker} {after_text[:60]}",
            "continuation line looks like a separate list entry; proposed split into a new item",
            suggest=True,
        ):
            continue
        head, tail = tk.strip_edges(kids[:k]), tk.strip_edges(kids[k + 1 :])
        inline.children = head
        item_close = tk.closing_index(toks, item)
        lvl = toks[item].level
        new_item = tk.make("list_item_open", "li", 1, level=lvl, markup=toks[item].markup, info=toks[item].info)
        new_item.map = [line0, line0 + 1]
        new_close = tk.make("list_item_close", "li", -1, level=lvl, markup=toks[item].markup)
        hidden = toks[item + 1].hidden
        new_tokens = [new_item, *tk.paragraph(tail, lvl + 1, [line0, line0 + 1], hidden=hidden), new_close]
        toks[item_close + 1 : item_close + 1] = new_tokens
        kids = head


_ALERT_MARKER = re.compile(r"\s*\[!(?:NOTE|TIP|IMPORTANT|WARNING|CAUTION)\]\s*$", re.IGNORECASE)
_WIDE = re.compile(r"[\u1100-\u11ff\u2e80-\ua4cf\uac00-\ud7af\uf900-\ufaff\uff00-\uffef]")


@rule("STRU003")
def unwrap_paragraphs(ctx: RuleContext) -> None:
    """Hard-wrapped paragraphs are unwrapped to one line (soft breaks become spaces)."""
    for opener, inline in ctx.inlines():
        if opener is None or opener.type not in ("paragraph_open", "heading_open"):
            continue
        kids = inline.children or []
        if not any(c.type == "softbreak" for c in kids):
            continue
        # A GitHub alert's marker (`> [!NOTE]`) must stay alone on its line, or it is text.
        alert = len(kids) > 1 and kids[1].type == "softbreak" and bool(_ALERT_MARKER.match(tk.text_of(kids[:1])))
        new: list[Token] = []
        joined = 0
        template_lines = _template_lines(kids)
        line = 0
        # The last character of the text so far, kept as we go: recomputing the text of every
        # prefix was quadratic in the number of lines of a paragraph.
        left = ""
        for k, child in enumerate(kids):
            if child.type == "softbreak":
                right = tk.text_of(kids[k + 1 : k + 2])[:1]
                line += 1
                # Chinese/Japanese/Korean lines join without a space: leave those breaks alone. So
                # are the breaks around a line that is all site template (`{{< /tab >}}`): the site
                # reads that markup line by line, and the one after an alert's marker.
                if (k == 1 and alert) or _WIDE.match(left or " ") or _WIDE.match(right or " ") \
                        or {line - 1, line} & template_lines:
                    new.append(child)
                else:
                    joined += 1
                    new.append(tk.make("text", block=False, content=" "))
            else:
                new.append(child)
                line += child.type == "hardbreak"
            left = tk.text_of([child])[-1:] or left
        if not joined:
            continue
        line0 = inline.map[0] if inline.map else 0
        first = ctx.lines[line0].strip() if line0 < len(ctx.lines) else ""
        if ctx.propose(
            line0,
            0,
            _clip(first),
            _clip(first) + " …",
            f"hard-wrapped paragraph unwrapped ({joined + 1} lines joined)",
        ):
            inline.children = _merge_text(new)


_WHOLE_TEMPLATE = re.compile(r"(?:\s*(?:\{\{[<%].*?[>%]\}\}|\{%.*?%\}))+\s*")


def _template_lines(kids: list[Token]) -> set[int]:
    """Indexes of the paragraph's lines that hold only shortcodes or template tags."""
    if not any(c.type == "text" and "{" in c.content for c in kids):
        return set()
    found: set[int] = set()
    line, start = 0, 0
    for k in range(len(kids) + 1):
        if k == len(kids) or kids[k].type in ("softbreak", "hardbreak"):
            piece = kids[start:k]
            if piece and all(c.type == "text" for c in piece) and _WHOLE_TEMPLATE.fullmatch(tk.text_of(piece)):
                found.add(line)
            line, start = line + 1, k + 1
    return found


def _merge_text(kids: list[Token]) -> list[Token]:
    out: list[Token] = []
    for child in kids:
        if child.type == "text" and out and out[-1].type == "text":
            out[-1] = tk.make("text", block=False, content=out[-1].content + child.content)
        else:
            out.append(child)
    return out


def _clip(text: str, n: int = 60) -> str:
    return text if len(text) <= n else text[: n - 1] + "…"
