"""`statusgen notify` against real local servers (SMTP, webhooks, a chat service through Apprise, a
WebSub hub): each message once, whatever happens to the run."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from urllib.parse import parse_qs

import feedparser
import icalendar
import jsonschema
import pytest
from standardwebhooks import Webhook as Verifier

from statusgen import ContentError, build
from statusgen.changes import COMPARED_FILES
from statusgen.notify.record import RECORD
from statusgen.notify.run import Retry, notify
from tests.servers import Mailbox, Receiver, http_receiver, smtp_server

pytestmark = pytest.mark.slow  # (real servers, two builds of the example per test)

EXAMPLE = Path(__file__).parent.parent / "content"
SCHEMA = json.loads((Path(__file__).parent.parent / "statusgen/notify/webhook.schema.json").read_text())
T = datetime.fromisoformat
BEFORE = T("2012-06-21T10:30:00-07:00")
AFTER = T("2012-06-21T12:00:00-07:00")
SECRET = "whsec_" + "c2VjcmV0LWtleS1mb3Itc3RhdHVzZ2VuLXRlc3Rz"
FAST = Retry(attempts=4, first_wait=0.0, sleep=lambda seconds: None)
NOTIFY = """
notify:
  - name: hooks
    url: ${HOOK_URL}
    secret: ${HOOK_SECRET}
  - name: mail
    url: ${MAIL_URL}
  - name: chat
    url: ${CHAT_URL}
    languages: [en]
  - name: search-team
    url: ${SEARCH_URL}
    components: [search]
    events: [created, updated]
