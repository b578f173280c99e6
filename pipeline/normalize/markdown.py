"""The Markdown dialect the normalizer reads and writes.

CommonMark + GFM tables, strikethrough and task lists + footnotes + pandoc fenced divs + TeX math
(`pipeline.normalize.math`, the dollar syntax pandoc reads), parsed with
markdown-it-py and rendered back with mdformat's renderer. Pandoc's `commonmark_x` reader, which the
writers use, understands every construct we emit, so both sides agree on what the text means.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Sequence
from functools import lru_cache
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any, NamedTuple

from pipeline.normalize.math import POSTPROCESSORS as MATH_POSTPROCESSORS
from pipeline.normalize.math import RENDERERS as MATH_RENDERERS
from pipeline.normalize.math import use_math

if TYPE_CHECKING:
    from markdown_it import MarkdownIt
    from markdown_it.token import Token
    from mdformat.renderer import RenderContext, RenderTreeNode

# The container plugin names its tokens after this; every fenced div shares it.
DIV = "div"
DIV_OPEN = f"container_{DIV}_open"
DIV_CLOSE = f"container_{DIV}_close"

# A top-level block the parser could not read to the end (nesting deeper than `maxNesting`): one
# token holding its source lines, which no rule reads and the renderer writes back unchanged.
VERBATIM = "verbatim"
# env key: the (first line, end line) of each such block, for the engine to report.
VERBATIM_LINES = "pipeline_verbatim_lines"
_TOO_DEEP = "pipeline_too_deep"
_IN_FOOTNOTE = "pipeline_in_footnote"
_NESTED_FOOTNOTE = "pipeline_nested_footnote"


class KeptAsWritten(ValueError):
    """A problem block that cannot be set apart (inside a footnote): keep the whole document."""

_LISTS = ("bullet_list_open", "ordered_list_open")
# mdformat picks a list's marker by walking back over every list right before it: quadratic in
# a run of adjacent lists (4,000 took 24 s). Longer runs are kept as written.
MAX_LIST_RUN = 100

_DIV_PARAMS = re.compile(r"^\s*(\{[^{}\n]*\}|[\w-]+(?:\s*\{[^{}\n]*\})?)\s*$")


def _is_fenced_div(params: str, *_: Any) -> bool:
    # Pandoc only opens a div when the fence carries attributes or a class word; a bare `:::` closes.
    return bool(_DIV_PARAMS.match(params))


def _render_div(node: RenderTreeNode, context: RenderContext) -> str:
    # The fences come back as the author wrote them (`:::note`, `::: tip`, `::::: {.x}`), blank lines
    # inside included: to a GFM site they are paragraphs of text, and `::: tip` + a blank line +
    # text is two paragraphs where `::: tip` + text is one.
    marker = node.markup or ":::"
    written = node.meta if isinstance(node.meta, dict) else {}
    inner = "\n\n".join(child.render(context) for child in node.children)
    opening = written.get("open") or f"{marker} {node.info.strip()}"
    closing = written.get("close", marker)
    if not inner:
        return f"{opening}\n{closing}" if closing else opening
    after_open = "\n\n" if written.get("gap_open") else "\n"
    before_close = "\n\n" if written.get("gap_close") else "\n"
    return f"{opening}{after_open}{inner}{before_close}{closing}" if closing else f"{opening}{after_open}{inner}"


def _render_front_matter(node: RenderTreeNode, context: RenderContext) -> str:
    # Front matter is never touched: it comes back byte for byte.
    return f"{node.markup}\n{node.content}{node.markup}" if node.content else f"{node.markup}\n{node.markup}"


_TICK_BOX = re.compile(r"^\[([ xX])\](?![(\[:])", flags=re.MULTILINE)


def _escape_tick_box(text: str, node: RenderTreeNode, context: RenderContext) -> str:
    # mdformat-gfm escapes every line-initial `[x]`, which also breaks a link whose text is "x"
    # (`[x](url)` → `\[x\](url)`); only a bare tick box needs escaping.
    return _TICK_BOX.sub(r"\[\g<1>\]", text)


# `[text]({{< ref "page.md" >}})`, `![x]({{ site.baseurl }}/a.png)`: a link whose target a site
# template writes. Markdown readers see text (the target has spaces), so mdformat escapes the
# brackets; the site expands the template first and reads a link, which the escapes would break.
_TEMPLATE_LINK = re.compile(r"(!?)\\\[((?:[^\[\]\n]|\\[^\[\]])*?)\\\]\((?=\s*\{[{%])")


def _keep_template_links(text: str, node: RenderTreeNode, context: RenderContext) -> str:
    if "](" not in text or "{" not in text:
        return text
    return _TEMPLATE_LINK.sub(r"\1[\2](", text)


def _escape_tick_box_and_keep_template_links(text: str, node: RenderTreeNode, context: RenderContext) -> str:
    return _keep_template_links(_escape_tick_box(text, node, context), node, context)


def _gfm_renderers() -> SimpleNamespace:
    import mdformat.plugins

    gfm = mdformat.plugins.PARSER_EXTENSIONS["gfm"]
    postprocessors = dict(gfm.POSTPROCESSORS)
    postprocessors["paragraph"] = _escape_tick_box_and_keep_template_links
    return SimpleNamespace(CHANGES_AST=False, RENDERERS=gfm.RENDERERS, POSTPROCESSORS=postprocessors)


def _render_verbatim(node: RenderTreeNode, context: RenderContext) -> str:
    # A block kept as the author wrote it. Its reference links still need their definitions, which
    # mdformat writes at the end for the labels it saw used.
    if "[" in node.content:  # it may use or define references
        context.env["used_refs"].update(_definitions_needed(node.content, node.meta.get("refs", ()), context.env))
    return node.content


def _definitions_needed(content: str, used: Sequence[str], env: dict[str, Any]) -> list[str]:
    """The labels a verbatim block uses and does not define itself.

    A label it defines differently from the rest of the document cannot be kept: the first
    definition wins, and written back at the end the other one would come first on the next read.
    """
    own: dict[str, Any] = {}
    parser().parse(content, own)
    defined = own.get("references", {})
    for label, ref in defined.items():
        first = env.get("references", {}).get(label)
        if first is not None and (first.get("href"), first.get("title")) != (ref.get("href"), ref.get("title")):
            raise ValueError(f"reference [{label.lower()}] is defined twice, differently, near a block kept as written")
    return [label for label in used if label not in defined]


def reference_labels(tokens: Sequence[Token]) -> list[str]:
    """The reference labels (`[text][label]`) the links and images in `tokens` use."""
    labels: list[str] = []
    stack = list(tokens)
    while stack:
        token = stack.pop()
        if token.children:
            stack.extend(token.children)
        if token.type in ("link_open", "image") and token.meta.get("label"):
            labels.append(token.meta["label"])
    return labels


_FOOTNOTE_OPENER = re.compile(r"(?<!\\)\[\^")


def _escape_footnote_opener(text: str, node: RenderTreeNode, context: RenderContext) -> str:
    # Text is never a footnote reference (those are their own tokens), but mdformat writes a
    # literal `[^1]` (from `\[^1]`) unescaped, and it comes back as a reference.
    return _FOOTNOTE_OPENER.sub(r"\\[^", text) if "[^" in text else text


_HEADING_PREFIX = re.compile(r"#+ ?")


def _encode_edge_spaces(text: str) -> str:
    # The parser trims table cells and headings with str.strip(), which also removes a no-break
    # space or any other Unicode space at either end: one written as `&nbsp;` must stay a
    # reference, or the next run drops it (mdformat does this for paragraphs, not cells or headings).
    if text and text[0].isspace() and text[0] not in " \t":
        text = f"&#{ord(text[0])};{text[1:]}"
    if text and text[-1].isspace() and text[-1] not in " \t":
        text = f"{text[:-1]}&#{ord(text[-1])};"
    return text


def _keep_cell_edge_spaces(text: str, node: RenderTreeNode, context: RenderContext) -> str:
    return _keep_template_links(_encode_edge_spaces(text), node, context)


def _keep_heading_edge_spaces(text: str, node: RenderTreeNode, context: RenderContext) -> str:
    prefix = _HEADING_PREFIX.match(text)
    if prefix is None:
        return text
    return prefix.group(0) + _keep_template_links(_encode_edge_spaces(text[prefix.end():]), node, context)


_ORDERED_ITEM = re.compile(r"^(\d+)[.)]", flags=re.MULTILINE)


def _ordered_marker(node: RenderTreeNode) -> str:
    """The author's delimiter, unless the list before it ends up with the same one and they would merge."""
    previous = node.previous_sibling
    if previous is None or previous.type != "ordered_list":
        return node.markup
    before = _ordered_marker(previous)
    if node.markup != before:
        return node.markup
    return ")" if before == "." else "."


