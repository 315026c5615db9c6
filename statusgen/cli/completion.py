"""Shell completion: slugs, statuses, impacts and component ids, read from the content folder."""

from __future__ import annotations

from pathlib import Path

import click
from click.shell_completion import CompletionItem

from statusgen import authoring, entries
from statusgen.errors import StatusgenError
from statusgen.models import Impact


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
