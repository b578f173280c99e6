"""A resident LibreOffice for one batch, driven over UNO: run by a Python that has `uno`, not ours.

Starting LibreOffice costs about a second; filling a document's contents once it runs costs half
that. So a batch starts this bridge once: it starts LibreOffice headless (its own throw-away
profile, listening on a private pipe) and serves requests from the batch's workers on a Unix
socket (bound by the caller, passed as a file descriptor), one at a time, since
LibreOffice lays out one document at a time anyway.

This file runs under the system's Python (Debian's python3-uno), so it uses only the standard
library and `uno`, and never imports the pipeline package. Protocol: one JSON line per connection,
{"op": "update_indexes" | "to_pdf", "source": path, "target": path, "timeout": seconds}, answered
by one JSON line, {"ok": true} or {"ok": false, "error": text, "fallback": bool}; "fallback" says
the bridge itself cannot serve (no `uno`, LibreOffice would not start), so the caller should run
LibreOffice its own way. The bridge exits, and stops LibreOffice, when its standard input says
`stop` (the batch no longer needs it) or ends (the batch died).
"""

from __future__ import annotations

import contextlib
import functools
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

START_SECONDS = 60
# LibreOffice grows with every document it lays out; a fresh one every so often keeps that bounded.
DOCUMENTS_PER_OFFICE = 40
STOP = b"stop"  # the line on standard input that stops the bridge (pipeline/libreoffice.py sends it)
WORD = "MS Word 2007 XML"


class BridgeUnavailable(Exception):
    """The bridge cannot serve at all: the caller should start LibreOffice itself."""


def _trace(name: str, start: float) -> None:
    """One span for the run's timeline (see pipeline/trace.py, which this file cannot import)."""
    path = os.environ.get("PIPELINE_TRACE")
    if path:
        with contextlib.suppress(OSError), open(path, "a", encoding="utf-8") as handle:
            handle.write(json.dumps({"kind": "span", "pid": os.getpid(), "name": name, "start": start,
                                     "end": time.clock_gettime(time.CLOCK_BOOTTIME), "lane": "LibreOffice",
                                     "depth": 0}) + "\n")


# A profile that records the installed version as the last one run. LibreOffice runs its graphics
# render tests (109 drawings into large bitmaps) at every start whose profile records an older version
# (`utl::isProductVersionUpgraded`), and only its windowed start records the version: every headless
# start paid for them, 0.6 s of CPU and 270,000 page faults of a 1.2 s start.
_REGISTRY = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry" xmlns:xs="http://www.w3.org/2001/XMLSchema"
 xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Setup/Product"><prop oor:name="ooSetupLastVersion" oor:op="fuse">
