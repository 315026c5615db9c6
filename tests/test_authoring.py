"""Authoring from the command line: init, new, update, resolve, templates, progress (see serve's
tests in test_serve.py). Every command runs through the CLI's entry point (click's runner)."""

from __future__ import annotations

import os
import pty
import subprocess
import sys
from datetime import datetime
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner, Result

from statusgen import check, load_content, parse_incident
from statusgen.authoring import slug_of
from statusgen.cli import main
from statusgen.entries import matching_slugs
from tests.conftest import NOW, SITE_YAML, incident_text

STAMP = "2012-06-21T10:30:00-07:00"  # conftest's NOW, as the site's zone writes it


def run(content: Path, *args: str, env: dict[str, str] | None = None) -> Result:
    """`statusgen ARGS --content CONTENT` in this process."""
    return CliRunner().invoke(main, [*args, "--content", str(content)], env=env, catch_exceptions=False)


# ---------------------------------------------------------------- new


@pytest.mark.parametrize(
    ("title", "slug"),
    [
        ("Panne de l'API à Zürich", "panne-de-l-api-a-zurich"),
        ("Straße gesperrt: Ölfeld", "strasse-gesperrt-olfeld"),
        ("Ошибка входа", "oshibka-vkhoda"),
        ("東京リージョンの障害", "dong-jing-risiyonnozhang-hai"),
        ("API: 50% errors!!", "api-50-errors"),
        ("   ", "entry"),
    ],
)
def test_slugs_are_ascii_and_safe_whatever_the_language(title: str, slug: str) -> None:
    """Accents are dropped, other scripts transliterated, punctuation becomes dashes."""
    assert slug_of(title) == slug


def test_new_incident_writes_a_file_stamped_now_in_the_sites_zone(make_content) -> None:
    """The file is named by the local date and the title, holds the first update at `now`, prints
    its path and builds."""
    content = make_content()
    result = run(
        content,
        "new",
        "incident",
        "Panne de l'API à Zürich",
        "--components",
        "web,api",
        "--impact",
        "major",
        "--message",
        "We are **investigating**.\nMore soon.",
        "--now",
        "2012-06-21T17:30:00Z",
    )
    assert result.exit_code == 0, result.output
    path = content / "incidents" / "2012-06-21-panne-de-l-api-a-zurich.md"
    assert result.stdout.strip() == str(path)
    incident = parse_incident(path.read_text(encoding="utf-8"), str(path), load_content(content).site)
    assert incident.title == "Panne de l'API à Zürich" and incident.impact == "major"
    assert incident.component_ids == ("web", "api")
    assert incident.started.isoformat() == STAMP
    (update,) = incident.updates
    assert (update.at.isoformat(), update.status, update.body) == (
        STAMP,
        "investigating",
        "We are **investigating**.\nMore soon.\n",
    )
    assert f"started: {STAMP}\n" in path.read_text(encoding="utf-8")  # written as an author would
    assert check(content, NOW, workers=1).snapshot.indicator == "major"


def test_a_clashing_slug_gets_a_suffix_never_an_overwrite(make_content) -> None:
    """The same title twice the same day gives `-2`; the first file is untouched."""
    content = make_content()
    args = ["new", "incident", "Login errors", "-c", "web", "--impact", "minor", "--now", STAMP]
    first = run(content, *args, "-m", "One.")
    before = Path(first.stdout.strip()).read_bytes()
    second = run(content, *args, "-m", "Two.")
    assert Path(second.stdout.strip()).name == "2012-06-21-login-errors-2.md"
    assert Path(first.stdout.strip()).read_bytes() == before


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (
            ["-c", "wbe", "--impact", "major", "-m", "x"],
            1,
            "unknown component 'wbe'; site.yaml defines web, api, mail (did you mean 'web'?)",
        ),
        (["-c", "web", "--impact", "huge", "-m", "x"], 2, "'huge' is not one of"),
        (
            ["-c", "web", "--impact", "major"],
            2,
            "give the update's text with --message, --template or --editor",
        ),
        (["-c", "web", "--impact", "major", "-m", " "], 2, "give the update's text"),
        (["-c", "web", "--impact", "major", "-m", "x", "--template", "investigating"], 2, "not both"),
        (
            ["-c", "web", "--impact", "major", "--template", "nope"],
            1,
            "no message template named 'nope'; available: investigating",
        ),
        (
            ["-c", "web", "--impact", "major", "-m", "x", "--status", "resolved"],
            2,
            "'resolved' is not one of",
        ),
    ],
    ids=["component", "impact", "no-message", "blank", "both", "template", "status"],
)
def test_bad_arguments_are_refused_and_write_nothing(make_content, args, code, message) -> None:
    """Each mistake gets its own clear message and a non-zero status; no file appears."""
    content = make_content({"templates/investigating.md": "Looking into $components.\n"})
    result = run(content, "new", "incident", "Down", *args, "--now", STAMP)
    assert result.exit_code == code
    assert message in result.output
    assert not (content / "incidents").exists() or not list((content / "incidents").iterdir())


def test_message_templates_fill_in_the_title_components_and_time(make_content) -> None:
    """`--template NAME` reads content/templates/NAME.md; $components are the components' names
    in the site's language, $time the local time with its zone."""
    content = make_content({"templates/rollback.md": "Rolling back $title: $components back at $time.\n"})
    result = run(
        content,
        "new",
        "incident",
        "Down",
        "-c",
        "web,mail",
        "--impact",
        "major",
        "--template",
        "rollback",
        "--now",
        STAMP,
    )
    assert result.exit_code == 0, result.output
    text = Path(result.stdout.strip()).read_text(encoding="utf-8")
    assert "Rolling back Down: Website and E-mail back at 10:30\u202fAM UTC−7." in text


@pytest.mark.parametrize("linked", ["file", "folder"])
def test_a_message_template_reached_by_a_link_is_refused(make_content, tmp_path: Path, linked: str) -> None:
    """A template, or the templates folder, linked to something outside the site (a contributor's
    `rollback.md` pointing at a secrets file) is refused, naming the link; nothing of the target
    is written or shown."""
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "rollback.md").write_text("TOKEN=SECRETVALUE\n")
    content = make_content()
    if linked == "file":
        (content / "templates").mkdir()
        (content / "templates/rollback.md").symlink_to(outside / "rollback.md")
    else:
        (content / "templates").symlink_to(outside)
    result = run(
        content,
        "new",
        "incident",
        "Down",
        "-c",
        "web",
        "--impact",
        "major",
        "--template",
        "rollback",
        "--now",
        STAMP,
    )
    shown = "templates/rollback.md" if linked == "file" else "templates"
    assert result.exit_code == 1 and f"{shown}: is a symbolic link" in result.output
    assert "SECRETVALUE" not in result.output and not list((content / "incidents").glob("*.md"))


