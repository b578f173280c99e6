"""Reading a page the way its site does: site discovery, generators' anchor names, shortcodes and templates."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.document import Document, Metadata
from pipeline.render import pandoc_ast, stringify
from pipeline.site import find_site
from pipeline.transforms import anchors as a
from pipeline.transforms.shortcodes import expand_templates


def _document(body: str, source: Path = Path("/nonexistent/page.md"), site=None, front_matter=None) -> Document:
    return Document(source=source, meta=Metadata(title="T"), body=body, original_body=body, site=site,
                    front_matter=front_matter or {})


# -- anchors ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("rule", "text", "slug"), [
    (a.github_slug, "What's new?", "whats-new"),
    (a.github_slug, "Описание проекта", "описание-проекта"),
    (a.github_slug, "🎉 Party time", "-party-time"),
    (a.gitlab_slug, "A -- B", "a-b"),
    (a.goldmark_slug, "Café: the menu", "café-the-menu"),
    (lambda t: a.goldmark_slug(t, ascii_only=True), "Über uns", "uber-uns"),
    (a.blackfriday_slug, "Hello, World!", "hello-world"),
    (a.kramdown_slug, "Описание", "section"),
    (a.kramdown_slug, "1. Getting started", "getting-started"),
    (a.mkdocs_slug, "Café au lait", "cafe-au-lait"),
    (a.vitepress_slug, "What's new?", "what-s-new"),
    (a.vitepress_slug, "1 Intro", "_1-intro"),
])
def test_generators_name_headings_their_own_way(rule, text, slug):
    assert rule(text) == slug


def test_every_generators_name_leads_to_the_heading():
    ast = {"blocks": [
        {"t": "Header", "c": [2, ["intro", [], []], [{"t": "Str", "c": "Intro"}]]},
        {"t": "Header", "c": [2, ["intro-1", [], []], [{"t": "Str", "c": "Intro"}]]},
        {"t": "Header", "c": [2, ["описание", [], []], [{"t": "Str", "c": "Описание"}]]},
        {"t": "Header", "c": [2, ["whats-new", [], []], [{"t": "Str", "c": "What's"}, {"t": "Space"},
                                                        {"t": "Str", "c": "new?"}]]},
    ]}
    anchors = a.Anchors(ast)
    assert anchors.resolve("intro_1") == "intro-1"  # MkDocs numbers duplicates with "_"
    assert anchors.resolve("Описание") == "описание"  # the case the author typed
    assert anchors.resolve("%D0%9E%D0%BF%D0%B8%D1%81%D0%B0%D0%BD%D0%B8%D0%B5") == "описание"
    assert anchors.resolve("section") == "описание"  # kramdown's ASCII id
    assert anchors.resolve("what-s-new") == "whats-new"  # VitePress
    assert anchors.resolve("user-content-intro") == "intro"  # GitHub's rendered id
    assert anchors.resolve("nowhere") is None
    assert anchors.closest("whats-nwe") == ("whats-new", "What's new?")


def test_links_and_html_anchors_in_the_shared_ast():
    body = ("# Getting Started\n\n<a name=\"old\"></a>\n\n## Next\n\n"
            "[a](#Getting-Started) [b](#old) [c](page.md#next) <a href=\"#getting-started\">d</a> [](#next)\n\n"
            "[broken](#getting-stared)\n")
    document = _document(body)
    ast = pandoc_ast(document)
    links = [(stringify(n["c"][1]), n["c"][2][0]) for n in _all(ast) if n["t"] == "Link"]
    assert links == [("a", "#getting-started"), ("b", "#old"), ("c", "#next"), ("Next", "#next")]
    spans = [n["c"][0][0] for n in _all(ast) if n["t"] == "Span" and n["c"][0][0]]
    assert "old" in spans  # <a name> became a pandoc anchor: a bookmark in Word, an id everywhere
    warning = next(d for d in document.diagnostics if d.code == "REND001")
    assert "closest heading: 'Getting Started', #getting-started" in warning.message


def _all(ast):
    from pipeline.render import elements

    return list(elements(ast["blocks"]))


# -- shortcodes and templates ----------------------------------------------------------------------------

def test_hugo_shortcodes_render_as_the_site_shows_them():
    body = ('{{< figure src="/img/a.png" caption="A *chart*" width="300" >}}\n\n'
            "Watch {{< youtube id=\"abc\" title=\"The keynote\" >}} and {{< vimeo 123 >}}.\n\n"
            '{{% note %}}\nRead **this**.\n{{% /note %}}\n\n'
            "{{< unknown a=1 >}} and {{< unknown b=2 >}} and {{< toc >}}\n\n"
            "```\n{{</* figure src=\"x\" */>}}\n```\n")
    document = _document(body)
    out = expand_templates(body, document)
    assert '![A *chart*](</img/a.png>){width="300"}' in out
    assert "[The keynote](<https://www.youtube.com/watch?v=abc>)" in out
    assert "(<https://vimeo.com/123>)" in out
    assert ".site-note" in out and "**Note**" in out and "Read **this**." in out
    assert '{{< figure src="x" >}}' in out  # the escaped form in code shows the shortcode
    assert "{{<" not in out.replace('{{< figure src="x" >}}', "")
    unknown = [d for d in document.diagnostics if d.code == "SITE001"]
    assert len(unknown) == 1 and "'unknown'" in unknown[0].message


def test_image_shortcodes_find_bundle_images(tmp_path):
    (tmp_path / "sunset-large.jpg").write_bytes(b"")
    body = '{{< imgproc sunset Fill "600x300" >}}\nThe sun *sets*.\n{{< /imgproc >}}\n'
    out = expand_templates(body, _document(body, tmp_path / "index.md"))
    assert out.strip() == "![The sun *sets*.](<sunset-large.jpg>)"


def test_code_keeps_template_syntax():
    body = "Use `{{< youtube x >}}` like this:\n\n```md\n{{< youtube x >}}\n{% include a.html %}\n```\n"
    assert expand_templates(body, _document(body)) == body


def test_jekyll_liquid_on_a_jekyll_site(tmp_path):
    (tmp_path / "_config.yml").write_text("url: https://ex.org\nbaseurl: /blog\npermalink: pretty\n", encoding="utf-8")
    (tmp_path / "_includes").mkdir()
    (tmp_path / "_includes" / "note.md").write_text("**{{ include.text }}**\n", encoding="utf-8")
    body = ("![x]({{ site.baseurl }}/a.png) [p]({% post_url 2020-01-02-hello %}) [l]({% link about.md %})\n\n"
            "{% include note.md text=\"Hi\" %}\n\n{% comment %}secret{% endcomment %}\n\n"
            "```\n{% raw %}{{ page.title }}{% endraw %}\n```\n\n{{ page.title | upcase }}\n")
    site = find_site(tmp_path / "post.md")
    out = expand_templates(body, _document(body, tmp_path / "post.md", site, {"title": "Hello"}))
    assert "![x](/blog/a.png)" in out
    assert "[p](/blog/2020/01/02/hello/)" in out and "[l](/blog/about/)" in out
    assert "**Hi**" in out and "secret" not in out
    assert "```\n{{ page.title }}\n```" in out and "HELLO" in out


def test_mdx_and_jsx():
    body = ("import Tabs from '@theme/Tabs';\nexport const meta = {\n  a: 1,\n};\n\n"
            "## React 19 {/*react-19*/}\n\n<Note>\n\nA **note**.\n\n</Note>\n\n"
            "<YouTube id=\"abc\" />\n\n<Fancy>\n\nKept text.\n\n</Fancy>\n\nText {/* a comment */} here.\n")
    document = _document(body)
    out = expand_templates(body, document)
    assert "import" not in out and "export" not in out
    assert "## React 19 {#react-19}" in out
    assert "**Note**" in out and "A **note**." in out
    assert "https://www.youtube.com/watch?v=abc" in out
    assert "Kept text." in out and "<Fancy>" not in out and "a comment" not in out
    assert [d.message for d in document.diagnostics if d.code == "SITE001"] == [
        "component 'Fancy' is not known: dropped (its content, if any, is kept)"]


def test_go_template_media_actions():
    body = '{{video "https://www.youtube.com/embed/gPJkM95KpKo"}}\n\n{{image "post/chart.png" 600}}\n\n{{.Title}}\n'
    out = expand_templates(body, _document(body))
    assert "(<https://www.youtube.com/watch?v=gPJkM95KpKo>)" in out
    assert "![](<post/chart.png>)" in out and "{{.Title}}" in out


def test_export_in_prose_is_not_mdx():
    body = "export default settings are kept\nwhen the page is not MDX.\n"
    assert expand_templates(body, _document(body)) == body


def test_kramdown_attribute_lists():
    body = ("* TOC\n{:toc}\n\n| a |\n|---|\n| b |\n{:id=\"fields\" title=\"Fields\"}\n\n"
            "A [link](https://x.org){:target=\"_blank\"}.\n\n{: .note}\n\nSee `{: .kept}` and Vec<T> and \\<App>.\n")
    document = _document(body)
    out = expand_templates(body, document)
    assert "TOC" not in out and "{:toc}" not in out
    assert "[]{#fields}" in out and '(https://x.org){target="_blank"}' in out
    assert "{: .note}" not in out and "`{: .kept}`" in out and not document.diagnostics
    table = '| a |\n|---|\n| b |\n| {:id="t" title="T"} |   |\n'  # the IAL as the normalizer leaves it
    assert expand_templates(table, _document(table)) == "| a |\n|---|\n| b |\n\n[]{#t}\n"


def test_html_in_capitals_is_not_a_component():
    body = 'A <A HREF="https://x.org">link</A> and <BR> a break.\n'
    document = _document(body)
    assert expand_templates(body, document) == body and not document.diagnostics


def test_kramdown_rfc_cross_references():
    body = "See {{overview}}.\n\n# Overview {#overview}\n\nAnd {{not-an-anchor}}.\n"
    out = expand_templates(body, _document(body))
    assert "See [](#overview)." in out and "{{not-an-anchor}}" in out


# -- sites -----------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("files", "generator", "static"), [
    ({"hugo.toml": 'theme = "t"\n'}, "hugo", ["static", "assets", "themes/t/static", "themes/t/assets"]),
    ({"config.toml": "", "content/x": None}, "hugo", ["static", "assets"]),
    ({"_config.yml": "baseurl: /b\n"}, "jekyll", ["."]),
    ({".vitepress/config.ts": "export default { srcDir: 'src' }\n"}, "vitepress", ["src/public", "src"]),
    ({"docusaurus.config.js": "module.exports = { url: 'https://d.org', baseUrl: '/docs/' }\n"}, "docusaurus",
     ["static"]),
    ({"mkdocs.yml": "site_url: https://m.org/\nmarkdown_extensions:\n  - toc:\n      slugify: "
                    "!!python/object/apply:pymdownx.slugs.slugify {}\n"}, "mkdocs", ["docs"]),
    ({"gatsby-config.js": "siteMetadata: { siteUrl: `https://openinfra.dev` }\n"}, "gatsby", ["static"]),
])
def test_generators_are_found_with_their_static_folders(tmp_path, files, generator, static):
    for name, content in files.items():
        path = tmp_path / name
        if content is None:
            path.mkdir(parents=True)
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content, encoding="utf-8")
    for folder in static:
        (tmp_path / folder).mkdir(parents=True, exist_ok=True)
    page = tmp_path / "content" / "deep" / "page.md"
    page.parent.mkdir(parents=True, exist_ok=True)
    site = find_site(page)
    assert site is not None and site.generator == generator and site.root == tmp_path.resolve()
    assert [str(d.relative_to(tmp_path.resolve())) for d in site.static_dirs] == static


def test_symlinks_and_dot_dots_out_of_the_site_are_refused(tmp_path):
    (tmp_path / "site" / "static").mkdir(parents=True)
    (tmp_path / "site" / "hugo.toml").write_text("", encoding="utf-8")
    (tmp_path / "secret.png").write_bytes(b"x")
    (tmp_path / "site" / "static" / "link.png").symlink_to(tmp_path / "secret.png")
    site = find_site(tmp_path / "site" / "page.md")
    assert site.resolve("/link.png") == (None, "outside")
    assert site.resolve("/../secret.png") == (None, "")  # as in a browser: "/.." is "/"
    assert site.resolve("/missing.png") == (None, "")


def test_no_site_is_found_past_the_repository(tmp_path):
    (tmp_path / "_config.yml").write_text("", encoding="utf-8")
    (tmp_path / "repo" / ".git").mkdir(parents=True)
    assert find_site(tmp_path / "repo" / "doc.md") is None
    assert find_site(tmp_path / "doc.md").generator == "jekyll"
