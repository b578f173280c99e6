"""Website sources as they are: a Hugo, a Jekyll and a VitePress site, made here, converted to every format.

Each site's page names images the way its generator serves them (from the site root, beside the
page, from a theme's or the site's static folder, inside raw HTML) and links to its headings the
way that generator names them (English, Russian, Hebrew, Chinese, duplicates, the case the author
typed, explicit ids, `<a id>` and `<a name>` targets). Every image must be embedded and every link
must lead to its heading in HTML, PDF (link annotations), EPUB and DOCX (bookmarks), read back with
lxml, pypdf, the EPUB's XHTML and the DOCX's XML. A path leaving the site root is refused, with a
warning.
"""

from __future__ import annotations

import io
import json
import re
import zipfile
from pathlib import Path
from urllib.parse import unquote

import pytest
from conftest import outputs_in, run_cli

pytestmark = pytest.mark.slow

# Solid colours tell the images apart once embedded (whatever the format re-encodes them as).
COLOURS = {"red": (220, 20, 20), "blue": (20, 20, 220), "green": (20, 200, 20), "yellow": (230, 220, 20)}

HEADINGS = """
## Getting started

## Описание проекта

## מבוא לפרויקט

## 项目简介

## Intro

## Intro

## What's new?

## Explicit {#custom-id}

<a id="raw-anchor"></a>

Text under a raw anchor.

Text with a <a name="named-anchor"></a> named anchor.
"""


def _png(path: Path, colour: str) -> None:
    from PIL import Image

    path.parent.mkdir(parents=True, exist_ok=True)
    Image.new("RGB", (60, 40), COLOURS[colour]).save(path)


def _hugo(root: Path) -> tuple[Path, list[str]]:
    site = root / "hugo"
    (site / "content" / "report").mkdir(parents=True)
    (site / "hugo.toml").write_text('baseURL = "https://example.org/"\ntheme = "plain"\n', encoding="utf-8")
    _png(site / "static" / "img" / "root.png", "red")
    _png(site / "content" / "report" / "bundle.png", "blue")
    _png(site / "themes" / "plain" / "static" / "images" / "theme.png", "green")
    _png(site / "static" / "img" / "raw.png", "yellow")
    page = site / "content" / "report" / "index.md"
    page.write_text(f"""---
title: Hugo report
---

Links: [start](#getting-started), [описание](#описание-проекта), [case kept](#Описание-проекта),
[מבוא](#מבוא-לפרויקט), [简介](#项目简介), [second intro](#intro-1), [new](#whats-new),
[custom](#custom-id), [raw](#raw-anchor), [named](#named-anchor),
[by ref]({{{{< ref "index.md#getting-started" >}}}}).

![Root image](/img/root.png)

![Bundle image](bundle.png)

{{{{< figure src="/images/theme.png" caption="Theme *image*" >}}}}

<div class="wide"><img src="/img/raw.png" alt="Raw image"></div>

![Outside the site](../../../outside.png)

{{{{< youtube dQw4w9WgXcQ >}}}}
{HEADINGS}""", encoding="utf-8")
    expected = ["getting-started", "описание-проекта", "описание-проекта", "מבוא-לפרויקט", "项目简介", "intro-1",
                "whats-new", "custom-id", "raw-anchor", "named-anchor", "getting-started"]
    return page, expected


def _jekyll(root: Path) -> tuple[Path, list[str]]:
    site = root / "jekyll"
    (site / "_posts").mkdir(parents=True)
    (site / "_config.yml").write_text("title: Blog\nurl: https://blog.example.org\nbaseurl: /news\n", encoding="utf-8")
    _png(site / "assets" / "root.png", "red")
    _png(site / "_posts" / "beside.png", "blue")
    _png(site / "images" / "figure.png", "green")
    _png(site / "assets" / "raw.png", "yellow")
    page = site / "_posts" / "2024-05-01-report.md"
    # kramdown's ASCII ids: non-Latin headings are "section", "section-1" …; duplicates "-1".
    page.write_text(f"""---
title: Jekyll report
---

Links: [start](#getting-started), [описание](#section), [מבוא](#section-1), [简介](#section-2),
[second intro](#intro-1), [new](#whats-new), [custom](#custom-id), [raw](#raw-anchor), [named](#named-anchor).

![Root image]({{{{ site.baseurl }}}}/assets/root.png)

![Beside image](beside.png)

{{% include figure.html image="/images/figure.png" caption="Figure *image*" %}}

<p><img src="{{{{ '/assets/raw.png' | relative_url }}}}" alt="Raw image"></p>

![Outside the site](../../outside.png)

{{% comment %}}A note for the editors{{% endcomment %}}
{HEADINGS}""", encoding="utf-8")
    expected = ["getting-started", "описание-проекта", "מבוא-לפרויקט", "项目简介", "intro-1", "whats-new",
                "custom-id", "raw-anchor", "named-anchor"]
    return page, expected


