"""Pathological Markdown: every case finishes, scales linearly and loses no text, end to end.

The cases are cmark's and md4c's pathological inputs (test/pathological_tests.py in both), plus
shapes that stress our own normalizer rules. Each runs through load → normalize → pandoc AST →
HTML body → DOCX (pandoc's writer), for a few also to PDF (WeasyPrint's layout), at N/2 and at N,
and the cost at N must be at most 2.5× the cost at N/2: linear, with room for noise; quadratic would be 4×.

How it is measured, and why:
- Each case runs in its own process, forked from a fresh interpreter that has already imported
  the pipeline and loaded its dictionaries (start-up is not what we measure, and paying it ~40
  times would take minutes). A case that hangs is killed at its timeout; one that crashes its
  process fails alone.
- Cost is CPU seconds of the process and of the pandoc processes it waited for (getrusage), not
  wall time: other work on this machine stretches wall time, not CPU time.
- The cost of a tiny document (pandoc start-up, theme, per-document set-up) is subtracted from
  both sizes, so a constant cannot hide growth; each size is the median of three runs.
- Pandoc is quadratic in some shapes (its reader in links or emphasis runs per paragraph, its
  writers in deep or very many lists). We cannot change it; those cases are listed in
  PANDOC_SUPERLINEAR with the measured reason, and for them the test asserts that our own share
  (all CPU outside pandoc) is linear and the whole no worse than quadratic.
- A case over the limit is measured once more at twice its size before it fails: on a busy
  machine a linear case measured 2.56 once; at twice the size noise weighs half as much, while
  a quadratic step still shows as 4.

`python tests/test_pathological.py [--scale=K] CASE...` prints the measurements as JSON lines (all cases
when none is named).
"""

from __future__ import annotations

import gc
import json
import os
import select
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

LIMIT = 2.5  # cost(N) / cost(N/2): 2 for linear, 4 for quadratic
# CPU seconds the larger size must add over a tiny document: below that, noise makes the ratio
# meaningless, and a test that cannot see growth must not pass for one that found none.
MIN_GROWTH = 0.05
REPEATS = 3
CASE_TIMEOUT = 60.0  # seconds of wall time for one case's whole measurement
SENTINEL = "Closing sentence zqxj."  # after every case: text after the pathology must survive


@dataclass(frozen=True)
class Case:
    build: Callable[[int], str]
    n: int  # the larger size; also measured at n // 2
    # Characters whose count in the HTML text must equal their count in the Markdown (text that
    # must survive). The count comes from the case's Markdown unless `expected` says otherwise.
    keep: str = "a"
    expected: Callable[[int], dict[str, int]] | None = None
    # Also lay the document out as a PDF (WeasyPrint): for shapes whose cost is in the layout.
    pdf: bool = False
    # cost(N) / cost(N/2) allowed; LIMIT unless the case's cost lies in a library that is known to
    # grow a little faster than linearly (and the case is there to catch a quadratic step, 4).
    limit: float = LIMIT


def _many_references(n: int) -> str:
    return "".join(f"[{x}]: u\n" for x in range(1, n)) + "[0] " * n


def _nested_divs(n: int) -> str:
    return "::: {.c}\n" * n + "a\n" + ":::\n" * n


