"""Pluggable writers: one module per output format, found through the `pipeline.writers` entry points.

A third-party package adds a format by shipping a class that satisfies `Writer` and declaring it:

    [project.entry-points."pipeline.writers"]
    odt = "mypackage.odt:OdtWriter"
"""

from __future__ import annotations

from dataclasses import dataclass, field
from importlib.metadata import entry_points
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

from pipeline.errors import UsageError

if TYPE_CHECKING:
    from pipeline.document import Document
    from pipeline.theme import Theme

ENTRY_POINT_GROUP = "pipeline.writers"


@dataclass
class WriteOptions:
    """Settings every writer receives; writers ignore what does not concern them."""

    profile: str = "screen"  # PDF: "screen" (links coloured) or "print" (bleed, marks, no link colour)
    paper: str | None = None  # PDF/DOCX page size override: "a4" or "letter"; None = the theme's
    pdf_variant: str | None = None  # e.g. "pdf/a-3b", "pdf/ua-1", "pdf/x-4"
    preview: bool = False  # PDF: PNG previews of the cover, contents and part openings
    office: bool = True  # DOCX: LibreOffice numbers the contents' pages; False leaves that to Word
    # Run each format's validator (EPUBCheck, LibreOffice, qpdf): True all, False none, None the
    # default (EPUBCheck when Java is installed; every format when CI=true), see pipeline.validate.wanted.
    validate: bool | None = None
    allow_remote: tuple[str, ...] = ()  # hosts remote images may come from; empty: no network at all
    lang: str | None = None  # the documents' language (BCP 47), over their front matter and detection
    extra: dict[str, Any] = field(default_factory=dict)  # third-party writers' settings


@dataclass
class WriteResult:
    """What a writer reports about the file it wrote (pages, warnings …)."""

    pages: int | None = None
    details: dict[str, Any] = field(default_factory=dict)


@runtime_checkable
class Writer(Protocol):
    name: str
    extension: str
    description: str

    def write(self, document: Document, theme: Theme, options: WriteOptions, out_path: Path) -> WriteResult:
        """Write `document` to `out_path` (a temporary file the caller renames into place)."""
        ...


def available_writers() -> dict[str, Any]:
    """Registered writer entry points by format name (loaded lazily: importing WeasyPrint is slow)."""
    return {ep.name: ep for ep in sorted(entry_points(group=ENTRY_POINT_GROUP), key=lambda ep: ep.name)}


def get_writer(name: str) -> Writer:
    registered = available_writers()
    if name not in registered:
        known = ", ".join(registered) or "none"
        raise UsageError(f"unknown output format {name!r} (available: {known})")
    writer_class = registered[name].load()
    writer = writer_class()
    if not isinstance(writer, Writer):
        raise UsageError(f"writer {name!r} ({registered[name].value}) does not implement the Writer interface")
    return writer


def parse_formats(spec: str) -> list[str]:
    """`pdf,docx` → ['pdf', 'docx']; `all` → every registered format (pdf, docx, epub, html first)."""
    registered = list(available_writers())
    names: list[str] = []
    for part in (p.strip().lower() for p in spec.split(",")):
        if not part:
            continue
        if part == "all":
            preferred = [n for n in ("pdf", "docx", "epub", "html") if n in registered]
            names.extend(preferred + [n for n in registered if n not in preferred])
        elif part not in registered:
            raise UsageError(f"unknown output format {part!r} (available: {', '.join(registered)}, all)")
        else:
            names.append(part)
    if not names:
        raise UsageError("no output format given (use --to pdf, docx, epub, html or all)")
    return list(dict.fromkeys(names))
