"""Every public corpus document converts to every format: no crash, no hang, readable outputs."""

from __future__ import annotations

import zipfile

import docx
import pytest
from conftest import CORPUS, corpus_files, run_cli
from pypdf import PdfReader

FILES = corpus_files()
pytestmark = pytest.mark.corpus


@pytest.mark.skipif(not FILES, reason=f"public corpus not found at {CORPUS}")
@pytest.mark.parametrize("source", FILES, ids=[p.stem for p in FILES])
def test_converts_to_every_format(source, tmp_path):
    result = run_cli(str(source), "--to", "all", "-o", str(tmp_path), timeout=240)
    assert "Traceback" not in result.stderr, result.stderr
    assert result.returncode == 0, result.stderr
    stem = source.stem
    assert len(PdfReader(tmp_path / f"{stem}.pdf").pages) >= 1
    docx.Document(str(tmp_path / f"{stem}.docx"))
    with zipfile.ZipFile(tmp_path / f"{stem}.epub") as epub:
        assert epub.namelist()[0] == "mimetype"
        assert epub.testzip() is None
    html = (tmp_path / f"{stem}.html").read_text(encoding="utf-8")
    assert "<script" not in html.lower()
    for line in result.stdout.splitlines():
        if ": warning: " in line:  # warnings name the file (and line) and carry a code
            assert line.startswith(str(source)) and line.rstrip().endswith("]"), line
