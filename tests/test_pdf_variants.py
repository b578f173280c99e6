"""Profiles, PDF standards and themes on the seed: each rendered once, checked from the file."""

from __future__ import annotations

import re
import subprocess

import pytest
from conftest import require_tool
from pypdf import PdfReader
from test_pdf_support import MM, lines, margin_text, render, xmp

VARIANTS = {
    "screen": {},
    "print": {"profile": "print"},
    "pdf/a-3b": {"variant": "pdf/a-3b"},
    "pdf/ua-1": {"variant": "pdf/ua-1"},
    "pdf/x-4": {"variant": "pdf/x-4", "profile": "print"},
    "default theme": {"theme_name": "default"},
    "letter": {"paper": "letter"},
}
BLEED = 3 * MM


def _boxes(page) -> dict[str, list[float]]:
    return {name: [float(v) for v in page[name]] for name in ("/MediaBox", "/TrimBox", "/BleedBox") if name in page}


@pytest.mark.parametrize("name", list(VARIANTS))
def test_every_variant_passes_qpdf_without_weasyprint_warnings(name):
    require_tool("qpdf")
    rendered = render(**VARIANTS[name])
    assert rendered.pages > 10
    assert not [w for w in rendered.warnings if "PDF001" in w], rendered.warnings
    check = subprocess.run(["qpdf", "--check", str(rendered.path)], capture_output=True, text=True)
    assert check.returncode == 0, check.stdout + check.stderr
    assert "No syntax or stream encoding errors found" in check.stdout


@pytest.mark.parametrize("theme_name", ["openinfra", "default"])
def test_every_glyph_comes_from_the_theme_fonts(theme_name):
    """Hyphens the hyphenator adds included: WeasyPrint's default U+2010 is missing from IBM Plex
    (the default theme), and Pango took it from whatever font the machine had (DejaVu Serif)."""
    require_tool("pdffonts")
    from pipeline.theme import load_theme

    families = {face.family.replace(" ", "").lower() for face in load_theme(theme_name).fonts}
    listing = subprocess.run(["pdffonts", str(render(theme_name=theme_name).path)], capture_output=True,
                             text=True, check=True).stdout.splitlines()[2:]
    assert listing
    for row in listing:
        name = re.sub(r"[-,\s]", "", row.split()[0].split("+", 1)[-1]).lower()
        assert any(name.startswith(family) for family in families), (row, families)


def test_print_profile_adds_bleed_round_the_trim_box():
    reader = PdfReader(render(profile="print").path)
    for page in reader.pages:
        boxes = _boxes(page)
        media, trim = boxes["/MediaBox"], boxes["/TrimBox"]
        assert trim == pytest.approx([0, 0, 595.28, 841.89], abs=0.01)  # A4 trim
        assert media == pytest.approx([-BLEED, -BLEED, 595.28 + BLEED, 841.89 + BLEED], abs=0.01)


def test_screen_profile_has_no_bleed():
    page = PdfReader(render().path).pages[3]
    boxes = _boxes(page)
    assert boxes["/MediaBox"] == boxes["/TrimBox"]


def _render_page(path, index, scale=2.0):
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(str(path))
    try:
        return pdf[index].render(scale=scale).to_pil().convert("RGB")
    finally:
        pdf.close()


def _dark_pixels(image) -> int:
    return sum(image.convert("L").histogram()[:80])


