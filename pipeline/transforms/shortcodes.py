"""Site templates in the Markdown: rendered as what the site shows, before pandoc reads the text.

A site generator evaluates its own syntax before the Markdown is read: Hugo shortcodes
(`{{< figure src="x.png" caption="…" >}}`, `{{% note %}}…{{% /note %}}`), Jekyll's Liquid
(`{% include … %}`, `{% link … %}`, `{{ site.baseurl }}`), MDX's `import`/`export` lines, comments
and JSX components (`<Note>…</Note>`, `<YouTube id="…" />`). Left alone, pandoc prints them as text.
`expand_templates` turns each into the Markdown of what the page shows (a captioned figure, a link
to the video, the linked page's address, the content of a callout under its label), or drops it
with one warning per unknown name (`SITE001`). Code is left as written, except for the escapes
whose only purpose is to show template syntax in code (`{{</* x */>}}`, `{% raw %}`).

The source file is never changed: this runs on the text handed to pandoc.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pipeline.document import Document
    from pipeline.site import Site

WARNING = "SITE001"

# Bounded, `{`-free bodies keep every scan linear.
_HUGO_ESCAPED = re.compile(r"\{\{([<%])/\*(.{0,2000}?)\*/([>%])\}\}", re.DOTALL)
_HUGO = re.compile(r"\{\{([<%])-?\s*(/?)\s*([\w][\w./-]*)([^{}]{0,2000}?)\s*(/?)\s*-?([>%])\}\}", re.DOTALL)
_LIQUID_TAG = re.compile(r"\{%-?\s*(\w+)([^{}]{0,2000}?)-?%\}", re.DOTALL)
_LIQUID_OUT = re.compile(r"\{\{-?\s*([^{}<%][^{}]{0,500}?)\s*-?\}\}")
_JSX_COMMENT = re.compile(r"\{/\*(.{0,500}?)\*/\}", re.DOTALL)
_HEADING_JSX_ID = re.compile(r"^(#{1,6}[ \t].*?)[ \t]*\{/\*\s*#?([\w:.-]+)\s*\*/\}[ \t]*$", re.MULTILINE)
_ESM = re.compile(r"^(?:import\s+(?:[\w*{}\s,]+\s+from\s+)?['\"][^'\"\n]+['\"]|export\s+(?:const|let|var|function|"
                  r"default|async|class|\{|\*))", re.MULTILINE)
# `import X from "…"` at the start of a line says the page is MDX (prose never reads like that); only
# then are `export …` lines taken for code rather than a sentence that starts with "export".
_MDX_IMPORT = re.compile(r"^import\s+[\w*{}\s,]+\s+from\s+['\"][^'\"\n]+['\"];?\s*$", re.MULTILINE)
_MDX_GENERATORS = ("docusaurus", "next", "astro", "gatsby")
# A JSX component: a tag whose name is not HTML's (Capitalized, or namespaced like `Foo.Bar`), and
# neither escaped (`\<App>`) nor glued to a word (`Vec<T>`).
_JSX_TAG = re.compile(r"(?<![\w\\])<(/?)([A-Z][A-Za-z0-9]*(?:\.[A-Za-z0-9]+)*)((?:\s+[^<>]{0,1000}?)?)\s*(/?)>",
                      re.DOTALL)
_HTML_TAGS = frozenset({
    "a", "abbr", "address", "area", "article", "aside", "audio", "b", "base", "bdi", "bdo", "blockquote", "body",
    "br", "button", "canvas", "caption", "cite", "code", "col", "colgroup", "data", "datalist", "dd", "del",
    "details", "dfn", "dialog", "div", "dl", "dt", "em", "embed", "fieldset", "figcaption", "figure", "font",
    "footer", "form", "frame", "h1", "h2", "h3", "h4", "h5", "h6", "head", "header", "hr", "html", "i", "iframe",
    "img", "input", "ins", "kbd", "label", "legend", "li", "link", "main", "map", "mark", "meta", "meter", "nav",
    "noscript", "object", "ol", "optgroup", "option", "output", "p", "param", "picture", "pre", "progress", "q",
    "rp", "rt", "ruby", "s", "samp", "script", "section", "select", "small", "source", "span", "strike", "strong",
    "style", "sub", "summary", "sup", "table", "tbody", "td", "template", "textarea", "tfoot", "th", "thead", "time",
    "title", "tr", "track", "tt", "u", "ul", "var", "video", "wbr", "center", "big",
})
_XREF = re.compile(r"\{\{([A-Za-z][\w:.-]*)\}\}")
# A Go template action of a media or image helper, as golang.org's blog writes them:
# `{{video "https://…"}}`, `{{image "post/chart.png" 600}}`. Other actions are left alone (they may
# be Vue or Angular interpolation, or text about templates).
_GO_ACTION = re.compile(r"\{\{-?\s*(video|youtube|vimeo|image|img|figure|tweet)\s+([^{}\n]{1,500}?)\s*-?\}\}")
_ARG = re.compile(r"""([\w-]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|'([^']*)'|`([^`]*)`|\{\s*["'`]([^"'`]*)["'`]\s*\}|"""
                  r"""\{([^{}]*)\}|([^\s"'`]+))|"((?:[^"\\]|\\.)*)"|`([^`]*)`|'([^']*)'|([^\s"'`=]+)""")