# Sizes: the larger run costs about 0.3 CPU seconds, enough to dwarf noise and cheap enough to
# run every case three times at two sizes within the file's two-minute budget.
CASES: dict[str, Case] = {
    # cmark test/pathological_tests.py
    # Past 20 levels the normalizer unwraps the emphasis, and its doubled-word rule then joins
    # the "a a a" that remain (by design), so only "b" and the text after it are counted.
    "nested strong emph": Case(lambda n: "*a **a " * n + "b" + " a** a*" * n, 2000, keep="b"),
    "many emph closers with no openers": Case(lambda n: "a_ " * n, 3300),
    "many emph openers with no closers": Case(lambda n: "_a " * n, 3300),
    "many link closers with no openers": Case(lambda n: "a]" * n, 8600),
    "many link openers with no closers": Case(lambda n: "[a" * n, 4400),
    "mismatched openers and closers": Case(lambda n: "*a_ " * n, 2500),
    "openers and closers multiple of 3": Case(lambda n: "a**b" + "c* " * n, 3000, keep="c"),
    "link openers and emph closers": Case(lambda n: "[ a_" * n, 1900),
    "pattern [ (]( repeated": Case(lambda n: "[ (](" * n, 2200, keep="("),
    "pattern ![[]() repeated": Case(lambda n: "![[]()" * n, 600, keep="!"),
    "hard link/emph case": Case(lambda n: "**x [a*b**c*](d)\n\n" * n, 240, keep="abcx"),
    "nested brackets": Case(lambda n: "[" * n + "a" + "]" * n, 5600, keep="a["),
    "nested block quotes": Case(lambda n: "> " * n + "a", 3400),
    # cmark uses 1,000 levels. The input grows with the square of the depth, so n is the size of
    # the input in characters and the depth grows by √2 when it doubles.
    "deeply nested lists": Case(lambda n: "".join("  " * x + "* a\n" for x in range(int(n**0.5))), 32000),
    "U+0000 in input": Case(lambda n: "abc\u0000de\u0000" * n, 4800),
    # The same for the total length of the backtick runs.
    "backticks": Case(lambda n: "".join("e" + "`" * x for x in range(1, int((2 * n) ** 0.5))), 22000, keep="e"),
    "unclosed links A": Case(lambda n: "[a](<b" * n, 2800, keep="ab"),
    "unclosed links B": Case(lambda n: "[a](b" * n, 2700, keep="ab"),
    "unclosed <!--": Case(lambda n: "</" + "<!--" * n, 4400, keep="!"),
    "tables": Case(lambda n: "aaa\rbbb\n-\v\n" * n, 970, keep="ab"),
    # The definitions are not text; "[0]" has none and stays text.
    "many references": Case(_many_references, 1900, keep="u0", expected=lambda n: {"u": 0, "0": n}),
    # md4c test/pathological_tests.py, where it adds to cmark's
    "many 3-emph openers with no closers": Case(lambda n: "a***" * n, 1400),
    "many links": Case(lambda n: "[t](/u) " * n, 600, keep="t"),
    "many html openers and closers": Case(lambda n: "<>" * n, 7000, keep="<"),
    "many html proc. inst. openers": Case(lambda n: "x" + "<?" * n, 7800, keep="?"),
    "many html CDATA openers": Case(lambda n: "x" + "<![CDATA[" * n, 1400, keep="CDAT"),
    "many backticks and escapes": Case(lambda n: "\\``" * n, 8000, keep="`", expected=lambda n: {"`": 2 * n}),
    "broken thematic break": Case(lambda n: "* " * n + "a", 3000),
    "nested invalid link references": Case(
        lambda n: "[" * n + "]" * n + "\n\n[a]: /b\n", 5100, keep="[", expected=lambda n: {"[": n}
    ),
    # Our normalizer's rules on long paragraphs and long documents (letters its edits leave alone)
    "hard-wrapped paragraph": Case(lambda n: "word teh with with\n" * n, 1100, keep="d"),
    "many bare domains": Case(lambda n: " ".join(f"see example.org/p{i}" for i in range(n)), 500, keep="xp"),
    "many bare domains, one per line": Case(
        lambda n: "\n".join(f"see example.org/p{i}" for i in range(n)), 500, keep="xp"
    ),
    "many misspellings and ranges": Case(lambda n: "teh sucessful Github whoe 2-4 , with with " * n, 490, keep="Gf"),
    "many quotes": Case(lambda n: "He said \"hi\" and 'bye'. " * n, 660, keep="hb"),
    "many footnotes": Case(
        lambda n: "".join(f"x[^{i}] " for i in range(n)) + "\n\n" + "".join(f"[^{i}]: note {i}\n" for i in range(n)),
        300,
        keep="n",
    ),
    "many consecutive lists": Case(lambda n: "- a\n\n* a\n\n" * n, 700),
    "many pseudo-headings and bylines": Case(
        lambda n: "**Bold title**\n\ntext\n\n## Heading\n\nJane Doe, Engineer\n\n" * n, 120, keep="BHJ"
    ),
    "nested fenced divs": Case(_nested_divs, 700),
    "nested emphasis with hard breaks": Case(lambda n: "*a **a\\\n" * n + "b" + " a** a*" * n, 660, keep="b"),
    "many broken links, one per paragraph": Case(
        lambda n: "\n\n".join(f"[t](/u{i})" for i in range(n)), 3200, keep="t"
    ),
    "long line": Case(lambda n: "lorem ipsum " * n, 2400, keep="l"),
    "long word": Case(lambda n: "a" * n, 200000),
    # WeasyPrint fits each line by laying out what follows it; in a run with no break opportunity
    # that was everything left, for every line (pipeline/pdf/long_runs.py): 16,000 characters of
    # backticks took 6 s, 64,000 about 100 s.
    # Sized so that the growth (0.3-0.6 s) dwarfs the noise of the PDF's fixed cost: at 16,000 the
    # growth was 0.04-0.13 s and one slow run read as a ratio of 3. WeasyPrint's layout of one
    # unbroken run grows a little faster than linearly even with our breaks: 2.1-2.5 per doubling
    # from 16,000 to 64,000 characters, alone on an idle machine; the bug these guard against was
    # 4 and more (16,000: 6 s; 64,000: 100 s).
    "backticks in print": Case(lambda n: "".join("e" + "`" * x for x in range(1, int((2 * n) ** 0.5))), 32000,
                               keep="e", pdf=True, limit=3.0),
    "long word in print": Case(lambda n: "a" * n, 32000, pdf=True, limit=3.0),
}

