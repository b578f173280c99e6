"""What a website source keeps when converted: its images and its links to headings.

Not a timing: the counts behind issue #15's closing note, from real outputs.

    .venv/bin/convert ../shared/corpus --to html -o /tmp/out --no-validate -q
    .venv/bin/python bench/site_sources.py ../shared/corpus /tmp/out

    # a stand-in site root: a small image at every root-relative image path the sources name
    .venv/bin/python bench/site_sources.py --make-site /tmp/site ../shared/corpus/openinfra-annual-report-202*.md
    .venv/bin/convert ../shared/corpus/openinfra-annual-report-202*.md --to html -o /tmp/out2 --site-root /tmp/site

For every Markdown file with an HTML output of the same name it prints the links to `#…` the
source holds (Markdown links and raw HTML `href`, outside code, read by markdown-it as GFM does),
how many of them work in the HTML (an `<a href="#x">` in the text whose `x` is an id on the page;
footnote links not counted), and the images the source names against those embedded in the page.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

_HREF_FRAGMENT = re.compile(r"""\bhref\s*=\s*["']#([^"']+)["']""", re.IGNORECASE)


def source_counts(text: str) -> tuple[int, int]:
    """(links to #fragments, images) in Markdown `text`, as a GFM renderer reads it (code left out)."""
    from markdown_it import MarkdownIt

    links = 0
    for token in MarkdownIt("gfm-like").parse(text):
        if token.type == "html_block":
            links += len(_HREF_FRAGMENT.findall(token.content))
        for child in token.children or []:
            href = str(child.attrs.get("href", "")) if child.type == "link_open" else ""
            if href.startswith("#") and len(href) > 1:
                links += 1
            elif child.type == "html_inline":
                links += len(_HREF_FRAGMENT.findall(child.content))
    return links, len(image_sources(text))


def output_counts(html: str) -> tuple[int, int]:
    """(working links to #ids in the text, embedded images) of one of our HTML pages."""
    from urllib.parse import unquote

    import lxml.html

    tree = lxml.html.fromstring(html)
    main = tree.find(".//main")
    body = main if main is not None else tree
    ids = {element.get("id") for element in tree.iter() if isinstance(element.tag, str) and element.get("id")}
    working = 0
    for anchor in body.iter("a"):
        href = anchor.get("href") or ""
        classes = (anchor.get("class") or "").split()
        if not href.startswith("#") or len(href) < 2 or {"footnote-ref", "footnote-back"} & set(classes):
            continue
        if anchor.get("aria-hidden") == "true":  # pandoc's line anchors in highlighted code
            continue
        if unquote(href[1:]) in ids:
            working += 1
    images = sum(1 for image in body.iter("img") if (image.get("src") or "").startswith("data:"))
    return working, images


_IMG_SRC = re.compile(r"""<img\b[^>]*\bsrc\s*=\s*["']([^"']+)["']""", re.IGNORECASE)


def image_sources(text: str) -> list[str]:
    """Every image path `text` names, as a GFM renderer reads it (Markdown images and raw HTML `<img>`)."""
    from urllib.parse import unquote

    from markdown_it import MarkdownIt

    found = []
    for token in MarkdownIt("gfm-like").parse(text):
        if token.type == "html_block":
            found += _IMG_SRC.findall(token.content)
        for child in token.children or []:
            if child.type == "image":
                found.append(unquote(str(child.attrs.get("src", ""))))
            elif child.type == "html_inline":
                found += _IMG_SRC.findall(child.content)
    return found


def make_site(site: Path, sources: list[Path]) -> int:
    """Write a small stand-in image at every root-relative image path the sources name."""
    from PIL import Image

    made = 0
    for source in sources:
        for path in image_sources(source.read_text(encoding="utf-8", errors="replace")):
            if not path.startswith("/") or path.startswith("//"):
                continue
            target = site / path.split("?")[0].split("#")[0].lstrip("/")
            if target.exists() or "." not in target.name:
                continue
            target.parent.mkdir(parents=True, exist_ok=True)
            if target.suffix.lower() == ".svg":
                target.write_text('<svg xmlns="http://www.w3.org/2000/svg" width="40" height="20">'
                                  '<rect width="40" height="20" fill="#888"/></svg>', encoding="utf-8")
            else:
                formats = {".jpg": "JPEG", ".jpeg": "JPEG", ".gif": "GIF", ".webp": "WEBP"}
                kind = formats.get(target.suffix.lower(), "PNG")
                Image.new("RGB", (40, 20), "gray").save(target, kind)
            made += 1
    print(f"{made} stand-in images under {site}")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sources", type=Path, help="folder of Markdown files (with --make-site: the files)")
    parser.add_argument("outputs", type=Path, nargs="*", help="folder of their HTML outputs")
    parser.add_argument("--only", nargs="*", default=None, help="file names to include (default: all)")
    parser.add_argument("--make-site", type=Path, default=None, metavar="DIR",
                        help="write stand-in images at the sources' root-relative image paths under DIR")
    args = parser.parse_args(argv)
    if args.make_site is not None:
        return make_site(args.make_site, [args.sources, *args.outputs])
    if len(args.outputs) != 1:
        parser.error("give one folder of HTML outputs")
    args.outputs = args.outputs[0]
    totals = [0, 0, 0, 0]
    print(f"{'document':58} {'#links':>7} {'working':>8} {'images':>7} {'embedded':>9}")
    for source in sorted(args.sources.glob("*.md")):
        if args.only and source.name not in args.only:
            continue
        output = args.outputs / f"{source.stem}.html"
        if not output.is_file():
            continue
        links, images = source_counts(source.read_text(encoding="utf-8", errors="replace"))
        working, embedded = output_counts(output.read_text(encoding="utf-8"))
        if not (links or images):
            continue
        totals = [a + b for a, b in zip(totals, (links, working, images, embedded), strict=True)]
        print(f"{source.name:58} {links:7} {working:8} {images:7} {embedded:9}")
    print(f"{'total':58} {totals[0]:7} {totals[1]:8} {totals[2]:7} {totals[3]:9}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
