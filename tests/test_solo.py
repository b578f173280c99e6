"""One document, no worker pool (pipeline/batch/solo.py): the page is prepared in one process and laid
out in another, each job as isolated as in a pool."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time

import psutil
import pytest
from conftest import REPO, SEED, run_cli

DOC = "---\ntitle: Report {n}\nlang: en\n---\n# Part {n}\n\n## Article {n}\n\nText of report {n}.\n"


def _roles(trace_file):
    records = [json.loads(line) for line in trace_file.read_text(encoding="utf-8").splitlines()]
    roles = {r["role"] for r in records if r.get("kind") == "role"}
    return roles, [r["name"] for r in records if r.get("kind") == "span"]


def test_one_document_is_prepared_once_and_laid_out_without_a_pool(tmp_path):
    source = tmp_path / "one.md"
    source.write_text(DOC.format(n=1), encoding="utf-8")
    trace_file = tmp_path / "trace.jsonl"
    result = run_cli(str(source), "--to", "pdf,html", "-o", str(tmp_path / "out"), "--no-validate",
                     env={"PIPELINE_TRACE": str(trace_file)})
    assert result.returncode == 0, result.stderr
    assert {p.name for p in (tmp_path / "out").iterdir()} >= {"one.pdf", "one.html"}
    roles, spans = _roles(trace_file)
    assert {"main", "prepare", "layout"} <= roles
    assert "fork server" not in roles and "worker" not in roles
    # The stylesheet was parsed while the document was prepared, and the page reused it: once.
    assert {"expected stylesheet", "print page", "layout", "write PDF"} <= set(spans)
    assert spans.count("stylesheet") == 1

    # Two documents: the pool, as before.
    (tmp_path / "two.md").write_text(DOC.format(n=2), encoding="utf-8")
    trace_file.unlink()
    result = run_cli(str(source), str(tmp_path / "two.md"), "--to", "pdf", "-o", str(tmp_path / "out2"),
                     "--no-validate", env={"PIPELINE_TRACE": str(trace_file)})
    assert result.returncode == 0, result.stderr
    roles, _ = _roles(trace_file)
    assert {"fork server", "worker"} <= roles and "layout" not in roles


@pytest.mark.slow
@pytest.mark.parametrize("moment", ["before its page", "while laying out"])
def test_a_killed_layout_process_costs_the_pdf_at_most(tmp_path, moment):
    """Killed before it was handed the page, its PDF is laid out by a pool; killed while laying out,
    the PDF fails alone (as a pool worker's job would), the old file stays, the other format is written."""
    out = tmp_path / "out"
    out.mkdir()
    (out / f"{SEED.stem}.pdf").write_bytes(b"%PDF old good output")
    trace_file = tmp_path / "trace.jsonl"
    process = subprocess.Popen([sys.executable, "-m", "pipeline", str(SEED), "--to", "pdf,html", "-o", str(out),
                                "--no-validate", "--force"], cwd=REPO, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True,
                               env={**{k: v for k, v in os.environ.items() if k != "CI"},
                                    "PIPELINE_TRACE": str(trace_file)})
    killed = None
    deadline = time.monotonic() + 120
    while killed is None and time.monotonic() < deadline and process.poll() is None:
        handed = trace_file.is_file() and '"print page"' in trace_file.read_text(encoding="utf-8")
        if handed:
            time.sleep(0.3)  # the page is on its way; the seed's layout then takes a second or more
        if moment == "before its page" or handed:
            for child in psutil.Process(process.pid).children():
                with contextlib.suppress(psutil.Error):
                    if child.name() == "convert-layout":
                        child.send_signal(signal.SIGKILL)
                        killed = child.pid
        time.sleep(0.01)
    _stdout, stderr = process.communicate(timeout=300)
    assert killed is not None, "no layout process was seen"
    assert (out / f"{SEED.stem}.html").is_file(), "the other format is still written"
    assert [p.name for p in out.iterdir() if p.name.endswith(".tmp")] == []
    if moment == "before its page":
        assert process.returncode == 0, stderr
        assert (out / f"{SEED.stem}.pdf").read_bytes().startswith(b"%PDF-"), "a pool laid the page out"
    else:
        assert process.returncode == 1
        assert "pdf worker died (killed by SIGKILL" in stderr
        assert (out / f"{SEED.stem}.pdf").read_bytes() == b"%PDF old good output"
