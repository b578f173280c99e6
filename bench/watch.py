"""`convert watch`: how long from saving the seed until its PDF, DOCX and EPUB are all rebuilt.

    .venv/bin/python bench/watch.py [--edits 5] [--to pdf,docx,epub]

Starts `convert watch` on a copy of the seed, waits for its first build, then saves an edit (one
more word in a paragraph, a new one each time, as a writer's edits are) and times from the save
until the manifest records every format rebuilt from the new text. Between edits, while the
watcher idles, it times plain pandoc (`pandoc SEED -o a.pdf --pdf-engine=weasyprint`), so each
edit has its own pair; prints the medians and the median ratio.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SEED = REPO / "input" / "openinfra-annual-report-2021.md"
BIN = Path(sys.executable).parent
ANCHOR = "OpenInfra Foundation"  # the edit goes after the first paragraph line holding this


def _rebuilt(out: Path, source_sha: str, formats: list[str]) -> bool:
    try:
        outputs = json.loads((out / "manifest.json").read_text(encoding="utf-8")).get("outputs", {})
    except (OSError, ValueError):
        return False
    done = {entry.get("format") for entry in outputs.values()
            if entry.get("source_sha256") == source_sha and entry.get("status") == "ok"}
    return set(formats) <= done


def _wait(condition, timeout: float = 120) -> float:
    started = time.perf_counter()
    while not condition():
        if time.perf_counter() - started > timeout:
            raise TimeoutError("the watcher did not rebuild in time")
        time.sleep(0.01)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--edits", type=int, default=5)
    parser.add_argument("--to", default="pdf,docx,epub")
    args = parser.parse_args()
    formats = args.to.split(",")
    import pypandoc

    work = Path(tempfile.mkdtemp(prefix="bench-watch-"))
    source, out = work / "doc" / SEED.name, work / "out"
    source.parent.mkdir()
    text = SEED.read_text(encoding="utf-8")
    source.write_text(text, encoding="utf-8")
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}"}
    # From the working folder (the repository, usually): its styles/ holds the themes.
    watcher = subprocess.Popen([str(BIN / "convert"), "watch", str(source), "--to", args.to, "--no-validate", "-o",
                                str(out)], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                               start_new_session=True)
    plain = [pypandoc.get_pandoc_path(), str(SEED), "-o", str(work / "a.pdf"), "--pdf-engine=weasyprint"]
    rebuilds, baselines = [], []
    try:
        _wait(lambda: _rebuilt(out, hashlib.sha256(text.encode()).hexdigest(), formats), timeout=300)
        time.sleep(1.0)
        line = next(i for i, ln in enumerate(text.splitlines()) if ANCHOR in ln and not ln.startswith(("#", "---")))
        for edit in range(args.edits):
            started = time.perf_counter()
            subprocess.run(plain, env=env, cwd=work, check=True, capture_output=True)
            baselines.append(time.perf_counter() - started)
            time.sleep(0.5)
            lines = text.splitlines()
            lines[line] += f" Edit {edit + 1}."
            edited = "\n".join(lines) + "\n"
            source.write_text(edited, encoding="utf-8")
            rebuilds.append(_wait(lambda e=edited: _rebuilt(out, hashlib.sha256(e.encode()).hexdigest(), formats)))
            print(f"edit {edit + 1}: rebuilt in {rebuilds[-1]:.3f} s; plain pandoc {baselines[-1]:.3f} s", flush=True)
            time.sleep(1.0)  # the build report and the watcher's idle state
    finally:
        os.killpg(watcher.pid, signal.SIGTERM)
        watcher.wait(timeout=60)
        shutil.rmtree(work, ignore_errors=True)
    ratios = [r / b for r, b in zip(rebuilds, baselines, strict=True)]
    print(f"save → {args.to} rebuilt: median {statistics.median(rebuilds):.3f} s "
          f"({min(rebuilds):.3f}–{max(rebuilds):.3f}); plain pandoc median {statistics.median(baselines):.3f} s; "
          f"ratio median {statistics.median(ratios):.2f}× ({min(ratios):.2f}–{max(ratios):.2f})")


if __name__ == "__main__":
    main()