# Superlinear inside pandoc (3.9), measured with the pandoc binary alone on the normalized text.
# We cannot change pandoc; for these the test asserts that our own share (all CPU outside pandoc)
# is linear and that the whole is no worse than quadratic.
PANDOC_SUPERLINEAR = {
    "pattern ![[]() repeated": "reader: quadratic in the links of one paragraph (these have empty text)",
    "many links": "reader: quadratic in the links of one paragraph (2,000: 2.5 s; 4,000: 10 s)",
    "many 3-emph openers with no closers": "reader: quadratic in `***` runs of one paragraph (20,000: 11 s)",
    "many bare domains": "reader: the normalizer makes each domain a link, quadratic per paragraph",
    "many bare domains, one per line": "reader: the same links, one per line of one paragraph",
    "broken thematic break": "HTML and DOCX writers: quadratic in list depth (4,000 levels: 5 s)",
    "many consecutive lists": "DOCX writer: quadratic in the number of lists (4,000: 2.4 s)",
    "nested fenced divs": "reader: quadratic in the depth of fenced divs (1,000 levels: 1 s)",
}
QUADRATIC = 5.0  # 4 for quadratic, with room for noise: a cubic blow-up still fails

# -- the measuring side (runs in the forked child) -------------------------------------------------


def _cpu() -> tuple[float, float]:
    """(CPU seconds of this process, of the children it waited for: pandoc)."""
    import resource

    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.process_time(), children.ru_utime + children.ru_stime


