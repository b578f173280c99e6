"""What a batch prints, run as a user runs it: plain lines off a terminal, --quiet, --json, and the
live display with its summary table on a terminal (a pseudo-terminal here)."""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import pty
import re
import select
import struct
import subprocess
import sys
import termios
import time
from pathlib import Path

from conftest import REPO, run_cli

GOOD = "---\ntitle: {title}\n---\n\n# {title}\n\nSome text.\n"
BROKEN = "---\ntitle: [unclosed\n---\n\n# Broken\n\nText.\n"
NOT_A_MAPPING = "---\n- a\n- b\n---\n\n# A list\n"
YAML_ERROR = "in/bad.md:2: front matter is not valid YAML"
# This tree's package, whatever the working folder (the tests run from the input's parent).
ENV = {"PYTHONPATH": os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")]))}
ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


def _inputs(root: Path, *, broken: bool = True) -> Path:
    """in/alpha.md, in/sub/beta.md and (unless told otherwise) in/bad.md with broken front matter."""
    folder = root / "in"
    (folder / "sub").mkdir(parents=True)
    (folder / "alpha.md").write_text(GOOD.format(title="Alpha"), encoding="utf-8")
    (folder / "sub" / "beta.md").write_text(GOOD.format(title="Beta"), encoding="utf-8")
    if broken:
        (folder / "bad.md").write_text(BROKEN, encoding="utf-8")
    return folder


def _convert(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return run_cli("in", "-o", "out", "-j", "2", *args, cwd=root, env=ENV)


def _manifest(root: Path) -> dict[str, dict]:
    return json.loads((root / "out" / "manifest.json").read_text(encoding="utf-8"))["outputs"]


def _lines(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.strip()]


def test_plain_output_off_a_terminal_is_one_line_per_job_and_a_summary(tmp_path):
    _inputs(tmp_path)
    result = _convert(tmp_path, "--to", "html")
    assert result.returncode == 1, result.stderr
    *jobs, summary = _lines(result.stdout)
    assert sorted(re.sub(r" \(.*\)$", "", line) for line in jobs) == [
        "wrote out/alpha.html", "wrote out/sub/beta.html"], result.stdout
    assert re.fullmatch(r"done in \d+\.\d s: 2 built, 0 up to date, 1 failed \(1 document\)", summary), summary
    assert "\x1b" not in result.stdout and "━" not in result.stdout  # no colours, no bar, no table in a log
    [error] = _lines(result.stderr)
    assert error.startswith(f"convert: error: {YAML_ERROR}") and error.endswith("(html not built)"), error
    assert (tmp_path / "out" / "alpha.html").is_file() and (tmp_path / "out" / "sub" / "beta.html").is_file()

    again = _convert(tmp_path, "--to", "html")  # only the broken document is left to build
    assert _lines(again.stdout)[0] == "2 output(s) up to date, 1 to build", again.stdout
    assert _lines(again.stdout)[-1].endswith("0 built, 2 up to date, 1 failed (1 document)"), again.stdout


def test_quiet_prints_nothing_for_a_clean_run_and_only_the_errors_otherwise(tmp_path):
    folder = _inputs(tmp_path, broken=False)
    clean = _convert(tmp_path, "--to", "html", "--quiet")
    assert clean.returncode == 0, clean.stderr
    assert (clean.stdout, clean.stderr) == ("", "")
    assert (tmp_path / "out" / "alpha.html").is_file() and (tmp_path / "out" / "sub" / "beta.html").is_file()

    (folder / "bad.md").write_text(BROKEN, encoding="utf-8")
    failing = _convert(tmp_path, "--to", "html", "-q")
    assert failing.returncode == 1
    assert failing.stdout == ""
    [error] = _lines(failing.stderr)
    assert error.startswith(f"convert: error: {YAML_ERROR}") and error.endswith("(html not built)"), error


def test_json_is_one_document_with_every_output_and_its_status(tmp_path):
    _inputs(tmp_path)
    result = _convert(tmp_path, "--to", "html", "--json")
    assert result.returncode == 1
    data = json.loads(result.stdout)  # the whole of stdout: anything else there would break this
    assert sorted(data) == ["built", "failed", "seconds", "up_to_date"]
    assert sorted((b["source"], b["status"]) for b in data["built"]) == [
        ("in/alpha.md", "ok"), ("in/sub/beta.md", "ok")]
    for built in data["built"]:
        written = (tmp_path / built["output"]).read_bytes()
        assert built["sha256"] == hashlib.sha256(written).hexdigest() and built["size"] == len(written)
    [failed] = data["failed"]
    assert (failed["source"], failed["format"], failed["status"]) == ("in/bad.md", "html", "failed")
    assert failed["error"].startswith(YAML_ERROR) and "traceback" not in failed
    assert data["up_to_date"] == []

    again = _convert(tmp_path, "--to", "html", "--json")
    data = json.loads(again.stdout)
    assert data["built"] == [] and [f["source"] for f in data["failed"]] == ["in/bad.md"]
    assert sorted(u["output"] for u in data["up_to_date"]) == ["out/alpha.html", "out/sub/beta.html"]


def test_a_broken_document_is_reported_once_with_every_format_it_stopped(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "bad.md").write_text(BROKEN, encoding="utf-8")
    (folder / "list.md").write_text(NOT_A_MAPPING, encoding="utf-8")
    for quiet in ((), ("--quiet",)):
        result = _convert(tmp_path, "--to", "all", "--force", *quiet)
        assert result.returncode == 1
        assert sorted(_lines(result.stderr)) == [
            f"convert: error: {YAML_ERROR}: expected ',' or ']', but got '<stream end>' "
            "(pdf, docx, epub, html not built)",
            "convert: error: in/list.md:2: front matter must be a mapping of keys to values, not list "
            "(pdf, docx, epub, html not built)",
        ], result.stderr
        if quiet:
            assert result.stdout == ""
        else:
            [summary] = _lines(result.stdout)
            assert summary.endswith(": 0 built, 0 up to date, 8 failed (2 documents)"), summary
        # The manifest still has each failed output, with its own error.
        manifest = _manifest(tmp_path)
        assert sorted(manifest) == sorted(f"{name}.{ext}" for name in ("bad", "list")
                                          for ext in ("pdf", "docx", "epub", "html"))
        assert {entry["status"] for entry in manifest.values()} == {"failed"}
        for key, entry in manifest.items():
            assert entry["error"].startswith(f"in/{Path(key).stem}.md:2: front matter"), entry


def _in_terminal(args: list[str], cwd: Path, columns: int) -> tuple[str, str, int]:
    """Run the CLI with stdout on a pseudo-terminal `columns` wide (stderr on a pipe): what it drew,
    without colour codes, what it wrote to stderr, and its exit code."""
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 40, columns, 0, 0))
    drop = ("CI", "COLUMNS", "LINES", "NO_COLOR", "FORCE_COLOR", "TERM", "TTY_COMPATIBLE", "TTY_INTERACTIVE")
    env = {**{k: v for k, v in os.environ.items() if k not in drop}, **ENV, "TERM": "xterm-256color"}
    process = subprocess.Popen([sys.executable, "-m", "pipeline", *args], cwd=cwd, env=env, stdin=slave,
                               stdout=slave, stderr=subprocess.PIPE)
    os.close(slave)
    drawn = bytearray()
    deadline = time.monotonic() + 300
    try:
        while time.monotonic() < deadline:
            ready, _, _ = select.select([master], [], [], 0.2)
            if ready:
                try:
                    chunk = os.read(master, 65536)
                except OSError:  # EIO: the child closed the terminal
                    break
                if not chunk:
                    break
                drawn += chunk
            elif process.poll() is not None:
                break
        stderr = process.communicate(timeout=max(1.0, deadline - time.monotonic()))[1]
    finally:
        process.kill()
        os.close(master)
    return ANSI.sub("", drawn.decode("utf-8", "replace")), stderr.decode("utf-8", "replace"), process.returncode


