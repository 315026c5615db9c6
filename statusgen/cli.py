"""The command line: argument parsing, printing and exit codes over the library API, nothing else.

Exit status: 0 on success, 1 when the content has errors (each printed as `path:line: field:
message`), 2 on usage errors.
"""

from __future__ import annotations

import json
import os
import signal
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import click

from statusgen import __version__, authoring
from statusgen.build import BuildResult, changes_since, default_cache_dir
from statusgen.build import build as build_site
from statusgen.build import check as check_site
from statusgen.content import EARLIEST, LATEST, in_range, load_content
from statusgen.deploy import deploy as deploy_site
from statusgen.derive import next_changes
from statusgen.errors import ContentError
from statusgen.models import Incident
from statusgen.serve import Preview

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


def _progress(quiet: bool) -> Callable[[str], None] | None:
    """Stage-by-stage progress on standard error, when it is a terminal (not in CI) and not --quiet."""
    if quiet or not sys.stderr.isatty():
        return None
    start = time.monotonic()

    def show(message: str) -> None:
        click.echo(f"{time.monotonic() - start:6.1f} s  {message}…", err=True)

    return show


def _report(result: BuildResult) -> None:
    for warning in result.warnings:
        click.echo(str(warning), err=True)


def _fail(error: ContentError, outcome: str = "nothing was written") -> None:
    for problem in error.problems:
        click.echo(str(problem), err=True)
    count = len(error.problems)
    click.echo(f"{count} error{'s' if count != 1 else ''}; {outcome}.", err=True)
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
    help="Where to write the site: replaced whole, atomically, so it must be new, empty or an earlier "
    "build's (marked by its .statusgen-output).",
)
@click.option(
    "--output-link",
    is_flag=True,
    help="Publish through a symbolic link that switches between two copies of the site, so a rebuild "
    "writes only the files that changed (fast rebuilds of big sites; the output becomes a link).",
)
@click.option(
    "--precompress",
    is_flag=True,
    help="Also write .gz and .br copies of every text file (for hosts that serve them as they are).",
)
@NOW_OPTION
@cache_option(default=True)
@QUIET_OPTION
def build(
    content_dir: Path,
    output_dir: Path,
    output_link: bool,
    precompress: bool,
    now_text: str | None,
    cache: bool,
    quiet: bool,
) -> None:
    """Build the site into the output folder."""
    now = resolve_now(now_text)
    cache_dir = default_cache_dir(content_dir) if cache else None
    try:
        result = build_site(
            content_dir,
            output_dir,
            now,
            cache_dir=cache_dir,
            linked=output_link,
            progress=_progress(quiet),
            precompress=precompress,
        )
    except ContentError as error:
        _fail(error)
        return
    _report(result)
    if not quiet:
        click.echo(
            f"Built {len(result.files)} files into {output_dir}/ as of {now.isoformat()}: "
            f"{result.snapshot.description}."
        )


@main.command()
@CONTENT_OPTION
@NOW_OPTION
@cache_option(default=False)
@QUIET_OPTION
def check(content_dir: Path, now_text: str | None, cache: bool, quiet: bool) -> None:
    """Validate and render everything without writing (for pull-request CI)."""
    now = resolve_now(now_text)
    cache_dir = default_cache_dir(content_dir) if cache else None
    try:
        result = check_site(content_dir, now, cache_dir=cache_dir, progress=_progress(quiet))
    except ContentError as error:
        _fail(error)
        return
    _report(result)
    if not quiet:
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


# ---------------------------------------------------------------- authoring

AUTHOR_NOW_OPTION = click.option(
    "--now",
    "now_text",
    metavar="TIME",
    help="Stamp the update with this instant instead of the clock (ISO 8601 with offset).",
)


def message_options(function: Callable[..., None]) -> Callable[..., None]:
    """--message, --template and --editor: where an update's text comes from (one of them)."""
    function = click.option("--editor", is_flag=True, help="Write the message in $EDITOR.")(function)
    function = click.option(
        "--template",
        metavar="NAME",
        help="Use content/templates/NAME.md ($title, $components and $time are filled in).",
    )(function)
    return click.option("--message", "-m", metavar="TEXT", help="The update's text (Markdown).")(function)


