"""Errors a user can cause. Each names the file (and line, when known) so the CLI can print one line."""

from __future__ import annotations

from pathlib import Path


class PipelineError(Exception):
    """A problem with the user's input or settings; never a bug in the pipeline."""

    exit_code = 1

    def __init__(self, message: str, path: Path | str | None = None, line: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.path = Path(path) if path is not None else None
        self.line = line

    def __reduce__(self) -> tuple[type[PipelineError], tuple[str, Path | None, int | None]]:
        # Raised in a worker process and re-raised here: pickle must keep the path and line.
        return type(self), (self.message, self.path, self.line)

    def __str__(self) -> str:
        if self.path is None:
            return self.message
        where = str(self.path) if self.line is None else f"{self.path}:{self.line}"
        return f"{where}: {self.message}"


class UsageError(PipelineError):
    """The command was asked for something that does not exist (a file, a format, a theme)."""

    exit_code = 2


class LoadError(PipelineError):
    """A document could not be read: encoding, front matter, size."""


class ThemeError(UsageError):
    """A theme is missing or invalid."""


class WriterError(PipelineError):
    """A writer failed to produce its output for a document."""
