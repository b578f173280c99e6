"""LibreOffice, headless: the layout engine that fills a Word TOC and proves a DOCX opens.

A batch keeps one LibreOffice running for all its jobs (`resident`, served by office_bridge.py over
UNO), which saves its start-up, about a second, on every document. Without the bridge (no Python
with UNO, or a call outside a batch), each run starts LibreOffice with its own throw-away user
profile, so parallel jobs never share LibreOffice's profile lock, and the profile holds one Basic
module (written after LibreOffice initialised the profile, because first start replaces the Basic
library folder). Either way documents are opened hidden, with links and macros off, and a run
that hangs is killed with its whole process group.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape as xml_escape

from pipeline.errors import PipelineError

TIMEOUT_SECONDS = 180
BRIDGE_SOCKET = "PIPELINE_OFFICE_SOCKET"  # set for a batch's workers while its LibreOffice runs
UNO_PYTHON = "PIPELINE_UNO_PYTHON"  # a Python that can `import uno`, when not the system's python3

# Keep this Basic plain: a compile error makes headless LibreOffice wait for a dialog nobody sees
# (the timeout kills it). MacroExecutionMode 0 = never run document macros; UpdateDocMode 0 = never
# update links on load.
_BASIC = """
Function OpenHidden(url As String) As Object
  REM The Word import filter is forced, so a file that is not a DOCX fails instead of opening as text.
  Dim load(3) As New com.sun.star.beans.PropertyValue
  load(0).Name = "Hidden"
  load(0).Value = True
  load(1).Name = "MacroExecutionMode"
  load(1).Value = 0
  load(2).Name = "UpdateDocMode"
  load(2).Value = 0
  load(3).Name = "FilterName"
  load(3).Value = "MS Word 2007 XML"
  OpenHidden = StarDesktop.loadComponentFromURL(url, "_blank", 0, load())
End Function

Sub SaveCopy(doc As Object, url As String, filter As String)
  Dim store(0) As New com.sun.star.beans.PropertyValue
  store(0).Name = "FilterName"
  store(0).Value = filter
  doc.storeToURL(url, store())
End Sub

Sub UpdateIndexes(inUrl As String, outUrl As String)
  Dim doc As Object
  On Error Goto Failed
  doc = OpenHidden(inUrl)
  indexes = doc.getDocumentIndexes()
  REM Twice: the first pass fills the table, the second sees the pages that pushed the text on.
  For pass = 1 To 2
    For i = 0 To indexes.getCount() - 1
      indexes.getByIndex(i).update()
    Next i
  Next pass
  SaveCopy(doc, outUrl, "MS Word 2007 XML")
  doc.close(True)
  Exit Sub
Failed:
  If Not IsNull(doc) Then doc.close(True)
End Sub

Sub ToPdf(inUrl As String, outUrl As String)
  Dim doc As Object
  On Error Goto Failed
  doc = OpenHidden(inUrl)
  SaveCopy(doc, outUrl, "writer_pdf_Export")
  doc.close(True)
  Exit Sub
Failed:
  If Not IsNull(doc) Then doc.close(True)
End Sub
"""
_MODULE = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    '<!DOCTYPE script:module PUBLIC "-//OpenOffice.org//DTD OfficeDocument 1.0//EN" "module.dtd">\n'
    '<script:module xmlns:script="http://openoffice.org/2000/script" script:name="Pipeline" '
    f'script:language="StarBasic">{xml_escape(_BASIC)}</script:module>\n'
)
_LIBRARY = """<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE library:library PUBLIC "-//OpenOffice.org//DTD OfficeDocument 1.0//EN" "library.dtd">
<library:library xmlns:library="http://openoffice.org/2000/library" library:name="Standard" \
library:readonly="false" library:passwordprotected="false">
 <library:element library:name="Pipeline"/>