"""


@pytest.fixture
def servers() -> Iterator[tuple[Receiver, Mailbox]]:
    """An HTTP receiver and an SMTP server on 127.0.0.1."""
    with http_receiver() as receiver, smtp_server() as mailbox:
        yield receiver, mailbox


def environment(receiver: Receiver, mailbox: Mailbox) -> dict[str, str]:
    """The secrets of the channels, as CI would give them."""
    host = receiver.url.removeprefix("http://")
    return {
        "HOOK_URL": f"{receiver.url}/hooks",
        "HOOK_SECRET": SECRET,
        "MAIL_URL": f"smtp://127.0.0.1:{mailbox.port}?from=status@chirp.example&to=users@lists.chirp.example",
        "CHAT_URL": f"json://{host}/chat",
        "SEARCH_URL": f"{receiver.url}/search",
    }


def site(tmp_path: Path, extra: str = NOTIFY) -> Path:
    """The example site, with notification channels."""
    content = tmp_path / "content"
    shutil.copytree(EXAMPLE, content)
    with (content / "site.yaml").open("a", encoding="utf-8") as file:
        file.write(extra)
    return content


def published(content: Path, folder: Path, now: datetime) -> Path:
    """Build the site as of `now` into `folder`, as CI would publish it."""
    build(content, folder, now)
    return folder


def test_each_channel_gets_each_new_update_once(servers, tmp_path: Path) -> None:
    """10:30 then 12:00: identified, monitoring and resolved, once per channel and language; the
    webhook is signed and matches its schema; the e-mail is multipart with a stable Message-ID;
    nothing for a first publication; a rerun sends nothing."""
    receiver, mailbox = servers
    content = site(tmp_path)
    env = environment(receiver, mailbox)
    first = published(content, tmp_path / "first", BEFORE)
    assert notify(content, tmp_path / "nothing", first, BEFORE, env, retry=FAST).first_publication
    assert receiver.received == [] and mailbox.messages == []
    built = published(content, tmp_path / "public", AFTER)
    outcome = notify(content, first, built, AFTER, env, retry=FAST)
    assert not outcome.failed
    hooks = receiver.at("/hooks")
    assert [json.loads(r.body)["update"]["status"] for r in hooks] == ["identified", "monitoring", "resolved"]
    for request in hooks:
        payload = json.loads(request.body)
        jsonschema.validate(payload, SCHEMA, format_checker=jsonschema.FormatChecker())
        Verifier(SECRET).verify(request.body, request.headers)  # raises when the signature is wrong
        assert request.headers["webhook-id"] == payload["id"]
        assert int(request.headers["webhook-timestamp"]) > 1_700_000_000  # the real time, not --now
        assert payload["url"].endswith(f"#update-{payload['update']['number']}")
    assert json.loads(hooks[1].body)["components"] == [
        {"id": "web", "name": "Site web", "old_status": "major_outage", "new_status": "operational"},
        {
            "id": "mobile",
            "name": "Applications mobiles",
            "old_status": "major_outage",
            "new_status": "operational",
        },
        {
            "id": "timeline",
            "name": "Fil d'actualité",
            "old_status": "major_outage",
            "new_status": "operational",
        },
        {"id": "api", "name": "API publique", "old_status": "major_outage", "new_status": "operational"},
        {
            "id": "streaming",
            "name": "API de streaming",
            "old_status": "major_outage",
            "new_status": "operational",
        },
        {
            "id": "search",
            "name": "Recherche",
            "old_status": "partial_outage",
            "new_status": "degraded_performance",
        },
    ]
    chat = [json.loads(r.body) for r in receiver.at("/chat")]
    assert [m["title"] for m in chat] == [
        '[Chirp status] Worldwide outage caused by a "cascading bug" — Identified',
        '[Chirp status] Worldwide outage caused by a "cascading bug" — Monitoring',
        '[Chirp status] Worldwide outage caused by a "cascading bug" — Resolved',
    ]
    assert "Notifications: Degraded performance → Operational" in chat[0]["message"]
    assert "https://status.example.com/en/incidents/2012-06-21-panne-mondiale/#update-5" in chat[0]["message"]
    assert len(mailbox.messages) == 3
    mail = mailbox.messages[0]
    assert (
        mail["Subject"]
        == "[Chirp — état du service] Panne mondiale due à un « bug en cascade » — Cause identifiée"
    )
    assert mail.get_content_type() == "multipart/alternative"
    text = mail.get_body(("plain",)).get_content()
    html = mail.get_body(("html",)).get_content()
    assert "<" not in text and "version stable précédente" in text and "<strong>version stable" in html
    assert mail["Message-ID"].startswith("<msg_") and mail["Message-ID"].endswith("@status.example.com>")
    assert mailbox.envelopes[0] == ("status@chirp.example", ["users@lists.chirp.example"])
    assert len(receiver.at("/search")) == 3  # (the incident touches the search component)
    record = json.loads((built / RECORD).read_text())
    assert set(record["delivered"]) == {"hooks", "mail", "chat", "search-team"}
    assert "127.0.0.1" not in json.dumps(record) and SECRET not in json.dumps(record)
    again = notify(content, first, built, AFTER, env, retry=FAST)
    assert again.sent == [] and len(receiver.at("/hooks")) == 3 and len(mailbox.messages) == 3


def test_a_channel_failing_twice_then_succeeding_gets_each_message_once(servers, tmp_path: Path) -> None:
    """503 twice, then 200: retried with backoff, delivered, nothing twice; the others served."""
    receiver, mailbox = servers
    content = site(tmp_path)
    env = environment(receiver, mailbox)
    first = published(content, tmp_path / "first", BEFORE)
    built = published(content, tmp_path / "public", AFTER)
    receiver.failures["/hooks"] = 2
    waits: list[float] = []
    outcome = notify(content, first, built, AFTER, env, retry=Retry(4, 0.5, waits.append))
    assert not outcome.failed and waits == [0.5, 1.0]  # (backoff doubles)
    statuses = [json.loads(r.body)["update"]["status"] for r in receiver.at("/hooks")]
    assert statuses == ["identified", "identified", "identified", "monitoring", "resolved"]
    assert len({r.headers["webhook-id"] for r in receiver.at("/hooks")}) == 3


def test_a_channel_down_misses_nothing_for_good(servers, tmp_path: Path) -> None:
    """A channel failing every attempt: the others are served, notify says what it missed, and a
    later run (even against a newer published site) delivers it."""
    receiver, mailbox = servers
    content = site(tmp_path)
    env = environment(receiver, mailbox)
    first = published(content, tmp_path / "first", BEFORE)
    built = published(content, tmp_path / "public", AFTER)
    receiver.failures["/hooks"] = 100
    outcome = notify(content, first, built, AFTER, env, retry=FAST)
    assert list(outcome.failed) == ["hooks"] and len(outcome.failed["hooks"]) == 3
    assert "503" in outcome.reasons["hooks"] and len(mailbox.messages) == 3
    receiver.failures["/hooks"] = 0
    later = published(content, tmp_path / "later", AFTER)  # the next CI run: `built` was published
    outcome = notify(content, built, later, AFTER, env, retry=FAST)
    assert not outcome.failed
    delivered = [json.loads(r.body)["update"]["status"] for r in receiver.at("/hooks") if r is not None]
    assert delivered[-3:] == ["identified", "monitoring", "resolved"]
    assert len(mailbox.messages) == 3  # (nothing again for the channels that had it)


def test_a_component_filter_and_languages(servers, tmp_path: Path) -> None:
    """A channel with `languages: [fr, en]` gets each update in both; one filtered to a component
    no incident touches gets nothing."""
    receiver, mailbox = servers
    extra = """