def test_the_editor_writes_the_message(make_content, tmp_path: Path) -> None:
    """`--editor` opens $EDITOR on the template (or nothing) and takes what was saved."""
    editor = tmp_path / "editor.py"
    editor.write_text("import sys\nopen(sys.argv[1], 'a').write('Written in the editor.')\n")
    content = make_content({"templates/t.md": "From the template. "})
    env = {"EDITOR": f"{sys.executable} {editor}", "VISUAL": ""}
    result = run(
        content,
        "new",
        "incident",
        "Down",
        "-c",
        "web",
        "--impact",
        "minor",
        "--template",
        "t",
        "--editor",
        "--now",
        STAMP,
        env=env,
    )
    assert result.exit_code == 0, result.output
    incident = load_content(content).incidents[0]
    assert incident.updates[0].body.split() == ["From", "the", "template.", "Written", "in", "the", "editor."]


def test_new_maintenance_takes_local_times_and_checks_the_window(make_content) -> None:
    """A window without offset is in the site's zone; one that ends before it starts is refused."""
    content = make_content()
    result = run(
        content,
        "new",
        "maintenance",
        "Database upgrade",
        "-c",
        "api",
        "--start",
        "2012-06-28T22:00",
        "--end",
        "2012-06-28T23:30",
        "-m",
        "Read-only for a few minutes.",
        "--now",
        STAMP,
    )
    assert result.exit_code == 0, result.output
    (item,) = load_content(content).maintenance
    assert (item.start.isoformat(), item.end.isoformat()) == (
        "2012-06-28T22:00:00-07:00",
        "2012-06-28T23:30:00-07:00",
    )
    assert item.updates[0].status == "scheduled" and item.updates[0].at.isoformat() == STAMP
    bad = run(content, "new", "maintenance", "X", "--start", "2012-06-28T22:00", "--end", "2012-06-28T21:00")
    assert bad.exit_code == 1 and "ends (2012-06-28T21:00:00-07:00) before it starts" in bad.output


# ---------------------------------------------------------------- update and resolve

HAND_WRITTEN = {
    "plain": (
        "---\ntitle: Down\nstarted: 2012-06-21T09:00:00-07:00\nimpact: major\ncomponents: [web]\n"
        "updates:\n  - at: 2012-06-21T09:05:00-07:00\n    status: investigating\n    body: Looking.\n"
        "---\nA body that stays.\n"
    ),
    "crlf-bom-comments": (
        "\ufeff---\r\n# Written by hand, with comments\r\ntitle: 'Down'   # the title\r\n"
        "started: 2012-06-21T09:00:00-07:00\r\nimpact: major\r\nupdates:\r\n"
        "- at: 2012-06-21T09:05:00-07:00   # dash at the margin\r\n  status: investigating\r\n"
        "  body: >\r\n    Folded\r\n    text.\r\n\r\n# a comment after the list\r\n"
        "components:\r\n  web: major_outage\r\n"
        "---\r\n"
    ),
    "deep-indent": (
        "---\ntitle: Down\nstarted: 2012-06-21T09:00:00-07:00\nimpact: minor\nupdates:\n"
        '    -   at: 2012-06-21T09:05:00-07:00\n        status: investigating\n        body: "Quoted."\n'
        "    # an indented comment inside the list\n"
        "---\n"
    ),
    "no-updates": (
        "---\ntitle: Down\nstarted: 2012-06-21T09:00:00-07:00\nimpact: minor  # no updates yet\n---\n"
    ),
    "empty-updates": "---\ntitle: Down\nupdates:\nstarted: 2012-06-21T09:00:00-07:00\nimpact: minor\n---\n",
}


@pytest.mark.parametrize("layout", sorted(HAND_WRITTEN))
def test_update_appends_and_keeps_every_other_byte(make_content, layout: str) -> None:
    """The file after `update` is the file before plus the new lines, byte for byte (comments,
    quoting, BOM, CRLF and indentation kept), and it reads as one more update."""
    original = HAND_WRITTEN[layout].encode("utf-8")
    content = make_content({"incidents/down.md": original})
    result = run(
        content, "update", "down", "--status", "identified", "-m", "Found it:\nthe *disk*.", "--now", STAMP
    )
    assert result.exit_code == 0, result.output
    after = (content / "incidents" / "down.md").read_bytes()
    newline = b"\r\n" if b"\r\n" in original else b"\n"
    added = [
        line for line in after.splitlines(keepends=True) if line not in original.splitlines(keepends=True)
    ]
    assert b"".join(added).count(b"- at: " + STAMP.encode()) == 1
    remaining = after
    for line in added:
        remaining = remaining.replace(line, b"", 1)
    assert remaining == original
    assert all(line.endswith(newline) for line in added)
    incident = load_content(content).incidents[0]
    last = incident.updates[-1]
    assert (last.at.isoformat(), last.status, last.body) == (STAMP, "identified", "Found it:\nthe *disk*.\n")
    assert len(incident.updates) == HAND_WRITTEN[layout].count("status:") + 1


def test_resolve_ends_the_incident_and_then_refuses_more(make_content) -> None:
    """`resolve` adds a resolved update; a later update is refused, as is one older than the last."""
    content = make_content({"incidents/down.md": HAND_WRITTEN["plain"]})
    early = run(
        content, "update", "down", "--status", "identified", "-m", "x", "--now", "2012-06-21T09:04:00-07:00"
    )
    assert early.exit_code == 1
    assert (
        "its last update is at 2012-06-21T09:05:00-07:00, after now (2012-06-21T09:04:00-07:00)"
        in early.output
    )
    assert run(content, "resolve", "down", "-m", "Fixed.", "--now", STAMP).exit_code == 0
    assert check(content, NOW, workers=1).snapshot.indicator == "none"
    before = (content / "incidents" / "down.md").read_bytes()
    again = run(
        content, "update", "down", "--status", "monitoring", "-m", "x", "--now", "2012-06-21T11:00:00-07:00"
    )
    assert again.exit_code == 1 and "was resolved at 2012-06-21T10:30:00-07:00" in again.output
    assert (content / "incidents" / "down.md").read_bytes() == before


