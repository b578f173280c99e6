"""Untrusted documents: no file leaks into outputs, no bomb or runaway job takes the batch down."""

from __future__ import annotations

import os
import subprocess
import zipfile

import pytest
from conftest import install_writer_plugin, require_tool, run_cli

CANARY = "CANARY-7f3a9c-SECRET"


@pytest.fixture()
def secret(tmp_path):
    """A file outside the document's folder that no output may contain."""
    outside = tmp_path / "private"
    outside.mkdir()
    for name in ("secret.txt", "secret.svg", "secret.css"):
        (outside / name).write_text(
            f'<svg xmlns="http://www.w3.org/2000/svg"><text>{CANARY}</text></svg>' if name.endswith(".svg")
            else f"body::before {{ content: '{CANARY}' }}" if name.endswith(".css") else CANARY,
            encoding="utf-8",
        )
    return outside


def _leaky_document(folder, secret):
    folder.mkdir()
    (folder / "link.svg").symlink_to(secret / "secret.svg")  # a symlink out of the folder
    relative = os.path.relpath(secret, folder)
    targets = [f"{relative}/secret.svg", f"file://{secret}/secret.svg", "link.svg", "/dev/urandom",
               f"{relative.replace('..', '%2e%2e')}/secret.svg", "http://169.254.169.254/latest/meta-data/"]
    lines = ["---", "title: Leaky", "---", "# Leaks", ""]
    lines += [f"![img {n}]({t})" for n, t in enumerate(targets)]
    lines += ["", f'<img src="{relative}/secret.svg">', f'<object data="file://{secret}/secret.txt"></object>',
              f'<embed src="{relative}/secret.txt">', f'<a rel="attachment" href="{relative}/secret.txt">file</a>',
              f'<link rel="stylesheet" href="{relative}/secret.css">',
              f'<style>@import url("file://{secret}/secret.css");</style>',
              f'<svg><image href="file://{secret}/secret.svg"/></svg>', ""]
    (folder / "leaky.md").write_text("\n".join(lines), encoding="utf-8")
    return folder / "leaky.md"


def _pdf_contains_canary(pdf, tmp_path) -> bool:
    """The canary as laid-out text (subset fonts hide it from a byte search) or as raw bytes (attachments)."""
    from pypdf import PdfReader

    qpdf = require_tool("qpdf")
    plain = tmp_path / f"{pdf.stem}-plain.pdf"
    subprocess.run([qpdf, "--qdf", "--object-streams=disable", str(pdf), str(plain)], check=False)
    text = "".join(page.extract_text() or "" for page in PdfReader(pdf).pages)
    return CANARY in text.replace("\n", "") or CANARY.encode() in plain.read_bytes()


def test_canary_check_detects_a_real_inclusion(tmp_path, secret):
    """Positive control: the same files, placed inside the document's folder, do reach the outputs."""
    folder = tmp_path / "doc"
    folder.mkdir()
    (folder / "inside.svg").write_text((secret / "secret.svg").read_text(encoding="utf-8"), encoding="utf-8")
    (folder / "ok.md").write_text(f"# Allowed\n\n![inside](inside.svg)\n\n{CANARY}\n", encoding="utf-8")
    out = tmp_path / "out"
    assert run_cli(str(folder / "ok.md"), "--to", "pdf,epub", "-o", str(out)).returncode == 0
    assert _pdf_contains_canary(out / "ok.pdf", tmp_path)
    with zipfile.ZipFile(out / "ok.epub") as container:
        assert any(CANARY.encode() in container.read(m) for m in container.namelist() if m.endswith(".svg"))


def test_no_file_outside_the_folder_reaches_any_output(tmp_path, secret):
    document = _leaky_document(tmp_path / "doc", secret)
    out = tmp_path / "out"
    result = run_cli(str(document), "--to", "all", "-o", str(out))
    assert result.returncode == 0, result.stderr
    assert not _pdf_contains_canary(out / "leaky.pdf", tmp_path)
    assert CANARY not in (out / "leaky.html").read_text(encoding="utf-8")
    for name in ("leaky.docx", "leaky.epub"):
        with zipfile.ZipFile(out / name) as container:
            for member in container.namelist():
                assert CANARY.encode() not in container.read(member), (name, member)
    assert "shown as its description" in result.stdout  # each blocked image is reported


