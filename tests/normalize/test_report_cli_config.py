"""Change report, lint command, configuration, registry and the spelling cache."""

from __future__ import annotations

import json
import pickle
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from pipeline.document import Change
from pipeline.normalize import NormalizeOptions, normalize
from pipeline.normalize.cli import lint
from pipeline.normalize.report import write_change_report

from .helpers import SEED, THEME, load, make_doc

DIRTY = "---\ntitle: Demo\n---\n# Demo\n\n#### **Part**\n\nThe teh end with with [x](example.org/a).\n"


# -- report ------------------------------------------------------------------------------------------


def test_change_report_files(tmp_path: Path) -> None:
    doc = normalize(load(SEED), NormalizeOptions(theme_dir=THEME))
    paths = write_change_report(doc, tmp_path / "dist")
    assert [p.name for p in paths] == [f"{doc.name}.changes.json", f"{doc.name}.changes.md"]
    data = json.loads(paths[0].read_text(encoding="utf-8"))
    assert data["summary"]["applied"] == sum(1 for c in doc.changes if c.applied)
    assert data["summary"]["rules"]["LINK002"]["applied"] == 2
    assert data["changes"][0].keys() >= {"rule", "file", "line", "column", "before", "after", "applied"}
    summary = paths[1].read_text(encoding="utf-8")
    assert "| LINK002 |" in summary and "sucessful" in summary
    # Atomic writes leave no temp files behind.
    assert sorted(p.name for p in (tmp_path / "dist").iterdir()) == sorted(p.name for p in paths)


def test_change_report_of_an_untouched_document(tmp_path: Path) -> None:
    doc = make_doc("Clean.\n")
    [json_path, md_path] = write_change_report(doc, tmp_path)
    assert json.loads(json_path.read_text())["summary"]["applied"] == 0
    assert "0 changes applied" in md_path.read_text()


# -- lint command ----------------------------------------------------------------------------------


def _write(tmp_path: Path, text: str = DIRTY, name: str = "doc.md") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_lint_reports_findings_and_exits_1(tmp_path: Path) -> None:
    path = _write(tmp_path)
    result = CliRunner().invoke(lint, [str(path)])
    assert result.exit_code == 1
    assert f"{path}:8:5 TYPO004" in result.output
    assert "HEAD002" in result.output and "LINK002" in result.output
    assert "findings in 1 file" in result.output
    assert path.read_text(encoding="utf-8") == DIRTY  # lint alone never writes


def test_lint_fix_in_place_then_clean(tmp_path: Path) -> None:
    path = _write(tmp_path)
    result = CliRunner().invoke(lint, ["--fix", str(path)])
    assert result.exit_code == 0, result.output
    fixed = path.read_text(encoding="utf-8")
    assert fixed == "---\ntitle: Demo\n---\n# Part\n\nThe end with [x](https://example.org/a).\n"
    again = CliRunner().invoke(lint, [str(path)])
    assert again.exit_code == 0 and "All clean" in again.output


def test_lint_fix_to_out_folder_and_diff(tmp_path: Path) -> None:
    path = _write(tmp_path)
    result = CliRunner().invoke(lint, ["--fix", "--diff", "--out", str(tmp_path / "out"), str(path)])
    assert result.exit_code == 0
    assert "+The end with [x](https://example.org/a)." in result.output
    assert (tmp_path / "out" / "doc.md").is_file()
    assert path.read_text(encoding="utf-8") == DIRTY


def test_lint_json(tmp_path: Path) -> None:
    path = _write(tmp_path)
    result = CliRunner().invoke(lint, ["--format", "json", str(path)])
    data = json.loads(result.output)
    assert result.exit_code == 1
    [entry] = data["files"]
    assert entry["path"] == str(path) and entry["findings"] > 0
    assert {c["rule"] for c in entry["changes"]} >= {"HEAD002", "TYPO004", "TYPO002", "LINK002"}


def test_lint_ignore_and_clean_file(tmp_path: Path) -> None:
    path = _write(tmp_path, "Clean text.\n")
    assert CliRunner().invoke(lint, [str(path)]).exit_code == 0
    dirty = _write(tmp_path, "The teh end.\n", "b.md")
    assert CliRunner().invoke(lint, ["--ignore", "TYPO", str(dirty)]).exit_code == 0