_CALLOUTS = {"note", "tip", "warning", "caution", "important", "info", "alert", "callout", "admonition", "hint",
             "notice", "danger", "attention", "pitfall", "deepdive", "aside", "notes", "success", "error",
             "blockquote", "panel", "box"}
_DETAILS = {"details", "expand", "collapse", "spoiler", "accordion", "summary"}
_TABS = {"tab", "tabs", "tabpane", "tabgroup", "tabitem", "codetabs", "codegroup"}
_CONTAINERS = {"intro", "center", "columns", "column", "col", "row", "card", "cards", "section", "blocks",
               "sidebar", "lead", "grid", "div", "span", "small", "cardgrid", "steps", "step", "badge", "kbd",
               "mark", "abbr", "markdown", "nowrap", "fragment"}
_SILENT = {"toc", "comment", "comments", "meta", "head", "seo", "helmet", "br", "hr", "more", "clear", "ad",
           "newsletter", "subscribe", "share", "pagebreak"}
_VIDEOS = {"youtube": "https://www.youtube.com/watch?v={}", "youtubevideo": "https://www.youtube.com/watch?v={}",
           "vimeo": "https://vimeo.com/{}", "loom": "https://www.loom.com/share/{}",
           "bilibili": "https://www.bilibili.com/video/{}"}
_IMAGE_NAME = re.compile(r"fig|img|image|picture|photo|screenshot|gallery|diagram|chart", re.IGNORECASE)
_IMAGE_FILE = re.compile(r"\.(?:png|jpe?g|gif|svg|webp|avif|bmp|tiff?)(?:[?#].*)?$", re.IGNORECASE)
_IMAGE_KEYS = ("src", "image", "image_path", "img", "file", "path", "url", "href", "name", "source")
_CAPTION_KEYS = ("caption", "title", "alt", "description", "desc", "label")


@dataclass
class _Context:
    document: Document
    site: Site | None
    warned: dict[str, int | None] = field(default_factory=dict)
    depth: int = 0

    def warn_unknown(self, kind: str, name: str, sample: str) -> None:
        key = f"{kind}:{name}"
        if key in self.warned:
            return
        line = self.document.line_of(sample)
        self.warned[key] = line
        self.document.warn(WARNING, f"{kind} {name!r} is not known: dropped (its content, if any, is kept)", line=line)

    @property
    def jekyll(self) -> bool:
        return self.site is not None and self.site.generator == "jekyll"


def has_templates(text: str) -> bool:
    """Whether `text` may hold anything `expand_templates` changes (a cheap test before parsing)."""
    return ("{{" in text or "{%" in text or "{/*" in text or "{:" in text or _ESM.search(text) is not None
            or re.search(r"<[A-Z]", text) is not None)


def expand_templates(text: str, document: Document) -> str:
    """The Markdown pandoc should read for `text`: site templates rendered (see the module doc)."""
    if not has_templates(text):
        return text
    ctx = _Context(document, document.site)
    return _expand(text, ctx)


# kramdown's attribute lists: `{: #id .class}` or `{:toc}` on a line of their own, `{:target="_blank"}`
# after a link. Jekyll applies them silently; to pandoc they are text.
# After a table (kramdown-rfc), a GFM renderer reads the IAL line as a last row: `| {:id="x"} | |`.
_BLOCK_IAL = re.compile(r"^(?:[*+-][ \t]+.*\n)?[ \t]*(?:\|[ \t]*)?\{:[^{}\n]*\}[ \t]*(?:\|[ \t]*)*$", re.MULTILINE)
_IAL_ID = re.compile(r"""(?:#([\w:.-]+)|\bid\s*=\s*["']([^"']+)["'])""")
_INLINE_IAL = re.compile(r"(?<=[)\]*_`])\{:\s*")