def _message(
    content_dir: Path, message: str | None, template: str | None, editor: bool, fields: dict[str, str]
) -> str:
    """The message from exactly one of --message, --template and --editor (the editor starts from
    the template when both are given)."""
    if message is not None and (template or editor):
        raise click.UsageError("give --message, or --template and/or --editor, not both")
    text = message or ""
    if template:
        text = authoring.template_text(content_dir, template, fields)
    if editor:
        edited = click.edit(text + "\n", extension=".md", require_save=True)
        if edited is None:
            raise click.UsageError("the editor was closed without saving: nothing was written")
        text = edited
    if not text.strip():
        raise click.UsageError("give the update's text with --message, --template or --editor")
    return text


def _template_fields(content_dir: Path, title: str, components: list[str], now: datetime) -> dict[str, str]:
    """What message templates may use (see `authoring.template_fields`); none without a site."""
    try:
        return authoring.template_fields(authoring.site_of(content_dir), title, components, now)
    except ContentError:
        return {}


def _ids(text: str) -> list[str]:
    return [part.strip() for part in text.split(",") if part.strip()]


@main.command()
@click.argument("folder", type=click.Path(file_okay=False, path_type=Path))
@click.option("--title", default="Service status", show_default=True, help="The site's title.")
@click.option(
    "--base-url", default="https://status.example.com/", show_default=True, help="Where it is published."
)
@click.option("--language", default="en", show_default=True, help="The content's language (BCP 47).")
@click.option("--timezone", default="UTC", show_default=True, help="An IANA time zone, e.g. Europe/Paris.")
def init(folder: Path, title: str, base_url: str, language: str, timezone: str) -> None:
    """Start a new site in FOLDER (a commented site.yaml, an example, templates, a CI workflow)."""
    try:
        written = authoring.init_site(folder, resolve_now(None, {}), title, base_url, language, timezone)
    except ContentError as error:
        _fail(error)
        return
    for path in written:
        click.echo(path)
    click.echo(f"\nNext: cd {folder} && statusgen build, then statusgen serve to preview.", err=True)


@main.group()
def new() -> None:
    """Write a new incident or maintenance file."""


@new.command("incident")
@click.argument("title")
@click.option("--components", "-c", "components_text", default="", help="Affected component ids: web,api.")
@click.option(
    "--impact",
    required=True,
    type=click.Choice(["none", "minor", "major", "critical"]),
    help="How bad it is (it sets the components' status).",
)
@click.option(
    "--status",
    default="investigating",
    show_default=True,
    type=click.Choice(["investigating", "identified", "monitoring"]),
)
@message_options
@CONTENT_OPTION
@AUTHOR_NOW_OPTION
def new_incident(
    title: str,
    components_text: str,
    impact: str,
    status: str,
    message: str | None,
    template: str | None,
    editor: bool,
    content_dir: Path,
    now_text: str | None,
) -> None:
    """Start an incident titled TITLE, its first update stamped now; print its path."""
    now = resolve_now(now_text, {})
    components = _ids(components_text)
    try:
        text = _message(
            content_dir, message, template, editor, _template_fields(content_dir, title, components, now)
        )
        entry = authoring.new_incident(content_dir, title, components, impact, now, status, text)
    except ContentError as error:
        _fail(error)
        return
    click.echo(entry.path)


@new.command("maintenance")
@click.argument("title")
@click.option("--components", "-c", "components_text", default="", help="Affected component ids: web,api.")
@click.option("--start", "start_text", required=True, metavar="TIME", help="When it starts (ISO 8601).")
@click.option("--end", "end_text", required=True, metavar="TIME", help="When it ends (ISO 8601).")
@message_options
@CONTENT_OPTION
@AUTHOR_NOW_OPTION
def new_maintenance(
    title: str,
    components_text: str,
    start_text: str,
    end_text: str,
    message: str | None,
    template: str | None,
    editor: bool,
    content_dir: Path,
    now_text: str | None,
) -> None:
    """Announce a maintenance titled TITLE; print its path."""
    now = resolve_now(now_text, {})
    components = _ids(components_text)
    try:
        site = authoring.site_of(content_dir)
        start = authoring.window_time(site, start_text, "--start")
        end = authoring.window_time(site, end_text, "--end")
        text = ""
        if message is not None or template or editor:
            fields = _template_fields(content_dir, title, components, now)
            text = _message(content_dir, message, template, editor, fields)
        entry = authoring.new_maintenance(content_dir, title, components, start, end, now, text)
    except ContentError as error:
        _fail(error)
        return
    click.echo(entry.path)