@pytest.mark.parametrize(
    ("files", "args", "message"),
    [
        (
            {"incidents/down.md": HAND_WRITTEN["plain"]},
            ["update", "dwon", "--status", "identified", "-m", "x"],
            "no incident or maintenance has the slug 'dwon' (did you mean 'down'?)",
        ),
        (
            {"incidents/down.md": HAND_WRITTEN["plain"]},
            ["update", "down", "--status", "completed", "-m", "x"],
            "'completed' is not a status of an incident",
        ),
        (
            {
                "incidents/down.md": HAND_WRITTEN["plain"]
                .replace("updates:\n  - at", "updates: [{at")
                .replace("body: Looking.\n", "body: Looking.}]\n")
                .replace("\n    status", ", status")
                .replace("\n    body", ", body")
            },
            ["update", "down", "--status", "identified", "-m", "x"],
            "written in a way this command does not append to",
        ),
        (
            {
                "maintenance/db.md": "---\ntitle: DB\nstart: 2012-06-20T22:00:00-07:00\n"
                "end: 2012-06-20T23:00:00-07:00\n"
                "updates:\n  - at: 2012-06-20T23:00:00-07:00\n    status: completed\n    body: Done.\n---\n"
            },
            ["resolve", "db", "-m", "x"],
            "the maintenance was completed at 2012-06-20T23:00:00-07:00",
        ),
    ],
    ids=["slug", "status", "flow", "completed"],
)
def test_updates_that_cannot_be_appended_are_refused(make_content, files, args, message) -> None:
    """A wrong slug or status, a list written on one line, a completed maintenance: refused with
    why, the file untouched."""
    content = make_content(files)
    before = {path: path.read_bytes() for path in content.rglob("*.md")}
    result = run(content, *args, "--now", STAMP)
    assert result.exit_code == 1 and message in result.output
    assert {path: path.read_bytes() for path in content.rglob("*.md")} == before


def test_an_update_says_which_translations_it_leaves_behind(make_content) -> None:
    """With a translation beside the file, `update` says its pages show the update untranslated."""
    site = SITE_YAML.replace("timezone:", "languages: [en, fr]\ntimezone:")
    content = make_content(
        {"incidents/down.md": HAND_WRITTEN["plain"], "incidents/down.fr.md": "---\ntitle: Panne\n---\n"}, site
    )
    result = run(content, "update", "down", "--status", "identified", "-m", "Found.", "--now", STAMP)
    assert result.exit_code == 0
    assert "down.fr.md: not updated; its pages show update 2 untranslated" in result.stderr


# ---------------------------------------------------------------- init


def test_init_starts_a_site_that_builds_at_once(tmp_path: Path) -> None:
    """A commented site.yaml pointing editors at its schema, an example incident, templates, a
    .gitignore and a CI workflow that checks pull requests and builds main; the site is valid with
    no warning."""
    folder = tmp_path / "status"
    result = CliRunner().invoke(
        main, ["init", str(folder), "--title", "Acme: status", "--timezone", "Europe/Paris"]
    )
    assert result.exit_code == 0, result.output
    content = load_content(folder / "content")
    assert content.site.title == "Acme: status" and content.site.timezone == "Europe/Paris"
    assert content.warnings == () and len(content.incidents) == 1
    assert "# " in (folder / "content" / "site.yaml").read_text()  # commented for its reader
    assert (folder / "content" / "site.yaml").read_text().startswith(  # editors validate it (test_schema.py)
        "# yaml-language-server: $schema=schemas/site.schema.json\n"
    ) and (folder / "content" / "schemas" / "site.schema.json").is_file()
    assert sorted(p.stem for p in (folder / "content" / "templates").glob("*.md")) == [
        "identified",
        "investigating",
        "monitoring",
        "postmortem",
        "resolved",
        "rollback",
    ]
    assert (
        "/public/" in (folder / ".gitignore").read_text()
        and ".statusgen-cache/" in (folder / ".gitignore").read_text()
    )
    workflow = yaml.safe_load((folder / ".github" / "workflows" / "status-page.yml").read_text())
    steps = {
        name: [step.get("run", "") for step in job.get("steps", [])] for name, job in workflow["jobs"].items()
    }
    assert (
        "statusgen check --format github" in steps["check"]
        and workflow["jobs"]["check"]["if"] == "github.event_name == 'pull_request'"
    )
    # build → record what is owed → deploy → notify → deploy the record, the cache restored first
    publish = workflow["jobs"]["publish"]["steps"]
    order = [step.get("run") or step.get("uses", "") for step in publish]
    build_at = next(i for i, s in enumerate(order) if s.startswith("statusgen build"))
    owed_at = next(i for i, s in enumerate(order) if s.endswith("--record-only"))
    notify_at = next(
        i for i, s in enumerate(order) if s == "statusgen notify --since previous --output public"
    )
    deploys = [i for i, s in enumerate(order) if s.startswith("actions/deploy-pages")]
    cache_at = next(i for i, s in enumerate(order) if s.startswith("actions/cache@"))
    due_at = next(i for i, s in enumerate(order) if "statusgen next-change --since previous" in s)
    saved_at = next(i for i, s in enumerate(order) if s.startswith("actions/cache/save"))
    assert due_at < cache_at < build_at < owed_at < deploys[0] < notify_at < deploys[1] < saved_at
    assert (
        publish[owed_at]["continue-on-error"] and publish[notify_at]["continue-on-error"]
    )  # (the page first)
    assert publish[deploys[1]]["if"].startswith("always()")  # (the record is published even on a failure)
    assert workflow["jobs"]["publish"]["permissions"]["contents"] == "read"  # (checkout, in private repos)
    built = check(folder / "content", datetime.now().astimezone().replace(microsecond=0), workers=1)
    assert built.files["index.html"] and built.warnings == ()
    assert not [path for path in built.files if path.startswith("incidents/")]  # the example is a draft
    again = CliRunner().invoke(main, ["init", str(folder)])
    assert again.exit_code == 1 and "exists already" in again.output


