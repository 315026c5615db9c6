"""The command line: exit codes, messages, `--now` and SOURCE_DATE_EPOCH, `python -m statusgen`."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import click
import pytest
from click.shell_completion import CompletionItem
from click.testing import CliRunner

from statusgen.cli import completion, main, resolve_now
from tests.conftest import SITE_YAML, incident_text, write_tree


def run(*args: str, env: dict[str, str] | None = None):
    return CliRunner().invoke(main, list(args), env=env, catch_exceptions=False)


def test_build_writes_the_site_and_exits_0(make_content, tmp_path: Path) -> None:
    """`statusgen build` writes the output and says what it did."""
    content = make_content({"incidents/x.md": incident_text()})
    output = tmp_path / "out"
    result = run(
        "build", "--content", str(content), "--output", str(output), "--now", "2012-06-21T10:00:00-07:00"
    )
    assert result.exit_code == 0, result.output
    assert (output / "incidents" / "x" / "index.html").is_file()
    assert "Major System Outage" in result.output


def test_content_errors_exit_1_with_located_messages(make_content, tmp_path: Path) -> None:
    """Every problem is printed as path:line: field: message, and nothing is written."""
    content = make_content({"incidents/x.md": incident_text(impact="huge", started="10:30")})
    result = run(
        "build", "--content", str(content), "--output", str(tmp_path / "out"), "--now", "2012-06-21T10:00:00Z"
    )
    assert result.exit_code == 1
    lines = result.stderr.splitlines()
    assert lines[0] == (
        f"{content}/incidents/x.md:3: started: expected a date-time such as 2012-06-21T09:00:00-07:00, "
        "got the number 630 (YAML reads 10:30 as the number 630; write the full date-time)"
    )
    assert lines[1].startswith(f"{content}/incidents/x.md:4: impact: unknown impact 'huge'")
    assert lines[-1] == "2 errors; nothing was written."
    assert not (tmp_path / "out").exists()


def test_an_output_folder_of_the_users_exits_1_with_the_reason_and_no_traceback(
    make_content, tmp_path: Path
) -> None:
    """`statusgen build --output docs` over the user's docs: one located line saying what the folder
    holds and how to start over, exit 1, and the folder as it was."""
    content = make_content({"incidents/x.md": incident_text()})
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "notes.md").write_text("mine")
    (docs / "more.md").write_text("mine too")
    command = [sys.executable, "-m", "statusgen", "build", "--content", str(content), "--output", str(docs)]
    result = subprocess.run(
        command, capture_output=True, text=True, env={**os.environ, "SOURCE_DATE_EPOCH": "1340298000"}
    )
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        f"{docs}: the output folder holds 2 files that statusgen did not write, such as more.md, "
        "notes.md, and no .statusgen-output of an earlier build; a build replaces the whole output "
        "folder, so it refuses one that is not its own (choose another --output, or delete the "
        "folder by hand to start over)",
        "1 error; nothing was written.",
    ]
    assert result.stdout == ""
    assert sorted(p.name for p in tmp_path.iterdir()) == ["content", "docs"]
    assert sorted(p.name for p in docs.iterdir()) == ["more.md", "notes.md"]


def test_check_validates_without_writing(make_content, tmp_path: Path, monkeypatch) -> None:
    """`statusgen check` exits 0 on good content and writes nothing."""
    content = make_content({"incidents/x.md": incident_text()})
    monkeypatch.chdir(tmp_path)
    result = run("check", "--content", str(content), "--now", "2012-06-21T10:00:00Z")
    assert result.exit_code == 0
    assert "is valid" in result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["content"]


def test_warnings_are_printed_but_do_not_fail(make_content) -> None:
    """Out-of-order updates print a warning and the check still passes."""
    updates = (
        "\n  - at: 2012-06-21T10:00:00-07:00\n    status: identified\n    body: b"
        "\n  - at: 2012-06-21T09:10:00-07:00\n    status: investigating\n    body: a"
    )
    content = make_content({"incidents/x.md": incident_text(updates=updates)})
    result = run("check", "--content", str(content), "--now", "2012-06-21T10:00:00Z")
    assert result.exit_code == 0
    assert ": warning: updates[1].at: this update is earlier" in result.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["build", "--now", "yesterday"], "expected an ISO 8601 date-time"),
        (["build", "--now", "2012-06-21T10:00:00"], "add a UTC offset"),
        (["build", "--no-such-option"], "No such option"),
        (["publish"], "No such command"),
    ],
)
def test_usage_errors_exit_2(args: list[str], message: str) -> None:
    """Bad arguments exit with status 2 and say what is wrong."""
    result = run(*args)
    assert result.exit_code == 2
    assert message in result.output


def test_now_resolution_order() -> None:
    """--now wins over SOURCE_DATE_EPOCH, which wins over the clock."""
    assert resolve_now("2012-06-21T10:00:00Z", {"SOURCE_DATE_EPOCH": "0"}) == datetime(
        2012, 6, 21, 10, tzinfo=UTC
    )
    assert resolve_now(None, {"SOURCE_DATE_EPOCH": "1340298000"}) == datetime(2012, 6, 21, 17, tzinfo=UTC)
    before = datetime.now(UTC).replace(microsecond=0)
    assert before <= resolve_now(None, {}) <= datetime.now(UTC)
    with pytest.raises(click.UsageError):
        resolve_now(None, {"SOURCE_DATE_EPOCH": "soon"})


def test_source_date_epoch_makes_builds_reproducible(make_content, tmp_path: Path) -> None:
    """Two builds with the same SOURCE_DATE_EPOCH write the same bytes."""
    content = make_content({"incidents/x.md": incident_text()})
    env = {"SOURCE_DATE_EPOCH": "1340298000"}
    for name in ("a", "b"):
        assert (
            run("build", "--content", str(content), "--output", str(tmp_path / name), env=env).exit_code == 0
        )
    a = {p.relative_to(tmp_path / "a"): p.read_bytes() for p in (tmp_path / "a").rglob("*") if p.is_file()}
    b = {p.relative_to(tmp_path / "b"): p.read_bytes() for p in (tmp_path / "b").rglob("*") if p.is_file()}
    assert a == b


def test_python_dash_m_works_the_same(make_content, tmp_path: Path) -> None:
    """`python -m statusgen check` runs the same command line (exit 1 on bad content)."""
    content = make_content({"incidents/x.md": incident_text(impact="huge")})
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "statusgen",
            "check",
            "--content",
            str(content),
            "--now",
            "2012-06-21T10:00:00Z",
        ],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(Path(__file__).parent.parent)},
        check=False,
    )
    assert result.returncode == 1
    assert "impact: unknown impact 'huge'" in result.stderr


# ---------------------------------------------------------------- list


def _maintenance(start: str, end: str, extra: str = "") -> str:
    return f"---\ntitle: Window\nstart: {start}\nend: {end}\ncomponents: [api]\n{extra}---\n"


LISTED_SITE = {
    "incidents/2012-06-21-open.md": incident_text(
        title="Checkout errors",
        updates="\n  - at: 2012-06-21T09:05:00-07:00\n    status: investigating\n    body: a"
        "\n  - at: 2012-06-21T10:00:00-07:00\n    status: identified\n    impact: major\n    body: b",
    ),
    "incidents/2012-06-20-closed.md": incident_text(
        started="2012-06-20T09:00:00-07:00", resolved="2012-06-20T10:00:00-07:00"
    ),
    "incidents/2012-06-21-draft.md": incident_text(
        title="Not yet", draft="true", started="2012-06-21T10:10:00-07:00"
    ),
    "incidents/2012-06-22-later.md": incident_text(started="2012-06-22T09:00:00-07:00"),
    "maintenance/2012-06-21-now.md": _maintenance("2012-06-21T10:00:00-07:00", "2012-06-21T11:00:00-07:00"),
    "maintenance/2012-06-28-next.md": _maintenance("2012-06-28T22:00:00-07:00", "2012-06-28T23:00:00-07:00"),
    "maintenance/2012-06-20-past.md": _maintenance("2012-06-20T22:00:00-07:00", "2012-06-20T23:00:00-07:00"),
    "maintenance/2012-06-29-maybe.md": _maintenance(
        "2012-06-29T22:00:00-07:00", "2012-06-29T23:00:00-07:00", "draft: true\n"
    ),
}


def test_list_shows_what_is_open_upcoming_or_a_draft(make_content, tmp_path: Path) -> None:
    """Open incidents, maintenance in progress or upcoming, and drafts (marked), with their status,
    age and last update; resolved incidents, past windows and incidents not started are left out."""
    content = make_content(LISTED_SITE)
    result = run("list", "--content", str(content), "--now", "2012-06-21T10:30:00-07:00")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        "SLUG              KIND                 STATUS         AGE        LAST UPDATE  TITLE",
        "2012-06-21-open   incident             identified     1h 30m     30m ago      Checkout errors",
        "2012-06-21-draft  incident (draft)     investigating  20m        -            Not yet",
        "2012-06-21-now    maintenance          in_progress    30m        -            Window",
        "2012-06-28-next   maintenance          scheduled      in 7d 11h  -            Window",
        "2012-06-29-maybe  maintenance (draft)  scheduled      in 8d 11h  -            Window",
    ]
    later = run("list", "--content", str(content), "--now", "2012-06-21T10:00:00-07:00")
    assert "2012-06-21-draft  incident (draft)     investigating  in 10m" in later.stdout  # written ahead
    other = write_tree(tmp_path / "other", {"site.yaml": SITE_YAML})
    empty = run("list", "--content", str(other), "--now", "2012-06-21T10:30:00-07:00")
    assert empty.stdout == "Nothing open: no open incident, no upcoming or active maintenance, no draft.\n"


def test_list_json_has_a_stable_shape(make_content) -> None:
    """`list --json`: `now` and one object per entry with the documented keys, times in the
    site's zone, drafts flagged."""
    content = make_content(LISTED_SITE)
    result = run("list", "--content", str(content), "--now", "2012-06-21T17:30:00Z", "--json")
    assert result.exit_code == 0, result.output
    shape = json.loads(result.stdout)
    assert shape["now"] == "2012-06-21T10:30:00-07:00"
    assert [(e["slug"], e["kind"], e["status"], e["draft"]) for e in shape["entries"]] == [
        ("2012-06-21-open", "incident", "identified", False),
        ("2012-06-21-draft", "incident", "investigating", True),
        ("2012-06-21-now", "maintenance", "in_progress", False),
        ("2012-06-28-next", "maintenance", "scheduled", False),
        ("2012-06-29-maybe", "maintenance", "scheduled", True),
    ]
    assert shape["entries"][0] == {
        "slug": "2012-06-21-open",
        "kind": "incident",
        "title": "Checkout errors",
        "status": "identified",
        "draft": False,
        "impact": "major",
        "begins": "2012-06-21T09:00:00-07:00",
        "ends": None,
        "age_seconds": 5400,
        "last_update": "2012-06-21T10:00:00-07:00",
        "updates": 2,
        "file": f"{content.as_posix()}/incidents/2012-06-21-open.md",
        "url": "https://status.example.com/incidents/2012-06-21-open/",
    }
    upcoming = shape["entries"][3]
    assert (upcoming["impact"], upcoming["ends"], upcoming["age_seconds"]) == (
        None,
        "2012-06-28T23:00:00-07:00",
        -(7 * 86400 + 11 * 3600 + 30 * 60),
    )


