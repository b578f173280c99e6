"""Render stage: one pandoc AST per document, shared by every writer.

Pandoc reads the (normalized) Markdown once into its JSON AST; writers convert that AST to their
format, so all of them agree on what the text means and pandoc parses each document only once.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote, urlsplit

from pipeline.document import Document
from pipeline.errors import WriterError
from pipeline.transforms.alerts import label_alerts
from pipeline.transforms.manual_toc import drop_manual_toc
from pipeline.transforms.math import check_math

# implicit_figures: an image alone in its paragraph is a Figure whose caption is its alt text, so
# every writer (HTML, PDF, EPUB, DOCX) shows the same captioned figure from the one shared AST.
# tex_math_gfm: GitHub's ```math fences and $`…`$ are math too (the normalizer reads the same, see
# pipeline/normalize/math.py). -fancy_lists: `a)` and `i.` are text, as on GitHub and for the
# normalizer; with fancy_lists on, pandoc 3.9 also stops reading task lists (`- [x]`).
READER = "commonmark_x-fancy_lists+tex_math_gfm+implicit_figures"
# tex_math_gfm makes pandoc's reader quadratic in block-quote depth (3,400 levels: 0.2 → 3.4 s), and
# it changes nothing in a text without its two forms: such a text is read without it.
_GFM_MATH = re.compile(r"(?:`{3,}|~{3,})\s*math\b|\$`")


def reader_for(text: str) -> str:
    """The pandoc reader for `text`: READER, without tex_math_gfm where the text has no GFM math."""
    return READER if _GFM_MATH.search(text) else READER.replace("+tex_math_gfm", "")
_URI_SAFE = "!#$%&'()*+,-./:;=?@[]_~"
_HTML_ID = re.compile(r"""\b(?:id|name)\s*=\s*["']([^"']+)["']""", re.IGNORECASE)
_SCHEME = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:")
# Alt text that names the kind of thing or the file rather than what it shows: "image", "IMG_1234",
# "Screenshot 2025-12-16 at 9.44.38 AM", "diagram.svg", a URL. As a caption it would print noise.
_GENERIC_ALT = re.compile(
    r"(?:an?\s+|the\s+)?(?:image|img|picture|pic|photo|photograph|screenshot|screen\s*shot|capture|"
    r"figure|fig|graphic|illustration|diagram|chart|icon|logo|placeholder|untitled|alt|alt\s*text|"
    r"dsc|dscn|dcim|pxl|mvimg)"
    r"(?:[\s._:()#-]*(?:\d+|at|am|pm|from))*[\s._:()#-]*",
    re.IGNORECASE,
)
_FILE_NAME = re.compile(r".+\.(?:png|jpe?g|gif|svg|webp|bmp|tiff?|avif|heic|ico)", re.IGNORECASE)
# A file stem is a name, not a description, when it has the marks of one: "oi_report_2024", "fig-3".
_STEM_MARKS = re.compile(r"[_\-\d]")


@dataclass(frozen=True)
class Heading:
    level: int
    id: str
    text: str


# pandoc is built with `-with-rtsopts=-H64m`: a 64 MB heap touched before any work. An 8 MB
# suggestion makes each call faster (seed to JSON 0.20 → 0.11 s; 10× the seed to EPUB 2.3 → 1.4 s)
# and smaller (172 → 118 MB RSS); the heap still grows as a document needs.
PANDOC_RTS = ["+RTS", "-H8m", "-RTS"]


def run_pandoc(source: str, to: str, *, fmt: str = "json", args: list[str] | None = None,
               outputfile: Path | None = None, document: Document | None = None) -> str:
    """Call the pandoc that pypandoc-binary ships. Failures become WriterError naming the document."""
    import contextlib

    from pipeline import trace
    from pipeline.logcapture import warnings_into

    pypandoc = pypandoc_with_known_formats()

    capture = warnings_into(document, "pypandoc", "PANDOC", "pandoc") if document else contextlib.nullcontext()
    try:
        with capture, trace.span(f"pandoc {fmt.split('-')[0].split('+')[0]} → {to}", lane="pandoc"):
            return pypandoc.convert_text(
                # --sandbox: pandoc may read only the files named on its command line, never what a
                # document points at; images the document may use are embedded by `embed_images`.
                source, to, format=fmt, extra_args=[*PANDOC_RTS, *(args or [])],
                outputfile=str(outputfile) if outputfile else None, sandbox=True,
            )
    except RuntimeError as exc:
        message = " ".join(str(exc).split())[:300]
        raise WriterError(f"pandoc failed: {message}", document.source if document else None) from exc


@functools.cache
def pypandoc_with_known_formats() -> Any:
    """pypandoc, asking pandoc for its formats once per process: pypandoc checks the formats of every
    call by running `pandoc --list-input-formats` and `--list-output-formats` (12 ms a call)."""
    import pypandoc

    pypandoc.get_pandoc_formats = functools.cache(pypandoc.get_pandoc_formats)
    return pypandoc


def pandoc_binary() -> str:
    """The pandoc that pypandoc-binary ships."""
    import logging

    import pypandoc

    # pypandoc installs a stderr handler on its logger when it finds none; that handler would then
    # print every later pandoc warning raw, besides the copy each document's diagnostics collect.
    logger = logging.getLogger("pypandoc")
    guard = logging.NullHandler()
    logger.addHandler(guard)
    try:
        return pypandoc.get_pandoc_path()
    finally:
        logger.removeHandler(guard)


def pandoc_data_file(name: str) -> bytes:
    """One of pandoc's own data files (`reference.docx`, `translations/de.yaml` …); FileNotFoundError if absent."""
    import subprocess

    result = subprocess.run([pandoc_binary(), "--print-default-data-file", name], capture_output=True, timeout=60)
    if result.returncode != 0:
        raise FileNotFoundError(name)
    return result.stdout


