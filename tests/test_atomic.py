"""Outputs are written atomically: a failing writer never leaves a partial file or eats the old one."""

from __future__ import annotations

import pytest

from pipeline.atomic import write_atomically
from pipeline.errors import PipelineError


def test_success_replaces_the_file(tmp_path):
    target = tmp_path / "out" / "report.pdf"
    write_atomically(target, lambda tmp: tmp.write_bytes(b"new"))
    assert target.read_bytes() == b"new"
    assert [p.name for p in target.parent.iterdir()] == ["report.pdf"]


def test_failure_keeps_the_previous_output_and_no_temp_file(tmp_path):
    target = tmp_path / "report.pdf"
    target.write_bytes(b"old good output")

    def crash(tmp):
        tmp.write_bytes(b"half")
        raise RuntimeError("writer crashed midway")

    with pytest.raises(RuntimeError):
        write_atomically(target, crash)
    assert target.read_bytes() == b"old good output"
    assert [p.name for p in tmp_path.iterdir()] == ["report.pdf"]


def test_empty_output_is_an_error(tmp_path):
    target = tmp_path / "report.pdf"
    with pytest.raises(PipelineError, match="no output"):
        write_atomically(target, lambda tmp: None)
    assert not target.exists()
    assert list(tmp_path.iterdir()) == []
