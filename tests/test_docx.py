"""The seed's DOCX, read back with python-docx and opened by LibreOffice."""

from __future__ import annotations

import subprocess

import docx
from conftest import SEED_HEADINGS, require_tool
from pypdf import PdfReader


def test_headings_use_heading_styles(seed_outputs):
    document = docx.Document(str(seed_outputs["docx"]))
    styles: dict[str, set[str]] = {}
    for paragraph in document.paragraphs:
        styles.setdefault(paragraph.text.strip(), set()).add(paragraph.style.name)
    for heading in SEED_HEADINGS:
        assert any(style.startswith("Heading ") for style in styles.get(heading, ())), (heading, styles.get(heading))


def test_title_and_subtitle_styles(seed_outputs):
    document = docx.Document(str(seed_outputs["docx"]))
    by_style = {p.style.name: p.text for p in document.paragraphs}
    assert by_style["Title"] == "2021 Annual Report"
    assert by_style["Subtitle"] == "OpenInfra Foundation"


def test_styles_carry_the_brand(seed_outputs):
    styles = docx.Document(str(seed_outputs["docx"])).styles
    assert styles["Heading 1"].font.name == "Inter"
    assert styles["Title"].font.name == "Inter"
    assert styles["Body Text"].font.name == "Source Serif 4"
    assert str(styles["Heading 1"].font.color.rgb) == "E2173E"
    assert str(styles["Hyperlink"].font.color.rgb) == "E2173E"


def test_core_properties(seed_outputs):
    props = docx.Document(str(seed_outputs["docx"])).core_properties
    assert props.title == "2021 Annual Report"
    assert props.author == "OpenInfra Foundation"
    assert props.language == "en"
    assert props.created.year == 2021


def test_libreoffice_opens_and_converts_it(seed_outputs, tmp_path):
    soffice = require_tool("soffice")
    result = subprocess.run(
        [soffice, "--headless", "--norestore", f"-env:UserInstallation=file://{tmp_path}/profile",
         "--convert-to", "pdf", "--outdir", str(tmp_path), str(seed_outputs["docx"])],
        capture_output=True, text=True, timeout=240,
    )
    converted = tmp_path / (seed_outputs["docx"].stem + ".pdf")
    assert converted.is_file(), result.stdout + result.stderr
    reader = PdfReader(converted)
    assert len(reader.pages) >= 10
    text = " ".join((reader.pages[0].extract_text() or "").split())
    assert "2021 Annual Report" in text
