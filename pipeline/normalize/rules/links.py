"""Link rules: schemes, bare URLs and domains, e-mail addresses, double-encoded escapes, bad targets.

Detection uses linkify-it-py (bare URLs, fuzzy domains, e-mails) and the public suffix list
(publicsuffixlist) to tell a domain (`openinfra.dev/join`) from a relative file (`notes.md`).
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote, urlsplit

from markdown_it.token import Token

from pipeline.normalize import tokens as tk
from pipeline.normalize.engine import RuleContext
from pipeline.normalize.registry import rule

if TYPE_CHECKING:
    from linkify_it import LinkifyIt
    from publicsuffixlist import PublicSuffixList

    from pipeline.document import Document

# File extensions that are also top-level domains: `setup.py`, `README.md`, `run.sh` are files.
_FILE_EXTENSIONS = frozenset(
    [
        "md",
        "markdown",
        "py",
        "sh",
        "rs",
        "pl",
        "pm",
        "ps",
        "so",
        "in",
        "am",
        "ml",
        "hs",
        "cc",
        "zip",
        "mov",
        "rar",
        "gz",
        "txt",
        "json",
        "yaml",
        "yml",
        "toml",
        "cfg",
        "ini",
        "html",
        "htm",
        "css",
        "js",
        "ts",
        "jsx",
        "tsx",
        "c",
        "h",
        "cpp",
        "hpp",
        "go",
        "java",
        "rb",
        "php",
        "sql",
        "csv",
        "xml",
        "pdf",
        "png",
        "jpg",
        "jpeg",
        "gif",
        "svg",
        "webp",
        "doc",
        "docx",
        "ppt",
        "pptx",
        "xls",
        "xlsx",
        "epub",
        "mp3",
        "mp4",
        "wav",
        "ai",
        "sc",
        "st",
        "do",
        "bz",
        "lock",
        "log",
        "tf",
        "mk",
        "ms",
        "me",
    ]
)
_SCHEME = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:")
_HOST = re.compile(r"^(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z][A-Za-z0-9-]{1,62}(?::\d{1,5})?$")
_EMAIL = re.compile(r"^[\w.+-]+@(?:[A-Za-z0-9-]+\.)+[A-Za-z]{2,}$")
_DOUBLE_ENCODED = re.compile(r"%25([0-9A-Fa-f]{2})")


@lru_cache(maxsize=1)
def psl() -> PublicSuffixList:
    """The public suffix list, parsed once and kept in the cache folder: parsing it takes 60 ms in
    every process that normalizes (the first normalize of every one-document run); reading the list
    for the key and unpickling the parsed copy, 9 ms."""
    from publicsuffixlist import PSLFILE, PublicSuffixList

    from pipeline.cache import cached
    from pipeline.normalize.lexicon import version

    try:
        listed = Path(PSLFILE).read_bytes()  # in the key: an updated list is parsed anew
    except OSError:
        return PublicSuffixList(accept_unknown=False)
    return cached("public-suffix-list", [listed, version("publicsuffixlist"), "accept_unknown=False"],
                  lambda: PublicSuffixList(accept_unknown=False))


@lru_cache(maxsize=1)
def linkifier() -> LinkifyIt:
    from linkify_it import LinkifyIt
    from linkify_it.tlds import TLDS

    # linkify's default fuzzy TLD list misses most gTLDs (.dev, .cloud, ...); use the full IANA list.
    return LinkifyIt(options={"fuzzy_email": True, "fuzzy_link": True}).tlds([t.lower() for t in TLDS], True)


def public_suffix(host: str) -> str | None:
    host = host.split(":")[0].rstrip(".").lower()
    try:
        return psl().publicsuffix(host)
    except Exception:
        return None


def is_domain(host: str, has_path: bool) -> bool:
    """True when `host` is a registrable domain name, not a file name that happens to look like one."""
    if not _HOST.match(host):
        return False
    suffix = public_suffix(host)
    if suffix is None:
        return False
    labels = host.split(":")[0].split(".")
    tld = labels[-1].lower()
    if tld in _FILE_EXTENSIONS and not host.lower().startswith("www."):
        return has_path and len(labels) >= 2 and tld not in ("md", "py", "sh", "html", "htm", "js")
    if has_path or len(labels) >= 3:
        return True
    # A two-label name without a path: domains in prose are written in lower case; `ASP.NET` is not one.
    return host == host.lower()


_MAYBE_URL = re.compile(r"://|@|[\w-]\.[A-Za-z]{2,}")


@lru_cache(maxsize=8192)
def find_urls(text: str) -> tuple[tuple[int, int, str, str], ...]:
    """(start, end, visible text, href) of URLs, domains and e-mails that should be links in `text`."""
    # linkify is the slow part of a run: only ask it about text that could hold a URL at all.
    if not _MAYBE_URL.search(text):
        return ()
    try:
        matches = linkifier().match(text) or []
    except Exception:
        return ()
    out = []
    for m in matches:
        visible = m.text
        if m.schema == "mailto:" or (not m.schema and "@" in visible):
            if not _EMAIL.match(visible.removeprefix("mailto:")) or public_suffix(visible.split("@")[-1]) is None:
                continue
            out.append((m.index, m.last_index, visible, "mailto:" + visible.removeprefix("mailto:")))
            continue
        if not m.schema:
            host, _, path = visible.partition("/")
            if not is_domain(host, bool(path)):
                continue
            # A fuzzy match glued to a word or a path (`foo/bar.com`, `v1.2.io`) is not a link, nor is
            # one in braces: a label or a placeholder (`\figref{500l.imagefilters.app}`, `{app.name}`).
            if m.index > 0 and (text[m.index - 1].isalnum() or text[m.index - 1] in "/\\@.-_{"):
                continue
            if text[m.last_index : m.last_index + 1] == "}":
                continue
            out.append((m.index, m.last_index, visible, "https://" + visible))
        elif m.schema.lower() in ("http:", "https:", "ftp:"):
            out.append((m.index, m.last_index, visible, m.url))
    return tuple(out)


def url_spans(text: str) -> list[tuple[int, int]]:
    return merge_spans([(s, e) for s, e, _, _ in find_urls(text)])


def protected_spans(ctx: RuleContext, text: str) -> list[tuple[int, int]]:
    """Spans of `text` that word rules must not touch: URLs, domains, e-mails, paths, handles."""
    key = "spans:" + text
    cached = ctx._cache.get(key)
    if cached is not None:
        return cached
    spans = [(s, e) for s, e, _, _ in find_urls(text)]
    spans += [m.span() for m in _PATHLIKE.finditer(text)]
    spans = merge_spans(spans)
    ctx._cache[key] = spans
    return spans


def merge_spans(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Sorted, non-overlapping spans (so a lookup is one bisect)."""
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


