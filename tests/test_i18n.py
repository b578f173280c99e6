"""Languages: detection from the text, the front matter's tag (validated), --lang, labels, direction."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pipeline.errors import LoadError
from pipeline.i18n import direction, is_valid_tag, label, labels
from pipeline.load import load_document
from tests.conftest import run_cli

SAMPLES = Path(__file__).parent / "fixtures" / "languages"
EXPECTED = {"en": "en", "de": "de", "fr": "fr", "es": "es", "pt": "pt", "ru": "ru", "zh": "zh-Hans", "ja": "ja",
            "ar": "ar", "he": "he"}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_the_language_of_a_page_without_lang_is_detected(name):
    document = load_document(SAMPLES / f"{name}.md")
    assert document.meta.lang == EXPECTED[name]
    origin = document.meta.lang_origin
    assert origin["source"] == "detected" and origin["lang"] == EXPECTED[name]
    assert "script counts" in origin["reason"]


def test_the_front_matter_lang_always_wins(tmp_path):
    text = (SAMPLES / "de.md").read_text(encoding="utf-8").replace("---\ntitle:", "---\nlang: fr\ntitle:", 1)
    path = tmp_path / "tagged.md"
    path.write_text(text, encoding="utf-8")
    document = load_document(path)
    assert document.meta.lang == "fr"
    assert document.meta.lang_origin == {"source": "front matter", "lang": "fr", "line": 2}
    assert load_document(path, lang="pt-br").meta.lang == "pt-BR"  # --lang over both, canonical casing


@pytest.mark.parametrize("value", ["english", "en US", "xx-yy", "123"])
def test_an_invalid_lang_is_an_error_naming_the_line(tmp_path, value):
    path = tmp_path / "bad.md"
    path.write_text(f"---\ntitle: T\nlang: {value}\n---\nText.\n", encoding="utf-8")
    with pytest.raises(LoadError) as error:
        load_document(path)
    assert error.value.line == 3 and "BCP 47" in str(error.value) and str(path) in str(error.value)


def test_the_cli_reports_an_invalid_lang_in_one_line_and_writes_nothing(tmp_path):
    source = tmp_path / "bad.md"
    source.write_text("---\nlang: not a tag\n---\nText.\n", encoding="utf-8")
    result = run_cli(str(source), "--to", "html", "-o", str(tmp_path / "out"), "-q")
    assert result.returncode == 1
    assert f"{source}:2:" in result.stderr and "Traceback" not in result.stderr
    assert not (tmp_path / "out" / "bad.html").exists()
    bad_option = run_cli(str(source), "--to", "html", "-o", str(tmp_path / "out"), "--lang", "klingon!")
    assert bad_option.returncode == 2 and "--lang" in bad_option.stderr


def test_detection_and_override_are_recorded_in_the_manifest(tmp_path):
    out = tmp_path / "out"
    result = run_cli(str(SAMPLES / "ja.md"), str(SAMPLES / "de.md"), "--to", "html", "-o", str(out), "-q",
                     "--executor", "inline")
    assert result.returncode == 0, result.stderr
    outputs = json.loads((out / "manifest.json").read_text(encoding="utf-8"))["outputs"]
    assert outputs["ja.html"]["language"]["lang"] == "ja" and outputs["ja.html"]["language"]["source"] == "detected"
    assert 'lang="ja"' in (out / "ja.html").read_text(encoding="utf-8")
    assert "Inhaltsverzeichnis" in (out / "de.html").read_text(encoding="utf-8")  # pandoc's German "Contents"
    result = run_cli(str(SAMPLES / "de.md"), "--to", "html", "-o", str(out), "-q", "--lang", "fr", "--executor",
                     "inline")
    assert result.returncode == 0, result.stderr
    entry = json.loads((out / "manifest.json").read_text(encoding="utf-8"))["outputs"]["de.html"]
    assert entry["language"] == {"source": "--lang", "lang": "fr"}


def test_labels_come_from_pandocs_translations_with_english_as_fallback():
    assert label("de", "contents") == "Inhaltsverzeichnis" and label("de", "figure") == "Abbildung"
    assert label("zh-TW", "contents") == "目錄" and label("zh-CN", "contents") == "目录"  # script from region
    assert label("ja", "table") == "表" and label("he", "page") == "עמוד"
    assert label("tlh", "contents") == "Contents"  # no translation: English
    assert label("de", "notes") == "Notes"  # a term pandoc lacks
    assert labels("de", {"de": {"notes": "Anmerkungen"}})["notes"] == "Anmerkungen"  # the theme's own word


def test_direction_and_tags():
    assert [direction(t) for t in ("he", "ar", "fa", "ur", "en", "zh-Hant", "und-Arab")] == \
        ["rtl", "rtl", "rtl", "rtl", "ltr", "ltr", "rtl"]
    assert is_valid_tag("zh-Hant-TW") and is_valid_tag("en_US") and not is_valid_tag("english")
