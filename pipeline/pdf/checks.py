"""`--validate` for PDF: qpdf's structural check of the written file."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from pipeline.errors import WriterError


def qpdf_check(path: Path, *, timeout: float = 120) -> tuple[bool | None, str]:
    """(True, "") when qpdf finds no problem, (False, its report) when it does, (None, why) without qpdf.

    qpdf exits 0 for a clean file, 3 for warnings only (it could repair the file), 2 for errors.
    """
    qpdf = shutil.which("qpdf")
    if qpdf is None:
        return None, "qpdf is not installed"
    result = subprocess.run([qpdf, "--check", str(path)], capture_output=True, text=True, timeout=timeout)
    report = " ".join((result.stdout + result.stderr).split())
    return result.returncode == 0, report[-500:]


def validate_pdf(path: Path, source: Path) -> str | None:
    """Raise WriterError when qpdf finds errors; return a note when the check could not run."""
    ok, report = qpdf_check(path)
    if ok is None:
        return f"PDF not validated: {report}"
    if not ok:
        raise WriterError(f"qpdf --check found problems in the PDF: {report}", source)
    return None
