"""Headless Chromium for tests that look at a page as a person's browser shows it.

Debian's `chromium` (scripts/system-deps test). Each call gets a fresh profile and the flags that
keep Chromium off the network (it otherwise phones home at start-up and, with no network here,
waits on it); pages are opened from file: URLs.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
from pathlib import Path

from conftest import require_tool

FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--hide-scrollbars", "--disable-extensions", "--mute-audio"]

# What the check script writes onto the page once every image has been decoded (or failed to).
_CHECK_SCRIPT = """<script>
window.addEventListener("load", () => {
  // After the load event every image has loaded or failed: a synchronous look needs no promise that
  // Chromium's virtual time might not wait for on a busy machine.
  Array.from(document.images).forEach(img => img.setAttribute(
    "data-test-loaded", img.complete && img.naturalWidth > 0 ? "yes" : "no"));
  const here = location.href.split("#")[0];
  document.querySelectorAll("a[href]").forEach(a => {
    a.setAttribute("data-test-url", a.href);
    a.setAttribute("data-test-same-page", a.href.split("#")[0] === here ? "yes" : "no");
  });
  const root = document.documentElement;
  root.setAttribute("data-test-overflow", String(root.scrollWidth - window.innerWidth));
  root.setAttribute("data-test-checked", "yes");
});
</script>"""


def chromium() -> str:
    return shutil.which("chromium") or require_tool("chromium")


def _run(args: list[str], timeout: float = 90) -> subprocess.CompletedProcess[str]:
    with tempfile.TemporaryDirectory(prefix="chromium-profile-") as profile:
        return subprocess.run([chromium(), *FLAGS, f"--user-data-dir={profile}", *args], capture_output=True,
                              text=True, timeout=timeout, check=False)


def screenshot(page: Path, target: Path, width: int, height: int) -> Path:
    """A PNG of `page` as a `width` × `height` CSS-pixel window shows it."""
    target.parent.mkdir(parents=True, exist_ok=True)
    result = _run([f"--window-size={width},{height}", f"--screenshot={target}", page.resolve().as_uri()])
    assert target.is_file(), result.stderr[-2000:]
    return target


def checked_dom(page: Path, width: int = 1280, height: int = 900) -> str:
    """The page's DOM after load, as Chromium built it, with what the browser found recorded on it:
    `data-test-loaded` on each image (decoded with a size, or not); on each link `data-test-url`
    (its href resolved by the browser) and `data-test-same-page` (whether it stays on this page);
    `data-test-overflow` on the root (horizontal overflow in CSS pixels at this width).

    The page itself is not changed: a copy beside it (same folder, so links resolve alike) gets the
    check script, and a Content-Security-Policy that lets that one script run.
    """
    html = page.read_text(encoding="utf-8")
    html = re.sub(r'(<meta http-equiv="Content-Security-Policy" content="[^"]*)"',
                  lambda match: match.group(1) + "; script-src 'unsafe-inline'\"", html, count=1)
    copy = page.with_name(f".{page.stem}.browser-check.html")
    copy.write_text(html.replace("</body>", _CHECK_SCRIPT + "</body>"), encoding="utf-8")
    try:
        # A second try when the first dump came back unchecked: under a loaded CI machine Chromium
        # sometimes dumps before the load event (or not at all); a real fault fails both.
        for _attempt in range(2):
            result = _run([f"--window-size={width},{height}", "--virtual-time-budget=10000", "--dump-dom",
                           copy.resolve().as_uri()])
            if 'data-test-checked="yes"' in result.stdout:
                return result.stdout
    finally:
        copy.unlink()
    raise AssertionError(f"Chromium's DOM of {page.name} was never checked (exit {result.returncode}, "
                         f"{len(result.stdout)} characters of DOM): {result.stderr[-1500:]}")