def _keep_ordered_delimiter(text: str, node: RenderTreeNode, context: RenderContext) -> str:
    # mdformat writes `1.` for every first list, but `3)` and `3.` differ for pandoc: the Word
    # numbering and the plain text keep the author's delimiter. Only items start at column 0 (the
    # renderer indents everything else), so the markers are exactly the matches.
    marker = _ordered_marker(node)
    return _ORDERED_ITEM.sub(lambda match: match.group(1) + marker, text)


# mdformat's text renderer turns tabs into spaces and squeezes runs of spaces: invisible in prose,
# but inside a shortcode or a JSX string (`{'    '}\\<span\\>`) the spaces are what the site prints.
# There they are swapped, while the default renderer runs, for Unicode spaces it leaves alone and
# treats as whitespace when it decides what to escape, then swapped back.
_RUN_SPACE, _TAB = "\u2000", "\u2001"
_SPACE_RUN = re.compile(r"(?<=[ \t]) |\t")
_NOT_TEXT = SimpleNamespace(type="node", content="")


def _render_text(node: RenderTreeNode, context: RenderContext) -> str:
    from mdformat.renderer import DEFAULT_RENDERERS

    default = DEFAULT_RENDERERS["text"]
    content = node.content
    if "  " not in content and "\t" not in content:
        return default(node, context)
    if _RUN_SPACE in content or _TAB in content:
        return default(node, context)  # the text uses the stand-ins itself: they could not be told apart
    spans = _template_spans_of(node)
    if not spans:
        return default(node, context)
    kept = list(content)
    for start, end in spans:
        for m in _SPACE_RUN.finditer(content, start, end):
            kept[m.start()] = _TAB if m.group() == "\t" else _RUN_SPACE
    token = node.token
    assert token is not None  # a text node is a leaf
    token.content = "".join(kept)
    try:
        out = default(node, context)
    finally:
        token.content = content
    return out.replace(_RUN_SPACE, " ").replace(_TAB, "\t")