def test_list_reports_content_errors_like_a_build(make_content) -> None:
    """A broken file: located errors, exit status 1."""
    content = make_content({"incidents/x.md": incident_text(impact="huge")})
    result = run("list", "--content", str(content), "--now", "2012-06-21T10:30:00-07:00")
    assert result.exit_code == 1 and "impact: unknown impact 'huge'" in result.stderr


# ---------------------------------------------------------------- shell completion

COMPLETION_SITE = {
    "incidents/2026-12-05-checkout-errors.md": incident_text(),
    "incidents/2026-12-05-checkout-errors.fr.md": "---\ntitle: x\n---\n",  # a translation: not an entry
    "incidents/2026-12-01-api-down.md": incident_text(),
    "maintenance/2026-12-10-db-upgrade.md": _maintenance("2026-12-10T22:00:00Z", "2026-12-10T23:00:00Z"),
}


def _context(*names: str, **params: object) -> click.Context:
    """The context of a (sub)command as completion makes it, with the parameters parsed so far."""
    ctx = click.Context(main, info_name="statusgen")
    command: click.Command = main
    for name in names:
        assert isinstance(command, click.Group)
        command = command.commands[name]
        ctx = click.Context(command, parent=ctx, info_name=name)
    ctx.params.update(params)
    return ctx


