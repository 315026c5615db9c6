"""`statusgen notify`: tell the channels of site.yaml's `notify` what this build announces."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from statusgen.cli.base import CONTENT_OPTION, NOW_OPTION, SINCE_OPTION, fail, main, resolve_now
from statusgen.errors import StatusgenError


@main.command()
@CONTENT_OPTION
@SINCE_OPTION
@click.option(
    "--output",
    "built_dir",
    default="public",
    show_default=True,
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    help="This build's output: the record of what was delivered is written into it.",
)
@NOW_OPTION
@click.option("--dry-run", is_flag=True, help="Print what would be sent to whom; send and write nothing.")
@click.option(
    "--record-only",
    is_flag=True,
    help="Write what is owed into the output's record and send nothing (needs no secret): run it "
    "before deploying, so the published site always says what is still owed.",
)
def notify(
    content_dir: Path,
    previous_dir: Path,
    built_dir: Path,
    now_text: str | None,
    dry_run: bool,
    record_only: bool,
) -> None:
    """Tell every channel of site.yaml's `notify` what this build announces, exactly once.

    Without --now, the instant the output was built at (its next-change.json's `as_of`).
    """
    from statusgen.notify.run import built_at
    from statusgen.notify.run import notify as run  # (its transports load only when used)

    now = resolve_now(now_text) if now_text else built_at(built_dir) or resolve_now(None)
    try:
        outcome = run(
            content_dir,
            previous_dir,
            built_dir,
            now,
            os.environ,
            dry_run=dry_run,
            record_only=record_only,
            tell=click.echo,
        )
    except StatusgenError as error:
        fail(error, "nothing was sent")
        return
    if outcome.first_publication:
        click.echo("No previous build: a first publication announces nothing.")
    elif not (outcome.sent or outcome.planned or outcome.failed or outcome.pinged):
        click.echo("Nothing new to announce.")
    if outcome.failed:
        for channel, missed in sorted(outcome.failed.items()):
            reason = outcome.reasons.get(channel, "")
            click.echo(f"{channel}: failed ({reason}); it missed {len(missed)}:", err=True)
            for subject in missed:
                click.echo(f"  {subject}", err=True)
        click.echo("What was missed is kept in the record: the next run sends it.", err=True)
        sys.exit(1)