def _template_spans_of(node: RenderTreeNode) -> list[tuple[int, int]]:
    """This text node's spans inside a shortcode or JSX expression, found once per parent node."""
    from pipeline.normalize.tokens import template_spans

    parent = node.parent
    if parent is None:
        return []
    cached = getattr(parent, "_template_spans", None)
    if cached is None:
        siblings = [child.token if child.token is not None else _NOT_TEXT for child in parent.children]
        cached = template_spans(siblings)  # type: ignore[arg-type]
        parent._template_spans = cached  # type: ignore[attr-defined]
    return cached.get(getattr(node, "_index", -1), [])


_OWN_PLUGIN = SimpleNamespace(
    CHANGES_AST=False,
    RENDERERS={
        "text": _render_text,
        f"container_{DIV}": _render_div,
        "front_matter": _render_front_matter,
        VERBATIM: _render_verbatim,
        **MATH_RENDERERS,
    },
    POSTPROCESSORS={
        "text": _escape_footnote_opener,
        "th": _keep_cell_edge_spaces,
        "td": _keep_cell_edge_spaces,
        "heading": _keep_heading_edge_spaces,
        "ordered_list": _keep_ordered_delimiter,
        **MATH_POSTPROCESSORS,
    },
)


@lru_cache(maxsize=1)
def parser() -> MarkdownIt:
    """The shared markdown-it parser, configured for mdformat's renderer (built once per process)."""
    import mdformat.plugins
    from markdown_it import MarkdownIt
    from mdformat.renderer import MDRenderer
    from mdit_py_plugins.container import container_plugin
    from mdit_py_plugins.front_matter import front_matter_plugin
    from mdit_py_plugins.tasklists import tasklists_plugin

    md = MarkdownIt("commonmark", renderer_cls=MDRenderer)
    md.options["mdformat"] = {
        "wrap": "keep",
        "number": False,
        "end_of_line": "lf",
        # Orphan footnote definitions are text too: never drop them.
        "plugin": {"footnote": {"keep_orphans": True}},
    }
    md.options["store_labels"] = True
    extensions = mdformat.plugins.PARSER_EXTENSIONS
    # Only the renderers of mdformat-gfm: its parser half would auto-link bare URLs itself, and we
    # want that done (and recorded) by the LINK rules instead.
    md.options["parser_extension"] = [
        extensions["tables"],
        _gfm_renderers(),
        extensions["footnote"],
        _OWN_PLUGIN,
    ]
    # markdown-it refuses javascript:, file:, vbscript: and data: URLs (XSS protection for the HTML
    # it would render). We render Markdown: a refused link or reference definition became escaped,
    # visible text that pandoc reads differently. Keep what the author wrote; the LINK rules
    # report such targets and the sanitizer removes them from the outputs.
    md.validateLink = lambda url: True  # type: ignore[method-assign]
    md.normalizeLink = keep_destination  # type: ignore[method-assign]
    md.enable(["table", "strikethrough"])
    md.use(front_matter_plugin).use(tasklists_plugin)
    use_math(md)
    # mdformat-footnote's own setup: footnotes plus a reorder step that keeps orphan definitions,
    # which markdown-it alone would silently drop.
    extensions["footnote"].update_mdit(md)
    _index_footnote_reorder(md)
    _watch_nested_footnotes(md)
    md.use(container_plugin, DIV, validate=_is_fenced_div)
    _watch_nesting(md)
    return md


