"""Benchmark: our conversion against plain pandoc + WeasyPrint, side by side, in one run.

    make bench                      # or: .venv/bin/python bench/run.py [--runs 5] [--quick]

Prints a Markdown table (medians of --runs runs) and writes it to bench/results.md. Timings are
wall-clock on this machine; run it on an idle machine.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from peak import sample_run  # bench/ is this script's folder

REPO = Path(__file__).resolve().parent.parent
SEED = REPO / "input" / "openinfra-annual-report-2021.md"
LARGEST = REPO.parent / "shared" / "corpus" / "ossf-compiler-options-hardening-guide.md"
BIN = Path(sys.executable).parent
# Validation (EPUBCheck, LibreOffice) is a separate, optional cost: the targets are for conversion.
CONVERT = [sys.executable, "-m", "pipeline", "--no-validate"]


def _start(command: list[str], env: dict[str, str] | None, cwd: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(command, cwd=cwd, env={**os.environ, **(env or {})},
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def _check(process: subprocess.Popen[bytes], command: list[str], stderr: bytes) -> None:
    if process.returncode != 0:
        raise SystemExit(f"failed ({process.returncode}): {' '.join(command)}\n{stderr.decode()[-2000:]}")


def timed(command: list[str], *, env: dict[str, str] | None = None, cwd: Path = REPO) -> float:
    """Wall time of a command. Nothing else runs meanwhile: memory is measured in its own run."""
    started = time.perf_counter()
    process = _start(command, env, cwd)
    _, stderr = process.communicate()
    seconds = time.perf_counter() - started
    _check(process, command, stderr)
    return seconds


def peak_memory(command: list[str], *, env: dict[str, str] | None = None, cwd: Path = REPO) -> tuple[int, int]:
    """Peak memory of a command's whole process tree in MiB: (summed PSS, summed RSS at that moment).

    Reading PSS costs the kernel a page-table walk per process (2.5 ms for 500 MB), enough to slow
    a timed run on two cores, hence a run of its own (bench/peak.py shows it by process).
    """
    _, pss, processes = sample_run(command, env=env, cwd=cwd)
    return pss, sum(rss for _, _, rss, _ in processes)


def median_of(runs: int, measure: Callable[[], float]) -> float:
    return statistics.median(measure() for _ in range(runs))


def altered_copies(folder: Path, count: int, *, scale: int = 1) -> list[Path]:
    """Copies of the seed, each changed a little so none is skipped (and `scale` times as long)."""
    text = SEED.read_text(encoding="utf-8")
    front, body = re.match(r"(---\n.*?\n---\n)(.*)", text, re.DOTALL).groups()
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for n in range(count):
        parts = [re.sub(r"^(#{3,4} \*\*)(.*?)(\*\*)$", rf"\g<1>\g<2> ({n}.{k})\g<3>", body, flags=re.MULTILINE)
                 for k in range(scale)]
        path = folder / f"report-{n:02d}.md"
        path.write_text(front + f"\nCopy {n}.\n\n" + "\n".join(parts), encoding="utf-8")
        paths.append(path)
    return paths


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--quick", action="store_true", help="fewer runs and no 50-document batch")
    args = parser.parse_args()
    runs = 2 if args.quick else args.runs
    work = Path(tempfile.mkdtemp(prefix="pipeline-bench-"))
    rows: list[tuple[str, float, int | None, str]] = []
    pandoc = __import__("pypandoc").get_pandoc_path()
    env = {"PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}"}  # pandoc finds the venv's weasyprint

    baseline = [pandoc, str(SEED), "-o", str(work / "a.pdf"), "--pdf-engine=weasyprint"]
    base = median_of(runs, lambda: timed(baseline, env=env, cwd=work))
    rows.append(("A: pandoc seed → PDF (weasyprint engine, unstyled)", base,
                 peak_memory(baseline, env=env, cwd=work)[0], "baseline"))

    out = work / "dist"
    ours = [*CONVERT, str(SEED), "--to", "pdf,docx,epub", "-o", str(out), "--force", "-q"]
    cold = timed(ours, env={"PIPELINE_CACHE_DIR": str(work / "cold-cache")})
    rows.append(("seed → pdf,docx,epub, cold (empty caches)", cold, None, f"{cold / base:.2f}× A"))
    warm = median_of(runs, lambda: timed(ours))
    pss, rss = peak_memory(ours)
    rows.append(("seed → pdf,docx,epub, warm", warm, pss,
                 f"{warm / base:.2f}× A (target ≤ 1.8×); peak ≤ 460 MiB PSS; summed RSS {rss} MiB"))
    quick_command = [*ours, "--no-office"]
    quick = median_of(runs, lambda: timed(quick_command))
    quick_pss, quick_rss = peak_memory(quick_command)
    rows.append(("seed → pdf,docx,epub, warm, --no-office (Word fills its contents' page numbers)", quick,
                 quick_pss, f"{quick / base:.2f}× A; peak ≤ 410 MiB PSS; summed RSS {quick_rss} MiB"))
    every_command = [*CONVERT, str(SEED), "--to", "all", "-o", str(out), "--force", "-q"]
    every = median_of(runs, lambda: timed(every_command))
    rows.append(("seed → all four formats, warm", every, peak_memory(every_command)[0], ""))

    pdf_only = median_of(runs, lambda: timed([*CONVERT, str(SEED), "--to", "pdf", "-o", str(out), "--force",
                                              "-q"]))
    rows.append(("seed → pdf only", pdf_only, None, f"{pdf_only / base:.2f}× A (target ≤ 1.6×)"))

    big = altered_copies(work / "big", 1, scale=10)[0]
    ten_command = [*CONVERT, str(big), "--to", "pdf,docx,epub", "-o", str(out), "--force", "-q"]
    ten = median_of(max(1, runs // 2), lambda: timed(ten_command))
    rows.append(("10× seed length → pdf,docx,epub", ten, peak_memory(ten_command)[0],
                 f"{ten / warm:.2f}× the seed (target ≤ 10.5×)"))

    batch = work / "batch20"
    altered_copies(batch, 20)
    results = {}
    for jobs in (1, 2):
        command = [*CONVERT, str(batch), "--to", "pdf,docx,epub", "-o", str(work / f"b{jobs}"), "-j", str(jobs),
                   "--force", "-q"]
        results[jobs] = median_of(max(1, runs // 2), lambda command=command: timed(command))
        rows.append((f"batch of 20 → pdf,docx,epub, -j {jobs}", results[jobs], peak_memory(command)[0], ""))
    rows.append(("speed-up -j 2 over -j 1", results[1] / results[2], None, "target ≥ 1.8×"))
    noop = median_of(runs, lambda: timed([*CONVERT, str(batch), "--to", "pdf,docx,epub", "-o",
                                          str(work / "b2"), "-q"]))
    rows.append(("no-op rebuild of the 20", noop, None, ""))
    if not args.quick:
        batch50 = work / "batch50"
        altered_copies(batch50, 50)
        timed([*CONVERT, str(batch50), "--to", "html", "-o", str(work / "b50"), "-j", "2", "-q"])
        noop50 = median_of(runs, lambda: timed([*CONVERT, str(batch50), "--to", "html", "-o", str(work / "b50"),
                                                "-q"]))
        rows.append(("no-op rebuild of 50 (html)", noop50, None, "target ≤ 1 s"))

    normalize_ms = json.loads(subprocess.run([sys.executable, "-c", _NORMALIZE_TIMER, str(SEED), str(runs * 4)],
                                             capture_output=True, text=True, check=True, cwd=REPO).stdout)
    rows.append(("normalizer on the seed (in process, warm)", normalize_ms / 1000, None, "target ≤ 150 ms"))
    if LARGEST.is_file():
        largest_ms = json.loads(subprocess.run([sys.executable, "-c", _NORMALIZE_TIMER, str(LARGEST), str(runs)],
                                               capture_output=True, text=True, check=True, cwd=REPO).stdout)
        rows.append((f"normalizer on {LARGEST.name} ({LARGEST.stat().st_size // 1000} KB, in process, warm)",
                     largest_ms / 1000, None,
                     "the largest corpus document"))
    help_s = median_of(runs, lambda: timed([str(BIN / "convert"), "--help"]))
    rows.append(("convert --help", help_s, None, "target ≤ 300 ms"))

    stages = subprocess.run([sys.executable, str(REPO / "bench" / "stages.py"), "--runs", str(runs)],
                            capture_output=True, text=True, check=True, cwd=REPO).stdout

    table = ["| measurement | seconds | peak MiB (PSS) | note |", "| --- | ---: | ---: | --- |"]
    for name, seconds, memory, note in rows:
        value = f"{seconds:.2f}×" if name.startswith("speed-up") else f"{seconds:.3f}"
        table.append(f"| {name} | {value} | {memory if memory is not None else ''} | {note} |")
    report = "\n".join(table) + "\n\nStages (bench/stages.py):\n\n" + stages
    print(report)
    header = f"Median of {runs} runs, {time.strftime('%Y-%m-%d')}, {os.cpu_count()} CPUs.\n\n"
    (REPO / "bench" / "results.md").write_text(header + report + "\n", encoding="utf-8")
    shutil.rmtree(work, ignore_errors=True)


_NORMALIZE_TIMER = """
import json, statistics, sys, time
from pathlib import Path
from pipeline.load import load_document
from pipeline.normalize import NormalizeOptions, normalize
from pipeline.theme import load_theme
theme = load_theme("openinfra")
options = NormalizeOptions(theme_dir=theme.root)
normalize(load_document(Path(sys.argv[1])), options)
times = []
for _ in range(int(sys.argv[2])):
    document = load_document(Path(sys.argv[1]))
    started = time.perf_counter()
    normalize(document, options)
    times.append((time.perf_counter() - started) * 1000)
print(json.dumps(statistics.median(times)))
"""

if __name__ == "__main__":
    main()
