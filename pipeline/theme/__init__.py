"""Brand themes: one brand.yml per folder under styles/, from which every format's styling is derived."""

from __future__ import annotations

import functools
import hashlib
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from pipeline.errors import ThemeError
from pipeline.fonts.faces import FontFace, package_name, resolve_fonts

BRAND_FILE = "brand.yml"
DEFAULT_THEME = "openinfra"

# Our own settings live under brand.yml's `defaults.pipeline`, the place brand.yml reserves for tools.
_PAGE_DEFAULTS = {"size": "A4", "margin": {"top": "22mm", "bottom": "24mm", "inside": "22mm", "outside": "20mm"}}
_PAGE_SIZES = {"a4": ("210mm", "297mm"), "letter": ("8.5in", "11in"), "a5": ("148mm", "210mm")}


def theme_search_path() -> list[Path]:
    """Where `--theme NAME` is looked up: the working folder's styles/, then the ones we ship."""
    here = Path(__file__).resolve().parent.parent
    candidates = [Path.cwd() / "styles", here.parent / "styles", here / "_styles"]
    seen: list[Path] = []
    for candidate in candidates:
        if candidate.is_dir() and candidate.resolve() not in seen:
            seen.append(candidate.resolve())
    return seen


def shipped_default_root() -> Path | None:
    """The neutral theme that comes with the package (from a checkout or from the wheel)."""
    here = Path(__file__).resolve().parent.parent
    for candidate in (here.parent / "styles" / "default", here / "_styles" / "default"):
        if (candidate / BRAND_FILE).is_file():
            return candidate
    return None


def available_themes() -> list[str]:
    names = {p.parent.name for root in theme_search_path() for p in root.glob(f"*/{BRAND_FILE}")}
    return sorted(names)


def _find_theme_dir(name: str) -> Path:
    as_path = Path(name)
    if as_path.is_dir() and (as_path / BRAND_FILE).is_file():
        return as_path.resolve()
    for root in theme_search_path():
        if (root / name / BRAND_FILE).is_file():
            return root / name
    known = ", ".join(available_themes()) or "none"
    raise ThemeError(f"unknown theme {name!r} (available: {known})")