_NON_ASCII_RUN = re.compile(r"([^\x00-\x7f]+)")


def keep_destination(url: str) -> str:
    """A link or image destination as the author wrote it, escaped only where Markdown needs it.

    markdown-it's own normalization percent-encodes every non-ASCII character and converts host
    names to punycode: rendered back, `[Установка](#установка)` became `(#%D1%83…)`, which no
    heading id matches, `<https://пример.рф>` showed readers `xn--e1afmkfd.xn--p1ai`, and a link
    a rule had just written (`https://ru.wikipedia.org/wiki/Пример`) no longer matched its re-parse,
    so the safety check kept the whole document as written. ASCII is still percent-encoded as
    mdurl does (spaces, quotes, backslashes, brackets, stray `%`), so the destination stays one.
    """
    import mdurl

    return "".join(part if index % 2 else mdurl.encode(part) for index, part in enumerate(_NON_ASCII_RUN.split(url)))


def _index_footnote_reorder(md: MarkdownIt) -> None:
    """mdformat-footnote's reorder step, with its two label lookups indexed.

    It finds each footnote's definition by scanning all definitions, once per footnote:
    quadratic (8,000 footnotes took 13 s). This is the same step, built from the same helpers,
    with a state that looks labels up in a dict. If a release of the plugin no longer has these
    helpers, its own step stays in place: slower, never wrong.
    """
    try:
        from mdformat_footnote import _reorder as plugin
        from mdformat_footnote.plugin import _keep_orphans

        helpers = (
            plugin._get_footnote_data,
            plugin._build_dependency_graph,
            plugin._collect_refs_in_fences,
            plugin._categorize_footnotes,
            plugin._process_nested_for_parent,
            plugin._update_token_ids,
            plugin._reassign_subids,
        )
        base = plugin._ReorderState
    except (ImportError, AttributeError):
        return
    if not all(callable(h) for h in helpers) or "reorder_footnotes" not in md.core.ruler.get_all_rules():
        return

    class IndexedState(base):  # type: ignore[misc, valid-type]
        def __init__(self, **fields: Any) -> None:
            super().__init__(**fields)
            # First definition wins, as with the plugin's scan in insertion order.
            self.by_label: dict[str, tuple[int, dict[str, Any]]] = {}
            for old_id, data in self.old_list.items():
                self.by_label.setdefault(data.get("label"), (old_id, data))

        def _find_def_by_label(self, label: str) -> dict[str, Any]:
            found = self.by_label.get(label)
            return found[1].copy() if found else {"label": label, "count": 0}

        def _find_old_id_by_label(self, label: str) -> int | None:
            found = self.by_label.get(label)
            return found[0] if found else None

    keep_orphans = _keep_orphans(md.options)

    def reorder(state: Any) -> None:
        # The body of mdformat_footnote._reorder.reorder_footnotes_by_definition and
        # _build_reordered_list, with IndexedState.
        data = plugin._get_footnote_data(state)
        if data is None:
            return
        refs, old_list = data
        deps = plugin._build_dependency_graph(state.tokens)
        in_fences = plugin._collect_refs_in_fences(state.tokens)
        categories = plugin._categorize_footnotes(refs, deps, in_fences)
        if not keep_orphans:
            for orphan_key in categories.true_orphans:
                del refs[orphan_key]
        order = IndexedState(old_list=old_list, refs=refs)
        skip = categories.body_labels | set(categories.true_orphans)
        for old_id, label_key, label in categories.body_referenced:
            order.add_footnote(label, label_key, old_id)
            plugin._process_nested_for_parent(label, deps, order, skip)
        for label in categories.nested_only:
            order.add_footnote(label, f":{label}")
        for label in categories.fence_only:
            order.add_footnote(label, f":{label}")
        if keep_orphans:
            for orphan_key in categories.true_orphans:
                order.add_footnote(orphan_key[1:], orphan_key)
        state.env["footnotes"]["list"] = order.new_list
        plugin._update_token_ids(state.tokens, order.old_to_new_id)
        plugin._reassign_subids(state.tokens, refs, order.new_list)

    md.core.ruler.at("reorder_footnotes", reorder)


