"""The command line: argument parsing, printing and exit codes over the library API, nothing else.

Exit status: 0 on success, 1 when the content has errors (each printed as `path:line: field:
message`), 2 on usage errors.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import click

from statusgen import __version__
from statusgen.build import BuildResult, changes_since, default_cache_dir
from statusgen.build import build as build_site
from statusgen.build import check as check_site
from statusgen.content import EARLIEST, LATEST, in_range, load_content
from statusgen.errors import ContentError
from statusgen.status import next_changes

CONTENT_OPTION = click.option(
    "--content",
    "content_dir",
    default="content",
    show_default=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="The content folder (holding site.yaml).",
)


def cache_option(default: bool) -> Callable[[Callable[..., None]], Callable[..., None]]:
    """The --cache/--no-cache switch (the cache lives in .statusgen-cache/ beside the content)."""
    return click.option(
        "--cache/--no-cache",
        default=default,
        show_default=True,
        help="Reuse what did not change since the last build (kept in .statusgen-cache/ beside the content).",
    )


NOW_OPTION = click.option(
    "--now",
    "now_text",
    metavar="TIME",
    help="Build as of this instant (ISO 8601 with offset, e.g. 2012-06-21T10:00:00-07:00). "
    "Default: SOURCE_DATE_EPOCH, else the clock.",
)


def resolve_now(now_text: str | None, environ: dict[str, str] | None = None) -> datetime:
    """The build's `now`: `--now`, else SOURCE_DATE_EPOCH, else the clock."""
    environ = dict(os.environ) if environ is None else environ
    if now_text:
        try:
            moment = datetime.fromisoformat(now_text.strip())
        except ValueError:
            raise click.BadParameter(
                f"expected an ISO 8601 date-time such as 2012-06-21T10:00:00-07:00, got {now_text!r}",
                param_hint="--now",
            ) from None
        if moment.tzinfo is None:
            raise click.BadParameter(
                f"add a UTC offset to {now_text!r}, e.g. {now_text}Z or {now_text}-07:00",
                param_hint="--now",
            )
        if not in_range(moment):
            raise click.BadParameter(
                f"expected an instant between {EARLIEST.year} and {LATEST.year}, got {now_text!r}",
                param_hint="--now",
            )
        return moment
    epoch = environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch:
        try:
            moment = datetime.fromtimestamp(int(epoch), UTC)
            if in_range(moment):
                return moment
            raise ValueError(epoch)
        except (ValueError, OverflowError, OSError):
            raise click.UsageError(
                f"SOURCE_DATE_EPOCH must be a whole number of seconds until {LATEST.year}, got {epoch!r}"
            ) from None
    return datetime.now(UTC).replace(microsecond=0)


def _report(result: BuildResult) -> None:
    for warning in result.warnings:
        click.echo(str(warning), err=True)


def _fail(error: ContentError) -> None:
    for problem in error.problems:
        click.echo(str(problem), err=True)
    count = len(error.problems)
    click.echo(f"{count} error{'s' if count != 1 else ''}; nothing was written.", err=True)
    sys.exit(1)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="statusgen")
def main() -> None:
    """statusgen: a static status page from Markdown incident reports."""


@main.command()
@CONTENT_OPTION
@click.option(
    "--output",
    "output_dir",
    default="public",
    show_default=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Where to write the site (replaced atomically).",
)
@click.option(
    "--output-link",
    is_flag=True,
    help="Publish through a symbolic link that switches between two copies of the site, so a rebuild "
    "writes only the files that changed (fast rebuilds of big sites; the output becomes a link).",
)
@NOW_OPTION
@cache_option(default=True)
def build(content_dir: Path, output_dir: Path, output_link: bool, now_text: str | None, cache: bool) -> None:
    """Build the site into the output folder."""
    now = resolve_now(now_text)
    cache_dir = default_cache_dir(content_dir) if cache else None
    try:
        result = build_site(content_dir, output_dir, now, cache_dir=cache_dir, linked=output_link)
    except ContentError as error:
        _fail(error)
        return
    _report(result)
    click.echo(
        f"Built {len(result.files)} files into {output_dir}/ as of {now.isoformat()}: "
        f"{result.snapshot.description}."
    )


@main.command()
@CONTENT_OPTION
@NOW_OPTION
@cache_option(default=False)
def check(content_dir: Path, now_text: str | None, cache: bool) -> None:
    """Validate and render everything without writing (for pull-request CI)."""
    now = resolve_now(now_text)
    try:
        result = check_site(content_dir, now, cache_dir=default_cache_dir(content_dir) if cache else None)
    except ContentError as error:
        _fail(error)
        return
    _report(result)
    click.echo(f"{content_dir}/ is valid: {len(result.files)} files would be built.")


@main.command("next-change")
@CONTENT_OPTION
@NOW_OPTION
def next_change(content_dir: Path, now_text: str | None) -> None:
    """Print when the site next changes by itself (for a scheduled rebuild), and why."""
    now = resolve_now(now_text)
    try:
        content = load_content(content_dir)
    except ContentError as error:
        _fail(error)
        return
    upcoming = next_changes(content, now)[0]
    click.echo(f"{upcoming.at.isoformat()}\t{upcoming.reason}")


@main.command()
@CONTENT_OPTION
@click.option(
    "--since",
    "previous_dir",
    required=True,
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    help="The previously published output (at least its api/v2/ JSON files).",
)
@NOW_OPTION
def changes(content_dir: Path, previous_dir: Path, now_text: str | None) -> None:
    """Print, as JSON, the incidents, updates and maintenance that are new since a previous build."""
    now = resolve_now(now_text)
    try:
        result = check_site(content_dir, now)
    except ContentError as error:
        _fail(error)
        return
    _report(result)
    click.echo(json.dumps(changes_since(previous_dir, result), ensure_ascii=False, indent=2))


def entry_point() -> None:
    """The `statusgen` command: run, then exit without tearing the heap down object by object.

    A big site leaves millions of objects; freeing them one by one at exit takes longer than some
    builds, so the process ends at once after flushing its output (as mypy does).
    """
    try:
        main()
        code: object = 0
    except SystemExit as stop:
        code = stop.code
    if isinstance(code, str):
        print(code, file=sys.stderr)
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code if isinstance(code, int) else (0 if code is None else 1))
