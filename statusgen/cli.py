"""The command line: argument parsing, printing and exit codes over the library API, nothing else.

Exit status: 0 on success, 1 when the content has errors (each printed as `path:line: field:
message`), 2 on usage errors.
"""

from __future__ import annotations

import json
import os
import shlex
import signal
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import click
from click.shell_completion import CompletionItem

from statusgen import __version__, authoring, entries
from statusgen.build import BuildResult, changes_since, default_cache_dir
from statusgen.build import build as build_site
from statusgen.build import check as check_site
from statusgen.content import EARLIEST, LATEST, in_range, load_content
from statusgen.deploy import deploy as deploy_site
from statusgen.errors import StatusgenError
from statusgen.models import Impact, Incident
from statusgen.next_change import next_changes
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


def _fail(error: StatusgenError, outcome: str = "nothing was written") -> None:
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
    except StatusgenError as error:
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
    except StatusgenError as error:
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
    except StatusgenError as error:
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
    except StatusgenError as error:
        _fail(error)
        return
    _report(result)
    click.echo(json.dumps(changes_since(previous_dir, result), ensure_ascii=False, indent=2))


# ---------------------------------------------------------------- authoring

AUTHOR_NOW_OPTION = click.option(
    "--now",
    "now_text",
    metavar="TIME",
    help="Stamp what is written with this instant instead of the clock (ISO 8601 with offset).",
)


def message_options(function: Callable[..., None]) -> Callable[..., None]:
    """--message, --template and --editor: where an update's text comes from (one of them)."""
    function = click.option("--editor", is_flag=True, help="Write the message in $EDITOR.")(function)
    function = click.option(
        "--template",
        metavar="NAME",
        help="Use content/templates/NAME.md ($title, $components and $time are filled in).",
    )(function)
    return click.option("--message", "-m", metavar="TEXT", help="The text (Markdown).")(function)


