"""Load stage: bytes on disk → `Document` (encoding, line endings, front matter, metadata)."""

from __future__ import annotations

import codecs
import re
from pathlib import Path
from typing import Any

import yaml
from frontmatter.default_handlers import YAMLHandler

from pipeline.document import Document
from pipeline.errors import LoadError, UsageError
from pipeline.metadata import map_metadata

MARKDOWN_SUFFIXES = (".md", ".markdown")
DEFAULT_MAX_BYTES = 20 * 1024 * 1024
MAX_FRONT_MATTER_CHARS = 1024 * 1024
MAX_YAML_NODES = 100_000

# Longest first: a UTF-32 little-endian mark begins with the UTF-16 one.
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le", "UTF-32 (little-endian)"),
    (codecs.BOM_UTF32_BE, "utf-32-be", "UTF-32 (big-endian)"),
    (codecs.BOM_UTF8, "utf-8", "UTF-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le", "UTF-16 (little-endian)"),
    (codecs.BOM_UTF16_BE, "utf-16-be", "UTF-16 (big-endian)"),
)


def _broken_after_bom(text: bytes, exc: UnicodeDecodeError, name: str, offset: int, path: Path) -> LoadError:
    """Where a file that announced its encoding with a byte-order mark stops being that encoding."""
    good = text[: exc.start].decode(exc.encoding, errors="replace")
    line = good.count("\n") + 1
    column = len(good) - (good.rfind("\n") + 1) + 1
    what = "the file ends in the middle of a character" if exc.reason == "truncated data" else exc.reason
    return LoadError(f"starts with a {name} byte-order mark, but the text breaks at byte {offset + exc.start} "
                     f"(line {line}, column {column}): {what}", path, line)


def decode(data: bytes, path: Path) -> tuple[str, str | None]:
    """Decode file bytes to text; return the text and a note when the encoding was not UTF-8."""
    for bom, encoding, name in _BOMS:
        if data.startswith(bom):
            try:
                return data[len(bom):].decode(encoding), (None if encoding == "utf-8" else name)
            except UnicodeDecodeError as exc:
                raise _broken_after_bom(data[len(bom):], exc, name, len(bom), path) from exc
    try:
        return data.decode("utf-8"), None
    except UnicodeDecodeError as exc:
        if b"\x00" in data[:8192] and data.count(b"\x00") > len(data) // 100:
            raise LoadError("is a binary file, not Markdown text", path) from exc
        from charset_normalizer import from_bytes

        results = from_bytes(data)
        best = results.best()
        if best is not None:
            # Single-byte Latin code pages often tie; windows-1252 is by far the most common legacy
            # encoding of Western web text (HTML5 even reads "latin-1" as it), so it wins ties.
            tied = [m for m in results if m.percent_chaos == best.percent_chaos and m.encoding == "cp1252"]
            best = tied[0] if tied else best
        if best is None:
            line = data[: exc.start].count(b"\n") + 1
            raise LoadError("is not UTF-8 and its encoding could not be detected", path, line) from exc
        return str(best), best.encoding


class _Problem(str):
    """A YAMLError payload that carries a message and a position like PyYAML's own errors."""

    def __new__(cls, problem: str, mark: Any) -> _Problem:
        instance = super().__new__(cls, problem)
        instance.problem, instance.problem_mark = problem, mark
        return instance


class _FrontMatterLoader(yaml.SafeLoader):
    """PyYAML's safe loader, except that an impossible date (2016-19-17) stays text instead of raising.

    Website front matter is hand-edited; one typo in a table cell must not make a page unreadable.
    """

    invalid_dates: list[tuple[int, str]]
    def get_single_data(self) -> Any:
        # An "alias bomb" (a few hundred bytes of nested &anchors and *aliases) expands to billions
        # of values once anything walks the result; measure the expansion before building anything.
        node = self.get_single_node()
        if node is None:
            return None
        if _expanded_size(node, {}) > MAX_YAML_NODES:
            raise yaml.YAMLError(_Problem(f"expands to more than {MAX_YAML_NODES:,} values through its aliases "
                                          "(a possible alias bomb); refusing to expand it", node.start_mark))
        return self.construct_document(node)

    def construct_yaml_timestamp(self, node: yaml.Node) -> Any:
        try:
            return super().construct_yaml_timestamp(node)
        except ValueError:
            self.invalid_dates.append((node.start_mark.line + 1, str(node.value)))
            return str(node.value)