def _watch_nested_footnotes(md: MarkdownIt) -> None:
    """Note a footnote defined inside another footnote's definition.

    The footnote plugin moves definitions to the end and loses the nesting: a heading of the outer
    note came back as body text, another time a fenced div lost its opening (found by the
    fuzzer). Such a document is kept as written (see `parse`).
    """
    rules = md.block.ruler.get_all_rules()
    if "footnote_def" not in rules:
        return
    from mdit_py_plugins.footnote.index import footnote_def

    def watched(state: Any, start_line: int, end_line: int, silent: bool) -> bool:
        depth = state.env.get(_IN_FOOTNOTE, 0)
        state.env[_IN_FOOTNOTE] = depth + 1
        try:
            found = footnote_def(state, start_line, end_line, silent)
        finally:
            state.env[_IN_FOOTNOTE] = depth
        if found and depth and not silent:
            state.env.setdefault(_NESTED_FOOTNOTE, []).append(start_line)
        return found

    md.block.ruler.at("footnote_def", watched, {"alt": ["paragraph", "reference"]})


def _watch_nesting(md: MarkdownIt) -> None:
    """Note every line markdown-it skips because blocks nest deeper than `maxNesting`.

    Past that depth markdown-it's block parser silently drops the rest of the container ("skip
    tail to the end"): block quotes 21 deep lose their text. Every nested container calls
    `md.block.tokenize`, so a wrapper on this parser instance sees each call that will skip.
    """
    tokenize = md.block.tokenize

    def watched(state: Any, start_line: int, end_line: int) -> None:
        if state.level >= md.options.maxNesting:
            line = state.skipEmptyLines(start_line)
            # The same tests markdown-it makes before it gives up on the lines that are left.
            if line < end_line and state.sCount[line] >= state.blkIndent:
                state.env.setdefault(_TOO_DEEP, []).append(line)
        tokenize(state, start_line, end_line)

    md.block.tokenize = watched  # type: ignore[method-assign]


