"""LibreOffice, headless: the layout engine that fills a Word TOC and proves a DOCX opens.

Each run gets its own throw-away user profile, so parallel jobs never share LibreOffice's profile
lock, and the profile holds one Basic module (written after LibreOffice initialised the profile,
because first start replaces the Basic library folder). Documents are opened hidden, with links
and macros off; a run that hangs is killed with its whole process group.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape as xml_escape

from pipeline.errors import PipelineError

TIMEOUT_SECONDS = 180

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


def run_macro(office: Office, macro: str, source: Path, target: Path, timeout: float = TIMEOUT_SECONDS) -> Path:
    """Run one of our Basic macros on `source`, which must write `target`."""
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
    return target


def update_indexes(office: Office, source: Path, target: Path, timeout: float = TIMEOUT_SECONDS) -> Path:
    """Save `source` (a .docx) as `target` (.docx) with every table of contents/index updated."""
    return run_macro(office, "UpdateIndexes", source, target, timeout)


def to_pdf(office: Office, source: Path, target: Path, timeout: float = TIMEOUT_SECONDS) -> Path:
    """Lay `source` out and export it as PDF: the proof that LibreOffice opens it, and its pages."""
    return run_macro(office, "ToPdf", source, target, timeout)
