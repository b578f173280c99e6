"""GitHub alerts (`> [!NOTE]` …) as styled callouts, labelled in the document's language.

Pandoc's `alerts` extension reads the five kinds into a Div (class `note`, `tip`, `important`,
`warning` or `caution`) whose first block is a title Div holding an English label. This pass
labels it in the document's language, marks both Divs for the stylesheets (`callout`,
`callout-<kind>`, `callout-title`) and names the Word paragraph styles they take
(`custom-style`: "Note", "Note Title" … defined in the DOCX reference document).

The labels come from docutils (`docutils.languages`, 29 languages: the same admonitions, "Note",
"Tip", "Important", "Warning", "Caution", as reStructuredText and Sphinx print them), without
docutils' exclamation marks; any other language gets the English label.
"""

from __future__ import annotations

import importlib
from functools import lru_cache
from typing import Any

KINDS = ("note", "tip", "important", "warning", "caution")
ENGLISH = {"note": "Note", "tip": "Tip", "important": "Important", "warning": "Warning", "caution": "Caution"}


@lru_cache(maxsize=64)
def alert_label(kind: str, lang: str) -> str:
    """The label of an alert of this kind in language `lang` (a BCP 47 tag), English when unknown."""
    tag = (lang or "en").replace("-", "_").lower()
    for code in dict.fromkeys([tag, tag.split("_")[0]]):
        try:
            labels = importlib.import_module(f"docutils.languages.{code}").labels
        except (ImportError, AttributeError):
            continue
        label = str(labels.get(kind) or "").rstrip("!！ ").strip()
        if label:
            return label
    return ENGLISH[kind]


def style_name(kind: str, part: str = "") -> str:
    """The Word paragraph style of an alert's body ("Note") or title ("Note Title")."""
    return f"{ENGLISH[kind]} Title" if part == "title" else ENGLISH[kind]


def _alert_kind(node: dict[str, Any]) -> str | None:
    (_ident, classes, _attrs), blocks = node["c"]
    kinds = [c for c in classes if c in KINDS]
    if len(kinds) != 1 or not blocks or blocks[0]["t"] != "Div" or "title" not in blocks[0]["c"][0][1]:
        return None
    return kinds[0]


def label_alerts(ast: dict[str, Any], lang: str) -> dict[str, Any]:
    """The AST with every alert marked as a callout and labelled in `lang`."""
    from pipeline.render import walk

    def visit(node: dict[str, Any]) -> Any:
        if node["t"] != "Div" or (kind := _alert_kind(node)) is None:
            return None
        (ident, classes, attrs), blocks = node["c"]
        (title_id, title_classes, title_attrs), _title_blocks = blocks[0]["c"]
        label: list[dict[str, Any]] = []
        for word in alert_label(kind, lang).split():
            label += [{"t": "Space"}, {"t": "Str", "c": word}] if label else [{"t": "Str", "c": word}]
        title = {"t": "Div", "c": [[title_id, [*title_classes, "callout-title"],
                                    [*title_attrs, ["custom-style", style_name(kind, "title")]]],
                                   [{"t": "Para", "c": label}]]}
        return {"t": "Div", "c": [[ident, [*classes, "callout", f"callout-{kind}"],
                                   [*attrs, ["custom-style", style_name(kind)]]], [title, *blocks[1:]]]}

    return {**ast, "blocks": walk(ast["blocks"], visit)}
