"""`convert theme new | check | specimen`: the theme kit's commands."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from pipeline.cli import EXIT_FAILED, EXIT_OK, batch_options, run_conversion


@click.group("theme", context_settings={"help_option_names": ["-h", "--help"]})
def theme() -> None:
    """Start a theme, check it, and see it applied to every element in every format."""


@theme.command("new")
@click.argument("name")
@click.option("--from", "source", type=click.Path(path_type=Path), default=None, metavar="PATH/brand.yml",
              help="Start from this brand.yml (e.g. a Quarto brand): its logo and font files are copied, "
                   "our settings added.")
@click.option("--dir", "parent", type=click.Path(path_type=Path), default=Path("styles"), show_default=True,
              help="Folder the theme folder is made in (styles/ is where --theme NAME finds it).")
def new_command(name: str, source: Path | None, parent: Path) -> None:
    """Write a theme folder NAME: a commented brand.yml, a placeholder logo and a vocabulary file.

    An existing folder is never overwritten.
    """
    from pipeline.theme.kit import new_theme

    folder = new_theme(name, parent, source)
    files = ", ".join(sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()))
    click.echo(f"wrote {folder}/ ({files})")
    click.echo(f"next: edit {folder / 'brand.yml'}, then `convert theme check --theme {folder}` "
               f"and `convert theme specimen --theme {folder}`")


@theme.command("check")
@click.option("--theme", "name", default="openinfra", show_default=True,
              help="Theme name (a folder under styles/) or path to a theme folder.")
def check_command(name: str) -> None:
    """Check a theme's brand.yml: the brand.yml schema, our defaults.pipeline keys, its logo and font
    files, and WCAG AA contrast of the colour pairs text is set in. One line per problem, with file
    and line; exit code 1 when there is any."""
    from pipeline.theme import load_theme
    from pipeline.theme.check import TEXT_PAIRS, check_theme

    found = load_theme(name)
    problems = check_theme(found)
    for problem in problems:
        click.echo(str(problem))
    if problems:
        click.echo(f"{len(problems)} problem{'s' if len(problems) != 1 else ''} in {found.brand_file}", err=True)
        sys.exit(EXIT_FAILED)
    click.echo(f"{found.brand_file}: no problems ({len(TEXT_PAIRS)} colour pairs meet WCAG AA)")
    sys.exit(EXIT_OK)


@theme.command("specimen")
@batch_options
def specimen_command(**params: Any) -> None:
    """Build the theme's specimen in every format (--to all by default): headings of every level,
    bylines, lists, tables, code, quotations, footnotes, figures, callouts, mathematics and a page
    of each script. Outputs go to dist/specimen/THEME/ unless -o is given; the other options are
    those of `convert`. The specimen's own source is converted as written (no normalizer)."""
    from pipeline.theme import load_theme
    from pipeline.theme.specimen import write_specimen_source

    context = click.get_current_context()
    if params["paths"]:
        raise click.UsageError("the specimen is built from its own source; give no files (see --theme)")
    found = load_theme(params["theme"])
    found.validate()
    if context.get_parameter_source("out_dir") == click.core.ParameterSource.DEFAULT:
        params["out_dir"] = params["out_dir"] / "specimen" / found.name
    if context.get_parameter_source("formats") == click.core.ParameterSource.DEFAULT:
        params["formats"] = "all"
    params["paths"] = (write_specimen_source(found, params["out_dir"] / "source"),)
    params["no_normalize"] = True  # the source is canonical already: what the writers get is what it says
    params["theme"] = str(found.root)
    sys.exit(run_conversion(params))
