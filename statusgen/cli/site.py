"""The commands that read a site: `build`, `check`, `next-change`, `changes`, `list`, `serve` and
`deploy`."""

from __future__ import annotations

import json
import signal
import sys
from pathlib import Path

import click

from statusgen import entries, schema
from statusgen.annotations import FORMATS, formatted
from statusgen.build import build as build_site
from statusgen.build import changes_since, default_cache_dir
from statusgen.build import check as check_site
from statusgen.cli.base import (
    CONTENT_OPTION,
    NOW_OPTION,
    QUIET_OPTION,
    SINCE_OPTION,
    cache_option,
    fail,
    main,
    progress,
    report,
    resolve_now,
)
from statusgen.content import load_content
from statusgen.deploy import deploy as deploy_site
from statusgen.errors import StatusgenError
from statusgen.next_change import next_changes
from statusgen.serve import Preview


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
            progress=progress(quiet),
            precompress=precompress,
        )
    except StatusgenError as error:
        fail(error)
        return
    report(result)
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
@click.option(
    "--format",
    "output_format",
    type=click.Choice(FORMATS),
    default="text",
    show_default=True,
    help="github: annotations a pull request shows on the lines; json: the problems, for tools.",
)
def check(content_dir: Path, now_text: str | None, cache: bool, quiet: bool, output_format: str) -> None:
    """Validate and render everything without writing (for pull-request CI)."""
    now = resolve_now(now_text)
    cache_dir = default_cache_dir(content_dir) if cache else None
    shown = progress(quiet or output_format != "text")
    try:
        result = check_site(content_dir, now, cache_dir=cache_dir, progress=shown)
    except StatusgenError as error:
        if output_format == "text":
            fail(error)
        click.echo(formatted(error.problems, output_format), nl=False)
        sys.exit(1)
    if output_format != "text":
        click.echo(formatted(result.warnings, output_format, len(result.files)), nl=False)
        return
    report(result)
    if not quiet:
        click.echo(f"{content_dir}/ is valid: {len(result.files)} files would be built.")


@main.command("next-change")
@CONTENT_OPTION
@NOW_OPTION
@click.option(
    "--since",
    "published_dir",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    help="Instead, say whether the site published in this folder (its api/statusgen/ files) is due "
    "a build at --now: exit 0 and why when it is, 1 when not (for a scheduled CI run).",
)
def next_change(content_dir: Path, now_text: str | None, published_dir: Path | None) -> None:
    """Print when the site next changes by itself (for a scheduled rebuild), and why."""
    now = resolve_now(now_text)
    if published_dir is not None:
        from statusgen.schedule import due

        reason = due(published_dir, now)
        click.echo(f"due: {reason}" if reason else "not due")
        sys.exit(0 if reason else 1)
    try:
        content = load_content(content_dir)
    except StatusgenError as error:
        fail(error)
        return
    upcoming = next_changes(content, now)[0]
    click.echo(f"{upcoming.at.isoformat()}\t{upcoming.reason}")


@main.command()
@CONTENT_OPTION
@SINCE_OPTION
@NOW_OPTION
def changes(content_dir: Path, previous_dir: Path, now_text: str | None) -> None:
    """Print, as JSON, the incidents, updates and maintenance that are new since a previous build."""
    now = resolve_now(now_text)
    try:
        result = check_site(content_dir, now)
    except StatusgenError as error:
        fail(error)
        return
    report(result)
    click.echo(json.dumps(changes_since(previous_dir, result), ensure_ascii=False, indent=2))


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
        fail(error, "nothing to list")
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
        fail(error, "nothing more was changed")
        return
    verb = "would upload" if dry_run else "uploaded"
    click.echo(
        f"{destination}: {len(report.uploaded)} {verb}, {len(report.deleted)} "
        f"{'would be ' if dry_run else ''}deleted, {report.unchanged} unchanged."
    )


@main.command("schema")
@click.argument("kind", type=click.Choice(schema.KINDS))
def schema_(kind: str) -> None:
    """Print a JSON Schema for editors: of site.yaml, or of an incident's, a maintenance's or a
    translation's front matter."""
    click.echo(schema.schema_text(kind), nl=False)