</library:library>
"""


class LibreOfficeError(PipelineError):
    """LibreOffice is missing, failed, or did not produce the file it was asked for."""


@dataclass(frozen=True)
class Office:
    executable: str

    @property
    def version(self) -> str:
        return _version(self.executable)


def find() -> Office | None:
    """The LibreOffice on this machine (`soffice`, or `libreoffice`), if any."""
    for name in ("soffice", "libreoffice"):
        path = shutil.which(name)
        if path:
            return Office(path)
    return None


_VERSIONS: dict[str, str] = {}


def fingerprint(office: Office | None) -> str:
    """Which LibreOffice would lay Word files out, cheaply (no process started): its version file and
    program's size and date. Part of a DOCX's job key, since the contents' page numbers are its layout."""
    if office is None:
        return "none"
    program = Path(office.executable).resolve().parent
    parts = []
    for name in ("versionrc", "soffice.bin"):
        path = program / name
        try:
            stat = path.stat()
            parts.append(f"{name}:{stat.st_size}:{stat.st_mtime_ns}")
            if name == "versionrc":
                parts.append(path.read_text(encoding="utf-8", errors="replace"))
        except OSError:
            parts.append(f"{name}:missing")
    return hashlib.sha256("\n".join([office.executable, *parts]).encode()).hexdigest()[:16]


def _version(executable: str) -> str:
    if executable not in _VERSIONS:
        try:
            out = subprocess.run([executable, "--version"], capture_output=True, text=True, timeout=30).stdout
            _VERSIONS[executable] = " ".join(out.split()[:2]) or "LibreOffice"
        except (OSError, subprocess.TimeoutExpired):
            _VERSIONS[executable] = "LibreOffice"
    return _VERSIONS[executable]


def _run(command: list[str], timeout: float) -> subprocess.CompletedProcess[str]:
    # A new session, so a hung LibreOffice and every helper it started can be killed together.
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               start_new_session=True, env={**os.environ, "SAL_USE_VCLPLUGIN": "svp"})
    try:
        out, err = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired as exc:
        os.killpg(process.pid, signal.SIGKILL)
        process.communicate()
        raise LibreOfficeError(f"LibreOffice did not finish within {timeout:.0f} s") from exc
    return subprocess.CompletedProcess(command, process.returncode, out, err)


def _profile(office: Office, folder: Path, timeout: float) -> str:
    """A fresh user profile in `folder` holding our Basic module; returns its file URL."""
    from pipeline.office_bridge import seed_profile

    seed_profile(office.executable, folder / "profile")
    url = (folder / "profile").as_uri()
    _run([office.executable, "--headless", "--norestore", f"-env:UserInstallation={url}",
          "--terminate_after_init"], timeout)
    basic = folder / "profile" / "user" / "basic" / "Standard"
    if not basic.is_dir():
        raise LibreOfficeError("LibreOffice did not create its user profile")
    (basic / "Pipeline.xba").write_text(_MODULE, encoding="utf-8")
    (basic / "script.xlb").write_text(_LIBRARY, encoding="utf-8")
    return url


def _basic_string(value: str) -> str:
    # Arguments are file URLs we made (percent-encoded, so no quotes inside), never document text.
    if '"' in value:
        raise LibreOfficeError("unexpected quote in a LibreOffice argument")
    return f'"{value}"'


def _via_bridge(office: Office, op: str, source: Path, target: Path, timeout: float) -> bool:
    """Ask the batch's resident LibreOffice; False when there is none to ask (run one ourselves)."""
    path = os.environ.get(BRIDGE_SOCKET)
    if not path:
        return False
    request = {"op": op, "source": str(source.resolve()), "target": str(target.resolve()), "timeout": timeout}
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as connection:
            # Other workers' documents may be ahead of this one: the wait counts too.
            connection.settimeout(2 * timeout + 60)
            connection.connect(path)
            connection.sendall(json.dumps(request).encode() + b"\n")
            answer = json.loads(connection.makefile("rb").readline() or b"{}")
    except TimeoutError as exc:
        raise LibreOfficeError(f"LibreOffice did not finish {source.name} within {timeout:.0f} s") from exc
    except (OSError, ValueError):
        return False  # the bridge is gone or not up yet
    if answer.get("ok"):
        _VERSIONS.setdefault(office.executable, answer.get("version") or "LibreOffice")
        return True
    if answer.get("fallback", True):
        return False
    raise LibreOfficeError(f"LibreOffice could not open or convert {source.name}: {answer.get('error')}")


