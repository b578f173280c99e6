"""Links to headings written for the site: every generator's anchor name leads to the heading.

Pandoc names a heading `whats-new` (GitHub's rule); the page's author wrote the link the way their
site names it: GitHub and Docusaurus (github-slugger), GitLab, Hugo (Goldmark, or Blackfriday on
older sites), Jekyll (kramdown, or kramdown's GFM parser), MkDocs (Python-Markdown, ASCII or
Unicode), VitePress, each with its own way of numbering duplicates, and with whatever case the
author typed (`#Описание`). `resolve_anchor_links` rewrites each such link to the heading's pandoc
id in the shared AST, so the HTML, PDF (link annotations), EPUB and DOCX (bookmarks) agree.

`<a id="x">` and `<a name="x">` targets in raw HTML become pandoc anchors (an empty span with that
id), which every writer keeps: the sanitizer drops `name`, and Word drops raw HTML altogether.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Callable
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote, urlsplit

from pipeline.render import elements, stringify, walk

if TYPE_CHECKING:
    from pipeline.document import Document

_ANCHOR_TAG = re.compile(r"""^\s*<a\b(?=[^>]*\b(?:id|name)\s*=)(?![^>]*\bhref\s*=)[^>]*>\s*(</a\s*>)?\s*$""",
                         re.IGNORECASE)
_TAG_ID = re.compile(r"""\b(?:id|name)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>"']+))""", re.IGNORECASE)
_CLOSE_A = re.compile(r"^\s*</a\s*>\s*$", re.IGNORECASE)
_RAW_HREF = re.compile(r"""(\bhref\s*=\s*)(["'])#([^"']+)\2""", re.IGNORECASE)


def _word_char(c: str) -> bool:
    return unicodedata.category(c)[0] in "LNM" or c == "_"


def github_slug(text: str) -> str:
    """GitHub's and github-slugger's (Docusaurus) heading anchor: lower case, punctuation out, spaces to '-'."""
    return "".join(c for c in text.lower() if _word_char(c) or c in "- ").replace(" ", "-")


def gitlab_slug(text: str) -> str:
    slug = "".join(c for c in text.strip().lower() if _word_char(c) or c in "- ")
    return re.sub(r"-+", "-", slug.replace(" ", "-"))


def goldmark_slug(text: str, ascii_only: bool = False) -> str:
    """Hugo's default (Goldmark "github", or "github-ascii"): letters, digits and '_' kept, spaces to '-'."""
    if ascii_only:
        text = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    out = []
    for c in text.strip():
        if ascii_only and ord(c) > 127:
            continue
        if c in "- ":
            out.append("-")
        elif c == "_" or unicodedata.category(c)[0] in "LN":
            out.append(c.lower())
    return "".join(out)


def blackfriday_slug(text: str) -> str:
    """Hugo before 0.60 (Blackfriday): runs of anything but letters and digits become one '-'."""
    return "-".join(re.findall(r"[^\W_]+", text.lower()))


def kramdown_slug(text: str) -> str:
    """Jekyll's kramdown: ASCII letters, digits, spaces and '-' only, from the first letter on."""
    slug = re.sub(r"^[^a-zA-Z]+", "", text)
    slug = re.sub(r"[^a-zA-Z0-9 -]", "", slug).replace(" ", "-").lower()
    return slug or "section"


def kramdown_gfm_slug(text: str) -> str:
    """kramdown's GFM parser (GitHub Pages): GitHub's rule, tabs counted as spaces."""
    return "".join(c for c in text.lower() if _word_char(c) or c in "- \t").replace(" ", "-").replace("\t", "-")


def mkdocs_slug(text: str, unicode: bool = False) -> str:
    """MkDocs (Python-Markdown's toc): ASCII by default, Unicode with `slugify_unicode`."""
    if not unicode:
        text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    text = re.sub(r"[^\w\s-]", "", text).strip().lower()
    return re.sub(r"[-\s]+", "-", text)


def vitepress_slug(text: str) -> str:
    """VitePress (@mdit-vue): accents dropped, runs of punctuation and spaces one '-', a leading digit '_'."""
    text = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    text = re.sub(r"[\x00-\x1f]", "", text)
    text = re.sub(r"[\s~`!@#$%^&*()\-_+=\[\]{}|\\;:\"'“”‘’<>,.?/]+", "-", text)
    text = re.sub(r"-{2,}", "-", text).strip("-")
    return re.sub(r"^(\d)", r"_\1", text).lower()