def _values(items: list[CompletionItem]) -> list[str]:
    return [item.value for item in items]


def test_slugs_complete_from_the_content_folder(make_content, tmp_path: Path, monkeypatch) -> None:
    """SLUG offers every incident and maintenance, newest first, whole or without its date (which
    names it too), from --content if given, else content/; translations are not offered."""
    content = make_content(COMPLETION_SITE)
    ctx = _context("update", content_dir=content)
    everything = completion.complete_slug(ctx, ctx.command.params[0], "")
    assert [(item.value, item.help) for item in everything] == [
        ("2026-12-10-db-upgrade", "maintenance"),
        ("2026-12-05-checkout-errors", "incident"),
        ("2026-12-01-api-down", "incident"),
    ]
    assert _values(completion.complete_slug(ctx, ctx.command.params[0], "che")) == ["checkout-errors"]
    assert _values(completion.complete_slug(ctx, ctx.command.params[0], "2026-12-0")) == [
        "2026-12-05-checkout-errors",
        "2026-12-01-api-down",
    ]
    monkeypatch.chdir(tmp_path)  # (content/ is there)
    found = completion.complete_slug(_context("postmortem"), ctx.command.params[0], "a")
    assert _values(found) == ["api-down"]
    monkeypatch.chdir(content)
    assert completion.complete_slug(_context("resolve"), ctx.command.params[0], "") == []