def run_macro(office: Office, macro: str, source: Path, target: Path,
              timeout: float = TIMEOUT_SECONDS) -> tuple[Path, bool]:
    """Run one of our Basic macros on `source`, which must write `target`: (target, whether the batch's
    resident LibreOffice did it)."""
    bridge_op = {"UpdateIndexes": "update_indexes", "ToPdf": "to_pdf"}[macro]
    if _via_bridge(office, bridge_op, source, target, timeout):
        if not target.is_file() or target.stat().st_size == 0:
            raise LibreOfficeError(f"LibreOffice could not open or convert {source.name}")
        return target, True
    with tempfile.TemporaryDirectory(prefix="pipeline-lo-") as folder:
        profile = _profile(office, Path(folder), timeout)
        arguments = ",".join(_basic_string(p.resolve().as_uri()) for p in (source, target))
        result = _run([office.executable, "--headless", "--norestore", "--nologo", "--nodefault",
                       "--nolockcheck", f"-env:UserInstallation={profile}",
                       f"macro:///Standard.Pipeline.{macro}({arguments})"], timeout)
    if not target.is_file() or target.stat().st_size == 0:
        noise = ("javaldx", "java may not function")  # LibreOffice's harmless start-up chatter
        lines = [ln for ln in (result.stderr or "").splitlines() if ln.strip() and not any(n in ln for n in noise)]
        detail = " ".join(" ".join(lines).split())[-200:]
        reason = f": {detail}" if detail else ""
        raise LibreOfficeError(f"LibreOffice could not open or convert {source.name}{reason}")
    return target, False


def update_indexes(office: Office, source: Path, target: Path,
                   timeout: float = TIMEOUT_SECONDS) -> tuple[Path, bool]:
    """Save `source` (a .docx) as `target` (.docx) with every table of contents/index updated:
    (target, whether the batch's resident LibreOffice did it)."""
    return run_macro(office, "UpdateIndexes", source, target, timeout)


def to_pdf(office: Office, source: Path, target: Path, timeout: float = TIMEOUT_SECONDS) -> Path:
    """Lay `source` out and export it as PDF: the proof that LibreOffice opens it, and its pages."""
    return run_macro(office, "ToPdf", source, target, timeout)[0]


def _uno_python() -> str | None:
    if os.environ.get(UNO_PYTHON):
        return os.environ[UNO_PYTHON]
    # Debian's python3-uno is built for the system's python3, which is rarely the one running us.
    for candidate in (sys.executable, shutil.which("python3", path="/usr/bin:/bin")):
        if candidate and _has_uno(candidate):
            return candidate
    return None


def _has_uno(python: str) -> bool:
    if python == sys.executable:
        import importlib.util

        return importlib.util.find_spec("uno") is not None
    version = f"python{sys.version_info.major}.{sys.version_info.minor}"
    prefix = Path(python).resolve().parent.parent
    return any((prefix / "lib" / folder / "uno.py").is_file()
               for folder in ("python3/dist-packages", f"{version}/dist-packages", f"{version}/site-packages"))


@contextmanager
def resident(office: Office | None) -> Iterator[None]:
    """Keep one LibreOffice running for this block; calls from this process and its children use it.

    Does nothing without LibreOffice or a Python with UNO: calls then start LibreOffice each time.
    """
    python = _uno_python() if office is not None else None
    if python is None or office is None or os.environ.get(BRIDGE_SOCKET):
        yield
        return
    folder = tempfile.mkdtemp(prefix="pipeline-bridge-")  # private (0700): only we can connect
    path = os.path.join(folder, "socket")
    # Bound here and handed over, so calls can connect from the first moment; they wait in the backlog
    # until LibreOffice is up.
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(path)
    listener.listen(64)
    try:
        bridge = subprocess.Popen([python, str(Path(__file__).with_name("office_bridge.py")), office.executable,
                                   str(listener.fileno())], stdin=subprocess.PIPE, stdout=subprocess.DEVNULL,
                                  stderr=subprocess.DEVNULL, start_new_session=True, pass_fds=[listener.fileno()])
    except OSError:
        bridge = None
    finally:
        listener.close()  # the bridge's copy is the one that serves; when it exits, calls are refused
    if bridge is None:
        shutil.rmtree(folder, ignore_errors=True)
        yield
        return
    os.environ[BRIDGE_SOCKET] = path
    try:
        yield
    finally:
        os.environ.pop(BRIDGE_SOCKET, None)
        # The bridge stops LibreOffice and exits on this line. Closing alone is not enough: processes
        # forked from this one meanwhile (a one-document run's layout process) hold the pipe open.
        with contextlib.suppress(OSError):
            bridge.stdin.write(b"stop\n")
            bridge.stdin.flush()
        with contextlib.suppress(OSError):
            bridge.stdin.close()
        try:
            bridge.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(bridge.pid, signal.SIGKILL)
            bridge.wait()
        shutil.rmtree(folder, ignore_errors=True)
