"""Shared fixtures: the seed converted once per session, and helpers for external checkers."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SEED = REPO / "input" / "openinfra-annual-report-2021.md"
CORPUS = REPO.parent / "shared" / "corpus"
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")

# Article and part headings of the seed that every format must carry.
SEED_HEADINGS = [
    "Note from the Chair of the OpenInfra Foundation Board of Directors",
    "OpenInfra Project Updates",
    "Kata Containers",
    "StarlingX",
    "OpenDev",
    "OpenInfra Community & Mentoring Programs",
    "Project Teams Gathering (PTG)",
]


def require_tool(name: str) -> str:
    """Path of an external program; skip (locally) or fail (in CI, which installs it) without it."""
    path = shutil.which(name)
    if path:
        return path
    message = f"{name} is not installed (make test installs it when run as root)"
    if IN_CI:
        pytest.fail(message)
    pytest.skip(message)


def run_cli(*args: str, cwd: Path | None = None, env: dict[str, str] | None = None,
            timeout: float = 300) -> subprocess.CompletedProcess[str]:
    """Run `python -m pipeline` as a user would."""
    # CI=true turns on every validator by default; tests ask for validation explicitly instead, so
    # conversions behave the same on a laptop and in CI.
    base = {k: v for k, v in os.environ.items() if k != "CI"}
    return subprocess.run(
        [sys.executable, "-m", "pipeline", *args], capture_output=True, text=True,
        cwd=cwd or REPO, env={**base, **(env or {})}, timeout=timeout,
    )


def install_writer_plugin(site: Path, name: str, class_name: str, source: str) -> dict[str, str]:
    """Install a writer as a real plug-in: a module plus a .dist-info with a `pipeline.writers`
    entry point, in `site`. Returns the environment that puts `site` on the path of a subprocess."""
    site.mkdir(parents=True, exist_ok=True)
    module = f"{name}_writer"
    (site / f"{module}.py").write_text(source, encoding="utf-8")
    info = site / f"{module}-0.1.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}-writer\nVersion: 0.1\n", encoding="utf-8")
    (info / "entry_points.txt").write_text(f"[pipeline.writers]\n{name} = {module}:{class_name}\n", encoding="utf-8")
    return {"PYTHONPATH": os.pathsep.join(filter(None, [str(site), os.environ.get("PYTHONPATH")]))}


def outputs_in(out: Path) -> dict[str, Path]:
    """The documents' outputs in `out` by format, as the manifest lists them (not the build report,
    which is index.html unless a document's own output has that name)."""
    import json

    listed = json.loads((out / "manifest.json").read_text(encoding="utf-8"))["outputs"]
    return {p.suffix.lstrip("."): p for p in out.iterdir()
            if p.suffix in (".pdf", ".docx", ".epub", ".html") and p.name in listed}


@pytest.fixture(scope="session")
def seed_outputs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The seed converted to every format with the default theme, through the CLI."""
    out = tmp_path_factory.mktemp("seed-dist")
    result = run_cli(str(SEED), "--to", "all", "-o", str(out))
    assert result.returncode == 0, result.stderr
    outputs = outputs_in(out)
    assert set(outputs) == {"pdf", "docx", "epub", "html"}, sorted(p.name for p in out.iterdir())
    return outputs


class StatusHandler(BaseHTTPRequestHandler):
    """Answers GET and HEAD with `status()` and an empty body, and logs nothing."""

    def status(self) -> int:
        return 200

    def _answer(self) -> None:
        self.send_response(self.status())
        self.send_header("Content-Length", "0")
        self.end_headers()

    def do_GET(self) -> None:
        self._answer()

    def do_HEAD(self) -> None:
        self._answer()

    def log_message(self, *args: object) -> None:
        pass


@contextmanager
def local_http_server(handler: type[BaseHTTPRequestHandler]) -> Iterator[str]:
    """An HTTP server on 127.0.0.1 answering with `handler` (tests never use the network); yields its URL."""
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()


def corpus_files() -> list[Path]:
    if not CORPUS.is_dir():
        return []
    return sorted(p for p in CORPUS.iterdir() if p.suffix in (".md", ".markdown"))
