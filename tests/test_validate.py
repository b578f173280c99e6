"""The validation gate: each checker's findings on good and broken files, and the writers' gate."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from conftest import require_tool

from pipeline import validate
from pipeline.document import Document, Metadata
from pipeline.errors import WriterError
from pipeline.writers import WriteOptions, WriteResult


def _document(tmp_path: Path) -> Document:
    source = tmp_path / "doc.md"
    source.write_text("# Doc\n", encoding="utf-8")
    return Document(source=source, meta=Metadata(title="Doc"), body="# Doc\n")


def test_result_shape():
    result = validate.Validation("epub", "EPUBCheck 5.3.0")
    result.add("error", "RSC-005", "bad   attribute", "EPUB/text/ch001.xhtml:3:4")
    result.add("warning", "NAV-011", "order")
    data = result.finish(0.0).to_dict()
    assert set(data) == {"format", "tool", "status", "errors", "warnings", "pages", "seconds", "summary",
                         "reason", "findings", "omitted"}
    assert data["status"] == "failed" and (data["errors"], data["warnings"]) == (1, 1)
    assert data["findings"][0] == {"severity": "error", "code": "RSC-005", "message": "bad attribute",
                                   "location": "EPUB/text/ch001.xhtml:3:4"}
    assert data["summary"] == "EPUBCheck 5.3.0: 1 error, 1 warning"


def test_findings_are_capped_but_counted():
    result = validate.Validation("epub", "EPUBCheck")
    for index in range(validate.MAX_FINDINGS + 5):
        result.add("error", "X", str(index))
    assert result.errors == validate.MAX_FINDINGS + 5 and len(result.findings) == validate.MAX_FINDINGS
    assert result.to_dict()["omitted"] == 5


def test_broken_epub_fails_with_located_findings(seed_outputs, tmp_path):
    require_tool("java")
    broken = tmp_path / "broken.epub"
    with zipfile.ZipFile(seed_outputs["epub"]) as source, zipfile.ZipFile(broken, "w") as target:
        for info in source.infolist():
            data = source.read(info)
            if info.filename == "EPUB/text/ch001.xhtml":
                data = data.replace(b"<h2>", b"<h2 width='50%'><div>", 1)
            target.writestr(info, data)
    result = validate.check_epub(broken, name="broken.epub")
    assert result.status == "failed" and result.errors >= 1
    assert any(f.code.startswith("RSC-0") and f.location.startswith("EPUB/text/ch001.xhtml:") for f in result.findings)


def test_docx_package_errors_need_no_libreoffice(tmp_path):
    garbage = tmp_path / "garbage.docx"
    garbage.write_bytes(b"not a zip")
    assert [f.code for f in validate.check_docx(garbage).findings] == ["DOCX-ZIP"]
    broken = tmp_path / "broken.docx"
    with zipfile.ZipFile(broken, "w") as package:
        package.writestr("[Content_Types].xml", "<Types/>")
        package.writestr("word/document.xml", "<w:document><unclosed></w:document>")
    codes = [f.code for f in validate.check_docx(broken).findings]
    assert "DOCX-XML" in codes and "DOCX-PART" in codes  # styles.xml is missing too


def test_docx_that_libreoffice_cannot_open(tmp_path, seed_outputs):
    require_tool("soffice")
    good = validate.check_docx(seed_outputs["docx"], name="seed.docx")
    assert good.status == "passed" and good.pages and good.pages > 10
    fake = tmp_path / "fake.docx"
    with zipfile.ZipFile(fake, "w") as package:  # well-formed parts, but not a Word document
        for part in ("[Content_Types].xml", "word/document.xml", "word/styles.xml"):
            package.writestr(part, "<nothing/>")
    result = validate.check_docx(fake)
    assert result.status == "failed"


def test_pdf_checks(seed_outputs, tmp_path):
    require_tool("qpdf")
    require_tool("pdffonts")
    good = validate.check_pdf(seed_outputs["pdf"])
    assert good.status == "passed", [str(f) for f in good.findings]
    assert good.pages and good.pages > 5
    truncated = tmp_path / "truncated.pdf"
    truncated.write_bytes(seed_outputs["pdf"].read_bytes()[: 5000])
    assert validate.check_pdf(truncated).status == "failed"


def test_pdf_fonts_with_names_longer_than_the_column(tmp_path):
    """pdffonts prints a name longer than its 36-character column whole and shifts the rest of the
    row; a font that is not embedded must still be found, under its whole name."""
    require_tool("pdffonts")
    from pypdf import PdfWriter
    from pypdf.generic import DictionaryObject, NameObject

    long_name = "Brand-Sans-Condensed-Semi-Bold-Italic-Display"  # 45 characters, not embedded
    writer = PdfWriter()
    page = writer.add_blank_page(width=200, height=200)
    font = DictionaryObject({NameObject("/Type"): NameObject("/Font"), NameObject("/Subtype"): NameObject("/Type1"),
                             NameObject("/BaseFont"): NameObject("/" + long_name)})
    page[NameObject("/Resources")] = DictionaryObject({NameObject("/Font"): DictionaryObject(
        {NameObject("/F1"): font})})
    path = tmp_path / "long-font-name.pdf"
    with path.open("wb") as handle:
        writer.write(handle)
    result = validate.check_pdf(path)
    assert [f.message for f in result.findings if f.code == "PDF-FONT"] == [f"font {long_name} is not embedded"]
    assert result.status == "failed"


def test_wanted_follows_the_flag_then_ci_then_java(monkeypatch):
    monkeypatch.delenv("CI", raising=False)
    assert validate.wanted(WriteOptions(validate=True), "docx")
    assert not validate.wanted(WriteOptions(validate=False), "epub")
    unset = WriteOptions()
    unset.validate = None  # the flag not given
    monkeypatch.setattr(validate.shutil, "which", lambda name: "/usr/bin/" + name)
    monkeypatch.setattr(validate, "epubcheck_jar", lambda: Path("/x.jar"))
    assert validate.wanted(unset, "epub") and not validate.wanted(unset, "docx")
    monkeypatch.setattr(validate.shutil, "which", lambda name: None)
    assert not validate.wanted(unset, "epub")
    monkeypatch.setenv("CI", "true")
    assert validate.wanted(unset, "docx")


def test_gate_records_and_raises(tmp_path, monkeypatch):
    document = _document(tmp_path)
    failing = validate.Validation("epub", "EPUBCheck")
    failing.add("error", "RSC-005", "bad", "EPUB/text/ch001.xhtml:1")
    monkeypatch.setattr(validate, "check", lambda fmt, path, name=None: failing)
    result = WriteResult()
    assert validate.gate("epub", tmp_path / "x.epub", document, WriteOptions(validate=False), result) is None
    assert "validation" not in result.details
    with pytest.raises(WriterError, match=r"RSC-005 EPUB/text/ch001.xhtml:1: bad"):
        validate.gate("epub", tmp_path / "x.epub", document, WriteOptions(validate=True), result)
    assert result.details["validation"]["status"] == "failed"
