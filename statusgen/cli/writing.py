"""The commands that write content: `init`, `new incident`, `new maintenance`, `update`, `resolve`
and `postmortem`, and where their messages come from (--message, --template, --editor)."""

from __future__ import annotations

import shlex
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

import click

from statusgen import authoring, entries
from statusgen.cli.base import CONTENT_OPTION, fail, main, resolve_now
from statusgen.cli.completion import complete_components, complete_impact, complete_slug, complete_status
from statusgen.errors import StatusgenError
from statusgen.models import Incident

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


def slug_argument(function: Callable[..., None]) -> Callable[..., None]:
    """The SLUG argument: an entry's slug, the slug without its date, or any unique end of it."""
    return click.argument("slug", shell_complete=complete_slug)(function)


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
        fail(error)
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
        fail(error)
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
        fail(error)
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
        fail(error)


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
        fail(error)
        return
    click.echo(f"{written.path}: post-mortem written, shown from {written.at.isoformat()}")
    _untranslated(written.untranslated, "the post-mortem")