def stringify(inlines: list[dict[str, Any]]) -> str:
    """The plain text of a list of pandoc inlines (notes and raw markup left out)."""
    parts: list[str] = []
    for node in inlines:
        kind, content = node.get("t"), node.get("c")
        if kind == "Str":
            parts.append(content)
        elif kind in ("Space", "SoftBreak", "LineBreak"):
            parts.append(" ")
        elif kind in ("Code", "Math"):
            parts.append(content[1])
        elif kind in ("Emph", "Strong", "Strikeout", "Superscript", "Subscript", "SmallCaps", "Underline"):
            parts.append(stringify(content))
        elif kind in ("Link", "Image", "Span", "Cite"):
            parts.append(stringify(content[1]))
        elif kind == "Quoted":
            mark = '"' if content[0]["t"] == "DoubleQuote" else "'"
            parts.append(mark + stringify(content[1]) + mark)
    return "".join(parts)


def walk(node: Any, visit: Callable[[dict[str, Any]], Any]) -> Any:
    """A pandoc JSON tree with `visit` applied bottom-up. `visit` gets each element and returns a
    replacement: an element, None to keep it, or a list to splice in its place.

    Unchanged subtrees are shared with `node`, not copied (every visit returns new elements and
    none changes one in place), so a pass that changes little costs little time and memory.
    """
    if isinstance(node, list):
        out: list[Any] | None = None
        for index, item in enumerate(node):
            if type(item) is str:  # most of a tree's items: skipped without a call (half of a pass's time)
                if out is not None:
                    out.append(item)
                continue
            result = walk(item, visit)
            spliced = isinstance(item, dict) and "t" in item and isinstance(result, list)
            if out is None:
                if result is item:
                    continue
                out = node[:index]
            if spliced:
                out.extend(result)
            else:
                out.append(result)
        return node if out is None else out
    if isinstance(node, dict):
        rebuilt = node
        for key, value in node.items():
            if type(value) is str:
                continue
            result = walk(value, visit)
            if result is not value:
                if rebuilt is node:
                    rebuilt = dict(node)
                rebuilt[key] = result
        if "t" in rebuilt:
            replacement = visit(rebuilt)
            return rebuilt if replacement is None else replacement
        return rebuilt
    return node


def elements(node: Any) -> Iterator[dict[str, Any]]:
    """Every element of a pandoc JSON tree, in document order, for visits that change nothing.

    Cheaper than `walk`, which rebuilds the tree, and iterative, so depth costs no stack.
    """
    pending = [node]
    while pending:
        item = pending.pop()
        if isinstance(item, list):
            pending.extend(reversed(item))
        elif isinstance(item, dict):
            if "t" in item:
                yield item
            pending.extend(reversed(item.values()))


def outline(ast: dict[str, Any]) -> list[Heading]:
    """Top-level headings of the document, in order (headings nested in divs or lists too)."""
    headings: list[Heading] = []
    for node in elements(ast["blocks"]):
        if node["t"] == "Header":
            level, (ident, _classes, _attrs), inlines = node["c"]
            headings.append(Heading(level, ident, stringify(inlines).strip()))
    return headings