_FrontMatterLoader.add_constructor("tag:yaml.org,2002:timestamp", _FrontMatterLoader.construct_yaml_timestamp)


def _expanded_size(node: yaml.Node, memo: dict[int, int]) -> int:
    """How many values `node` stands for once every alias is expanded (shared nodes counted each time)."""
    known = memo.get(id(node))
    if known is not None:
        return known
    memo[id(node)] = 1  # a recursive alias counts once rather than forever
    size = 1
    if isinstance(node, yaml.SequenceNode):
        size += sum(_expanded_size(item, memo) for item in node.value)
    elif isinstance(node, yaml.MappingNode):
        size += sum(_expanded_size(k, memo) + _expanded_size(v, memo) for k, v in node.value)
    memo[id(node)] = min(size, MAX_YAML_NODES + 1)
    return memo[id(node)]


def _load_yaml(raw: str) -> tuple[Any, list[tuple[int, str]]]:
    invalid_dates: list[tuple[int, str]] = []

    def loader(stream: str) -> _FrontMatterLoader:
        instance = _FrontMatterLoader(stream)
        instance.invalid_dates = invalid_dates
        return instance

    return YAMLHandler().load(raw, Loader=loader), invalid_dates


def split_front_matter(text: str, path: Path) -> tuple[dict[str, Any], str, int]:
    """Split off the YAML front matter; return (mapping, body, 1-based line where the body starts)."""
    handler = YAMLHandler()  # python-frontmatter's handler loads with yaml's SafeLoader
    if not handler.detect(text):
        return {}, text, 1
    try:
        raw, body = handler.split(text)
    except ValueError:  # an opening --- with no closing one: a thematic break, not front matter
        return {}, text, 1
    if len(raw) > MAX_FRONT_MATTER_CHARS:
        raise LoadError(f"front matter is {len(raw) // 1024} KB, over the {MAX_FRONT_MATTER_CHARS // 1024} KB limit",
                        path, 1)
    if body.startswith("\n"):  # the newline that ends the closing "---" line
        body = body[1:]
    body_line = text[: len(text) - len(body)].count("\n") + 1
    try:
        data, invalid_dates = _load_yaml(raw)
    except yaml.YAMLError as exc:
        if exc.args and isinstance(exc.args[0], _Problem):
            exc.problem, exc.problem_mark = exc.args[0].problem, exc.args[0].problem_mark
        mark = getattr(exc, "problem_mark", None)
        context = getattr(exc, "context_mark", None)
        if context is not None and (mark is None or mark.index >= len(raw.rstrip())):
            mark = context  # "unclosed [ at the end of input": the line that opened it is the useful one
        # The raw block starts right after the opening "---" on line 1, so its line 0 is file line 1.
        line = mark.line + 1 if mark is not None else 1
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        salvaged = _salvage_simple_mapping(raw)
        if salvaged is None:
            raise LoadError(f"front matter is not valid YAML: {problem}", path, line) from exc
        salvaged["__salvaged__"] = f"line {line}: {problem}"
        return salvaged, body, body_line
    if data is None:
        return {}, body, body_line
    if isinstance(data, dict) and invalid_dates:
        data["__invalid_dates__"] = invalid_dates
    if not isinstance(data, dict):
        raise LoadError(f"front matter must be a mapping of keys to values, not {type(data).__name__}", path, 2)
    return data, body, body_line


def _salvage_simple_mapping(raw: str) -> dict[str, Any] | None:
    """Read front matter made of one-line `key: value` entries, as static-site generators accept.

    Such blocks fail strict YAML when a plain value holds ': ' (`title: Filters: how`). Each line
    is read as YAML on its own; a line that still fails keeps its value as text, unless the value
    starts like a YAML structure (a list, a map, an anchor …), which we do not guess at.
    """
    result: dict[str, Any] = {}
    for line in raw.splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        key, sep, value = line.partition(":")
        if not sep or line[:1].isspace() or not re.fullmatch(r"[A-Za-z_][\w-]*", key):
            return None
        try:
            parsed, _ = _load_yaml(line)
        except yaml.YAMLError:
            parsed = None
        if isinstance(parsed, dict) and len(parsed) == 1:
            result.update(parsed)
            continue
        value = value.strip()
        if value.startswith(("[", "{", "&", "*", "!", "|", ">", '"', "'")):
            return None
        result[key] = value
    return result or None


