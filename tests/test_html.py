"""The standalone HTML page: brand, table of contents, responsive, and no external requests."""

from __future__ import annotations

import base64
import io
import re
from html.parser import HTMLParser

import pytest
from conftest import SEED_HEADINGS
from writer_samples import sampler_outputs


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
        for name in ("src", "srcset", "poster", "data"):
            if attributes.get(name) and tag in ("img", "script", "iframe", "source", "video", "audio", "object",
                                                "embed", "input"):
                self.loads.append(attributes[name])
        if tag == "link" and attributes.get("href") and attributes.get("rel") != "canonical":
            self.loads.append(attributes["href"])
        if tag == "a" and self._in_toc:
            self.toc_links.append(attributes.get("href", ""))

    def handle_endtag(self, tag):
        if tag == "nav":
            self._in_toc = False


def _parse(html: str) -> _Resources:
    parser = _Resources()
    parser.feed(html)
    return parser


@pytest.fixture(scope="module")
def seed_html(seed_outputs):
    return seed_outputs["html"].read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def sampler_html(tmp_path_factory):
    return sampler_outputs(tmp_path_factory)["html"].read_text(encoding="utf-8")


def test_page_is_self_contained(seed_html, sampler_html):
    for html in (seed_html, sampler_html):
        assert all(src.startswith("data:") for src in _parse(html).loads), _parse(html).loads
        urls = re.findall(r"url\(\s*[\"']?([^\"')]+)", html)
        assert urls and all(url.startswith("data:") for url in urls), urls[:5]
        assert "<script" not in html.lower()


def test_raw_html_images_never_request(sampler_html):
    # The raw <img> pointing at a missing file became its description; the local one is inline.
    assert '<span class="missing-image">[A missing picture]</span>' in sampler_html
    assert "missing/picture.png" not in sampler_html
    assert 'alt="Raw local figure"' in sampler_html


def test_fonts_are_inline_woff_subsets(seed_html):
    from fontTools.ttLib import TTFont

    faces = re.findall(r'@font-face \{ font-family: "([^"]+)"; src: url\("data:font/woff;base64,([^"]+)"\) '
                       r'format\("woff"\); font-weight: (\d+)', seed_html)
    assert {(family, weight) for family, _, weight in faces} >= {("Inter", "700"), ("Source Serif 4", "400")}
    for _family, data, _weight in faces:
        font = TTFont(io.BytesIO(base64.b64decode(data)))
        assert font.flavor == "woff" and "fvar" not in font and len(font.getGlyphOrder()) < 600
    assert len(seed_html.encode()) < 600_000  # was 6 MB with every font file inlined whole


def test_page_has_brand_title_and_toc(seed_html):
    parser = _parse(seed_html)
    assert "<title>2021 Annual Report: OpenInfra Foundation</title>" in seed_html
    assert '<html lang="en"' in seed_html
    assert '<h1 class="masthead-title">2021 Annual Report</h1>' in seed_html
    assert len(parser.toc_links) >= len(SEED_HEADINGS)
    assert all(link.startswith("#") for link in parser.toc_links)
    ids = set(re.findall(r'\sid="([^"]+)"', seed_html))
    assert {link[1:] for link in parser.toc_links} <= ids
    for heading in SEED_HEADINGS:
        assert heading.replace("&", "&amp;") in seed_html
    assert "#E2173E" in seed_html and "#1B2A3A" in seed_html


def test_layout_is_responsive(seed_html):
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in seed_html
    assert re.search(r"@media \(max-width: 60rem\) \{[^}]*\.layout \{ grid-template-columns: 1fr;", seed_html)
    assert "position: sticky" in seed_html