<value>{version}</value></prop></item>
</oor:items>
"""
_SETUP_VERSION = re.compile(r'<prop oor:name="ooSetupVersion">\s*<value>([0-9]+\.[0-9]+)</value>')


def seed_profile(executable: str, profile: Path) -> bool:
    """Create the user profile folder `profile` (a LibreOffice `UserInstallation`, which must not exist
    yet) recording the installed version as the last one run, so that starting LibreOffice on it skips
    the graphics render tests. False, and nothing created, when the version cannot be read."""
    version = product_version(executable)
    if version is None:
        return False
    try:
        (profile / "user").mkdir(parents=True)
        (profile / "user" / "registrymodifications.xcu").write_text(_REGISTRY.format(version=version),
                                                                     encoding="utf-8")
    except OSError:
        return False  # LibreOffice then makes the profile itself, as before
    return True


@functools.lru_cache(maxsize=8)
def product_version(executable: str) -> str | None:
    """The installed LibreOffice's major.minor version (`7.4`), as its configuration gives it to
    `isProductVersionUpgraded`, read from `share/registry/main.xcd` beside its program folder."""
    program = Path(shutil.which(executable) or executable).resolve().parent
    try:
        found = _SETUP_VERSION.search((program.parent / "share" / "registry" / "main.xcd").read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError):
        return None
    return found.group(1) if found else None


def _property(name, value):
    from com.sun.star.beans import PropertyValue

    prop = PropertyValue()
    prop.Name = name
    prop.Value = value
    return prop


class Office:
    """One headless LibreOffice, started on first use and restarted after a failure or a timeout."""

    def __init__(self, executable: str, folder: Path) -> None:
        self.executable = executable
        self.folder = folder
        self.process: subprocess.Popen | None = None
        self.desktop = None
        self.served = 0
        self.starts = 0
        self.version = "LibreOffice"
        self.unavailable: str | None = None  # why this bridge cannot serve, once it knows

    def ensure_started(self) -> None:
        if self.unavailable:
            raise BridgeUnavailable(self.unavailable)
        try:
            self._start()
        except BridgeUnavailable as exc:
            self.unavailable = str(exc)  # no second try: each would cost the caller the start timeout
            raise

    def _start(self) -> None:
        if self.process is not None and self.process.poll() is None and self.served < DOCUMENTS_PER_OFFICE:
            return
        started = time.clock_gettime(time.CLOCK_BOOTTIME)
        self.stop()
        try:
            import uno
        except ImportError as exc:
            raise BridgeUnavailable(f"this Python has no UNO module ({exc})") from exc
        self.starts += 1
        pipe = f"pipeline-{uuid.uuid4().hex}"
        folder = self.folder / f"profile-{self.starts}"
        seed_profile(self.executable, folder)
        profile = folder.as_uri()
        # A new session, so LibreOffice and every helper it starts can be killed together.
        self.process = subprocess.Popen(
            [self.executable, "--headless", "--invisible", "--nologo", "--norestore", "--nodefault",
             "--nolockcheck", f"-env:UserInstallation={profile}", f"--accept=pipe,name={pipe};urp;"],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            start_new_session=True, env={**os.environ, "SAL_USE_VCLPLUGIN": "svp"})
        local = uno.getComponentContext()
        resolver = local.ServiceManager.createInstanceWithContext("com.sun.star.bridge.UnoUrlResolver", local)
        deadline = time.monotonic() + START_SECONDS
        while True:
            try:
                context = resolver.resolve(f"uno:pipe,name={pipe};urp;StarOffice.ComponentContext")
                break
            except Exception as exc:  # NoConnectException until LibreOffice listens
                if self.process.poll() is not None or time.monotonic() > deadline:
                    self.stop()
                    raise BridgeUnavailable(f"LibreOffice did not start ({type(exc).__name__})") from exc
                time.sleep(0.05)
        manager = context.ServiceManager
        self.desktop = manager.createInstanceWithContext("com.sun.star.frame.Desktop", context)
        self.version = _version(manager, context)
        self.served = 0
        _trace("start LibreOffice", started)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()
        self.process = None
        self.desktop = None

    def open(self, source: str):
        import uno

        # Hidden; read-only, so no lock file is left beside the document when a hang is killed (the
        # next office would refuse to open it); MacroExecutionMode 0 = never run document macros;
        # UpdateDocMode 0 = never update links on load; the Word filter is forced, so a file that is
        # not a DOCX fails instead of opening as text.
        load = (_property("Hidden", True), _property("ReadOnly", True), _property("MacroExecutionMode", 0),
                _property("UpdateDocMode", 0), _property("FilterName", WORD))
        document = self.desktop.loadComponentFromURL(uno.systemPathToFileUrl(source), "_blank", 0, load)
        if document is None:
            raise RuntimeError("LibreOffice could not open it")
        return document

    def run(self, op: str, source: str, target: str) -> None:
        import uno

        self.served += 1
        document = self.open(source)
        try:
            if op == "update_indexes":
                indexes = document.getDocumentIndexes()
                # Twice: the first pass fills the table, the second sees the pages that pushed the text on.
                for _ in range(2):
                    for i in range(indexes.getCount()):
                        indexes.getByIndex(i).update()
                target_filter = WORD
            else:
                target_filter = "writer_pdf_Export"
            document.storeToURL(uno.systemPathToFileUrl(target), (_property("FilterName", target_filter),))
        finally:
            document.close(True)


def _version(manager, context) -> str:
    """'LibreOffice 7.4.7.2', as `soffice --version` starts."""
    provider = manager.createInstanceWithContext("com.sun.star.configuration.ConfigurationProvider", context)
    product = provider.createInstanceWithArguments("com.sun.star.configuration.ConfigurationAccess",
                                                   (_property("nodepath", "/org.openoffice.Setup/Product"),))
    return f"{product.getByName('ooName')} {product.getByName('ooSetupVersionAboutBox')}".strip()


def serve(office: Office, connection: socket.socket) -> None:
    with connection, connection.makefile("rwb") as stream:
        try:
            request = json.loads(stream.readline())
            op, source, target = request["op"], request["source"], request["target"]
            timeout = float(request.get("timeout", 180))
            if op not in ("update_indexes", "to_pdf"):
                raise ValueError(f"unknown operation {op!r}")
        except (ValueError, KeyError, TypeError) as exc:
            answer = {"ok": False, "error": f"bad request: {exc}", "fallback": True}
        else:
            answer = _answer(office, op, source, target, timeout)
        stream.write(json.dumps(answer).encode() + b"\n")
        stream.flush()


def _answer(office: Office, op: str, source: str, target: str, timeout: float) -> dict:
    try:
        office.ensure_started()
    except BridgeUnavailable as exc:
        return {"ok": False, "error": str(exc), "fallback": True}
    # A document that hangs LibreOffice: kill it (the call then fails) and start afresh next time.
    watchdog = threading.Timer(timeout, office.stop)
    watchdog.start()
    started = time.clock_gettime(time.CLOCK_BOOTTIME)
    try:
        office.run(op, source, target)
        _trace(op.replace("_", " "), started)
        return {"ok": True, "version": office.version}
    except Exception as exc:  # UNO raises its own exception types, and a killed office others
        timed_out = not watchdog.is_alive()
        office.stop()
        reason = f"did not finish within {timeout:.0f} s" if timed_out else " ".join(str(exc).split())[:200]
        return {"ok": False, "error": reason or type(exc).__name__, "fallback": False}
    finally:
        watchdog.cancel()


def _exit_when_stdin_closes(office: Office, folder: Path) -> None:
    # "stop", or the end of the input (the caller died). Not the end alone: processes the caller forked
    # while this ran hold the pipe's write end too, and the end only comes when the last of them exits.
    for line in sys.stdin.buffer:
        if line.strip() == STOP:
            break
    office.stop()
    shutil.rmtree(folder, ignore_errors=True)
    os._exit(0)


def main() -> None:
    # The caller bound and listens on the socket: requests wait in its backlog while LibreOffice starts.
    executable, listener = sys.argv[1], socket.socket(fileno=int(sys.argv[2]))
    folder = Path(tempfile.mkdtemp(prefix="pipeline-office-"))
    office = Office(executable, folder)
    threading.Thread(target=_exit_when_stdin_closes, args=(office, folder), daemon=True).start()
    # Now, while the batch's workers still prepare their documents; if it fails, every request
    # is told to fall back.
    with contextlib.suppress(BridgeUnavailable):
        office.ensure_started()
    try:
        while True:
            connection, _ = listener.accept()
            serve(office, connection)
    finally:
        office.stop()
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
