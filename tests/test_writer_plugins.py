"""A writer from another package, registered through the `pipeline.writers` entry point."""

from __future__ import annotations

from conftest import install_writer_plugin, run_cli

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


def test_dummy_writer_is_listed_and_converts(tmp_path):
    env = install_writer_plugin(tmp_path / "site", "dummy", "DummyWriter", DUMMY)
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
