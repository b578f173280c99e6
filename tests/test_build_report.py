"""The build report, dist/index.html: what it lists, and the page as a real browser shows it."""

from __future__ import annotations

import json
import re
import shutil
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from conftest import REPO, run_cli

from pipeline.buildreport import REPORT_NAME, render_changes

# The screenshots are kept as CI artefacts.
ARTEFACTS = REPO / "dist" / "build-report"
PNG_SIZE = re.compile(rb"\x89PNG\r\n\x1a\n....IHDR(....)(....)", re.DOTALL)

GOOD = """---
title: Quarterly figures
---
# Figures

A paragraph with a [link to the notes](notes.md) and teh typo the normalizer fixes.

![A bar chart of the quarter](chart.png)
"""
WARNED = """---
title: Field notes
---
# Notes

A [broken anchor](#nowhere) and a [missing file](absent.md).
"""
BROKEN = "---\ntitle: [unclosed\n---\n# Broken\n"


class Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []
        self.sources: list[str] = []
        self.ids: set[str] = set()
        self.tags: list[str] = []
        self.attrs: list[dict[str, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {k: v or "" for k, v in attrs}
        self.tags.append(tag)
        self.attrs.append({"tag": tag, **values})
        if "id" in values:
            self.ids.add(values["id"])
        if tag == "a" and "href" in values:
            self.hrefs.append(values["href"])
        if tag in ("img", "script", "link", "iframe", "source") and ("src" in values or "href" in values):
            self.sources.append(values.get("src") or values.get("href", ""))


def _parse(html: str) -> Links:
    parser = Links()
    parser.feed(html)
    return parser


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Three documents, one of them broken, to PDF and HTML; then a second run with one changed."""
    from PIL import Image

    root = tmp_path_factory.mktemp("report")
    source = root / "in"
    source.mkdir()
    (source / "good.md").write_text(GOOD, encoding="utf-8")
    (source / "notes.md").write_text(WARNED, encoding="utf-8")
    (source / "broken.md").write_text(BROKEN, encoding="utf-8")
    Image.new("RGB", (300, 120), (30, 90, 160)).save(source / "chart.png")
    out = root / "dist"
    first = run_cli(str(source), "--to", "pdf,html", "-o", str(out), "--no-validate", "-j", "2")
    assert first.returncode == 1, first.stderr  # the broken document fails; the others are written
    first_report = (out / REPORT_NAME).read_text(encoding="utf-8")
    (source / "notes.md").write_text(WARNED + "\nA second paragraph.\n", encoding="utf-8")
    second = run_cli(str(source), "--to", "pdf,html", "-o", str(out), "--no-validate", "-j", "2")
    assert second.returncode == 1, second.stderr
    return {"out": out, "source": source, "first": first_report}


def test_the_report_lists_every_document_with_its_outputs(built: dict[str, Path]) -> None:
    html = (built["out"] / REPORT_NAME).read_text(encoding="utf-8")
    for title in ("Quarterly figures", "Field notes", "broken"):
        assert title in html
    for name in ("good.pdf", "good.html", "notes.pdf", "notes.html"):
        assert f'href="{name}"' in html
    assert "front matter is not valid YAML" in html, "a failed job says why"
    assert "REND001" in html and "LINK005" in html, "warnings are grouped under their codes"
    # The change report is rendered, not linked only: its table and the typo fix are on the page.
    assert 'href="good.changes.md"' in html and "TYPO004" in html and "<table>" in html
    # The thumbnail is the PDF's first page, inline.
    assert re.search(r'<img src="data:image/jpeg;base64,[A-Za-z0-9+/=]{200,}"[^>]*alt="Cover of Quarterly figures"',
                     html)
    manifest = json.loads((built["out"] / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["outputs"]["good.pdf"]["title"] == "Quarterly figures"


def test_the_report_is_rewritten_after_a_run_where_most_was_up_to_date(built: dict[str, Path]) -> None:
    html = (built["out"] / REPORT_NAME).read_text(encoding="utf-8")
    assert "Last run" in html and html != built["first"]
    assert re.search(r"2 built, 2 up to date, 2 failed", html), re.search(r"Last run[^<]*", html)
    # Up-to-date outputs are still listed, with the time their build took.
    good = html[html.index("Quarterly figures"):]
    assert 'href="good.pdf"' in good and "up to date" in good
    assert not list(built["out"].glob(".*.tmp")), "written atomically, no temp file left"


def test_the_page_makes_no_request_and_every_link_leads_to_a_file(built: dict[str, Path]) -> None:
    out = built["out"]
    page = _parse((out / REPORT_NAME).read_text(encoding="utf-8"))
    assert "script" not in page.tags and "link" not in page.tags and "iframe" not in page.tags
    assert page.sources and all(src.startswith("data:") for src in page.sources)
    csp = next(a for a in page.attrs if a.get("http-equiv") == "Content-Security-Policy")
    assert "default-src 'none'" in csp["content"]
    for href in page.hrefs:
        if href.startswith("#"):
            assert href[1:] in page.ids, href
        else:
            assert not urlsplit(href).scheme, href
            assert (out / unquote(href)).is_file(), href
    # Keyboard: a skip link first, to the main region; the disclosure widgets are native ones.
    assert page.hrefs[0] == "#main"
    assert page.tags.count("details") == page.tags.count("summary") >= 3


def test_render_changes_keeps_the_documents_text_inert() -> None:
    html = render_changes("# Changes\n\n- `<script>alert(1)</script>` → [x](http://example.org) <b>bold</b>\n")
    assert "<script>" not in html and "<b>" not in html and "href" not in html
    assert "<h3>Changes</h3>" in html


@pytest.mark.slow
def test_in_a_browser_every_image_loads_every_link_resolves_and_the_phone_layout_fits(
        built: dict[str, Path]) -> None:
    from browser import checked_dom, screenshot

    out = built["out"]
    for width, height in ((1280, 900), (390, 844)):
        dom = _parse(checked_dom(out / REPORT_NAME, width, height))
        root = next(a for a in dom.attrs if a["tag"] == "html")
        assert int(root["data-test-overflow"]) <= 0, f"the page scrolls sideways at {width} px"
        images = [a for a in dom.attrs if a["tag"] == "img"]
        assert images and all(a["data-test-loaded"] == "yes" for a in images), images
        for link in (a for a in dom.attrs if a["tag"] == "a"):
            url = urlsplit(link["data-test-url"])
            assert url.scheme == "file", link
            if link["data-test-same-page"] == "yes":
                assert url.fragment in dom.ids, link
            else:
                assert Path(unquote(url.path)).is_file(), link
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    for name, width, height in (("desktop", 1280, 1100), ("phone", 390, 1600)):
        shot = screenshot(out / REPORT_NAME, ARTEFACTS / f"{name}.png", width, height)
        header = PNG_SIZE.match(shot.read_bytes())
        assert header and int.from_bytes(header.group(1), "big") == width
        _assert_not_blank(shot)
    shutil.copytree(out, ARTEFACTS / "site", dirs_exist_ok=True)  # the page the pictures show, for a person


def _assert_not_blank(png: Path) -> None:
    from PIL import Image

    with Image.open(png) as image:
        colours = image.convert("L").getextrema()
    assert colours[1] - colours[0] > 100, f"{png} is blank"


def test_report_cache_keeps_what_the_report_uses_and_removes_the_rest(tmp_path: Path) -> None:
    """Thumbnails and rendered change reports are kept beside the outputs by what they are made of, reused
    by the next report, and removed once nothing uses them (a folder of many reports never grows)."""
    from pipeline.buildreport.cache import CACHE_FOLDER, ReportCache

    (tmp_path / ".thumbnails").mkdir()  # an earlier version's folder
    made: list[str] = []

    def report(names: list[str]) -> list[bytes]:
        cache = ReportCache(tmp_path)
        found = [cache.get(name, lambda name=name: made.append(name) or name.encode()) for name in names]
        cache.prune()
        return found

    assert report(["a.jpg", "b.html"]) == [b"a.jpg", b"b.html"]
    assert report(["a.jpg", "c.html"]) == [b"a.jpg", b"c.html"]
    assert made == ["a.jpg", "b.html", "c.html"], "a.jpg was made again instead of reused"
    assert sorted(p.name for p in (tmp_path / CACHE_FOLDER).iterdir()) == ["a.jpg", "c.html"]
    assert not (tmp_path / ".thumbnails").exists()


def test_a_changed_change_report_is_rendered_again(tmp_path: Path) -> None:
    from pipeline.buildreport import _cached_changes
    from pipeline.buildreport.cache import ReportCache

    versions = {"pipeline-code": "1"}
    first = _cached_changes(ReportCache(tmp_path), b"# Changes\n\n- one\n", versions)
    second = _cached_changes(ReportCache(tmp_path), b"# Changes\n\n- two\n", versions)
    assert "one" in first and "two" in second and "one" not in second
    assert not list(tmp_path.rglob("*.html")), "a cached fragment looks like one of the outputs' pages"
    (tmp_path / ".report-cache").joinpath(next(p.name for p in (tmp_path / ".report-cache").iterdir()
                                              if "one" in p.read_text())).write_text("stale")
    assert _cached_changes(ReportCache(tmp_path), b"# Changes\n\n- one\n", {"pipeline-code": "2"}) == first, \
        "new code rendered from an old cache entry"