def parse(text: str) -> tuple[list[Token], dict[str, Any]]:
    """Parse Markdown into markdown-it's flat token stream and its environment (references).

    A top-level block nested deeper than the parser's limit comes back as one `verbatim` token
    (its lines in `env[VERBATIM_LINES]`): written back as it was, never with text missing.
    """
    env: dict[str, Any] = {}
    md = parser()
    tokens = md.parse(text, env)
    env.pop(_IN_FOOTNOTE, None)
    nested = env.pop(_NESTED_FOOTNOTE, None)
    if nested:
        raise KeptAsWritten(f"a footnote defined inside another footnote near line {nested[0] + 1}")
    problems = [(line, f"blocks nested deeper than {md.options.maxNesting} levels") for line in env.pop(_TOO_DEEP, ())]
    problems += [(line, f"more than {MAX_LIST_RUN} lists in a row") for line in _long_list_runs(tokens)]
    problems += [(line, "a list the renderer would merge blocks in") for line in _lists_mdformat_would_merge(tokens)]
    if problems:
        tokens = _keep_as_written(tokens, text, problems, env)
    _note_div_fences(tokens, text)
    return tokens, env


_QUOTE_PREFIX = re.compile(r"^(?:[ \t]*>)*[ \t]*")


def _note_div_fences(tokens: list[Token], text: str) -> None:
    """Record on each fenced div's opening token how its fences and blank lines were written."""
    if ":::" not in text:
        return
    lines: list[str] | None = None
    for token in tokens:
        if token.type != DIV_OPEN or not token.map:
            continue
        if lines is None:
            lines = [_QUOTE_PREFIX.sub("", line, count=1) for line in re.split(r"\r\n?|\n", text)]
        first, end = token.map
        if first >= len(lines):
            continue
        # The map ends at the closing fence's line (the container plugin leaves it out).
        last = end
        closed = last < len(lines) and lines[last].strip().startswith(":::") and not lines[last].strip().strip(":")
        token.meta = {
            "open": lines[first].strip(),
            "close": lines[last].strip() if closed else "",
            "gap_open": first + 1 < len(lines) and not lines[first + 1].strip(),
            "gap_close": closed and last - 1 > first and not lines[last - 1].strip(),
        }


def _long_list_runs(tokens: list[Token]) -> list[int]:
    """First line of the list that makes a run of adjacent lists longer than MAX_LIST_RUN."""
    found: list[int] = []
    previous: list[str | None] = [None]  # type of the previous sibling, per depth
    runs = [0]  # adjacent lists of that type so far, per depth
    for tok in tokens:
        if tok.nesting == -1:
            if len(previous) > 1:  # plugins' moved tokens (nested footnotes) may not balance
                previous.pop()
                runs.pop()
            continue
        depth = len(previous) - 1
        if tok.type in _LISTS:
            runs[depth] = runs[depth] + 1 if previous[depth] == tok.type else 1
            if runs[depth] == MAX_LIST_RUN + 1 and tok.map:
                found.append(tok.map[0])
        else:
            runs[depth] = 0
        previous[depth] = tok.type
        if tok.nesting == 1:
            previous.append(None)
            runs.append(0)
    return found


def _lists_mdformat_would_merge(tokens: list[Token]) -> list[int]:
    """First line of each list whose items hold blocks that a blank line keeps apart, and no paragraph.

    mdformat judges a list tight by its paragraphs alone; with none it joins the blocks of an item
    with a single newline, and two block quotes (say) that a blank line separated become one
    (found by the fuzzer: not idempotent, and pandoc reads one quote where the author wrote two).
    """
    found: list[int] = []
    frames: list[dict[str, Any]] = []
    for tok in tokens:
        if tok.type in _LISTS:
            frames.append({"open": tok, "paragraph": False, "gap": False, "end": None})
        elif tok.type in ("bullet_list_close", "ordered_list_close") and frames:
            frame = frames.pop()
            if frame["gap"] and not frame["paragraph"] and frame["open"].map:
                found.append(frame["open"].map[0])
        elif frames and tok.type == "list_item_open":
            frames[-1]["end"] = None
        elif frames and tok.nesting >= 0 and tok.level == frames[-1]["open"].level + 2 and tok.map:
            frame = frames[-1]
            if tok.type == "paragraph_open" and not tok.hidden:
                frame["paragraph"] = True
            if frame["end"] is not None and tok.map[0] > frame["end"]:
                frame["gap"] = True
            frame["end"] = tok.map[1]
    return found


