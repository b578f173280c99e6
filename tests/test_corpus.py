"""The corpus gate: every public corpus document and the seed, in every format, validated, nothing lost.

One batch (the library's `convert`, two workers, validation on) converts every document of
../shared/corpus and the seed to PDF, DOCX, EPUB and HTML. Then, per document and format:

- the output was written: no failed job, no uncaught exception (a writer crash is a failed job
  whose error names the exception);
- its validator passed: EPUBCheck with 0 errors, LibreOffice opened the DOCX and laid it out,
  `qpdf --check` passed the PDF (with pdffonts' embedded-font check); none may be skipped in CI;
- the normalizer never fell back (NORM000: a rule that raised, or a body kept whole as written);
- nothing the author wrote is missing (see words.py): every word of the source is in the
  output, apart from what an applied normalizer edit or a warning accounts for.

Failures name the document, the format and the error. The table of documents × formats is
written to $CORPUS_GATE_TABLE when that variable names a file.
"""

from __future__ import annotations

import json
import os
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from conftest import CORPUS, IN_CI, SEED, corpus_files, require_tool
from words import explain_pdf_losses, has_math, missing_words, output_text, source_words, words_of

DOCUMENTS = [*corpus_files(), SEED]
FORMATS = ("pdf", "docx", "epub", "html")
IDS = [p.stem for p in DOCUMENTS]
pytestmark = [pytest.mark.corpus, pytest.mark.slow,
              pytest.mark.skipif(not corpus_files(), reason=f"public corpus not found at {CORPUS}")]
# What each validator must be, so a check that quietly did not run cannot pass.
VALIDATORS = {"pdf": "qpdf", "docx": "LibreOffice", "epub": "EPUBCheck"}


@dataclass
class Gate:
    out: Path
    outcomes: dict[tuple[str, str], dict[str, Any]]  # (document stem, format) → the job's result

    def outcome(self, stem: str, fmt: str) -> dict[str, Any]:
        found = self.outcomes.get((stem, fmt))
        assert found is not None, f"{stem}: {fmt}: no job ran for it"
        return found


def cell(outcome: dict[str, Any] | None) -> str:
    if outcome is None:
        return "not run"
    if outcome["status"] != "ok":
        return " ".join(str(outcome.get("error", outcome["status"])).split())[:160].replace("|", "\\|")
    validation = outcome.get("details", {}).get("validation")
    if validation is None:
        return "written (no validator)"
    return "passed" if validation["status"] == "passed" else f"written, {validation['summary']}"


def table(gate: Gate) -> str:
    rows = ["| document | " + " | ".join(FORMATS) + " |", "|---|" + "---|" * len(FORMATS)]
    for stem in IDS:
        rows.append(f"| {stem} | " + " | ".join(cell(gate.outcomes.get((stem, f))) for f in FORMATS) + " |")
    return "\n".join(rows) + "\n"


@pytest.fixture(scope="module")
def gate(tmp_path_factory: pytest.TempPathFactory) -> Gate:
    for tool in ("java", "soffice", "qpdf", "pdffonts", "pdftotext"):
        require_tool(tool)
    from pipeline.convert import convert
    from pipeline.writers import WriteOptions

    # $CORPUS_GATE_OUT keeps the outputs between runs: only what changed is converted again.
    out = Path(os.environ.get("CORPUS_GATE_OUT") or tmp_path_factory.mktemp("corpus-gate"))
    result = convert(DOCUMENTS, formats=list(FORMATS), out_dir=out, options=WriteOptions(validate=True),
                     executor="local", workers=2, job_timeout=900)
    # The manifest records every output, built now or up to date; the batch's results add tracebacks.
    entries = json.loads((out / "manifest.json").read_text(encoding="utf-8"))["outputs"]
    outcomes = {(Path(e["source"]).stem, e["format"]): {**e, "output": str(out / name)} for name, e in entries.items()}
    for crashed in (r for r in result.results if "traceback" in r):
        outcomes[(Path(crashed["source"]).stem, crashed["format"])]["traceback"] = crashed["traceback"]
    found = Gate(out, outcomes)
    if os.environ.get("CORPUS_GATE_TABLE"):
        Path(os.environ["CORPUS_GATE_TABLE"]).write_text(table(found), encoding="utf-8")
    return found


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("source", DOCUMENTS, ids=IDS)
def test_every_document_converts_and_validates(gate: Gate, source: Path, fmt: str) -> None:
    outcome = gate.outcome(source.stem, fmt)
    assert outcome["status"] == "ok", f"{source.name}: {fmt}: {outcome.get('error')}"
    assert "traceback" not in outcome, outcome["traceback"]
    assert Path(outcome["output"]).is_file()
    validation = outcome.get("details", {}).get("validation")
    if fmt == "html":  # no validator for HTML; its text is checked below, its safety here
        assert "<script" not in Path(outcome["output"]).read_text(encoding="utf-8").lower()
        return
    assert validation is not None, f"{source.name}: {fmt}: validation did not run"
    if validation["status"] == "skipped":
        reason = f"{source.name}: {fmt}: not validated: {validation['reason']}"
        if IN_CI:
            pytest.fail(reason)
        pytest.skip(reason)
    assert VALIDATORS[fmt] in validation["tool"], validation["tool"]
    errors = [f for f in validation["findings"] if f["severity"] == "error"]
    assert validation["status"] == "passed" and not errors, f"{source.name}: {fmt}: {errors}"
    if fmt == "docx":
        assert validation["pages"], f"{source.name}: LibreOffice laid the DOCX out on no page"
    if fmt == "pdf":
        assert not [f for f in validation["findings"] if f["code"] == "PDF-QPDF"], validation["findings"]


