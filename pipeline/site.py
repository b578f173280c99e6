"""The website a document is a page of: where `/img/…` lives, and what the site's address is.

Website Markdown names its images from the site's root (`/img/chart.png`), which the generator
serves from a static folder of the site's repository (Hugo's `static/`, VitePress's `public/`, the
Jekyll root …). `find_site` finds that site, given (`--site-root`) or by walking up from the document
to a generator's config file, and `Site.resolve` maps such a path to the file. Only files inside
the site root are ever returned: `..` and symlinks that lead out of it are refused.
"""

from __future__ import annotations

import json
import posixpath
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote, urlsplit

import yaml

from pipeline.errors import UsageError

if TYPE_CHECKING:
    from pipeline.document import Document

# Generator → (files or folders that mark its root, config file names to read, in order).
_HUGO_CONFIGS = ("hugo.toml", "hugo.yaml", "hugo.yml", "hugo.json")
_GENERIC_CONFIGS = ("config.toml", "config.yaml", "config.yml", "config.json")
_JS = ("js", "ts", "mjs", "cjs", "mts")
_MARKERS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("hugo", _HUGO_CONFIGS + tuple(f"config/_default/{n}" for n in _HUGO_CONFIGS + _GENERIC_CONFIGS)),
    ("jekyll", ("_config.yml", "_config.yaml", "_config.toml")),
    ("vitepress", (*(f".vitepress/config.{e}" for e in _JS), ".vitepress")),
    ("docusaurus", tuple(f"docusaurus.config.{e}" for e in _JS)),
    ("mkdocs", ("mkdocs.yml", "mkdocs.yaml")),
    ("gatsby", tuple(f"gatsby-config.{e}" for e in _JS)),
    ("astro", tuple(f"astro.config.{e}" for e in _JS)),
    ("next", tuple(f"next.config.{e}" for e in _JS)),
    ("mdbook", ("book.toml",)),
)
# A bare config.toml is Hugo's only beside a content folder (many tools use that name).
_HUGO_BESIDE = ("content", "archetypes", "layouts", "themes")


@dataclass(frozen=True)
class Site:
    """A website source folder and how it serves files."""

    root: Path  # resolved
    generator: str  # hugo, jekyll, vitepress, docusaurus, mkdocs, gatsby, astro, next, mdbook; "site" if unknown
    config: Path | None = None
    # Folders whose files the site serves from "/", in the order the generator looks.
    static_dirs: tuple[Path, ...] = ()
    # The site's public address ("https://example.org/docs/"), when its config says.
    base_url: str | None = None
    # The path prefix the site is served under ("/docs/"); root-relative paths may carry it.
    base_path: str = "/"
    given: bool = False  # named by --site-root or a config file rather than found
    # The generator's config as data (Hugo params, Jekyll's url/baseurl/permalink …), for templates.
    settings: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    def describe(self) -> str:
        name = "site" if self.generator == "site" else f"{self.generator} site"
        return f"{name} at {self.root}"

    def contains(self, path: Path) -> bool:
        return path.resolve().is_relative_to(self.root)

    def resolve(self, url_path: str) -> tuple[Path | None, str]:
        """The served file a root-relative path names, or (None, why not).

        The reason is "" for a file the site does not have, "outside" for one that leads out of the
        site root (a symlink). As in a browser, `..` never climbs above the site's root.
        """
        relative = posixpath.normpath("/" + unquote(url_path)).lstrip("/")
        prefix = self.base_path.strip("/")
        if prefix and (relative == prefix or relative.startswith(prefix + "/")):
            relative = relative[len(prefix):].lstrip("/")
        if not relative:
            return None, ""
        outside = False
        for folder in self.static_dirs:
            candidate = (folder / relative).resolve()
            if not candidate.is_relative_to(self.root):
                outside = outside or candidate.exists()
                continue
            if candidate.is_file():
                return candidate, ""
        return None, "outside" if outside else ""

    def page_url(self, url_path: str) -> str | None:
        """The web address of a root-relative link on this site, when the site's address is known."""
        if not self.base_url:
            return None
        parts = urlsplit(self.base_url)
        path = url_path
        prefix = self.base_path.rstrip("/")
        if prefix and not (path == prefix or path.startswith(prefix + "/")):
            path = prefix + path
        return f"{parts.scheme}://{parts.netloc}{path}"


