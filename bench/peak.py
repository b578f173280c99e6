"""Who holds the memory at the peak: a command's process tree sampled every 50 ms, by process.

    .venv/bin/python bench/peak.py [--runs 3] [-- COMMAND ...]

Without a command, the benchmark's seed conversion (`--to pdf,docx,epub`, validation off). Prints,
for each run, the wall time, the peak of the summed PSS and what each process held at that moment
(PSS, RSS and USS in MiB), so a change meant to lower the peak can be checked against its parts.
Sampling costs the kernel a page-table walk per process, so wall times here run longer than in
`bench/run.py`.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SEED = REPO / "input" / "openinfra-annual-report-2021.md"
MiB = 1024 * 1024


def role(process: object) -> str:
    """A short name: the fork server and its workers share one command line, pandoc says its output."""
    import psutil

    try:
        words = process.cmdline()  # type: ignore[attr-defined]
    except psutil.Error:
        words = []
    if not words:
        return "?"  # gone, or a zombie
    with contextlib.suppress(psutil.Error):
        if process.name().startswith("convert-"):  # type: ignore[attr-defined]
            return f"{process.name()[8:]} (one-document run)"  # type: ignore[attr-defined]
    line = " ".join(words)
    if "office_bridge" in line:
        return "LibreOffice bridge"
    if "soffice" in line or "oosplash" in line:
        return f"LibreOffice ({Path(words[0]).name})"
    if "forkserver" in line:
        return "fork server or worker"
    if "resource_tracker" in line:
        return "multiprocessing resource tracker"
    if "pandoc" in Path(words[0]).name:
        target = next((word.split("=", 1)[1] for word in words if word.startswith("--to=")), "?")
        return f"pandoc → {target}"
    return Path(words[0]).name if words else "?"


def sample_run(command: list[str], *, env: dict[str, str] | None = None,
               cwd: Path = REPO) -> tuple[float, int, list[tuple[str, int, int, int]]]:
    """(wall seconds, peak summed PSS in MiB, [(role, pss, rss, uss) per process at the peak]).

    PSS is the fair figure: the fork server and its workers share the libraries and dictionaries
    it loaded (copy-on-write), which summed RSS counts once per process.
    """
    import psutil

    started = time.perf_counter()
    process = subprocess.Popen(command, cwd=cwd, env={**os.environ, **(env or {})}, stdout=subprocess.DEVNULL,
                               stderr=subprocess.PIPE)
    done = threading.Event()
    peak: tuple[int, list[tuple[str, int, int, int]]] = (0, [])

    def sample() -> None:
        nonlocal peak
        parent = psutil.Process(process.pid)
        while not done.is_set():
            rows = []
            with contextlib.suppress(psutil.Error):
                for member in [parent, *parent.children(recursive=True)]:
                    with contextlib.suppress(psutil.Error):
                        info = member.memory_full_info()
                        rows.append((role(member), info.pss // MiB, info.rss // MiB, info.uss // MiB))
            total = sum(row[1] for row in rows)
            if total > peak[0]:
                peak = (total, rows)
            done.wait(0.05)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    _, stderr = process.communicate()
    done.set()
    sampler.join()
    if process.returncode != 0:
        raise SystemExit(f"failed ({process.returncode}): {' '.join(command)}\n{stderr.decode()[-2000:]}")
    return time.perf_counter() - started, peak[0], sorted(peak[1], key=lambda row: -row[1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("command", nargs="*", help="the command to sample (after --)")
    args = parser.parse_args()
    command = args.command or [sys.executable, "-m", "pipeline", "--no-validate", str(SEED), "--to", "pdf,docx,epub",
                               "-o", "/tmp/pipeline-peak", "--force", "-q"]
    for run in range(1, args.runs + 1):
        seconds, total, rows = sample_run(command)
        print(f"run {run}: {seconds:.2f} s, peak {total} MiB PSS (summed RSS {sum(r[2] for r in rows)} MiB)")
        print("| process | PSS | RSS | USS |\n| --- | ---: | ---: | ---: |")
        for name, pss, rss, uss in rows:
            if pss:
                print(f"| {name} | {pss} | {rss} | {uss} |")
        print()


if __name__ == "__main__":
    main()