def _kramdown_attributes(text: str, code: list[tuple[int, int]]) -> str:
    def block(match: re.Match[str]) -> str:
        if _inside(code, match.start()):
            return match.group(0)
        ial = match.group(0)[match.group(0).rfind("{"):].rstrip(" \t|")
        if ial.replace(" ", "") == "{:toc}":
            return ""  # `* TOC` + `{:toc}`: the site's table of contents; ours is the contents page
        if match.group(0).lstrip()[:1] in "*+-" and not match.group(0).lstrip().startswith("{"):
            return match.group(0)
        found = _IAL_ID.search(ial)
        anchor = f"[]{{#{found.group(1) or found.group(2)}}}" if found else ""
        return f"\n{anchor}" if match.group(0).lstrip().startswith("|") else anchor

    out = _BLOCK_IAL.sub(block, text) if "{:" in text else text
    if out != text:
        code = _code_ranges(out)
    return _INLINE_IAL.sub(lambda m: m.group(0) if _inside(code, m.start()) else "{", out)


def _expand(text: str, ctx: _Context) -> str:
    ctx.depth += 1
    try:
        if ctx.depth > 5:  # an include that includes itself
            return text
        code = _code_ranges(text)
        text, code = _strip_raw_markers(text, code, ctx)
        # `## Title {/*title-id*/}`: an MDX comment that names the heading's id (react.dev and others).
        out = _HEADING_JSX_ID.sub(
            lambda m: m.group(0) if _inside(code, m.start()) else f"{m.group(1)} {{#{m.group(2)}}}", text)
        if out != text:
            text, code = out, _code_ranges(out)
        out = _kramdown_attributes(text, code)
        if out != text:
            text, code = out, _code_ranges(out)
        return _render_events(text, code, ctx)
    finally:
        ctx.depth -= 1


# -- where the code is -------------------------------------------------------------------------------------

def _code_ranges(text: str) -> list[tuple[int, int]]:
    """Character ranges of code blocks and code spans: template syntax there is shown, not run."""
    from markdown_it import MarkdownIt

    lines = text.split("\n")
    starts = [0]
    for line in lines:
        starts.append(starts[-1] + len(line) + 1)
    ranges: list[tuple[int, int]] = []
    code_lines: set[int] = set()
    md = MarkdownIt("commonmark")
    for token in md.parse(text):
        if token.type in ("fence", "code_block") and token.map:
            first, end = token.map
            ranges.append((starts[first], starts[min(end, len(lines))]))
            code_lines.update(range(first, end))
    # Code spans, paragraph by paragraph (a span never crosses a blank line).
    block_start = None
    for index in range(len(lines) + 1):
        blank = index == len(lines) or index in code_lines or not lines[index].strip()
        if blank and block_start is not None:
            ranges += _code_spans(text, starts[block_start], starts[index] - 1)
            block_start = None
        elif not blank and block_start is None:
            block_start = index
    return sorted(ranges)


_BACKTICKS = re.compile(r"(?<!\\)`+")


def _code_spans(text: str, start: int, end: int) -> list[tuple[int, int]]:
    spans = []
    runs = list(_BACKTICKS.finditer(text, start, max(start, end)))
    i = 0
    while i < len(runs):
        opening = runs[i]
        closing = next((j for j in range(i + 1, len(runs)) if len(runs[j].group()) == len(opening.group())), None)
        if closing is None:
            i += 1
            continue
        spans.append((opening.start(), runs[closing].end()))
        i = closing + 1
    return spans


def _inside(ranges: list[tuple[int, int]], position: int) -> bool:
    import bisect

    k = bisect.bisect_right(ranges, (position, float("inf"))) - 1
    return k >= 0 and ranges[k][0] <= position < ranges[k][1]


def _strip_raw_markers(text: str, code: list[tuple[int, int]], ctx: _Context) -> tuple[str, list[tuple[int, int]]]:
    """Hugo's `{{</* x */>}}` shows `{{< x >}}`; Jekyll's `{% raw %}` only keeps Liquid from running."""
    out = _HUGO_ESCAPED.sub(lambda m: "{{" + m.group(1) + m.group(2) + m.group(3) + "}}", text)

    def raw(match: re.Match[str]) -> str:
        if match.group(1) not in ("raw", "endraw"):
            return match.group(0)
        # Outside code the markers never show; inside code only a Jekyll site removes them.
        return "" if ctx.jekyll or not _inside(code, match.start()) else match.group(0)

    stripped = _LIQUID_TAG.sub(raw, out) if "raw" in out else out
    if stripped == text:
        return text, code
    return stripped, _code_ranges(stripped)