def test_the_gitignore_of_init_ignores_what_builds_leave_beside_any_output(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Builds into `docs` (swap mode) and `site` (link mode) of a repository started by init: git
    sees the content and the outputs (`docs` may be published from the repository), never the
    locks kept beside them, link mode's copies, nor staging folders a killed build left."""
    folder = tmp_path / "status"
    assert CliRunner().invoke(main, ["init", str(folder)]).exit_code == 0
    subprocess.run(["git", "init", "-q", str(folder)], check=True)
    monkeypatch.chdir(folder)
    for output, more in (("docs", []), ("site", ["--output-link"]), ("site", ["--output-link"])):
        result = CliRunner().invoke(main, ["build", "--output", output, "--now", STAMP, *more])
        assert result.exit_code == 0, result.output
    (folder / ".docs.statusgen-staging-4242").mkdir()  # (as a killed build leaves it)
    (folder / ".docs.statusgen-staging-4242" / "index.html").write_text("half")

    def untracked() -> set[str]:
        status = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=all"],
            cwd=folder,
            check=True,
            capture_output=True,
            text=True,
        )
        return {line[3:] for line in status.stdout.splitlines()}

    seen = untracked()
    assert {"docs/index.html", "docs/.statusgen-output", ".gitignore", "site"} <= seen
    assert not [path for path in seen if ".statusgen-lock" in path or ".statusgen" in path.split("/")[0]]
    assert (folder / ".docs.statusgen-lock").is_file() and (folder / ".site.statusgen").is_dir()
    ignored = subprocess.run(
        ["git", "check-ignore", ".docs.statusgen-lock", "nested/.public.statusgen-lock", ".site.statusgen/a"],
        cwd=folder,
        capture_output=True,
        text=True,
    )
    assert ignored.returncode == 0 and len(ignored.stdout.splitlines()) == 3


def test_a_site_from_init_takes_the_whole_outage_in_commands(tmp_path: Path) -> None:
    """init, new, update (escalating), resolve, postmortem, list, build: the walk-through of the
    README, end to end, naming the incident by its slug without the date."""
    folder = tmp_path / "status"
    runner = CliRunner()
    assert runner.invoke(main, ["init", str(folder)]).exit_code == 0
    content = folder / "content"

    def step(*args: str, now: str) -> Result:
        result = runner.invoke(main, [*args, "--content", str(content), "--now", now])
        assert result.exit_code == 0, result.output
        return result

    opened = step(
        "new",
        "incident",
        "Checkout errors",
        "-c",
        "web,api",
        "--impact",
        "major",
        "--template",
        "investigating",
        now="2026-12-02T09:07:00Z",
    )
    slug = Path(opened.stdout.strip()).stem
    assert slug == "2026-12-02-checkout-errors"
    step(
        "update",
        "checkout-errors",
        "--status",
        "identified",
        "--impact",
        "critical",
        "-c",
        "web=major_outage,api=partial_outage",
        "--template",
        "rollback",
        now="2026-12-02T09:20:00Z",
    )
    step(
        "update",
        "checkout-errors",
        "--status",
        "monitoring",
        "-m",
        "Rolled back.",
        now="2026-12-02T09:30:00Z",
    )
    step("resolve", "checkout-errors", "--template", "resolved", now="2026-12-02T09:40:00Z")
    step("postmortem", "checkout-errors", "--template", "postmortem", now="2026-12-03T09:00:00Z")
    listed = step("list", now="2026-12-03T10:00:00Z")
    assert slug not in listed.stdout  # resolved: nothing open but the example draft
    built = runner.invoke(
        main,
        [
            "build",
            "--content",
            str(content),
            "--output",
            str(folder / "public"),
            "--now",
            "2026-12-03T10:00:00Z",
        ],
    )
    assert built.exit_code == 0, built.output
    page = (folder / "public" / "incidents" / slug / "index.html").read_text()
    assert "Resolved" in page and "rolling back to the previous stable version" in page
    assert "Root cause" in page and "What we change" in page
    (incident,) = [i for i in load_content(content).incidents if i.slug == slug]
    assert incident.updates[1].impact == "critical"
    assert incident.updates[1].components == (("web", "major_outage"), ("api", "partial_outage"))


# ---------------------------------------------------------------- progress


@pytest.mark.slow
def test_progress_shows_on_a_terminal_only(make_content, tmp_path: Path) -> None:
    """On a terminal, `build` says what each stage does; in CI (no terminal) and with --quiet it
    prints only its summary, or nothing."""
    content = make_content({"incidents/down.md": incident_text()})
    command = [
        sys.executable,
        "-m",
        "statusgen",
        "build",
        "--content",
        str(content),
        "--output",
        str(tmp_path / "out"),
        "--now",
        STAMP,
    ]
    primary, replica = pty.openpty()
    process = subprocess.run(command, stdout=subprocess.PIPE, stderr=replica, timeout=60, check=True)
    os.close(replica)
    shown = b""
    while True:
        try:
            chunk = os.read(primary, 4096)
        except OSError:
            break
        if not chunk:
            break
        shown += chunk
    os.close(primary)
    assert b"Reading" in shown and b"Rendering 1 incidents" in shown and b"Publishing" in shown
    assert process.stdout.startswith(b"Built ")
    plain = subprocess.run(command, capture_output=True, timeout=60, check=True)
    assert plain.stderr == b"" and plain.stdout.startswith(b"Built ")
    quiet = subprocess.run([*command, "--quiet"], capture_output=True, timeout=60, check=True)
    assert quiet.stderr == b"" and quiet.stdout == b""


# ---------------------------------------------------------------- what the review found


def test_a_slug_is_unique_across_incidents_and_maintenance(make_content) -> None:
    """An incident titled like a maintenance of the same day gets another slug, so `update` names
    one file; a file's path names it too."""
    content = make_content()
    run(content, "new", "maintenance", "Upgrade", "--start", "2012-06-21T22:00", "--end", "2012-06-21T23:00")
    opened = run(
        content, "new", "incident", "Upgrade", "-c", "web", "--impact", "minor", "-m", "x", "--now", STAMP
    )
    assert Path(opened.stdout.strip()).name == "2012-06-21-upgrade-2.md"
    assert (
        run(
            content, "update", "2012-06-21-upgrade", "--status", "in_progress", "-m", "y", "--now", STAMP
        ).exit_code
        == 0
    )
    by_path = run(content, "resolve", opened.stdout.strip(), "-m", "z", "--now", STAMP)
    assert by_path.exit_code == 0, by_path.output


def test_an_update_in_the_hour_a_dst_change_repeats(make_content) -> None:
    """At 02:30 on the night clocks go back (twice that night in Paris), the update is appended
    with the offset of that instant."""
    site = SITE_YAML.replace("America/Los_Angeles", "Europe/Paris")
    content = make_content({"incidents/down.md": HAND_WRITTEN["plain"]}, site)
    for now in ("2026-10-25T00:30:00Z", "2026-10-25T01:30:00Z"):
        result = run(content, "update", "down", "--status", "monitoring", "-m", "Still here.", "--now", now)
        assert result.exit_code == 0, result.output
    text = (content / "incidents" / "down.md").read_text()
    assert "- at: 2026-10-25T02:30:00+02:00\n" in text and "- at: 2026-10-25T02:30:00+01:00\n" in text