def test_alias_bomb_in_front_matter_is_refused(tmp_path):
    levels = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for previous, name in zip("abcdefgh", "bcdefghi", strict=True):
        levels.append(f"{name}: &{name} [" + ",".join(f"*{previous}" for _ in range(9)) + "]")
    source = tmp_path / "bomb.md"
    source.write_text("---\n" + "\n".join(levels) + "\n---\nBody\n", encoding="utf-8")
    assert source.stat().st_size < 400
    result = run_cli(str(source), "--to", "html", "-o", str(tmp_path / "out"), timeout=60)
    assert result.returncode == 1
    assert "bomb.md:2:" in result.stderr and "alias bomb" in result.stderr
    assert not (tmp_path / "out" / "bomb.html").exists()


def test_javascript_front_matter_is_never_evaluated(tmp_path):
    marker = tmp_path / "evaluated"
    source = tmp_path / "js.md"
    source.write_text(f"---js\nrequire('fs').writeFileSync('{marker}', 'x')\n---\n# Title\n\nText\n",
                      encoding="utf-8")
    result = run_cli(str(source), "--to", "html", "-o", str(tmp_path / "out"))
    assert result.returncode == 0, result.stderr
    assert not marker.exists()


def test_decompression_bomb_image_is_not_decoded(tmp_path):
    from PIL import Image

    folder = tmp_path / "doc"
    folder.mkdir()
    Image.new("1", (10_000, 10_000)).save(folder / "huge.png", optimize=True)  # 100 Mpx in ~12 KB
    assert (folder / "huge.png").stat().st_size < 100_000
    (folder / "doc.md").write_text("# Pictures\n\n![a huge picture](huge.png)\n", encoding="utf-8")
    result = run_cli(str(folder / "doc.md"), "--to", "pdf,docx", "-o", str(tmp_path / "out"), timeout=120)
    assert result.returncode == 0, result.stderr
    assert "huge.png' has 100 million pixels" in result.stdout


HOG_WRITER = '''
class HogWriter:
    name = "hog"
    extension = ".hog"
    description = "Test writer that allocates far too much memory"

    def write(self, document, theme, options, out_path):
        hoard = [bytearray(64 * 1024 * 1024) for _ in range(64)]  # 4 GiB
        out_path.write_bytes(bytes(len(hoard)))
'''


def test_memory_limit_fails_the_job_not_the_batch(tmp_path):
    env = install_writer_plugin(tmp_path / "site", "hog", "HogWriter", HOG_WRITER)
    source = tmp_path / "doc.md"
    source.write_text("# Title\n\nText\n", encoding="utf-8")
    result = run_cli(str(source), "--to", "hog,html", "-o", str(tmp_path / "out"), "--memory-limit", "1024",
                     env=env, timeout=120)
    assert result.returncode == 1
    assert "MemoryError" in result.stderr
    assert (tmp_path / "out" / "doc.html").is_file()
    assert not (tmp_path / "out" / "doc.hog").exists()


@pytest.fixture()
def image_server(tmp_path):
    """A loopback HTTP server: /ok.png (an image), /big (too large), /away (redirects off the list)."""
    import http.server
    import threading
    from io import BytesIO

    from PIL import Image

    png = BytesIO()
    Image.new("RGB", (4, 4), "red").save(png, format="PNG")

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            if self.path == "/ok.png":
                body, kind = png.getvalue(), "image/png"
            elif self.path == "/big":
                body, kind = b"\0" * (2 * 1024 * 1024), "image/png"
            elif self.path.startswith("/away"):
                self.send_response(302)
                self.send_header("Location", "http://169.254.169.254/latest/meta-data/")
                self.end_headers()
                return
            else:
                self.send_error(404)
                return
            self.send_response(200)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def test_remote_fetch_rules(image_server):
    from pipeline.remote import RemoteRefused, fetch_remote

    loopback_ok = lambda address: address == "127.0.0.1"  # noqa: E731 - the test server lives on loopback
    content, kind = fetch_remote(f"{image_server}/ok.png", ("127.0.0.1",), 1024 * 1024, address_ok=loopback_ok)
    assert kind == "image/png" and content.startswith(b"\x89PNG")
    with pytest.raises(RemoteRefused, match="not in --allow-remote"):
        fetch_remote(f"{image_server}/ok.png", ("example.org",), 1024 * 1024, address_ok=loopback_ok)
    with pytest.raises(RemoteRefused, match="private or reserved"):
        fetch_remote(f"{image_server}/ok.png", ("127.0.0.1",), 1024 * 1024)  # the real policy: no loopback
    with pytest.raises(RemoteRefused, match="larger than 1 MB"):
        fetch_remote(f"{image_server}/big", ("127.0.0.1",), 1024 * 1024, address_ok=loopback_ok)
    with pytest.raises(RemoteRefused, match=r"169\.254\.169\.254"):
        fetch_remote(f"{image_server}/away", ("127.0.0.1",), 1024 * 1024, address_ok=loopback_ok)


