"""The optional online link check, against a local HTTP server only (no network in tests)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import ClassVar

import pytest
from conftest import StatusHandler, local_http_server

from pipeline.normalize import NormalizeOptions, normalize
from pipeline.normalize.linkcheck import LinkCheckOptions, check_document, check_urls

from .helpers import make_doc


class Handler(StatusHandler):
    hits: ClassVar[dict[str, int]] = {}

    def status(self) -> int:
        Handler.hits[self.path] = Handler.hits.get(self.path, 0) + 1
        if self.path == "/flaky" and Handler.hits[self.path] == 1:
            return 503
        if self.path == "/no-head" and self.command == "HEAD":
            return 405
        return {"/ok": 200, "/flaky": 200, "/no-head": 200, "/gone": 404}.get(self.path, 500)


@pytest.fixture
def server() -> Iterator[str]:
    Handler.hits = {}
    with local_http_server(Handler) as url:
        yield url


def test_statuses_retries_and_head_fallback(server: str, tmp_path: Path) -> None:
    options = LinkCheckOptions(timeout=5, retries=2, backoff=0.01, cache_dir=tmp_path)
    urls = [f"{server}/ok", f"{server}/gone", f"{server}/flaky", f"{server}/no-head"]
    results = check_urls(urls, options)
    assert [results[u].ok for u in urls] == [True, False, True, True]
    assert results[f"{server}/gone"].status == 404
    assert Handler.hits["/flaky"] == 2  # one retry after the 503


def test_results_are_cached_on_disk(server: str, tmp_path: Path) -> None:
    options = LinkCheckOptions(backoff=0.01, cache_dir=tmp_path)
    check_urls([f"{server}/ok"], options)
    check_urls([f"{server}/ok"], options)
    assert Handler.hits["/ok"] == 1
    assert (tmp_path / "linkcheck.json").is_file()


def test_unreachable_host_is_reported_not_raised(tmp_path: Path) -> None:
    options = LinkCheckOptions(timeout=1, retries=0, cache_dir=tmp_path)
    result = check_urls(["http://127.0.0.1:9/nothing"], options)["http://127.0.0.1:9/nothing"]
    assert not result.ok and result.error


def test_document_warnings_carry_source_lines(server: str, tmp_path: Path) -> None:
    doc = make_doc(f"Intro.\n\nSee [ok]({server}/ok) and [gone]({server}/gone).\n", body_line=5)
    check_document(doc, LinkCheckOptions(backoff=0.01, cache_dir=tmp_path))
    [warning] = doc.diagnostics
    assert warning.code == "LINK006" and warning.line == 7 and "404" in warning.message


def test_off_by_default(server: str) -> None:
    doc = normalize(make_doc(f"[gone]({server}/gone)\n"), NormalizeOptions(use_config=False))
    assert Handler.hits == {} and not doc.diagnostics


def test_normalize_option(server: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PIPELINE_CACHE_DIR", str(tmp_path))
    doc = normalize(make_doc(f"[gone]({server}/gone)\n"), NormalizeOptions(use_config=False, check_links=True))
    assert [d.code for d in doc.diagnostics] == ["LINK006"]
