"""Books: several Markdown files built as one PDF, DOCX, EPUB and HTML (pipeline/book)."""

from __future__ import annotations

import json
import re
import zipfile
from pathlib import Path

import pytest
from conftest import run_cli

from pipeline.book import find_books, load_any_book
from pipeline.book.spec import BookError, load_book

INTRO = """---
title: Introduction
author: Jane Roe
---
# Overview

See [the staff costs](part2/costs.md#staff), [the costs chapter](part2/costs.md),
[a missing anchor](part2/costs.md#nowhere), [the blog](../elsewhere/post.md) and [our overview](#overview).

## Summary

Teh summary of the introduction.
"""
COSTS = """---
title: Costs
---
# Costs

## Overview

Back to [the introduction](../intro.md#summary).

## Staff

![A green picture](pic.png)

<img src="pic.png" alt="raw picture">
"""
BOOK = """title: The Guide
subtitle: A small book
language: en
chapters:
  - intro.md
  - part: The numbers
    chapters:
      - part2/costs.md
"""
NOTES = "---\ntitle: Field notes\n---\n# Notes\n\nA separate document.\n"


def _write_site(root: Path) -> Path:
    from PIL import Image

    site = root / "site"
    (site / "guide" / "part2").mkdir(parents=True)
    (site / "guide" / "intro.md").write_text(INTRO, encoding="utf-8")
    (site / "guide" / "part2" / "costs.md").write_text(COSTS, encoding="utf-8")
    (site / "guide" / "book.yml").write_text(BOOK, encoding="utf-8")
    Image.new("RGB", (200, 100), (20, 120, 60)).save(site / "guide" / "part2" / "pic.png")
    (site / "notes.md").write_text(NOTES, encoding="utf-8")
    return site


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    root = tmp_path_factory.mktemp("book")
    site = _write_site(root)
    out = root / "out"
    first = run_cli(str(site), "--to", "all", "--no-office", "-o", str(out), "-j", "2", "--json")
    assert first.returncode == 0, first.stderr
    return {"site": site, "out": out, "first": json.loads(first.stdout), "stderr": first.stderr}


@pytest.mark.slow
def test_a_folder_with_book_yml_builds_as_one_book(built: dict) -> None:
    out: Path = built["out"]
    built_outputs = sorted(Path(r["output"]).relative_to(out).as_posix() for r in built["first"]["built"])
    assert built_outputs == sorted([f"guide/guide.{f}" for f in ("pdf", "docx", "epub", "html")]
                                   + [f"notes.{f}" for f in ("pdf", "docx", "epub", "html")])
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    entry = manifest["outputs"]["guide/guide.pdf"]
    assert entry["title"] == "The Guide"
    assert [c["file"] for c in entry["book"]["chapters"]] == ["intro.md", "part2/costs.md"]
    assert all(re.fullmatch(r"[0-9a-f]{64}", c["sha256"]) for c in entry["book"]["chapters"])


@pytest.mark.slow
def test_pdf_one_cover_one_contents_chapters_running_heads_continuous_pages(built: dict) -> None:
    from pypdf import PdfReader

    reader = PdfReader(built["out"] / "guide" / "guide.pdf")
    pages = [page.extract_text() or "" for page in reader.pages]
    total = len(pages)
    assert "The Guide" in pages[0] and "A small book" in pages[0]
    assert sum("Contents" in page for page in pages) == 1
    contents = next(page for page in pages if "Contents" in page)
    assert all(title in contents for title in ("Introduction", "The numbers", "Costs"))
    # Each chapter opens a page; the folios run on through the book: n / total.
    opening = {title: next(n for n, page in enumerate(pages) if re.search(rf"^{title}\s*$", page, re.M))
               for title in ("Introduction", "Costs")}
    assert opening["Introduction"] < opening["Costs"]
    for number, page in enumerate(pages[1:-1], start=2):  # between the covers, blank versos aside
        if page.strip():
            assert f"{number} / {total}" in page, (number, page[-200:])
    # Running head: the part on a page of the Costs chapter after its opening page (or its chapter).
    staff = next(n for n, page in enumerate(pages) if "A green picture" in page)
    assert "The Guide" in pages[staff], "the book's title in the footer"
    links = [a.get_object() for page in reader.pages for a in page.get("/Annots") or []]
    internal = [a for a in links if a.get("/Subtype") == "/Link" and ("/Dest" in a or a.get("/A", {}).get("/S")
                                                                       == "/GoTo")]
    assert len(internal) >= 5, "links between chapters are internal links in the PDF"


