"""What every command shares: the `statusgen` group, the common options, `now`, and how results
and errors are printed (every kind of `StatusgenError` the same way: located, then a count; exit 1)."""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import click

from statusgen import __version__
from statusgen.build import BuildResult
from statusgen.content import EARLIEST, LATEST, in_range
from statusgen.errors import StatusgenError

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


SINCE_OPTION = click.option(
    "--since",
    "previous_dir",
    required=True,
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    help="The site as published before this build: a folder holding at least its api/v2/ JSON "
    "files (for notify, api/statusgen/notified.json too); an empty one for a first publication.",
)

NOW_OPTION = click.option(
    "--now",
    "now_text",
    metavar="TIME",
    help="Build as of this instant (ISO 8601 with offset, e.g. 2012-06-21T10:00:00-07:00). "
    "Default: SOURCE_DATE_EPOCH, else the clock.",
)


def resolve_now(now_text: str | None, environ: dict[str, str] | None = None) -> datetime:
    """The build's `now`: `--now`, else SOURCE_DATE_EPOCH, else the clock (authoring commands pass
    an empty `environ`: an update is stamped with the clock, whatever a build environment says)."""
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


QUIET_OPTION = click.option(
    "--quiet", "-q", is_flag=True, help="Print only warnings and errors (no progress, no summary)."
)


def progress(quiet: bool) -> Callable[[str], None] | None:
    """Stage-by-stage progress on standard error, when it is a terminal (not in CI) and not --quiet."""
    if quiet or not sys.stderr.isatty():
        return None
    start = time.monotonic()

    def show(message: str) -> None:
        click.echo(f"{time.monotonic() - start:6.1f} s  {message}…", err=True)

    return show


def report(result: BuildResult) -> None:
    for warning in result.warnings:
        click.echo(str(warning), err=True)


def fail(error: StatusgenError, outcome: str = "nothing was written") -> None:
    for problem in error.problems:
        click.echo(str(problem), err=True)
    count = len(error.problems)
    click.echo(f"{count} error{'s' if count != 1 else ''}; {outcome}.", err=True)
    sys.exit(1)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="statusgen")
def main() -> None:
    """statusgen: a static status page from Markdown incident reports."""
