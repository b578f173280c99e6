"""The "no silent losses" checker itself (tests/words.py): it finds a lost word, and only that."""

from __future__ import annotations

from collections import Counter

from words import OutputText, missing_words, source_words, words_of

SOURCE = """\
# Heading words

Alpha beta *gamma* [linked text](https://example.org/url-word) and `code_word` and $x^{mathword}$.

<div align="center"><p>Raw delta</p><script>scriptword()</script><!-- commentword --></div>

See ![alttext](picture.png) here.

| cell |
|---|
| tabled |

Text[^1] :tada:.

[^1]: Footnoted epsilon.
"""


def _losses(text: str, layout: str | None = None, allowed: Counter[str] | None = None,
            dropped: frozenset[str] = frozenset()) -> list[str]:
    output = OutputText(layout if layout is not None else text, text)
    return [loss.word for loss in missing_words(source_words(SOURCE), output, allowed or Counter(), set(dropped))]


def test_words_are_what_a_reader_sees() -> None:
    words = source_words(SOURCE)
    assert {"heading", "alpha", "gamma", "linked", "code_word", "raw", "delta", "tabled", "footnoted"} <= set(
        words.counts)
    not_words = {"url", "https", "mathword", "scriptword", "commentword", "alttext", "align", "center", "tada"}
    assert not not_words & set(words.counts)
    assert words.math == ['x^{mathword}']
    assert words.inside["delta"] >= {"div", "p"}


def test_a_missing_word_is_found_and_allowances_explain_it() -> None:
    full = ("Heading words Alpha beta gamma linked text and code_word and Raw delta See here cell tabled Text 🎉 "
            "Footnoted epsilon")
    assert _losses(full) == []
    assert _losses(full.replace("Raw delta", "Raw")) == ["delta"]
    assert _losses(full.replace("Raw delta", "Raw"), allowed=Counter(["delta"])) == []
    assert _losses(full.replace("Raw delta", "Raw"), dropped=frozenset({"div"})) == []  # "<div> was dropped"
    assert _losses(full.replace("code_word", "code")) == ["code_word"]


def test_words_broken_over_lines_and_pages_are_whole_again() -> None:
    layout = ("Heading words Alpha beta gam-\n\n12 / 30        Running footer\n\nma linked text and code_\n"
              "word and Raw delta See here cell tab-\nled Text Foot-\nnoted epsilon")
    assert _losses(layout.replace("-\n", "\n"), layout=layout) == []


def test_words_compare_across_normal_forms_and_case() -> None:
    assert words_of("ﬁne ＡＢＣ Straße") == words_of("fine abc STRASSE")
    assert words_of("خطأً") == words_of("خطأ")  # a harakah is not part of the word's letters


def test_site_template_markup_is_not_the_authors_words() -> None:
    source = ('A {{< figure src="/x.png" caption="A nice chart" >}} B {% comment %}hidden{% endcomment %} C '
              '({{ser-params}}) D {: #fig title="Frame Format"}\nE {{video "https://youtu.be/x"}}\n')
    words = source_words(source).counts
    assert {"nice", "chart", "frame", "format"} <= set(words)  # captions and titles are text
    assert not {"figure", "src", "png", "hidden", "ser", "params", "fig", "video", "youtu"} & set(words)