def _message(
    content_dir: Path,
    message: str | None,
    template: str | None,
    editor: bool,
    fields: dict[str, str],
    what: str = "the update's text",
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
        raise click.UsageError(f"give {what} with --message, --template or --editor")
    return text


def _template_fields(content_dir: Path, title: str, components: list[str], now: datetime) -> dict[str, str]:
    """What message templates may use (see `authoring.template_fields`); none without a site."""
    try:
        return authoring.template_fields(authoring.site_of(content_dir), title, components, now)
    except StatusgenError:
        return {}


def _ids(text: str) -> list[str]:
    return [part.strip() for part in text.split(",") if part.strip()]


def _states(texts: tuple[str, ...]) -> list[tuple[str, str | None]]:
    """`-c web=major_outage,api` (repeated or comma-separated) as (id, status or None) pairs."""
    pairs: list[tuple[str, str | None]] = []
    for text in texts:
        for part in _ids(text):
            cid, equals, status = part.partition("=")
            pairs.append((cid.strip(), status.strip() if equals else None))
    return pairs


# ---------------------------------------------------------------- shell completion


def _completion_content(ctx: click.Context) -> Path:
    """The content folder a completion reads: --content if it is typed already, else content/."""
    value = ctx.params.get("content_dir")
    return Path(value) if value else Path("content")


def complete_slug(ctx: click.Context, param: click.Parameter, incomplete: str) -> list[CompletionItem]:
    """Completes a SLUG from the content folder's incidents and maintenance (with or without date)."""
    try:
        candidates = entries.slug_candidates(_completion_content(ctx), incomplete)
    except OSError:
        return []
    return [CompletionItem(slug, help=kind) for slug, kind in candidates]


def complete_status(ctx: click.Context, param: click.Parameter, incomplete: str) -> list[CompletionItem]:
    """Completes `update --status` with the statuses of the entry's kind (both kinds before a SLUG)."""
    # (Completing an option's value, click leaves the arguments typed before it unparsed, in ctx.args.)
    slug = ctx.params.get("slug") or next((arg for arg in ctx.args if not arg.startswith("-")), None)
    found = entries.status_candidates(_completion_content(ctx), slug, incomplete)
    return [CompletionItem(status) for status in found]


def complete_impact(ctx: click.Context, param: click.Parameter, incomplete: str) -> list[CompletionItem]:
    """Completes `--impact`."""
    return [CompletionItem(str(impact)) for impact in Impact if impact.startswith(incomplete)]


def complete_components(ctx: click.Context, param: click.Parameter, incomplete: str) -> list[CompletionItem]:
    """Completes `-c` with the component ids of site.yaml (and, for `update`, `id=status`)."""
    try:
        site = authoring.site_of(_completion_content(ctx))
    except (StatusgenError, OSError):
        return []
    ids = [component.id for component in site.components]
    statuses = ctx.command.name == "update"
    return [CompletionItem(value) for value in entries.component_candidates(ids, incomplete, statuses)]


def slug_argument(function: Callable[..., None]) -> Callable[..., None]:
    """The SLUG argument: an entry's slug, the slug without its date, or any unique end of it."""
    return click.argument("slug", shell_complete=complete_slug)(function)


# ---------------------------------------------------------------- commands


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
    except StatusgenError as error:
        _fail(error)
        return
    for path in written:
        click.echo(path)
    click.echo(
        f"\nNext: cd {folder} && statusgen build, then statusgen serve to preview. The example incident "
        "is a draft (never published): delete it, or its `draft: true` line to publish it.",
        err=True,
    )


@main.group()
def new() -> None:
    """Write a new incident or maintenance file."""


COMPONENTS_OPTION = click.option(
    "--components",
    "-c",
    "components_text",
    default="",
    help="Affected component ids: web,api.",
    shell_complete=complete_components,
)
DRAFT_OPTION = click.option(
    "--draft", is_flag=True, help="Mark it `draft: true`: checked by builds, never published."
)


def _created(entry: authoring.NewEntry, content_dir: Path, draft: bool, next_command: str) -> None:
    """Print the new file's path (standard output, for scripts), then its slug and what to run next."""
    click.echo(entry.path)
    slugs = list(entries.entry_files(content_dir))
    short = entries.short_slug(entry.slug)
    named = short if entries.matching_slugs(slugs, short) == [entry.slug] else entry.slug
    content = "" if content_dir == Path("content") else f" --content {shlex.quote(str(content_dir))}"
    click.echo(f"Slug: {entry.slug}", err=True)
    if draft:
        click.echo(f"A draft: delete its `draft: true` line to publish it ({entry.path}).", err=True)
    when, _, command = next_command.rpartition(": ")
    click.echo(f"Next{when}: statusgen {command.format(slug=named)}{content}", err=True)


NEXT_INCIDENT_COMMAND = {
    "investigating": 'update {slug} --status identified -m "…"',
    "identified": 'update {slug} --status monitoring -m "…"',
    "monitoring": 'resolve {slug} -m "…"',
}


@new.command("incident")
@click.argument("title")
@COMPONENTS_OPTION
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
@DRAFT_OPTION
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
    draft: bool,
    content_dir: Path,
    now_text: str | None,
) -> None:
    """Start an incident titled TITLE, its first update stamped now; print its path, its slug and
    the next command."""
    now = resolve_now(now_text, {})
    components = _ids(components_text)
    try:
        text = _message(
            content_dir, message, template, editor, _template_fields(content_dir, title, components, now)
        )
        entry = authoring.new_incident(content_dir, title, components, impact, now, status, text, draft)
    except StatusgenError as error:
        _fail(error)
        return
    _created(entry, content_dir, draft, NEXT_INCIDENT_COMMAND[status])


@new.command("maintenance")
@click.argument("title")
@COMPONENTS_OPTION
@click.option("--start", "start_text", required=True, metavar="TIME", help="When it starts (ISO 8601).")
@click.option("--end", "end_text", required=True, metavar="TIME", help="When it ends (ISO 8601).")
@message_options
@DRAFT_OPTION
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
    draft: bool,
    content_dir: Path,
    now_text: str | None,
) -> None:
    """Announce a maintenance titled TITLE; print its path, its slug and the next command."""
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
        entry = authoring.new_maintenance(content_dir, title, components, start, end, now, text, draft)
    except StatusgenError as error:
        _fail(error)
        return
    _created(entry, content_dir, draft, ', when it starts: update {slug} --status in_progress -m "…"')


def _untranslated(translations: tuple[Path, ...], what: str) -> None:
    for translation in translations:
        click.echo(f"{translation}: not updated; its pages show {what} untranslated", err=True)


def _appended(result: authoring.Appended) -> None:
    click.echo(f"{result.path}: update {result.number} added")
    _untranslated(result.untranslated, f"update {result.number}")