# -- the constructs ----------------------------------------------------------------------------------------

@dataclass
class _Event:
    start: int
    end: int
    kind: str  # hugo, liquid, liquid-out, jsx, jsx-comment, esm, xref
    name: str = ""
    closing: bool = False
    self_closing: bool = False
    args: dict[str, str] = field(default_factory=dict)
    positional: list[str] = field(default_factory=list)
    markdown: bool = False  # Hugo {{% %}}: the output is Markdown


def parse_args(text: str) -> tuple[dict[str, str], list[str]]:
    """Named and positional arguments of a shortcode, Liquid tag or JSX tag."""
    named: dict[str, str] = {}
    positional: list[str] = []
    for m in _ARG.finditer(text):
        if m.group(1):
            value = next((g for g in m.groups()[1:7] if g is not None), "")
            named[m.group(1).lower()] = value.replace('\\"', '"')
        else:
            value = next((g for g in m.groups()[7:] if g is not None), "")
            positional.append(value.replace('\\"', '"'))
    return named, positional


def _events(text: str, code: list[tuple[int, int]], ctx: _Context) -> list[_Event]:
    found: list[_Event] = []
    for m in _HUGO.finditer(text):
        if _inside(code, m.start()):
            continue
        args, positional = parse_args(m.group(4))
        found.append(_Event(m.start(), m.end(), "hugo", m.group(3).lower(), bool(m.group(2)), bool(m.group(5)),
                            args, positional, m.group(1) == "%"))
    for m in _LIQUID_TAG.finditer(text):
        if _inside(code, m.start()):
            continue
        name = m.group(1).lower()
        args, positional = parse_args(m.group(2))
        closing = name.startswith("end")
        found.append(_Event(m.start(), m.end(), "liquid", name[3:] if closing else name, closing, False, args,
                            positional or [m.group(2).strip()]))
        found[-1].args["__raw__"] = m.group(2).strip()
    if ctx.jekyll:
        for m in _LIQUID_OUT.finditer(text):
            if not _inside(code, m.start()):
                found.append(_Event(m.start(), m.end(), "liquid-out", args={"expr": m.group(1)}))
    else:
        for m in _XREF.finditer(text):
            if not _inside(code, m.start()) and _has_anchor(text, m.group(1)):
                found.append(_Event(m.start(), m.end(), "xref", m.group(1)))
        for m in _GO_ACTION.finditer(text):
            if not _inside(code, m.start()):
                args, positional = parse_args(m.group(2))
                found.append(_Event(m.start(), m.end(), "go", m.group(1).lower(), args=args, positional=positional))
    for m in _JSX_COMMENT.finditer(text):
        if not _inside(code, m.start()):
            found.append(_Event(m.start(), m.end(), "jsx-comment"))
    mdx = (ctx.document.source.suffix.lower() == ".mdx" or _MDX_IMPORT.search(text) is not None
           or (ctx.site is not None and ctx.site.generator in _MDX_GENERATORS))
    for m in _ESM.finditer(text) if mdx else ():
        if _inside(code, m.start()):
            continue
        end = text.find("\n\n", m.start())
        found.append(_Event(m.start(), len(text) if end < 0 else end, "esm"))
    for m in _JSX_TAG.finditer(text):
        if _inside(code, m.start()) or (m.group(2).isupper() and m.group(2).lower() in _HTML_TAGS):
            continue  # `<A HREF=…>`, `<IMG …>`: HTML in capitals, not a component
        args, positional = parse_args(m.group(3))
        found.append(_Event(m.start(), m.end(), "jsx", m.group(2), bool(m.group(1)), bool(m.group(4)), args,
                            positional))
    found.sort(key=lambda e: (e.start, -e.end))
    events: list[_Event] = []
    for event in found:  # the first (outermost) construct wins where two overlap
        if events and event.start < events[-1].end:
            continue
        events.append(event)
    return events


def _has_anchor(text: str, name: str) -> bool:
    return f"{{#{name}" in text or f'id="{name}"' in text or f"anchor=\"{name}\"" in text


# -- rendering ---------------------------------------------------------------------------------------------

_PAIRED_LIQUID = {"raw", "comment", "highlight", "capture", "if", "unless", "for", "case", "tablerow"}


