"""Before/after fixtures for every rule, each run alone (plus mdformat's canonical formatting)."""

from __future__ import annotations

import pytest

from pipeline.normalize.registry import all_rules

from .helpers import run

# (rule, before, after): the rule runs alone, so `after` also shows mdformat's canonical form.
CASES = [
    # Structure
    ("HEAD001", "#### **Zuul**\n\ntext\n", "#### Zuul\n\ntext\n"),
    ("HEAD001", "## *Emphasis* only in part\n", "## *Emphasis* only in part\n"),
    ("HEAD001", "## ***Both***\n", "## Both\n"),
    ("HEAD002", "# Test Document\n\n## Part\n", "## Part\n"),
    ("HEAD002", "# Another Title\n\n## Part\n", "# Another Title\n\n## Part\n"),
    (
        "HEAD003",
        "## Part\n\n**A Pseudo Heading**\n\nText here.\n",
        "## Part\n\n### A Pseudo Heading\n\nText here.\n",
    ),
    (
        "HEAD003",
        "**Note:** bold lead-in, then text.\n\nMore.\n",
        "**Note:** bold lead-in, then text.\n\nMore.\n",
    ),
    ("HEAD003", "**A whole sentence in bold.**\n\nMore.\n", "**A whole sentence in bold.**\n\nMore.\n"),
    (
        "HEAD003",
        "#### Article\n\nJane Doe, Editor\n\ntext\n\n**Introducing: Part II**\\\nJohn Roe, Writer\n\nbody\n",
        "#### Article\n\nJane Doe, Editor\n\ntext\n\n#### Introducing: Part II\n\nJohn Roe, Writer\n\nbody\n",
    ),
    (  # 17 words as written, 14 once TYPO002 removes the doubled ones: a heading in this run as in the next
        "HEAD003",
        "## Part\n\n**The the year in review review of what we built and learned together with with our community**"
        "\n\nText.\n",
        "## Part\n\n### The the year in review review of what we built and learned together with with our community"
        "\n\nText.\n",
    ),
    ("HEAD004", "### Part\n\n#### Article\n\n### Part 2\n", "# Part\n\n## Article\n\n# Part 2\n"),
    ("HEAD004", "# A\n\n### Skipped\n\n## B\n", "# A\n\n## Skipped\n\n## B\n"),
    (
        "HEAD004",
        "#### Article first\n\n### Part\n\n#### Article\n",
        "## Article first\n\n# Part\n\n## Article\n",
    ),
    (
        "HEAD003",
        "Thanks.\n\n**Thierry Carrez**\\\nGeneral Manager, OpenInfra Foundation\n\nMore.\n",
        "Thanks.\n\n**Thierry Carrez**\\\nGeneral Manager, OpenInfra Foundation\n\nMore.\n",
    ),
    (
        "HEAD003",
        "## Part\n\n**First**\n\nText.\n\n**Second**\n\nText.\n",
        "## Part\n\n### First\n\nText.\n\n### Second\n\nText.\n",
    ),
    ("STRU001", "- More OpenInfra\\\n- Two\n", "- More OpenInfra\n- Two\n"),
    ("STRU001", "Text\n\n\\\n\nMore\n", "Text\n\nMore\n"),
    ("STRU001", "Escaped \\\\\n", "Escaped \\\\\n"),
    ("STRU003", "One line\nand the next\nand a third.\n", "One line and the next and a third.\n"),
    ("STRU003", "日本語の\n文章です。\n", "日本語の\n文章です。\n"),
    ("STRU003", "Text\n{{< /tab >}}\n{{< /tabs >}}\n", "Text\n{{< /tab >}}\n{{< /tabs >}}\n"),
    ("STRU003", "One\ntwo {{< x >}}\n{% endif %}\n", "One two {{< x >}}\n{% endif %}\n"),
    # Links
    ("LINK001", "[x](https//example.com/a)\n", "[x](https://example.com/a)\n"),
    ("LINK001", "[x](htps://example.com)\n", "[x](https://example.com)\n"),
    ("LINK002", "[Join us](openinfra.dev/join)!\n", "[Join us](https://openinfra.dev/join)!\n"),
    ("LINK002", "[COA](openstack.org/coa)\n", "[COA](https://openstack.org/coa)\n"),
    ("LINK002", "[notes](notes.md) and [setup](setup.py)\n", "[notes](notes.md) and [setup](setup.py)\n"),
    ("LINK002", "[mail](someone@example.org)\n", "[mail](mailto:someone@example.org)\n"),
    ("LINK002", "[home](/about/) [top](#top)\n", "[home](/about/) [top](#top)\n"),
    ("LINK003", "[x](https://e.org/q?p=%255Ezuul)\n", "[x](https://e.org/q?p=%5Ezuul)\n"),
    ("LINK003", "see https://e.org/q?p=%255Ezuul\n", "see https://e.org/q?p=%5Ezuul\n"),
    ("LINK004", "See https://github.com/airshipit.\n", "See <https://github.com/airshipit>.\n"),
    ("LINK004", "Lists: lists.starlingx.io\n", "Lists: [lists.starlingx.io](https://lists.starlingx.io)\n"),
    (
        "LINK004",
        "GitHub: github.com/kata-containers\n",
        "GitHub: [github.com/kata-containers](https://github.com/kata-containers)\n",
    ),
    ("LINK004", "write to ecosystem@openinfra.dev\n", "write to <ecosystem@openinfra.dev>\n"),
    (
        "LINK004",
        "(see https://en.wikipedia.org/wiki/Foo_(bar)).\n",
        "(see <https://en.wikipedia.org/wiki/Foo_(bar)>).\n",
    ),
    (
        "LINK004",
        "Edit README.md and setup.py, then ASP.NET.\n",
        "Edit README.md and setup.py, then ASP.NET.\n",
    ),
    ("LINK004", "[already](https://x.org) <https://y.org>\n", "[already](https://x.org) <https://y.org>\n"),
    # A name in braces is a label or a placeholder, not a domain (`.app` is a real TLD); mdformat
    # writes the literal backslash of `\aosafigref` escaped.
    (
        "LINK004",
        "In \\aosafigref{500l.imagefilters.app} and {site.io}, see example.org/x.\n",
        "In \\\\aosafigref{500l.imagefilters.app} and {site.io}, see [example.org/x](https://example.org/x).\n",
    ),
    # A shortcode's argument is not a link: `{{video "<https://…>"}}` breaks the shortcode.
    (
        "LINK004",
        '{{video "https://www.youtube.com/embed/x"}} then https://x.org/a\n',
        '{{video "https://www.youtube.com/embed/x"}} then <https://x.org/a>\n',
    ),
    # Typos and wording
    ("TYPO001", "Anton Renski , Technical Coordinator\n", "Anton Renski, Technical Coordinator\n"),
    ("TYPO001", "Is it true ? Yes .\n", "Is it true? Yes.\n"),
    ("TYPO001", "Use .NET and the ... ellipsis\n", "Use .NET and the ... ellipsis\n"),
    # After a link, a code span or emphasis the space starts the next text token.
    (
        "TYPO001",
        "See [x](https://u.org) , then `_FORTIFY_SOURCE` . And **Renski** , Technical\n",
        "See [x](https://u.org), then `_FORTIFY_SOURCE`. And **Renski**, Technical\n",
    ),
    # Code spans around a spaced `?` or `:` are an expression; a line break or HTML is no word end.
    ("TYPO001", "`a` ? `b` : `c`, and text\n, x <br> , y\n", "`a` ? `b` : `c`, and text\n, x <br> , y\n"),
    # The spaces of a JSX string are what the page prints (react.dev's console output).
    ("TYPO001", "{'  '}at span and a  run , here\n", "{'  '}at span and a run, here\n"),
    ("TYPO002", "accepted with with the caveat\n", "accepted with the caveat\n"),
    ("TYPO002", "create a a fully integrated\n", "create a fully integrated\n"),
    ("TYPO002", "He had had enough; that that is so.\n", "He had had enough; that that is so.\n"),
    ("TYPO002", "Visit Bora Bora and Walla Walla.\n", "Visit Bora Bora and Walla Walla.\n"),
    ("TYPO004", "The training was very sucessful.\n", "The training was very successful.\n"),
    ("TYPO004", "Sucessful training.\n", "Successful training.\n"),
    ("TYPO004", "made to accomodate changes\n", "made to accommodate changes\n"),
    (
        "TYPO004",
        '{{< alert title="A sucessful run" >}} was sucessful\n',
        '{{< alert title="A sucessful run" >}} was successful\n',
    ),
    (
        "TYPO004",
        "the `sucessful` code and http://x.org/sucessful\n",
        "the `sucessful` code and http://x.org/sucessful\n",
    ),
    (
        "TYPO005",
        "a new deploymnet of the platform\n",
        "a new deployment of the platform\n",
    ),
    # `whoe` is one letter from `who`, but a stray `e` is no slip of the finger: only suggested.
    (
        "TYPO005",
        "Sunday Mgbogu from Lagos whoe added support\n",
        "Sunday Mgbogu from Lagos whoe added support\n",
    ),
    (
        "TYPO005",
        "Dylan Zapzalka and Kafilat Adeleke joined.\n",
        "Dylan Zapzalka and Kafilat Adeleke joined.\n",
    ),
    ("TYPO005", "the homeserver and meetpad rooms\n", "the homeserver and meetpad rooms\n"),
    ("TYPO005", "the favourite colour of the centres\n", "the favourite colour of the centres\n"),
    # Typography
    ("TYPG001", 'the "Great Resignation", it\'s\n', "the “Great Resignation”, it’s\n"),
    ("TYPG001", "the 'edgeworker' node in the '90s\n", "the ‘edgeworker’ node in the ’90s\n"),
    ("TYPG001", 'a 12" pizza and `"code"`\n', 'a 12" pizza and `"code"`\n'),
    # A quote that closes an open one stays a closing quote after a digit or an opening character
    # (the corpus had `“HTTP/2"`, `(“C17")`, `“-“,` and `‘#16'`: mixed or doubled opening quotes).
    (
        "TYPG001",
        'the "HTTP/2" frame ("C17"), the "-" and "(" signs, UTS \'#16\' and \'42\' at Security \'23\n',
        "the “HTTP/2” frame (“C17”), the “-” and “(” signs, UTS ‘#16’ and ‘42’ at Security ’23\n",
    ),
    # Attribute values keep straight quotes: pandoc's commonmark_x reads `{alt="..."}` as attributes,
    # and prints `{alt=”…”}` as text (dropping the alt text) once the quotes are curly.
    (
        "TYPG001",
        '![nano](fig/nano.png){alt="nano: It\'s a screenshot" width="50%"} and "quoted"\n',
        '![nano](fig/nano.png){alt="nano: It\'s a screenshot" width="50%"} and “quoted”\n',
    ),
    # Shortcodes, template tags and JSX expressions are code: their quotes stay straight, even when
    # emphasis splits one across text tokens (react.dev's `{'  '}at span`, go.dev's `{{video "…"}}`).
    (
        "TYPG001",
        '{{video "https://x.org/v"}}, {{< figure caption="A *big* cat" >}} and "quoted"\n',
        '{{video "https://x.org/v"}}, {{< figure caption="A *big* cat" >}} and “quoted”\n',
    ),
    (
        "TYPG001",
        "Server: \"Server\"\n{' '}at span {% include x.html t=\"Hi\" %}, {app.name} and it's\n",
        "Server: “Server”\n{' '}at span {% include x.html t=\"Hi\" %}, {app.name} and it’s\n",
    ),
    ("TYPG001", "{'It's'} and {\"a\" + b} 'q'\n", "{'It's'} and {\"a\" + b} ‘q’\n"),
    ("TYPG002", "in 2-4 hour increments, 1990-2021\n", "in 2–4 hour increments, 1990–2021\n"),
    ("TYPG002", "IEEE 754-2019 and IEEE: 754-2019\n", "IEEE 754-2019 and IEEE: 754-2019\n"),
    (
        "TYPG002",
        "on 2021-11-17, COVID-19, 2021-11, v1.2-3, score 3-2\n",
        "on 2021-11-17, COVID-19, 2021-11, v1.2-3, score 3-2\n",
    ),
]


