"""Images inside raw HTML (`<div><img src="/img/x.png"></div>`) embedded like Markdown images.

The writers each used to resolve such a `src` on their own, against the document's folder only
(WeasyPrint read `/img/x.png` as a file at the machine's root). Embedding it in the shared AST
means every format finds the same files, through the same checks, and warns once.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from html.parser import HTMLParser
from typing import Any

_TAG = re.compile(r"<(img|source)\b[^<>]*>", re.IGNORECASE)


class _Tag(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.name = ""
        self.attributes: list[tuple[str, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.name, self.attributes = tag, [(k, v or "") for k, v in attrs]

    handle_startendtag = handle_starttag


def parse_tag(markup: str) -> tuple[str, list[tuple[str, str]]]:
    """(tag name, attributes in order) of one start tag."""
    tag = _Tag()
    tag.feed(markup)
    tag.close()
    return tag.name, tag.attributes


def start_tag(name: str, attributes: list[tuple[str, str]]) -> str:
    inner = "".join(f' {k}="{html.escape(v, quote=True)}"' for k, v in attributes)
    return f"<{name}{inner}>"


def embed_raw_images(node: dict[str, Any], embedded: Callable[[str], str | None]) -> dict[str, Any] | None:
    """A raw HTML node whose `<img>` sources are data: URIs (`embedded(url)`), or None if unchanged.

    An image that cannot be embedded becomes its description, as a Markdown image does; `<source>`
    alternatives of a `<picture>` go (the `<img>` inside it is what every format shows).
    """
    kind, markup = node["c"]
    if kind != "html" or not _TAG.search(markup):
        return None

    def replace(match: re.Match[str]) -> str:
        name, attributes = parse_tag(match.group(0))
        if name == "source":
            return ""
        values = dict(attributes)
        src = values.get("src", "")
        if not src or src.startswith("data:"):
            return match.group(0)
        data = embedded(src)
        if data is None:
            alt = " ".join(values.get("alt", "").split()) or "image"
            return f'<span class="missing-image">[{html.escape(alt)}]</span>'
        kept = [(k, data if k == "src" else v) for k, v in attributes if k not in ("srcset", "sizes")]
        return start_tag("img", kept)

    changed = _TAG.sub(replace, markup)
    return None if changed == markup else {"t": node["t"], "c": [kind, changed]}