@pytest.mark.slow
def test_links_between_chapters_are_internal_in_html_epub_and_docx(built: dict) -> None:
    import docx

    html = (built["out"] / "guide" / "guide.html").read_text(encoding="utf-8")
    ids = re.findall(r'\sid="([^"]+)"', html)
    assert len(ids) == len(set(ids)), "ids are unique across chapters"
    assert 'href="#staff"' in html and 'href="#costs"' in html and 'href="#summary"' in html
    assert 'id="costs-overview"' in html, "the second chapter's clashing id is prefixed"
    assert "costs.md" not in html.split("<main", 1)[1]
    assert '<span class="unlinked">the blog</span>' in html
    assert html.count('<img src="data:image/png;base64,') >= 2, "images from the chapter's own folder"
    with zipfile.ZipFile(built["out"] / "guide" / "guide.epub") as book:
        chapters = {n: book.read(n).decode() for n in book.namelist() if n.startswith("EPUB/text/ch")}
    hrefs = [h for text in chapters.values() for h in re.findall(r'href="(ch\d+\.xhtml#[^"]+)"', text)]
    assert {h.split("#")[1] for h in hrefs} >= {"staff", "costs", "summary", "overview"}
    for href in hrefs:
        name, fragment = href.split("#")
        assert f'id="{fragment}"' in chapters[f"EPUB/text/{name}"], href
    word = docx.Document(str(built["out"] / "guide" / "guide.docx"))
    anchors = {link.get(docx.oxml.ns.qn("w:anchor")) for link in word.element.body.iter(docx.oxml.ns.qn("w:hyperlink"))}
    bookmarks = {b.get(docx.oxml.ns.qn("w:name")) for b in word.element.body.iter(docx.oxml.ns.qn("w:bookmarkStart"))}
    assert {"staff", "costs", "summary"} <= anchors and anchors - {None} <= bookmarks
    styles = [(p.style.name, p.text) for p in word.paragraphs if p.style is not None]
    assert ("Heading 1", "Introduction") in styles and ("Heading 1", "The numbers") in styles
    assert ("Heading 2", "Costs") in styles and ("Byline", "Jane Roe") in styles
    # Word's running head names the chapter: a STYLEREF field of the chapters' heading style.
    assert 'STYLEREF "Heading 2"' in word.sections[0].header._element.xml


@pytest.mark.slow
def test_each_chapter_is_normalized_and_reported_on_its_own(built: dict) -> None:
    site: Path = built["site"]
    report = (built["out"] / "guide" / "guide.changes.md").read_text(encoding="utf-8")
    intro = site / "guide" / "intro.md"
    assert f"Source: `{intro}`" in report and f"Source: `{site / 'guide' / 'part2' / 'costs.md'}`" in report
    section = report[report.index(f"Source: `{intro}`"):]
    assert re.search(r"line 12: `Teh` → `The`", section), section[:2000]
    warnings = "\n".join(w for r in built["first"]["built"] for w in r.get("warnings", []))
    assert f"{intro}:8: warning: link to '../elsewhere/post.md' leads outside the book's folder" in warnings
    assert re.search(rf"{re.escape(str(intro))}:\d+: warning: link to part2/costs.md#nowhere: .*\[BOOK002\]", warnings)
    index = (built["out"] / "index.html").read_text(encoding="utf-8")
    assert "Book, 2 chapters" in index and "part2/costs.md" in index


@pytest.mark.slow
def test_a_changed_chapter_rebuilds_the_book_and_nothing_else(built: dict) -> None:
    site: Path = built["site"]
    costs = site / "guide" / "part2" / "costs.md"
    costs.write_text(COSTS + "\nA new closing line.\n", encoding="utf-8")
    again = run_cli(str(site), "--to", "all", "--no-office", "-o", str(built["out"]), "-j", "2", "--json")
    assert again.returncode == 0, again.stderr
    summary = json.loads(again.stdout)
    rebuilt = sorted(Path(r["output"]).name for r in summary["built"])
    assert rebuilt == sorted(f"guide.{f}" for f in ("pdf", "docx", "epub", "html"))
    assert sorted(Path(r["output"]).name for r in summary["up_to_date"]) == sorted(
        f"notes.{f}" for f in ("pdf", "docx", "epub", "html"))
    manifest = json.loads((built["out"] / "manifest.json").read_text(encoding="utf-8"))
    import hashlib

    recorded = {c["file"]: c["sha256"] for c in manifest["outputs"]["guide/guide.html"]["book"]["chapters"]}
    assert recorded["part2/costs.md"] == hashlib.sha256(costs.read_bytes()).hexdigest()


# ---- Bad book files: one line naming the book file and line, nothing written ----------------------

