"""Load stage: encodings, line endings, front matter and the metadata mapping."""

from __future__ import annotations

import codecs

import pytest
from conftest import SEED

from pipeline.errors import LoadError, UsageError
from pipeline.load import load_document


def _write(tmp_path, data: bytes, name: str = "doc.md"):
    path = tmp_path / name
    path.write_bytes(data)
    return path


def test_seed_metadata_is_mapped_from_website_keys():
    document = load_document(SEED, default_publisher="OpenInfra Foundation")
    meta = document.meta
    assert meta.title == "2021 Annual Report"
    assert meta.subtitle == "OpenInfra Foundation"  # from subTitle
    assert meta.description == "2021 OpenInfra Foundation Annual Report"  # from seo.description
    assert meta.url == "https://openinfra.dev/annual-report/2021"  # from seo.url
    assert meta.date == "2021"  # from the title's year
    assert meta.lang == "en"
    assert meta.publisher == "OpenInfra Foundation"
    assert meta.extra["templateKey"] == "generic-page"  # unknown keys are kept
    assert meta.extra["seo.twitterUsername"] == "@OpenInfraDev"
    assert document.body.startswith("#### **Note from the Chair")
    assert document.body_line == 12


def test_utf8_bom_and_crlf(tmp_path):
    path = _write(tmp_path, codecs.BOM_UTF8 + b"---\r\ntitle: T\r\nlang: de\r\n---\r\nHallo\r\nWelt\r\n")
    document = load_document(path)
    assert document.meta.title == "T" and document.meta.lang == "de"
    assert document.body == "Hallo\nWelt\n"
    assert document.body_line == 5


def test_utf16_with_bom(tmp_path):
    path = _write(tmp_path, "---\ntitle: Über\n---\nText\n".encode("utf-16"))
    document = load_document(path)
    assert document.meta.title == "Über"
    assert any(d.code == "LOAD001" for d in document.diagnostics)


@pytest.mark.parametrize(("bom", "codec", "name"), [
    (codecs.BOM_UTF16_LE, "utf-16-le", "UTF-16 (little-endian)"),
    (codecs.BOM_UTF16_BE, "utf-16-be", "UTF-16 (big-endian)"),
    (codecs.BOM_UTF32_LE, "utf-32-le", "UTF-32 (little-endian)"),
])
def test_text_cut_off_after_a_byte_order_mark_names_the_encoding_and_the_place(tmp_path, bom, codec, name):
    # Before: "html failed: UnicodeDecodeError: 'utf-16-le' codec can't decode byte 0x65 …: truncated data".
    path = _write(tmp_path, bom + "---\ntitle: T\n---\nOne\ntwo".encode(codec)[:-1])
    with pytest.raises(LoadError) as caught:
        load_document(path)
    message = str(caught.value)
    assert message.startswith(f"{path}:5: starts with a {name} byte-order mark")
    assert "line 5, column 3" in message and "ends in the middle of a character" in message


def test_invalid_utf8_after_a_utf8_byte_order_mark_is_a_load_error(tmp_path):
    path = _write(tmp_path, codecs.BOM_UTF8 + b"Line one\nbad \xff byte\n")
    with pytest.raises(LoadError, match=r"doc\.md:2: starts with a UTF-8 byte-order mark.*column 5"):
        load_document(path)


def test_windows_1252_is_detected_and_reported(tmp_path):
    text = (
        "---\ntitle: Café report\n---\n"
        "Le café de la gare est très fréquenté. Les élèves y révisent leurs leçons après l'école,\n"
        "et l'été, la terrasse déborde. « Où est passé le garçon ? » demande une cliente âgée.\n"
        "Nous avons dépensé 20 € pour des crêpes — c'était délicieux, même si la pâte était épaisse.\n"
    )
    document = load_document(_write(tmp_path, text.encode("cp1252")))
    assert document.meta.title == "Café report"
    assert "crêpes — c'était" in document.body
    assert any(d.code == "LOAD001" for d in document.diagnostics)


def test_binary_file_is_rejected(tmp_path):
    with pytest.raises(LoadError, match="binary"):
        load_document(_write(tmp_path, b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 40))


def test_invalid_yaml_names_the_line(tmp_path):
    path = _write(tmp_path, b"---\ntitle: ok\ntags: [a, b\nother: 1\n---\nBody\n")
    with pytest.raises(LoadError) as info:
        load_document(path)
    assert info.value.path == path
    assert info.value.line in (3, 4, 5)
    assert "front matter" in str(info.value)


def test_flat_front_matter_with_colons_is_salvaged_with_a_warning(tmp_path):
    path = _write(tmp_path, b"---\nlayout: post\ntitle: Dynamic Filters: Passing Information\n---\nBody\n")
    document = load_document(path)
    assert document.meta.title == "Dynamic Filters: Passing Information"
    assert any(d.code == "LOAD002" and "line 3" in d.message for d in document.diagnostics)


def test_unsafe_yaml_tags_are_refused(tmp_path):
    path = _write(tmp_path, b"---\ntitle: !!python/object/apply:os.system ['echo pwned']\n---\nBody\n")
    with pytest.raises(LoadError):
        load_document(path)


def test_no_front_matter_takes_title_from_first_heading(tmp_path):
    document = load_document(_write(tmp_path, b"Intro\n\n# **The Title**\n\nText\n"))
    assert document.meta.title == "The Title"
    assert document.front_matter == {}


def test_dates_and_lists(tmp_path):
    path = _write(tmp_path, b"---\ntitle: T\ndate: 2024/12/05\nby: [Ann, Bob]\ntags: [go, gc]\nlang: ja\n---\nx\n")
    meta = load_document(path).meta
    assert meta.date == "2024-12-05"
    assert meta.authors == ["Ann", "Bob"]
    assert meta.keywords == ["go", "gc"]
    assert meta.lang == "ja"


@pytest.mark.parametrize(("written", "date"), [("2016-19-17", "2016"), ("2015-02-29", "2015-02"),
                                               ("2016-02-29", "2016-02-29"), ("2024-13", "2024")])
def test_an_impossible_date_keeps_only_its_real_parts(tmp_path, written, date):
    # Found by fuzzing document shapes: "2016-19-17" became the EPUB's dc:date as is, pandoc left it
    # empty, and EPUBCheck rejected the book.
    path = _write(tmp_path, f"---\ntitle: T\ndate: {written}\n---\nx\n".encode())
    assert load_document(path).meta.date == date


def test_missing_file_is_a_usage_error(tmp_path):
    with pytest.raises(UsageError, match="no such file"):
        load_document(tmp_path / "absent.md")


def test_nul_bytes_become_replacement_characters(tmp_path):
    document = load_document(_write(tmp_path, b"Text\x00with NUL\n"))
    assert document.body == "Text\ufffdwith NUL\n"