def find_site(document_path: Path, site_root: Path | None = None) -> Site | None:
    """The site `document_path` (a document, or a folder of them) belongs to: `site_root` when given,
    else the nearest folder above it with a generator's config (the walk stops at a `.git` folder)."""
    if site_root is not None:
        root = Path(site_root).expanduser()
        if not root.is_dir():
            raise UsageError("the site root is not a folder", root)
        return _describe(root.resolve(), given=True)
    path = Path(document_path).resolve()
    start = path if path.is_dir() else path.parent
    for folder in (start, *start.parents):
        site = _describe(folder, given=False)
        if site is not None:
            return site
        if (folder / ".git").exists():
            return None
    return None


def _marker(folder: Path) -> tuple[str, Path] | None:
    for generator, names in _MARKERS:
        for name in names:
            path = folder / name
            if path.exists():
                return generator, path
    for name in _GENERIC_CONFIGS:
        path = folder / name
        if path.is_file() and any((folder / d).is_dir() for d in _HUGO_BESIDE):
            return "hugo", path
    return None


def _describe(root: Path, *, given: bool) -> Site | None:
    found = _marker(root)
    if found is None:
        if not given:
            return None
        # A folder named as the site root without a generator's config: a built site, or a static
        # folder of its own. "/x" is served from the folder itself, else from the usual places.
        dirs = [root, *(root / d for d in ("static", "public", "assets"))]
        return Site(root, "site", None, tuple(d for d in dirs if d.is_dir()), given=True)
    generator, config = found
    settings = _read_config(config) if config.is_file() else {}
    reader = _GENERATORS.get(generator, _static_only("static", "public"))
    dirs, base_url = reader(root, settings, config)
    base_path = urlsplit(base_url).path if base_url else "/"
    if generator == "jekyll" and isinstance(settings.get("baseurl"), str):
        base_path = settings["baseurl"] or "/"
    resolved = []
    for folder in dirs:
        folder = folder.resolve()
        if folder.is_dir() and folder.is_relative_to(root) and folder not in resolved:
            resolved.append(folder)
    settings = {k: v for k, v in settings.items() if k != "__source__"}
    return Site(root, generator, config, tuple(resolved), base_url or None, base_path or "/", given, settings)


class _LenientLoader(yaml.SafeLoader):
    """Safe YAML that reads generator configs with tags for their own code (`!!python/name:…`,
    `!ENV`) as plain values instead of failing."""


def _unknown_tag(loader: _LenientLoader, suffix: str, node: yaml.Node) -> Any:
    if isinstance(node, yaml.ScalarNode):
        return loader.construct_scalar(node)
    if isinstance(node, yaml.SequenceNode):
        return loader.construct_sequence(node)
    return loader.construct_mapping(node)  # type: ignore[arg-type]


_LenientLoader.add_multi_constructor("!", _unknown_tag)
_LenientLoader.add_multi_constructor("tag:yaml.org,2002:python/", _unknown_tag)