def test_lint_usage_errors_exit_2(tmp_path: Path) -> None:
    result = CliRunner().invoke(lint, [str(tmp_path / "missing.md")])
    assert result.exit_code == 2
    assert "no such file" in result.output
    assert "Traceback" not in result.output
    assert CliRunner().invoke(lint, ["--theme", "no-such-theme", str(tmp_path)]).exit_code == 2


def test_lint_uses_the_theme_convert_uses_by_default(tmp_path: Path) -> None:
    from pipeline.convert import prepare
    from pipeline.theme import DEFAULT_THEME, load_theme

    # Starlingx is only corrected by the default theme's vocabulary; Zuul is only protected by it.
    path = _write(tmp_path, "---\ntitle: Demo\n---\nWe run Starlingx and the zuul gates.\n")
    result = CliRunner().invoke(lint, ["--format", "json", "--all-suggestions", str(path)])
    linted = json.loads(result.output)["files"][0]["changes"]
    converted = [c.to_dict() for c in prepare(path, load_theme(DEFAULT_THEME)).changes]
    assert linted == converted
    assert ("Starlingx", "StarlingX") in {(c["before"], c["after"]) for c in linted}


def test_lint_folder(tmp_path: Path) -> None:
    _write(tmp_path, "Clean.\n", "a.md")
    _write(tmp_path, "The teh end.\n", "b.markdown")
    result = CliRunner().invoke(lint, [str(tmp_path)])
    assert result.exit_code == 1 and "b.markdown:1:5 TYPO004" in result.output


def test_pre_commit_hooks_file() -> None:
    import yaml

    hooks = yaml.safe_load((Path(__file__).parents[2] / ".pre-commit-hooks.yaml").read_text())
    assert {h["id"] for h in hooks} == {"pipeline-lint", "pipeline-lint-fix"}
    assert all(h["entry"].startswith("convert lint") and h["types"] == ["markdown"] for h in hooks)


# -- configuration -----------------------------------------------------------------------------------


