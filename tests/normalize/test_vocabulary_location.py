"""Built-in data ships in the package: a document gets the same vocabulary wherever it lives."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from click.testing import CliRunner

from pipeline.normalize import NormalizeOptions, normalize
from pipeline.normalize.cli import lint
from pipeline.normalize.vocabulary import builtin_vocabulary

from .helpers import REPO, SEED, make_doc, run


def _lint_json(path: Path) -> dict:
    result = CliRunner().invoke(lint, ["--format", "json", str(path)])
    assert result.exit_code in (0, 1), result.output
    return json.loads(result.output)


def _without_paths(data: dict, path: Path) -> str:
    return json.dumps(data, ensure_ascii=False, sort_keys=True).replace(str(path), "<document>")


def test_seed_lints_the_same_inside_the_repository_and_in_an_empty_folder(tmp_path: Path) -> None:
    copy = tmp_path / "elsewhere" / SEED.name
    copy.parent.mkdir()
    shutil.copyfile(SEED, copy)
    inside, outside = _lint_json(SEED), _lint_json(copy)
    assert _without_paths(inside, SEED) == _without_paths(outside, copy)
    # The general vocabulary was read in both places: `Github` → `GitHub` is no accident of the repo.
    fixes = {(c["before"], c["after"]) for c in outside["files"][0]["changes"] if c["applied"]}
    assert ("Github", "GitHub") in fixes


def test_the_general_vocabulary_is_package_data_not_a_file_of_the_repository() -> None:
    assert builtin_vocabulary().is_file()
    assert builtin_vocabulary().is_relative_to(REPO / "pipeline")
    assert not (REPO / "vocabulary.txt").exists()
    # Even a hermetic run (no config, no project) has it.
    assert run("We host it on Github.\n", "TYPO003").body == "We host it on GitHub.\n"


def test_a_vocabulary_beside_the_document_adds_to_the_built_in_one(tmp_path: Path) -> None:
    (tmp_path / "vocabulary.txt").write_text("Zuulbot\n", encoding="utf-8")
    doc = make_doc("The ZuulBot posted on Github.\n", source=tmp_path / "doc.md")
    normalize(doc, NormalizeOptions())
    assert doc.body == "The Zuulbot posted on GitHub.\n"


def test_a_project_vocabulary_wins_over_the_built_in_spelling(tmp_path: Path) -> None:
    (tmp_path / "pipeline.toml").write_text("[normalize]\n", encoding="utf-8")
    (tmp_path / "vocabulary.txt").write_text("Github\n", encoding="utf-8")  # the project's own house style
    doc = make_doc("We host it on Github.\n", source=tmp_path / "docs" / "doc.md")
    normalize(doc, NormalizeOptions())
    assert doc.body == "We host it on Github.\n"


def test_a_vocabulary_beside_the_document_is_an_input_of_its_build(tmp_path: Path) -> None:
    from pipeline.batch.plan import _normalizer_inputs

    doc = tmp_path / "doc.md"
    doc.write_text("# Doc\n", encoding="utf-8")
    before = _normalizer_inputs(doc)
    (tmp_path / "vocabulary.txt").write_text("Zuulbot\n", encoding="utf-8")
    after = _normalizer_inputs(doc)
    assert before != after and any(entry.startswith(str(tmp_path / "vocabulary.txt")) for entry in after)
