"""Map website-style front matter (Netlify CMS, Hugo, Jekyll, Pelican …) onto `Metadata`."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from pipeline.document import Metadata

_YEAR = re.compile(r"\b(19|20)\d{2}\b")
_ISO_DATE = re.compile(r"^(\d{4})(?:[-/](\d{1,2})(?:[-/](\d{1,2}))?)?")
_MAPPED_KEYS = {
    "title", "subtitle", "subTitle", "sub_title", "description", "summary", "date", "lang",
    "language", "author", "authors", "by", "publisher", "keywords", "tags", "url", "seo",
}  # fmt: skip


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, (list, tuple)):
        value = ", ".join(str(v) for v in value)
    text = " ".join(str(value).split())
    return text or None


def _names(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [value.strip()] if value.strip() else []
    if isinstance(value, dict):
        name = value.get("name") or value.get("fullname")
        return [str(name)] if name else []
    if isinstance(value, (list, tuple)):
        return [n for item in value for n in _names(item)]
    return [str(value)]


def _keywords(value: Any) -> list[str]:
    if isinstance(value, (list, tuple)):
        return [str(k).strip() for k in value if str(k).strip()]
    return [k.strip() for k in str(value or "").split(",") if k.strip()]


def normalize_date(value: Any) -> str | None:
    """A front-matter date (YAML date, '2024/12/05', '2024-12-05 10:00') as ISO 8601."""
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if value is None:
        return None
    match = _ISO_DATE.match(str(value).strip())
    if not match:
        return None
    year, month, day = match.groups()
    # Only the parts that make a real date: "2016-19-17" (a typo the loader kept as text) is 2016;
    # an impossible date left pandoc's EPUB with an empty dc:date, which EPUBCheck rejects.
    parts = [year]
    for size, part in ((2, month), (3, day)):
        if not part:
            break
        try:
            dt.date(int(year), int(month), int(day) if size == 3 else 1)
        except ValueError:
            break
        parts.append(f"{int(part):02d}")
    return "-".join(parts)


def _first_heading(body: str) -> str | None:
    for line in body.splitlines():
        match = re.match(r"^#{1,6}\s+(.*?)\s*#*\s*$", line)
        if match:
            return re.sub(r"[*_`]", "", match.group(1)).strip() or None
    return None


def map_metadata(front_matter: dict[str, Any], body: str, *, default_publisher: str | None = None) -> Metadata:
    """Build Metadata from front matter; unknown keys are kept in `extra`."""
    seo = front_matter.get("seo") if isinstance(front_matter.get("seo"), dict) else {}
    title = (
        _text(front_matter.get("title"))
        or _text(seo.get("title"))
        or _first_heading(body)
        or "Untitled document"
    )
    subtitle = _text(
        front_matter.get("subtitle") or front_matter.get("subTitle") or front_matter.get("sub_title")
    )
    description = _text(
        front_matter.get("description") or seo.get("description") or front_matter.get("summary")
    )
    date = normalize_date(front_matter.get("date"))
    if date is None:
        year = _YEAR.search(title)
        date = year.group(0) if year else dt.date.today().isoformat()
    # Checked and, when absent, detected from the text by the load stage (which knows the file's lines).
    lang = str(front_matter.get("lang") or front_matter.get("language") or "").strip() or "en"
    authors = _names(front_matter.get("authors") or front_matter.get("author") or front_matter.get("by"))
    publisher = _text(front_matter.get("publisher")) or default_publisher
    keywords = _keywords(front_matter.get("keywords") or front_matter.get("tags"))
    url = _text(seo.get("url") or front_matter.get("url"))
    extra = {k: v for k, v in front_matter.items() if k not in _MAPPED_KEYS}
    extra.update({f"seo.{k}": v for k, v in seo.items() if k not in ("title", "description", "url")})
    return Metadata(
        title=title,
        subtitle=subtitle,
        description=description,
        date=date,
        lang=lang,
        authors=authors,
        publisher=publisher,
        url=url,
        keywords=keywords,
        extra=extra,
    )