def _deep_merge(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _deep_merge(merged[key], value)
        else:
            merged[key] = value
    return merged


@dataclass
class Theme:
    """A brand theme. Finding it is cheap; brand.yml is parsed and fonts resolved on first use.

    Planning a batch needs only the fingerprint, so a no-op rebuild never pays for brand-yml's
    (pydantic's) import, which alone takes about a second.
    """

    name: str
    root: Path
    loaded: tuple[Any, list[FontFace], dict[str, Any]] | None = field(default=None, repr=False)
    # What every job reads (fonts, settings, tokens), from brand.yml or from the cache folder.
    facts: tuple[list[FontFace], dict[str, Any], dict[str, Any]] | None = field(default=None, repr=False)

    def _load(self) -> tuple[Any, list[FontFace], dict[str, Any]]:
        if self.loaded is None:
            self.loaded = _parse_brand(self.root)
        return self.loaded

    def _facts(self) -> tuple[list[FontFace], dict[str, Any], dict[str, Any]]:
        """Fonts, settings and tokens: kept in the cache folder by the theme's fingerprint, so a run
        whose theme was read before never imports brand-yml and pydantic (a quarter of a second)."""
        if self.facts is None:
            self.facts = _cached_facts(self)
        return self.facts

    def validate(self) -> None:
        """Parse brand.yml and resolve the fonts now: errors surface as ThemeError before any work.

        A theme whose files, font packages and reading code are those of an earlier run that parsed
        it (the cache, see `_facts`) passed then and is not parsed again.
        """
        self._facts()

    @property
    def brand(self) -> Any:  # brand_yml.Brand
        return self._load()[0]

    @property
    def fonts(self) -> list[FontFace]:
        return self._facts()[0]

    @property
    def settings(self) -> dict[str, Any]:
        return self._facts()[1]

    @cached_property
    def fallback(self) -> Any:
        """The fallback chain behind the brand fonts (`pipeline.fonts.fallback.Chain`), resolved once."""
        from pipeline.fonts.fallback import load_chain

        return load_chain(self)

    @property
    def brand_file(self) -> Path:
        return self.root / BRAND_FILE

    @property
    def default_root(self) -> Path:
        """Where templates and files this theme lacks come from: a `default` theme beside it, else
        the one we ship (a theme given by path may live anywhere, with no `default` beside it)."""
        sibling = self.root.parent / "default"
        if (sibling / BRAND_FILE).is_file():
            return sibling
        return shipped_default_root() or sibling

    def find_file(self, relative: str) -> Path | None:
        """A theme file, falling back to the default theme's copy."""
        for base in (self.root, self.default_root):
            candidate = base / relative
            if candidate.is_file():
                return candidate
        return None

    @cached_property
    def tokens(self) -> dict[str, Any]:
        """Flat design tokens every template reads (colours, fonts, page, logo, names)."""
        return self._facts()[2]

    def _tokens(self) -> dict[str, Any]:
        brand = self.brand
        colors = brand.color.to_dict() if brand.color else {}
        typo = brand.typography
        base = getattr(typo, "base", None)
        headings = getattr(typo, "headings", None)
        mono = getattr(typo, "monospace", None)
        link = getattr(typo, "link", None)
        fg = colors.get("foreground", "#1a1a1a")
        primary = colors.get("primary", fg)
        settings = self._load()[2]
        page = _deep_merge(_PAGE_DEFAULTS, settings.get("page", {}))
        width, height = _PAGE_SIZES.get(str(page["size"]).lower(), (None, None))
        name = brand.meta.name if brand.meta else None
        cover = settings.get("cover", {})

        def color(value: Any, fallback: str) -> str:
            # Theme settings may name palette colours, as brand.yml's own fields do.
            return str(colors.get(str(value), value)) if value else fallback

        fonts = {
            "base": getattr(base, "family", None) or "serif",
            "headings": getattr(headings, "family", None) or getattr(base, "family", None) or "sans-serif",
            "mono": getattr(mono, "family", None) or "monospace",
            "size": getattr(base, "size", None) or "10.5pt",
            "line_height": getattr(base, "line_height", None) or 1.45,
            "headings_weight": getattr(headings, "weight", None) or 700,
        }
        # CSS font-family values; a document's fallback families join them (pipeline.fonts.fallback).
        fonts.update(base_stack=f'"{fonts["base"]}", serif', headings_stack=f'"{fonts["headings"]}", sans-serif',
                     mono_stack=f'"{fonts["mono"]}", monospace')
        tokens: dict[str, Any] = {
            "name": getattr(name, "full", None) or getattr(name, "short", None) or self.name,
            "short_name": getattr(name, "short", None) or getattr(name, "full", None) or self.name,
            "home": str(getattr(getattr(brand.meta, "link", None), "home", "") or ""),
            "color": {
                **colors,
                "foreground": fg,
                "background": colors.get("background", "#ffffff"),
                "primary": primary,
                "secondary": colors.get("secondary", fg),
                "muted": colors.get("tertiary", colors.get("secondary", "#6b7280")),
                "light": colors.get("light", "#f4f5f7"),
                "headings": getattr(headings, "color", None) or primary,
                "link": getattr(link, "color", None) or primary,
                "cover_background": color(cover.get("background"), primary),
                "cover_foreground": color(cover.get("foreground"), colors.get("background", "#ffffff")),
                "cover_accent": color(cover.get("accent"), primary),
            },
            "font": fonts,
            "page": {**page, "width": width, "height": height},
            "toc_depth": int(settings.get("toc_depth", 2)),
            "logo": self.logo_path("large"),
        }
        from pipeline.theme.callouts import callout_palette
        from pipeline.theme.highlight import code_palette, css_rules

        tokens["callout"] = callout_palette(tokens["color"])
        tokens["code"] = code_palette(tokens["color"])
        tokens["code_css"] = css_rules(tokens["code"])
        return tokens

    def logo_path(self, size: str = "large") -> Path | None:
        logo = self.brand.logo
        if logo is None:
            return None
        resource = getattr(logo, size, None) or getattr(logo, "medium", None) or getattr(logo, "small", None)
        location = getattr(getattr(resource, "path", None), "root", None)
        if location is None or "://" in str(location):
            return None
        path = (self.root / str(location)).resolve()
        return path if path.is_file() and path.is_relative_to(self.root.resolve()) else None

    @property
    def _jinja(self) -> Any:
        return _template_environment(tuple(str(base / "templates") for base in (self.root, self.default_root)))

    def render(self, template: str, **context: Any) -> str:
        """Render a theme template (the theme's own, else the default theme's)."""
        import jinja2

        try:
            return self._jinja.get_template(template).render(theme=self.tokens, fonts=self.fonts, **context)
        except jinja2.TemplateError as exc:
            where = getattr(exc, "filename", None) or template
            raise ThemeError(f"template error: {exc}", where, getattr(exc, "lineno", None)) from exc

    @cached_property
    def fingerprint(self) -> str:
        """A hash of everything that shapes the output: theme files, default theme files, font packages."""
        digest = hashlib.sha256()
        for base in (self.root, self.default_root):
            for path in sorted(p for p in base.rglob("*") if p.is_file()):
                digest.update(str(path.relative_to(base)).encode())
                digest.update(path.read_bytes())
        for package, version in _font_package_versions(self.brand_file):
            digest.update(f"{package}=={version}".encode())
        from pipeline.fonts.fallback import chain_fingerprint

        for font in chain_fingerprint(self):
            digest.update(font.encode())
        return digest.hexdigest()


@functools.cache
def _template_environment(folders: tuple[str, ...]) -> Any:
    """One Jinja environment per template search path, so each template is compiled once per process:
    every job loads its theme afresh, and print variants are copies of it, but the templates are the
    same files (Jinja still reloads one that changed on disk). Compiled templates are also kept in
    the cache folder (Jinja's bytecode cache, by template and source checksum): a fresh process
    loads them in 5 ms instead of compiling them in 40."""
    import jinja2

    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(list(folders)),
        bytecode_cache=template_bytecode_cache(),
        # Titles and text from untrusted documents reach HTML templates; CSS templates only see tokens.
        autoescape=jinja2.select_autoescape(enabled_extensions=("html", "html.j2", "xhtml.j2")),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def template_bytecode_cache() -> Any:
    """Jinja's bytecode cache in our cache folder, or None when there is no writable one."""
    import jinja2

    from pipeline.cache import cache_dir

    try:
        return jinja2.FileSystemBytecodeCache(str(cache_dir("templates")))
    except OSError:
        return None


def _font_package_versions(brand_file: Path) -> list[tuple[str, str]]:
    """Versions of the fontpkg-* packages a brand's fonts come from (read without brand-yml).

    `file` fonts live in the theme folder, which the fingerprint hashes already.
    """
    from importlib.metadata import PackageNotFoundError, version

    data = brand_data(brand_file)
    if data is None:
        return []
    fonts = (data.get("typography") or {}).get("fonts") or [] if isinstance(data, dict) else []
    found = []
    for font in fonts:
        if isinstance(font, dict) and font.get("source", "google") != "file" and font.get("family"):
            package = package_name(str(font["family"]))
            try:
                found.append((package, version(package)))
            except PackageNotFoundError:
                found.append((package, "missing"))
    return found


def _cached_facts(theme: Theme) -> tuple[list[FontFace], dict[str, Any], dict[str, Any]]:
    """The theme's fonts, settings and tokens, from the cache folder or parsed (and then cached).

    The key covers everything they are made of: the theme's fingerprint (its files, the default
    theme's, the font packages' versions), where it and the fonts live, brand-yml's version and our
    own code.
    """
    import sys
    from importlib.metadata import PackageNotFoundError, version

    from pipeline.batch.plan import code_fingerprint
    from pipeline.cache import cached

    try:
        brand_version = version("brand-yml")
    except PackageNotFoundError:
        brand_version = "missing"

    def parse() -> tuple[list[FontFace], dict[str, Any], dict[str, Any]]:
        _brand, fonts, settings = theme._load()
        return fonts, _plain(settings), _plain(theme._tokens())

    return cached("theme", [theme.fingerprint, str(theme.root.resolve()), sys.prefix, brand_version,
                            code_fingerprint()], parse)


def _plain(value: Any) -> Any:
    """`value` with brand-yml's YAML types (ruamel's maps, lists and scalars) as Python's own, so the
    cached copy loads without ruamel."""
    if isinstance(value, dict):
        return {_plain(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(_plain(v) for v in value) if type(value) in (list, tuple) else [_plain(v) for v in value]
    for kind in (bool, str, int, float):
        if isinstance(value, kind):
            return kind(value)
    return value


def brand_data(brand_file: Path) -> Any:
    """A brand.yml as plain data, without brand-yml (planning needs a few of its values); None when it
    cannot be read. Read once per version of the file; the result is shared, so never change it."""
    try:
        stat = brand_file.stat()
    except OSError:
        return None
    return _brand_data(str(brand_file), stat.st_mtime_ns, stat.st_size)


@functools.lru_cache(maxsize=32)
def _brand_data(path: str, _mtime_ns: int, _size: int) -> Any:
    import yaml

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml's parser: ten times faster
    try:
        with open(path, encoding="utf-8") as handle:
            return yaml.load(handle.read(), Loader=loader) or {}  # a safe loader, either way
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        return None


def _parse_brand(root: Path) -> tuple[Any, list[FontFace], dict[str, Any]]:
    brand_file = root / BRAND_FILE
    import brand_yml
    import pydantic
    import yaml
    from ruamel.yaml.error import MarkedYAMLError, YAMLError

    try:
        brand = brand_yml.Brand.from_yaml(brand_file)
    except MarkedYAMLError as exc:  # brand-yml reads with ruamel.yaml, not PyYAML
        mark = exc.problem_mark or exc.context_mark
        problem = " ".join(f"{exc.context or ''} {exc.problem or ''}".split())[:200]
        raise ThemeError(f"invalid brand file (YAML): {problem}", brand_file,
                         mark.line + 1 if mark else None) from None
    except (pydantic.ValidationError, yaml.YAMLError, YAMLError, ValueError) as exc:
        first = str(exc).strip().splitlines()
        raise ThemeError(f"invalid brand file: {' '.join(first[:3])}", brand_file) from exc
    settings = (brand.defaults or {}).get("pipeline", {}) or {}
    return brand, resolve_fonts(brand, root, brand_file), settings


def load_theme(name: str = DEFAULT_THEME) -> Theme:
    """Find a theme by name (a folder under styles/) or by path to a folder holding brand.yml.

    The brand file is read on first use; call `validate()` to check it up front.
    """
    root = _find_theme_dir(name)
    return Theme(name=root.name, root=root)