def _dash_numbered(slug: str, seen: dict[str, int]) -> str:
    # github-slugger's numbering, which the other dash-numbering generators share: the second
    # "Intro" is "intro-1", and a heading literally named "Intro 1" after it "intro-1-1".
    original = slug
    while slug in seen:
        seen[original] += 1
        slug = f"{original}-{seen[original]}"
    seen[slug] = 0
    return slug


def _underscore_numbered(slug: str, seen: dict[str, int]) -> str:
    candidate, count = slug, 0
    while candidate in seen or not candidate:
        count += 1
        candidate = f"{slug}_{count}"
    seen[candidate] = 1
    return candidate


# (name, slug rule, duplicate numbering), in the order a clash between two headings is settled.
SCHEMES: tuple[tuple[str, Callable[[str], str], Callable[[str, dict[str, int]], str]], ...] = (
    ("github", github_slug, _dash_numbered),
    ("hugo", goldmark_slug, _dash_numbered),
    ("gitlab", gitlab_slug, _dash_numbered),
    ("kramdown-gfm", kramdown_gfm_slug, _dash_numbered),
    ("kramdown", kramdown_slug, _dash_numbered),
    ("mkdocs", mkdocs_slug, _underscore_numbered),
    ("mkdocs-unicode", lambda t: mkdocs_slug(t, unicode=True), _underscore_numbered),
    ("vitepress", vitepress_slug, _dash_numbered),
    ("hugo-ascii", lambda t: goldmark_slug(t, ascii_only=True), _dash_numbered),
    ("blackfriday", blackfriday_slug, _dash_numbered),
)


MAX_SUGGESTIONS = 50


def _folded(name: str) -> str:
    return unicodedata.normalize("NFC", unquote(name)).casefold()


class Anchors:
    """The targets of a document: element ids, and every alias a heading answers to."""

    def __init__(self, ast: dict[str, Any]) -> None:
        self.ids: set[str] = set()
        self.headings: list[tuple[str, str]] = []  # (id, text) in order
        for node in elements(ast["blocks"]):
            content = node.get("c")
            if node["t"] == "Header":
                _level, (ident, _classes, _attrs), inlines = content
                self.headings.append((ident, stringify(inlines).strip()))
                if ident:
                    self.ids.add(ident)
            if node["t"] in ("RawBlock", "RawInline") and content[0] == "html":
                self.ids.update(next(g for g in m.groups() if g is not None) for m in _TAG_ID.finditer(content[1]))
                continue
            attr = content[0] if isinstance(content, list) and content else None
            if isinstance(attr, list) and len(attr) == 3 and isinstance(attr[0], str) and attr[0]:
                self.ids.add(attr[0])
        self.aliases: dict[str, str] = {}
        for _name, slug, numbered in SCHEMES:
            seen: dict[str, int] = {}
            for ident, text in self.headings:
                alias = numbered(slug(text), seen)
                if ident and alias:
                    self.aliases.setdefault(alias, ident)
        self.suggested = 0
        self.folded: dict[str, str] = {}
        for name in self.ids:
            self.folded.setdefault(_folded(name), name)
        for alias, ident in self.aliases.items():
            self.folded.setdefault(_folded(alias), ident)

    def resolve(self, fragment: str) -> str | None:
        """The id a link to `#fragment` means, or None when nothing in the document answers to it."""
        for name in (fragment, unquote(fragment)):
            if name in self.ids:
                return name
            if name in self.aliases:
                return self.aliases[name]
        folded = _folded(fragment)
        for prefix in ("", "user-content-", "heading-", "section-"):
            if folded.startswith(prefix) and folded[len(prefix):] in self.folded:
                return self.folded[folded[len(prefix):]]
        return None

    def closest(self, fragment: str) -> tuple[str, str] | None:
        """(id, heading text) of the heading most like `#fragment`, for the warning about a broken link.

        Each call compares with every heading: past the first `MAX_SUGGESTIONS` broken links of a
        document, no suggestion (thousands of broken links to thousands of headings would be quadratic).
        """
        self.suggested += 1
        if not self.headings or self.suggested > MAX_SUGGESTIONS:
            return None
        wanted = github_slug(unquote(fragment).replace("-", " "))
        keys = {github_slug(text): (ident, text) for ident, text in self.headings if ident}
        keys.update({ident: (ident, text) for ident, text in self.headings if ident})
        match = difflib.get_close_matches(wanted, list(keys), n=1, cutoff=0.6)
        return keys[match[0]] if match else None


def _heading_text(anchors: Anchors, ident: str) -> str:
    return next((text for hid, text in anchors.headings if hid == ident), ident)


def _own_file(url: str, document: Document) -> bool:
    path = unquote(urlsplit(url).path)
    return path in ("", "./", ".") or path.lstrip("./") in (document.source.name, document.source.stem)


