"""The theme kit: start a theme (`convert theme new`) and see it applied (`convert theme specimen`).

A new theme is a folder with a commented brand.yml, a placeholder logo and a vocabulary file,
ready to edit; it is staged beside its destination and renamed into place, so it never half
exists and never replaces a folder that is already there.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from pathlib import Path
from typing import Any

from pipeline.errors import UsageError

_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")
# A neutral palette for a theme written from scratch (every text pair passes WCAG AA).
STARTER_COLOURS = {"primary": "#1F6F78", "ink": "#222831", "muted": "#5B6470", "light": "#F4F5F7"}

PLACEHOLDER_LOGO = """<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 120 120" width="120" height="120" role="img"
     aria-label="{label}">
  <title>{label}</title>
  <!-- A placeholder: replace this file with the brand's logo (SVG, PNG or JPEG) and keep the name,
       or point `logo:` in brand.yml at the new file. -->
  <rect x="8" y="8" width="104" height="104" rx="22" fill="{colour}"/>
  <circle cx="60" cy="60" r="26" fill="none" stroke="#FFFFFF" stroke-width="12"/>
</svg>
"""

VOCABULARY_HEADER = """# Theme vocabulary (rule TYPO003): names this brand writes one way, one per line.
# The normalizer corrects other spellings of them (`Github` → `GitHub`) and never "fixes" them as
# typos. Merged with the project's own vocabulary.txt. Lines starting with # are comments.
"""


def _check_name(name: str) -> None:
    if not _NAME.fullmatch(name):
        raise UsageError(f"theme name {name!r} must be a folder name: letters, digits, '.', '_' or '-'")


def _source_brand(path: Path) -> Any:
    """A brand.yml to start from, read with its comments (ruamel.yaml, as brand-yml reads it)."""
    from ruamel.yaml import YAML
    from ruamel.yaml.error import YAMLError

    if not path.is_file():
        raise UsageError("no such brand file", path)
    try:
        data = YAML(typ="rt").load(path.read_text(encoding="utf-8"))
    except YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise UsageError(f"not valid YAML: {getattr(exc, 'problem', None) or exc}", path,
                         mark.line + 1 if mark else None) from None
    if not isinstance(data, dict):
        raise UsageError("a brand file must be a mapping (meta, color, typography …)", path, 1)
    return data


def _starter_text(name: str, cover: tuple[str, str] = ("ink", "brand")) -> str:
    import jinja2

    environment = jinja2.Environment(loader=jinja2.FileSystemLoader(str(Path(__file__).parent)),
                                     undefined=jinja2.StrictUndefined, keep_trailing_newline=True)
    full = " ".join(part.capitalize() for part in re.split(r"[-_.]+", name) if part) or name
    return environment.get_template("brand.yml.j2").render(
        folder=name, full_name=full, short_name=full, primary=STARTER_COLOURS["primary"],
        ink=STARTER_COLOURS["ink"], muted=STARTER_COLOURS["muted"], light=STARTER_COLOURS["light"],
        cover_background=cover[0], cover_accent=cover[1])


def _local_file(value: Any, folder: Path) -> Path | None:
    """A file named by a brand.yml value, when it lies inside `folder`."""
    if not isinstance(value, str) or "://" in value:
        return None
    target = (folder / value).resolve()
    return target if target.is_relative_to(folder.resolve()) and target.is_file() else None


def _from_source(source: Path, staging: Path) -> tuple[str, bool]:
    """The brand.yml text made from `source` and whether it still needs a placeholder logo.

    Its logo and `source: file` fonts are copied when they lie beside it; the settings that are
    ours (`defaults.pipeline`) are added, commented, when it has none.
    """
    import io

    from ruamel.yaml import YAML

    data = _source_brand(source)
    folder = source.parent
    needs_logo = False
    logo = data.get("logo")
    # `logo: file`, or `logo: {small: file, large: {path: file, alt: …}, images: {name: file}}`
    places: list[tuple[Any, Any]] = []
    if isinstance(logo, str):
        places.append((data, "logo"))
    elif isinstance(logo, dict):
        for key, value in logo.items():
            if key == "images" and isinstance(value, dict):
                for name, image in value.items():
                    places.append((image, "path") if isinstance(image, dict) else (value, name))
            else:
                places.append((value, "path") if isinstance(value, dict) else (logo, key))
    else:
        data["logo"] = "logo.svg"
        needs_logo = True
    for owner, key in places:
        value = owner.get(key)
        found = _local_file(value, folder)
        if found is not None:
            target = staging / str(value)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(found, target)
        elif isinstance(value, str) and "://" not in value:
            owner[key] = "logo.svg"  # named but not there: the placeholder takes its place
            needs_logo = True
    for font in ((data.get("typography") or {}).get("fonts") or []):
        for entry in (font.get("files") or []) if isinstance(font, dict) and font.get("source") == "file" else []:
            name = entry.get("path") if isinstance(entry, dict) else entry
            found = _local_file(name, folder)
            if found is None:
                raise UsageError(f"font file {name} of {font.get('family')!r} is not beside the brand file", source)
            target = staging / str(name)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(found, target)
    yaml = YAML(typ="rt")
    yaml.width = 110
    buffer = io.StringIO()
    yaml.dump(data, buffer)
    text = f"# Theme made from {source.name} by `convert theme new --from`.\n" + buffer.getvalue()
    defaults = data.get("defaults")
    if not (isinstance(defaults, dict) and "pipeline" in defaults):
        ours = _starter_text("x", cover=("primary", '"#FFFFFF"'))  # names any brand has
        block = ours[ours.index("  pipeline:"):]
        if isinstance(defaults, dict):
            text = text.replace("\ndefaults:\n", "\ndefaults:\n" + block, 1)
        else:
            text = text.rstrip("\n") + "\n\ndefaults:\n" + block
    return text, needs_logo


def _brand_names(text: str) -> tuple[str, str]:
    """The brand's full name and primary colour, for the vocabulary and the placeholder logo."""
    import yaml

    try:
        data = yaml.safe_load(text) or {}
    except yaml.YAMLError:
        data = {}
    name = (data.get("meta") or {}).get("name")
    full = (name.get("full") if isinstance(name, dict) else name) or ""
    colours = data.get("color") or {}
    primary = colours.get("primary") or STARTER_COLOURS["primary"]
    primary = (colours.get("palette") or {}).get(primary, primary)
    return str(full), str(primary)


