"""The EPUB, judged by EPUBCheck and read back as a zip of XML."""

from __future__ import annotations

import io
import re
import zipfile

import pytest
from conftest import SEED, SEED_HEADINGS, require_tool, run_cli
from lxml import etree
from writer_samples import manifest_details, sampler_outputs

OPF = {"o": "http://www.idpf.org/2007/opf", "dc": "http://purl.org/dc/elements/1.1/"}
X = {"x": "http://www.w3.org/1999/xhtml", "epub": "http://www.idpf.org/2007/ops"}


def _member(path, name: str) -> bytes:
    with zipfile.ZipFile(path) as container:
        return container.read(name)


def _opf(path):
    return etree.fromstring(_member(path, "EPUB/content.opf"))


def _nav(path):
    return etree.fromstring(_member(path, "EPUB/nav.xhtml"))


@pytest.fixture(scope="module")
def sampler(tmp_path_factory):
    return sampler_outputs(tmp_path_factory)


def test_epubcheck_reports_nothing(seed_outputs):
    require_tool("java")
    from pipeline.validate import check_epub

    result = check_epub(seed_outputs["epub"], name=seed_outputs["epub"].name)
    assert result.tool.startswith("EPUBCheck 5")
    assert [str(f) for f in result.findings] == []
    assert result.status == "passed" and result.errors == 0 and result.warnings == 0


def test_sampler_with_raw_html_passes_epubcheck_in_the_build(sampler):
    """The writer ran EPUBCheck itself (--validate): unclosed tags, a script, a site component, a
    percentage width and a missing image did not make the book invalid."""
    require_tool("java")
    validation = manifest_details(sampler, "epub")["validation"]
    assert validation["status"] == "passed", validation["findings"]
    assert (validation["errors"], validation["warnings"]) == (0, 0)


def test_cover_is_generated_and_declared(seed_outputs):
    opf = _opf(seed_outputs["epub"])
    cover = opf.find("o:manifest/o:item[@properties='cover-image']", OPF)
    assert cover is not None and cover.get("media-type") == "image/jpeg"
    assert opf.find("o:metadata/o:meta[@name='cover']", OPF).get("content") == cover.get("id")
    first = opf.find("o:spine/o:itemref", OPF).get("idref")
    assert opf.find(f"o:manifest/o:item[@id='{first}']", OPF).get("href") == "text/cover.xhtml"
    from PIL import Image

    image = Image.open(io.BytesIO(_member(seed_outputs["epub"], "EPUB/" + cover.get("href"))))
    assert image.width >= 1400 and 1.3 < image.height / image.width < 1.6
    # The PDF cover's navy field, not a blank page: the brand's cover background dominates.
    assert image.convert("RGB").resize((1, 1)).getpixel((0, 0))[2] < 120


def test_navigation_and_landmarks(seed_outputs):
    nav = _nav(seed_outputs["epub"])
    toc = nav.find(".//x:nav[@id='toc']", X)
    entries = [" ".join("".join(a.itertext()).split()) for a in toc.iterfind(".//x:a", X)]
    for heading in SEED_HEADINGS:
        assert heading in entries, heading
    # The articles before the first part are top-level entries, not under an invented title one.
    assert entries[0] == SEED_HEADINGS[0] and "2021 Annual Report" not in entries
    landmarks = nav.find(".//x:nav[@epub:type='landmarks']", X)
    kinds = [a.get("{http://www.idpf.org/2007/ops}type") for a in landmarks.iterfind(".//x:a", X)]
    assert kinds == ["cover", "titlepage", "toc", "bodymatter"]
    assert _opf(seed_outputs["epub"]).find("o:manifest/o:item[@properties='nav']", OPF) is not None


def test_package_metadata(seed_outputs):
    opf = _opf(seed_outputs["epub"])
    metadata = opf.find("o:metadata", OPF)
    assert metadata.findtext("dc:language", namespaces=OPF) == "en"
    titles = {t.get("id"): t.text for t in metadata.iterfind("dc:title", OPF)}
    assert list(titles.values()) == ["2021 Annual Report", "OpenInfra Foundation"]
    kinds = {m.get("refines"): m.text for m in metadata.iterfind("o:meta[@property='title-type']", OPF)}
    assert {kinds[f"#{ident}"] for ident in titles} == {"main", "subtitle"}
    assert re.fullmatch(r"urn:uuid:[0-9a-f-]{36}", metadata.findtext("dc:identifier", namespaces=OPF))
    assert metadata.findtext("dc:publisher", namespaces=OPF) == "OpenInfra Foundation"
    assert metadata.findtext("dc:date", namespaces=OPF) == "2021"
    assert metadata.findtext("dc:description", namespaces=OPF) == "2021 OpenInfra Foundation Annual Report"
    title_page = _member(seed_outputs["epub"], "EPUB/text/title_page.xhtml")
    assert b'<p class="subtitle">OpenInfra Foundation</p>' in title_page
    modified = metadata.find("o:meta[@property='dcterms:modified']", OPF).text
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", modified) and not modified.startswith("1970")


def test_accessibility_metadata(seed_outputs, sampler):
    def values(path, prop):
        return [m.text for m in _opf(path).iterfind(f"o:metadata/o:meta[@property='{prop}']", OPF)]

    assert values(seed_outputs["epub"], "schema:accessMode") == ["textual"]
    assert {"structuralNavigation", "tableOfContents", "readingOrder"} <= set(
        values(seed_outputs["epub"], "schema:accessibilityFeature"))
    assert values(seed_outputs["epub"], "schema:accessibilityHazard") == ["none"]
    assert values(seed_outputs["epub"], "schema:accessibilitySummary")[0].startswith("Reflowable text")
    # The sampler has pictures, all described: visual mode and alternative text are declared.
    assert values(sampler["epub"], "schema:accessMode") == ["textual", "visual"]
    assert "alternativeText" in values(sampler["epub"], "schema:accessibilityFeature")


