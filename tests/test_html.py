"""The standalone HTML page: brand, table of contents, and no external requests."""

from __future__ import annotations

from html.parser import HTMLParser

from conftest import SEED_HEADINGS


class _Resources(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.loads: list[str] = []
        self.toc_links: list[str] = []
        self._in_toc = False

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "nav" and "toc" in (attributes.get("class") or ""):
            self._in_toc = True
        if tag in ("img", "script", "iframe", "source", "video", "audio") and attributes.get("src"):
            self.loads.append(attributes["src"])
        if tag == "link" and attributes.get("href") and attributes.get("rel") != "canonical":
            self.loads.append(attributes["href"])
        if tag == "a" and self._in_toc:
            self.toc_links.append(attributes.get("href", ""))

    def handle_endtag(self, tag):
        if tag == "nav":
            self._in_toc = False


def test_page_is_self_contained(seed_outputs):
    html = seed_outputs["html"].read_text(encoding="utf-8")
    parser = _Resources()
    parser.feed(html)
    assert all(src.startswith("data:") for src in parser.loads), parser.loads
    assert "url(\"file:" not in html and "url(http" not in html


def test_page_has_brand_title_and_toc(seed_outputs):
    html = seed_outputs["html"].read_text(encoding="utf-8")
    parser = _Resources()
    parser.feed(html)
    assert "<title>2021 Annual Report: OpenInfra Foundation</title>" in html
    assert '<html lang="en"' in html
    assert len(parser.toc_links) >= len(SEED_HEADINGS)
    assert all(link.startswith("#") for link in parser.toc_links)
    for heading in SEED_HEADINGS:
        assert heading.replace("&", "&amp;") in html
