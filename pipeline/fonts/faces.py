"""Brand fonts resolved to packaged font files (fontpkg-*), so outputs never depend on the machine."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pipeline.errors import ThemeError

_FORMATS = {".ttf": "truetype", ".otf": "opentype", ".woff": "woff", ".woff2": "woff2"}


@dataclass(frozen=True)
class FontFace:
    """One font file and the weights/style it covers, ready for an @font-face rule."""

    family: str
    path: Path
    weight: str  # "400" for a static face, "100 900" for a variable one
    style: str  # "normal" or "italic"
    index: int = 0  # the face's number inside a font collection (.ttc)

    @property
    def format(self) -> str:
        return _FORMATS.get(self.path.suffix.lower(), "truetype")


def package_name(family: str) -> str:
    """The PyPI package a Google Fonts family comes in: `Noto Sans Arabic` → `fontpkg-noto-sans-arabic`."""
    return "fontpkg-" + "-".join(family.lower().split())


def packaged_faces(family: str, theme_file: Path | None, weights: set[int]) -> list[FontFace]:
    """The faces of an installed fontpkg family at `weights` (variable fonts pinned); ThemeError if absent."""
    import fontpkg

    try:
        fam = fontpkg.family(family)
    except Exception as exc:  # fontpkg raises its own FontNotFound; any failure means "not installed"
        raise ThemeError(
            f"font family {family!r} is not installed as a font package (pip install {package_name(family)})",
            theme_file,
        ) from exc
    faces = []
    for file in fam.files:
        if file.variable:
            low, high = int(file.wght_min or 400), int(file.wght_max or 400)
            for weight in sorted({min(max(w, low), high) for w in weights}):
                faces.append(FontFace(family, static_instance(Path(file.path), weight), str(weight),
                                      file.style or "normal"))
            continue
        if (file.weight or 400) in weights:
            weight = str(file.weight or 400)
        else:
            continue  # static families ship every weight; embedding only the used ones keeps EPUBs small
        faces.append(FontFace(family, Path(file.path), weight, file.style or "normal"))
    return faces


def static_instance(variable_font: Path, weight: int) -> Path:
    """A static copy of a variable font at one weight (other axes at their defaults), cached on disk.

    WeasyPrint instantiates variable fonts with fontTools on every PDF (over a second for the
    brand fonts); HarfBuzz does it once, in milliseconds, and every format then embeds plain static
    faces, which Word and e-readers also handle better than variable ones.
    """
    import hashlib

    from pipeline.cache import cache_dir

    stat = variable_font.stat()
    key = hashlib.sha1(f"{variable_font.resolve()}|{stat.st_size}|{stat.st_mtime_ns}".encode()).hexdigest()[:16]
    stem = "".join(ch if ch.isalnum() else "-" for ch in variable_font.stem).strip("-")
    target = cache_dir("fonts") / f"{stem}-{key}-{weight}.ttf"
    if target.is_file():
        return target
    import uharfbuzz as hb

    from pipeline.atomic import write_bytes_atomically

    face = hb.Face(hb.Blob.from_file_path(str(variable_font)))
    request = hb.SubsetInput()
    request.keep_everything()
    request.pin_all_axes_to_default(face)
    if "wght" in {axis.tag for axis in face.axis_infos}:
        request.pin_axis_location(face, "wght", weight)
    instance = hb.subset(face, request)
    if instance is None:
        raise ThemeError(f"could not make a static {weight} weight of {variable_font.name}")
    write_bytes_atomically(target, bytes(instance.blob.data))
    return target


def _file_faces(font: Any, root: Path, theme_file: Path) -> list[FontFace]:
    faces = []
    for entry in font.files:
        location = str(entry.path.root if hasattr(entry.path, "root") else entry.path)
        if "://" in location:
            raise ThemeError(f"font file {location} is remote; themes may only use local files", theme_file)
        path = (root / location).resolve()
        if not path.is_relative_to(root.resolve()) or not path.is_file():
            raise ThemeError(f"font file {location} is not a file inside the theme folder", theme_file)
        weight = str(entry.weight.root if hasattr(entry.weight, "root") else entry.weight or 400)
        weight = {"normal": "400", "bold": "700"}.get(weight, weight).replace("..", " ")
        faces.append(FontFace(font.family, path, weight, str(entry.style or "normal")))
    return faces


def resolve_fonts(brand: Any, root: Path, theme_file: Path) -> list[FontFace]:
    """Every face of every font the brand declares.

    `google`, `bunny` and `system` fonts are taken from installed font packages (fontpkg is
    generated from the Google Fonts catalogue), so a Quarto brand.yml works here unchanged and
    without network access; `file` fonts must sit inside the theme folder.
    """
    faces: list[FontFace] = []
    typography = getattr(brand, "typography", None)
    headings_weight = getattr(getattr(typography, "headings", None), "weight", None)
    weights = {400, 600, 700} | ({int(headings_weight)} if str(headings_weight).isdigit() else set())
    for font in getattr(typography, "fonts", None) or []:
        if font.source == "file":
            faces.extend(_file_faces(font, root, theme_file))
        else:
            faces.extend(packaged_faces(font.family, theme_file, weights))
    return faces