@pytest.mark.parametrize(
    ("message", "stored"),
    [
        ("Line one  \nline two", "Line one  \nline two"),  # a Markdown hard break
        ("a\n   \nb", "a\n   \nb"),
        ("\tindented\n    code", "\tindented\n    code"),
        ("one\u2028two\x07", "one two"),  # as any content is read: a line separator is a space
    ],
    ids=["hard-break", "blank-with-spaces", "tabs", "separators"],
)
def test_messages_are_stored_as_a_build_reads_them(make_content, message: str, stored: str) -> None:
    """Whatever the text, `new` and `update` store what was typed (as content is read), never a
    refusal or a silent change."""
    content = make_content({"incidents/down.md": HAND_WRITTEN["plain"]})
    opened = run(
        content, "new", "incident", "New", "-c", "web", "--impact", "minor", "-m", message, "--now", STAMP
    )
    assert opened.exit_code == 0, opened.output
    updated = run(content, "update", "down", "--status", "identified", "-m", message, "--now", STAMP)
    assert updated.exit_code == 0, updated.output
    bodies = [incident.updates[-1].body.rstrip("\n") for incident in load_content(content).incidents]
    assert bodies == [stored, stored]


def test_a_body_keeping_its_trailing_lines_is_not_changed_by_an_update(make_content) -> None:
    """Appending after a `|+` body would move its kept blank lines: refused, the file untouched."""
    text = HAND_WRITTEN["plain"].replace("body: Looking.\n", "body: |+\n      Looking.\n\n\n")
    content = make_content({"incidents/down.md": text})
    result = run(content, "update", "down", "--status", "identified", "-m", "x", "--now", STAMP)
    assert result.exit_code == 1 and "add it by hand" in result.output
    assert (content / "incidents" / "down.md").read_text() == text


@pytest.mark.parametrize(
    "front",
    [
        '"updates":\n  - at: 2012-06-21T09:05:00-07:00\n    status: investigating\n    body: x\n',
        "updates: ~\n",
    ],
    ids=["quoted", "null"],
)
def test_updates_written_another_way_are_refused_clearly(make_content, front: str) -> None:
    """A quoted key or `updates: ~`: refused with what to write instead."""
    text = f"---\ntitle: Down\nstarted: 2012-06-21T09:00:00-07:00\nimpact: minor\n{front}---\n"
    content = make_content({"incidents/down.md": text})
    result = run(content, "update", "down", "--status", "identified", "-m", "x", "--now", STAMP)
    assert result.exit_code == 1 and "write `updates:` alone on its line" in result.output


def test_init_refuses_bad_settings_and_blocked_paths_without_writing(tmp_path: Path) -> None:
    """A wrong time zone, or a file where a folder must go: a clear error and nothing written; a
    repository's own .gitignore is kept."""
    bad = CliRunner().invoke(main, ["init", str(tmp_path / "a"), "--timezone", "Mars/Olympus"])
    assert bad.exit_code == 1 and "expected an IANA time zone" in bad.output and not (tmp_path / "a").exists()
    blocked = tmp_path / "b"
    (blocked / ".github").parent.mkdir()
    (blocked / ".github").write_text("a file")
    result = CliRunner().invoke(main, ["init", str(blocked)])
    assert result.exit_code == 1 and "a file is where a folder goes" in result.output
    assert sorted(p.name for p in blocked.iterdir()) == [".github"]
    repository = tmp_path / "c"
    repository.mkdir()
    (repository / ".gitignore").write_text("node_modules/\n")
    assert CliRunner().invoke(main, ["init", str(repository)]).exit_code == 0
    assert (repository / ".gitignore").read_text() == "node_modules/\n"


def test_a_missing_template_for_a_maintenance_is_a_clear_error(make_content) -> None:
    """As for incidents: the error names the template and what exists, no traceback."""
    content = make_content()
    result = run(
        content,
        "new",
        "maintenance",
        "X",
        "--start",
        "2012-06-28T22:00",
        "--end",
        "2012-06-28T23:00",
        "--template",
        "nope",
    )
    assert result.exit_code == 1 and "no message template named 'nope'" in result.output


def test_a_maintenance_outside_the_supported_years_is_refused(make_content) -> None:
    """Year 1 would overflow converting zones: refused like a content date-time out of range."""
    content = make_content()
    result = run(
        content,
        "new",
        "maintenance",
        "X",
        "--start",
        "0001-01-01T00:00+05:00",
        "--end",
        "0001-01-02T00:00+05:00",
    )
    assert result.exit_code == 1 and "expected a date-time between 1970 and 9000" in result.output


# ---------------------------------------------------------------- format v2 from the command line

ESCALATIONS = {
    "mapping": (
        ["--impact", "critical", "-c", "web=major_outage,api=partial_outage"],
        "critical",
        (("web", "major_outage"), ("api", "partial_outage")),
    ),
    "repeated": (
        ["-c", "web=major_outage", "-c", "mail=degraded_performance"],
        None,
        (("web", "major_outage"), ("mail", "degraded_performance")),
    ),
    "list": (["--impact", "minor", "-c", "web,api", "-c", "web"], "minor", (("web", None), ("api", None))),
    "impact-only": (["--impact", "major"], "major", None),
}


@pytest.mark.parametrize("layout", sorted(HAND_WRITTEN))
@pytest.mark.parametrize("form", sorted(ESCALATIONS))
def test_update_writes_impact_and_components_and_keeps_every_other_byte(
    make_content, layout: str, form: str
) -> None:
    """`update --impact -c` appends an update the build reads as that impact and those
    components (mapping form `web=status`, list form `web`), in block style; every other byte of
    the file (comments, BOM, CRLF, indentation) is kept."""
    args, impact, components = ESCALATIONS[form]
    original = HAND_WRITTEN[layout].encode("utf-8")
    content = make_content({"incidents/down.md": original})
    result = run(content, "update", "down", "--status", "identified", *args, "-m", "Worse.", "--now", STAMP)
    assert result.exit_code == 0, result.output
    after = (content / "incidents" / "down.md").read_bytes()
    added = [line for line in after.splitlines(keepends=True) if line not in original.splitlines(True)]
    remaining = after
    for line in added:
        remaining = remaining.replace(line, b"", 1)
    assert remaining == original
    newline = b"\r\n" if b"\r\n" in original else b"\n"
    assert all(line.endswith(newline) for line in added)
    assert not any(b"{" in line or b"[" in line for line in added)  # block style, not flow
    keys = [line.strip().split(b":")[0].lstrip(b"- ") for line in added if b":" in line]
    keys = [key for key in keys if key != b"updates"]  # (written with the first update)
    assert keys[: 2 + (impact is not None)] == [b"at", b"status", b"impact"][: 2 + (impact is not None)]
    last = load_content(content).incidents[0].updates[-1]
    assert (last.at.isoformat(), last.status, last.body) == (STAMP, "identified", "Worse.\n")
    assert last.impact == impact and last.components == components