def test_pyproject_config(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(
        '[tool.pipeline.normalize]\ndisable = ["TYPO004"]\nquote-style = "straight"\nvocabulary = ["names.txt"]\n'
    )
    (tmp_path / "names.txt").write_text("GitHub\n")
    doc = make_doc("The teh “end” on Github.\n", source=tmp_path / "doc.md")
    normalize(doc, NormalizeOptions())
    assert doc.body == 'The teh "end" on GitHub.\n'


def test_pyproject_keys_right_under_tool_pipeline(tmp_path: Path) -> None:
    # The issue names `[tool.pipeline]`; keys written there were ignored without a word.
    (tmp_path / "pyproject.toml").write_text('[tool.pipeline]\ndisable = ["TYPO004"]\nquote-style = "straight"\n')
    doc = make_doc("The teh “end”.\n", source=tmp_path / "doc.md")
    normalize(doc, NormalizeOptions())
    assert doc.body == 'The teh "end".\n'


def test_pipeline_toml_and_project_vocabulary(tmp_path: Path) -> None:
    (tmp_path / "pipeline.toml").write_text('[normalize]\nenable = ["TYPO003"]\n')
    (tmp_path / "vocabulary.txt").write_text("OpenStack\n")
    sub = tmp_path / "docs"
    sub.mkdir()
    doc = make_doc("Openstack teh.\n", source=sub / "doc.md")
    normalize(doc, NormalizeOptions())
    assert doc.body == "OpenStack teh.\n"


def test_invalid_config_is_a_warning_not_a_crash(tmp_path: Path) -> None:
    (tmp_path / "pipeline.toml").write_text('[normalize]\nquote-style = "fancy"\n')
    doc = normalize(make_doc("Text teh.\n", source=tmp_path / "d.md"), NormalizeOptions())
    assert doc.body == "Text the.\n"
    assert any("quote-style" in d.message for d in doc.diagnostics)


def test_config_dir_option(tmp_path: Path) -> None:
    (tmp_path / "pipeline.toml").write_text('[normalize]\ndisable = ["TYPO"]\n')
    doc = normalize(make_doc("Text teh.\n"), NormalizeOptions(config_dir=tmp_path))
    assert doc.body == "Text teh.\n"


# -- registry ----------------------------------------------------------------------------------------


def test_select_by_prefix() -> None:
    from pipeline.normalize.registry import select

    assert {r.id[:4] for r in select(["LINK"])} == {"LINK"}
    assert "TYPO004" not in {r.id for r in select([], ["TYPO00"])}


def test_plugin_rule_from_entry_point(monkeypatch: pytest.MonkeyPatch) -> None:
    import importlib.metadata

    from pipeline.normalize import registry

    def shout(ctx) -> None:
        """Plugin rule: records one suggestion."""
        ctx.propose(0, 0, "a", "b", "plugin finding", suggest=True)

    class FakeEntryPoint:
        name, value = "demo", "demo.rules"

        def load(self):
            return registry.Rule("DEMO001", "Plugin rule", "suggest", shout)

    monkeypatch.setattr(importlib.metadata, "entry_points", lambda group=None: [FakeEntryPoint()])
    monkeypatch.setattr(registry, "_loaded", False)
    monkeypatch.setattr(registry, "_RULES", dict(registry._RULES))
    doc = normalize(make_doc("Text.\n"), NormalizeOptions(use_config=False))
    assert [c.rule for c in doc.changes] == ["DEMO001"]
    assert isinstance(doc.changes[0], Change) and not doc.changes[0].applied


# -- spelling cache ------------------------------------------------------------------------------------


def test_speller_pickle_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from pipeline.normalize import lexicon

    monkeypatch.setenv(lexicon.CACHE_ENV, str(tmp_path))
    lexicon.speller.cache_clear()
    try:
        built = lexicon.speller()
        [cache] = list(tmp_path.glob("speller-*.pickle"))
        with cache.open("rb") as fh:
            loaded = pickle.load(fh)
        assert built.known("platform") and loaded.bigrams and loaded.words["the"] == built.count("the")
        assert loaded.candidates("platfrom") == built.candidates("platfrom") != []
        lexicon.speller.cache_clear()
        assert lexicon.speller().count("the") == built.count("the")
    finally:
        lexicon.speller.cache_clear()


@pytest.fixture
def empty_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """The word rules' dictionaries loaded anew, from (and into) an empty cache folder."""
    from pipeline.normalize import lexicon

    monkeypatch.setenv(lexicon.CACHE_ENV, str(tmp_path))
    lexicon.release_dictionaries()
    yield tmp_path
    lexicon.release_dictionaries()


def test_bigram_counts_are_mapped_from_the_cache_with_the_text_files_counts(empty_cache: Path) -> None:
    from pipeline.normalize import lexicon

    expected = lexicon._read_bigrams()
    built = lexicon.bigram_counts()
    [cache] = list(empty_cache.glob("bigrams-*.trie"))
    lexicon.bigram_counts.cache_clear()
    mapped = lexicon.bigram_counts()
    sample = list(expected.items())[::997]
    assert len(mapped) == len(built) == len(expected)
    assert all(mapped.get(pair) == built[pair] == count for pair, count in sample)
    assert "zebra quantum" not in mapped and mapped.get("zebra quantum", 0) == 0
    assert lexicon.speller().association("of", "the") is not None
    # A damaged file is built again, not trusted.
    cache.write_bytes(b"not a trie")
    lexicon.bigram_counts.cache_clear()
    assert all(lexicon.bigram_counts().get(pair) == count for pair, count in sample)


def test_foreign_words_are_mapped_from_the_cache_with_the_word_lists_words(empty_cache: Path) -> None:
    from pipeline.normalize import lexicon

    lexicon.foreign_words()
    assert len(list(empty_cache.glob("wordfreq-*.trie"))) == len(lexicon.FOREIGN_LANGUAGES)
    lexicon.foreign_words.cache_clear()
    mapped = lexicon.foreign_words()
    for lang in lexicon.FOREIGN_LANGUAGES:
        expected = lexicon._foreign_words(lang)
        assert len(mapped[lang]) == len(expected) > 500
        assert all(word in mapped[lang] for word in sorted(expected)[::50])
    assert "relatório" in mapped["pt"] and "report" not in mapped["pt"]


def test_english_frequencies_are_mapped_and_their_common_words_kept_apart(empty_cache: Path) -> None:
    from pipeline.normalize import lexicon

    expected = lexicon._build_english_frequencies()
    mapped = lexicon.english_frequencies()
    assert list(empty_cache.glob("wordfreq-en-*.trie"))
    assert len(mapped) == len(expected) and dict(mapped.items()) == expected
    word = next(iter(expected))
    assert mapped.get(word) == expected[word] and mapped.get("platform", 0) == 0  # the speller's word
    common = lexicon.common_english_words(300)
    assert common == {word: zipf for word, zipf in expected.items() if zipf >= 300} and len(common) > 1000
    lexicon.common_english_words.cache_clear()
    assert lexicon.common_english_words(300) == common  # from its pickle


def test_the_speller_pickle_leaves_the_bigrams_to_their_mapped_file(empty_cache: Path) -> None:
    from pipeline.normalize import lexicon

    lexicon.speller()
    [cache] = list(empty_cache.glob("speller-*.pickle"))
    assert b"the year" not in cache.read_bytes(), "the pickle still carries the bigram counts"


def test_codespell_cache_gives_what_the_text_files_give(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from pipeline.normalize import lexicon

    monkeypatch.setenv(lexicon.CACHE_ENV, str(tmp_path))
    caches = (lexicon._codespell_table, lexicon._codespell_words, lexicon.codespell, lexicon.spelling_variants,
              lexicon.known_words)
    for cache in caches:
        cache.cache_clear()
    try:
        built = lexicon._codespell_table()
        made = lexicon.codespell()
        [path] = list(tmp_path.glob("codespell-[0-9]*.trie"))
        for cache in caches:
            cache.cache_clear()
        loaded = lexicon.codespell()  # mapped from the file
        assert len(loaded) == len(made) == len(built) > 60_000
        # Every entry comes back as codespell's text files give it.
        assert all(loaded.get(key) == lexicon.Misspelling(*entry) for key, entry in built.items())
        assert sorted(loaded) == sorted(built)
        assert dict(loaded.items()) == {key: lexicon.Misspelling(*entry) for key, entry in built.items()}
        # "abandonned->abandoned" is a fix; "rare" entries only suggest; several candidates do not fix.
        assert loaded.get("abandonned") == lexicon.Misspelling(("abandoned",), True, "", False)
        assert loaded.get("acapella") == lexicon.Misspelling(("a cappella",), True, "", True)
        assert loaded.get("ablet").corrections == ("able", "tablet") and not loaded.get("ablet").fixable
        assert "abandonned" in loaded and loaded.get("the") is None and "the" not in loaded and 3 not in loaded
        assert lexicon.spelling_variants()["colour"] == "color" and "abandoned" in lexicon.known_words()
        assert list(tmp_path.glob("codespell-words-*.pickle"))
        path.write_bytes(b"not a trie")  # a broken cache is rebuilt, not an error
        for cache in caches:
            cache.cache_clear()
        assert lexicon.codespell().get("abandonned").corrections == ("abandoned",)
    finally:
        for cache in caches:
            cache.cache_clear()


def test_public_suffix_list_is_kept_parsed_in_the_cache_with_the_same_answers(
        empty_cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from publicsuffixlist import PublicSuffixList

    from pipeline.normalize.rules import links

    links.psl.cache_clear()
    try:
        first = links.psl()
        [kept] = list(empty_cache.glob("results/public-suffix-list-*.pickle"))
        links.psl.cache_clear()
        with monkeypatch.context() as patched:
            patched.setattr(PublicSuffixList, "_parse", lambda *_: pytest.fail("parsed again"))
            again = links.psl()  # read back from the file
        parsed = PublicSuffixList(accept_unknown=False)
        for host in ("openinfra.dev", "notes.md", "a.b.co.uk", "example.github.io", "foo.local", "xn--p1ai"):
            assert again.publicsuffix(host) == parsed.publicsuffix(host) == first.publicsuffix(host), host
            assert again.privatesuffix(host) == parsed.privatesuffix(host), host
        kept.write_bytes(b"not a pickle")  # a damaged cache file costs a parse, nothing else
        links.psl.cache_clear()
        assert links.psl().publicsuffix("openinfra.dev") == "dev"
    finally:
        links.psl.cache_clear()
