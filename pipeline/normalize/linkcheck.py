"""Optional online link check (`convert --check-links`, `lint --check-links`, `NormalizeOptions(check_links=True)`).

Off by default: documents are converted offline. When on, every http(s) target in the normalized body
is requested once (HEAD, then GET when a server refuses HEAD) with a timeout, a concurrency limit and
retries with backoff; results are kept in an on-disk cache for a day so a re-run costs nothing.
Broken links become warnings (LINK006) with the line of the link; nothing is edited.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from dataclasses import dataclass
from pathlib import Path

from pipeline.atomic import write_text_atomically
from pipeline.document import Document

log = logging.getLogger(__name__)

CODE = "LINK006"
CACHE_FILE = "linkcheck.json"
CACHE_TTL = 24 * 3600


@dataclass(frozen=True)
class LinkCheckOptions:
    timeout: float = 10.0
    concurrency: int = 8
    retries: int = 2
    backoff: float = 0.5
    cache_dir: Path | None = None  # default: the user cache dir; set for tests
    use_cache: bool = True


@dataclass(frozen=True)
class Result:
    url: str
    status: int | None
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.error is None and self.status is not None and self.status < 400


def collect_links(body: str, tokens: list | None = None) -> dict[str, int]:
    """http(s) targets of links and images in Markdown → 0-based body line of their first use.

    Pass the normalizer's edited token tree to get lines of the source (its tokens keep their map).
    """
    from pipeline.normalize.markdown import parse

    if tokens is None:
        tokens, _ = parse(body)
    found: dict[str, int] = {}
    for tok in tokens:
        if tok.type != "inline":
            continue
        line0 = tok.map[0] if tok.map else 0
        for child in tok.children or []:
            url = (
                child.attrs.get("href")
                if child.type == "link_open"
                else (child.attrs.get("src") if child.type == "image" else None)
            )
            if isinstance(url, str) and url.lower().startswith(("http://", "https://")):
                found.setdefault(url, line0)
    return found


def _cache_path(options: LinkCheckOptions) -> Path:
    if options.cache_dir is not None:
        return options.cache_dir / CACHE_FILE
    from pipeline.normalize.lexicon import cache_dir

    return cache_dir() / CACHE_FILE


def _load_cache(path: Path) -> dict[str, dict]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return data if isinstance(data, dict) else {}
    except (OSError, ValueError):
        return {}


def _save_cache(path: Path, data: dict[str, dict]) -> None:
    try:
        write_text_atomically(path, json.dumps(data))
    except OSError as exc:
        log.debug("cannot write link cache %s: %s", path, exc)


async def _check_one(client: object, url: str, options: LinkCheckOptions, limit: asyncio.Semaphore) -> Result:
    import httpx

    assert isinstance(client, httpx.AsyncClient)
    last_error = "no response"
    for attempt in range(options.retries + 1):
        if attempt:
            await asyncio.sleep(options.backoff * 2 ** (attempt - 1))
        try:
            async with limit:
                response = await client.head(url)
                if response.status_code in (403, 405, 501):  # servers that refuse HEAD
                    response = await client.get(url)
            # Retry only what may be transient: rate limits and server errors.
            if response.status_code in (429, 502, 503, 504) and attempt < options.retries:
                last_error = f"HTTP {response.status_code}"
                continue
            return Result(url, response.status_code)
        except httpx.HTTPError as exc:
            last_error = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
    return Result(url, None, last_error)


async def _check_all(urls: list[str], options: LinkCheckOptions) -> list[Result]:
    import httpx

    limit = asyncio.Semaphore(options.concurrency)
    headers = {"User-Agent": "pipeline-linkcheck/1 (+https://pypi.org/project/httpx/)"}
    async with httpx.AsyncClient(timeout=options.timeout, follow_redirects=True, headers=headers) as client:
        return list(await asyncio.gather(*(_check_one(client, u, options, limit) for u in urls)))


def check_urls(urls: list[str], options: LinkCheckOptions | None = None) -> dict[str, Result]:
    """Check URLs (cached results first); never raises."""
    options = options or LinkCheckOptions()
    path = _cache_path(options)
    cache = _load_cache(path) if options.use_cache else {}
    now = time.time()
    results: dict[str, Result] = {}
    todo = []
    for url in urls:
        hit = cache.get(url)
        if hit and now - hit.get("checked", 0) < CACHE_TTL:
            results[url] = Result(url, hit.get("status"), hit.get("error"))
        else:
            todo.append(url)
    if todo:
        try:
            fresh = asyncio.run(_check_all(todo, options))
        except Exception as exc:  # e.g. called inside a running event loop, or no network stack
            fresh = [Result(u, None, f"not checked: {exc}") for u in todo]
        for r in fresh:
            results[r.url] = r
            if not (r.error or "").startswith("not checked"):
                cache[r.url] = {"status": r.status, "error": r.error, "checked": now}
        if options.use_cache:
            _save_cache(path, cache)
    return results


def check_document(doc: Document, options: LinkCheckOptions | None = None, tokens: list | None = None) -> None:
    """Add a LINK006 warning to `doc` for every http(s) link that does not answer with success."""
    links = collect_links(doc.body, tokens)
    results = check_urls(list(links), options)
    for url, line0 in links.items():
        r = results.get(url)
        if r is None or r.ok:
            continue
        reason = r.error or f"HTTP {r.status}"
        doc.warn(CODE, f"link {url!r} is broken: {reason}", doc.body_line + line0)
        doc.reported_links.add(url)
