"""Orchestration: documents × formats → files in the output folder, each written atomically."""

from __future__ import annotations

import contextlib
import dataclasses
import os
import tempfile
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from pipeline.document import Diagnostic, Document
from pipeline.errors import PipelineError, UsageError
from pipeline.load import MARKDOWN_SUFFIXES, find_markdown_files, load_document
from pipeline.normalize import NormalizeOptions, normalize
from pipeline.theme import DEFAULT_THEME, Theme, load_theme
from pipeline.writers import WriteOptions, get_writer


@dataclass
class Output:
    """One file written (or a format that failed) for one document."""

    source: Path
    format: str
    path: Path | None
    seconds: float
    pages: int | None = None
    error: str | None = None
    traceback: str | None = None  # for unexpected failures, shown with --debug

    @property
    def ok(self) -> bool:
        return self.error is None


@dataclass
class ConversionReport:
    outputs: list[Output] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    failed_documents: list[str] = field(default_factory=list)
    tracebacks: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.failed_documents and all(o.ok for o in self.outputs)


def collect_inputs(paths: Iterable[Path | str]) -> list[Path]:
    """Expand the command-line paths: files as given, folders to the Markdown files inside."""
    inputs: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            found = find_markdown_files(path)
            if not found:
                raise UsageError("no Markdown files (*.md, *.markdown) in this folder", path)
            inputs.extend(found)
        elif path.is_file():
            if path.suffix.lower() not in MARKDOWN_SUFFIXES:
                raise UsageError("is not a Markdown file (*.md, *.markdown)", path)
            inputs.append(path)
        else:
            raise UsageError("no such file or folder", path)
    return list(dict.fromkeys(inputs))


def write_atomically(out_path: Path, produce: Callable[[Path], object]) -> object:
    """Let `produce` write a temp file beside `out_path`, then rename it into place.

    A failure or a kill leaves the previous good output untouched and no partial file behind.
    """
    out_path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{out_path.name}.", suffix=".tmp", dir=out_path.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        result = produce(tmp)
        if not tmp.exists() or tmp.stat().st_size == 0:
            raise PipelineError("writer produced no output", out_path)
        with open(tmp, "rb+") as handle:
            os.fsync(handle.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, out_path)
        return result
    finally:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()


def prepare(path: Path, theme: Theme, *, run_normalizer: bool = True,
            normalize_options: NormalizeOptions | None = None) -> Document:
    """Load and normalize one document: the part every format shares."""
    document = load_document(path, default_publisher=theme.tokens["name"])
    if run_normalizer:
        options = normalize_options or NormalizeOptions()
        if options.theme_dir is None:
            options = dataclasses.replace(options, theme_dir=theme.root)
        document = normalize(document, options)
    return document


def convert_document(document: Document, formats: list[str], out_dir: Path, theme: Theme,
                     options: WriteOptions | None = None) -> list[Output]:
    """Write one document in every requested format; one format failing does not stop the others."""
    options = options or WriteOptions()
    outputs: list[Output] = []
    for name in formats:
        writer = get_writer(name)
        out_path = out_dir / f"{document.name}{writer.extension}"
        started = time.perf_counter()
        try:
            result = write_atomically(out_path, lambda tmp, w=writer: w.write(document, theme, options, tmp))
        except PipelineError as exc:
            outputs.append(Output(document.source, name, None, time.perf_counter() - started, error=str(exc)))
            continue
        except Exception as exc:  # a writer bug or a library crash must not take the batch down
            import traceback

            outputs.append(Output(
                document.source, name, None, time.perf_counter() - started,
                error=f"{document.source}: {name} writer failed: {type(exc).__name__}: {exc}",
                traceback=traceback.format_exc(),
            ))
            continue
        pages = getattr(result, "pages", None)
        outputs.append(Output(document.source, name, out_path, time.perf_counter() - started, pages=pages))
    return outputs


def convert(paths: Iterable[Path | str], formats: list[str] | str = "all", out_dir: Path | str = "dist",
            theme: str | Theme = DEFAULT_THEME, *, run_normalizer: bool = True,
            normalize_options: NormalizeOptions | None = None, options: WriteOptions | None = None,
            on_output: Callable[[Output], None] | None = None) -> ConversionReport:
    """Convert Markdown files (or folders of them) to the given formats in `out_dir`.

    Usage errors (missing files, unknown formats or themes) raise before anything is written;
    a document that fails is recorded in the report and the others still convert.
    """
    from pipeline.writers import parse_formats

    format_names = parse_formats(formats) if isinstance(formats, str) else parse_formats(",".join(formats))
    loaded_theme = theme if isinstance(theme, Theme) else load_theme(theme)
    inputs = collect_inputs(paths)
    out = Path(out_dir)
    report = ConversionReport()
    for path in inputs:
        try:
            document = prepare(path, loaded_theme, run_normalizer=run_normalizer,
                               normalize_options=normalize_options)
        except PipelineError as exc:
            report.failed_documents.append(str(exc))
            continue
        except Exception as exc:  # a bug in a stage must not take the other documents down
            import traceback

            report.failed_documents.append(f"{path}: could not be prepared: {type(exc).__name__}: {exc}")
            report.tracebacks.append(traceback.format_exc())
            continue
        if run_normalizer:
            from pipeline.normalize.report import write_change_report

            write_change_report(document, out)
        for output in convert_document(document, format_names, out, loaded_theme, options):
            report.outputs.append(output)
            if on_output:
                on_output(output)
        report.diagnostics.extend(document.diagnostics)
    return report
