"""Remote images, only from hosts the user allowed, never from private or link-local addresses.

Network access is off by default. With `--allow-remote HOST` an image on that host (or a
subdomain of it) is downloaded once, size-capped, and embedded like a local one. Redirects are
followed by hand, each hop checked against the same rules, so a listed host cannot bounce the
request to 169.254.169.254 or to a host that is not on the list.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Callable
from urllib.parse import urljoin, urlsplit

MAX_REDIRECTS = 3
TIMEOUT_SECONDS = 10.0


class RemoteRefused(Exception):
    """A remote resource we will not fetch, with the reason for the user."""


def host_allowed(host: str, allowed: tuple[str, ...]) -> bool:
    host = host.lower().rstrip(".")
    return any(host == a or host.endswith("." + a) for a in (h.lower().lstrip("*.").rstrip(".") for h in allowed))


def public_address(address: str) -> bool:
    ip = ipaddress.ip_address(address)
    return ip.is_global and not ip.is_multicast


def _check(url: str, allowed: tuple[str, ...], address_ok: Callable[[str], bool]) -> None:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        raise RemoteRefused(f"scheme {parts.scheme!r} is not fetched")
    host = parts.hostname or ""
    if not host_allowed(host, allowed):
        raise RemoteRefused(f"host {host!r} is not in --allow-remote")
    try:
        addresses = {info[4][0] for info in socket.getaddrinfo(host, parts.port or 443, proto=socket.IPPROTO_TCP)}
    except OSError as exc:
        raise RemoteRefused(f"host {host!r} does not resolve") from exc
    blocked = sorted(a for a in addresses if not address_ok(a))
    if blocked:
        raise RemoteRefused(f"host {host!r} resolves to a private or reserved address ({blocked[0]})")


def fetch_remote(url: str, allowed: tuple[str, ...], max_bytes: int, *,
                 address_ok: Callable[[str], bool] = public_address) -> tuple[bytes, str]:
    """Download `url` under the rules above; returns (content, content type). Raises RemoteRefused."""
    import httpx

    with httpx.Client(timeout=TIMEOUT_SECONDS, follow_redirects=False) as client:
        for _ in range(MAX_REDIRECTS + 1):
            _check(url, allowed, address_ok)
            try:
                with client.stream("GET", url) as response:
                    if response.is_redirect:
                        url = urljoin(url, response.headers.get("location", ""))
                        continue
                    if response.status_code != 200:
                        raise RemoteRefused(f"the server answered {response.status_code}")
                    content = bytearray()
                    for chunk in response.iter_bytes():
                        content += chunk
                        if len(content) > max_bytes:
                            raise RemoteRefused(f"larger than {max_bytes // (1024 * 1024)} MB")
                    kind = response.headers.get("content-type", "application/octet-stream").split(";")[0]
                    return bytes(content), kind.strip()
            except httpx.HTTPError as exc:
                raise RemoteRefused(f"download failed ({type(exc).__name__})") from exc
    raise RemoteRefused(f"more than {MAX_REDIRECTS} redirects")