@pytest.mark.parametrize(("rule_id", "before", "after"), CASES, ids=[f"{c[0]}-{i}" for i, c in enumerate(CASES)])
def test_rule_before_after(rule_id: str, before: str, after: str) -> None:
    doc = run(before, rule_id)
    assert doc.body == after
    # Every edit is a record of this rule (or of the formatter).
    assert all(c.rule in (rule_id, "FMT001") for c in doc.changes)
    if before != after and any(c.rule == rule_id for c in doc.changes):
        assert any(c.rule == rule_id and c.applied for c in doc.changes)


def test_every_rule_has_fixtures() -> None:
    covered = {c[0] for c in CASES} | {"STRU002", "LINK005", "TYPO003"}  # tested in their own tests below
    assert {r.id for r in all_rules()} <= covered


def test_every_rule_has_id_description_and_kind() -> None:
    for r in all_rules():
        assert r.id[:4] in ("HEAD", "STRU", "LINK", "TYPO", "TYPG") and r.id[4:].isdigit()
        assert r.description and "\n" not in r.description
        assert r.kind in ("fix", "suggest", "check")


def test_glued_list_items_are_suggestions() -> None:
    body = "- Alpha: first entry.\n  Beta: glued entry.\n- Gamma: third\n- Delta: fourth\n"
    doc = run(body, "STRU002")
    assert doc.body == "- Alpha: first entry.\n  Beta: glued entry.\n- Gamma: third\n- Delta: fourth\n"
    [change] = [c for c in doc.changes if c.rule == "STRU002"]
    assert not change.applied and change.line == 2 and "Beta" in change.after
    fixed = run(body, "STRU002", fix_suggested=True)
    assert fixed.body == "- Alpha: first entry.\n- Beta: glued entry.\n- Gamma: third\n- Delta: fourth\n"