# Paths, file names, identifiers, handles, channels, version strings: never prose. Each alternative
# starts at the beginning of a token (lookbehind), so the scan stays linear on long paragraphs.
_PATHLIKE = re.compile(
    r"(?<![\w.~/\\-])[\w.~-]*[/\\][\w./\\~%-]+"
    r"|[@#][\w.-]+"
    r"|\b\w+\.\w+(?:\.\w+)*\b"
    r"|\b\w*(?:_|\d)\w*\b"
)


def _split_text_with_links(token: Token, found: list[tuple[int, int, str, str]]) -> list[Token]:
    out: list[Token] = []
    text = token.content
    pos = 0
    for start, end, visible, href in found:
        if start > pos:
            out.append(tk.make("text", block=False, content=text[pos:start]))
        auto = href == visible or href == "mailto:" + visible
        open_ = tk.make(
            "link_open",
            "a",
            1,
            block=False,
            markup="autolink" if auto else "linkify",
            info="auto" if auto else "",
        )
        open_.attrs = {"href": href}
        out.append(open_)
        # markdown-it shows an autolink's URL through normalizeLinkText (%5E → ^); do the same so the
        # tree matches what a reader of the rendered Markdown gets.
        shown = _link_text(visible) if auto else visible
        out.append(tk.make("text", block=False, content=shown))
        out.append(
            tk.make(
                "link_close",
                "a",
                -1,
                block=False,
                markup="autolink" if auto else "linkify",
                info="auto" if auto else "",
            )
        )
        pos = end
    if pos < len(text):
        out.append(tk.make("text", block=False, content=text[pos:]))
    return out


def _link_text(url: str) -> str:
    from pipeline.normalize.markdown import parser

    return parser().normalizeLinkText(url)