def test_update_status_completes_with_the_statuses_of_the_entrys_kind(make_content) -> None:
    """`--status` offers an incident's statuses for an incident, a maintenance's for a maintenance,
    both before a SLUG is known; a SLUG may be given by its end."""
    content = make_content(COMPLETION_SITE)
    status = next(p for p in main.commands["update"].params if p.name == "status")

    def offered(incomplete: str = "", args: tuple[str, ...] = (), **params: object) -> list[str]:
        ctx = _context("update", content_dir=content, **params)
        ctx.args = list(args)
        return _values(completion.complete_status(ctx, status, incomplete))

    assert offered(slug="checkout-errors") == ["investigating", "identified", "monitoring", "resolved"]
    assert offered(slug="2026-12-10-db-upgrade") == ["scheduled", "in_progress", "verifying", "completed"]
    assert offered(args=("db-upgrade",)) == ["scheduled", "in_progress", "verifying", "completed"]
    assert offered("i") == ["investigating", "identified", "in_progress"]
    assert offered("i", slug="nothing-like-it") == ["investigating", "identified", "in_progress"]


def test_components_complete_with_ids_and_statuses(make_content) -> None:
    """`-c` offers site.yaml's ids after what is typed; `update`'s also `id=status`; nothing
    without a site."""
    content = make_content(COMPLETION_SITE)
    update = _context("update", content_dir=content)
    option = next(p for p in update.command.params if p.name == "components_texts")
    assert _values(completion.complete_components(update, option, "")) == ["web", "api", "mail"]
    assert _values(completion.complete_components(update, option, "web=ma")) == ["web=major_outage"]
    assert _values(completion.complete_components(update, option, "web=major_outage,")) == [
        "web=major_outage,api",
        "web=major_outage,mail",
    ]
    new = _context("new", "incident", content_dir=content)
    assert _values(completion.complete_components(new, option, "web,a")) == ["web,api"]
    assert _values(completion.complete_components(new, option, "web=")) == []
    nowhere = _context("update", content_dir=content / "nowhere")
    assert completion.complete_components(nowhere, option, "") == []


def test_completion_through_clicks_machinery(make_content) -> None:
    """What a shell gets: `_STATUSGEN_COMPLETE=bash_complete` with the words typed so far."""
    content = make_content(COMPLETION_SITE)

    def complete(words: str, shell: str = "bash") -> str:
        env = {
            "_STATUSGEN_COMPLETE": f"{shell}_complete",
            "COMP_WORDS": words,
            "COMP_CWORD": str(len(words.split()) - (0 if words.endswith(" ") else 1)),
        }
        result = CliRunner().invoke(main, [], env=env, prog_name="statusgen", catch_exceptions=False)
        assert result.exit_code == 0, result.output
        return result.output

    assert complete("statusgen po") == "plain,postmortem\n"
    assert complete(f"statusgen update --content {content} check") == "plain,checkout-errors\n"
    assert complete(f"statusgen update --content {content} db-upgrade --status i") == "plain,in_progress\n"
    assert complete(f"statusgen update --content {content} down --impact cr") == "plain,critical\n"
    assert complete(f"statusgen update --content {content} down -c web=p") == "plain,web=partial_outage\n"
    assert complete(f"statusgen resolve --content {content} db", "zsh") == "plain\ndb-upgrade\nmaintenance\n"
    script = CliRunner().invoke(main, [], env={"_STATUSGEN_COMPLETE": "bash_source"}, prog_name="statusgen")
    assert "_statusgen_completion" in script.output and "complete " in script.output


def test_list_shows_a_draft_written_ahead(make_content) -> None:
    """A draft incident that starts after `now` is listed too (a team prepares it ahead)."""
    content = make_content(
        {"incidents/later.md": incident_text(started="2012-06-22T09:00:00-07:00", draft="true")}
    )
    result = CliRunner().invoke(
        main, ["list", "--json", "--content", str(content), "--now", "2012-06-21T10:00:00-07:00"]
    )
    assert result.exit_code == 0, result.output
    (entry,) = json.loads(result.output)["entries"]
    assert entry["slug"] == "later" and entry["draft"] is True
