"""The run's settings from pipeline.toml or [tool.pipeline]: defaults a flag overrides, shown by --show-config."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import run_cli


def _project(tmp_path: Path, config: str, name: str = "pipeline.toml") -> Path:
    (tmp_path / name).write_text(config, encoding="utf-8")
    page = tmp_path / "docs" / "page.md"
    page.parent.mkdir(parents=True, exist_ok=True)
    page.write_text("---\ntitle: Page\n---\n\n# Part\n\n![Logo](/img/logo.png)\n", encoding="utf-8")
    from PIL import Image

    (tmp_path / "site" / "img").mkdir(parents=True, exist_ok=True)
    Image.new("RGB", (20, 20), "red").save(tmp_path / "site" / "img" / "logo.png")
    return page


def test_show_config_says_where_each_setting_comes_from(tmp_path):
    page = _project(tmp_path, 'formats = ["html", "epub"]\nsite-root = "site"\nlang = "de"\n'
                              "[normalize]\ndisable = [\"TYPG001\"]\n")
    result = run_cli(str(page), "--show-config", "--theme", "default", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    rows = {line.split()[0]: line for line in result.stdout.splitlines() if line and not line.startswith(" ")}
    config = str(tmp_path / "pipeline.toml")
    assert "html,epub" in rows["formats"] and f"from {config} (formats)" in rows["formats"]
    assert "default" in rows["theme"] and rows["theme"].endswith("from --theme")
    assert str(tmp_path / "site") in rows["site-root"] and "(site-root)" in rows["site-root"]
    assert "de" in rows["lang"] and rows["out-dir"].endswith("from default")
    assert "TYPG001" in rows["normalize.disable"]
    assert not (tmp_path / "dist").exists()  # shows, converts nothing


def test_the_config_sets_the_run_and_flags_win(tmp_path):
    page = _project(tmp_path, '[tool.pipeline]\nformats = "html"\nout-dir = "build"\nsite-root = "site"\n'
                              'lang = "de"\n', name="pyproject.toml")
    result = run_cli(str(page), "--theme", "default", "--json", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    html = (tmp_path / "build" / "page.html").read_text(encoding="utf-8")
    assert 'lang="de"' in html and "data:image/png;base64," in html  # the site's image, found
    assert not json.loads(result.stdout)["built"][0]["warnings"]
    other = run_cli(str(page), "--theme", "default", "--to", "epub", "-o", str(tmp_path / "elsewhere"), cwd=tmp_path)
    assert other.returncode == 0, other.stderr
    assert [p.suffix for p in (tmp_path / "elsewhere").glob("page.*") if p.suffix in (".epub", ".html")] == [".epub"]


@pytest.mark.parametrize(("config", "message"), [
    ("formats = 3\n", "formats must be a list"),
    ('lang = "not a tag"\n', "not a language tag"),
    ("formats = [\n", "invalid TOML"),
])
def test_a_bad_setting_is_a_usage_error_naming_the_file(tmp_path, config, message):
    page = _project(tmp_path, config)
    result = run_cli(str(page), "--to", "html", cwd=tmp_path)
    assert result.returncode == 2
    assert str(tmp_path / "pipeline.toml") in result.stderr and message in result.stderr
    assert "Traceback" not in result.stderr


def test_a_changed_site_image_rebuilds_the_output(tmp_path):
    from PIL import Image

    page = _project(tmp_path, 'site-root = "site"\n')
    args = [str(page), "--to", "html", "--theme", "default", "--json", "-o", str(tmp_path / "out")]
    first = json.loads(run_cli(*args, cwd=tmp_path).stdout)
    again = json.loads(run_cli(*args, cwd=tmp_path).stdout)
    assert len(first["built"]) == 1 and len(again["up_to_date"]) == 1
    Image.new("RGB", (20, 20), "blue").save(tmp_path / "site" / "img" / "logo.png")
    changed = json.loads(run_cli(*args, cwd=tmp_path).stdout)
    assert len(changed["built"]) == 1