def _links(ctx: RuleContext) -> list[tuple[Token, Token, str]]:
    """(inline, token, attribute) for every link and image target, references included."""
    out = []
    for _, inline in ctx.inlines():
        for child in inline.children or []:
            if child.type == "link_open":
                out.append((inline, child, "href"))
            elif child.type == "image":
                out.append((inline, child, "src"))
    return out


def _set_target(ctx: RuleContext, tok: Token, attr: str, value: str) -> None:
    tok.attrs[attr] = value
    label = tok.meta.get("label") if tok.meta else None
    refs: dict[str, Any] = ctx.env.get("references", {})
    if label and label in refs:
        refs[label]["href"] = value


_SCHEME_TYPO = [
    (re.compile(r"^(https?)//(?=[\w\[])", re.I), r"\1://"),
    (re.compile(r"^(https?):/(?=[\w\[])", re.I), r"\1://"),
    (re.compile(r"^(https?):///+(?=[\w\[])", re.I), r"\1://"),
    (re.compile(r"^(https?);//(?=[\w\[])", re.I), r"\1://"),
    (re.compile(r"^(?:htp|htttp|hhttp|httpp)(s?)://", re.I), r"http\1://"),
]


@rule("LINK001")
def scheme_typos(ctx: RuleContext) -> None:
    """Malformed schemes in link targets are repaired (`https//x.org`, `htps://x.org`)."""
    for inline, tok, attr in _links(ctx):
        target = str(tok.attrs.get(attr, ""))
        for pattern, repl in _SCHEME_TYPO:
            fixed = pattern.sub(repl, target, count=1)
            if fixed != target:
                line0, col0 = ctx.locate_next(inline, target, "target")
                if ctx.propose(line0, col0, target, fixed, "malformed URL scheme repaired"):
                    _set_target(ctx, tok, attr, fixed)
                break


@rule("LINK002")
def schemeless_targets(ctx: RuleContext) -> None:
    """Link targets that are domains without a scheme get `https://`; e-mail targets get `mailto:`."""
    base = ctx.doc.base_dir
    for inline, tok, attr in _links(ctx):
        target = str(tok.attrs.get(attr, ""))
        if not target or _SCHEME.match(target) or target[0] in "/#?.~\\":
            continue
        if _EMAIL.match(target):
            fixed = "mailto:" + target
        else:
            host, _, path = target.partition("/")
            host = host.split("?")[0].split("#")[0]
            if not is_domain(host, bool(path)) or _exists(base, target):
                continue
            fixed = "https://" + target
        line0, col0 = ctx.locate_next(inline, target, "target")
        if ctx.propose(line0, col0, target, fixed, "link target without a scheme"):
            _set_target(ctx, tok, attr, fixed)
            # An autolink shows its URL: keep the visible text in step.
            if tok.info == "auto":
                _sync_autolink_text(inline, tok, fixed)


def _exists(base: Path, target: str) -> bool:
    try:
        return (base / unquote(target.split("#")[0].split("?")[0])).exists()
    except (OSError, ValueError):
        return False


def _sync_autolink_text(inline: Token, link_open: Token, href: str) -> None:
    kids = inline.children or []
    k = kids.index(link_open)
    if k + 1 < len(kids) and kids[k + 1].type == "text":
        kids[k + 1].content = _link_text(href.removeprefix("mailto:"))


@rule("LINK003")
def double_encoding(ctx: RuleContext) -> None:
    """Double-encoded percent escapes in URLs are repaired (`%255E` → `%5E`)."""
    for inline, tok, attr in _links(ctx):
        target = str(tok.attrs.get(attr, ""))
        fixed = _DOUBLE_ENCODED.sub(r"%\1", target)
        if fixed != target:
            line0, col0 = ctx.locate_next(inline, target, "target")
            if ctx.propose(line0, col0, target, fixed, "double-encoded percent escape"):
                _set_target(ctx, tok, attr, fixed)
                if tok.info == "auto":
                    _sync_autolink_text(inline, tok, fixed)
    # Bare URLs in text are fixed before they become links (LINK004).
    for ref in ctx.texts():
        if ref.in_link or "%25" not in ref.token.content:
            continue
        text = ref.token.content
        pieces = []
        pos = 0
        for start, end, visible, _href in find_urls(text):
            if tk.overlaps_any(ref.shielded, start, end):
                continue
            fixed = _DOUBLE_ENCODED.sub(r"%\1", visible)
            if fixed == visible:
                continue
            line0, col0 = ctx.locate_next(ref.inline, visible, "text")
            if ctx.propose(line0, col0, visible, fixed, "double-encoded percent escape"):
                pieces += [text[pos:start], fixed]
                pos = end
        if pieces:
            ref.token.content = "".join(pieces) + text[pos:]