def new_theme(name: str, parent: Path = Path("styles"), source: Path | None = None) -> Path:
    """Write a theme folder `parent/name`; raise UsageError if it exists. Returns the folder."""
    _check_name(name)
    target = parent / name
    if target.exists():
        raise UsageError("a theme folder is already there; choose another name or remove it first", target)
    parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{name}.", suffix=".tmp", dir=parent))
    try:
        if source is not None:
            text, needs_logo = _from_source(Path(source), staging)
        else:
            text, needs_logo = _starter_text(name), True
        (staging / "brand.yml").write_text(text, encoding="utf-8")
        full, primary = _brand_names(text)
        if needs_logo:
            from pipeline.theme.check import rgb

            colour = primary if rgb(primary) else STARTER_COLOURS["primary"]
            label = f"{full or name} logo (placeholder)"
            (staging / "logo.svg").write_text(PLACEHOLDER_LOGO.format(label=label, colour=colour), encoding="utf-8")
        names = [full] if full and full != name else []
        (staging / "vocabulary.txt").write_text(VOCABULARY_HEADER + "".join(f"{n}\n" for n in names),
                                                encoding="utf-8")
        os.chmod(staging, 0o755)
        try:
            os.rename(staging, target)  # fails rather than replace a folder made meanwhile (unless empty)
        except OSError as exc:
            raise UsageError(f"cannot create the theme folder: {exc.strerror}", target) from None
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return target
