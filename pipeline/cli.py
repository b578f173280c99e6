"""The `convert` command: a thin layer over `pipeline.convert`.

Exit codes: 0 everything written; 1 a document or format failed; 2 usage error (missing file,
unknown format or theme, bad option).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from pipeline import __version__

if TYPE_CHECKING:
    from pipeline.batch.resident import Resident

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


def batch_options(command: Any) -> Any:
    """The options every converting command shares (build, watch, schedule)."""
    options = [
        click.argument("paths", nargs=-1, type=click.Path(path_type=Path)),
        click.option("--to", "formats", default="pdf", show_default=True, metavar="FORMATS",
                     help="Output formats, comma-separated, or 'all'. Registered: {writers}."),
        click.option("-o", "--out-dir", type=click.Path(path_type=Path), default=Path("dist"), show_default=True,
                     help="Folder for the outputs (folder inputs keep their structure inside it)."),
        click.option("--theme", default="openinfra", show_default=True,
                     help="Theme name (a folder under styles/) or path to a theme folder."),
        click.option("--profile", type=click.Choice(["screen", "print"]), default="screen", show_default=True,
                     help="PDF profile: 'print' adds bleed, crop marks and drops link colours."),
        click.option("--paper", type=click.Choice(["a4", "letter"], case_sensitive=False), default=None,
                     help="Paper size (default: the theme's)."),
        click.option("--pdf-variant", default=None, metavar="VARIANT",
                     help="PDF standard to follow: pdf/a-3b (archival), pdf/ua-1 (accessible), pdf/x-4 (press)."),
        click.option("--preview", is_flag=True, help="Also write PNG previews of the PDF to <out-dir>/preview/."),
        click.option("--office/--no-office", default=True, show_default=True,
                     help="Number the Word contents' pages with LibreOffice, when it is installed. --no-office "
                          "leaves the numbers for Word to fill on open (it asks to update fields): "
                          "for quick CI builds, about 1 s of CPU and 150-200 MiB less."),
        click.option("--validate/--no-validate", default=None,
                     help="Check every output with its validator (EPUBCheck, LibreOffice, qpdf). "
                          "Default: EPUBCheck when Java is installed, every format when CI=true."),
        click.option("--lang", default=None, metavar="TAG",
                     help="The documents' language (BCP 47, e.g. de, pt-BR, zh-Hant), over their front matter's "
                          "lang and detection from the text."),
        click.option("--allow-remote", multiple=True, metavar="HOST",
                     help="Allow images from this host and its subdomains (repeatable); no network otherwise."),
        click.option("--site-root", type=click.Path(file_okay=False, path_type=Path), default=None,
                     help="The website the documents are pages of: images under /… come from its static "
                          "folders (default: found by walking up to a Hugo, Jekyll, VitePress, Docusaurus, "
                          "MkDocs … config)."),
        click.option("--show-config", is_flag=True,
                     help="Print the settings in effect (flags, pipeline.toml / pyproject.toml [tool.pipeline], "
                          "defaults) and where each came from, then exit."),
        click.option("--no-normalize", is_flag=True, help="Skip the normalizer; convert the Markdown as written."),
        click.option("--fix-suggested", is_flag=True, help="Also apply the normalizer's suggestions."),
        click.option("--check-links", is_flag=True,
                     help="Request every http(s) link and warn about broken ones (LINK006; cached for a day). "
                          "Off by default: no network otherwise."),
        click.option("--glob", default=None, metavar="PATTERN",
                     help="In folders, convert only files matching this pattern (default: *.md, *.markdown)."),
        click.option("--exclude", multiple=True, metavar="PATTERN",
                     help="Skip files matching this pattern (repeatable), e.g. 'drafts/*'."),
        click.option("-j", "--jobs", "workers", type=click.IntRange(min=1), default=None,
                     help="Jobs to run at once (default: the number of CPUs)."),
        click.option("--job-timeout", type=click.FloatRange(min=1), default=600, show_default=True,
                     help="Seconds one document may take in one format before it is stopped."),
        click.option("--memory-limit", "memory_limit", type=click.IntRange(min=256), default=4096, show_default=True,
                     metavar="MB", help="Memory one worker may use before its job fails (local executor)."),
        click.option("--max-input-mb", type=click.FloatRange(min=0.001), default=20, show_default=True,
                     metavar="MB", help="Largest Markdown file accepted; bigger ones fail with a clear error."),
        click.option("--force", is_flag=True, help="Rebuild outputs even when they are up to date."),
        click.option("--executor", type=click.Choice(["local", "dask", "inline"]), default="local",
                     show_default=True, help="Where jobs run: a local process pool, a Dask cluster, or this process."),
        click.option("--scheduler", default=None, metavar="ADDRESS",
                     help="Dask scheduler address for --executor dask, e.g. tcp://host:8786."),
        click.option("-q", "--quiet", is_flag=True, help="Print only errors."),
        click.option("--json", "as_json", is_flag=True, help="Print a JSON summary for tools instead of progress."),
        click.option("--debug", is_flag=True, help="Show tracebacks for unexpected errors."),
    ]
    for option in reversed(options):
        command = option(command)
    return command


def run_conversion(params: dict[str, Any], resident: Resident | None = None) -> int:
    """One batch with the CLI's options; returns the exit code (0 all good, 1 some failed).

    `resident` keeps the worker pool and LibreOffice up for the next batch (watch mode).
    """
    from pipeline.batch.progress import make_reporter
    from pipeline.convert import convert
    from pipeline.errors import UsageError
    from pipeline.normalize import NormalizeOptions
    from pipeline.writers import WriteOptions

    if not params["paths"]:
        raise UsageError("no input given (convert FILE.md [--to pdf,docx,epub,html|all])")
    if params["pdf_variant"]:
        from pipeline.pdf.settings import normalize_variant

        params["pdf_variant"] = normalize_variant(params["pdf_variant"])  # a typo is a usage error, before any work
    if params["lang"]:
        from pipeline.i18n import is_valid_tag, normalize_tag

        if not is_valid_tag(params["lang"]):
            raise UsageError(f"--lang {params['lang']!r} is not a valid BCP 47 language tag (for example en, pt-BR)")
        params["lang"] = normalize_tag(params["lang"])
    mode = "json" if params["as_json"] else "quiet" if params["quiet"] else "auto"
    paper = params["paper"]
    result = convert(
        params["paths"], params["formats"], params["out_dir"], _chosen_theme(params),
        run_normalizer=not params["no_normalize"],
        normalize_options=NormalizeOptions(fix_suggested=params["fix_suggested"], check_links=params["check_links"]),
        options=WriteOptions(profile=params["profile"], paper=paper.lower() if paper else None,
                             pdf_variant=params["pdf_variant"], preview=params["preview"], office=params["office"],
                             validate=params["validate"], allow_remote=tuple(params["allow_remote"]),
                             lang=params["lang"]),
        glob=params["glob"], exclude=tuple(params["exclude"]), force=params["force"],
        executor=params["executor"], workers=params["workers"], job_timeout=params["job_timeout"],
        scheduler=params["scheduler"], reporter=make_reporter(mode), memory_limit_mb=params["memory_limit"],
        max_input_bytes=int(params["max_input_mb"] * 1024 * 1024), resident=resident,
        site_root=params.get("site_root"),
    )
    if params["debug"]:
        for failure in result.failed:
            if failure.get("traceback"):
                click.echo(failure["traceback"], err=True)
    return EXIT_OK if result.ok else EXIT_FAILED


def _chosen_theme(params: dict[str, Any]) -> str | None:
    """--theme as given; None when left at its default, so a book is built with its own theme."""
    context = click.get_current_context(silent=True)
    left = context is not None and context.get_parameter_source("theme") == click.core.ParameterSource.DEFAULT
    option = next((p for p in context.command.params if p.name == "theme"), None) if context else None
    return None if left and option is not None and params["theme"] == option.default else params["theme"]


@cli.command("build", context_settings={"help_option_names": ["-h", "--help"]})
@batch_options
def build(**params: Any) -> None:
    """Convert Markdown files (or every Markdown file under a folder) to the chosen formats.

    Outputs that are up to date (same source, theme, options and versions, per dist/manifest.json)
    are skipped; --force rebuilds them. Exit codes: 0 all written, 1 some failed, 2 usage error,
    3 another run holds the output folder's lock.

    \b
    Examples:
      convert input/report.md --to pdf
      convert input/ --to all -o dist/ -j 2
      convert report.md --to pdf,epub --theme default
    """
    sys.exit(run_conversion(with_run_config(params)))


@cli.command("watch", context_settings={"help_option_names": ["-h", "--help"]})
@batch_options
def watch_command(**params: Any) -> None:
    """Convert, then rebuild what changed whenever a source, image or theme file is saved.

    Ctrl-C (or SIGTERM) stops it after the rebuild in progress, as for `schedule`: an interrupt
    raised wherever the rebuild happens to be (starting a worker, say) could leave the process
    unable to exit.
    """
    import threading

    from pipeline.batch.resident import Resident
    from pipeline.batch.schedule import install_stop_handlers
    from pipeline.batch.watch import watch
    from pipeline.theme import load_theme

    params = with_run_config(params)
    _log_to_stderr()
    theme = load_theme(params["theme"])
    stop = threading.Event()
    install_stop_handlers(stop)
    # The default theme too: a theme takes every template it lacks from there (and the outputs'
    # keys hash both folders).
    themes = [folder for folder in (theme.root, theme.default_root) if folder.is_dir()]
    themes += _site_folders(params)
    # A rebuild on save should cost what the changed documents cost, not the start of a pool and
    # of LibreOffice (2 s and more): they stay up between rebuilds.
    with Resident() as resident:
        watch([*params["paths"], *themes], params["out_dir"], lambda: _guarded_run(params, resident),
              stop_event=stop)


@cli.command("schedule", context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--cron", required=True, metavar="EXPRESSION",
              help="When to run, in cron syntax (local time), e.g. '0 2 * * *' for 02:00 every day.")
@click.option("--once", is_flag=True, help="Run one batch now and exit (for system cron or a systemd timer).")
@batch_options
def schedule_command(cron: str, once: bool, **params: Any) -> None:
    """Run a batch at every cron tick, as a long-lived process; SIGTERM/SIGINT stop it cleanly.

    A run that finds the output folder locked by another run exits at once with code 3.
    """
    import threading

    from pipeline.batch.schedule import install_stop_handlers, run_schedule, validate_cron

    validate_cron(cron)
    params = with_run_config(params)
    _log_to_stderr()
    if once:
        sys.exit(run_conversion(params))
    stop = threading.Event()
    install_stop_handlers(stop)
    sys.exit(run_schedule(cron, lambda: _guarded_run(params), stop=stop))


def _site_folders(params: dict[str, Any]) -> list[Path]:
    """The static folders of the inputs' sites: a changed image there rebuilds the pages that show it."""
    from pipeline.site import find_site

    sites = [find_site(Path(p), params.get("site_root")) for p in params["paths"] if Path(p).exists()]
    return sorted({folder for site in sites if site is not None for folder in site.static_dirs})