def _anchor_id(markup: str) -> str | None:
    match = _ANCHOR_TAG.match(markup)
    if not match:
        return None
    found = _TAG_ID.search(markup)
    return next(g for g in found.groups() if g is not None) if found else None


def resolve_anchor_links(ast: dict[str, Any], document: Document) -> dict[str, Any]:
    """The AST with links to alias anchors pointing at the real ids, and raw `<a id|name>` as anchors."""
    anchors = Anchors(ast)
    document.artifacts["anchors"] = anchors

    def fix_raw(markup: str) -> str:
        def replace(m: re.Match[str]) -> str:
            target = anchors.resolve(m.group(3))
            if target is None or target == m.group(3):
                return m.group(0)
            return f"{m.group(1)}{m.group(2)}#{target}{m.group(2)}"

        return _RAW_HREF.sub(replace, markup) if "#" in markup else markup

    def visit(node: dict[str, Any]) -> Any:
        kind = node["t"]
        if kind == "Link":
            attr, inlines, (url, title) = node["c"]
            fragment = urlsplit(url).fragment if "#" in url else None
            if fragment is None or not fragment or not (url.startswith("#") or _own_file(url, document)):
                return None
            target = anchors.resolve(fragment)
            if target is None:
                shown = inlines or [{"t": "Str", "c": unquote(fragment)}]  # an xref keeps its name
                if url.startswith("#") and shown is inlines:
                    return None
                return {"t": "Link", "c": [attr, shown, ["#" + fragment, title]]}
            shown = inlines or [{"t": "Str", "c": _heading_text(anchors, target)}]
            if url == "#" + target and shown is inlines:
                return None
            return {"t": "Link", "c": [attr, shown, ["#" + target, title]]}
        if kind in ("RawInline", "RawBlock") and node["c"][0] == "html":
            fixed = fix_raw(node["c"][1])
            if fixed != node["c"][1]:
                return {"t": kind, "c": ["html", fixed]}
        if kind in ("Para", "Plain", "Header", "Span", "Emph", "Strong"):
            return _anchor_spans(node)
        return None

    blocks = walk(ast["blocks"], visit)
    return {**ast, "blocks": _anchor_blocks(blocks)}


def _inline_list(node: dict[str, Any]) -> tuple[list[Any], Callable[[list[Any]], dict[str, Any]]] | None:
    kind, content = node["t"], node["c"]
    if kind in ("Para", "Plain", "Emph", "Strong"):
        return content, lambda new: {"t": kind, "c": new}
    if kind == "Header":
        return content[2], lambda new: {"t": kind, "c": [content[0], content[1], new]}
    if kind == "Span":
        return content[1], lambda new: {"t": kind, "c": [content[0], new]}
    return None


def _anchor_spans(node: dict[str, Any]) -> dict[str, Any] | None:
    """`<a name="x">text</a>` in a paragraph: an empty span with id "x", the text kept."""
    found = _inline_list(node)
    if found is None:
        return None
    inlines, rebuild = found
    if not any(i["t"] == "RawInline" for i in inlines):
        return None
    out: list[Any] = []
    open_anchors = 0
    changed = False
    for item in inlines:
        if item["t"] == "RawInline" and item["c"][0] == "html":
            ident = _anchor_id(item["c"][1])
            if ident is not None:
                out.append({"t": "Span", "c": [[ident, [], []], []]})
                if not _ANCHOR_TAG.match(item["c"][1]).group(1):
                    open_anchors += 1
                changed = True
                continue
            if open_anchors and _CLOSE_A.match(item["c"][1]):
                open_anchors -= 1
                continue
        out.append(item)
    return rebuild(out) if changed else None


def _anchor_blocks(blocks: list[Any]) -> list[Any]:
    """A raw `<a id="x"></a>` block: its anchor moves into the next block with text (a heading, say)."""
    out: list[Any] = []
    pending: list[dict[str, Any]] = []
    for block in blocks:
        if isinstance(block, dict) and block.get("t") == "RawBlock" and block["c"][0] == "html":
            ident = _anchor_id(block["c"][1])
            if ident is not None:
                pending.append({"t": "Span", "c": [[ident, [], []], []]})
                continue
        if pending and isinstance(block, dict) and (found := _inline_list(block)) is not None:
            inlines, rebuild = found
            block = rebuild([*pending, *inlines])
            pending = []
        elif pending:
            out.append({"t": "Plain", "c": pending})
            pending = []
        out.append(block)
    if pending:
        out.append({"t": "Plain", "c": pending})
    return out
