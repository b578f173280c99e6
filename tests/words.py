"""The words of a Markdown source and of each output, for the "no silent losses" checks.

What counts as a word the author wrote: the text a reader of the source's website sees, as pandoc
reads the Markdown with the pipeline's own reader (so `:tada:`, entities and escapes read the same
on both sides). That is every `Str`, inline code and code block, link text, figure captions, table
cells, footnotes, and the text content of raw HTML. Not words: markup, URLs, raw HTML tags and
attributes (an image's alt text is an attribute: images are shown, not read), HTML comments, and
front matter (its title is printed from metadata). Math is left out of the word set: a formula may
be typeset as MathML, OMML or a graphic, so `has_math` compares its presence instead of its TeX.

A word is a run of letters, digits and underscores (`\\w+`) after NFKC normalization and case
folding: ligatures, full-width forms and presentation forms read as their letters, and a heading
set in capitals by the theme is the same word.

Outputs are read with real readers: pdftotext (poppler) for PDF, python-docx for DOCX (the main
document, footnotes and endnotes), the XHTML of the EPUB's content documents, the HTML page. A PDF
breaks words across lines, with or without a hyphen; a word that is not found whole is therefore
also looked for in the output's letters with every separator removed.
"""

from __future__ import annotations

import html
import html.parser
import json
import re
import subprocess
import unicodedata
import zipfile
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

WORD = re.compile(r"\w+")
_NOTE_NUMBER = re.compile(r"^(\D*[^\W\d_])\d+$")
# Text inside these elements is not reader-visible in any output: code, styling, or (template) inert.
INVISIBLE = frozenset(["script", "style", "noscript", "template", "head", "title"])
VOID = frozenset(["area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"])


# poppler writes an Arabic lam-alef ligature in visual order ("آل" for "لآ"): inside a run of these
# letters only the letters count, not their order.
_LAM_ALEF = re.compile("[\u0644\u0627\u0622\u0623\u0625]{2,}")


def words_of(text: str) -> list[str]:
    """The words of `text`: NFKC, combining marks dropped (harakat and other diacritics that
    extraction reorders or detaches), case-folded."""
    text = unicodedata.normalize("NFKC", text)
    text = "".join(c for c in text if unicodedata.category(c) != "Mn").casefold()
    text = _LAM_ALEF.sub(lambda m: "".join(sorted(m.group())), text)
    return WORD.findall(text)


