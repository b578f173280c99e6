"""The `convert` command: a thin layer over `pipeline.convert`.

Exit codes: 0 everything written; 1 a document or format failed; 2 usage error (missing file,
unknown format or theme, bad option).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from pipeline import __version__

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


def _writers_help() -> str:
    from pipeline.writers import available_writers

    names = list(available_writers())
    return ", ".join(names) + ", all" if names else "none registered"


class ConvertGroup(click.Group):
    """`convert FILE…` converts; `convert SUBCOMMAND …` runs a subcommand (e.g. `lint`)."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if args and args[0] not in self.commands and args[0] not in ("--help", "-h", "--version"):
            args = ["build", *args]
        elif not args:
            args = ["build"]
        return super().parse_args(ctx, args)

    def format_help(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        build = self.commands["build"]
        with click.Context(build, info_name=ctx.info_name, parent=ctx.parent) as build_ctx:
            build.format_help(build_ctx, formatter)
        others = [(n, c.get_short_help_str(60)) for n, c in self.commands.items() if n != "build"]
        with formatter.section("Other commands"):
            formatter.write_dl([("--version", "Show the version and exit."), *others])


@click.group(cls=ConvertGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", prog_name="convert", message="%(prog)s %(version)s")
def cli() -> None:
    """Convert Markdown reports into branded PDF, DOCX, EPUB and HTML."""


@cli.command("build", context_settings={"help_option_names": ["-h", "--help"]})
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--to", "formats", default="pdf", show_default=True, metavar="FORMATS",
              help="Output formats, comma-separated, or 'all'. Registered: " + "{writers}.")
@click.option("-o", "--out-dir", type=click.Path(path_type=Path), default=Path("dist"), show_default=True,
              help="Folder for the outputs.")
@click.option("--theme", default="openinfra", show_default=True,
              help="Theme name (a folder under styles/) or path to a theme folder.")
@click.option("--profile", type=click.Choice(["screen", "print"]), default="screen", show_default=True,
              help="PDF profile: 'print' adds bleed, crop marks and drops link colours.")
@click.option("--paper", type=click.Choice(["a4", "letter"], case_sensitive=False), default=None,
              help="Paper size (default: the theme's).")
@click.option("--pdf-variant", default=None, metavar="VARIANT",
              help="PDF standard to follow: pdf/a-3b (archival), pdf/ua-1 (accessible), pdf/x-4 (press).")
@click.option("--preview", is_flag=True, help="Also write PNG previews of the PDF to <out-dir>/preview/.")
@click.option("--validate/--no-validate", default=False, show_default=True,
              help="Check every output with its validator (EPUBCheck, LibreOffice, qpdf).")
@click.option("--no-normalize", is_flag=True, help="Skip the normalizer; convert the Markdown as written.")
@click.option("--fix-suggested", is_flag=True, help="Also apply the normalizer's suggestions.")
@click.option("-q", "--quiet", is_flag=True, help="Print only errors.")
@click.option("--debug", is_flag=True, help="Show tracebacks for unexpected errors.")
def build(paths: tuple[Path, ...], formats: str, out_dir: Path, theme: str, profile: str, paper: str | None,
          pdf_variant: str | None, preview: bool, validate: bool, no_normalize: bool, fix_suggested: bool,
          quiet: bool, debug: bool) -> None:
    """Convert Markdown files (or every Markdown file in a folder) to the chosen formats.

    \b
    Examples:
      convert input/report.md --to pdf
      convert input/ --to all -o dist/
      convert report.md --to pdf,epub --theme default
    """
    from pipeline.convert import convert
    from pipeline.errors import UsageError
    from pipeline.normalize import NormalizeOptions
    from pipeline.writers import WriteOptions

    if not paths:
        raise UsageError("no input given (convert FILE.md [--to pdf,docx,epub,html|all])")
    console = _console()

    def announce(output: Any) -> None:
        if output.ok and not quiet:
            pages = f", {output.pages} pages" if output.pages else ""
            console.print(f"wrote {output.path} ({output.seconds:.1f} s{pages})", highlight=False)

    report = convert(
        paths, formats, out_dir, theme, run_normalizer=not no_normalize,
        normalize_options=NormalizeOptions(fix_suggested=fix_suggested), on_output=announce,
        options=WriteOptions(profile=profile, paper=paper.lower() if paper else None, pdf_variant=pdf_variant,
                             preview=preview, validate=validate),
    )
    if not quiet:
        for diagnostic in report.diagnostics:
            if diagnostic.severity != "info":
                console.print(str(diagnostic), highlight=False, style="yellow")
    if debug:
        for trace in report.tracebacks:
            click.echo(trace, err=True)
    for failure in report.failed_documents:
        _error(failure)
    for output in report.outputs:
        if not output.ok:
            if debug and output.traceback:
                click.echo(output.traceback, err=True)
            _error(output.error or "failed")
    if not report.ok:
        sys.exit(EXIT_FAILED)


def _console() -> Any:
    from rich.console import Console

    return Console(stderr=False, soft_wrap=True)


def _error(message: str) -> None:
    click.echo(f"convert: error: {message}", err=True)


def _fill_writer_names() -> None:
    for param in build.params:
        if param.name == "formats" and param.help:
            param.help = param.help.replace("{writers}", _writers_help())


def main(argv: list[str] | None = None) -> None:
    """Entry point: run the CLI, turning every user error into one line and an exit code."""
    from pipeline.errors import PipelineError

    args = list(sys.argv[1:] if argv is None else argv)
    if any(a in ("-h", "--help") for a in args):
        _fill_writer_names()
    debug = "--debug" in args
    try:
        cli.main(args=args, prog_name="convert", standalone_mode=False)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except click.ClickException as exc:
        _error(exc.format_message())
        sys.exit(EXIT_USAGE)
    except click.Abort:
        _error("aborted")
        sys.exit(130)
    except PipelineError as exc:
        if debug:
            raise
        _error(str(exc))
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        _error("interrupted")
        sys.exit(130)
    sys.exit(EXIT_OK)


def _attach_subcommands() -> None:
    try:
        from pipeline.normalize.cli import lint
    except ImportError:  # the lint command ships with the normalizer
        return
    cli.add_command(lint)


_attach_subcommands()