def test_remote_images_are_off_by_default_and_private_hosts_stay_blocked(tmp_path, image_server):
    source = tmp_path / "remote.md"
    source.write_text(f"# Remote\n\n![pic]({image_server}/ok.png)\n\n![meta](http://169.254.169.254/x.png)\n",
                      encoding="utf-8")
    off = run_cli(str(source), "--to", "html", "-o", str(tmp_path / "a"))
    assert off.returncode == 0 and "network access is off" in off.stdout
    listed = run_cli(str(source), "--to", "html", "-o", str(tmp_path / "b"), "--allow-remote", "127.0.0.1",
                     "--allow-remote", "169.254.169.254")
    assert listed.returncode == 0
    assert listed.stdout.count("private or reserved address") == 2
    assert "data:image/png" not in (tmp_path / "b" / "remote.html").read_text(encoding="utf-8")


def test_front_matter_cannot_steer_pandoc(tmp_path, secret):
    source = tmp_path / "steer.md"
    source.write_text(
        "---\ntitle: Steering\n"
        f"header-includes: '<script>alert(1)</script>{CANARY}'\n"
        f"include-before: '{CANARY}'\ncss: {secret}/secret.css\n"
        f"epub-cover-image: {secret}/secret.svg\ncover-image: {secret}/secret.svg\n"
        "---\n# Body\n\nText.\n", encoding="utf-8")
    out = tmp_path / "out"
    assert run_cli(str(source), "--to", "epub,docx,html", "-o", str(out)).returncode == 0
    assert CANARY not in (out / "steer.html").read_text(encoding="utf-8")
    for name in ("steer.epub", "steer.docx"):
        with zipfile.ZipFile(out / name) as container:
            assert not any(CANARY.encode() in container.read(m) for m in container.namelist()), name


def test_hostile_page_css_in_raw_html_cannot_hang(tmp_path):
    source = tmp_path / "css.md"
    source.write_text("# Page\n\n<style>@page { size: 1e9px 1e9px } * { display: flex }</style>\n\n"
                      '<div style="width: 1e9px; column-count: 100000">text</div>\n', encoding="utf-8")
    result = run_cli(str(source), "--to", "pdf", "-o", str(tmp_path / "out"), timeout=120)
    assert result.returncode == 0, result.stderr
    assert "<style>" in result.stdout  # reported as removed


def test_input_size_cap_is_configurable(tmp_path):
    source = tmp_path / "big.md"
    source.write_text("# Big\n\n" + "word " * 40_000 + "\n", encoding="utf-8")  # ~200 KB
    capped = run_cli(str(source), "--to", "html", "-o", str(tmp_path / "a"), "--max-input-mb", "0.1")
    assert capped.returncode == 1
    assert "big.md: is 0.19 MB, over the 0.10 MB input limit" in capped.stderr
    assert run_cli(str(source), "--to", "html", "-o", str(tmp_path / "b")).returncode == 0


@pytest.mark.parametrize(("name", "data", "expected"), [
    ("empty.md", b"", "no text after its front matter"),
    ("front-matter-only.md", b"---\ntitle: Only front matter\n---\n", "no text after its front matter"),
    ("old-mac.md", b"Just text, no title.\r\rSecond paragraph, CR line endings.\r", None),
])
def test_degenerate_documents_convert_with_a_warning(tmp_path, name, data, expected):
    source = tmp_path / name
    source.write_bytes(data)
    result = run_cli(str(source), "--to", "all", "-o", str(tmp_path / "out"), "--no-validate")
    assert result.returncode == 0, result.stderr
    assert len(list((tmp_path / "out").glob(f"{source.stem}.*"))) >= 4
    if expected:
        assert expected in result.stdout
    else:
        html = (tmp_path / "out" / f"{source.stem}.html").read_text(encoding="utf-8")
        assert "Second paragraph, CR line endings." in html