class _Pipeline:
    """load → normalize → pandoc AST → HTML body → DOCX for one Markdown text, timed by stage."""

    def __init__(self, folder: Path) -> None:
        import pipeline.writers.htmlpage as htmlpage
        from pipeline.theme import load_theme

        self.folder = folder
        self.theme = load_theme("openinfra")
        # nh3 (html5ever) is third-party too, and quadratic in element depth (10,000 nested block
        # quotes: 0.2 s; 40,000: 4.9 s): its CPU is counted apart from ours.
        self.sanitizer = 0.0
        clean_html = htmlpage.clean_html

        def timed_clean_html(fragment: str) -> str:
            started = time.process_time()
            try:
                return clean_html(fragment)
            finally:
                self.sanitizer += time.process_time() - started

        htmlpage.clean_html = timed_clean_html  # this process only: it measures one case and exits

    def run(self, body: str, pdf: bool = False) -> dict[str, Any]:
        from pipeline.convert import prepare
        from pipeline.deepstack import run_with_deep_stack
        from pipeline.render import embedded_ast, run_pandoc, with_metadata
        from pipeline.writers.htmlpage import body_html

        path = self.folder / "case.md"
        path.write_text(f"---\ntitle: Pathological\n---\n\n{body}\n\n{SENTINEL}\n", encoding="utf-8")
        marks: list[tuple[str, tuple[float, float]]] = []

        def stages() -> tuple[Any, str]:
            marks.append(("start", _cpu()))
            document = prepare(path, self.theme)
            marks.append(("normalize", _cpu()))
            embedded_ast(document)
            marks.append(("ast", _cpu()))
            html = body_html(document)
            marks.append(("html", _cpu()))
            run_pandoc(with_metadata(embedded_ast(document), document), "docx", fmt="json",
                       outputfile=self.folder / "case.docx", document=document)
            marks.append(("docx", _cpu()))
            if pdf:
                from pipeline.writers import WriteOptions
                from pipeline.writers.pdf import PdfWriter

                PdfWriter().write(document, self.theme, WriteOptions(validate=False), self.folder / "case.pdf")
                marks.append(("pdf", _cpu()))
            return document, html

        # Without the garbage collector: whether a full collection lands in a run (30 ms with the
        # nested trees alive) is as large as a case's own growth, and made the ratio 2.0 or 2.75 for
        # the same code. What is measured is the work of our code; the collector's is Python's.
        gc.collect()
        gc.disable()
        wall = time.perf_counter()
        self.sanitizer = 0.0
        try:
            document, html = run_with_deep_stack(stages)
        finally:
            wall = time.perf_counter() - wall
            gc.enable()
        cpu = {name: marks[k][1][0] - marks[k - 1][1][0] for k, (name, _) in enumerate(marks) if k}
        pandoc = {name: marks[k][1][1] - marks[k - 1][1][1] for k, (name, _) in enumerate(marks) if k}
        return {
            "own": sum(cpu.values()) - self.sanitizer,
            "pandoc": sum(pandoc.values()),
            "sanitizer": self.sanitizer,
            "stages": {name: round(cpu[name] + pandoc[name], 4) for name in cpu},
            "wall": wall,
            "html": html,
            "codes": sorted({d.code for d in document.diagnostics}),
        }


def _visible_text(html: str) -> str:
    from html.parser import HTMLParser

    parts: list[str] = []

    class Text(HTMLParser):
        def handle_data(self, data: str) -> None:
            parts.append(data)

    parser = Text(convert_charrefs=True)
    parser.feed(html)
    parser.close()
    return "".join(parts)


def measure(name: str, pipeline: _Pipeline, scale: int = 1) -> dict[str, Any]:
    case = CASES[name]
    half, full = case.n * scale // 2, case.n * scale

    source = case.build(full)
    bodies = {"base": "Tiny.", "small": case.build(half), "large": source}
    runs: dict[str, list[dict[str, Any]]] = {key: [] for key in bodies}
    # Round-robin, so that a slow spell of the machine falls on all three sizes alike rather than on
    # one of them; and the fastest of each: noise (the other case measured beside this one, the rest
    # of a CI machine) only ever adds time, and a median of three still moved a 0.1 s share by 30 %.
    # A PDF case gets more rounds: its fixed cost (fonts, page set-up) is large beside its growth.
    for _round in range(REPEATS + (2 if case.pdf else 0)):
        for key, body in bodies.items():
            runs[key].append(pipeline.run(body, case.pdf))
    base, small, large = ({key: min(r[key] for r in runs[size]) for key in ("own", "pandoc", "sanitizer", "wall")}
                          for size in bodies)
    last = runs["large"][-1]

    def ratio(key: str) -> float:
        grow = large[key] - base[key]
        return grow / max(small[key] - base[key], 1e-3)

    def total(cost: dict[str, float]) -> float:
        return cost["own"] + cost["pandoc"] + cost["sanitizer"]

    text = _visible_text(last["html"])
    expected = case.expected(full) if case.expected else {c: source.count(c) for c in case.keep}
    expected = {c: count + SENTINEL.count(c) for c, count in expected.items()}
    return {
        "case": name,
        "n": [half, full],
        "cpu": [round(total(base), 3), round(total(small), 3), round(total(large), 3)],
        "cpu_own": [round(base["own"], 3), round(small["own"], 3), round(large["own"], 3)],
        "wall": [round(base["wall"], 3), round(small["wall"], 3), round(large["wall"], 3)],
        "ratio": round((total(large) - total(base)) / max(total(small) - total(base), 1e-3), 2),
        "ratio_own": round(ratio("own"), 2),
        "ratio_pandoc": round(ratio("pandoc"), 2),
        "ratio_sanitizer": round(ratio("sanitizer"), 2),
        "stages": last["stages"],
        "sentinel": SENTINEL in text,
        "counts": {c: [expected[c], text.count(c)] for c in expected},
        "codes": last["codes"],
    }