def _front_matter_line(text: str, keys: tuple[str, ...]) -> int | None:
    """The file line where one of `keys` is set in the front matter (it starts on line 1)."""
    pattern = re.compile(rf"^(?:{'|'.join(keys)})\s*:", re.MULTILINE)
    match = pattern.search(text)
    return text.count("\n", 0, match.start()) + 1 if match else None


def _detected_language(body: str) -> dict[str, Any]:
    """The body's language, detected once per text (cached on disk: the model takes half a second to load)."""
    import hashlib
    import json

    from pipeline.cache import cache_dir
    from pipeline.i18n import detect_language

    digest = hashlib.sha256(body.encode("utf-8", "surrogatepass")).hexdigest()
    cached = cache_dir("language") / f"{digest[:32]}.json"
    try:
        return dict(json.loads(cached.read_text(encoding="utf-8")))
    except (OSError, ValueError):
        pass
    from pipeline import trace

    with trace.span("detect language"):
        found = {"source": "detected", **detect_language(body).to_dict()}
    try:
        from pipeline.atomic import write_text_atomically

        write_text_atomically(cached, json.dumps(found, ensure_ascii=False))
    except OSError:
        pass
    return found


def resolve_language(document: Document, text: str, override: str | None = None) -> None:
    """Set the document's language: `--lang`, else the front matter's (a valid BCP 47 tag, or a
    LoadError naming the line), else detected from the text; `meta.lang_origin` says which and why."""
    from pipeline.i18n import is_valid_tag, normalize_tag

    if override:
        document.meta.lang = normalize_tag(override)
        document.meta.lang_origin = {"source": "--lang", "lang": document.meta.lang}
        return
    given = document.front_matter.get("lang") or document.front_matter.get("language")
    if given is not None and str(given).strip():
        line = _front_matter_line(text, ("lang", "language"))
        if not isinstance(given, str) or not is_valid_tag(given):
            raise LoadError(f"lang {given!r} is not a valid BCP 47 language tag (for example en, pt-BR, zh-Hant)",
                            document.source, line)
        document.meta.lang = normalize_tag(given)
        document.meta.lang_origin = {"source": "front matter", "lang": document.meta.lang, "line": line}
        return
    document.meta.lang_origin = _detected_language(document.body)
    document.meta.lang = document.meta.lang_origin["lang"]


def load_document(path: Path, *, default_publisher: str | None = None, max_bytes: int = DEFAULT_MAX_BYTES,
                  lang: str | None = None) -> Document:
    """Read a Markdown file into a Document. Raises LoadError/UsageError naming the file.

    `lang` (the command line's `--lang`) overrides the front matter's language and detection.
    """
    path = Path(path)
    if not path.exists():
        raise UsageError("no such file", path)
    if path.is_dir():
        raise UsageError("is a folder; pass a Markdown file", path)
    size = path.stat().st_size
    if size > max_bytes:
        raise LoadError(f"is {size / 2**20:.2f} MB, over the {max_bytes / 2**20:.2f} MB input limit "
                        "(--max-input-mb)", path)
    data = path.read_bytes()
    text, encoding_note = decode(data, path)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if "\x00" in text:
        text = text.replace("\x00", "\ufffd")
    front_matter, body, body_line = split_front_matter(text, path)
    salvage_note = front_matter.pop("__salvaged__", None)
    invalid_dates = front_matter.pop("__invalid_dates__", [])
    meta = map_metadata(front_matter, body, default_publisher=default_publisher)
    document = Document(source=path, meta=meta, body=body, body_line=body_line, front_matter=front_matter,
                        original_body=body)
    resolve_language(document, text, lang)
    if encoding_note:
        document.warn("LOAD001", f"file is not UTF-8; read it as {encoding_note}")
    if salvage_note:
        document.warn("LOAD002", f"front matter is not strict YAML ({salvage_note}); read it as plain key: value lines")
    if not body.strip():
        document.warn("LOAD005", "the document has no text after its front matter; the outputs hold only the cover")
    for line, value in invalid_dates:
        document.warn("LOAD004", f"front matter value {value!r} is not a valid date; kept as text", line=line)
    if not front_matter.get("title") and not front_matter.get("seo"):
        document.info("LOAD003", f"no title in front matter; using {meta.title!r}")
    return document


def find_markdown_files(folder: Path) -> list[Path]:
    """The Markdown files directly inside a folder, in a stable order."""
    return sorted(p for p in folder.iterdir() if p.is_file() and p.suffix.lower() in MARKDOWN_SUFFIXES)