def test_an_escalation_shows_in_the_build(make_content) -> None:
    """After `update --impact critical -c web=major_outage,api=partial_outage`, the site says so."""
    content = make_content({"incidents/down.md": HAND_WRITTEN["plain"]})
    args = ["--impact", "critical", "-c", "web=major_outage,api=partial_outage", "-m", "Worse."]
    assert run(content, "update", "down", "--status", "identified", *args, "--now", STAMP).exit_code == 0
    snapshot = check(content, NOW, workers=1).snapshot
    assert snapshot.indicator == "critical"
    assert snapshot.component("web").status == "major_outage"
    assert snapshot.component("api").status == "partial_outage"
    assert snapshot.component("mail").status == "operational"


MAINTENANCE = (
    "---\ntitle: DB\nstart: 2012-06-21T10:00:00-07:00\nend: 2012-06-21T11:00:00-07:00\n"
    "components: [api]\n---\n"
)


@pytest.mark.parametrize(
    ("args", "code", "messages"),
    [
        (
            ["update", "down", "--status", "identified", "-c", "wbe=major_outage"],
            1,
            ["--components: unknown component 'wbe'; site.yaml defines web, api, mail (did you mean 'web'?)"],
        ),
        (
            ["update", "down", "--status", "identified", "-c", "web=major_outag"],
            1,
            [
                "--components: unknown status 'major_outag' for 'web'; expected one of operational, "
                "degraded_performance, partial_outage, major_outage (did you mean 'major_outage'?)"
            ],
        ),
        (
            ["update", "down", "--status", "identified", "-c", "web=under_maintenance"],
            1,
            ["unknown status 'under_maintenance' for 'web' (under_maintenance is for maintenance windows)"],
        ),
        (
            ["update", "down", "--status", "identified", "--impact", "critcal"],
            1,
            [
                "--impact: unknown impact 'critcal'; expected one of none, minor, major, critical "
                "(did you mean 'critical'?)"
            ],
        ),
        (
            ["update", "down", "--status", "identifed", "--impact", "hgue", "-c", "api,wbe"],
            1,
            [
                "--status: 'identifed' is not a status of an incident; expected one of investigating, "
                "identified, monitoring, resolved (did you mean 'identified'?)",
                "--impact: unknown impact 'hgue'",
                "--components: unknown component 'wbe'",
                "3 errors; nothing was written.",
            ],
        ),
        (
            ["update", "down", "--status", "identified", "-c", "web=major_outage", "-c", "api"],
            1,
            ["give every component its status (web=major_outage) or none"],
        ),
        (
            ["update", "down", "--status", "identified", "-c", "web=major_outage,web=partial_outage"],
            1,
            ["'web' is given twice, with different statuses"],
        ),
        (
            ["update", "down", "--status", "resolved", "--impact", "none", "-c", "web=operational"],
            1,
            [
                "a resolved update returns every component to operational; it takes no --impact nor "
                "--components"
            ],
        ),
        (
            ["update", "db", "--status", "in_progress", "--impact", "minor"],
            1,
            ["--impact: a maintenance takes no --impact"],
        ),
        (["resolve", "down", "--impact", "none"], 2, ["No such option '--impact'"]),
        (["resolve", "down", "-c", "web"], 2, ["No such option '-c'"]),
    ],
    ids=[
        "component",
        "component-status",
        "maintenance-status",
        "impact",
        "all-at-once",
        "both-forms",
        "twice",
        "resolved-update",
        "maintenance",
        "resolve-impact",
        "resolve-components",
    ],
)
def test_wrong_impacts_components_and_statuses_are_refused_before_writing(
    make_content, args: list[str], code: int, messages: list[str]
) -> None:
    """Unknown ids, statuses and impacts (with "did you mean"), both list forms at once, an
    impact or components where they cannot go: refused, every problem at once, nothing written."""
    content = make_content({"incidents/down.md": HAND_WRITTEN["plain"], "maintenance/db.md": MAINTENANCE})
    before = {path: path.read_bytes() for path in content.rglob("*.md")}
    result = run(content, *args, "-m", "x", "--now", STAMP)
    assert result.exit_code == code, result.output
    for message in messages:
        assert message in result.output
    assert "Traceback" not in result.output
    assert {path: path.read_bytes() for path in content.rglob("*.md")} == before


# ---------------------------------------------------------------- post-mortems

RESOLVED = (
    "---\n# Hand-written\ntitle: Down\nstarted: 2012-06-21T09:00:00-07:00   # when it began\n"
    "impact: major\ncomponents: [web]\nupdates:\n"
    "  - at: 2012-06-21T09:05:00-07:00\n    status: investigating\n    body: Looking.\n"
    "  - at: 2012-06-21T09:45:00-07:00\n    status: resolved\n    body: Fixed.\n"
    "---\n"
)
POSTMORTEM = "## What happened\n\nA full **disk** (xyzzy)."


@pytest.mark.parametrize("newline", ["\n", "\r\n"], ids=["lf", "crlf"])
def test_postmortem_writes_the_body_and_stamps_when_it_shows(make_content, newline: str) -> None:
    """`postmortem` adds one `postmortem_at` line after `started` (in the site's zone, now) and the
    body after the front matter, every other byte kept; the build shows the body from that
    instant on, never before."""
    original = RESOLVED.replace("\n", newline).encode("utf-8")
    content = make_content({"incidents/2012-06-21-down.md": original})
    result = run(content, "postmortem", "down", "-m", POSTMORTEM, "--now", "2012-06-22T16:00:00Z")
    assert result.exit_code == 0, result.output
    assert "post-mortem written, shown from 2012-06-22T09:00:00-07:00" in result.stdout
    after = (content / "incidents" / "2012-06-21-down.md").read_bytes()
    started = b"started: 2012-06-21T09:00:00-07:00   # when it began" + newline.encode()
    stamp = b"postmortem_at: 2012-06-22T09:00:00-07:00" + newline.encode()
    expected = original.replace(started, started + stamp) + POSTMORTEM.replace("\n", newline).encode()
    assert after == expected + newline.encode()
    incident = load_content(content).incidents[0]
    assert (
        incident.postmortem_at is not None
        and incident.postmortem_at.isoformat() == "2012-06-22T09:00:00-07:00"
    )
    page = "incidents/2012-06-21-down/index.html"
    before_it = check(content, datetime.fromisoformat("2012-06-22T08:59:59-07:00"), workers=1).files[page]
    from_it = check(content, datetime.fromisoformat("2012-06-22T09:00:00-07:00"), workers=1).files[page]
    assert b"xyzzy" not in before_it and b"<strong>disk</strong> (xyzzy)" in from_it


