"""Raw HTML images as real images: `<img src=… alt=…>` written in Markdown becomes a pandoc Image.

Website Markdown often places figures with an HTML tag (to set a width). Pandoc's Word writer drops
raw HTML and its EPUB writer copies it verbatim, so such a figure would vanish from the DOCX and
become a broken reference in the EPUB. As an Image node it goes through `embed_images` like any
other: embedded when the file is in the document's folder, else shown as its description.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from typing import Any

from pipeline.document import Document
from pipeline.render import elements, embed_images, walk

_LONE_IMG = re.compile(r"^\s*<img\b[^<>]*>\s*(?:</img>\s*)?$", re.IGNORECASE)
_LENGTH = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(px|%)?\s*$")


class _Attributes(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.attributes: dict[str, str] = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "img" and not self.attributes:
            self.attributes = {name: value or "" for name, value in attrs}

    handle_startendtag = handle_starttag


def text_direction(document: Document) -> str:
    """"rtl" for right-to-left languages (pandoc then marks the EPUB and Word text as such), else ""."""
    from pipeline.writers.htmlpage import document_direction

    return "rtl" if document_direction(document) == "rtl" else ""


def img_attributes(markup: str) -> dict[str, str] | None:
    """The attributes of a raw chunk that is a single `<img>` tag, else None."""
    if not _LONE_IMG.match(markup):
        return None
    parser = _Attributes()
    parser.feed(markup)
    parser.close()
    return parser.attributes if parser.attributes.get("src") else None


def _size(value: str | None) -> str | None:
    # Pandoc's writers understand "600px" and "50%"; "600" means pixels in HTML.
    match = _LENGTH.match(value or "")
    if not match:
        return None
    return match.group(1) + (match.group(2) or "px")


def _image(attributes: dict[str, str]) -> dict[str, Any]:
    alt = " ".join(attributes.get("alt", "").split())
    inlines: list[dict[str, Any]] = []
    for index, word in enumerate(alt.split(" ") if alt else []):
        if index:
            inlines.append({"t": "Space"})
        inlines.append({"t": "Str", "c": word})
    keyvals = [[key, size] for key in ("width", "height") if (size := _size(attributes.get(key)))]
    return {"t": "Image", "c": [["", [], keyvals], inlines, [attributes["src"], attributes.get("title", "")]]}


def promote_raw_images(ast: dict[str, Any], document: Document) -> dict[str, Any]:
    """A copy of `ast` whose lone raw `<img>` tags are Image nodes, embedded like the others."""
    found = False

    def visit(node: dict[str, Any]) -> Any:
        nonlocal found
        if node["t"] not in ("RawInline", "RawBlock") or node["c"][0] != "html":
            return None
        attributes = img_attributes(node["c"][1])
        if attributes is None:
            return None
        found = True
        image = _image(attributes)
        return image if node["t"] == "RawInline" else {"t": "Para", "c": [image]}

    blocks = walk(ast["blocks"], visit)
    if not found:
        return ast
    return embed_images({**ast, "blocks": blocks}, document)


_WRAPPER_ID = "pipeline-raw-{}"
_BREAK = re.compile(r"^\s*<br\s*/?>\s*$", re.IGNORECASE)


def raw_blocks_as_ast(ast: dict[str, Any], document: Document) -> dict[str, Any]:
    """A copy of `ast` whose raw HTML blocks are pandoc blocks, for writers that drop raw HTML.

    Pandoc's Word writer leaves raw HTML out, text and all: a `<div>` of notes, an HTML table or a
    site component would vanish from the DOCX. Each block is sanitised (the same nh3 policy as the
    HTML output, which also balances its tags) and read back by pandoc's HTML reader, all blocks of
    a document in one call. Images inside go through `embed_images` like any other.
    """
    import json

    from pipeline.render import run_pandoc
    from pipeline.sanitize import clean_html

    # In the order `walk` below meets them: raw blocks have no children, so both orders agree.
    chunks = [node["c"][1] for node in elements(ast["blocks"]) if node["t"] == "RawBlock" and node["c"][0] == "html"]
    if not chunks:
        return ast
    wrapped = "".join(f'<div id="{_WRAPPER_ID.format(index)}">{clean_html(chunk)}</div>\n'
                      for index, chunk in enumerate(chunks))
    parsed = json.loads(run_pandoc(wrapped, "json", fmt="html", document=document))
    blocks_by_id: dict[str, list[Any]] = {}
    for block in parsed.get("blocks", []):
        if block["t"] == "Div" and block["c"][0][0].startswith("pipeline-raw-"):
            blocks_by_id[block["c"][0][0]] = block["c"][1]
    position = 0

    def replace(node: dict[str, Any]) -> Any:
        nonlocal position
        if node["t"] == "RawBlock" and node["c"][0] == "html":
            blocks = blocks_by_id.get(_WRAPPER_ID.format(position), [])
            position += 1
            return blocks  # a list is spliced in place; an empty one removes the block
        if node["t"] == "RawInline" and node["c"][0] == "html" and _BREAK.match(node["c"][1]):
            return {"t": "LineBreak"}
        return None

    result = {**ast, "blocks": walk(ast["blocks"], replace)}
    return embed_images(result, document)