def serve(names: list[str], scale: int = 1) -> None:
    """Warm up once, then fork one process per case (two at a time); print one JSON line each."""
    with tempfile.TemporaryDirectory(prefix="pathological-") as tmp:
        warm = _Pipeline(Path(tmp))
        warm.run("Warm *up* with teh [link](https://example.org) and 2-4 \"quotes\".")
        gc.collect()
        pending = list(names)
        running: dict[int, tuple[str, int, float]] = {}  # pid → (case, read end, started)
        while pending or running:
            while pending and len(running) < 2:
                name = pending.pop(0)
                read_end, write_end = os.pipe()
                pid = os.fork()
                if pid == 0:  # the case's own process
                    os.close(read_end)
                    try:
                        folder = Path(tmp) / str(os.getpid())
                        folder.mkdir()
                        result = measure(name, _Pipeline(folder), scale)
                    except BaseException as exc:
                        result = {"case": name, "error": f"{type(exc).__name__}: {exc}"[:2000]}
                    os.write(write_end, json.dumps(result).encode())
                    os._exit(0)
                os.close(write_end)
                running[pid] = (name, read_end, time.monotonic())
            _reap(running)


def _reap(running: dict[int, tuple[str, int, float]]) -> None:
    ready, _, _ = select.select([fd for _, fd, _ in running.values()], [], [], 0.5)
    for pid, (name, fd, started) in list(running.items()):
        if fd in ready:
            chunks = []
            while chunk := os.read(fd, 1 << 16):
                chunks.append(chunk)
            os.close(fd)
            os.waitpid(pid, 0)
            del running[pid]
            output = b"".join(chunks).decode()
            print(output or json.dumps({"case": name, "error": "the case's process died"}), flush=True)
        elif time.monotonic() - started > CASE_TIMEOUT:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
            os.close(fd)
            del running[pid]
            print(json.dumps({"case": name, "error": f"timed out after {CASE_TIMEOUT:.0f} s"}), flush=True)


# -- the test side ---------------------------------------------------------------------------------


def _measured(names: list[str], scale: int = 1) -> dict[str, dict[str, Any]]:
    completed = subprocess.run(
        [sys.executable, __file__, f"--scale={scale}", *names], capture_output=True, text=True, timeout=600,
        cwd=Path(__file__).resolve().parent.parent,
        env={**os.environ, "GHCRTS": "-M2g"},  # pandoc's heap limit: a blow-up fails instead of swapping
    )
    found = {}
    for line in completed.stdout.splitlines():
        if line.startswith("{"):
            result = json.loads(line)
            found[result["case"]] = result
    assert found, f"no measurements (exit {completed.returncode}): {completed.stderr[-2000:]}"
    return found


def _scaling_problem(name: str, result: dict[str, Any]) -> str | None:
    """Why `result` does not show linear growth (None when it does)."""
    if name in PANDOC_SUPERLINEAR:
        base, _, large = result["cpu_own"]
        if large - base < MIN_GROWTH:
            return "too small to measure our share; raise its size"
        if result["ratio_own"] > LIMIT:
            return "our share is superlinear"
        if result["ratio"] > QUADRATIC:
            return "worse than pandoc's known quadratic step"
        return None
    base, _, large = result["cpu"]
    if large - base < MIN_GROWTH:
        return "too small to measure; raise its size"
    return "superlinear" if result["ratio"] > CASES[name].limit else None