@pytest.mark.parametrize("source", DOCUMENTS, ids=IDS)
def test_the_normalizer_never_falls_back(gate: Gate, source: Path) -> None:
    warnings = [w for fmt in FORMATS for w in gate.outcome(source.stem, fmt).get("warnings", [])]
    assert not [w for w in warnings if "[NORM000]" in w], f"{source.name}: {sorted(set(warnings))}"
    for warning in warnings:  # each names the file (and line) and carries its code
        assert warning.startswith(str(source)) and warning.rstrip().endswith("]"), warning


@pytest.fixture(scope="module")
def sources(gate: Gate) -> dict[str, Any]:
    """Each document's words and the words its applied normalizer edits account for (from the change
    report the batch wrote beside the outputs)."""
    from pipeline.load import load_document

    found = {}
    for path in DOCUMENTS:
        document = load_document(path)
        report = json.loads((gate.out / f"{path.stem}.changes.json").read_text(encoding="utf-8"))
        edited = Counter(word for change in report["changes"] if change["applied"]
                         for word in words_of(change["before"]))
        found[path.stem] = (source_words(document.body), edited, document.body)
    return found


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("source", DOCUMENTS, ids=IDS)
def test_nothing_the_author_wrote_is_missing(gate: Gate, sources: dict[str, Any], source: Path, fmt: str) -> None:
    outcome = gate.outcome(source.stem, fmt)
    if outcome["status"] != "ok":
        pytest.fail(f"{source.name}: {fmt}: not written ({outcome.get('error')})")
    words, allowed, body = sources[source.stem]
    warnings = outcome.get("warnings", [])
    # What a warning names as left out is quoted in it ("image 'diagram.png' is missing …").
    named = [part for w in warnings for part in re.findall(r"'([^']*)'|“([^”]*)”|\"([^\"]*)\"", w)]
    allowed = allowed + Counter(word for parts in named for part in parts for word in words_of(part))
    dropped = {tag for w in warnings for tag in re.findall(r"<([a-z0-9]+)>", w)}
    path = Path(outcome["output"])
    text = output_text(path, fmt)
    losses = missing_words(words, text, allowed, dropped)
    shown = ", ".join(f"{loss.word!r} ({loss.found} of {loss.wanted})" for loss in losses[:25])
    known = explain_pdf_losses(losses, path, text, body) if losses and fmt == "pdf" else None
    if known:
        pytest.xfail(f"{source.name}: {fmt}: known limits: {known}: {shown}")
    assert not losses, f"{source.name}: {fmt}: {len(losses)} words of the source missing: {shown}"
    # Formulas are there as math (MathML, OMML, pandoc's marked TeX), or at least as their text (TeX
    # that pandoc could not convert to OMML stays text in Word).
    if words.math and has_math(path, fmt) is False:
        lost = set(words_of(" ".join(words.math))) - set(words_of(text.layout))
        assert not lost, f"{source.name}: {fmt}: {len(words.math)} formulas, none in the output ({sorted(lost)[:10]})"