def _is_local_target(url: str) -> bool:
    return not url.startswith("#") and not _SCHEME.match(url) and not url.startswith("//")


def valid_uri(url: str) -> str:
    """Percent-encode what RFC 3986 does not allow (spaces, a second '#', …) without changing meaning.

    Browsers accept `https://matrix.to/#/#room:server`; EPUB readers and EPUBCheck do not.
    """
    base, hash_mark, fragment = url.partition("#")
    base = quote(base, safe=_URI_SAFE)
    return base + (hash_mark + quote(fragment, safe=_URI_SAFE.replace("#", "")) if hash_mark else "")


def check_links(ast: dict[str, Any], document: Document) -> dict[str, Any]:
    """Unwrap links no reader can follow (a relative path to nothing, an unknown #anchor) and say so.

    The normalizer fixes what it can (scheme-less domains …); what is left would become a broken
    reference inside an EPUB and a dead link in a PDF, so the text is kept and the link dropped.
    A root-relative link (`/about/`) leads to the page on the document's website, when its address
    is known (`pipeline.site.web_address`).
    """
    from pipeline.site import web_address

    headings = document.artifacts["outline"] = outline(ast)  # unlinking changes no heading's text
    ids = {h.id for h in headings}

    for node in elements(ast["blocks"]):
        content = node.get("c")
        if node["t"] in ("RawBlock", "RawInline") and content[0] == "html":
            ids.update(_HTML_ID.findall(content[1]))
            continue
        attr = content[0] if isinstance(content, list) and content else None
        if isinstance(attr, list) and len(attr) == 3 and isinstance(attr[0], str) and attr[0]:
            ids.add(attr[0])
    base = document.base_dir.resolve()

    def visit(node: dict[str, Any]) -> Any:
        if node["t"] != "Link":
            return None
        _attr, inlines, (url, _title) = node["c"]
        if url.startswith("#"):
            if unquote(url[1:]) in ids:
                return None
            reason = f"no heading or anchor {url!r} in the document"
            anchors = document.artifacts.get("anchors")
            closest = anchors.closest(url[1:]) if anchors is not None else None
            if closest is not None:
                reason += f" (closest heading: {closest[1]!r}, #{closest[0]})"
        elif url.startswith("/") and not url.startswith("//") and (address := web_address(url, document)):
            return {"t": "Link", "c": [node["c"][0], inlines, [valid_uri(address), node["c"][2][1]]]}
        elif _is_local_target(url):
            target = (base / unquote(urlsplit(url).path)).resolve()
            if urlsplit(url).path and target.is_relative_to(base) and target.is_file():
                return None
            reason = f"{url!r} is neither a web address nor a file beside the document"
            if url.startswith("/") and not url.startswith("//"):
                reason = (f"{url!r}, a page of the website whose address is unknown (a site config with its "
                          "address, see --site-root, or the page's url in front matter)")
        else:
            valid = valid_uri(url)
            if valid == url:
                return None
            return {"t": "Link", "c": [node["c"][0], inlines, [valid, node["c"][2][1]]]}
        if url not in document.reported_links:  # the normalizer said it already
            document.warn("REND001", f"link to {reason}; kept its text without the link",
                          line=document.line_of(f"]({url}"))
        return {"t": "Span", "c": [["", ["unlinked"], []], inlines]}

    ast["blocks"] = walk(ast["blocks"], visit)
    return ast


def says_nothing(alt: str, url: str = "") -> bool:
    """True when alt text would make an empty or meaningless caption (see `_GENERIC_ALT`)."""
    text = " ".join(alt.split())
    if not text:
        return True
    if _GENERIC_ALT.fullmatch(text) or _SCHEME.match(text):
        return True
    # A file name ("IMG_1234.png", "screenshot-2025-12-16-at-9.44.38 am.png"), not a sentence
    # that happens to end with one.
    if _FILE_NAME.fullmatch(text) and len(text.split()) <= 3:
        return True
    name = unquote(Path(urlsplit(url).path).name) if url and not url.startswith("data:") else ""
    stem = Path(name).stem
    return bool(name) and (text == name or (text == stem and bool(_STEM_MARKS.search(stem))))