def test_print_cover_colour_bleeds_to_the_edge_and_marks_sit_in_the_bleed():
    path = render(profile="print").path
    cover = _render_page(path, 0)
    # The media box corner (inside the bleed, outside the trim) is the cover's colour field.
    navy = (0x1B, 0x2A, 0x3A)
    corner = cover.getpixel((cover.width - 2, cover.height * 3 // 4))  # clear of the mid-edge cross mark
    assert all(abs(a - b) <= 3 for a, b in zip(corner, navy, strict=True)), corner
    # A body page is white in the bleed except for the crop and cross marks drawn there.
    body = _render_page(path, 5, scale=4)
    bleed_px = int(BLEED / 72 * 4 * 72)
    band = body.crop((0, 0, body.width, bleed_px - 1))
    dark = _dark_pixels(band)
    assert dark > 20, "no crop marks in the top bleed"
    screen = _render_page(render().path, 5, scale=4)
    screen_band = screen.crop((0, 0, screen.width, bleed_px - 1))
    assert _dark_pixels(screen_band) == 0


def _link_colours(path, page_index):
    import pdfplumber

    with pdfplumber.open(path) as pdf:
        page = pdf.pages[page_index]
        links = [a for a in page.hyperlinks if a.get("uri")]
        colours = set()
        for link in links:
            box = (link["x0"], link["top"], link["x1"], link["bottom"])
            for char in page.within_bbox(box).chars:
                colours.add(tuple(round(v, 2) for v in char["non_stroking_color"]))
        body = {tuple(round(v, 2) for v in c["non_stroking_color"]) for c in page.chars if c["size"] < 11}
        return colours, body


def test_links_are_coloured_on_screen_and_not_in_print():
    page = next(i for i, page_lines in enumerate(lines(render().path)) if any("Join us" in x.text for x in page_lines))
    screen, _ = _link_colours(render().path, page)
    printed, body_text = _link_colours(render(profile="print").path, page)
    red = (round(0xE2 / 255, 2), round(0x17 / 255, 2), round(0x3E / 255, 2))
    assert red in screen
    assert red not in printed and printed <= body_text


def test_pdfa_carries_output_intent_and_identification():
    path = render(variant="pdf/a-3b").path
    root = PdfReader(path).trailer["/Root"]
    intent = root["/OutputIntents"][0].get_object()
    assert intent["/S"] == "/GTS_PDFA1"
    assert "/DestOutputProfile" in intent
    metadata = xmp(path)
    assert re.search(r'pdfaid:part(="|>)3', metadata) and re.search(r'pdfaid:conformance(="|>)B', metadata)
    assert "2021 Annual Report" in metadata  # dc:title


def _struct_types(node, found, depth=0):
    if depth > 60:
        return
    node = node.get_object()
    if isinstance(node, dict) or hasattr(node, "keys"):
        if "/S" in node:
            found.add(str(node["/S"]))
        kids = node.get("/K")
        if kids is not None:
            for kid in kids if isinstance(kids, list) else [kids]:
                if hasattr(kid, "get_object") and hasattr(kid.get_object(), "keys"):
                    _struct_types(kid, found, depth + 1)


def test_pdfua_is_tagged_with_language_and_title():
    path = render(variant="pdf/ua-1").path
    reader = PdfReader(path)
    root = reader.trailer["/Root"]
    assert str(root["/MarkInfo"]["/Marked"]) == "True"
    assert root["/Lang"] == "en"
    assert str(root["/ViewerPreferences"]["/DisplayDocTitle"]) == "True"
    assert reader.metadata.title.startswith("2021 Annual Report")
    assert re.search(r'pdfuaid:part(="|>)1', xmp(path))
    types: set[str] = set()
    _struct_types(root["/StructTreeRoot"], types)
    assert {"/H1", "/H2", "/P", "/L", "/LI", "/Link", "/Figure"} <= types, types


def test_pdfx_declares_the_press_condition_and_uses_cmyk_brand_colours():
    import pdfplumber

    path = render(variant="pdf/x-4", profile="print").path
    reader = PdfReader(path)
    intent = reader.trailer["/Root"]["/OutputIntents"][0].get_object()
    assert intent["/S"] == "/GTS_PDFX"
    assert intent["/OutputConditionIdentifier"] == "FOGRA39"
    assert re.search(r"GTS_PDFXVersion(=\"|>)PDF/X-4", xmp(path))
    assert reader.metadata["/Trapped"] == "/False"
    assert all("/TrimBox" in page for page in reader.pages)
    with pdfplumber.open(path) as pdf:
        colours = {tuple(c["non_stroking_color"]) for page in pdf.pages[2:6] for c in page.chars}
    assert colours and all(len(c) == 4 for c in colours), colours  # text in device CMYK
    assert (0.85, 0.65, 0.4, 0.6) in colours  # the theme's navy build, not a conversion


def test_default_theme_builds_simplex_letter_without_back_cover():
    rendered = render(theme_name="default")
    reader = PdfReader(rendered.path)
    assert [float(v) for v in reader.pages[0]["/MediaBox"]] == pytest.approx([0, 0, 612, 792], abs=0.01)
    text = " ".join(x.text for x in lines(rendered.path)[1])
    assert text.startswith("Contents")  # simplex: no blank page behind the cover
    last = " ".join(x.text for x in lines(rendered.path)[-1])
    assert re.search(rf"\b{rendered.pages} / {rendered.pages}\b", last)  # no back cover
    # Simplex: running heads stay on the same side on left and right pages.
    assert margin_text(rendered.path, 4, "top") and margin_text(rendered.path, 5, "top")


def test_paper_option_overrides_the_theme():
    reader = PdfReader(render(paper="letter").path)
    assert [float(v) for v in reader.pages[0]["/MediaBox"]] == pytest.approx([0, 0, 612, 792], abs=0.01)
    assert [float(v) for v in reader.pages[-1]["/MediaBox"]] == pytest.approx([0, 0, 612, 792], abs=0.01)


def test_variant_page_counts_agree():
    """Standards and profiles change the file, never the layout."""
    counts = {name: render(**VARIANTS[name]).pages for name in ("screen", "print", "pdf/a-3b", "pdf/ua-1",
                                                                 "pdf/x-4")}
    assert len(set(counts.values())) == 1, counts