def test_bare_url_line_under_list_item_is_suggested() -> None:
    body = "- Code: https://review.example.org/q\n  https://example.org\n- IRC: #x\n- List: y\n"
    doc = run(body, "STRU002", fix_suggested=True)
    assert "- https://example.org" in doc.body


def test_unfixable_links_are_reported_with_line_and_reason() -> None:
    doc = run("Intro\n\n[a](/about/) and [b](https://host.invalidtld/x) and [c]()\n", "LINK005")
    messages = [(d.code, d.line, d.message) for d in doc.diagnostics]
    assert [m[1] for m in messages] == [3, 3, 3]
    assert "site-relative" in messages[0][2]
    assert "unknown top-level domain" in messages[1][2]
    assert "empty target" in messages[2][2]
    # Reported, not edited (mdformat writes the empty target as `<>`).
    assert doc.body == "Intro\n\n[a](/about/) and [b](https://host.invalidtld/x) and [c](<>)\n"


def test_vocabulary_terms(tmp_path) -> None:
    vocab = tmp_path / "vocabulary.txt"
    vocab.write_text("# names\nGitHub\nKata Containers\nLINE\nCeph\n")
    doc = run(
        "Hosted on Github and github.com/x; Kata containers; the line ends; CEPH.\n\n"
        "THE SOFTWARE IS PROVIDED AS IS BY CEPH AND ITS CONTRIBUTORS.\n",
        "TYPO003",
        vocabulary=(vocab,),
    )
    assert doc.body == (
        "Hosted on GitHub and github.com/x; Kata Containers; the line ends; CEPH.\n\n"
        "THE SOFTWARE IS PROVIDED AS IS BY CEPH AND ITS CONTRIBUTORS.\n"
    )
    # All lower case ("line", or a package name like "nodepool"): only a suggestion.
    [line] = [c for c in doc.changes if c.before == "line"]
    assert not line.applied
    # All capitals: only a suggestion too (a word mark, or another product with the same letters).
    [ceph] = [c for c in doc.changes if c.before == "CEPH"]
    assert not ceph.applied and ceph.after == "Ceph"