def _lone_image(blocks: list[dict[str, Any]]) -> dict[str, Any] | None:
    if len(blocks) == 1 and blocks[0]["t"] in ("Plain", "Para") and len(blocks[0]["c"]) == 1 \
            and blocks[0]["c"][0]["t"] == "Image":
        return blocks[0]["c"][0]
    return None


def caption_figures(ast: dict[str, Any]) -> dict[str, Any]:
    """Every image alone in its paragraph a Figure, captioned by its alt text when that says something.

    Pandoc's implicit_figures already made a Figure of each such image with alt text; one whose alt
    text is empty stays a paragraph, so it becomes a caption-less Figure here (every standalone image
    is laid out alike). A caption that says nothing ("image", "IMG_1234.png") is dropped: the figure
    and the alt text on the image stay, only the printed noise goes.
    """
    def visit(node: dict[str, Any]) -> Any:
        if node["t"] == "Para" and (image := _lone_image([node])) is not None:
            return {"t": "Figure", "c": [["", [], []], [None, []], [{"t": "Plain", "c": [image]}]]}
        if node["t"] != "Figure":
            return None
        attr, (short, caption), body = node["c"]
        image = _lone_image(body)
        if image is None or not caption:
            return None
        text = " ".join(stringify(inlines["c"]) for inlines in caption if inlines["t"] in ("Plain", "Para"))
        if not says_nothing(text, image["c"][2][0]):
            return None
        return {"t": "Figure", "c": [attr, [short, []], body]}

    return {**ast, "blocks": walk(ast["blocks"], visit)}


def pandoc_ast(document: Document) -> dict[str, Any]:
    """The document's pandoc AST, parsed once and cached on the document."""
    from pipeline.transforms.book_links import resolve_book_links

    cached = document.artifacts.get("ast")
    if cached is None:
        from pipeline.transforms.anchors import resolve_anchor_links
        from pipeline.transforms.bylines import mark_bylines
        from pipeline.transforms.languages import mark_languages
        from pipeline.transforms.shortcodes import expand_templates

        text = expand_templates(document.body, document)
        ast = json.loads(run_pandoc(text, "json", fmt=reader_for(text), document=document))
        ast = resolve_book_links(resolve_anchor_links(ast, document), document)  # a book's chapter: links to others
        ast = check_links(drop_manual_toc(ast, document), document)
        ast = mark_bylines(check_math(caption_figures(ast), document))
        cached = document.artifacts["ast"] = mark_languages(label_alerts(ast, document.meta.lang), document)
    return cached


def document_outline(document: Document) -> list[Heading]:
    """The document's headings, found once (every writer's contents list asks for them): the link
    check finds them when the document is parsed."""
    if "outline" not in document.artifacts:
        pandoc_ast(document)
    return document.artifacts["outline"]


def _remote_image(url: str, allowed_hosts: tuple[str, ...], document: Document) -> str | None:
    """A data: URI for an allowed remote image, or None (with a warning) for anything else."""
    import base64
    import io
    import warnings

    from pipeline.remote import RemoteRefused, fetch_remote
    from pipeline.resources import MAX_IMAGE_PIXELS, MAX_RESOURCE_BYTES

    try:
        content, kind = fetch_remote(url, allowed_hosts, MAX_RESOURCE_BYTES)
        if not kind.startswith("image/"):
            raise RemoteRefused(f"it is {kind}, not an image")
        if kind != "image/svg+xml":
            from PIL import Image

            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                with Image.open(io.BytesIO(content)) as image:
                    if image.width * image.height > MAX_IMAGE_PIXELS:
                        raise RemoteRefused("it has more pixels than the image limit")
    except RemoteRefused as exc:
        document.warn("REND003", f"remote image {url!r} not fetched: {exc}; shown as its description",
                      line=document.line_of(url))
        return None
    except Exception as exc:  # not an image Pillow can read
        document.warn("REND003", f"remote image {url!r} is not a readable image ({type(exc).__name__})",
                      line=document.line_of(url))
        return None
    return f"data:{kind};base64,{base64.b64encode(content).decode('ascii')}"


