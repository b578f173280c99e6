"""The conversion API: documents × formats → files in the output folder, each written atomically."""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pipeline import trace
from pipeline.document import Document
from pipeline.load import DEFAULT_MAX_BYTES, load_document
from pipeline.normalize import NormalizeOptions, normalize
from pipeline.theme import DEFAULT_THEME, Theme, load_theme

if TYPE_CHECKING:
    from pipeline.batch import BatchResult
    from pipeline.batch.progress import Reporter
    from pipeline.batch.resident import Resident
    from pipeline.writers import WriteOptions


def prepare(path: Path, theme: Theme, *, run_normalizer: bool = True,
            normalize_options: NormalizeOptions | None = None, max_input_bytes: int = DEFAULT_MAX_BYTES,
            site_root: Path | None = None, lang: str | None = None,
            allowed_hosts: tuple[str, ...] = ()) -> Document:
    """Load and normalize one document (or every chapter of a book): the part every format shares.

    `site_root` is the website the document belongs to; without it the site is found by walking up
    from the document to a site generator's config (see `pipeline.site`). `lang` overrides the
    document's language (its front matter's, or the one detected from its text).
    """
    from pipeline.book import is_book_input
    from pipeline.site import find_site

    if is_book_input(Path(path)):
        from pipeline.book.assemble import prepare_book

        return prepare_book(path, theme, run_normalizer=run_normalizer, normalize_options=normalize_options,
                            max_input_bytes=max_input_bytes, allowed_hosts=allowed_hosts, site_root=site_root,
                            lang=lang)
    with trace.span("load"):
        document = load_document(path, default_publisher=theme.tokens["name"], max_bytes=max_input_bytes, lang=lang)
    document.site = find_site(path, site_root)
    document.artifacts["allowed_hosts"] = allowed_hosts
    if run_normalizer:
        options = normalize_options or NormalizeOptions()
        if options.theme_dir is None:
            options = dataclasses.replace(options, theme_dir=theme.root)
        with trace.span("normalize"):
            document = normalize(document, options)
    elif normalize_options is not None and normalize_options.check_links:
        # The normalizer runs the link check; asked for without it, the links are still checked.
        from pipeline.normalize.linkcheck import check_document

        check_document(document)
    return document


def validate_themes(roots: tuple[str, ...]) -> None:
    """Parse every theme a batch uses (brand.yml, fonts), raising ThemeError before any work."""
    for root in roots:
        load_theme(root).validate()


def convert(paths: Iterable[Path | str], formats: list[str] | str = "all", out_dir: Path | str = "dist",
            theme: str | Theme | None = None, *, run_normalizer: bool = True,
            normalize_options: NormalizeOptions | None = None, options: WriteOptions | None = None,
            glob: str | None = None, exclude: tuple[str, ...] = (), force: bool = False,
            executor: str = "inline", workers: int | None = None, job_timeout: float | None = 600,
            scheduler: Any = None, reporter: Reporter | None = None,
            memory_limit_mb: int | None = None, max_input_bytes: int = DEFAULT_MAX_BYTES,
            resident: Resident | None = None, site_root: Path | str | None = None,
            lang: str | None = None) -> BatchResult:
    """Convert Markdown files (or folders of them, recursively) to the given formats in `out_dir`.

    Usage errors (missing files, unknown formats or themes, a bad book file) raise before anything
    is written. A document that fails is recorded in the result and the others still convert.
    Outputs that are up to date (see dist/manifest.json) are skipped unless `force`. Without a
    `theme`, documents get the default theme and books the one their book file names. `site_root`
    is the website the documents are pages of (images under `/…`); without it each document's site
    is found by walking up to a site generator's config. `lang` overrides the documents' language
    (as `--lang` does).
    """
    from pipeline.batch import plan_jobs, run_batch
    from pipeline.batch.lock import output_lock
    from pipeline.buildreport import get_ready, write_build_report
    from pipeline.writers import WriteOptions, parse_formats

    if lang:
        options = dataclasses.replace(options or WriteOptions(), lang=lang)
    format_names = parse_formats(formats if isinstance(formats, str) else ",".join(formats))
    loaded_theme = theme if isinstance(theme, Theme) else load_theme(theme or DEFAULT_THEME)
    out = Path(out_dir)
    with trace.span("plan jobs"):
        plan = plan_jobs([Path(p) for p in paths], format_names, out, loaded_theme, options or WriteOptions(),
                         normalize=run_normalizer, normalize_options=normalize_options or NormalizeOptions(),
                         glob=glob, exclude=exclude, max_input_bytes=max_input_bytes,
                         site_root=Path(site_root) if site_root is not None else None, book_themes=theme is None)
    themes = tuple(dict.fromkeys(job.theme for job in plan.jobs)) or (str(loaded_theme.root),)
    with output_lock(out):
        result = run_batch(plan, executor=executor, workers=workers, job_timeout=job_timeout, force=force,
                           reporter=reporter, scheduler=scheduler, memory_limit_mb=memory_limit_mb,
                           before_work=functools.partial(validate_themes, themes), resident=resident,
                           while_waiting=get_ready)
        write_build_report(out, result)  # also after a run that only found everything up to date
        return result