@pytest.fixture(scope="module")
def results() -> dict[str, dict[str, Any]]:
    found = _measured(list(CASES))
    # A busy machine can push one small measurement past the limit (2.56 seen for a linear case,
    # in CI). A case over it is measured twice more at twice the size, where the same noise weighs
    # half as much and a real superlinear step shows more clearly: 2 stays 2, 4 stays 4. It must
    # pass the better of those two (on a shared machine one can be hit too: a linear case read 2.83
    # and then 2.79 in CI, its pandoc step alone 2.68, and 1.8 in three runs on the idle machine);
    # all are shown.
    suspects = [name for name, result in found.items() if "error" not in result and _scaling_problem(name, result)]
    if suspects:
        rounds = [_measured(suspects, scale=2) for _ in range(2)]
        for name in suspects:
            measured = [round_[name] for round_ in rounds if name in round_]
            if not measured:
                continue
            again = min(measured, key=lambda result, name=name: (
                "error" in result, "error" not in result and _scaling_problem(name, result) is not None,
                result.get("ratio", 0)))
            again["first"] = {k: found[name][k] for k in ("n", "cpu", "ratio", "ratio_own")}
            again["other"] = [{k: other.get(k) for k in ("cpu", "ratio")} for other in measured if other is not again]
            found[name] = again
    return found


@pytest.mark.slow
@pytest.mark.parametrize("name", list(CASES))
def test_case_finishes_keeps_its_text_and_scales_linearly(name: str, results: dict[str, dict[str, Any]]) -> None:
    result = results.get(name)
    assert result is not None, f"{name}: no result (the measuring process died before it)"
    assert "error" not in result, f"{name}: {result['error']}"
    summary = json.dumps({k: v for k, v in result.items() if k != "case"})
    assert result["sentinel"], f"{name}: the text after the pathological part was lost: {summary}"
    for char, (expected, found) in result["counts"].items():
        assert found == expected, f"{name}: {expected} × {char!r} in the Markdown, {found} in the HTML: {summary}"
    problem = _scaling_problem(name, result)
    assert problem is None, f"{name}: {problem}: {summary}"


# -- deeper than the parser goes, very long lines and words ---------------------------------------


def _normalized(body: str) -> Any:
    from pipeline.document import Document, Metadata
    from pipeline.normalize import NormalizeOptions, normalize

    document = Document(source=Path("/nonexistent/deep.md"), meta=Metadata(title="Deep"), body=body, body_line=1)
    return normalize(document, NormalizeOptions(use_config=False))


def test_blocks_nested_past_the_parsers_limit_are_kept_and_reported() -> None:
    deep = "> " * 30 + "deep text\n\n" + "".join("  " * x + f"* item{x}\n" for x in range(30))
    doc = _normalized(deep + "\nAfter teh lists.\n")
    assert "deep text" in doc.body
    assert all(f"item{x}" in doc.body for x in range(30))
    warnings = [d for d in doc.diagnostics if d.code == "NORM001"]
    assert warnings and "nested deeper than 20 levels" in warnings[0].message
    assert warnings[0].line == 1
    assert _normalized(doc.body).body == doc.body  # idempotent


def test_text_after_a_deep_block_is_still_normalized() -> None:
    doc = _normalized("> " * 25 + "quoted\n\nA sentence with teh typo.\n")
    assert "A sentence with the typo." in doc.body
    assert "> " * 25 + "quoted" in doc.body


def test_many_adjacent_lists_are_kept_as_written() -> None:
    lists = "- a\n\n* b\n\n" * 60
    doc = _normalized("Intro teh.\n\n" + lists + "Outro teh.\n")
    assert lists.strip() in doc.body
    assert doc.body.startswith("Intro the.") and "Outro the." in doc.body
    assert any(d.code == "NORM001" and "lists in a row" in d.message for d in doc.diagnostics)


def test_a_one_megabyte_line_and_a_100k_word_go_through(tmp_path: Path) -> None:
    from pipeline.convert import prepare
    from pipeline.deepstack import run_with_deep_stack
    from pipeline.theme import load_theme
    from pipeline.writers.htmlpage import body_html

    line = "word teh " * (1024 * 1024 // 9)
    word = "x" * 100_000
    path = tmp_path / "long.md"
    path.write_text(f"---\ntitle: Long\n---\n\n{line}\n\n{word}\n", encoding="utf-8")
    started = time.monotonic()
    html = run_with_deep_stack(lambda: body_html(prepare(path, load_theme("openinfra"))))
    text = _visible_text(html)
    assert text.count("word") == line.count("word")
    assert word in text
    assert time.monotonic() - started < 120


if __name__ == "__main__":
    arguments = sys.argv[1:]
    scale = 1
    if arguments and arguments[0].startswith("--scale="):
        scale = int(arguments.pop(0).removeprefix("--scale="))
    serve(arguments or list(CASES), scale)