def _unwrap_missing_figure(figure: dict[str, Any]) -> dict[str, Any] | None:
    """A paragraph for a figure whose image became its "[description]", when the caption only
    repeated that description: the text would otherwise show twice, as "[A chart]" over "A chart"."""
    _attr, (_short, caption), body = figure["c"]
    if len(body) != 1 or body[0]["t"] not in ("Plain", "Para") or len(body[0]["c"]) != 1:
        return None
    span = body[0]["c"][0]
    if span["t"] != "Span" or "missing-image" not in span["c"][0][1]:
        return None
    shown = stringify(span["c"][1]).strip()[1:-1]
    said = " ".join(stringify(block["c"]) for block in caption if block["t"] in ("Plain", "Para"))
    if said.split() and " ".join(said.split()) != " ".join(shown.split()):
        return None  # a caption of its own (from an HTML <figcaption>): keep it under the description
    return {"t": "Para", "c": [span]}


def embed_images(ast: dict[str, Any], document: Document, allowed_hosts: tuple[str, ...] = ()) -> dict[str, Any]:
    """A copy of the AST whose images are data: URIs, so pandoc (sandboxed) never opens a path.

    Images are read from the document's folder and its site's static folders (`resolve_resource`);
    those elsewhere, remote ones and missing ones are replaced by their alt text in brackets, with
    a warning: visible in the output, never a crash or a leak. Raw HTML `<img>` tags get the same.
    """
    from pipeline.resources import data_uri, usable_image
    from pipeline.transforms.raw_images import embed_raw_images

    cache: dict[str, str | None] = {}

    def embedded(url: str) -> str | None:
        if url not in cache and allowed_hosts and urlsplit(url).scheme in ("http", "https"):
            cache[url] = _remote_image(url, allowed_hosts, document)
        if url not in cache:
            target, reason = usable_image(url, document)
            if target is None:
                document.warn("REND002", f"image {url[:200]!r} {reason}; shown as its description",
                              line=document.line_of(url))
            cache[url] = data_uri(target) if target is not None else None
        return cache[url]

    def visit(node: dict[str, Any]) -> Any:
        if node["t"] == "Figure":
            return _unwrap_missing_figure(node)
        if node["t"] in ("RawInline", "RawBlock"):
            return embed_raw_images(node, embedded)
        if node["t"] != "Image":
            return None
        attr, inlines, (url, title) = node["c"]
        if url.startswith("data:"):
            return None
        data = embedded(url)
        if data is None:
            alt = stringify(inlines) or Path(urlsplit(url).path).name or "image"
            return {"t": "Span", "c": [["", ["missing-image"], []], [{"t": "Str", "c": f"[{alt}]"}]]}
        return {"t": "Image", "c": [attr, inlines, [data, title]]}

    return {**ast, "blocks": walk(ast["blocks"], visit)}


def embedded_ast(document: Document) -> dict[str, Any]:
    """The AST with images embedded (see `embed_images`), computed once for all writers."""
    cached = document.artifacts.get("embedded_ast")
    if cached is None:
        cached = document.artifacts["embedded_ast"] = embed_images(
            pandoc_ast(document), document, allowed_hosts=tuple(document.artifacts.get("allowed_hosts", ())),
        )
    return cached


def embedded_ast_json(document: Document) -> str:
    return json.dumps(embedded_ast(document))


def _meta_inlines(text: str) -> dict[str, Any]:
    words = text.split()
    inlines: list[dict[str, Any]] = []
    for index, word in enumerate(words):
        if index:
            inlines.append({"t": "Space"})
        inlines.append({"t": "Str", "c": word})
    return {"t": "MetaInlines", "c": inlines}


def with_metadata(ast: dict[str, Any], document: Document, **extra: str) -> str:
    """The AST as JSON with the document's metadata set in pandoc's own `meta` block.

    Metadata goes into the AST rather than onto pandoc's command line, so nothing a document says
    can become a pandoc option, and front-matter keys pandoc would act on (header-includes, css,
    epub-cover-image …) never reach it.
    """
    meta = document.meta
    values = {
        "title": meta.title,
        "subtitle": meta.subtitle,
        "date": meta.date,
        "lang": meta.lang,
        "description": meta.description,
        "publisher": meta.publisher,
        "subject": meta.description,
        **extra,
    }
    block: dict[str, Any] = {k: _meta_inlines(v) for k, v in values.items() if v}
    if meta.lang:
        block["lang"] = {"t": "MetaString", "c": meta.lang}
    authors = meta.authors or ([meta.publisher] if meta.publisher else [])
    if authors:
        block["author"] = {"t": "MetaList", "c": [_meta_inlines(a) for a in authors]}
    if meta.keywords:
        block["keywords"] = {"t": "MetaList", "c": [_meta_inlines(k) for k in meta.keywords]}
    return json.dumps({**ast, "meta": block})
