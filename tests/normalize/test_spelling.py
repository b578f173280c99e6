"""The word rules on text they have never seen: real words and names survive, slips are fixed."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from pipeline.document import SHOWN_CONFIDENCE
from pipeline.normalize import lexicon, spelling
from pipeline.normalize.cli import lint
from pipeline.normalize.spelling import Edit, classify

from .helpers import run


def word_changes(body: str, *rules: str) -> list[tuple[str, str, bool, float | None]]:
    doc = run(body, *(rules or ("TYPO002", "TYPO004", "TYPO005")))
    return [(c.before, c.after, c.applied, c.confidence) for c in doc.changes]


# -- the edit model -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "meant", "edit"),
    [
        ("teh", "the", Edit("swap", 1, True)),
        ("tgat", "that", Edit("sub", 1, True)),  # g is beside h
        ("tpat", "that", Edit("sub", 1, False)),  # p is not
        ("rathher", "rather", Edit("ins", 4, True)),  # a key struck twice
        ("throughu", "through", Edit("ins", 7, True)),  # u is beside h
        ("whoe", "who", Edit("ins", 3, False)),
        ("paper", "pamper", Edit("del", 2, True)),
        ("klog", "log", Edit("ins", 0, True)),
    ],
)
def test_edits_are_classified_as_a_typist_makes_them(typed: str, meant: str, edit: Edit) -> None:
    assert classify(typed, meant) == edit


def test_letters_added_around_a_word_make_names_not_slips() -> None:
    assert spelling._affix("klog", classify("klog", "log"))  # type: ignore[arg-type]
    assert spelling._affix("healthz", classify("healthz", "health"))  # type: ignore[arg-type]
    assert not spelling._affix("throughu", classify("throughu", "through"))  # type: ignore[arg-type]
    assert spelling._affix("journald", classify("journald", "journal"))  # type: ignore[arg-type]


def test_regular_forms_of_dictionary_words_are_words() -> None:
    assert all(spelling.inflected(w) for w in ("diffed", "repartitions", "approvers", "paddings", "mapped"))
    assert not any(spelling.inflected(w) for w in ("costss", "sharedd", "bytess", "helpd", "nameds", "centter"))


# -- what the rules change ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("before", "after"),
    [
        ("We need a new deploymnet of the platform.\n", "We need a new deployment of the platform.\n"),
        ("It was. Thiz repository holds the code.\n", "It was. This repository holds the code.\n"),
        ("Read the paepr before the call.\n", "Read the paper before the call.\n"),
        # The speller's dictionary lacks American spellings; wordfreq's common words are candidates too.
        ("The data centter is cold.\n", "The data center is cold.\n"),
        # A capital after a slip of a very common word is no sign of a name.
        ("It is so. Eachh Gold Director votes.\n", "It is so. Each Gold Director votes.\n"),
        ("The results are in the table below, and the integrity of them is checked.\n",
         "The results are in the table below, and the integrity of them is checked.\n"),
        ("Data was copied to the cloud by the operators themselevs.\n",
         "Data was copied to the cloud by the operators themselves.\n"),
    ],
)
def test_clear_slips_are_fixed(before: str, after: str) -> None:
    assert run(before, "TYPO005").body == after


@pytest.mark.parametrize(
    "body",
    [
        # Names one letter from a common word, known to the shipped software names or to wordfreq.
        "Set the verbosity of klog for each component.\n",
        "The tool writes its logs with slog and pino.\n",
        "Sign it with a fresh nonce every time.\n",
        "The etcd cluster and the runc runtime restarted.\n",
        # Letters put before or after a word: how names are made, never how fingers slip.
        "Lazygit is not in portage, but an ebuild is available.\n",
        "Enable zswap on the nodes.\n",
        "The service mesh runs linkerd and the logs go to journald.\n",
        "Probe the healthz endpoint.\n",
        # User names, handles and functions named in prose are never candidates.
        "- [jdoe] said the tests pass; @jdoe will merge.\n",
        "Call fsnyc() to flush the buffers.\n",
        # Short words with only a rare candidate: more often an abbreviation than a slip.
        "Are the back copat concerns here valid?\n",
    ],
)
def test_real_terms_are_never_changed(body: str) -> None:
    assert [c for c in word_changes(body) if c[2]] == []


def test_a_word_the_document_uses_elsewhere_is_its_own_vocabulary() -> None:
    body = "Commitments are snark-friendly.\n\nThe payload is parsed within snarks.\n"
    assert word_changes(body) == []
    code = "Call it:\n\n```c\nfallocate(fd, 0, 0, size);\n```\n\nThe falocate call reserves space.\n"
    assert word_changes(code) == [] == word_changes(code.replace("falocate call", "fallocat call"))


def test_a_quoted_title_in_another_language_is_left_alone() -> None:
    body = "She spoke at “Conferenza italiana sul software libero” last year.\n"
    assert word_changes(body) == []


def test_uncertain_words_are_suggestions_with_a_confidence() -> None:
    [(before, after, applied, confidence)] = word_changes("Sunday Mgbogu from Lagos whoe added support.\n")
    assert (before, after, applied) == ("whoe", "who", False)
    assert confidence is not None and SHOWN_CONFIDENCE <= confidence < 1
    # A word wordfreq knows is at most a faint suggestion, below what a plain lint shows.
    faint = [c for c in word_changes("The ciphers and the serializers are new.\n") if not c[2]]
    assert all(c[3] is not None and c[3] < SHOWN_CONFIDENCE for c in faint)


# -- doubled words ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("before", "after"),
    [
        ("It is time to to propose it.\n", "It is time to propose it.\n"),
        ("The plan that is is up to them.\n", "The plan that is up to them.\n"),
        ("The The report is out.\n", "The report is out.\n"),
        ("Note that that it works.\n", "Note that it works.\n"),
        ("We moved it to\nto the new server.\n", "We moved it to\nthe new server.\n"),
        ("The Executive Executive Director spoke.\n", "The Executive Director spoke.\n"),
        ("We run Kibana. Kibana Kibana is fine.\n", "We run Kibana. Kibana is fine.\n"),
        # Grammatical doubles stay.
        ("What it is is a test.\n", "What it is is a test.\n"),
        ("He said that that is wrong.\n", "He said that that is wrong.\n"),
        ("Lives given that that nation might live.\n", "Lives given that that nation might live.\n"),
        ("They had had enough.\n", "They had had enough.\n"),
        ("Visit Bora Bora and Walla Walla.\n", "Visit Bora Bora and Walla Walla.\n"),
    ],
)
def test_doubled_words(before: str, after: str) -> None:
    assert run(before, "TYPO002").body == after


def test_that_that_after_a_noun_is_only_suggested() -> None:
    doc = run("The responses that that have no effect.\n", "TYPO002")
    assert doc.body == "The responses that that have no effect.\n"
    [change] = doc.changes
    assert (change.after, change.applied, change.shown) == ("that", False, True)


def test_a_double_across_a_line_break_is_located_on_the_second_line() -> None:
    doc = run("First line here\nand a library of\nof helper structs.\n", "TYPO002")
    [change] = doc.changes
    assert (change.line, change.before, change.after) == (3, "of of", "of")


def test_a_misspelling_is_located_as_a_word() -> None:
    # `shal` is not the start of the `shall` before it.
    doc = run("A ballot shall be taken,\nand each member shal vote.\n", "TYPO004")
    [change] = doc.changes
    assert (change.line, change.column, change.after) == (2, 17, "shall")


# -- the data -------------------------------------------------------------------------------------------


def test_the_software_names_ship_with_the_package_and_hold_no_english_words() -> None:
    names = lexicon.software_names()
    assert {"klog", "runc", "etcd", "pino"} <= names
    speller = lexicon.speller()
    assert not [n for n in names if speller.known(n) or n in lexicon.codespell()][:5]
    assert all(n.isascii() and n.isalpha() and n.islower() and len(n) >= 3 for n in names)


def test_wordfreq_knows_technical_words_and_the_web_s_typos_alike() -> None:
    # Words the speller lacks: technical ones, and the web's typos too (`tge`), so presence alone is
    # no proof; a typo is far rarer than the word it misspells.
    assert spelling.zipf("rpms") > 2 and spelling.zipf("hmac") > 1 and spelling.zipf("tge") > 2
    assert spelling.zipf("nosuchwordatall") == 0
    assert [c for c in word_changes("Build the rpms and check the hmac.\n") if c[2]] == []
    assert word_changes("Look at tge results.\n")[0][1:3] == ("the", True)


# -- what a plain lint shows ----------------------------------------------------------------------


def test_plain_lint_shows_only_confident_suggestions(tmp_path: Path) -> None:
    path = tmp_path / "doc.md"
    path.write_text("# Notes\n\nThe ciphers and the serializers are new, said harshal.\n", encoding="utf-8")
    plain = CliRunner().invoke(lint, ["--format", "json", str(path)])
    every = CliRunner().invoke(lint, ["--format", "json", "--all-suggestions", str(path)])
    shown = json.loads(plain.output)["files"][0]
    listed = json.loads(every.output)["files"][0]
    assert shown["hidden_suggestions"] == len(listed["changes"]) - len(shown["changes"]) > 0
    assert all(c.get("confidence", 1) >= SHOWN_CONFIDENCE for c in shown["changes"])
    text = CliRunner().invoke(lint, [str(path)]).output
    assert "not shown (--all-suggestions shows them)" in text


def test_a_repeated_word_is_one_word_of_evidence_for_another_language() -> None:
    """`github` is common in the web's Dutch and German: said twice, it made `teh` a foreign word."""
    assert spelling.foreign_phrase("teh Github Github", 0, 3) is False
    assert spelling.foreign_phrase("“Relatório anual sobre software livre”", 11, 16) is True


def test_a_known_misspelling_inside_a_quoted_foreign_title_is_a_word_of_that_language() -> None:
    body = "See the “Relatório anual sobre software livre e dados abertos” for details.\n"
    assert word_changes(body) == []
    assert word_changes("Our anual report is out.\n")[0][1:3] == ("annual", True)


def test_dictionaries_given_back_are_loaded_again_with_the_same_results() -> None:
    """A one-document run's preparer gives the dictionaries back once its document is normalized
    (pipeline.batch.worker); normalizing again afterwards must load them again, not fail or differ."""
    body = "Teh the the report was sucessful, and the comunity grew.\n"
    before = word_changes(body)
    assert before and lexicon.speller.cache_info().currsize == 1
    lexicon.release_dictionaries()
    assert all(cached.cache_info().currsize == 0 for cached in (
        lexicon.speller, lexicon.bigram_counts, lexicon.codespell, lexicon.english_frequencies,
        lexicon.common_english_words, lexicon.foreign_words,
        lexicon.software_names, spelling.wider_speller, spelling.very_common_speller))
    assert word_changes(body) == before