def test_postmortem_fills_the_starter_template(tmp_path: Path) -> None:
    """`init` ships a `postmortem` template with the four sections; `--template postmortem` fills it."""
    folder = tmp_path / "status"
    assert CliRunner().invoke(main, ["init", str(folder)]).exit_code == 0
    content = folder / "content"
    template = (content / "templates" / "postmortem.md").read_text()
    headings = [line for line in template.splitlines() if line.startswith("## ")]
    assert headings == ["## What happened", "## Impact", "## Root cause", "## What we change"]
    (content / "incidents" / "down.md").write_text(RESOLVED.replace("[web]", "[web, api]"))
    result = run(content, "postmortem", "down", "--template", "postmortem", "--now", "2012-06-22T16:00:00Z")
    assert result.exit_code == 0, result.output
    body = next(i for i in load_content(content).incidents if i.slug == "down").body
    assert body.startswith("## What happened\n") and 'Website and API saw during "Down"' in body


@pytest.mark.parametrize(
    ("files", "args", "message"),
    [
        (
            {"maintenance/db.md": MAINTENANCE},
            ["postmortem", "db"],
            "a maintenance has no post-mortem: the text after its front matter is its description "
            "(edit it by hand)",
        ),
        (
            {"incidents/down.md": HAND_WRITTEN["plain"].replace("A body that stays.\n", "")},
            ["postmortem", "down"],
            "postmortem_at: the incident is not resolved as of 2012-06-21T10:30:00-07:00 (investigating); a "
            "post-mortem follows the resolution (resolve it first: statusgen resolve down)",
        ),
        (
            {
                "incidents/down.md": HAND_WRITTEN["plain"]
                .replace("A body that stays.\n", "")
                .replace("updates:", "resolved: 2012-06-21T11:00:00-07:00\nupdates:")
            },
            ["postmortem", "down"],
            "not resolved as of 2012-06-21T10:30:00-07:00 (investigating)",  # resolved only at 11:00
        ),
        (
            {"incidents/down.md": RESOLVED + "Already written.\n"},
            ["postmortem", "down"],
            "the incident already has a text after its front matter (a summary or a post-mortem) "
            "(edit it by hand, or pass --replace to replace it and stamp postmortem_at again)",
        ),
    ],
    ids=["maintenance", "open", "resolved-later", "has-a-body"],
)
def test_postmortems_that_cannot_be_written_are_refused(make_content, files, args, message) -> None:
    """A maintenance, an incident not resolved yet, a file that has a text already: refused with
    why, nothing written."""
    content = make_content(files)
    before = {path: path.read_bytes() for path in content.rglob("*.md")}
    result = run(content, *args, "-m", POSTMORTEM, "--now", STAMP)
    assert result.exit_code == 1 and message in result.output, result.output
    assert {path: path.read_bytes() for path in content.rglob("*.md")} == before


def test_postmortem_replace_replaces_the_text_and_stamps_it_again(make_content) -> None:
    """With `--replace`, the body is replaced and the existing `postmortem_at` value is stamped
    again, its comment and every other byte kept."""
    text = RESOLVED.replace("impact:", "postmortem_at: '2012-06-21T12:00:00-07:00'  # published\nimpact:")
    content = make_content({"incidents/down.md": text + "Old text.\n\nMore old text.\n"})
    result = run(
        content,
        "postmortem",
        "down",
        "--replace",
        "-m",
        "New text.",
        "--now",
        STAMP.replace("10:30", "13:00"),
    )
    assert result.exit_code == 0, result.output
    expected = text.replace("'2012-06-21T12:00:00-07:00'", "2012-06-21T13:00:00-07:00") + "New text.\n"
    assert (content / "incidents" / "down.md").read_text() == expected


# ---------------------------------------------------------------- slugs by their end


def test_a_slug_may_be_given_without_its_date_or_by_any_unique_end(make_content) -> None:
    """`update checkout-errors` and `resolve errors` name `2012-06-21-checkout-errors`; so does
    `postmortem` with the date-less slug."""
    content = make_content(
        {"incidents/2012-06-21-checkout-errors.md": HAND_WRITTEN["plain"].replace("A body that stays.\n", "")}
    )
    path = content / "incidents" / "2012-06-21-checkout-errors.md"
    assert (
        run(
            content, "update", "checkout-errors", "--status", "identified", "-m", "a", "--now", STAMP
        ).exit_code
        == 0
    )
    assert run(content, "resolve", "errors", "-m", "b", "--now", STAMP).exit_code == 0
    assert run(content, "postmortem", "checkout-errors", "-m", "c", "--now", STAMP).exit_code == 0
    incident = parse_incident(path.read_text(), str(path), load_content(content).site)
    assert [u.body for u in incident.updates[1:]] == ["a\n", "b\n"] and incident.body == "c\n"


def test_an_ambiguous_end_lists_the_candidates_and_writes_nothing(make_content) -> None:
    """Two slugs ending with `-checkout-errors`: an error naming both, no file changed."""
    files = {
        "incidents/2012-06-20-checkout-errors.md": HAND_WRITTEN["plain"],
        "incidents/2012-06-21-checkout-errors.md": HAND_WRITTEN["plain"],
    }
    content = make_content(files)
    before = {path: path.read_bytes() for path in content.rglob("*.md")}
    result = run(content, "update", "checkout-errors", "--status", "identified", "-m", "x", "--now", STAMP)
    assert result.exit_code == 1
    assert (
        "'checkout-errors' could be any of 2012-06-20-checkout-errors, 2012-06-21-checkout-errors "
        "(give more of the slug, or all of it)"
    ) in result.output
    assert {path: path.read_bytes() for path in content.rglob("*.md")} == before