def with_run_config(params: dict[str, Any]) -> dict[str, Any]:
    """The command's options with the project file's settings for those not given as flags
    (`pipeline.runconfig`); `--show-config` prints them and exits."""
    from click.core import ParameterSource

    from pipeline.runconfig import apply_run_config, describe

    context = click.get_current_context()
    given = {name for name in params
             if context.get_parameter_source(name) in (ParameterSource.COMMANDLINE, ParameterSource.ENVIRONMENT)}
    sources = apply_run_config(params, given)
    if params.pop("show_config", False):
        click.echo(describe(params, sources))
        sys.exit(EXIT_OK)
    for key in params.get("_config_unknown") or ():
        click.echo(f"convert: warning: {params['_config_file']}: unknown setting {key!r} ignored", err=True)
    return params


def _guarded_run(params: dict[str, Any], resident: Resident | None = None) -> int:
    """A run inside a long-lived command: a failure is logged, never the end of the process."""
    import logging

    from pipeline.errors import PipelineError

    try:
        return run_conversion(params, resident)
    except PipelineError as exc:
        logging.getLogger("pipeline").error("%s", exc)
        return exc.exit_code


def _log_to_stderr() -> None:
    import logging

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s: %(message)s", stream=sys.stderr)


def _error(message: str) -> None:
    click.echo(f"convert: error: {message}", err=True)


def _fill_writer_names() -> None:
    for command in cli.commands.values():
        for param in command.params:
            if param.name == "formats" and isinstance(param, click.Option) and param.help:
                param.help = param.help.replace("{writers}", _writers_help())


def main(argv: list[str] | None = None) -> None:
    """Entry point: run the CLI, turning every user error into one line and an exit code."""
    from pipeline import regex_cache, trace
    from pipeline.errors import PipelineError

    regex_cache.install()
    if trace.enabled():
        trace.role("main")
        trace.record("interpreter, imports", trace.process_started() or trace.now(), trace.now())
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


def _attach_kit_commands() -> None:
    from pipeline.theme_cli import theme

    cli.add_command(theme)


_attach_subcommands()
_attach_kit_commands()