notify:
  - name: both
    url: ${HOOK_URL}
    languages: [fr, en]
  - name: sms-only
    url: ${SEARCH_URL}
    components: [sms]
"""
    content = site(tmp_path, extra)
    env = environment(receiver, mailbox)
    first = published(content, tmp_path / "first", BEFORE)
    built = published(content, tmp_path / "public", AFTER)
    notify(content, first, built, AFTER, env, retry=FAST)
    languages = [json.loads(r.body)["language"] for r in receiver.at("/hooks")]
    assert sorted(languages) == ["en", "en", "en", "fr", "fr", "fr"]
    assert receiver.at("/search") == []


def test_a_maintenance_reminder_goes_once(servers, tmp_path: Path) -> None:
    """`remind: 1h`: one message when the window starts within the hour, not again."""
    receiver, mailbox = servers
    content = site(
        tmp_path, "remind: 1h\n" + NOTIFY.replace("events: [created, updated]", "events: [reminder]")
    )
    env = environment(receiver, mailbox)
    earlier, now = T("2012-06-28T20:00:00-07:00"), T("2012-06-28T21:15:00-07:00")
    first = published(content, tmp_path / "first", earlier)
    built = published(content, tmp_path / "public", now)
    notify(content, first, built, now, env, retry=FAST)
    (reminder,) = [json.loads(r.body) for r in receiver.at("/hooks")]
    assert reminder["event"] == "reminder" and reminder["entry"]["slug"] == "2012-06-28-migration-base"
    assert "22:00" in reminder["text"]
    assert notify(content, first, built, now, env, retry=FAST).sent == []


def test_a_missing_secret_is_named_and_nothing_is_sent(servers, tmp_path: Path) -> None:
    """A variable that is not set stops the run before anything is sent, naming it (no value)."""
    receiver, mailbox = servers
    content = site(tmp_path)
    env = environment(receiver, mailbox)
    del env["MAIL_URL"]
    first = published(content, tmp_path / "first", BEFORE)
    built = published(content, tmp_path / "public", AFTER)
    with pytest.raises(ContentError) as caught:
        notify(content, first, built, AFTER, env, retry=FAST)
    assert "the environment variable MAIL_URL is not set" in str(caught.value)
    assert not [value for value in env.values() if value in str(caught.value)]  # (no other's value)
    assert receiver.received == [] and mailbox.messages == []


def test_a_dry_run_sends_nothing_and_says_what_it_would(servers, tmp_path: Path) -> None:
    """`--dry-run`: what would go to whom, URLs redacted; nothing sent, no record written."""
    receiver, mailbox = servers
    content = site(tmp_path)
    env = environment(receiver, mailbox)
    first = published(content, tmp_path / "first", BEFORE)
    built = published(content, tmp_path / "public", AFTER)
    lines: list[str] = []
    outcome = notify(content, first, built, AFTER, env, dry_run=True, retry=FAST, tell=lines.append)
    assert len(outcome.planned) == 4 * 3 and receiver.received == [] and mailbox.messages == []
    assert not (built / RECORD).exists()
    assert lines[0].startswith("would send to hooks (http://127.0.0.1/…): [Chirp")
    assert all("/hooks" not in line and "/chat" not in line and "lists.chirp" not in line for line in lines)


def test_the_record_survives_a_rebuild(tmp_path: Path, servers) -> None:
    """`build` carries the record over from the output it replaces."""
    receiver, mailbox = servers
    content = site(tmp_path)
    env = environment(receiver, mailbox)
    first = published(content, tmp_path / "first", BEFORE)
    built = published(content, tmp_path / "public", AFTER)
    notify(content, first, built, AFTER, env, retry=FAST)
    record = (built / RECORD).read_bytes()
    build(content, built, AFTER)
    assert (built / RECORD).read_bytes() == record


def test_a_kill_between_channels_then_a_rerun(servers, tmp_path: Path) -> None:
    """SIGKILL while a message is in flight: the rerun sends each remaining message once, and only
    the one in flight arrives twice (with the same id: the receiver had it, the sender never
    heard so)."""
    receiver, mailbox = servers
    content = site(tmp_path, NOTIFY.split("  - name: mail")[0] + "  - name: second\n    url: ${SEARCH_URL}\n")
    env = {**os.environ, **environment(receiver, mailbox)}
    first = published(content, tmp_path / "first", BEFORE)
    built = published(content, tmp_path / "public", AFTER)
    killed_during(content, first, built, env, receiver, "/search")
    rerun = subprocess.run(command(content, first, built), env=env, capture_output=True, text=True)
    assert rerun.returncode == 0, rerun.stderr
    assert len(receiver.at("/hooks")) == 3  # the first channel: done before the kill, nothing again
    ids = [r.headers["webhook-id"] for r in receiver.at("/search")]
    assert len(ids) == 4 and len(set(ids)) == 3 and ids[0] == ids[1]  # (the one in flight, twice)


def command(content: Path, previous: Path, built: Path, *more: str) -> list[str]:
    """`statusgen notify` as CI runs it."""
    return [
        *(sys.executable, "-m", "statusgen", "notify", "--content", str(content)),
        *("--since", str(previous), "--output", str(built), *more),
    ]


def killed_during(
    content: Path, previous: Path, built: Path, env: dict[str, str], receiver: Receiver, path: str
) -> None:
    """Run notify and SIGKILL it as soon as its first message to `path` has arrived (unanswered)."""
    receiver.hold[path] = held = threading.Event()
    receiver.arrived[path] = arrived = threading.Event()
    process = subprocess.Popen(
        command(content, previous, built), env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    try:
        assert arrived.wait(120), f"no message ever arrived at {path}"
    finally:
        process.send_signal(signal.SIGKILL)
        process.communicate()
        del receiver.hold[path]
        held.set()


def fetched(live: Path, folder: Path) -> Path:
    """What the workflow fetches of the published site (`live`) before building."""
    for name in (*COMPARED_FILES, RECORD, "api/statusgen/next-change.json"):
        if (live / name).is_file():
            (folder / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(live / name, folder / name)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def deployed(public: Path, live: Path) -> None:
    """Publish a build: the live site becomes a copy of it."""
    shutil.rmtree(live, ignore_errors=True)
    shutil.copytree(public, live)


@pytest.mark.parametrize("runner_lost", [False, True])
def test_a_ci_job_killed_while_notifying_then_run_again(servers, tmp_path: Path, runner_lost: bool) -> None:
    """The starter workflow's publish job (build → notify --record-only → deploy → notify → deploy
    the record, always) killed during notify, then run again from a fresh checkout, which knows
    only the published site. Nothing is ever lost: when the last deploy still ran, only the message
    in flight goes twice; when the runner itself was lost, the messages of the killed run go again
    (same ids, for receivers to drop), since the published record never heard of them."""
    receiver, mailbox = servers
    content = site(tmp_path, NOTIFY.split("  - name: mail")[0] + "  - name: second\n    url: ${SEARCH_URL}\n")
    env = {**os.environ, **environment(receiver, mailbox)}
    live = tmp_path / "live"
    deployed(published(content, tmp_path / "first", BEFORE), live)
    for attempt in (1, 2):
        previous = fetched(live, tmp_path / f"previous-{attempt}")
        public = published(content, tmp_path / f"public-{attempt}", AFTER)  # (a fresh checkout: no record)
        subprocess.run(
            command(content, previous, public, "--record-only"), env=env, check=True, capture_output=True
        )
        deployed(public, live)
        if attempt == 1:
            killed_during(content, previous, public, env, receiver, "/search")
            if not runner_lost:
                deployed(public, live)  # (the record's deploy runs `always()`)
        else:
            rerun = subprocess.run(
                command(content, previous, public), env=env, capture_output=True, text=True
            )
            assert rerun.returncode == 0, rerun.stderr
            deployed(public, live)
    hooks = [r.headers["webhook-id"] for r in receiver.at("/hooks")]
    search = [r.headers["webhook-id"] for r in receiver.at("/search")]
    assert len(set(hooks)) == 3 and len(set(search)) == 3  # every update reached every channel
    if runner_lost:
        assert len(hooks) == 6 and len(search) == 4  # all of the killed run's again, same ids
    else:
        assert len(hooks) == 3 and len(search) == 4 and search[0] == search[1]  # the one in flight
    record = json.loads((live / RECORD).read_text())
    assert record["pending"] == {} and {len(ids) for ids in record["delivered"].values()} == {3}


def test_notify_announces_what_the_output_says_not_what_the_clock_says(servers, tmp_path: Path) -> None:
    """Without --now, notify takes the instant the output was built at (next-change.json's
    `as_of`): an output built at 10:30 announces nothing new against the 10:30 site, whatever
    the clock says; one built at 12:00 announces the three updates since."""
    receiver, mailbox = servers
    content = site(tmp_path, NOTIFY.split("  - name: mail")[0])
    env = {**os.environ, **environment(receiver, mailbox)}
    first = published(content, tmp_path / "first", BEFORE)
    same = published(content, tmp_path / "same", BEFORE)
    run = subprocess.run(command(content, first, same), env=env, capture_output=True, text=True)
    assert run.returncode == 0 and "Nothing new to announce." in run.stdout and receiver.received == []
    later = published(content, tmp_path / "later", AFTER)
    run = subprocess.run(command(content, first, later), env=env, capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    assert [json.loads(r.body)["update"]["status"] for r in receiver.at("/hooks")] == [
        "identified",
        "monitoring",
        "resolved",
    ]


def test_the_websub_hub_is_linked_and_pinged_for_changed_feeds(servers, tmp_path: Path) -> None:
    """With `websub_hub`, every feed links the hub, and notify pings it once per changed feed."""
    receiver, _ = servers
    content = site(tmp_path, f"websub_hub: {receiver.url}/hub\n")
    first = published(content, tmp_path / "first", BEFORE)
    built = published(content, tmp_path / "public", AFTER)
    for name in ("updates.atom", "en/updates.rss", "components/web/history.atom"):
        parsed = feedparser.parse((built / name).read_bytes())
        assert not parsed.bozo, name
        assert (
            f'href="{receiver.url}/hub"' in (built / name).read_text()
            and 'rel="hub"' in (built / name).read_text()
        )
    outcome = notify(content, first, built, AFTER, {}, retry=FAST)
    pings = [parse_qs(r.body.decode()) for r in receiver.at("/hub")]
    urls = {p["hub.url"][0] for p in pings}
    assert all(p["hub.mode"] == ["publish"] for p in pings)
    assert (
        "https://status.example.com/updates.atom" in urls
        and "https://status.example.com/en/history.rss" in urls
    )
    assert len(urls) == len(pings) == len(outcome.pinged)
    assert notify(content, first, built, AFTER, {}, retry=FAST).pinged == []  # (once)


def test_reminders_are_counted_by_next_change_and_calendars_carry_an_alarm(tmp_path: Path) -> None:
    """`remind: 1h`: next-change names the reminder's instant; each VEVENT has a VALARM 1 h before."""
    content = site(tmp_path, "remind: 1h\n")
    built = published(content, tmp_path / "public", T("2012-06-28T12:00:00-07:00"))
    upcoming = json.loads((built / "api/statusgen/next-change.json").read_text())["upcoming"]
    assert {
        "at": "2012-06-28T21:00:00-07:00",
        "reason": "maintenance 2012-06-28-migration-base is due a reminder",
    } in upcoming
    calendar = icalendar.Calendar.from_ical((built / "maintenance.ics").read_bytes())
    alarms = [c for c in calendar.walk("VALARM")]
    assert alarms and all(a["trigger"].dt == -timedelta(hours=1) for a in alarms)