class _HtmlText(html.parser.HTMLParser):
    """Text of an HTML fragment, each piece with the elements it sits in (for "<tag> was dropped")."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.open: list[str] = []
        self.pieces: list[tuple[str, tuple[str, ...]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in VOID:
            self.open.append(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        pass

    def handle_endtag(self, tag: str) -> None:
        if tag in self.open:  # browsers close everything opened after it, too
            del self.open[len(self.open) - 1 - self.open[::-1].index(tag):]

    def handle_data(self, data: str) -> None:
        if not INVISIBLE.intersection(self.open):
            self.pieces.append((data, tuple(self.open)))


@dataclass
class SourceWords:
    """The words of a source, and for those inside raw HTML elements, the elements around them."""

    counts: Counter[str] = field(default_factory=Counter)
    inside: dict[str, set[str]] = field(default_factory=dict)  # word → raw HTML tags it sat in
    math: list[str] = field(default_factory=list)  # the TeX of each formula (left out of the words)

    def add(self, text: str, tags: tuple[str, ...] = ()) -> None:
        for word in words_of(text):
            self.counts[word] += 1
            if tags:
                self.inside.setdefault(word, set()).update(tags)


# Site template markup is not the author's text: Liquid and Hugo comments, shortcode and template
# tags (their names, keys and addresses), kramdown attribute lists and kramdown-rfc references
# (`{{sec-x}}`, shown as the section's title). A quoted value with a space in it (a caption, a
# title) is text and stays.
_TEMPLATE_COMMENT = re.compile(r"\{%-?\s*comment\s*-?%\}.*?\{%-?\s*endcomment\s*-?%\}|\{\{</\*.*?\*/>\}\}"
                               r"|\{/\*.*?\*/\}", re.DOTALL)
_TEMPLATE_TAG = re.compile(r"\{\{[<%]?.*?[>%]?\}\}|\{%.*?%\}|\{::?[^}]*\}", re.DOTALL)
_QUOTED = re.compile(r'"([^"\n]*)"|\'([^\'\n]*)\'')


def without_template_markup(markdown: str) -> str:
    """`markdown` without site template markup (see above), quoted text in it kept."""
    def keep_text(match: re.Match[str]) -> str:
        quoted = (a or b for a, b in _QUOTED.findall(match.group(0)))
        return " ".join(text for text in quoted if len(text.split()) > 1)

    return _TEMPLATE_TAG.sub(keep_text, _TEMPLATE_COMMENT.sub(" ", markdown))


def source_words(markdown: str) -> SourceWords:
    """The words of a Markdown body (front matter already split off), read as the pipeline reads it,
    site template markup left out (`without_template_markup`)."""
    from pipeline.render import READER, run_pandoc

    ast = json.loads(run_pandoc(without_template_markup(markdown), "json", fmt=READER))
    found = SourceWords()
    raw: list[str] = []  # raw HTML of the current block: a tag may open in one inline, close in another

    def flush() -> None:
        if raw:
            parser = _HtmlText()
            parser.feed("".join(raw))
            parser.close()
            for text, tags in parser.pieces:
                found.add(text, tags)
            raw.clear()

    def visit(node: Any) -> None:
        if isinstance(node, list):
            for item in node:
                visit(item)
            return
        if not isinstance(node, dict) or "t" not in node:
            return
        kind, content = node["t"], node.get("c")
        if kind in ("RawBlock", "RawInline"):
            if content[0] == "html":
                raw.append(content[1])
            return
        if raw and kind not in ("Space", "SoftBreak", "LineBreak"):
            # Text between raw tags of one paragraph (`<b>bold</b>`) is pandoc's, not raw: it goes in
            # as raw text so the tags around it are known.
            if kind == "Str":
                raw.append(html.escape(content, quote=False))
                return
            flush()
        if kind == "Str":
            found.add(content)
        elif kind in ("Space", "SoftBreak", "LineBreak"):
            if raw:
                raw.append(" ")
        elif kind in ("Code", "CodeBlock"):
            found.add(content[1])
        elif kind == "Math":
            found.math.append(content[1])
        elif kind == "Image":
            return  # alt text is an attribute of a picture, not text on the page
        else:
            visit(content)
        if node.get("t") in ("Para", "Plain", "Header", "CodeBlock", "RawBlock"):
            flush()

    for block in ast["blocks"]:
        visit(block)
        flush()
    return found


# -- outputs --------------------------------------------------------------------------------------

def _xhtml_text(data: bytes) -> str:
    parser = _HtmlText()
    parser.feed(data.decode("utf-8", errors="replace"))
    parser.close()
    return " ".join(text for text, _ in parser.pieces)


@dataclass
class OutputText:
    """An output's text: as laid out (lines), and in reading order (a table cell's lines together)."""

    layout: str
    reading: str


def output_text(path: Path, fmt: str) -> OutputText:
    """The reader-visible text of an output file."""
    if fmt == "pdf":
        def pdftotext(*mode: str) -> str:
            return subprocess.run(["pdftotext", *mode, "-enc", "UTF-8", str(path), "-"], capture_output=True,
                                  text=True, check=True, timeout=120).stdout

        # -layout: each line as placed, so a page number beside the last line of a page stays apart
        # from its words (reading order glued "implement-" and "24 / 38" into one word).
        return OutputText(pdftotext("-layout"), pdftotext())
    if fmt == "docx":
        import docx
        from docx.oxml.ns import qn

        document = docx.Document(str(path))
        parts = [document.part, *(rel.target_part for rel in document.part.rels.values()
                                  if rel.reltype.endswith(("/footnotes", "/endnotes")))]
        texts = []
        for part in parts:
            element = part.element if hasattr(part, "element") else _xml(part.blob)
            texts.append(" ".join(node.text or "" for node in element.iter(qn("w:t"))))
            texts.append(" ".join(node.text or "" for node in element.iter(qn("m:t"))))
        text = "\n".join(texts)
    elif fmt == "epub":
        with zipfile.ZipFile(path) as book:
            text = "\n".join(_xhtml_text(book.read(name)) for name in book.namelist() if name.endswith(".xhtml"))
    else:
        text = _xhtml_text(path.read_bytes())
    return OutputText(text, text)


def _xml(blob: bytes) -> Any:
    from lxml import etree

    return etree.fromstring(blob, etree.XMLParser(resolve_entities=False, no_network=True))


def has_math(path: Path, fmt: str) -> bool | None:
    """Whether an output carries its formulas, typeset or as text marked as math (None: the PDF,
    whose formulas are drawn, not marked)."""
    if fmt == "pdf":
        return None
    if fmt == "docx":
        with zipfile.ZipFile(path) as package:
            return b"<m:oMath" in package.read("word/document.xml")
    if fmt == "epub":
        with zipfile.ZipFile(path) as book:
            markup = b"".join(book.read(n) for n in book.namelist() if n.endswith(".xhtml"))
    else:
        markup = path.read_bytes()
    # MathML (EPUB), pandoc's marked TeX, or formulas drawn as SVG with their TeX as label (HTML).
    return b"<math" in markup or re.search(rb'class="math(?:-svg)? (?:inline|display)"', markup) is not None


def _pieced(word: str, ends: Counter[str], whole: set[str], starts: Counter[str]) -> bool:
    """Whether `word` reads as the end of one stretch, whole stretches, and the start of another."""
    reached = {i for i in range(1, len(word)) if ends[word[:i]]}
    frontier = sorted(reached)
    while frontier:
        i = frontier.pop()
        if starts[word[i:]]:
            return True
        for j in range(i + 1, len(word)):
            if j not in reached and word[i:j] in whole:
                reached.add(j)
                frontier.append(j)
    return False


@dataclass
class Loss:
    word: str
    wanted: int
    found: int


def missing_words(source: SourceWords, output: OutputText, allowed: Counter[str],
                  dropped_tags: set[str]) -> list[Loss]:
    """Source words the output has fewer of than the source, beyond what the allowances explain.

    `allowed`: how many of each word edits and warnings account for (a fixed typo, a heading a rule
    removed, a missing image's name); `dropped_tags`: raw HTML elements a warning said were dropped,
    whose words may be gone.
    """
    text = output.layout
    have = Counter(words_of(text))
    # A footnote's number right after a word ("unpaired46") in a PDF's text.
    have.update(m.group(1) for word in list(have.elements()) if (m := _NOTE_NUMBER.match(word)))
    letters = "".join(words_of(output.reading))  # every separator gone: words broken over lines join again
    # A word broken at the end of a line continues on another: after a page's footer and the next
    # page's header, or in the next row of its table column. Its halves end one stretch of text
    # and start another (stretches: a line's runs between wide gaps, such as table columns).
    ends: Counter[str] = Counter()
    starts: Counter[str] = Counter()
    whole: set[str] = set()  # stretches of a single word: the middle of a word over three lines
    for line in text.splitlines():
        for stretch in re.split(r"\s{3,}", line):
            found = words_of(stretch)
            if found:
                ends[found[-1]] += 1
                starts[found[0]] += 1
                if len(found) == 1:
                    whole.add(found[0])
    losses = []
    for word, wanted in source.counts.items():
        if have[word] + allowed[word] >= wanted:
            continue
        if source.inside.get(word, set()) & dropped_tags:
            continue
        if letters.count(word) + allowed[word] >= wanted:
            continue
        broken = sum(min(ends[word[:i]], starts[word[i:]]) for i in range(1, len(word)))
        if have[word] + broken + allowed[word] >= wanted or _pieced(word, ends, whole, starts):
            continue
        losses.append(Loss(word, wanted, have[word]))
    return sorted(losses, key=lambda loss: (-(loss.wanted - loss.found), loss.word))


# -- known limits of a PDF's text layer --------------------------------------------------------------

def clipped_words(path: Path) -> set[str]:
    """Words drawn past the edge of their page (a table wider than the page): not on the paper."""
    import pdfplumber

    clipped: set[str] = set()
    with pdfplumber.open(path) as pdf:
        for page in pdf.pages:
            width = float(page.width)
            for word in page.extract_words():
                if word["x1"] > width + 1 or word["x0"] < -1:
                    clipped.update(words_of(word["text"]))
    return clipped


def _arabic_letters_with_marks(markdown: str) -> set[str]:
    return {markdown[i - 1] for i, c in enumerate(markdown)
            if i and unicodedata.category(c) == "Mn" and "\u0620" <= markdown[i - 1] <= "\u06ff"}


def explain_pdf_losses(losses: list[Loss], path: Path, output: OutputText, markdown: str) -> str | None:
    """Why every lost word is a known limit rather than a new loss, or None when one is not.

    - Text past the page edge: a table wider than the page (issue #14, wide tables) is cut off.
    - WeasyPrint's text layer maps each glyph to one text, the first it drew: an Arabic letter
      drawn with a harakah once ("خطأً") reads as the mark alone, or nothing, everywhere else in the
      document ("نأمل" → "نمل"). The page shows the letters; search and copy miss them.
    """
    clipped = clipped_words(path)
    marked = _arabic_letters_with_marks(markdown)
    strip = str.maketrans("", "", "".join(marked))
    readable = set(words_of(output.layout)) | set(words_of(output.reading))
    readable_without_marked = {w.translate(strip) for w in readable}
    reasons = set()
    for loss in losses:
        if loss.word in clipped:
            reasons.add("a table wider than the page is cut off at its edge (wide tables, #14)")
        elif marked and loss.word.translate(strip) in readable_without_marked:
            reasons.add("WeasyPrint's text layer gives an Arabic letter that carries a harakah once the mark's "
                        "text everywhere (the page shows it; search and copy miss it)")
        else:
            return None
    return "; ".join(sorted(reasons))