def _render_events(text: str, code: list[tuple[int, int]], ctx: _Context) -> str:
    events = _events(text, code, ctx)
    if not events:
        return text
    closers = _closers(events)
    out: list[str] = []
    position = 0
    index = 0
    while index < len(events):
        event = events[index]
        out.append(text[position:event.start])
        close = closers.get(index)
        if close is not None:
            inner = text[events[index].end:events[close].start]
            out.append(_render_pair(event, inner, text, ctx, alone=_alone(text, event) and _alone(text, events[close])))
            position = events[close].end
            index = close + 1
            continue
        out.append(_render_single(event, text, ctx))
        position = event.end
        index += 1
    out.append(text[position:])
    return "".join(out)


def _closers(events: list[_Event]) -> dict[int, int]:
    """Opening event index → its closing event index, for paired constructs."""
    pairs: dict[int, int] = {}
    stack: list[int] = []
    for index, event in enumerate(events):
        if event.kind not in ("hugo", "liquid", "jsx") or event.self_closing:
            continue
        if event.kind == "liquid" and event.name not in _PAIRED_LIQUID:
            continue
        if not event.closing:
            stack.append(index)
            continue
        for depth in range(len(stack) - 1, -1, -1):
            opening = events[stack[depth]]
            if opening.kind == event.kind and opening.name.lower() == event.name.lower():
                pairs[stack[depth]] = index
                del stack[depth:]
                break
    # Only the outermost pairs: inner ones are rendered when the content is expanded in turn.
    outer: dict[int, int] = {}
    covered = -1
    for opening in sorted(pairs):
        if opening > covered:
            outer[opening] = pairs[opening]
            covered = pairs[opening]
    return outer


_OTHER_CONSTRUCTS = re.compile(r"\{\{[<%].*?[>%]\}\}|\{%.*?%\}|</?[A-Z][\w.]*[^<>]*>")


def _alone(text: str, event: _Event) -> bool:
    """The construct stands on its line(s) with nothing but other constructs: it stands for a block."""
    line_start = text.rfind("\n", 0, event.start) + 1
    line_end = text.find("\n", event.end)
    line_end = len(text) if line_end < 0 else line_end
    before = _OTHER_CONSTRUCTS.sub("", text[line_start:event.start])
    after = _OTHER_CONSTRUCTS.sub("", text[event.end:line_end])
    return not before.strip(" \t>") and not after.strip()


def _block(markdown: str) -> str:
    return f"\n\n{markdown.strip()}\n\n"


def _render_single(event: _Event, text: str, ctx: _Context) -> str:
    alone = _alone(text, event)
    source = text[event.start:event.end]
    if event.kind in ("jsx-comment", "esm"):
        return ""
    if event.kind == "xref":
        return f"[](#{event.name})"
    if event.kind == "liquid-out":
        return _liquid_value(event.args["expr"], ctx, source)
    if event.closing:  # a closing marker without its opening: nothing to show
        if event.kind != "liquid" or event.name not in _PAIRED_LIQUID:
            ctx.warn_unknown(_kind_label(event), event.name, source)
        return ""
    rendered = _render_named(event, "", ctx, source)
    if rendered is None:
        if event.kind == "liquid" and event.name in ("else", "elsif", "when", "assign", "increment", "decrement",
                                                     "cycle", "break", "continue"):
            return ""
        ctx.warn_unknown(_kind_label(event), event.name, source)
        return ""
    markdown, is_block = rendered
    return _block(markdown) if is_block and alone else markdown


def _render_pair(event: _Event, inner: str, text: str, ctx: _Context, *, alone: bool) -> str:
    name = event.name.lower()
    source = text[event.start:event.end]
    if event.kind == "liquid":
        if name == "raw":
            return inner
        if name == "comment" or name == "capture":
            return ""
        if name == "highlight":
            language = (event.positional or [""])[0].split()[0] if event.positional and event.positional[0] else ""
            return _block(_fence(inner.strip("\n"), language))
        ctx.warn_unknown("Liquid tag", name, source)  # if/for: logic we do not run
        return _expand(inner, ctx)
    if name in ("highlight", "code", "codeblock") and event.kind == "hugo":
        language = event.args.get("lang") or event.args.get("language") or (event.positional or [""])[0]
        return _block(_fence(inner.strip("\n"), language))
    if name in ("comment",) or (name in _SILENT and not inner.strip()):
        return ""
    if name in ("rawhtml", "html", "raw"):
        return _block(inner) if alone else inner
    rendered = _render_named(event, inner, ctx, source)
    if rendered is not None:
        markdown, is_block = rendered
        return _block(markdown) if is_block and alone else markdown
    body = _expand(inner, ctx)
    label = _label(event, name)
    if name in _CALLOUTS or name in _DETAILS or name in _TABS or name in _CONTAINERS:
        if not alone:
            return body
        return _block(_div(name, label, body, event))
    ctx.warn_unknown(_kind_label(event), event.name, source)
    return _block(body) if alone else body


