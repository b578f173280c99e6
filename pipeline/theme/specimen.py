"""`convert theme specimen`: one document with every element the writers style, built in every
format with a theme, so a designer sees the brand applied everywhere from one command.

The specimen's source (`specimen.md` beside this module) and a chart drawn in the theme's palette
are written to `<out>/source/`; the outputs are built by the ordinary batch, so the specimen shows
exactly what a report in that theme gets, and is rebuilt only when the theme (or the pipeline)
changed.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pipeline.atomic import write_bytes_atomically, write_text_atomically

if TYPE_CHECKING:
    from pipeline.batch import BatchResult
    from pipeline.theme import Theme

SOURCE = Path(__file__).with_name("specimen.md")
CHART = "specimen-chart.png"


def specimen_text(theme: Theme) -> str:
    # Replaced, not str.format: the Markdown is full of braces ({lang=ar}, {.smallcaps}).
    return SOURCE.read_text(encoding="utf-8").replace("{theme_name}", theme.tokens["name"])


def palette_chart(theme: Theme) -> bytes:
    """A bar chart in the theme's colours (no text: no font of the machine's can slip in)."""
    from PIL import Image, ImageDraw

    from pipeline.theme.check import rgb

    colours = theme.tokens["color"]
    palette = [c for c in dict.fromkeys(str(v) for v in (colours.get("palette") or {}).values()) if rgb(c)]
    bars = palette or [colours["primary"], colours["secondary"], colours["muted"]]
    width, height, margin = 800, 360, 40
    image = Image.new("RGB", (width, height), rgb(colours["background"]) or (255, 255, 255))
    draw = ImageDraw.Draw(image)
    step = (width - 2 * margin) // max(1, len(bars))
    for index, colour in enumerate(bars):
        top = margin + (index * 53) % (height - 3 * margin)
        draw.rectangle((margin + index * step + 8, top, margin + (index + 1) * step - 8, height - margin),
                       fill=rgb(colour) or (128, 128, 128), outline=rgb(colours["foreground"]), width=2)
    draw.line((margin, height - margin, width - margin, height - margin), fill=rgb(colours["foreground"]), width=3)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()


def write_specimen_source(theme: Theme, folder: Path) -> Path:
    """The specimen's Markdown and chart in `folder`; files whose content is unchanged are left alone."""
    document = folder / f"specimen-{theme.name}.md"
    for path, data in ((document, specimen_text(theme).encode("utf-8")), (folder / CHART, palette_chart(theme))):
        if not path.is_file() or path.read_bytes() != data:
            if path.suffix == ".md":
                write_text_atomically(path, data.decode("utf-8"))
            else:
                write_bytes_atomically(path, data)
    return document


def build_specimen(theme_name: str, out_dir: Path | None = None, formats: str = "all", **convert_options: Any
                   ) -> BatchResult:
    """Build the specimen with `theme_name` into `out_dir` (default `dist/specimen/<theme>`)."""
    from pipeline.convert import convert
    from pipeline.theme import load_theme

    theme = load_theme(theme_name)
    theme.validate()
    out = Path(out_dir) if out_dir is not None else Path("dist") / "specimen" / theme.name
    source = write_specimen_source(theme, out / "source")
    return convert([source], formats, out, theme, **convert_options)