def test_vocabulary_leaves_capitals_alone(tmp_path) -> None:
    vocab = tmp_path / "vocabulary.txt"
    vocab.write_text("iOS\nOpenStack\nOpenInfra\n")
    body = "Routers run Cisco IOS XE. Use of the word marks (e.g., OPENSTACK).\n\n| OPENINFRA DAYS [region] |\n|---|\n"
    doc = run(body, "TYPO003", vocabulary=(vocab,))
    assert "Cisco IOS XE" in doc.body and "(e.g., OPENSTACK)" in doc.body and "OPENINFRA DAYS" in doc.body
    vocabulary = [c for c in doc.changes if c.rule == "TYPO003"]
    assert {"IOS", "OPENSTACK"} <= {c.before for c in vocabulary} and not any(c.applied for c in vocabulary)


def test_vocabulary_protects_names_from_spelling(tmp_path) -> None:
    vocab = tmp_path / "vocabulary.txt"
    vocab.write_text("teh\n")
    doc = run("We use teh tool.\n", "TYPO004", vocabulary=(vocab,))
    assert doc.body == "We use teh tool.\n"


def test_capitalized_misspelling_mid_sentence_is_only_suggested() -> None:
    doc = run("running active Zuul Accomodate instances\n", "TYPO004")
    assert doc.body == "running active Zuul Accomodate instances\n"
    assert [c.applied for c in doc.changes if c.rule == "TYPO004"] == [False]


