"""The convert command as a user runs it: help, version, formats, folders and one-line errors."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import ClassVar

import pytest
from conftest import SEED, StatusHandler, local_http_server, run_cli

from pipeline import __version__

SMALL = "---\ntitle: Small report\nsubtitle: A test\n---\n# Part one\n\n## An article\n\nSome text.\n"


def _assert_one_line_error(result, *needles: str) -> None:
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("convert: error: ")
    assert "Traceback" not in result.stderr
    for needle in needles:
        assert needle in lines[0], lines[0]


def test_help_lists_registered_writers():
    result = run_cli("--help")
    assert result.returncode == 0
    for name in ("pdf", "docx", "epub", "html"):
        assert name in result.stdout
    assert "--to" in result.stdout and "--out-dir" in result.stdout and "--theme" in result.stdout


def test_version():
    result = run_cli("--version")
    assert result.returncode == 0
    assert result.stdout.strip() == f"convert {__version__}"


def test_missing_file(tmp_path):
    out = tmp_path / "out"
    result = run_cli(str(tmp_path / "nope.md"), "--to", "pdf", "-o", str(out))
    assert result.returncode == 2
    _assert_one_line_error(result, "nope.md", "no such file")
    assert not out.exists()


@pytest.mark.parametrize("formats", ["pdfx", "pdf,odt"])
def test_unknown_format(tmp_path, formats):
    out = tmp_path / "out"
    result = run_cli(str(SEED), "--to", formats, "-o", str(out))
    assert result.returncode == 2
    _assert_one_line_error(result, "unknown output format")
    assert not out.exists()


def test_unknown_theme(tmp_path):
    out = tmp_path / "out"
    result = run_cli(str(SEED), "--to", "html", "--theme", "nosuch", "-o", str(out))
    assert result.returncode == 2
    _assert_one_line_error(result, "unknown theme 'nosuch'", "openinfra")
    assert not out.exists()


@pytest.mark.parametrize("where", ["file", "inside-file", "proc"])
def test_an_output_folder_that_cannot_be_one_is_a_usage_error(tmp_path, where):
    """`-o some-file` and `-o /proc/nope` ended in a traceback from the lock's mkdir."""
    source = tmp_path / "ok.md"
    source.write_text("# Ok\n\nText.\n", encoding="utf-8")
    blocker = tmp_path / "some-file"
    blocker.write_text("not a folder", encoding="utf-8")
    out = {"file": blocker, "inside-file": blocker / "sub", "proc": "/proc/nope"}[where]
    result = run_cli(str(source), "--to", "html", "-o", str(out))
    assert result.returncode == 2
    _assert_one_line_error(result, str(out), "output folder")
    assert blocker.read_text(encoding="utf-8") == "not a folder"


def test_unreadable_front_matter_names_file_and_line(tmp_path):
    source = tmp_path / "broken.md"
    source.write_text("---\ntitle: ok\nauthors: [one, two\n---\n# Body\n", encoding="utf-8")
    out = tmp_path / "out"
    result = run_cli(str(source), "--to", "pdf", "-o", str(out))
    assert result.returncode == 1
    _assert_one_line_error(result, "broken.md:", "front matter")
    assert not list(out.glob("broken*")), "no output for a document that failed"


def test_front_matter_that_is_not_a_mapping(tmp_path):
    source = tmp_path / "list.md"
    source.write_text("---\n- a\n- b\n---\nText\n", encoding="utf-8")
    result = run_cli(str(source), "--to", "html", "-o", str(tmp_path / "out"))
    assert result.returncode == 1
    _assert_one_line_error(result, "list.md:2", "mapping")


def test_folder_converts_every_markdown_file(tmp_path):
    folder = tmp_path / "reports"
    folder.mkdir()
    for name in ("one", "two"):
        (folder / f"{name}.md").write_text(SMALL, encoding="utf-8")
    (folder / "notes.txt").write_text("not markdown", encoding="utf-8")
    out = tmp_path / "out"
    result = run_cli(str(folder), "--to", "html,docx", "-o", str(out))
    assert result.returncode == 0, result.stderr
    outputs = sorted(p.name for p in out.iterdir() if p.suffix in (".docx", ".html") and p.name != "index.html")
    assert outputs == ["one.docx", "one.html", "two.docx", "two.html"]


def test_several_formats_and_default_theme(tmp_path):
    source = tmp_path / "small.md"
    source.write_text(SMALL, encoding="utf-8")
    out = tmp_path / "out"
    result = run_cli(str(source), "--to", "pdf,docx,epub", "--theme", "default", "-o", str(out))
    assert result.returncode == 0, result.stderr
    assert sorted(p.name for p in out.glob("small.*")) == [
        "small.changes.json", "small.changes.md", "small.docx", "small.epub", "small.pdf"]
    assert "wrote" in result.stdout


def test_python_m_pipeline_is_the_same_program():
    """The `convert` script installed beside the Python that runs the tests (`.venv/bin` under
    `make test`); a clone tested from another environment has none, and this test then skips
    (it used to fail with FileNotFoundError when `.venv/bin/convert` did not exist)."""
    import subprocess
    import sys
    from pathlib import Path

    script = Path(sys.executable).parent / "convert"
    if not script.is_file():
        pytest.skip(f"the convert script is not installed beside {sys.executable}")
    for args in (["--version"], ["--help"]):
        result = subprocess.run([str(script), *args], capture_output=True, text=True)
        assert result.returncode == 0, result.stderr
        assert result.stdout == run_cli(*args).stdout


def test_unknown_pdf_variant_is_a_usage_error(tmp_path):
    out = tmp_path / "out"
    result = run_cli(str(SEED), "--to", "pdf", "--pdf-variant", "pdf/z-9", "-o", str(out))
    assert result.returncode == 2
    _assert_one_line_error(result, "unknown PDF variant 'pdf/z-9'", "pdf/a-3b")
    assert not out.exists()


class _LinkHandler(StatusHandler):
    hits: ClassVar[list[str]] = []

    def status(self) -> int:
        _LinkHandler.hits.append(self.path)
        return 200 if self.path == "/ok" else 404


@pytest.fixture
def link_server() -> Iterator[str]:
    _LinkHandler.hits = []
    with local_http_server(_LinkHandler) as url:
        yield url


def test_check_links_is_off_by_default_and_warns_when_asked(tmp_path, link_server):
    source = tmp_path / "links.md"
    source.write_text(f"{SMALL}\nSee [ok]({link_server}/ok) and [gone]({link_server}/gone).\n", encoding="utf-8")
    env = {"PIPELINE_CACHE_DIR": str(tmp_path / "cache")}
    quiet = run_cli(str(source), "--to", "html", "-o", str(tmp_path / "out"), "--json", env=env)
    assert quiet.returncode == 0, quiet.stderr
    assert _LinkHandler.hits == [], "no network unless --check-links"
    checked = run_cli(str(source), "--to", "html", "-o", str(tmp_path / "out"), "--json", "--check-links", env=env)
    assert checked.returncode == 0, checked.stderr
    assert sorted(_LinkHandler.hits) == ["/gone", "/ok"]
    [built] = json.loads(checked.stdout)["built"]
    assert [w for w in built["warnings"] if "LINK006" in w and "/gone" in w and "404" in w]
    report = json.loads((tmp_path / "out" / "links.changes.json").read_text(encoding="utf-8"))
    assert [d["code"] for d in report["diagnostics"] if d["code"] == "LINK006"] == ["LINK006"]