@main.command()
@slug_argument
@click.option(
    "--status",
    required=True,
    help="investigating, identified, monitoring or resolved (incidents); "
    "scheduled, in_progress, verifying or completed (maintenance).",
    shell_complete=complete_status,
)
@click.option(
    "--impact",
    metavar="IMPACT",
    help="An incident's impact from this update on: none, minor, major or critical.",
    shell_complete=complete_impact,
)
@click.option(
    "--components",
    "-c",
    "components_texts",
    multiple=True,
    metavar="ID[=STATUS],…",
    help="Components this update changes (incidents), repeated or comma-separated: web=major_outage "
    "sets a status; web alone, the status the impact implies.",
    shell_complete=complete_components,
)
@message_options
@CONTENT_OPTION
@AUTHOR_NOW_OPTION
def update(
    slug: str,
    status: str,
    impact: str | None,
    components_texts: tuple[str, ...],
    message: str | None,
    template: str | None,
    editor: bool,
    content_dir: Path,
    now_text: str | None,
) -> None:
    """Append an update, stamped now, to the incident or maintenance SLUG (or a unique end of it)."""
    _add_update(
        slug, status, message, template, editor, content_dir, now_text, impact, _states(components_texts)
    )


@main.command()
@slug_argument
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
    impact: str | None = None,
    components: list[tuple[str, str | None]] | None = None,
) -> None:
    now = resolve_now(now_text, {})
    try:
        entry = authoring.read_entry(content_dir, slug)
        if status is None:
            status = "resolved" if isinstance(entry, Incident) else "completed"
        ids = list(entry.component_ids if isinstance(entry, Incident) else entry.components)
        ids += [cid for cid, _ in components or () if cid not in ids]
        fields = _template_fields(content_dir, entry.title, ids, now)
        text = _message(content_dir, message, template, editor, fields)
        _appended(authoring.add_update(content_dir, slug, status, text, now, impact, components or ()))
    except StatusgenError as error:
        _fail(error)


@main.command()
@slug_argument
@message_options
@click.option(
    "--replace",
    is_flag=True,
    help="Replace the text after the front matter if the file has one (and stamp postmortem_at again).",
)
@CONTENT_OPTION
@AUTHOR_NOW_OPTION
def postmortem(
    slug: str,
    message: str | None,
    template: str | None,
    editor: bool,
    replace: bool,
    content_dir: Path,
    now_text: str | None,
) -> None:
    """Publish the post-mortem of the resolved incident SLUG: the text after its front matter,
    shown from now on (`postmortem_at`)."""
    now = resolve_now(now_text, {})
    try:
        entry = authoring.read_entry(content_dir, slug)
        ids = list(entry.component_ids if isinstance(entry, Incident) else entry.components)
        fields = _template_fields(content_dir, entry.title, ids, now)
        text = _message(content_dir, message, template, editor, fields, "the post-mortem")
        written = authoring.write_postmortem(content_dir, slug, text, now, replace)
    except StatusgenError as error:
        _fail(error)
        return
    click.echo(f"{written.path}: post-mortem written, shown from {written.at.isoformat()}")
    _untranslated(written.untranslated, "the post-mortem")


@main.command("list")
@CONTENT_OPTION
@NOW_OPTION
@click.option("--json", "as_json", is_flag=True, help="Print JSON (a stable shape, for scripts).")
def list_(content_dir: Path, now_text: str | None, as_json: bool) -> None:
    """List open incidents, upcoming and active maintenance, and drafts, as the site shows them."""
    now = resolve_now(now_text)
    try:
        listed, content = entries.read_open_entries(content_dir, now)
    except StatusgenError as error:
        _fail(error, "nothing to list")
        return
    for warning in content.warnings:
        click.echo(str(warning), err=True)
    tz = content.site.tz
    if as_json:
        shape = {"now": now.astimezone(tz).isoformat(), "entries": [item.as_json(now, tz) for item in listed]}
        click.echo(json.dumps(shape, ensure_ascii=False, indent=2))
        return
    if not listed:
        click.echo("Nothing open: no open incident, no upcoming or active maintenance, no draft.")
        return
    rows = [("SLUG", "KIND", "STATUS", "AGE", "LAST UPDATE", "TITLE")]
    for item in listed:
        begun = item.entry.begins <= now
        age = entries.span_text(now - item.entry.begins)
        last = item.last_update
        rows.append(
            (
                item.entry.slug,
                item.kind + (" (draft)" if item.draft else ""),
                str(item.entry.status),
                age if begun else f"in {age}",
                f"{entries.span_text(now - last)} ago" if last is not None else "-",
                item.entry.title,
            )
        )
    widths = [max(len(row[column]) for row in rows) for column in range(len(rows[0]) - 1)]
    for row in rows:
        click.echo(
            "  ".join([*(cell.ljust(width) for cell, width in zip(row, widths, strict=False)), row[-1]])
        )


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
    except StatusgenError as error:
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
