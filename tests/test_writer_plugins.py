"""A writer from another package, registered through the `pipeline.writers` entry point."""

from __future__ import annotations

import os

from conftest import run_cli

DUMMY = '''
from pathlib import Path


class DummyWriter:
    name = "dummy"
    extension = ".dummy"
    description = "Test writer: the title and the outline"

    def write(self, document, theme, options, out_path):
        from pipeline.render import document_outline
        from pipeline.writers import WriteResult

        lines = [document.meta.title] + [h.text for h in document_outline(document)]
        Path(out_path).write_text("\\n".join(lines), encoding="utf-8")
        return WriteResult(pages=1)
'''


def _install_dummy(site) -> dict[str, str]:
    (site / "dummy_writer.py").write_text(DUMMY, encoding="utf-8")
    info = site / "dummy_writer-0.1.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: dummy-writer\nVersion: 0.1\n", encoding="utf-8")
    (info / "entry_points.txt").write_text("[pipeline.writers]\ndummy = dummy_writer:DummyWriter\n",
                                           encoding="utf-8")
    return {"PYTHONPATH": os.pathsep.join(filter(None, [str(site), os.environ.get("PYTHONPATH")]))}


def test_dummy_writer_is_listed_and_converts(tmp_path):
    site = tmp_path / "site"
    site.mkdir()
    env = _install_dummy(site)
    assert "dummy" in run_cli("--help", env=env).stdout
    source = tmp_path / "doc.md"
    source.write_text("---\ntitle: Plug-in test\n---\n# First\n\n## Second\n\nText.\n", encoding="utf-8")
    out = tmp_path / "out"
    result = run_cli(str(source), "--to", "dummy", "-o", str(out), env=env)
    assert result.returncode == 0, result.stderr
    assert (out / "doc.dummy").read_text(encoding="utf-8").splitlines() == ["Plug-in test", "First", "Second"]


def test_unregistered_format_is_refused_without_the_plugin(tmp_path):
    source = tmp_path / "doc.md"
    source.write_text("# Title\n", encoding="utf-8")
    result = run_cli(str(source), "--to", "dummy", "-o", str(tmp_path / "out"))
    assert result.returncode == 2
    assert "unknown output format 'dummy'" in result.stderr