def _table(screen: str) -> list[list[str]]:
    """The summary table's rows (document, format, status, pages, time, warnings); a document
    folded over several lines is joined back."""
    rows: list[list[str]] = []
    for line in screen.splitlines():
        line = line.rsplit("\r", 1)[-1]
        if not line.startswith("│"):
            continue
        cells = [cell.strip() for cell in line.strip().strip("│").split("│")]
        if cells[1]:
            rows.append(cells)
        else:  # the rest of a folded document path
            rows[-1][0] += cells[0]
    return rows


def test_terminal_shows_progress_then_a_table_of_every_job(tmp_path):
    folder = _inputs(tmp_path)
    # Absolute paths in a narrow terminal: the table must fold them, not cut them to "…".
    args = [str(folder), "--to", "pdf,html", "--no-validate", "-o", "out", "-j", "2"]
    screen, stderr, code = _in_terminal(args, tmp_path, columns=72)
    assert code == 1, stderr
    assert "Traceback" not in screen + stderr
    assert "all jobs" in screen and "━" in screen, screen[-2000:]  # the live display ran, not plain lines
    assert "done in" not in screen
    assert re.search(r"6 job\(s\) in \d+\.\d s", screen)
    assert "┃ document" in screen and re.search(r"format\s+┃\s+status\s+┃\s+pages\s+┃\s+time\s+┃\s+warnings", screen)
    manifest = _manifest(tmp_path)
    expected = []
    for name in ("alpha.md", "bad.md", "sub/beta.md"):
        for fmt in ("pdf", "html"):
            entry = manifest[f"{Path(name).with_suffix('.' + fmt)}"]
            expected.append([str(folder / name), fmt, entry["status"], str(entry["pages"] or "")])
    assert [row[:4] for row in _table(screen)] == expected
    assert [row[2] for row in expected] == ["ok", "ok", "failed", "failed", "ok", "ok"]
    assert expected[0][3] and int(expected[0][3]) >= 1  # the PDF's pages, from the manifest, in the table
    [error] = _lines(stderr)  # once for the document, not once per format
    assert error.startswith(f"convert: error: {folder}/bad.md:2: front matter is not valid YAML"), error
    assert error.endswith("(pdf, html not built)"), error

    (folder / "bad.md").unlink()
    (folder / "alpha.md").write_text(GOOD.format(title="Alpha again"), encoding="utf-8")
    screen, stderr, code = _in_terminal(args, tmp_path, columns=72)
    assert code == 0, stderr
    rows = _table(screen)
    assert [row[:3] for row in rows] == [
        [str(folder / "alpha.md"), "pdf", "ok"], [str(folder / "alpha.md"), "html", "ok"],
        [str(folder / "sub" / "beta.md"), "pdf", "up to date"], [str(folder / "sub" / "beta.md"), "html", "up to date"],
    ]

    screen, stderr, code = _in_terminal(args, tmp_path, columns=72)
    assert code == 0, stderr
    assert "nothing to do: 4 output(s) up to date" in screen and _table(screen) == []


def test_a_broken_document_is_told_when_its_last_job_ends_not_at_the_end_of_the_run(tmp_path):
    """In a log, a broken document shows as soon as all its formats are done (one worker, so the
    order is the plan's: bad.md's jobs come before the good documents')."""
    _inputs(tmp_path)
    result = subprocess.run([sys.executable, "-m", "pipeline", "in", "-o", "out", "-j", "1", "--to", "html,epub"],
                            cwd=tmp_path, env={**os.environ, **ENV}, capture_output=False, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=300)
    assert result.returncode == 1, result.stdout
    lines = _lines(result.stdout)
    [error] = [i for i, line in enumerate(lines) if line.startswith("convert: error:")]
    assert lines[error].endswith("(html, epub not built)"), lines[error]
    built = [i for i, line in enumerate(lines) if line.startswith("wrote ")]
    assert len(built) == 4 and error < max(built), lines  # told before the batch went on
    assert lines[-1].endswith(": 4 built, 0 up to date, 2 failed (1 document)"), lines
