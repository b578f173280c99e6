"""Normalizer settings from `[tool.pipeline.normalize]` in pyproject.toml or `[normalize]` in pipeline.toml.

Example (pyproject.toml)::

    [tool.pipeline.normalize]
    enable = ["ALL"]              # rule IDs or prefixes
    disable = ["TYPG001"]
    fix-suggested = false
    quote-style = "curly"         # curly | straight | keep
    vocabulary = ["docs/names.txt"]   # extra vocabulary files, relative to the config file

`pipeline.toml` takes the same keys under `[normalize]` (or at its top level), and pyproject.toml
right under `[tool.pipeline]` too.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pipeline.errors import UsageError

QUOTE_STYLES = ("curly", "straight", "keep")
CONFIG_FILES = ("pipeline.toml", "pyproject.toml")


@dataclass(frozen=True)
class Config:
    """What a project's configuration file says about the normalizer (all optional)."""

    path: Path | None = None
    project_root: Path | None = None
    enable: tuple[str, ...] = ()
    disable: tuple[str, ...] = ()
    fix_suggested: bool | None = None
    quote_style: str | None = None
    vocabulary: tuple[Path, ...] = field(default_factory=tuple)

    @property
    def root(self) -> Path | None:
        """Where the project vocabulary lives: beside the config file, else at the project root."""
        return self.path.parent if self.path else self.project_root


def find_project_root(start: Path) -> Path | None:
    """The nearest folder at or above `start` with pipeline.toml, pyproject.toml or .git."""
    start = start.resolve()
    for folder in (start, *start.parents):
        if any((folder / name).exists() for name in (*CONFIG_FILES, ".git")):
            return folder
    return None


def find_config_file(start: Path) -> Path | None:
    """The nearest pipeline.toml, or pyproject.toml with a [tool.pipeline] table, at or above `start`."""
    start = start.resolve()
    for folder in (start, *start.parents):
        for name in CONFIG_FILES:
            candidate = folder / name
            if candidate.is_file() and (name == "pipeline.toml" or _has_pipeline_table(candidate)):
                return candidate
    return None


def _has_pipeline_table(pyproject: Path) -> bool:
    try:
        return "pipeline" in tomllib.loads(pyproject.read_text(encoding="utf-8")).get("tool", {})
    except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError):
        return False


def load_config(folder: Path | None) -> Config:
    """Read the normalizer section of the config file found from `folder`; empty config when none."""
    if folder is None:
        return Config()
    path = folder if folder.is_file() else find_config_file(folder)
    if path is None:
        return Config(project_root=find_project_root(folder))
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise UsageError(f"invalid TOML: {exc}", path) from exc
    except OSError as exc:
        raise UsageError(f"cannot read config: {exc.strerror}", path) from exc
    if path.name == "pyproject.toml":
        # `[tool.pipeline.normalize]`, or the same keys right under `[tool.pipeline]` (as pipeline.toml
        # takes them at its top level): a table the project found must not be ignored in silence.
        table = data.get("tool", {}).get("pipeline", {})
        section = table.get("normalize", table)
    else:
        section = data.get("normalize", data)
    return _parse_section(section, path)


def _parse_section(section: dict[str, Any], path: Path) -> Config:
    def strings(key: str) -> tuple[str, ...]:
        value = section.get(key, [])
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise UsageError(f"normalize.{key} must be a list of strings", path)
        return tuple(value)

    quote_style = section.get("quote-style", section.get("quote_style"))
    if quote_style is not None and quote_style not in QUOTE_STYLES:
        raise UsageError(f"normalize.quote-style must be one of {', '.join(QUOTE_STYLES)}", path)
    fix_suggested = section.get("fix-suggested", section.get("fix_suggested"))
    if fix_suggested is not None and not isinstance(fix_suggested, bool):
        raise UsageError("normalize.fix-suggested must be true or false", path)
    return Config(
        path=path,
        enable=strings("enable"),
        disable=strings("disable"),
        fix_suggested=fix_suggested,
        quote_style=quote_style,
        vocabulary=tuple(path.parent / v for v in strings("vocabulary")),
    )