def _vitepress(root: Path) -> tuple[Path, list[str]]:
    site = root / "vitepress"
    (site / "docs" / ".vitepress").mkdir(parents=True)
    (site / "docs" / ".vitepress" / "config.mts").write_text(
        "export default { title: 'Docs', sitemap: { hostname: 'https://docs.example.org/' } }\n", encoding="utf-8")
    _png(site / "docs" / "public" / "root.png", "red")
    _png(site / "docs" / "guide" / "beside.png", "blue")
    _png(site / "docs" / "assets" / "asset.png", "green")
    _png(site / "docs" / "public" / "raw.png", "yellow")
    (site / "docs" / "guide").mkdir(exist_ok=True)
    (site / "docs" / "guide" / "link.png").symlink_to(root / "outside.png")
    page = site / "docs" / "guide" / "report.md"
    # VitePress: punctuation runs become one '-', so "What's new?" is "what-s-new".
    page.write_text(f"""---
title: VitePress report
---

Links: [start](#getting-started), [описание](#описание-проекта), [מבוא](#מבוא-לפרויקט), [简介](#项目简介),
[second intro](#intro-1), [new](#what-s-new), [custom](#custom-id), [raw](#raw-anchor), [named](#named-anchor).

![Root image](/root.png)

![Beside image](./beside.png)

![Asset image](/assets/asset.png)

<figure><img src="/raw.png" alt="Raw image"></figure>

![Outside the site](./link.png)

::: tip
A VitePress container.
:::
{HEADINGS}""", encoding="utf-8")
    expected = ["getting-started", "описание-проекта", "מבוא-לפרויקט", "项目简介", "intro-1", "whats-new",
                "custom-id", "raw-anchor", "named-anchor"]
    return page, expected


SITES = {"hugo": _hugo, "jekyll": _jekyll, "vitepress": _vitepress}


@pytest.fixture(scope="module", params=sorted(SITES))
def site_outputs(request, tmp_path_factory):
    root = tmp_path_factory.mktemp(f"site-{request.param}")
    _png(root / "outside.png", "red")
    page, expected = SITES[request.param](root)
    out = root / "dist"
    result = run_cli(str(page), "--to", "all", "-o", str(out), "--no-validate", "--no-office", "--json")
    assert result.returncode == 0, result.stdout + result.stderr
    outputs = outputs_in(out)
    warnings = [w for r in json.loads(result.stdout)["built"] for w in r.get("warnings", [])]
    return request.param, outputs, expected, warnings


