"""Benchmark: our conversion against plain pandoc + WeasyPrint, side by side, in one run.

    make bench                      # or: .venv/bin/python bench/run.py [--runs 5] [--quick]

Prints a Markdown table (medians of --runs runs) and writes it to bench/results.md. Timings are
wall-clock on this machine; run it on an idle machine.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SEED = REPO / "input" / "openinfra-annual-report-2021.md"
BIN = Path(sys.executable).parent
# Validation (EPUBCheck, LibreOffice) is a separate, optional cost: the targets are for conversion.
CONVERT = [sys.executable, "-m", "pipeline", "--no-validate"]


def timed(command: list[str], *, env: dict[str, str] | None = None, cwd: Path = REPO) -> tuple[float, int]:
    """Wall time of a command and the peak memory of its whole process tree (MiB, summed PSS).

    PSS, not RSS: the fork server and its workers share the libraries and dictionaries it loaded
    (copy-on-write), and summed RSS would count those pages once per process. The peak of the
    summed RSS is kept in PEAK_RSS for the record.
    """
    import psutil

    started = time.perf_counter()
    process = subprocess.Popen(command, cwd=cwd, env={**os.environ, **(env or {})},
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    peak = peak_rss = 0
    done = threading.Event()

    def sample() -> None:
        nonlocal peak, peak_rss
        parent = psutil.Process(process.pid)
        while not done.is_set():
            try:
                tree = [parent, *parent.children(recursive=True)]
                pss = rss = 0
                for member in tree:
                    with contextlib.suppress(psutil.Error):
                        info = member.memory_full_info()
                        pss += info.pss
                        rss += info.rss
                peak, peak_rss = max(peak, pss), max(peak_rss, rss)
            except psutil.Error:
                pass
            done.wait(0.02)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    _, stderr = process.communicate()
    seconds = time.perf_counter() - started
    done.set()
    sampler.join()
    if process.returncode not in (0,):
        raise SystemExit(f"failed ({process.returncode}): {' '.join(command)}\n{stderr.decode()[-2000:]}")
    PEAK_RSS[" ".join(command)] = peak_rss // (1024 * 1024)
    return seconds, peak // (1024 * 1024)


PEAK_RSS: dict[str, int] = {}


def median_of(runs: int, measure: Callable[[], tuple[float, int]]) -> tuple[float, int]:
    results = [measure() for _ in range(runs)]
    return statistics.median(r[0] for r in results), max(r[1] for r in results)


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

    base, base_mem = median_of(runs, lambda: timed([pandoc, str(SEED), "-o", str(work / "a.pdf"),
                                                      "--pdf-engine=weasyprint"], env=env, cwd=work))
    rows.append(("A: pandoc seed → PDF (weasyprint engine, unstyled)", base, base_mem, "baseline"))

    out = work / "dist"
    ours = [*CONVERT, str(SEED), "--to", "pdf,docx,epub", "-o", str(out), "--force", "-q"]
    cold, cold_mem = timed(ours, env={"PIPELINE_CACHE_DIR": str(work / "cold-cache")})
    rows.append(("seed → pdf,docx,epub, cold (empty caches)", cold, cold_mem, f"{cold / base:.2f}× A"))
    warm, warm_mem = median_of(runs, lambda: timed(ours))
    rows.append(("seed → pdf,docx,epub, warm", warm, warm_mem,
                 f"{warm / base:.2f}× A (target ≤ 1.0×); summed RSS {PEAK_RSS[' '.join(ours)]} MiB"))
    every, every_mem = median_of(runs, lambda: timed([*CONVERT, str(SEED), "--to", "all", "-o", str(out),
                                                      "--force", "-q"]))
    rows.append(("seed → all four formats, warm", every, every_mem, "peak RSS of the whole process tree"))

    pdf_only, _ = median_of(runs, lambda: timed([*CONVERT, str(SEED), "--to", "pdf", "-o", str(out), "--force",
                                                 "-q", "--executor", "inline"]))
    rows.append(("seed → pdf only (one process)", pdf_only, None, ""))

    big = altered_copies(work / "big", 1, scale=10)[0]
    one, _ = median_of(runs, lambda: timed([*CONVERT, str(SEED), "--to", "pdf,docx,epub", "-o", str(out),
                                            "--force", "-q"]))
    ten, ten_mem = median_of(max(1, runs // 2), lambda: timed([*CONVERT, str(big), "--to", "pdf,docx,epub",
                                                              "-o", str(out), "--force", "-q"]))
    rows.append(("10× seed length → pdf,docx,epub", ten, ten_mem, f"{ten / one:.2f}× the seed (target ≤ 10.5×)"))

    batch = work / "batch20"
    altered_copies(batch, 20)
    results = {}
    for jobs in (1, 2):
        seconds, memory = timed([*CONVERT, str(batch), "--to", "pdf,docx,epub", "-o", str(work / f"b{jobs}"),
                                 "-j", str(jobs), "--force", "-q"])
        results[jobs] = seconds
        rows.append((f"batch of 20 → pdf,docx,epub, -j {jobs}", seconds, memory, ""))
    rows.append(("speed-up -j 2 over -j 1", results[1] / results[2], None, "target ≥ 1.8×"))
    noop, _ = median_of(runs, lambda: timed([*CONVERT, str(batch), "--to", "pdf,docx,epub", "-o",
                                             str(work / "b2"), "-q"]))
    rows.append(("no-op rebuild of the 20", noop, None, ""))
    if not args.quick:
        batch50 = work / "batch50"
        altered_copies(batch50, 50)
        timed([*CONVERT, str(batch50), "--to", "html", "-o", str(work / "b50"), "-j", "2", "-q"])
        noop50, _ = median_of(runs, lambda: timed([*CONVERT, str(batch50), "--to", "html", "-o", str(work / "b50"),
                                                   "-q"]))
        rows.append(("no-op rebuild of 50 (html)", noop50, None, "target ≤ 1 s"))

    normalize_ms = json.loads(subprocess.run([sys.executable, "-c", _NORMALIZE_TIMER, str(SEED), str(runs * 4)],
                                             capture_output=True, text=True, check=True, cwd=REPO).stdout)
    rows.append(("normalizer on the seed (in process, warm)", normalize_ms / 1000, None, "target ≤ 150 ms"))
    help_s, _ = median_of(runs, lambda: timed([str(BIN / "convert"), "--help"]))
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
