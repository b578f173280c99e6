"""Themes: brand.yml is the single source; the default theme proves nothing is hard-coded."""

from __future__ import annotations

import shutil

import pytest
from conftest import REPO, run_cli

from pipeline.cache import cache_dir
from pipeline.errors import ThemeError
from pipeline.theme import available_themes, load_theme


def test_shipped_themes_load_with_packaged_fonts():
    assert {"default", "openinfra"} <= set(available_themes())
    for name in ("default", "openinfra"):
        theme = load_theme(name)
        assert theme.fonts, name
        # Packaged files, or static instances of packaged variable fonts in our cache; never system fonts.
        assert all(face.path.is_file() for face in theme.fonts)
        assert all("site-packages" in str(face.path) or face.path.parent == cache_dir("fonts")
                   for face in theme.fonts)
        assert all(" " not in face.weight for face in theme.fonts), "variable fonts are pinned to static weights"
        assert theme.tokens["logo"] and theme.tokens["logo"].is_file()


def test_tokens_resolve_palette_names():
    tokens = load_theme("openinfra").tokens
    assert tokens["color"]["primary"] == "#E2173E"
    assert tokens["color"]["cover_background"] == "#1B2A3A"  # `navy` in defaults.pipeline.cover
    assert tokens["font"]["headings"] == "Inter"
    assert tokens["page"]["width"] == "210mm"


def test_themes_differ():
    a, b = load_theme("openinfra").tokens, load_theme("default").tokens
    assert a["color"]["primary"] != b["color"]["primary"]
    assert a["font"]["base"] != b["font"]["base"]
    assert a["page"]["size"] != b["page"]["size"]


def test_unknown_theme_lists_the_known_ones():
    with pytest.raises(ThemeError, match=r"unknown theme 'nope'.*openinfra"):
        load_theme("nope")


def test_theme_by_path_overrides_templates_of_default(tmp_path):
    theme_dir = tmp_path / "styles" / "custom"
    shutil.copytree(REPO / "styles" / "openinfra", theme_dir)
    (tmp_path / "styles" / "default").symlink_to(REPO / "styles" / "default")
    (theme_dir / "templates").mkdir()
    (theme_dir / "templates" / "screen.css.j2").write_text("main { color: {{ theme.color.primary }}; }")
    theme = load_theme(str(theme_dir))
    assert theme.render("screen.css.j2") == "main { color: #E2173E; }"
    assert "@page" in theme.render("print.css.j2")  # falls back to the default theme's template


def test_theme_by_path_without_a_default_beside_it_falls_back_to_the_shipped_one(tmp_path):
    """A theme folder anywhere (no `default` next to it) once failed: print.css.j2 not found."""
    from pypdf import PdfReader

    theme_dir = tmp_path / "brands" / "acme"
    shutil.copytree(REPO / "styles" / "openinfra", theme_dir)
    source = tmp_path / "report.md"
    source.write_text("---\ntitle: Acme 2024\n---\n# Part\n\n## Article\n\nText.\n", encoding="utf-8")
    result = run_cli(str(source), "--to", "pdf", "--theme", str(theme_dir), "-o", str(tmp_path / "out"))
    assert result.returncode == 0, result.stderr
    reader = PdfReader(tmp_path / "out" / "report.pdf")
    assert reader.metadata.title == "Acme 2024"
    assert "Contents" in reader.pages[2].extract_text()  # the default theme's print template laid it out


def test_font_not_installed_is_a_clear_error(tmp_path):
    theme_dir = tmp_path / "styles" / "broken"
    theme_dir.mkdir(parents=True)
    (theme_dir / "brand.yml").write_text(
        "typography:\n  fonts:\n    - family: Comic Neue Extra\n      source: google\n", encoding="utf-8"
    )
    with pytest.raises(ThemeError, match="not installed as a font package"):
        load_theme(str(theme_dir)).validate()


def test_file_fonts_must_stay_inside_the_theme(tmp_path):
    theme_dir = tmp_path / "styles" / "escape"
    theme_dir.mkdir(parents=True)
    (theme_dir / "brand.yml").write_text(
        "typography:\n  fonts:\n    - family: Evil\n      source: file\n      files:\n"
        "        - path: ../../../etc/passwd.ttf\n", encoding="utf-8"
    )
    with pytest.raises(ThemeError, match="inside the theme folder"):
        load_theme(str(theme_dir)).validate()


def test_templates_autoescape_document_text(tmp_path):
    from pipeline.document import Document, Metadata
    from pipeline.writers.htmlpage import build_page

    source = tmp_path / "x.md"
    source.write_text("Body text\n", encoding="utf-8")
    document = Document(source=source, meta=Metadata(title="<script>alert(1)</script> {{7*7}}"), body="Body text\n")
    html = build_page(document, load_theme("openinfra"), template="page.html.j2", stylesheet="screen.css.j2")
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; {{7*7}}" in html


@pytest.mark.parametrize(("brand", "where", "executor"), [
    ("color:\n  primary: 12\n  nonsense_key: [1, 2]\n", "brand.yml: invalid brand file", "local"),
    # Bad YAML (brand-yml parses with ruamel.yaml): the line is named, in a worker and in process alike.
    ("meta:\n  name: Bad\ncolor: [unclosed\n", "brand.yml:4: invalid brand file (YAML)", "local"),
    ("meta:\n  name: Bad\ncolor: [unclosed\n", "brand.yml:4: invalid brand file (YAML)", "inline"),
])
def test_invalid_brand_file_is_a_usage_error_before_any_work(tmp_path, brand, where, executor):
    from conftest import SEED, run_cli

    theme_dir = tmp_path / "styles" / "bad"
    theme_dir.mkdir(parents=True)
    (tmp_path / "styles" / "default").symlink_to(REPO / "styles" / "default")
    (theme_dir / "brand.yml").write_text(brand, encoding="utf-8")
    out = tmp_path / "out"
    result = run_cli(str(SEED), "--to", "html,docx", "--theme", str(theme_dir), "-o", str(out), "--executor", executor)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and where in lines[0], result.stderr
    assert "Traceback" not in result.stderr
    assert not list(out.glob("*.html")) and not list(out.glob("*.docx"))
