"""The critical path of a run, drawn: every process, every stage, when it started and ended.

    .venv/bin/python bench/timeline.py [--to pdf] [--runs 5] [--svg bench/timeline.svg] [--json FILE]
    .venv/bin/python bench/timeline.py --svg out.svg -- .venv/bin/convert SOME.md --to pdf,docx,epub --force

Runs `convert SEED --to FORMATS --no-validate --force` (or the command after `--`) with
PIPELINE_TRACE set, so that each of its processes (this command, the fork server, the workers)
writes its stages to one file (`pipeline/trace.py`), alternating with plain pandoc
(`pandoc SEED -o a.pdf --pdf-engine=weasyprint`, the pandoc pypandoc-binary ships). Keeps the run
whose wall time is the median, prints its stages as a table, and draws them as an SVG timeline with
plain pandoc's median and the target (1.6× by default) as vertical lines.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from xml.sax.saxutils import escape

REPO = Path(__file__).resolve().parent.parent
SEED = REPO / "input" / "openinfra-annual-report-2021.md"
BIN = Path(sys.executable).parent
sys.path.insert(0, str(REPO))

from pipeline.trace import TRACE_ENV  # noqa: E402  (the repository, not an installed copy)


def _clock() -> float:
    return time.clock_gettime(time.CLOCK_BOOTTIME)  # the clock pipeline.trace writes


@dataclass
class Run:
    wall: float
    launched: float
    records: list[dict] = field(default_factory=list)


def traced_run(command: list[str], env: dict[str, str]) -> Run:
    with tempfile.NamedTemporaryFile(suffix=".jsonl", delete=False) as handle:
        trace_file = Path(handle.name)
    try:
        launched = _clock()
        subprocess.run(command, env={**env, TRACE_ENV: str(trace_file)}, cwd=REPO, check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        wall = _clock() - launched
        time.sleep(0.3)  # the fork server and workers exit after this process; their last lines
        records = [json.loads(line) for line in trace_file.read_text().splitlines() if line.strip()]
    finally:
        trace_file.unlink(missing_ok=True)
    return Run(wall, launched, records)


def timed(command: list[str], env: dict[str, str], cwd: Path) -> float:
    started = time.perf_counter()
    subprocess.run(command, env=env, cwd=cwd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - started


# ---- the picture ----------------------------------------------------------------------------

_COLOURS = [  # (legend, colour, words): the first whose words the stage's name (or row) contains
    ("start-up: interpreter, imports, workers", "#8da0cb", ("interpreter", "preload", "workers", "import", "plan")),
    ("LibreOffice", "#a6761d", ("LibreOffice", "indexes", "office")),
    ("pandoc", "#fc8d62", ("pandoc",)),
    ("PDF", "#e7298a", ("layout", "write PDF", "stylesheet", "warm", "print HTML", "pdf", "WeasyPrint")),
    ("DOCX", "#1f78b4", ("docx",)),
    ("EPUB", "#7570b3", ("epub", "cover", "font subsets")),
    ("document: load, normalize, AST", "#66a61e", ("normalize", "load", "language", "prepare", "AST", "fonts for")),
    ("other, waiting", "#b3b3b3", ()),
]


def _colour(name: str) -> str:
    return next((colour for _, colour, words in _COLOURS if any(w in name for w in words)), _COLOURS[-1][1])


@dataclass
class Lane:
    label: str
    spans: list[dict]
    start: float | None
    depth: int


def lanes(run: Run) -> list[Lane]:
    processes = {r["pid"]: r for r in run.records if r.get("kind") == "process"}
    roles = {r["pid"]: r["role"] for r in run.records if r.get("kind") == "role"}
    spans = [r for r in run.records if r.get("kind") == "span"]
    def began(pid: int) -> float:
        known = processes.get(pid, {}).get("start")
        return known if known is not None else min(s["start"] for s in spans if s["pid"] == pid)

    order = sorted({s["pid"] for s in spans}, key=began)
    workers = [pid for pid in order if roles.get(pid) == "worker"]
    result = []
    for pid in order:
        role = roles.get(pid, "")
        name = f"worker {workers.index(pid) + 1}" if role == "worker" else role
        own = [s for s in spans if s["pid"] == pid]
        for lane in sorted({s["lane"] for s in own}, key=lambda lane: (lane != "", lane)):
            chosen = [s for s in own if s["lane"] == lane]
            label = " · ".join(part for part in (name, lane) if part) or f"process {pid}"
            start = processes[pid]["start"] if not lane and pid in processes else None
            result.append(Lane(label, chosen, start, max(s["depth"] for s in chosen)))
    return result


def svg(run: Run, baseline: float | None, target: float | None, title: str) -> str:
    rows = lanes(run)
    end = max([run.wall, *(s["end"] - run.launched for lane in rows for s in lane.spans),
               *([baseline * target] if baseline and target else [])])
    scale_end = (int(end / 0.5) + 1) * 0.5
    left, width, row, top = 170, 900, 16, 46
    heights = [(lane.depth + 1) * row + 8 for lane in rows]
    total_height = top + sum(heights) + 58

    def x(t: float) -> float:
        return left + width * t / scale_end

    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{left + width + 20}" height="{total_height}" '
           f'font-family="sans-serif" font-size="10">',
           '<rect width="100%" height="100%" fill="white"/>',
           f'<text x="10" y="16" font-size="13" font-weight="bold">{escape(title)}</text>']
    step = next(s for s in (0.1, 0.25, 0.5, 1.0, 2.0, 5.0) if width * s / scale_end >= 45)
    axis = total_height - 48
    for index in range(int(scale_end / step + 1e-9) + 1):
        tick = index * step
        out.append(f'<line x1="{x(tick):.1f}" y1="{top - 6}" x2="{x(tick):.1f}" y2="{axis}" stroke="#eee"/>')
        out.append(f'<text x="{x(tick):.1f}" y="{axis + 12}" text-anchor="middle">{tick:g} s</text>')
    legend_x = 10.0
    for name, colour, _ in _COLOURS:
        out.append(f'<rect x="{legend_x:.0f}" y="{total_height - 20}" width="10" height="10" fill="{colour}"/>')
        out.append(f'<text x="{legend_x + 14:.0f}" y="{total_height - 11}">{escape(name)}</text>')
        legend_x += 24 + 5.3 * len(name)
    y = top
    for lane, height in zip(rows, heights, strict=True):
        out.append(f'<text x="{left - 6}" y="{y + row - 4}" text-anchor="end">{escape(lane.label)}</text>')
        if lane.start is not None:
            last = max(s["end"] for s in lane.spans)
            out.append(f'<line x1="{x(max(lane.start - run.launched, 0)):.1f}" y1="{y + row / 2}" '
                       f'x2="{x(last - run.launched):.1f}" y2="{y + row / 2}" stroke="#999" stroke-dasharray="2,2"/>')
        for span in sorted(lane.spans, key=lambda s: s["depth"]):
            x0, x1 = x(span["start"] - run.launched), x(span["end"] - run.launched)
            sy = y + span["depth"] * row
            seconds = span["end"] - span["start"]
            colour = _colour(span["name"] if lane.label.split(" · ")[-1] != "LibreOffice" else "LibreOffice")
            out.append(f'<rect x="{x0:.1f}" y="{sy + 1}" width="{max(x1 - x0, 0.8):.1f}" height="{row - 2}" '
                       f'fill="{colour}" stroke="white" stroke-width="0.5">'
                       f'<title>{escape(span["name"])}: {seconds:.3f} s</title></rect>')
            label = f'{span["name"]} {seconds:.2f}'
            if x1 - x0 > 5.2 * len(label):
                out.append(f'<text x="{x0 + 3:.1f}" y="{sy + row - 4}" fill="white">{escape(label)}</text>')
            elif x1 - x0 > 5.2 * len(span["name"]):
                out.append(f'<text x="{x0 + 3:.1f}" y="{sy + row - 4}" fill="white">{escape(span["name"])}</text>')
        y += height
    marks = [(run.wall, f"this run ends {run.wall:.2f} s", "#000")]
    if baseline:
        marks.append((baseline, f"plain pandoc {baseline:.2f} s", "#1b9e77"))
        if target:
            marks.append((baseline * target, f"{target:g}× plain {baseline * target:.2f} s", "#d95f02"))
    for index, (t, label, colour) in enumerate(marks):
        out.append(f'<line x1="{x(t):.1f}" y1="{top - 8}" x2="{x(t):.1f}" y2="{axis}" '
                   f'stroke="{colour}" stroke-width="1.5"/>')
        out.append(f'<text x="{x(t) + 3:.1f}" y="{28 + 10 * (index % 2)}" fill="{colour}" '
                   f'text-anchor="{"end" if index == 0 else "start"}" dx="{-6 if index == 0 else 0}">'
                   f'{escape(label)}</text>')
    out.append("</svg>")
    return "\n".join(out)


def table(run: Run) -> str:
    lines = ["| process | stage | start (s) | end (s) | seconds |", "| --- | --- | ---: | ---: | ---: |"]
    for lane in lanes(run):
        if lane.start is not None:
            lines.append(f"| {lane.label} | (process starts) | {lane.start - run.launched:.3f} | | |")
        for span in sorted(lane.spans, key=lambda s: (s["start"], s["depth"])):
            name = "  " * span["depth"] + span["name"]
            lines.append(f"| {lane.label} | {name} | {span['start'] - run.launched:.3f} | "
                         f"{span['end'] - run.launched:.3f} | {span['end'] - span['start']:.3f} |")
    lines.append(f"| | command ends | | {run.wall:.3f} | |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--to", default="pdf", help="formats for the default command (default: pdf)")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--target", type=float, default=1.6, help="target, × plain pandoc (drawn as a line)")
    parser.add_argument("--no-baseline", action="store_true", help="do not run plain pandoc")
    parser.add_argument("--svg", type=Path, help="write the picture here")
    parser.add_argument("--json", type=Path, help="write the median run's trace here")
    parser.add_argument("--title", default=None)
    parser.add_argument("command", nargs="*", help="the command to trace (after --)")
    args = parser.parse_args()

    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}"}  # pandoc finds the venv's weasyprint
    work = Path(tempfile.mkdtemp(prefix="timeline-"))
    command = args.command or [str(BIN / "convert"), str(SEED), "--to", args.to, "--no-validate", "--force",
                               "-o", str(work / "out")]
    import pypandoc

    plain = [pypandoc.get_pandoc_path(), str(SEED), "-o", str(work / "a.pdf"), "--pdf-engine=weasyprint"]
    traced_run(command, env)  # warm-up: caches, page cache
    runs, baselines = [], []
    for _ in range(args.runs):  # alternating pairs: plain pandoc, then ours
        if not args.no_baseline:
            baselines.append(timed(plain, env, work))
        runs.append(traced_run(command, env))
    pair_ratios = [run.wall / base for run, base in zip(runs, baselines, strict=False)]
    runs.sort(key=lambda r: r.wall)
    median = runs[len(runs) // 2]
    baseline = statistics.median(baselines) if baselines else None
    print(table(median))
    walls = ", ".join(f"{r.wall:.2f}" for r in runs)
    summary = f"\nruns: {walls} s; median {median.wall:.3f} s"
    if baseline:
        summary += (f"; plain pandoc median {baseline:.3f} s; ratio of the medians {median.wall / baseline:.2f}×, "
                    f"median of the {len(pair_ratios)} pairs' ratios {statistics.median(pair_ratios):.2f}×")
    print(summary)
    title = args.title or " ".join(Path(c).name if c.startswith("/") else c for c in command[:4])
    if args.svg:
        title += f": {median.wall:.2f} s (median of {args.runs})"
        if baseline:
            title += f", {median.wall / baseline:.2f}× plain pandoc"
        args.svg.write_text(svg(median, baseline, args.target if baseline else None, title), encoding="utf-8")
        print(f"wrote {args.svg}")
    if args.json:
        args.json.write_text(json.dumps({"wall": median.wall, "launched": median.launched,
                                         "baseline": baseline, "records": median.records}), encoding="utf-8")


if __name__ == "__main__":
    main()
