"""Where the time goes: the seed's conversion to PDF, DOCX and EPUB, stage by stage, in one process.

    .venv/bin/python bench/stages.py [--runs 5] [SOURCE]

A fresh interpreter, as a worker has: the first pass shows the cold costs (imports, dictionaries,
compiled patterns, fonts), the following passes the warm ones (medians). Writers run with
validation off, as in the benchmark; the DOCX contents fill by LibreOffice is part of the DOCX
writer and is shown as its own row. Also measures our PDF step against bare WeasyPrint rendering
the same HTML and CSS. Prints a Markdown table.
"""

from __future__ import annotations

import argparse
import gc
import importlib
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable
from contextlib import contextmanager
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
SEED = REPO / "input" / "openinfra-annual-report-2021.md"

_spent: defaultdict[str, float] = defaultdict(float)


@contextmanager
def stage(name: str) -> Any:
    started = time.perf_counter()
    try:
        yield
    finally:
        _spent[name] += time.perf_counter() - started


def time_calls(module_name: str, attribute: str, name: str) -> None:
    """Count the time spent in module.attribute (looked up at call time by its callers) as `name`."""
    module = importlib.import_module(module_name)
    original: Callable[..., Any] = getattr(module, attribute)

    def timed(*args: Any, **kwargs: Any) -> Any:
        with stage(name):
            return original(*args, **kwargs)

    setattr(module, attribute, timed)


def one_pass(source: Path, out: Path) -> dict[str, float]:
    from pipeline.load import load_document
    from pipeline.normalize import NormalizeOptions, normalize
    from pipeline.render import embedded_ast
    from pipeline.theme import load_theme
    from pipeline.writers import WriteOptions, get_writer

    _spent.clear()
    with stage("theme (brand.yml, tokens)"):
        theme = load_theme("openinfra")
        theme.tokens  # noqa: B018  (parses brand.yml)
    with stage("load (front matter, encoding)"):
        document = load_document(source, default_publisher=theme.tokens["name"])
    with stage("normalize"):
        document = normalize(document, NormalizeOptions(theme_dir=theme.root))
    with stage("pandoc: Markdown → AST"):
        embedded_ast(document)
    options = WriteOptions(validate=False)
    for fmt in ("pdf", "docx", "epub"):
        with stage(f"{fmt} writer (total)"):
            result = get_writer(fmt).write(document, theme, options, out / f"seed.{fmt}")
        if fmt == "pdf":
            _spent["pdf: WeasyPrint layout"] += result.details["layout_seconds"] - _spent["pdf: print HTML from AST"]
            _spent["pdf: WeasyPrint PDF write (fonts subset)"] += result.details["pdf_seconds"]
    return dict(_spent)


def pdf_against_bare_weasyprint(source: Path, out: Path, runs: int) -> tuple[float, float]:
    """Median seconds: our PDF writer, and WeasyPrint alone on the HTML and CSS our writer gives it."""
    import weasyprint

    from pipeline.convert import prepare
    from pipeline.pdf.page import build_print_html
    from pipeline.pdf.settings import print_settings
    from pipeline.render import embedded_ast
    from pipeline.theme import load_theme
    from pipeline.writers import WriteOptions, get_writer

    theme = load_theme("openinfra")
    options = WriteOptions(validate=False)
    writer = get_writer("pdf")

    def parsed() -> Any:
        # What every format shares (loading, normalizing, pandoc's parse) is not the PDF step.
        document = prepare(source, theme)
        embedded_ast(document)
        return document

    first = parsed()
    html, _ = build_print_html(first, theme, print_settings(theme, options))
    base_url = str(first.base_dir.resolve()) + "/"
    timings: dict[str, list[float]] = {"ours": [], "bare": []}
    def bare() -> None:
        weasyprint.HTML(string=html, base_url=base_url).render().write_pdf(out / "bare.pdf")

    for round_ in range(runs + 1):  # the first round warms both up and is not counted
        document = parsed()
        runs_in_order = [("bare", bare),
                         ("ours", lambda document=document: writer.write(document, theme, options, out / "ours.pdf"))]
        for name, run in runs_in_order if round_ % 2 else reversed(runs_in_order):
            gc.collect()  # neither pays for the other's garbage
            started = time.perf_counter()
            run()
            timings[name].append(time.perf_counter() - started)
    return statistics.median(timings["ours"][1:]), statistics.median(timings["bare"][1:])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("source", nargs="?", type=Path, default=SEED)
    args = parser.parse_args()
    sys.path.insert(0, str(REPO))

    started = time.perf_counter()
    import pipeline.batch.preload  # noqa: F401  (what a worker's fork server loads)

    imports = time.perf_counter() - started
    time_calls("pipeline.pdf.page", "build_print_html", "pdf: print HTML from AST")
    time_calls("pipeline.libreoffice", "run_macro", "docx: LibreOffice fills the contents")
    time_calls("pipeline.writers.cover", "cover_jpeg", "epub: cover image")
    from pipeline import libreoffice

    # As in a batch: one LibreOffice kept running for the Word files' contents (when python3-uno is there).
    with tempfile.TemporaryDirectory(prefix="pipeline-stages-") as folder, libreoffice.resident(libreoffice.find()):
        out = Path(folder)
        # The fork server's preload warms the normalizer; measure a worker's first document after it.
        cold = one_pass(args.source, out)
        warm_runs = [one_pass(args.source, out) for _ in range(args.runs)]
        ours, bare = pdf_against_bare_weasyprint(args.source, out, args.runs)
    warm = {name: statistics.median(run.get(name, 0.0) for run in warm_runs) for name in cold}

    rows = ["| stage | first document in a worker (s) | warm, median (s) |", "| --- | ---: | ---: |",
            f"| imports + dictionaries (the fork server's preload, once per batch) | {imports:.3f} | |"]
    rows += [f"| {name} | {cold[name]:.3f} | {warm[name]:.3f} |" for name in cold]
    rows += ["", "| PDF step | seconds (median, warm) |", "| --- | ---: |",
             f"| our PDF writer (print HTML from the AST, WeasyPrint, variants) | {ours:.3f} |",
             f"| bare WeasyPrint on the same HTML and CSS | {bare:.3f} |",
             f"| ratio (target ≤ 1.15) | {ours / bare:.2f}× |"]
    print("\n".join(rows))


if __name__ == "__main__":
    main()