def _read_config(path: Path) -> dict[str, Any]:
    """A generator's config as data; {} when it is code (JavaScript) or unreadable."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return {}
    try:
        if path.suffix == ".toml":
            data = tomllib.loads(text)
        elif path.suffix in (".yml", ".yaml"):
            data = yaml.load(text, Loader=_LenientLoader)  # a SafeLoader subclass
        elif path.suffix == ".json":
            data = json.loads(text)
        else:
            return {"__source__": text}
    except (ValueError, yaml.YAMLError, tomllib.TOMLDecodeError):
        return {}
    return data if isinstance(data, dict) else {}


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [v for v in value if isinstance(v, str)]
    return []


# A JavaScript config is code; its address is usually a plain string literal we can read.
def _js_string(source: str, *keys: str) -> str | None:
    for key in keys:
        match = re.search(rf"""\b{key}\s*:\s*["'`]([^"'`]+)["'`]""", source)
        if match:
            return match.group(1)
    return None


def _hugo(root: Path, settings: dict[str, Any], config: Path) -> tuple[list[Path], str | None]:
    static = _strings(settings.get("staticDir")) or ["static"]
    themes = _strings(settings.get("theme"))
    themes_dir = settings.get("themesDir") if isinstance(settings.get("themesDir"), str) else "themes"
    # Hugo's image render hook also finds global resources in assets/ (Hugo ≥ 0.123).
    dirs = [root / s for s in static] + [root / "assets"]
    for theme in themes:
        dirs += [root / themes_dir / theme / "static", root / themes_dir / theme / "assets"]
    base = settings.get("baseURL") or settings.get("baseurl")
    return dirs, base if isinstance(base, str) and base.startswith(("http://", "https://")) else None


def _jekyll(root: Path, settings: dict[str, Any], config: Path) -> tuple[list[Path], str | None]:
    source = settings.get("source") if isinstance(settings.get("source"), str) else "."
    url = settings.get("url") if isinstance(settings.get("url"), str) else ""
    baseurl = settings.get("baseurl") if isinstance(settings.get("baseurl"), str) else ""
    address = (url.rstrip("/") + "/" + baseurl.strip("/")).rstrip("/") + "/" if url else None
    return [root / source], address


def _vitepress(root: Path, settings: dict[str, Any], config: Path) -> tuple[list[Path], str | None]:
    source = _read_config(config).get("__source__", "") if config.is_file() else ""
    src_dir = _js_string(source, "srcDir") or "."
    # Files in public/ are served from "/"; VitePress also resolves "/x" inside the source folder.
    return [root / src_dir / "public", root / src_dir], _js_string(source, "hostname")


def _docusaurus(root: Path, settings: dict[str, Any], config: Path) -> tuple[list[Path], str | None]:
    source = settings.get("__source__", "")
    url, base = _js_string(source, "url"), _js_string(source, "baseUrl")
    return [root / "static"], (url.rstrip("/") + "/" + (base or "/").lstrip("/")) if url else None


def _mkdocs(root: Path, settings: dict[str, Any], config: Path) -> tuple[list[Path], str | None]:
    docs = settings.get("docs_dir") if isinstance(settings.get("docs_dir"), str) else "docs"
    url = settings.get("site_url")
    return [root / docs], url if isinstance(url, str) and url.startswith(("http://", "https://")) else None


def _static_only(*names: str) -> Any:
    def reader(root: Path, settings: dict[str, Any], config: Path) -> tuple[list[Path], str | None]:
        source = settings.get("__source__", "")
        url = _js_string(source, "siteUrl", "site", "url")
        return [root / n for n in names], url if url and url.startswith(("http://", "https://")) else None

    return reader


_GENERATORS = {
    "hugo": _hugo,
    "jekyll": _jekyll,
    "vitepress": _vitepress,
    "docusaurus": _docusaurus,
    "mkdocs": _mkdocs,
    "gatsby": _static_only("static"),
    "astro": _static_only("public"),
    "next": _static_only("public"),
    "mdbook": _static_only("src"),
}


def web_address(url_path: str, document: Document) -> str | None:
    """The web address a root-relative link (`/about/`) has on the document's site: from the site's
    configured address, else from the page's own canonical URL (front matter `url`, `seo.url`)."""
    if not url_path.startswith("/") or url_path.startswith("//"):
        return None
    site = document.site
    if site is not None and site.base_url:
        return site.page_url(url_path)
    page = document.meta.url or ""
    parts = urlsplit(page)
    if parts.scheme in ("http", "https") and parts.netloc:
        return f"{parts.scheme}://{parts.netloc}{url_path}"
    return None
