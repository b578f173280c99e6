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

    @property
    def format(self) -> str:
        return _FORMATS.get(self.path.suffix.lower(), "truetype")


def _packaged_faces(family: str, theme_file: Path, weights: set[int]) -> list[FontFace]:
    import fontpkg

    try:
        fam = fontpkg.family(family)
    except Exception as exc:  # fontpkg raises its own FontNotFound; any failure means "not installed"
        slug = family.lower().replace(" ", "-")
        raise ThemeError(
            f"font family {family!r} is not installed as a font package (pip install fontpkg-{slug})",
            theme_file,
        ) from exc
    faces = []
    for file in fam.files:
        if file.variable:
            weight = f"{file.wght_min or 400} {file.wght_max or 400}"
        elif (file.weight or 400) in weights:
            weight = str(file.weight or 400)
        else:
            continue  # static families ship every weight; embedding only the used ones keeps EPUBs small
        faces.append(FontFace(family, Path(file.path), weight, file.style or "normal"))
    return faces


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
    weights = {400, 700} | ({int(headings_weight)} if str(headings_weight).isdigit() else set())
    for font in getattr(typography, "fonts", None) or []:
        if font.source == "file":
            faces.extend(_file_faces(font, root, theme_file))
        else:
            faces.extend(_packaged_faces(font.family, theme_file, weights))
    return faces