@rule("LINK004")
def bare_urls(ctx: RuleContext) -> None:
    """Bare URLs, domains with a path or a host shape, and e-mail addresses in text become links."""
    for _, inline in list(ctx.inlines()):
        kids = inline.children or []
        new: list[Token] = []
        changed = False
        link_depth = 0
        html_a = 0
        shielded = tk.template_spans(kids)
        for k, child in enumerate(kids):
            if child.type == "link_open":
                link_depth += 1
            elif child.type == "link_close":
                link_depth = max(0, link_depth - 1)
            elif child.type == "html_inline":
                if re.match(r"<a[\s>]", child.content, re.I):
                    html_a += 1
                elif re.match(r"</a\s*>", child.content, re.I):
                    html_a = max(0, html_a - 1)
            if child.type != "text" or link_depth or html_a or "." not in child.content:
                new.append(child)
                continue
            accepted = []
            for start, end, visible, href in find_urls(child.content):
                if tk.overlaps_any(shielded.get(k, []), start, end):
                    continue  # a shortcode's argument (`{{video "https://…"}}`) is not a link
                line0, col0 = ctx.locate_next(inline, visible, "text")
                shown = f"<{visible}>" if href in (visible, "mailto:" + visible) else f"[{visible}]({href})"
                kind = (
                    "e-mail address"
                    if href.startswith("mailto:")
                    else "bare URL"
                    if "://" in visible
                    else "bare domain"
                )
                if ctx.propose(line0, col0, visible, shown, f"{kind} made a link"):
                    accepted.append((start, end, visible, href))
            if accepted:
                new.extend(_split_text_with_links(child, accepted))
                changed = True
            else:
                new.append(child)
        if changed:
            inline.children = new


@rule("LINK005", kind="check")
def unfixable_links(ctx: RuleContext) -> None:
    """Links that cannot be made valid are reported with their line and the reason."""
    base = ctx.doc.base_dir
    for inline, tok, attr in _links(ctx):
        target = str(tok.attrs.get(attr, ""))
        line0, col0 = ctx.locate_next(inline, target or "](", "target")
        what = "image" if attr == "src" else "link"
        reason = _problem(target, base, tok, ctx.doc)
        if reason:
            ctx.warn("LINK005", f"{what} target {target!r}: {reason}", line0, col0)
            ctx.doc.reported_links.add(target)


def _site_relative_problem(target: str, doc: Document | None) -> str | None:
    """A root-relative path resolves on the document's site: its static folders, or its web address."""
    from pipeline.resources import resolve_resource
    from pipeline.site import web_address

    if doc is None:
        return "site-relative path: it only resolves on the original website (see --site-root)"
    found, why = resolve_resource(target, doc)
    if found is not None or (why != "outside" and web_address(target, doc) is not None):
        return None
    if doc.site is None:
        return "site-relative path: it only resolves on the original website (give its site with --site-root)"
    if why == "outside":
        return f"leaves the root of the {doc.site.describe()}"
    return f"not in the static folders of the {doc.site.describe()}, and the site's address is unknown"


def _problem(target: str, base: Path, tok: Token, doc: Document | None = None) -> str | None:
    if not target:
        return "empty target"
    if target.startswith("#"):
        return None
    scheme = _SCHEME.match(target)
    if scheme:
        name = scheme.group(0)[:-1].lower()
        if name in ("http", "https", "ftp"):
            try:
                parts = urlsplit(target)
            except ValueError:
                return "malformed URL"
            host = parts.hostname or ""
            if not host:
                return "URL without a host"
            if host != "localhost" and not re.match(r"^[\d.]+$|^\[", host) and public_suffix(host) is None:
                return f"unknown top-level domain in {host!r}"
        elif name == "javascript":
            return "script links do not work in documents"
        return None
    if target.startswith("/"):
        if tok.type == "image" and doc is not None and doc.site is not None:
            return None  # looked up in the site's static folders when it is embedded (REND002 if absent)
        return _site_relative_problem(target, doc)
    if not _exists(base, target):
        return "relative path not found next to the document"
    return None
