"""Every formula read once by pandoc's TeX reader; the ones it cannot read become code, with a warning.

Pandoc turns TeX into MathML (HTML, EPUB) and Word equations (DOCX) with the same reader (texmath).
A formula it cannot read would come out as raw TeX in one format and plain text in another, with a
warning that names no line. Here all of a document's formulas go through that reader in one pandoc
call: the ones it reads keep their MathML (`MATHML_KEY`, which the PDF and HTML writers typeset as
vector graphics, see `pipeline.mathsvg`), the others become `Code` with the class `math-tex`, shown
as their TeX in code style in every format, and are reported with their line.
"""

from __future__ import annotations

import html
import json
import re
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pipeline.document import Document

MATHML_KEY = "mathml"  # document.artifacts: {(display, tex): MathML string}
UNREADABLE_CLASS = "math-tex"
_PARAGRAPH = re.compile(r"<p>(.*?)</p>", re.DOTALL)
_MATH = re.compile(r"<math\b.*?</math>", re.DOTALL)
_ANNOTATION = re.compile(r'<annotation encoding="application/x-tex">(.*?)</annotation>', re.DOTALL)


def formula_key(display: bool, tex: str) -> tuple[bool, str]:
    return display, tex.strip()


def tex_of_mathml(mathml: str) -> str | None:
    """The TeX pandoc keeps in a formula's MathML annotation (unescaped), or None."""
    found = _ANNOTATION.search(mathml)
    return html.unescape(found.group(1)) if found else None


def read_formulas(formulas: list[tuple[bool, str]], api_version: list[int]) -> dict[tuple[bool, str], str | None]:
    """MathML for each formula, or None where pandoc's TeX reader fails: one pandoc call for all."""
    from pipeline.render import run_pandoc

    blocks = [{"t": "Para", "c": [{"t": "Math", "c": [{"t": "DisplayMath" if display else "InlineMath"}, tex]}]}
              for display, tex in formulas]
    ast = {"pandoc-api-version": api_version, "meta": {}, "blocks": blocks}
    # Pandoc's own warnings about these formulas are replaced by ours, which name the line.
    out = run_pandoc(json.dumps(ast), "html5", args=["--mathml", "--wrap=none", "--quiet"])
    paragraphs = _PARAGRAPH.findall(out)
    if len(paragraphs) != len(formulas):  # pandoc's output is not what we expect: keep every formula
        return {formula_key(*f): None for f in formulas}
    result: dict[tuple[bool, str], str | None] = {}
    for formula, paragraph in zip(formulas, paragraphs, strict=True):
        found = _MATH.search(paragraph)
        result[formula_key(*formula)] = found.group(0) if found else None
    return result


def check_math(ast: dict[str, Any], document: Document) -> dict[str, Any]:
    """The AST with unreadable formulas as code; the MathML of the others in `document.artifacts`."""
    from pipeline.render import elements, walk

    formulas: dict[tuple[bool, str], tuple[bool, str]] = {}
    for node in elements(ast["blocks"]):
        if node["t"] == "Math":
            display, tex = node["c"][0]["t"] == "DisplayMath", node["c"][1]
            formulas.setdefault(formula_key(display, tex), (display, tex))
    if not formulas:
        document.artifacts[MATHML_KEY] = {}
        return ast
    mathml = read_formulas(list(formulas.values()), ast["pandoc-api-version"])
    document.artifacts[MATHML_KEY] = {key: value for key, value in mathml.items() if value}
    unreadable = {key for key, value in mathml.items() if value is None}
    if not unreadable:
        return ast
    reported: set[tuple[bool, str]] = set()

    def visit(node: dict[str, Any]) -> Any:
        if node["t"] != "Math":
            return None
        display, tex = node["c"][0]["t"] == "DisplayMath", node["c"][1]
        key = formula_key(display, tex)
        if key not in unreadable:
            return None
        if key not in reported:
            reported.add(key)
            document.warn("MATH001", f"formula {_clip(tex)!r} is not TeX that pandoc can read; shown as its TeX "
                                     "in code style", line=document.line_of(tex))
        classes = [UNREADABLE_CLASS, "display" if display else "inline"]
        return {"t": "Code", "c": [["", classes, []], tex]}

    return {**ast, "blocks": walk(ast["blocks"], visit)}


def _clip(text: str, limit: int = 80) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"
