"""pipeline: turn Markdown reports into branded, print-ready PDF, DOCX, EPUB and HTML.

The public API is small; everything the CLI does is callable from here:

    from pipeline import convert
    convert(["input/report.md"], formats=["pdf", "epub"], out_dir="dist")
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version
from typing import TYPE_CHECKING, Any

try:
    __version__ = version("pipeline")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0+unknown"

if TYPE_CHECKING:
    from pipeline.convert import convert as convert
    from pipeline.load import load_document as load_document

__all__ = ["__version__", "convert", "load_document"]


def __getattr__(name: str) -> Any:
    # Lazy: `convert --help` must not pay for importing WeasyPrint and pandoc wrappers.
    if name == "convert":
        from pipeline.convert import convert

        return convert
    if name == "load_document":
        from pipeline.load import load_document

        return load_document
    raise AttributeError(name)