@pytest.mark.parametrize(("chapters", "line", "message"), [
    ("  - intro.md\n  - missing.md\n", 4, "chapter missing.md does not exist"),
    ("  - intro.md\n  - ./intro.md\n", 4, "chapter ./intro.md is listed twice (first on line 3)"),
    ("  - intro.md\n  - ../outside.md\n", 4, "chapter ../outside.md is outside the book's folder"),
    ("  - intro.md\n  - /etc/hostname.md\n", 4, "chapter /etc/hostname.md is not a path inside the book's folder"),
    ("  - intro.md\n  - notes.txt\n", 4, "chapter notes.txt is not a Markdown file (*.md, *.markdown)"),
])
def test_a_bad_book_file_is_one_line_and_nothing_is_written(tmp_path: Path, chapters: str, line: int,
                                                            message: str) -> None:
    folder = tmp_path / "book"
    folder.mkdir()
    (tmp_path / "outside.md").write_text("# Out\n", encoding="utf-8")
    (folder / "intro.md").write_text("# In\n", encoding="utf-8")
    (folder / "notes.txt").write_text("notes\n", encoding="utf-8")
    book = folder / "book.yml"
    book.write_text(f"title: A book\nchapters:\n{chapters}", encoding="utf-8")
    out = tmp_path / "out"
    for target in (book, folder):
        result = run_cli(str(target), "--to", "pdf,html", "-o", str(out))
        assert result.returncode == 2, result.stderr
        assert result.stderr.splitlines() == [f"convert: error: {book}:{line}: {message}"]
        assert not out.exists(), "nothing written"


def test_book_file_errors_name_their_line(tmp_path: Path) -> None:
    (tmp_path / "a.md").write_text("# A\n", encoding="utf-8")
    cases = {
        "title: T\nchapter:\n  - a.md\n": (2, "unknown key 'chapter' (did you mean chapters?)"),
        "subtitle: no title\nchapters: [a.md]\n": (1, "the book has no title"),
        "title: T\nchapters: []\n": (2, "the book lists no chapters"),
        "title: T\nchapters:\n  - part: Empty\n": (3, "part 'Empty' lists no chapters"),
        "title: [unclosed\n": (2, "not valid YAML"),
        "title: T\nbase_url: openinfra.dev\nchapters: [a.md]\n": (2, "base_url 'openinfra.dev' must be a web address"),
    }
    for text, (line, message) in cases.items():
        (tmp_path / "book.yml").write_text(text, encoding="utf-8")
        with pytest.raises(BookError) as caught:
            load_book(tmp_path / "book.yml")
        assert caught.value.line == line and message in caught.value.message, (text, str(caught.value))


def test_book_table_in_pyproject(tmp_path: Path) -> None:
    (tmp_path / "one.md").write_text("# One\n", encoding="utf-8")
    (tmp_path / "two.md").write_text("# Two\n", encoding="utf-8")
    config = tmp_path / "pyproject.toml"
    config.write_text('[project]\nname = "x"\n\n[tool.pipeline.book]\ntitle = "From config"\n'
                      'chapters = ["one.md", "two.md", "three.md"]\n', encoding="utf-8")
    with pytest.raises(BookError) as caught:
        load_any_book(config)
    assert caught.value.line == 6 and "chapter three.md does not exist" in caught.value.message
    config.write_text(config.read_text(encoding="utf-8").replace(', "three.md"', ""), encoding="utf-8")
    book = load_any_book(config)
    assert book.title == "From config" and [c.relative for c in book.chapters] == ["one.md", "two.md"]
    books, rest, _ = find_books([tmp_path])
    assert [source for source, _ in books] == [config] and rest == []


def test_books_found_inside_a_folder_keep_their_files_to_themselves(tmp_path: Path) -> None:
    site = _write_site(tmp_path)
    books, rest, excludes = find_books([site])
    assert books == [(site / "guide" / "book.yml", Path("guide"))]
    assert rest == [site] and excludes == ("guide/*",)
    (site / "notes.md").unlink()
    books, rest, _ = find_books([site])
    assert rest == [], "a folder holding only a book is not also a folder of documents"


def test_base_url_turns_links_out_of_the_book_into_web_links(tmp_path: Path) -> None:
    site = _write_site(tmp_path)
    book = site / "guide" / "book.yml"
    book.write_text(BOOK + "base_url: https://example.org/guide/\ntheme: default\n", encoding="utf-8")
    out = tmp_path / "out"
    result = run_cli(str(book), "--to", "html", "-o", str(out))
    assert result.returncode == 0, result.stderr
    html = (out / "guide.html").read_text(encoding="utf-8")
    assert 'href="https://example.org/elsewhere/post.md"' in html
    assert "BOOK001" not in result.stdout + result.stderr
    assert "#1F6F78" in html, "the book's own theme (default), as --theme was not given"
    explicit = run_cli(str(book), "--to", "html", "-o", str(out), "--theme", "openinfra")
    assert explicit.returncode == 0 and "#E2173E" in (out / "guide.html").read_text(encoding="utf-8")