@pytest.mark.parametrize(
    ("channels", "expected"),
    [
        (
            "  - name: a\n    url: ${A}\n    events: [updatd]\n",
            "notify[0].events[0]: unknown event 'updatd'; expected one of created, updated, "
            "status_changed, postmortem, reminder (did you mean 'updated'?)",
        ),
        (
            "  - name: a\n    url: ${A}\n  - name: A\n    url: ${B}\n",
            "notify[1].name: the channel name 'A' is used twice",
        ),
        (
            "  - name: a\n    url: ${A}\n    secret: whsec_abc\n",
            "notify[0].secret: a secret must come from the environment: write ${NAME}, not the secret",
        ),
        (
            "  - name: a\n    url: slack://T000/B000/XXXXXXXXXXXXXXXX\n",
            "notify[0].url: this URL holds what looks like a token or password",
        ),
        (
            "  - name: a\n    url: ${A}\n    components: [webb]\n",
            "notify[0].components[0]: unknown component 'webb'",
        ),
        ("  - name: a\n    url: ${A\n", "notify[0].url: expected ${NAME}"),
    ],
)
def test_channel_mistakes_are_located_without_any_secret(
    tmp_path: Path, channels: str, expected: str
) -> None:
    """`build`/`check` check the section's shape, with no environment at all."""
    content = site(tmp_path, "notify:\n" + channels)
    with pytest.raises(ContentError) as caught:
        build(content, tmp_path / "public", AFTER)
    assert expected in str(caught.value)
    assert "site.yaml:" in str(caught.value)


def test_remind_takes_a_duration(tmp_path: Path) -> None:
    """`remind: soon` is a located error saying what is expected."""
    content = site(tmp_path, "remind: soon\n")
    with pytest.raises(ContentError) as caught:
        build(content, tmp_path / "public", AFTER)
    assert "remind: expected a duration such as 1h, 30m, 2h30m or 1d, got 'soon'" in str(caught.value)