def _kind_label(event: _Event) -> str:
    return {"hugo": "shortcode", "liquid": "Liquid tag", "jsx": "component", "go": "template action"}.get(
        event.kind, event.kind)


def _label(event: _Event, name: str) -> str:
    """The heading a container shows: its title, else the kind of callout ("Note", "Warning")."""
    for key in ("title", "header", "tabname", "label", "summary", "name", "heading"):
        if event.args.get(key):
            return event.args[key]
    kind = event.args.get("type") or event.args.get("variant") or event.args.get("color")
    if name in ("admonition", "callout", "alert", "notice") and event.positional:
        kind = kind or event.positional[0]
    if name in _CALLOUTS and name not in ("callout", "admonition", "aside", "blockquote", "panel", "box"):
        return (kind or {"deepdive": "Deep dive"}.get(name, name)).capitalize()
    return (kind or "").capitalize()


def _div(name: str, label: str, body: str, event: _Event) -> str:
    from pipeline.transforms.anchors import github_slug

    fence = ":" * 8
    kind = re.sub(r"[^\w-]", "", label.lower())
    classes = f".site-{name}" + (f" .{kind}" if kind and name in _CALLOUTS else "")
    ident = f"#{github_slug(label)} " if label and name in _TABS and github_slug(label) else ""
    title = f"**{_inline(label)}**\n\n" if label else ""
    return f"{fence} {{{ident}{classes}}}\n{title}{body.strip()}\n{fence}"


def _inline(text: str) -> str:
    """Inline Markdown on one line, for link texts and captions (brackets would end them early)."""
    return " ".join(text.split()).replace("[", r"\[").replace("]", r"\]")


def _fence(code: str, language: str) -> str:
    longest = max((len(m.group()) for m in re.finditer(r"`{3,}", code)), default=2)
    ticks = "`" * max(3, longest + 1)
    return f"{ticks}{language.strip()}\n{code}\n{ticks}"


def _render_named(event: _Event, inner: str, ctx: _Context, source: str) -> tuple[str, bool] | None:
    """(Markdown, whether it is a block) for a known construct; None for an unknown one."""
    name = event.name.lower()
    args, positional = event.args, event.positional
    if name in _SILENT:
        return "", True
    if name in _VIDEOS or name in ("video", "tweet", "twitter", "x", "instagram", "gist", "embed", "iframe"):
        return _media(name, args, positional, inner)
    if event.kind == "hugo" and name in ("ref", "relref"):
        return _hugo_ref((args.get("path") or (positional or [""])[0]), ctx), False
    if event.kind == "hugo" and name == "param":
        return _param((args.get("name") or (positional or [""])[0]), ctx), False
    if event.kind == "liquid" and name in ("link", "post_url"):
        return _jekyll_link(name, (positional or [""])[0].strip(), ctx), False
    if name in ("include", "include_relative", "readfile", "partial", "insert"):
        return _include(event, ctx, source)
    if _IMAGE_NAME.search(name) or (event.kind == "jsx" and name in ("image", "img", "figure", "picture")):
        figure = _figure(args, positional, inner) or _bundle_figure(positional, inner, ctx)
        if figure is not None:
            return figure, True
    return None


def _bundle_figure(positional: list[str], inner: str, ctx: _Context) -> str | None:
    """Docsy's `{{< imgproc sunset Fill "600x300" >}}`: the first argument names an image of the page bundle."""
    if not positional or not re.fullmatch(r"[\w.-]+", positional[0]):
        return None
    folder = ctx.document.base_dir
    try:
        matches = sorted(p.name for p in folder.iterdir() if positional[0] in p.name and _IMAGE_FILE.search(p.name))
    except OSError:
        return None
    return _figure({"src": matches[0]}, [], inner) if matches else None


