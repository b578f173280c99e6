"""Blocks in another script than the document's get their own `lang` and `dir`.

A Hebrew paragraph quoted in an English report must run right to left, and a Japanese one in a
Chinese report must take the Japanese forms of its Han characters; hyphenation and line breaking
follow the language too. Every writer reads the attributes from the AST: HTML and EPUB as `lang` and
`dir` attributes, the PDF through them, Word as `w:lang`, `w:bidi` and `w:rtl`. A block in the
document's own script is left alone, so a single-script document's AST does not change.
"""

from __future__ import annotations

from typing import Any

from pipeline.document import Document
from pipeline.render import stringify, walk

# The scripts each document script (as langcodes gives it) is written with.
_FAMILY = {"Hans": {"Hani"}, "Hant": {"Hani"}, "Hani": {"Hani"}, "Jpan": {"Hani", "Hira", "Kana"},
           "Kore": {"Hang", "Hani"}}
MIN_LETTERS = 3
# Below this many letters a language model guesses; a script shared by many languages is then only
# named as such (`und-Deva`: some language in Devanagari), which still sets the script's forms.
MIN_LETTERS_FOR_LANGUAGE = 20


def _block_language(text: str, own_scripts: set[str]) -> tuple[str, str] | None:
    """(lang, dir) for text mostly in a script the document is not written in, else None."""
    from pipeline.i18n import detect_language, direction
    from pipeline.i18n.detect import script_counts

    counts = script_counts(text)
    if sum(counts.values()) < MIN_LETTERS:
        return None
    weighted = {code: count * (3 if code in ("Hani", "Hira", "Kana", "Hang") else 1) for code, count in counts.items()}
    dominant = max(weighted, key=weighted.__getitem__)
    if dominant in own_scripts or (dominant == "Hani" and counts["Hira"] + counts["Kana"] == 0 and
                                   own_scripts & {"Hira", "Hang"}):
        return None
    detected = detect_language(text * (1 + 40 // max(1, len(text))))
    lang = detected.lang
    if "py3langid" in detected.reason and sum(counts.values()) < MIN_LETTERS_FOR_LANGUAGE:
        lang = f"und-{dominant}"
    return lang, direction(lang)


def mark_languages(ast: dict[str, Any], document: Document) -> dict[str, Any]:
    """The AST with `lang`/`dir` on paragraphs, headings and list or table lines in a foreign script."""
    from pipeline.i18n import direction, script_of

    document_script = script_of(document.meta.lang)
    own = _FAMILY.get(document_script, {document_script})
    document_direction = direction(document.meta.lang)

    def attributes(inlines: list[dict[str, Any]]) -> list[list[str]] | None:
        found = _block_language(stringify(inlines), own)
        if found is None:
            return None
        lang, text_direction = found
        return [["lang", lang], *([["dir", text_direction]] if text_direction != document_direction else [])]

    def visit(node: dict[str, Any]) -> Any:
        kind = node["t"]
        if kind == "Para":
            keyvals = attributes(node["c"])
            return None if keyvals is None else {"t": "Div", "c": [["", [], keyvals], [node]]}
        if kind == "Plain" or kind == "Header":
            inlines = node["c"] if kind == "Plain" else node["c"][2]
            keyvals = attributes(inlines)
            if keyvals is None:
                return None
            span = [{"t": "Span", "c": [["", [], keyvals], inlines]}]
            return {"t": "Plain", "c": span} if kind == "Plain" else {"t": "Header", "c": [*node["c"][:2], span]}
        return None

    return {**ast, "blocks": walk(ast["blocks"], visit)}