def _keep_as_written(
    tokens: list[Token], text: str, problems: list[tuple[int, str]], env: dict[str, Any]
) -> list[Token]:
    """Replace the top-level blocks holding these (line, reason) problems by verbatim tokens."""
    from markdown_it.token import Token

    # The lines markdown-it numbered: its own normalization of line endings and NUL characters.
    lines = re.split(r"\r\n?|\n", text.replace("\0", "\ufffd"))
    blocks: list[tuple[int, int]] = []  # (open index, close index) of top-level containers
    depth = 0
    for i, tok in enumerate(tokens):
        if depth == 0 and tok.nesting == 1:
            blocks.append((i, i))
        depth += tok.nesting
        if depth == 0 and tok.nesting == -1 and blocks:
            blocks[-1] = (blocks[-1][0], i)
    keep: set[int] = set()  # indexes into `blocks`
    reasons: dict[int, str] = {}
    # Top-level blocks in source order (footnote definitions, moved to the end, have no lines).
    located = [(tokens[o].map[0], k) for k, (o, _) in enumerate(blocks) if tokens[o].map]
    starts = [start for start, _ in located]
    for line, reason in problems:
        at = bisect.bisect_right(starts, line) - 1
        k = located[at][1] if at >= 0 else -1
        opener = tokens[blocks[k][0]] if k >= 0 else None
        if opener is None or not opener.map or not opener.map[0] <= line < opener.map[1]:
            # Not inside a top-level block we can point at (a moved footnote, say): better no
            # normalization at all than a document with text missing.
            raise KeptAsWritten(f"{reason} near line {line + 1}, outside any top-level block")
        keep.add(k)
        reasons.setdefault(k, reason)
    # mdformat alternates the markers of adjacent lists; a neighbour re-rendered with the marker a
    # verbatim list happens to use would merge with it, so a run of adjacent lists goes together.
    for k in sorted(keep):
        kind = tokens[blocks[k][0]].type
        if kind not in _LISTS:
            continue
        j = k
        while j > 0 and tokens[blocks[j - 1][0]].type == kind and blocks[j - 1][1] + 1 == blocks[j][0]:
            j -= 1
            keep.add(j)
        j = k
        while j + 1 < len(blocks) and tokens[blocks[j + 1][0]].type == kind and blocks[j][1] + 1 == blocks[j + 1][0]:
            j += 1
            keep.add(j)
    # Adjacent kept blocks become one verbatim block (one warning, the blank lines between kept).
    groups: list[list[int]] = []
    for k in sorted(keep):
        if groups and groups[-1][-1] + 1 == k and blocks[k - 1][1] + 1 == blocks[k][0]:
            groups[-1].append(k)
        else:
            groups.append([k])
    out: list[Token] = []
    kept: list[tuple[int, int, str]] = []
    pos = 0
    for group in groups:
        open_, close = blocks[group[0]][0], blocks[group[-1]][1]
        start = (tokens[open_].map or (0, 0))[0]
        end = (tokens[blocks[group[-1]][0]].map or (0, 0))[1]
        body = lines[start:end]
        while body and not body[-1].strip():
            body.pop()
        out += tokens[pos:open_]
        verbatim = Token(VERBATIM, "", 0, content="\n".join(body), map=[start, start + len(body)], block=True)
        verbatim.meta["refs"] = reference_labels(tokens[open_:close + 1])
        out.append(verbatim)
        pos = close + 1
        reason = "; ".join(dict.fromkeys(reasons[k] for k in group if k in reasons))
        kept.append((start, start + len(body), reason))
    out += tokens[pos:]
    env[VERBATIM_LINES] = kept
    return out