def _media(name: str, args: dict[str, str], positional: list[str], inner: str) -> tuple[str, bool]:
    ident = args.get("id") or args.get("videoid") or args.get("src") or args.get("url") or (positional or [""])[0]
    title = args.get("title") or args.get("caption") or inner.strip()
    if name in ("tweet", "twitter", "x"):
        user = args.get("user") or args.get("username") or ""
        url = ident if ident.startswith("http") else (
            f"https://x.com/{user}/status/{ident}" if user else f"https://x.com/i/status/{ident}")
        text = title or (f"Post by @{user} on X" if user else "Post on X")
    elif name == "instagram":
        url, text = f"https://www.instagram.com/p/{ident}/", title or "Post on Instagram"
    elif name == "gist":
        user = (positional or ["", ""])[0] if len(positional) > 1 else args.get("user", "")
        gist = positional[1] if len(positional) > 1 else ident
        url, text = f"https://gist.github.com/{user}/{gist}", title or f"Gist {gist}"
    elif ident.startswith(("http://", "https://", "/")):
        embedded = re.match(r"https?://(?:www\.)?youtube(?:-nocookie)?\.com/embed/([\w-]+)", ident)
        url = f"https://www.youtube.com/watch?v={embedded.group(1)}" if embedded else ident
        text = title or ("YouTube video" if embedded else "Video")
    else:
        template = _VIDEOS.get(name, "https://www.youtube.com/watch?v={}")
        url = template.format(ident)
        host = {"vimeo": "Vimeo", "loom": "Loom", "bilibili": "Bilibili"}.get(name, "YouTube")
        text = title or f"{host} video"
    if not ident:
        return "", True
    shown = f"{_inline(text)} ({url.split('://', 1)[-1]})" if not title else _inline(text)
    return f"[{shown}](<{url}>)", True


def _figure(args: dict[str, str], positional: list[str], inner: str) -> str | None:
    src = next((args[k] for k in _IMAGE_KEYS if args.get(k)), "")
    if not src:
        src = next((p for p in positional if _IMAGE_FILE.search(p)), "")
    if not src:
        return None
    caption = args.get("caption") or inner.strip() or args.get("title") or args.get("alt") or ""
    sizes = [k for k in ("width", "height") if re.fullmatch(r"\d+(?:px|%)?", args.get(k, ""))]
    attributes = " ".join(f'{k}="{args[k]}"' for k in sizes)
    title = f' "{args["title"]}"' if args.get("title") and args["title"] != caption else ""
    image = f"![{_inline(caption)}](<{src}>{title})"
    return image + (f"{{{attributes}}}" if attributes else "")


def _param(name: str, ctx: _Context) -> str:
    value: Any = ctx.document.front_matter
    for part in name.split("."):
        value = value.get(part) if isinstance(value, dict) else None
    if value is None and ctx.site is not None:
        value = ctx.site.settings.get("params", {})
        for part in name.split("."):
            value = value.get(part) if isinstance(value, dict) else None
    return str(value) if isinstance(value, (str, int, float)) else ""


def _hugo_ref(target: str, ctx: _Context) -> str:
    """The page a `ref`/`relref` names, as the link the site renders: `#x` on this page, else its path."""
    path, _, anchor = target.partition("#")
    own = ctx.document.source
    if not path or Path(path).name in (own.name, own.stem) or path in (own.stem, str(own.with_suffix(""))):
        return f"#{anchor}" if anchor else "#"
    clean = re.sub(r"\.(?:md|markdown|html)$", "", path.strip("/"))
    clean = re.sub(r"(?:^|/)_?index$", "", clean)
    return f"/{clean.lower()}/" + (f"#{anchor}" if anchor else "") if clean else "/"


def _jekyll_link(tag: str, target: str, ctx: _Context) -> str:
    target = target.strip("'\"")
    settings = ctx.site.settings if ctx.site is not None else {}
    pretty = settings.get("permalink") == "pretty"
    base = str(settings.get("baseurl") or "").rstrip("/")
    if tag == "post_url":
        match = re.match(r"(?:.*/)?(\d{4})-(\d{2})-(\d{2})-(.+)$", target)
        if not match:
            return base + "/" + target
        year, month, day, slug = match.groups()
        return f"{base}/{year}/{month}/{day}/{slug}" + ("/" if pretty else ".html")
    page = re.sub(r"\.(?:md|markdown|html)$", "", target.lstrip("/"))
    post = re.match(r"_posts/(?:.*/)?(\d{4})-(\d{2})-(\d{2})-(.+)$", page)
    if post:
        year, month, day, slug = post.groups()
        return f"{base}/{year}/{month}/{day}/{slug}" + ("/" if pretty else ".html")
    page = re.sub(r"(?:^|/)index$", "", page)
    return f"{base}/{page}" + ("/" if pretty or not page else ".html")