def _appended(result: authoring.Appended) -> None:
    click.echo(f"{result.path}: update {result.number} added")
    for translation in result.untranslated:
        click.echo(
            f"{translation}: not updated; its pages show update {result.number} untranslated", err=True
        )


@main.command()
@click.argument("slug")
@click.option(
    "--status",
    required=True,
    help="investigating, identified, monitoring or resolved (incidents); "
    "scheduled, in_progress, verifying or completed (maintenance).",
)
@message_options
@CONTENT_OPTION
@AUTHOR_NOW_OPTION
def update(
    slug: str,
    status: str,
    message: str | None,
    template: str | None,
    editor: bool,
    content_dir: Path,
    now_text: str | None,
) -> None:
    """Append an update, stamped now, to the incident or maintenance SLUG."""
    _add_update(slug, status, message, template, editor, content_dir, now_text)


@main.command()
@click.argument("slug")
@message_options
@CONTENT_OPTION
@AUTHOR_NOW_OPTION
def resolve(
    slug: str,
    message: str | None,
    template: str | None,
    editor: bool,
    content_dir: Path,
    now_text: str | None,
) -> None:
    """Resolve the incident SLUG (or complete the maintenance SLUG) with a last update."""
    _add_update(slug, None, message, template, editor, content_dir, now_text)


def _add_update(
    slug: str,
    status: str | None,
    message: str | None,
    template: str | None,
    editor: bool,
    content_dir: Path,
    now_text: str | None,
) -> None:
    now = resolve_now(now_text, {})
    try:
        entry = authoring.read_entry(content_dir, slug)
        if status is None:
            status = "resolved" if isinstance(entry, Incident) else "completed"
        ids = list(entry.component_ids if isinstance(entry, Incident) else entry.components)
        fields = _template_fields(content_dir, entry.title, ids, now)
        text = _message(content_dir, message, template, editor, fields)
        _appended(authoring.add_update(content_dir, slug, status, text, now))
    except ContentError as error:
        _fail(error)


@main.command()
@CONTENT_OPTION
@click.option(
    "--port", default=8000, show_default=True, type=click.IntRange(0, 65535), help="0: any free port."
)
@click.option(
    "--now",
    "now_text",
    metavar="TIME",
    help="Show the site as of this instant (ISO 8601 with offset); default: the clock at each build.",
)
def serve(content_dir: Path, port: int, now_text: str | None) -> None:
    """Preview the site on 127.0.0.1, rebuilt and reloaded on every change (Ctrl-C stops)."""
    now = resolve_now(now_text, {}) if now_text else None
    preview = Preview(content_dir, port, now, log=lambda line: click.echo(line, err=True))
    signal.signal(signal.SIGTERM, lambda *_: preview.stopping.set())  # (stopped as by Ctrl-C)
    try:
        preview.start()
    except OSError as error:
        raise click.UsageError(f"cannot listen on 127.0.0.1:{port}: {error.strerror or error}") from None
    except KeyboardInterrupt:
        return
    click.echo(f"Serving {preview.url} (Ctrl-C to stop); watching {', '.join(map(str, preview.watched()))}")
    sys.stdout.flush()
    try:
        preview.stopping.wait()
    except KeyboardInterrupt:
        pass
    finally:
        preview.stop()


@main.command()
@click.argument("destination", metavar="s3://BUCKET/PREFIX")
@click.option(
    "--output",
    "output_dir",
    default="public",
    show_default=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="The built site to publish.",
)
@click.option("--endpoint-url", metavar="URL", help="An S3-compatible store other than AWS (MinIO, R2…).")
@click.option("--dry-run", is_flag=True, help="Print what would be uploaded and deleted; change nothing.")
def deploy(destination: str, output_dir: Path, endpoint_url: str | None, dry_run: bool) -> None:
    """Upload the built site to S3: changed objects only, assets first, stale objects deleted last."""
    try:
        report = deploy_site(output_dir, destination, endpoint_url, dry_run, log=click.echo)
    except ContentError as error:
        _fail(error, "nothing more was changed")
        return
    verb = "would upload" if dry_run else "uploaded"
    click.echo(
        f"{destination}: {len(report.uploaded)} {verb}, {len(report.deleted)} "
        f"{'would be ' if dry_run else ''}deleted, {report.unchanged} unchanged."
    )


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