# Characters Python's str.splitlines() breaks lines at, besides \n and \r. mdformat prefixes the
# lines of a block quote or list item with splitlines(), so a form feed in a quoted code span
# became a line break (found by the fuzzer). They are swapped for placeholders while rendering.
_SPLITLINES = "\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"
_PLACEHOLDERS = "".join(chr(0x10FF00 + k) for k in range(len(_SPLITLINES)))  # plane 16 private use
_PROTECT = str.maketrans(_SPLITLINES, _PLACEHOLDERS)
_RESTORE = str.maketrans(_PLACEHOLDERS, _SPLITLINES)


def render(tokens: Sequence[Token], env: dict[str, Any]) -> str:
    """Render tokens back to canonical Markdown with mdformat's renderer."""
    md = parser()
    env = {key: value for key, value in env.items() if key != VERBATIM_LINES}
    swapped = _protect_line_separators(tokens)
    try:
        text = md.renderer.render_tree(build_tree(tokens), md.options, env)
    finally:
        for token, content in swapped:
            token.content = content
    return text.translate(_RESTORE) if swapped else text


def _protect_line_separators(tokens: Sequence[Token]) -> list[tuple[Token, str]]:
    """Swap splitlines-only separators in token contents for placeholders; the originals to restore."""
    swapped: list[tuple[Token, str]] = []
    stack = list(tokens)
    while stack:
        token = stack.pop()
        if token.children:
            stack.extend(token.children)
        content = token.content
        if content and any(c in content for c in _SPLITLINES):
            if any(c in content for c in _PLACEHOLDERS):
                continue  # the document uses the placeholders itself: leave this one alone
            swapped.append((token, content))
            token.content = content.translate(_PROTECT)
    return swapped


class _Nester(NamedTuple):
    # The shape of markdown-it's private `_NesterTokens`: what the renderers read from a container.
    opening: Token
    closing: Token


@lru_cache(maxsize=1)
def _node_class() -> type[RenderTreeNode]:
    from mdformat.renderer import RenderTreeNode

    class Node(RenderTreeNode):
        """A render node that knows its place among its siblings.

        markdown-it's `next_sibling`/`previous_sibling` search the parent's children list, and
        mdformat asks for the next sibling of every text node: quadratic in a paragraph of many
        links or emphasis runs. The index set when the tree is built makes both O(1).
        """

        _index = 0

        @property
        def next_sibling(self) -> Node | None:
            siblings = self.siblings
            return siblings[self._index + 1] if self._index + 1 < len(siblings) else None

        @property
        def previous_sibling(self) -> Node | None:
            return self.siblings[self._index - 1] if self._index > 0 else None

    return Node


def build_tree(tokens: Sequence[Token]) -> RenderTreeNode:
    """mdformat's render tree for `tokens`, built in one pass.

    `SyntaxTreeNode(tokens)` copies every container's token slice once per nesting level, which
    is quadratic in the depth (thousands of nested emphasis markers took seconds); this builds the
    same tree with a stack. Unbalanced tokens raise ValueError, as there.
    """
    node_class = _node_class()
    root = node_class()
    _attach_children(root, tokens, node_class)
    return root


def _attach_children(parent: RenderTreeNode, tokens: Sequence[Token], node_class: type[RenderTreeNode]) -> None:
    stack = [parent]
    openers: list[Token] = []
    for tok in tokens:
        if tok.nesting == -1:
            if not openers:
                raise ValueError(f"closing token without an opening one: {tok.type}")
            node = stack.pop()
            node.nester_tokens = _Nester(openers.pop(), tok)
            continue
        node = node_class()
        container = stack[-1]
        node._parent = container
        node._index = len(container._children)  # type: ignore[attr-defined]
        container._children.append(node)
        if tok.nesting == 1:
            # Set for real when the closing token arrives; `type` is read from the opening one.
            node.nester_tokens = _Nester(tok, tok)
            stack.append(node)
            openers.append(tok)
        else:
            node.token = tok
            if tok.children:
                _attach_children(node, tok.children, node_class)
    if openers:
        raise ValueError(f"unclosed tokens starting {openers[0].type}")


def format_text(text: str) -> str:
    """Parse and render, with no rule applied: the canonical form of `text`."""
    tokens, env = parse(text)
    return render(tokens, env)