def _include(event: _Event, ctx: _Context, source: str) -> tuple[str, bool] | None:
    """An include: a figure or video when its name or arguments say so, else the file's content."""
    args, positional = event.args, event.positional
    name = (args.get("file") or args.get("path") or (positional or [""])[0]).strip("'\"")
    lowered = name.lower()
    for video in _VIDEOS:
        if video in lowered:
            return _media(video, args, positional[1:], "")
    figure = _figure({k: v for k, v in args.items() if k != "file"}, [], "")
    if figure is not None and (_IMAGE_NAME.search(lowered) or "src" in args or "image_path" in args
                               or "image" in args):
        return figure, True
    site = ctx.site
    if site is None or not name:
        return None
    folders = [site.root / "_includes", site.root / "layouts" / "partials", site.root] if event.name != \
        "include_relative" else [ctx.document.base_dir]
    for folder in folders:
        candidate = (folder / name).resolve()
        if not candidate.is_relative_to(site.root) and not candidate.is_relative_to(ctx.document.base_dir.resolve()):
            continue
        if candidate.is_file() and candidate.stat().st_size < 1_000_000:
            content = candidate.read_text(encoding="utf-8", errors="replace")
            if "{%" in content and candidate.suffix.lower() not in (".md", ".markdown"):
                ctx.document.warn(WARNING, f"include {name!r} is a template with Liquid logic we do not run: "
                                  "dropped", line=ctx.document.line_of(source))
                return "", True
            content = re.sub(r"\{\{-?\s*include\.(\w+)\s*-?\}\}", lambda m: args.get(m.group(1).lower(), ""), content)
            return _expand(content, ctx), True
    return None


_FILTER = re.compile(r"\|\s*(\w+)(?:\s*:\s*(?:\"([^\"]*)\"|'([^']*)'|([^|\s]+)))?")


def _liquid_value(expression: str, ctx: _Context, source: str) -> str:
    """The value of a Liquid output tag on a Jekyll site (`site.*`, `page.*`, a few URL filters)."""
    head, _, filters = expression.partition("|")
    head = head.strip()
    literal = re.fullmatch(r"\"([^\"]*)\"|'([^']*)'", head)
    settings = ctx.site.settings if ctx.site is not None else {}
    value: Any
    if literal:
        value = literal.group(1) if literal.group(1) is not None else literal.group(2)
    else:
        root, _, rest = head.partition(".")
        scope: Any = {"site": settings, "page": ctx.document.front_matter}.get(root)
        if scope is None:
            ctx.warn_unknown("Liquid variable", head, source)
            return ""
        value = scope
        for part in filter(None, re.split(r"[.\[\]'\"]+", rest)):
            value = value.get(part) if isinstance(value, dict) else None
        if value is None:
            value = ""
    text = str(value) if isinstance(value, (str, int, float)) else ""
    base = str(settings.get("baseurl") or "").rstrip("/")
    url = str(settings.get("url") or "").rstrip("/")
    for m in _FILTER.finditer("|" + filters) if filters else ():
        argument = next((g for g in m.groups()[1:] if g is not None), "")
        kind = m.group(1)
        if kind == "relative_url":
            text = base + "/" + text.lstrip("/") if not re.match(r"\w+://", text) else text
        elif kind == "absolute_url":
            text = url + base + "/" + text.lstrip("/") if not re.match(r"\w+://", text) else text
        elif kind == "prepend":
            text = argument + text
        elif kind == "append":
            text = text + argument
        elif kind == "default":
            text = text or argument
        elif kind in ("upcase", "downcase", "capitalize", "strip"):
            text = {"upcase": str.upper, "downcase": str.lower, "capitalize": str.capitalize,
                    "strip": str.strip}[kind](text)
    return text


def shortcode_sources(text: str) -> Iterator[str]:
    """Image paths that shortcodes, includes and components in `text` name (for the batch's job keys)."""
    if not has_templates(text):
        return
    for pattern in (_HUGO, _LIQUID_TAG, _JSX_TAG):
        for m in pattern.finditer(text):
            args, positional = parse_args(m.group(0)[2:-2] if pattern is not _JSX_TAG else m.group(3))
            for key in _IMAGE_KEYS:
                if args.get(key) and _IMAGE_FILE.search(args[key]):
                    yield args[key]
            yield from (p for p in positional if _IMAGE_FILE.search(p))

