"""Raw HTML in untrusted Markdown: keep the content, drop what runs, restyles or fetches.

Website Markdown carries `<script>`, `<style>` blocks, `<iframe>`s, event handlers and inline
styles. In our outputs they would run code, override the brand, fetch from the network or (a
`<style>` with nested flex layouts) make WeasyPrint's layout take minutes. nh3 (Ammonia) does the
cleaning; this module only says what is allowed and reports what a document loses.
"""

from __future__ import annotations

import re
from typing import Any

# MathML comes from pandoc's --mathml; sections, ids and classes carry our structure and styling.
_MATHML = {
    "math", "mi", "mn", "mo", "ms", "mtext", "mspace", "mrow", "msup", "msub", "msubsup", "mfrac",
    "msqrt", "mroot", "mover", "munder", "munderover", "mtable", "mtr", "mtd", "mstyle", "semantics",
    "annotation", "mpadded", "mphantom", "menclose",
}  # fmt: skip
_EXTRA_TAGS = {"section", "main", "figure", "figcaption", "picture", "source", "tfoot", "label", "input", "svg"}
_GLOBAL_ATTRIBUTES = {"id", "class", "lang", "dir", "title", "role", "aria-label", "aria-hidden", "data-pos"}
_TAG_ATTRIBUTES = {
    "a": {"href", "hreflang"},  # no rel: rel="attachment" would make WeasyPrint embed the file
    "img": {"src", "alt", "width", "height"},
    "source": {"srcset", "type", "media"},
    "td": {"colspan", "rowspan", "align"},
    "th": {"colspan", "rowspan", "align", "scope"},
    "col": {"span", "width", "style"},  # pandoc sets column widths as style="width: 30%"
    "ol": {"start", "type", "reversed"},
    "li": {"value"},
    "input": {"type", "checked", "disabled"},
    "math": {"display", "xmlns"},
    "annotation": {"encoding"},
    "time": {"datetime"},
}
_URL_SCHEMES = {"http", "https", "mailto", "data", "tel"}
_DROPPED = re.compile(
    r"<(script|style|iframe|object|embed|link|meta|base|form|frame|frameset|noscript)\b|\son[a-z]+\s*=|javascript:",
    re.IGNORECASE,
)


def clean_html(fragment: str) -> str:
    """A sanitized copy of an HTML fragment: safe tags and attributes only, no scripts or styles."""
    import nh3

    tags = set(nh3.ALLOWED_TAGS) | _MATHML | _EXTRA_TAGS
    attributes: dict[str, set[str]] = {tag: set(_GLOBAL_ATTRIBUTES) for tag in tags}
    for tag, allowed in _TAG_ATTRIBUTES.items():
        attributes.setdefault(tag, set(_GLOBAL_ATTRIBUTES)).update(allowed)
    return nh3.clean(
        fragment,
        tags=tags,
        attributes=attributes,
        url_schemes=_URL_SCHEMES,
        link_rel=None,
        strip_comments=True,
        # Content of these is code or styling, never reader-visible text.
        clean_content_tags={"script", "style", "noscript", "template"},
    )


def report_raw_html(ast: dict[str, Any], document: Any) -> None:
    """Warn once per document about the raw HTML constructs the outputs will not carry."""
    from pipeline.render import elements

    found: dict[str, int] = {}
    for node in elements(ast["blocks"]):
        if node["t"] in ("RawBlock", "RawInline") and node["c"][0] == "html":
            for match in _DROPPED.finditer(node["c"][1]):
                key = (match.group(1) or match.group(0).strip().rstrip("=").strip()).lower()
                key = "on… event handlers" if key.startswith("on") else key
                found[key] = found.get(key, 0) + 1
    if found:
        summary = ", ".join(f"{count}× {name if name.endswith(('handlers', ':')) else f'<{name}>'}"
                            for name, count in sorted(found.items()))
        document.warn("HTML001", f"raw HTML removed from the outputs (it would run, restyle or fetch): {summary}")