def test_an_exact_slug_wins_over_ends(make_content) -> None:
    """`checkout-errors` names the file `checkout-errors.md` even beside `2012-06-21-checkout-errors.md`."""
    files = {
        "incidents/checkout-errors.md": HAND_WRITTEN["plain"],
        "maintenance/2012-06-21-checkout-errors.md": MAINTENANCE,
    }
    content = make_content(files)
    before = (content / "maintenance" / "2012-06-21-checkout-errors.md").read_bytes()
    result = run(content, "update", "checkout-errors", "--status", "identified", "-m", "x", "--now", STAMP)
    assert result.exit_code == 0, result.output
    assert "incidents/checkout-errors.md: update 2 added" in result.output
    assert (content / "maintenance" / "2012-06-21-checkout-errors.md").read_bytes() == before


def test_matching_slugs() -> None:
    """An exact slug wins; else every slug ending with a dash and the text; case does not matter."""
    slugs = ["2026-12-05-checkout-errors", "2026-12-09-checkout-errors", "checkout", "2026-12-01-api-down"]
    assert matching_slugs(slugs, "checkout") == ["checkout"]
    assert matching_slugs(slugs, "API-DOWN") == ["2026-12-01-api-down"]
    assert matching_slugs(slugs, "down") == ["2026-12-01-api-down"]
    assert matching_slugs(slugs, "checkout-errors") == [
        "2026-12-05-checkout-errors",
        "2026-12-09-checkout-errors",
    ]
    assert matching_slugs(slugs, "own") == []  # an end starts after a dash


# ---------------------------------------------------------------- new: the next command, drafts


@pytest.mark.parametrize(
    ("args", "slug", "command"),
    [
        (
            ["incident", "Login errors", "--impact", "minor", "-m", "x"],
            "2012-06-21-login-errors",
            'Next: statusgen update login-errors --status identified -m "…"',
        ),
        (
            ["incident", "Login errors", "--impact", "minor", "-m", "x", "--status", "monitoring"],
            "2012-06-21-login-errors",
            'Next: statusgen resolve login-errors -m "…"',
        ),
        (
            ["maintenance", "DB upgrade", "--start", "2012-06-28T22:00", "--end", "2012-06-28T23:00"],
            "2012-06-28-db-upgrade",
            'Next, when it starts: statusgen update db-upgrade --status in_progress -m "…"',
        ),
    ],
    ids=["incident", "monitoring", "maintenance"],
)
def test_new_prints_the_path_then_the_slug_and_the_next_command(make_content, args, slug, command) -> None:
    """Standard output holds the path alone (for scripts); then the slug and the next command, with
    the date-less slug when it is unique and the content folder when it is not the default."""
    content = make_content()
    result = run(content, "new", *args, "--now", STAMP)
    assert result.exit_code == 0, result.output
    kind = "incidents" if args[0] == "incident" else "maintenance"
    assert result.stdout == f"{content / kind / slug}.md\n"
    assert f"Slug: {slug}\n" in result.stderr
    assert f"{command} --content {content}\n" in result.stderr


def test_the_next_command_gives_the_whole_slug_when_its_end_is_taken(make_content) -> None:
    """A second "Login errors" on another day: the date-less slug would be ambiguous, so it is whole."""
    content = make_content({"incidents/2012-06-01-login-errors.md": HAND_WRITTEN["plain"]})
    result = run(content, "new", "incident", "Login errors", "--impact", "minor", "-m", "x", "--now", STAMP)
    assert "Next: statusgen update 2012-06-21-login-errors --status identified" in result.stderr


@pytest.mark.parametrize("kind", ["incident", "maintenance"])
def test_new_draft_is_checked_but_never_published(make_content, kind: str) -> None:
    """`new --draft` writes `draft: true`: the file is valid, the build shows nothing of it, and it
    says how to publish."""
    content = make_content()
    args = (
        ["incident", "Down", "-c", "web", "--impact", "critical", "-m", "x"]
        if kind == "incident"
        else ["maintenance", "Up", "-c", "web", "--start", "2012-06-21T10:00", "--end", "2012-06-21T11:00"]
    )
    result = run(content, "new", *args, "--draft", "--now", STAMP)
    assert result.exit_code == 0, result.output
    path = Path(result.stdout.strip())
    assert "\ndraft: true  # checked, never published: delete this line to publish\n" in path.read_text()
    assert "delete its `draft: true` line to publish it" in result.stderr
    loaded = load_content(content)
    assert [entry.draft for entry in (*loaded.incidents, *loaded.maintenance)] == [True]
    built = check(content, NOW, workers=1)
    assert built.snapshot.indicator == "none" and not built.snapshot.active_maintenance
    assert not [name for name in built.files if path.stem in name]


def test_postmortem_names_the_translations_it_leaves_behind(make_content) -> None:
    """A translation beside the file is named (its pages show the post-mortem untranslated); one
    that repeats `postmortem_at` would contradict the new stamp: refused, nothing written."""
    site = SITE_YAML.replace("timezone:", "languages: [en, fr]\ntimezone:")
    content = make_content(
        {"incidents/down.md": RESOLVED, "incidents/down.fr.md": "---\ntitle: Panne\n---\n"}, site
    )
    result = run(content, "postmortem", "down", "-m", POSTMORTEM, "--now", "2012-06-22T16:00:00Z")
    assert result.exit_code == 0, result.output
    assert "down.fr.md: not updated; its pages show the post-mortem untranslated" in result.stderr
    claimed = "---\ntitle: Panne\npostmortem_at: 2012-06-22T09:00:00-07:00\n---\nTexte.\n"
    (content / "incidents" / "down.fr.md").write_text(claimed)
    before = (content / "incidents" / "down.md").read_bytes()
    again = run(content, "postmortem", "down", "--replace", "-m", "New.", "--now", "2012-06-23T16:00:00Z")
    assert again.exit_code == 1 and "down.fr.md: postmortem_at: repeats `postmortem_at`" in again.output
    assert (content / "incidents" / "down.md").read_bytes() == before


def test_the_docs_show_the_starter_workflow_whole() -> None:
    """docs/subscriptions.md ends with the workflow `init` writes, byte for byte (they cannot drift)."""
    root = Path(__file__).parent.parent
    workflow = (root / "statusgen/starter/workflow.yml").read_text(encoding="utf-8")
    docs = (root / "docs/subscriptions.md").read_text(encoding="utf-8")
    assert docs.endswith("```yaml\n" + workflow + "```\n")
