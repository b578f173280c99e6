"""What runs inside a worker process: one job (a document in one format), isolated from the others.

A worker keeps the themes and prepared documents it has seen, so the formats of one document that
land on the same worker share loading, normalizing and pandoc's parse.
"""

from __future__ import annotations

import os
import threading
import time
import traceback
from collections import OrderedDict
from pathlib import Path
from typing import Any

from pipeline import trace
from pipeline.batch.plan import Job, file_sha256
from pipeline.document import Document
from pipeline.errors import PipelineError

_THEMES: dict[tuple[str, str], Any] = {}
_DOCUMENTS: OrderedDict[tuple[Any, ...], Document] = OrderedDict()
MAX_DOCUMENTS = 4  # prepared documents a worker keeps (the executor routes jobs by them)


def _theme(root: str, fingerprint: str) -> Any:
    from pipeline.theme import load_theme

    theme = _THEMES.get((root, fingerprint))
    if theme is None:
        theme = _THEMES[(root, fingerprint)] = load_theme(root)
    return theme


# Set in a process that prepares one document only (a one-document run's preparer, solo.py): the
# word rules' dictionaries (about 90 MB) are given back once it is normalized, before LibreOffice
# and the other formats' pandoc runs start beside it.
_RELEASE_DICTIONARIES = False


def release_dictionaries_when_prepared() -> None:
    global _RELEASE_DICTIONARIES
    _RELEASE_DICTIONARIES = True


def _document(job: Job, theme: Any) -> Document:
    from pipeline.convert import prepare
    from pipeline.fonts.fallback import document_fonts
    from pipeline.render import embedded_ast

    allowed_hosts = tuple(getattr(job.options, "allow_remote", ()))
    lang = getattr(job.options, "lang", None)
    key = (job.source, file_sha256(Path(job.source)), job.resources, job.normalize, repr(job.normalize_options),
           job.theme, allowed_hosts, job.site_root, lang)
    document = _DOCUMENTS.get(key)
    if document is None:
        document = prepare(Path(job.source), theme, run_normalizer=job.normalize,
                           normalize_options=job.normalize_options, max_input_bytes=job.max_input_bytes,
                           site_root=Path(job.site_root) if job.site_root else None, lang=lang,
                           allowed_hosts=allowed_hosts)
        if _RELEASE_DICTIONARIES and job.normalize:
            from pipeline.normalize.lexicon import release_dictionaries

            # In a thread: they are freed while pandoc parses the text (waiting for it lets go of the GIL).
            threading.Thread(target=release_dictionaries, name="release dictionaries", daemon=True).start()
        # Parse once now, so warnings about the text belong to the document, not to one format; the
        # fallback fonts too (a character no font has is one warning, in every output's record).
        with trace.span("pandoc AST, passes, images"):
            embedded_ast(document)
        with trace.span("fonts for the text"):
            document_fonts(document, theme)
        document.artifacts["shared_diagnostics"] = len(document.diagnostics)
        _DOCUMENTS[key] = document
        while len(_DOCUMENTS) > MAX_DOCUMENTS:
            _DOCUMENTS.popitem(last=False)
    _DOCUMENTS.move_to_end(key)
    return document


def run_job(job: Job) -> dict[str, Any]:
    """Build one output; never raises: the result says what happened."""
    from pipeline.deepstack import run_with_deep_stack

    with trace.span(f"{job.format} job"):
        return run_with_deep_stack(_run_job, job)


def _run_job(job: Job) -> dict[str, Any]:
    from pipeline.atomic import write_atomically
    from pipeline.writers import get_writer

    started = time.perf_counter()
    result = new_result(job)
    document: Document | None = None
    before = 0
    try:
        with trace.span("theme"):
            theme = _theme(job.theme, job.theme_fingerprint)
        with trace.span("prepare"):
            document = _document(job, theme)
        before = len(document.diagnostics)
        out_path = Path(job.out_path)
        write_change_report(job, document)
        writer = get_writer(job.format)
        with trace.span(f"write {job.format}"):
            outcome = write_atomically(out_path, lambda tmp: writer.write(document, theme, job.options, tmp))
        record_output(result, outcome)
    except Exception as exc:  # a writer bug or a library crash must not take the batch down
        record_failure(result, job, exc)
    return finish_result(result, document, before, started)


def new_result(job: Job) -> dict[str, Any]:
    """A job's result before it has run: failed, until `record_output` says otherwise."""
    return {"source": job.source, "format": job.format, "output": job.out_path, "key": job.key,
            "status": "failed", "worker": os.getpid()}


def write_change_report(job: Job, document: Document) -> None:
    """The normalizer's change report beside the outputs, by the document's first format's job."""
    if job.write_report:
        from pipeline.normalize.report import write_change_report as write

        write(document, Path(job.out_path).parent)


def record_output(result: dict[str, Any], outcome: Any) -> None:
    """What the writer made, now at the job's output path."""
    out_path = Path(result["output"])
    result.update(
        status="ok",
        pages=getattr(outcome, "pages", None),
        details=getattr(outcome, "details", {}) or {},
        sha256=file_sha256(out_path),
        size=out_path.stat().st_size,
    )


def record_failure(result: dict[str, Any], job: Job, exc: Exception) -> None:
    """The error a user can act on (ours, one line), or a writer bug with its traceback."""
    if isinstance(exc, PipelineError):
        result["error"] = str(exc)
    else:
        result["error"] = f"{job.source}: {job.format} failed: {type(exc).__name__}: {exc}"
        result["traceback"] = traceback.format_exc()


def finish_result(result: dict[str, Any], document: Document | None, before: int,
                  started: float) -> dict[str, Any]:
    """The document's warnings and changes in the result; `before`: its diagnostics when the writer
    started (the document's own come first, then this writer's, never another format's)."""
    if document is not None:
        shared = document.artifacts.get("shared_diagnostics", 0)
        after = len(document.diagnostics)
        own = document.diagnostics[:shared] + document.diagnostics[max(before, shared):after]
        result["warnings"] = [str(d) for d in own if d.severity != "info"]
        result["changes"] = {
            "applied": sum(1 for c in document.changes if c.applied),
            "suggested": sum(1 for c in document.changes if not c.applied),
        }
        result["title"] = document.meta.title
        result["language"] = document.meta.lang_origin or {"lang": document.meta.lang}
    result["seconds"] = round(time.perf_counter() - started, 3)
    return result
