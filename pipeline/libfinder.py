"""Importing WeasyPrint without running a compiler.

WeasyPrint opens Pango, HarfBuzz, fontconfig and GObject through cffi, trying several names for
each. cffi resolves every name it cannot open directly with `ctypes.util.find_library`, which on
Linux runs `ldconfig -p`, then `gcc`, then `ld` for each miss: about 60 processes and 0.3–0.6 s
per import, in the start-up of every batch. Here the same lookup reads one `ldconfig -p` listing
instead. If WeasyPrint cannot find its libraries that way (installed where only the linker finds
them, say), the import is repeated with the ordinary lookup.
"""

from __future__ import annotations

import contextlib
import ctypes.util
import functools
import io
import os
import platform
import re
import subprocess
import sys
from collections.abc import Iterator
from types import ModuleType

# What `ctypes.util` matches in `ldconfig -p` for this machine's ABI (see its _findSoname_ldconfig).
_ABI = {"x86_64-64": "libc6,x86-64", "ppc64-64": "libc6,64bit", "sparc64-64": "libc6,64bit",
        "s390x-64": "libc6,64bit", "ia64-64": "libc6,IA-64"}


@functools.cache
def _ldconfig_listing() -> str:
    for ldconfig in ("/sbin/ldconfig", "/usr/sbin/ldconfig", "ldconfig"):
        with contextlib.suppress(OSError, subprocess.SubprocessError):
            return subprocess.run([ldconfig, "-p"], capture_output=True, text=True, timeout=10,
                                  env={"LC_ALL": "C", "LANG": "C"}).stdout
    return ""


def find_in_ldconfig(name: str) -> str | None:
    """`ctypes.util.find_library(name)` answered from the ldconfig cache alone."""
    machine = f"{os.uname().machine}-{8 * ctypes.sizeof(ctypes.c_void_p)}"
    abi = _ABI.get(machine, "libc6")
    match = re.search(rf"\s+(lib{re.escape(name)}\.[^\s]+)\s+\({re.escape(abi)}", _ldconfig_listing())
    return match.group(1) if match else None


@contextlib.contextmanager
def _ldconfig_lookup() -> Iterator[None]:
    original = ctypes.util.find_library
    ctypes.util.find_library = find_in_ldconfig
    try:
        yield
    finally:
        ctypes.util.find_library = original


def import_weasyprint() -> ModuleType:
    """`import weasyprint`, looking its libraries up in the ldconfig cache first."""
    if "weasyprint" in sys.modules or platform.system() != "Linux":
        import weasyprint

        return weasyprint
    try:
        # WeasyPrint prints installation advice to stdout when a library is missing; that is for
        # the second attempt to say, if it fails too.
        with _ldconfig_lookup(), contextlib.redirect_stdout(io.StringIO()):
            import weasyprint
        return weasyprint
    except OSError:
        for module in [m for m in sys.modules if m == "weasyprint" or m.startswith("weasyprint.")]:
            del sys.modules[module]
    import weasyprint

    return weasyprint
