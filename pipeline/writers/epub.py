"""EPUB 3 writer: pandoc's EPUB3 with the theme's CSS and fonts, and complete metadata."""

from __future__ import annotations

import re
import shutil
import tempfile
import uuid
import zipfile
from pathlib import Path
from typing import TYPE_CHECKING

from pipeline.errors import WriterError
from pipeline.render import embedded_ast, run_pandoc, with_metadata

if TYPE_CHECKING:
    from pipeline.document import Document
    from pipeline.theme import Theme
    from pipeline.writers import WriteOptions, WriteResult


def stable_identifier(document: Document) -> str:
    """Same document, same identifier: derived from its canonical URL, else its name and title."""
    key = document.meta.url or f"{document.name}|{document.meta.title}"
    return f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, key)}"


def _ocf_safe(name: str) -> str:
    # OCF forbids some characters in container file names; variable fonts are named like X[wght].ttf.
    stem, suffix = Path(name).stem, Path(name).suffix
    return re.sub(r"[^A-Za-z0-9._-]+", "-", stem).strip("-") + suffix


def rewrite_container(path: Path, replacements: dict[str, bytes]) -> None:
    """Replace members of an EPUB (a zip whose first member, `mimetype`, must stay uncompressed)."""
    rewritten = path.with_name(path.name + ".rewrite")
    with zipfile.ZipFile(path) as source, zipfile.ZipFile(rewritten, "w") as target:
        missing = set(replacements) - set(source.namelist())
        if missing:
            raise WriterError(f"EPUB container has no {', '.join(sorted(missing))}")
        for info in source.infolist():
            data = replacements.get(info.filename, source.read(info.filename))
            compression = zipfile.ZIP_STORED if info.filename == "mimetype" else zipfile.ZIP_DEFLATED
            target.writestr(info, data, compress_type=compression)
    rewritten.replace(path)


class EpubWriter:
    name = "epub"
    extension = ".epub"
    description = "EPUB 3 e-book with navigation, embedded fonts and metadata"

    def write(self, document: Document, theme: Theme, options: WriteOptions, out_path: Path) -> WriteResult:
        from pipeline.writers import WriteResult

        with tempfile.TemporaryDirectory(prefix="pipeline-epub-") as folder:
            work = Path(folder)
            font_names = []
            for index, face in enumerate(theme.fonts):
                name = f"font{index:02d}-{_ocf_safe(face.path.name)}"
                shutil.copyfile(face.path, work / name)
                font_names.append(name)
            css = theme.render("epub.css.j2", epub_font_names=font_names)
            args = [
                "--toc-depth", str(theme.tokens["toc_depth"]),
                "--split-level", "1",
                *[arg for name in font_names for arg in ("--epub-embed-font", str(work / name))],
            ]
            source = with_metadata(embedded_ast(document), document, identifier=stable_identifier(document),
                                   rights=document.meta.extra.get("rights") or "")
            run_pandoc(source, "epub3", args=args, outputfile=out_path, document=document)
        # pandoc's --css cannot be combined with --sandbox, so the theme's CSS replaces pandoc's
        # default stylesheet inside the finished container instead.
        rewrite_container(out_path, {"EPUB/styles/stylesheet1.css": css.encode("utf-8")})
        return WriteResult()