def test_ambiguous_misspelling_is_never_applied() -> None:
    doc = run("the abbout page\n", "TYPO004", fix_suggested=True)
    ambiguous = [c for c in doc.changes if c.rule == "TYPO004"]
    assert ambiguous and all(not c.applied for c in ambiguous)
    assert doc.body == "the abbout page\n"


def test_word_elsewhere_in_document_is_never_corrected() -> None:
    doc = run("The whoe tool. Another whoe here.\n", "TYPO005")
    assert doc.body == "The whoe tool. Another whoe here.\n"


def test_two_edit_typos_are_only_suggested() -> None:
    body = "We run the infrastucure team. The perfromnace of the system.\n"
    doc = run(body, "TYPO005", fix_suggested=True)
    assert doc.body == body
    far = [(c.before, c.after, c.applied) for c in doc.changes if c.rule == "TYPO005"]
    assert far == [("infrastucure", "infrastructure", False), ("perfromnace", "performance", False)]


def test_two_edits_from_a_word_is_not_a_typo_of_it() -> None:
    # Another prefix or suffix, a syllable more, no context, a name: no second-tier suggestion.
    body = (
        "The onboarding process. For all digitalization scenarios. A miscalculating error. "
        "It unmounts the disk. Our infrastucure. Fupan Li (lifupan), Ant Group.\n"
    )
    doc = run(body, "TYPO005")
    assert [c for c in doc.changes if c.rule == "TYPO005"] == []


def test_straight_quote_style() -> None:
    doc = run("“Quoted” and it’s fine\n", "TYPG001", quote_style="straight")
    assert doc.body == '"Quoted" and it\'s fine\n'


def test_keep_quote_style() -> None:
    doc = run('"Quoted" and it’s fine\n', "TYPG001", quote_style="keep")
    assert doc.changes == []


def test_non_english_documents_skip_spelling() -> None:
    from pipeline.normalize import normalize

    from .helpers import make_doc, options

    doc = normalize(make_doc("Ceci est sucessful , non ?\n", lang="fr"), options("TYPO001", "TYPO004"))
    assert doc.body == "Ceci est sucessful , non ?\n"
