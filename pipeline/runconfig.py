"""The run's settings from a project file: `pipeline.toml`, or `[tool.pipeline]` in pyproject.toml.

Found like the normalizer's config (`pipeline.normalize.config`): the nearest such file at or above
the first input. It sets the defaults of a run; a flag on the command line wins over it::

    # pipeline.toml (in pyproject.toml the same keys go under [tool.pipeline])
    formats = ["pdf", "epub"]       # or "pdf,epub", or "all"
    theme = "openinfra"             # a theme name, or a folder relative to this file
    out-dir = "build"               # relative to this file
    site-root = "../website"        # the site the documents are pages of (images under /…)
    lang = "de"                     # for documents whose front matter names no language

    [normalize]                     # the normalizer's options (see pipeline/normalize/config.py)
    disable = ["TYPG001"]

`convert --show-config` prints every setting in effect and where it came from.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pipeline.errors import UsageError

# Config key → the `convert` option it sets (the click parameter's name).
RUN_KEYS = {"formats": "formats", "theme": "theme", "out-dir": "out_dir", "site-root": "site_root", "lang": "lang"}
_ALIASES = {"to": "formats", "out_dir": "out-dir", "output": "out-dir", "site_root": "site-root",
            "language": "lang"}
_NORMALIZE_KEYS = {"enable", "disable", "fix-suggested", "fix_suggested", "quote-style", "quote_style", "vocabulary"}


@dataclass
class RunConfig:
    """What the project file says about the run: values by `convert` option name, and the file."""

    path: Path | None = None
    values: dict[str, Any] = field(default_factory=dict)
    unknown: list[str] = field(default_factory=list)


def project_table(path: Path) -> dict[str, Any]:
    """Our table of a project file: all of pipeline.toml, or `[tool.pipeline]` of pyproject.toml."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise UsageError(f"invalid TOML: {exc}", path) from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"cannot read config: {exc}", path) from exc
    if path.name == "pyproject.toml":
        data = data.get("tool", {}).get("pipeline", {})
    if not isinstance(data, dict):
        raise UsageError("[tool.pipeline] must be a table", path)
    return data


def load_run_config(start: Path) -> RunConfig:
    """The run settings of the project `start` (a file or folder) belongs to; empty when it has none."""
    from pipeline.normalize.config import find_config_file

    folder = start if start.is_dir() else start.parent
    path = find_config_file(folder) if folder.exists() else None
    if path is None:
        return RunConfig()
    table = project_table(path)
    config = RunConfig(path=path)
    for raw_key, value in table.items():
        key = _ALIASES.get(raw_key, raw_key)
        if key in RUN_KEYS:
            config.values[RUN_KEYS[key]] = _checked(key, value, path)
        elif raw_key != "normalize" and raw_key not in _NORMALIZE_KEYS and not isinstance(value, dict):
            config.unknown.append(raw_key)
    return config


def _checked(key: str, value: Any, path: Path) -> Any:
    where = path.parent
    if key == "formats":
        if isinstance(value, list) and all(isinstance(v, str) for v in value):
            return ",".join(value)
        if isinstance(value, str):
            return value
        raise UsageError("formats must be a list of format names or a comma-separated string", path)
    if not isinstance(value, str) or not value.strip():
        raise UsageError(f"{key} must be a non-empty string", path)
    if key == "lang":
        from pipeline.i18n import is_valid_tag, normalize_tag

        if not is_valid_tag(value):
            raise UsageError(f"lang {value!r} is not a language tag such as 'en' or 'pt-BR'", path)
        return normalize_tag(value)
    if key == "theme":
        # A name of a theme under styles/, unless it is a folder next to the config file.
        candidate = (where / value).expanduser()
        return str(candidate.resolve()) if ("/" in value or candidate.is_dir()) else value
    return (where / Path(value).expanduser()).resolve()  # out-dir, site-root: relative to the file


def apply_run_config(params: dict[str, Any], given: set[str], start: Path | None = None) -> dict[str, str]:
    """Fill `params` (a command's options) from the project file; returns where each setting came from.

    `given` names the options set on the command line: those win. Settings the file does not set
    keep their defaults.
    """
    paths = params.get("paths") or ()
    origin = Path(paths[0]) if paths else (start or Path.cwd())
    config = load_run_config(origin)
    sources: dict[str, str] = {}
    for name in RUN_KEYS.values():
        flag = "--" + name.replace("_", "-").replace("formats", "to")
        if name in given:
            sources[name] = flag
        elif name in config.values:
            params[name] = config.values[name]
            sources[name] = f"{config.path} ({_key_of(name)})"
        else:
            params.setdefault(name, None)
            sources[name] = "default"
    params["_config_file"] = config.path
    params["_config_unknown"] = config.unknown
    return sources


def _key_of(name: str) -> str:
    return next(key for key, value in RUN_KEYS.items() if value == name)


def describe(params: dict[str, Any], sources: dict[str, str]) -> str:
    """The settings in effect and where each came from, for `convert --show-config`."""
    from pipeline.normalize.config import load_config
    from pipeline.site import find_site

    none = "none found (pipeline.toml, or pyproject.toml with [tool.pipeline], at or above the input)"
    lines = [f"config file: {params.get('_config_file') or none}"]
    for key in params.get("_config_unknown") or []:
        lines.append(f"  (unknown setting {key!r} ignored)")
    shown = {
        "formats": params.get("formats"),
        "theme": params.get("theme"),
        "out_dir": params.get("out_dir"),
        "site_root": params.get("site_root") or "found from each document (a generator's config above it)",
        "lang": params.get("lang") or "each document's front matter (else en)",
    }
    for name, value in shown.items():
        lines.append(_row(_key_of(name), value, sources.get(name, "default")))
    paths = params.get("paths") or ()
    first = Path(paths[0]) if paths else Path.cwd()
    if params.get("site_root") is None and first.exists():
        site = find_site(first)
        lines.append(f"  site of {first}: {site.describe() if site else 'none found'}"
                     + (f"; static folders: {', '.join(str(d) for d in site.static_dirs)}" if site else ""))
    normalizer = load_config(first if first.is_dir() else first.parent) if first.exists() else None
    if normalizer is not None and normalizer.path is not None:
        for key, value in (("enable", normalizer.enable), ("disable", normalizer.disable),
                           ("fix-suggested", normalizer.fix_suggested), ("quote-style", normalizer.quote_style),
                           ("vocabulary", tuple(str(v) for v in normalizer.vocabulary))):
            if value not in ((), None):
                shown_value = ", ".join(value) if isinstance(value, tuple) else value
                lines.append(_row(f"normalize.{key}", shown_value, str(normalizer.path)))
    for flag in ("no_normalize", "fix_suggested", "check_links"):
        if params.get(flag):
            lines.append(_row(flag.replace("_", "-"), "true", "--" + flag.replace("_", "-")))
    return "\n".join(lines)


def _row(key: str, value: Any, source: str) -> str:
    return f"{key:<22} {value!s:<44} from {source}"