def test_theme_css_and_subset_fonts_are_inside(seed_outputs):
    from fontTools.ttLib import TTFont

    with zipfile.ZipFile(seed_outputs["epub"]) as container:
        names = container.namelist()
        css = container.read("EPUB/styles/stylesheet1.css").decode()
        fonts = {n: container.read(n) for n in names if n.startswith("EPUB/fonts/")}
        chapters = "".join(container.read(n).decode() for n in names if re.match(r"EPUB/text/ch\d+\.xhtml", n))
    assert names[0] == "mimetype"
    assert '"Inter"' in css and "#E2173E" in css and ".byline" in css
    assert {"EPUB/fonts/Inter-700.ttf", "EPUB/fonts/Source-Serif-4-400.ttf"} <= set(fonts)
    assert not any("Mono" in n for n in fonts)  # the seed has no code: no monospace font to carry
    body_font = TTFont(io.BytesIO(fonts["EPUB/fonts/Source-Serif-4-400.ttf"]))
    assert "fvar" not in body_font and body_font["OS/2"].usWeightClass == 400
    cmap = body_font.getBestCmap()
    text = re.sub(r"<[^>]+>", "", chapters)
    from html import unescape

    assert {c for c in unescape(text) if not c.isspace()} - {chr(code) for code in cmap} == set()
    assert all(len(data) < 80_000 for data in fonts.values())
    assert seed_outputs["epub"].stat().st_size < 600_000  # was 2.2 MB with whole variable fonts


def test_raw_html_is_repaired_not_lost(sampler):
    with zipfile.ZipFile(sampler["epub"]) as container:
        chapters = {n: container.read(n) for n in container.namelist() if n.startswith("EPUB/text/ch")}
    for data in chapters.values():
        etree.fromstring(data)  # well-formed XML
    text = b"".join(chapters.values()).decode()
    assert "Custom component text" in text and "<Note" not in text and "<script" not in text
    assert '<span class="missing-image">[A missing picture]</span>' in text
    assert 'href="ch002.xhtml#figures"' in text  # a raw #link pointed at the chapter holding its id
    assert "<li>stray text</li>" in text
    assert 'width="120"' in text and 'width="50%"' not in text


@pytest.mark.slow
def test_identifier_and_bytes_are_stable_across_builds(seed_outputs, tmp_path):
    assert run_cli(str(SEED), "--to", "epub", "--no-validate", "-o", str(tmp_path)).returncode == 0
    first = _opf(seed_outputs["epub"]).findtext("o:metadata/dc:identifier", namespaces=OPF)
    second = _opf(tmp_path / seed_outputs["epub"].name).findtext("o:metadata/dc:identifier", namespaces=OPF)
    assert first == second
    # The whole book is reproducible: fixed zip dates, font subsets without build timestamps.
    assert (tmp_path / seed_outputs["epub"].name).read_bytes() == seed_outputs["epub"].read_bytes()


def test_right_to_left_documents(tmp_path):
    source = tmp_path / "ar.md"
    source.write_text("---\ntitle: دليل\nlang: ar\n---\n## مقدمة\n\nنص عربي.\n", encoding="utf-8")
    result = run_cli(str(source), "--to", "epub,docx", "--no-validate", "-o", str(tmp_path / "out"))
    assert result.returncode == 0, result.stderr
    epub = tmp_path / "out" / "ar.epub"
    assert _opf(epub).find("o:spine", OPF).get("page-progression-direction") == "rtl"
    assert etree.fromstring(_member(epub, "EPUB/text/ch001.xhtml")).get("dir") == "rtl"
    assert b"<w:bidi/>" in _member(tmp_path / "out" / "ar.docx", "word/document.xml")


HEADING_SHAPES = """\
---
title: Heading shapes
---
# Opening

Text.

##

Under an empty heading (the k8s SIG Node notes have one).

## ![Only an image](logo.png)

## <!-- only a comment -->

## <span></span>

## [\\[\\]](https://example.org)

- ## A heading in a list item

> ## A heading in a quote
"""


def test_every_contents_entry_has_text(tmp_path):
    """EPUBCheck RSC-005 "Anchors within nav elements must contain text": an empty heading, or one made
    only of an image, a comment or an empty span, gave an empty `<a/>` in the navigation document."""
    require_tool("java")
    source = tmp_path / "shapes.md"
    source.write_text(HEADING_SHAPES, encoding="utf-8")
    result = run_cli(str(source), "--to", "epub", "--validate", "-o", str(tmp_path / "out"))
    assert result.returncode == 0, result.stderr
    book = tmp_path / "out" / "shapes.epub"
    toc = _nav(book).find(".//x:nav[@id='toc']", X)
    entries = [" ".join("".join(a.itertext()).split()) for a in toc.iter("{http://www.w3.org/1999/xhtml}a")]
    # Headings inside list items and quotes are not sections: pandoc leaves them out of the contents.
    assert entries == ["Opening", "Section 2", "[Only an image]", "Section 4", "Section 5", "[]"]
    assert not [s for s in toc.iter("{http://www.w3.org/1999/xhtml}span") if not "".join(s.itertext()).strip()]
    ncx = etree.fromstring(_member(book, "EPUB/toc.ncx"))
    labels = [t.text for t in ncx.iter("{http://www.daisy.org/z3986/2005/ncx/}text")]
    assert "Section 2" in labels and "Section 5" in labels and all((t or "").strip() for t in labels)