def _colours(images: list[bytes]) -> set[str]:
    from PIL import Image

    found = set()
    for data in images:
        try:
            with Image.open(io.BytesIO(data)) as image:
                pixel = image.convert("RGB").getpixel((image.width // 2, image.height // 2))
        except Exception:
            continue
        for name, rgb in COLOURS.items():
            if all(abs(a - b) < 40 for a, b in zip(pixel, rgb, strict=True)):
                found.add(name)
    return found


def _html_images(html: str) -> list[bytes]:
    import base64

    return [base64.b64decode(m) for m in re.findall(r'<img[^>]*src="data:image/[^;]+;base64,([^"]+)"', html)]


def test_every_image_is_embedded_in_every_format(site_outputs):
    from pypdf import PdfReader

    _name, outputs, _expected, _warnings = site_outputs
    html = outputs["html"].read_text(encoding="utf-8")
    body = html[html.index("<main"):]
    assert _colours(_html_images(body)) == set(COLOURS)
    pdf_images = [image.data for page in PdfReader(outputs["pdf"]).pages for image in page.images]
    assert _colours(pdf_images) == set(COLOURS)
    for fmt, folder in (("epub", "EPUB/media/"), ("docx", "word/media/")):
        with zipfile.ZipFile(outputs[fmt]) as package:
            media = [package.read(n) for n in package.namelist() if n.startswith(folder)]
        assert _colours(media) == set(COLOURS), fmt


def test_a_path_leaving_the_site_root_is_refused(site_outputs):
    _name, outputs, _expected, warnings = site_outputs
    refused = [w for w in warnings if "REND002" in w and "Outside" not in w and ("outside" in w or "leaves" in w)]
    assert refused, warnings
    html = outputs["html"].read_text(encoding="utf-8")
    assert "[Outside the site]" in html  # shown as its description, not as the file


def test_heading_links_work_in_html(site_outputs):
    import lxml.html

    _name, outputs, expected, warnings = site_outputs
    tree = lxml.html.fromstring(outputs["html"].read_text(encoding="utf-8"))
    ids = {e.get("id") for e in tree.iter() if isinstance(e.tag, str) and e.get("id")}
    links = [unquote(a.get("href")[1:]) for a in tree.find(".//main").iter("a")
             if (a.get("href") or "").startswith("#") and "footnote" not in (a.get("class") or "")]
    assert sorted(links) == sorted(expected)
    assert set(links) <= ids
    assert not [w for w in warnings if "REND001" in w], warnings


def test_heading_links_are_pdf_link_annotations(site_outputs):
    from pypdf import PdfReader

    _name, outputs, expected, _warnings = site_outputs
    reader = PdfReader(outputs["pdf"])
    destinations = set(reader.named_destinations)
    internal = []
    for page in reader.pages:
        for ref in page.get("/Annots") or []:
            annotation = ref.get_object()
            if annotation.get("/Subtype") != "/Link":
                continue
            action = annotation.get("/A")
            target = annotation.get("/Dest") or (action.get("/D") if action and action.get("/S") == "/GoTo" else None)
            if target is not None and not isinstance(target, list):
                internal.append(str(target))
    # Each link of the text is an annotation to a named destination that exists (the contents
    # page adds its own links to headings).
    body_targets = [t for t in internal if t in set(expected)]
    assert sorted(set(body_targets)) == sorted(set(expected))
    assert set(internal) <= destinations


def test_heading_links_resolve_inside_the_epub(site_outputs):
    import lxml.html

    _name, outputs, expected, _warnings = site_outputs
    with zipfile.ZipFile(outputs["epub"]) as package:
        pages = {n.rsplit("/", 1)[-1]: package.read(n).decode("utf-8") for n in package.namelist()
                 if n.endswith(".xhtml")}
    ids = {name: set(re.findall(r'\bid="([^"]+)"', text)) for name, text in pages.items()}
    found = []
    for name, text in pages.items():
        if name.startswith("nav"):
            continue
        for href in re.findall(r'<a [^>]*href="([^"#]*)#([^"]+)"', text):
            target_file = href[0].rsplit("/", 1)[-1] or name
            fragment = unquote(href[1])
            assert fragment in ids.get(target_file, set()), (name, href)
            found.append(fragment)
    assert set(expected) <= set(found)
    _ = lxml.html  # the XHTML is checked by EPUBCheck in test_epub; here only the links


def test_heading_links_are_docx_bookmarks(site_outputs):
    _name, outputs, expected, _warnings = site_outputs
    with zipfile.ZipFile(outputs["docx"]) as package:
        xml = package.read("word/document.xml").decode("utf-8")
    bookmarks = set(re.findall(r'<w:bookmarkStart [^>]*w:name="([^"]+)"', xml))
    anchors = re.findall(r'<w:hyperlink [^>]*w:anchor="([^"]+)"', xml)
    body_anchors = [a for a in anchors if a in set(expected)]
    assert sorted(set(body_anchors)) == sorted(set(expected))
    assert set(anchors) <= bookmarks


def test_no_template_syntax_is_printed(site_outputs):
    _name, outputs, _expected, warnings = site_outputs
    html = outputs["html"].read_text(encoding="utf-8")
    body = html[html.index("<main"):]
    for marker in ("{{", "{%", "%}", "}}", ":::"):
        assert marker not in body, marker
    assert not [w for w in warnings if "SITE001" in w], warnings
