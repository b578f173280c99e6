"""Links, anchors and image paths in any script: kept as written, and never a whole-body fallback.

A Russian README failed the safety check ("body left unchanged [NORM000]"): a rule made a link of
`ru.wikipedia.org/wiki/Пример`, the renderer wrote it back, and the re-parse percent-encoded it
(markdown-it's link normalization), so the texts differed. The same normalization wrote
`[Установка](#установка)` as `(#%D1%83…)`, which no heading id matches, and showed readers the
punycode of `<https://пример.рф>`.
"""

from __future__ import annotations

import pytest

from .helpers import run

README = """\
<p align="center"><img src="logo.png" alt="Логотип" width="200"></p>

[![Сборка](https://img.shields.io/badge/сборка-ok-green)](https://github.com/x/y/actions)

## Содержание

- [Установка](#установка)
- [Часто задаваемые вопросы](#часто-задаваемые-вопросы)

## Установка

Смотрите ru.wikipedia.org/wiki/Пример, ссылку [тут](www.example.org/путь) и <https://пример.рф>.

**Важно:** *требуется* «Python» — см. [документацию][Док] и ![Скриншот](docs/скриншот.png).

| Параметр | Описание |
|---|---|
| `--out` | Папка<br>вывода |

## Часто задаваемые вопросы

Текст с "кавычками"[^заметка].

[Док]: https://docs.python.org/3/ru/ "Документация"
[^заметка]: Сноска.
"""


@pytest.fixture(scope="module")
def fixed():
    return run(README)


def test_the_readme_is_normalized_without_a_fallback(fixed) -> None:
    assert [d for d in fixed.diagnostics if d.code.startswith("NORM")] == []
    assert all(c.applied for c in fixed.changes if c.rule in ("LINK002", "LINK004", "TYPG001"))
    assert "[ru.wikipedia.org/wiki/Пример](https://ru.wikipedia.org/wiki/Пример)" in fixed.body
    assert "[тут](https://www.example.org/путь)" in fixed.body


def test_destinations_keep_their_script(fixed) -> None:
    assert "[Установка](#установка)" in fixed.body
    assert "(#часто-задаваемые-вопросы)" in fixed.body
    assert "<https://пример.рф>" in fixed.body
    assert "docs/скриншот.png" in fixed.body
    assert "[док]: https://docs.python.org/3/ru/" in fixed.body
    assert "%D" not in fixed.body and "xn--" not in fixed.body


def test_ascii_that_cannot_stand_in_a_destination_is_still_escaped() -> None:
    doc = run("See [a](<my file.md>) and [b](<x\\\\y>) and [c](<ü 100%>).\n")
    assert [d for d in doc.diagnostics if d.code.startswith("NORM")] == []
    assert "(my%20file.md)" in doc.body and "(x%5Cy)" in doc.body and "(ü%20100%25)" in doc.body


def test_the_fixed_readme_is_stable(fixed) -> None:
    again = run(fixed.body)
    assert again.body == fixed.body
    assert [c for c in again.changes if c.applied] == []
