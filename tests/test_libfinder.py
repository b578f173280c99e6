"""WeasyPrint's libraries found from one ldconfig listing: same answers as ctypes, no compiler runs,
and the ordinary lookup still works when the listing does not have them."""

from __future__ import annotations

import ctypes.util
import subprocess
import sys
import textwrap

import pytest

from pipeline.libfinder import find_in_ldconfig

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="ldconfig is Linux's")


@pytest.mark.parametrize("name", ["pango-1.0", "fontconfig", "harfbuzz", "gobject-2.0", "c", "libpango-1.0-0",
                                  "no-such-library-anywhere"])
def test_same_answer_as_ctypes(name):
    assert find_in_ldconfig(name) == ctypes.util.find_library(name)


def _run(code: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True, timeout=120)


def test_importing_weasyprint_runs_ldconfig_once_and_no_compiler():
    result = _run("""
        import subprocess
        started = []
        original = subprocess.Popen.__init__
        def record(self, args, *rest, **kw):
            started.append(args[0] if isinstance(args, (list, tuple)) else args)
            original(self, args, *rest, **kw)
        subprocess.Popen.__init__ = record
        from pipeline.libfinder import import_weasyprint
        weasyprint = import_weasyprint()
        assert weasyprint.HTML(string="<p>x</p>").write_pdf().startswith(b"%PDF")
        print(started)
    """)
    assert result.returncode == 0, result.stderr
    started = eval(result.stdout.strip().splitlines()[-1])
    assert [p for p in started if "ldconfig" in p] and len(started) == 1, started


def test_falls_back_to_the_ordinary_lookup():
    result = _run("""
        import pipeline.libfinder as finder
        finder.find_in_ldconfig = lambda name: None  # a listing without WeasyPrint's libraries
        weasyprint = finder.import_weasyprint()
        assert weasyprint.HTML(string="<p>x</p>").write_pdf().startswith(b"%PDF")
        print("ok")
    """)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "ok"
    assert "could not import some external libraries" not in result.stdout
