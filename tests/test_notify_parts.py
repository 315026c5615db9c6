"""The parts of `statusgen notify` one at a time, fast: transports (against a local HTTP server),
the record, the channel settings, the scheduled run's `due`; hostile and careless inputs first."""

from __future__ import annotations

import base64
import contextlib
import json
import os
import re
import shutil
import socket
import stat
import subprocess
import sys
import threading
from collections.abc import Iterator
from datetime import datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from click.testing import CliRunner

from statusgen import ContentError, build
from statusgen.cli import main
from statusgen.derive import Kind
from statusgen.errors import PublishError
from statusgen.models import Event
from statusgen.notify.messages import Message, Notice
from statusgen.notify.record import RECORD, Record
from statusgen.notify.run import Retry, notify
from statusgen.notify.transports import (
    BadChannel,
    Mail,
    Webhook,
    bounded,
    defused,
    redacted,
    transport_for,
)
from statusgen.publish import output_lock
from statusgen.schedule import due

EXAMPLE = Path(__file__).parent.parent / "content"
NOW = datetime.fromisoformat("2012-06-21T10:30:00-07:00")
SECRET = "whsec_" + base64.b64encode(b"a-signing-key-of-thirty-bytes!").decode()
NOTICE = Notice("incidents/x/update/1", Event.CREATED, Kind.INCIDENT, "x", NOW, 1)
MESSAGE = Message(
    "msg_abc", "hooks", "en", NOTICE, "[S] T — Identified", "T", "Identified", "text", "<p>text</p>",
    "https://status.example.com/incidents/x/#update-1", {"id": "msg_abc"},
)  # fmt: skip
NO_WAIT = Retry(attempts=4, first_wait=0.0, sleep=lambda seconds: None)


# ---------------------------------------------------------------- a local HTTP server


@contextlib.contextmanager
def answering(
    status: int, headers: dict[str, str] | None = None
) -> Iterator[tuple[str, list[dict[str, str]]]]:
    """An HTTP server on 127.0.0.1 answering every request with `status`; yields its URL and the
    headers of the requests it got (method and path included)."""
    seen: list[dict[str, str]] = []

    class Handler(BaseHTTPRequestHandler):
        def answer(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            self.rfile.read(length)
            seen.append(
                {"method": self.command, "path": self.path, **{k.lower(): v for k, v in self.headers.items()}}
            )
            self.send_response(status)
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.send_header("Content-Length", "0")
            self.end_headers()

        do_POST = do_GET = answer

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, args=(0.01,), daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", seen
    finally:
        server.shutdown()
        server.server_close()


# ---------------------------------------------------------------- transports


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("https://hooks.slack.com/services/T0/B0/SECRETTOKEN", "https://hooks.slack.com/…"),
        ("smtp://user:SECRETPW@mail.example:587?from=a@b.example&to=c@d.example", "smtp://mail.example/…"),
        ("pbul://o7SECRETaccessTOKEN", "pbul://…"),
        ("ntfy://SECRETTOPIC", "ntfy://…"),
        ("pover://user@SECRETTOKEN", "pover://…"),
        ("https://[::1/SECRET", "a malformed URL"),
    ],
)
def test_a_printed_url_never_shows_a_token(url: str, shown: str) -> None:
    """Only a webhook's or SMTP server's host is shown; chat services keep tokens where a host goes."""
    assert redacted(url) == shown and "SECRET" not in redacted(url).upper()


@pytest.mark.parametrize(
    ("url", "secret", "said"),
    [
        ("http://127.0.0.1:1/services/T0 SECRETX", "", "a space or a control character"),
        ("http://127.0.0.1:1/a\x7fSECRETX", "", "a space or a control character"),
        ("http://127.0.0.1:SECRETPORT/x", "", "malformed"),
        ("https://[::1/SECRETX", "", "malformed"),
        ("https://hooks.example/x", "SECRETabc", "whsec_"),
        ("https://hooks.example/x", "whsec_SECRET-not-base64!!", "not base64"),
        ("https://hooks.example/x", "whsec_" + base64.b64encode(b"SECRETshort").decode(), "24 to 64 bytes"),
        (
            "smtp://mail.example?from=a@b.example%0d%0aBcc:SECRETX@evil.example&to=c@d.example",
            "",
            "plain addresses",
        ),
        ("smtp://mail.example?from=a@b.example&to=a@b@c", "", "plain addresses"),
        ("smtp://user:SECRETPW@mail.example?from=a@b.example&to=c@d.example", "", "only encrypted"),
        ("smtp://mail.example?from=a@b.example&to=c@d.example", SECRET, "only webhooks"),
        ("mail.example/hook", "", "a scheme"),
    ],
)
def test_a_channel_that_cannot_work_is_refused_before_sending(url: str, secret: str, said: str) -> None:
    """Mistakes in a URL or secret are a BadChannel naming the mistake, never quoting the URL."""
    with pytest.raises(BadChannel) as caught:
        transport_for(url, secret)
    assert said in str(caught.value) and "SECRET" not in str(caught.value)


def test_a_plus_in_an_address_stays_a_plus() -> None:
    """`to=ops+alerts@…` is the address written (not `ops alerts@…`, as form decoding makes it)."""
    mail = Mail.from_url(
        "smtps://mail.example?from=status+noreply@x.example&to=ops+alerts@x.example,b@y.example"
    )
    assert mail.sender == "status+noreply@x.example"
    assert mail.recipients == ("ops+alerts@x.example", "b@y.example") and mail.port == 465


def test_a_webhook_always_carries_its_id_and_a_password_becomes_basic_auth() -> None:
    """Unsigned, a webhook still sends `webhook-id` and `webhook-timestamp` (receivers drop
    duplicates by it); a user and password in the URL go as HTTP Basic, not in the host."""
    with answering(204) as (url, seen):
        Webhook.from_url(url.replace("http://", "http://ops:pa%40ss@") + "/hook").send(MESSAGE)
    (request,) = seen
    assert request["webhook-id"] == "msg_abc" and request["webhook-timestamp"].isdigit()
    assert "webhook-signature" not in request
    assert request["authorization"] == "Basic " + base64.b64encode(b"ops:pa@ss").decode()
    assert request["path"] == "/hook"


def test_a_redirect_is_a_failure_not_a_delivery() -> None:
    """A 3xx is not followed (urllib would turn the POST into a GET with no body and call that
    delivered): the attempt fails, once, naming the redirect."""
    with answering(302, {"Location": "/elsewhere"}) as (url, seen):
        reason = NO_WAIT.run(lambda: transport_for(url + "/hook")(MESSAGE))
    assert "302" in reason and "redirect" in reason
    assert [(r["method"], r["path"]) for r in seen] == [("POST", "/hook")]


@pytest.mark.parametrize(("status", "attempts"), [(404, 1), (410, 1), (429, 4), (503, 4)])
def test_a_4xx_is_not_tried_again_at_once(status: int, attempts: int) -> None:
    """A client error (but 408, 429) cannot pass by retrying: one attempt; a 5xx gets four."""
    with answering(status) as (url, seen):
        reason = NO_WAIT.run(lambda: transport_for(url + "/hook")(MESSAGE))
    assert f"HTTP {status}" in reason and len(seen) == attempts


def test_an_attempt_has_a_deadline_in_all_and_is_not_tried_again() -> None:
    """A server that answers a byte at a time cannot hold notify: an attempt that has not ended by
    the deadline fails (the sender below never returns on its own), and is not tried again in the
    run, since it may still land."""
    release = threading.Event()
    calls: list[Message] = []

    def stuck(message: Message) -> None:
        calls.append(message)
        release.wait()

    try:
        reason = NO_WAIT.run(lambda: bounded(stuck, deadline=0.05)(MESSAGE))
    finally:
        release.set()
    assert reason == "no answer within 0.05 s" and calls == [MESSAGE]


def test_an_unexpected_error_of_a_transport_is_a_failure_by_its_kind() -> None:
    """Whatever a transport raises, the run goes on, and the reason names the kind of error only
    (its text may quote the URL)."""

    def broken() -> None:
        raise ValueError("http://user:SECRETPW@host/token")

    assert NO_WAIT.run(broken) == "an unexpected ValueError"


def test_mentions_that_page_a_whole_room_are_defused() -> None:
    """`@everyone` in an entry's title does not ping every subscriber of a Discord or Slack room."""
    written = "Outage @everyone @HERE @channel @room @**all**, mail user@all.example"
    text = defused(written)
    assert not [m for m in ("@everyone", "@HERE", "@channel", "@room", "@**all**") if m in text]
    assert text.replace("\u200b", "") == written and "user@all.example" in text  # (addresses kept)


# ---------------------------------------------------------------- the record


def write_record(folder: Path, text: str) -> Path:
    """A record file with this text in a site folder."""
    path = folder / RECORD
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ('{"format": 1, "delivered": {"hooks": ["msg_a"]', "not JSON"),
        ('{"format": 1, "delivered": {"hooks": "msg_a"}}', "'delivered' is not"),
        ('{"format": 1, "pending": [1]}', "'pending' is not"),
        ('{"format": 1, "websub": "x"}', "'websub' is not"),
        ('["msg_a"]', "not a statusgen record"),
        ('{"format": 99}', "not a statusgen record"),
    ],
)
def test_a_record_that_cannot_be_read_is_an_error_not_an_empty_record(
    tmp_path: Path, text: str, said: str
) -> None:
    """Read as empty, a damaged record would send again everything it says was delivered."""
    path = write_record(tmp_path, text)
    with pytest.raises(PublishError) as caught:
        Record.read(tmp_path)
    assert said in str(caught.value) and str(path) in str(caught.value)


def test_no_record_is_read_or_written_through_a_symbolic_link(tmp_path: Path) -> None:
    """A site whose api/statusgen is a link elsewhere: reading and writing the record refuse, and
    nothing is written where the link points."""
    elsewhere, site = tmp_path / "elsewhere", tmp_path / "site"
    elsewhere.mkdir()
    (site / "api").mkdir(parents=True)
    (site / "api/statusgen").symlink_to(elsewhere)
    with pytest.raises(PublishError, match="symbolic link"):
        Record.read(site)
    with pytest.raises(PublishError, match="symbolic link"):
        Record(delivered={"hooks": {"msg_a"}}).save(site)
    assert os.listdir(elsewhere) == []


def test_the_record_is_written_whole_readable_by_all_and_leaves_nothing_behind(tmp_path: Path) -> None:
    """0644 like every file of the site; a folder in its place is an error and leaves no
    temporary file to be deployed."""
    record = Record(delivered={"hooks": {"msg_b", "msg_a"}}, pending={"mail": {"k"}}, websub={"f:1"})
    record.save(tmp_path)
    path = tmp_path / RECORD
    assert stat.S_IMODE(path.stat().st_mode) == 0o644
    assert json.loads(path.read_text()) == {
        "format": 1,
        "delivered": {"hooks": ["msg_a", "msg_b"]},
        "pending": {"mail": ["k"]},
        "websub": ["f:1"],
    }
    assert Record.read(tmp_path) == record
    path.unlink()
    path.mkdir()
    with pytest.raises(PublishError, match="a folder stands where the record goes"):
        record.save(tmp_path)
    assert sorted(p.name for p in path.parent.iterdir()) == ["notified.json"]


def test_build_carries_no_record_reached_by_a_link(tmp_path: Path) -> None:
    """An old output whose record is a link to a file elsewhere: the build refuses to carry (and
    so publish) what the link points to."""
    public = tmp_path / "public"
    build(EXAMPLE, public, NOW)
    outside = tmp_path / "credentials.txt"
    outside.write_text("AWS_SECRET_ACCESS_KEY=SECRETX\n")
    (public / RECORD).symlink_to(outside)
    with pytest.raises(PublishError, match="symbolic link"):
        build(EXAMPLE, public, NOW)
    assert (public / RECORD).is_symlink()  # (the previous output untouched)


# ---------------------------------------------------------------- settings, CLI and schedule


def site_with(tmp_path: Path, extra: str) -> Path:
    """The example content with more lines in site.yaml."""
    content = tmp_path / "content"
    shutil.copytree(EXAMPLE, content)
    with (content / "site.yaml").open("a", encoding="utf-8") as file:
        file.write(extra)
    return content


@pytest.mark.parametrize(
    "url",
    [
        "https://hooks.example/hook?token=abc123",
        "https://hooks.example/${PATH}?token=literal",
        "smtp://mail.example?from=a@b.example&to=c@d.example&password=PW",
        "ntfy://mytopic",
    ],
)
def test_a_token_written_in_site_yaml_is_refused(tmp_path: Path, url: str) -> None:
    """site.yaml is public: a credential in a URL's query, or a chat URL written out whole, is a
    located error asking for ${NAME}, even when other parts of the URL are variables."""
    content = site_with(tmp_path, f"notify:\n  - name: a\n    url: {url}\n")
    with pytest.raises(ContentError, match=r"notify\[0\]\.url: this URL holds what looks like a token"):
        build(content, tmp_path / "public", NOW)


def test_a_huge_remind_is_a_located_error(tmp_path: Path) -> None:
    """`remind: 99999999999999999999d` is said to be out of range, not an OverflowError."""
    content = site_with(tmp_path, "remind: 99999999999999999999d\n")
    with pytest.raises(ContentError, match="remind: expected a duration from 1m to 30d"):
        build(content, tmp_path / "public", NOW)


def test_notify_refuses_a_previous_site_that_is_not_there_and_an_output_that_is_not_a_site(
    tmp_path: Path,
) -> None:
    """A mistyped --since (or a URL) is not taken for a first publication; an --output that
    `build` did not make gets no record written into it."""
    content = site_with(tmp_path, "notify:\n  - name: a\n    url: ${A}\n")
    missing = CliRunner().invoke(
        main,
        [
            "notify",
            "--content",
            str(content),
            "--since",
            "https://status.example.com/",
            "--output",
            str(tmp_path),
        ],
    )
    assert missing.exit_code == 2 and "does not exist" in missing.output
    (tmp_path / "previous").mkdir()
    result = CliRunner().invoke(
        main,
        [
            "notify",
            "--content",
            str(content),
            "--since",
            str(tmp_path / "previous"),
            "--output",
            str(content),
        ],
    )
    assert result.exit_code == 1 and "expected the output of `statusgen build`" in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert not (content / RECORD).exists()


def test_a_failing_channel_never_shows_its_secret(tmp_path: Path) -> None:
    """A channel whose server refuses the connection: the reason, the printed lines and the record
    hold no password or token of its URL."""
    content = site_with(tmp_path, "notify:\n  - name: hooks\n    url: ${HOOK}\n")
    first, public = tmp_path / "first", tmp_path / "public"
    build(content, first, NOW)
    build(content, public, datetime.fromisoformat("2012-06-21T12:00:00-07:00"))
    lines: list[str] = []
    with socket.socket() as refusing:  # (bound, never listening: connections are refused)
        refusing.bind(("127.0.0.1", 0))
        env = {"HOOK": f"http://ops:SECRETPW@127.0.0.1:{refusing.getsockname()[1]}/hooks/SECRETTOKEN"}
        later = datetime.fromisoformat("2012-06-21T12:00:00-07:00")
        outcome = notify(content, first, public, later, env, retry=NO_WAIT, tell=lines.append)
    assert list(outcome.failed) == ["hooks"] and "ConnectionRefusedError" in outcome.reasons["hooks"]
    shown = json.dumps([lines, outcome.reasons, outcome.failed]) + (public / RECORD).read_text()
    assert "SECRET" not in shown
    assert json.loads((public / RECORD).read_text())["pending"]["hooks"]  # (owed for a later run)


def test_a_dry_run_needs_no_secret(tmp_path: Path) -> None:
    """`--dry-run` with none of the channels' variables set (a pull request from a fork) still
    says what would go to whom, and which variables a real run needs."""
    content = site_with(
        tmp_path, "notify:\n  - name: hooks\n    url: ${HOOK_URL}\n    secret: ${HOOK_SECRET}\n"
    )
    first, public = tmp_path / "first", tmp_path / "public"
    later = datetime.fromisoformat("2012-06-21T12:00:00-07:00")
    build(content, first, NOW)
    build(content, public, later)
    lines: list[str] = []
    outcome = notify(content, first, public, later, {"HOOK_SECRET": ""}, dry_run=True, tell=lines.append)
    assert len(outcome.planned) == 3 and not (public / RECORD).exists()
    assert lines[0].startswith("would send to hooks ($HOOK_SECRET, $HOOK_URL not set): [")
    with pytest.raises(ContentError, match="the environment variable HOOK_URL is not set"):
        notify(content, first, public, later, {}, retry=NO_WAIT)


def test_a_scheduled_run_is_due_when_the_published_site_says_so(tmp_path: Path) -> None:
    """`next-change --since PUBLISHED`: due (exit 0) when its next change has come, when
    notifications are owed (tried again hourly), or when it says nothing; not due (exit 1)
    otherwise."""
    published = tmp_path / "published"
    build(EXAMPLE, published, NOW)
    at = json.loads((published / "api/statusgen/next-change.json").read_text())
    assert at["as_of"] == NOW.isoformat() and at["next_change"]["at"] == "2012-06-21T10:40:00-07:00"
    assert due(published, NOW) == ""
    assert due(published, datetime.fromisoformat("2012-06-21T10:40:00-07:00")).endswith("posts update 5")
    quiet = datetime.fromisoformat("2012-06-20T09:00:00-07:00")  # (next change: midnight)
    build(EXAMPLE, published, quiet)
    Record(pending={"mail": {"incidents/x/update/1"}}).save(published)
    assert due(published, quiet + timedelta(minutes=59)) == ""  # (not at every run)
    assert due(published, quiet + timedelta(hours=1)) == "notifications still owed to mail"
    (published / RECORD).write_text("{")
    assert "cannot be read" in due(published, quiet + timedelta(hours=1))
    (published / RECORD).unlink()
    run = CliRunner().invoke(main, ["next-change", "--since", str(published), "--now", quiet.isoformat()])
    assert run.exit_code == 1 and run.output == "not due\n"
    (published / "api/statusgen/next-change.json").unlink()
    run = CliRunner().invoke(main, ["next-change", "--since", str(published), "--now", quiet.isoformat()])
    assert run.exit_code == 0 and run.output.startswith("due: the published site has no readable")


# ---------------------------------------------------------------- the starter workflow's shell steps


def workflow_step(name: str, values: dict[str, str]) -> str:
    """The shell of one step of the starter workflow's publish job, its `${{ … }}` filled in."""
    import yaml

    workflow = yaml.safe_load((Path(__file__).parent.parent / "statusgen/starter/workflow.yml").read_text())
    (step,) = [s for s in workflow["jobs"]["publish"]["steps"] if s.get("name") == name]
    script = str(step["run"])
    for expression, value in values.items():
        script = script.replace("${{ " + expression + " }}", value)
    assert "${{" not in script, script
    return script


@contextlib.contextmanager
def serving(folder: Path, failing: str = "") -> Iterator[str]:
    """A published site: `folder` served on 127.0.0.1 (`failing`, a path answering 500), a missing
    file answered 200 with an HTML page, as some hosts do."""
    from functools import partial
    from http.server import SimpleHTTPRequestHandler

    class Handler(SimpleHTTPRequestHandler):
        def do_GET(self) -> None:
            if failing and self.path.endswith(failing):
                self.send_error(500)
            elif not (folder / self.path.lstrip("/")).exists():  # (as some hosts do: 200, a page)
                self.send_response(200)
                self.send_header("Content-Type", "text/html")
                self.send_header("Content-Length", "16")
                self.end_headers()
                self.wfile.write(b"<p>Not found</p>")
            else:
                super().do_GET()

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(Handler, directory=str(folder)))
    threading.Thread(target=server.serve_forever, args=(0.01,), daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


def run_step(script: str, cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """Run a step's shell as GitHub does (`bash -e`), with `statusgen` on the PATH."""
    bin_dir = Path(sys.executable).parent
    env = {**os.environ, **env, "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}"}
    return subprocess.run(["bash", "-e", "-c", script], cwd=cwd, env=env, capture_output=True, text=True)


@pytest.mark.slow  # (bash, curl and statusgen processes)
def test_the_workflow_fetches_the_published_site_and_skips_only_when_nothing_is_due(tmp_path: Path) -> None:
    """The starter workflow's shell, run: it fetches the published JSON (a 404 is a first
    publication, a 500 stops the job), and a scheduled run of a published commit builds only
    when the published site is due."""
    live = tmp_path / "live"
    build(EXAMPLE, live, NOW)
    (live / RECORD).unlink(missing_ok=True)
    repo = tmp_path / "repo"
    with serving(live) as url:
        shutil.copytree(EXAMPLE, repo / "content")
        site_yaml = repo / "content/site.yaml"
        site_yaml.write_text(site_yaml.read_text().replace("https://status.example.com/", url))
        fetched = run_step(workflow_step("Fetch what is published now", {}), repo, {})
        assert fetched.returncode == 0, fetched.stderr
    for name in ("api/v2/status.json", "api/v2/incidents.json", "api/statusgen/next-change.json"):
        assert (repo / "previous" / name).read_bytes() == (live / name).read_bytes()
    assert not (repo / "previous" / RECORD).exists()  # (none published yet: a page answered 200)
    with serving(live, failing="incidents.json") as url:
        text = site_yaml.read_text()
        site_yaml.write_text(re.sub(r"base_url: \S+", f"base_url: {url}", text))
        broken = run_step(workflow_step("Fetch what is published now", {}), repo, {})
        assert broken.returncode == 1 and "answered 500" in broken.stdout

    def is_due(event: str, published_commit: bool, now: datetime) -> bool:
        output = tmp_path / "github-output"
        output.write_text("")
        values = {
            "github.event_name": event,
            "steps.published.outputs.cache-hit": str(published_commit).lower(),
        }
        env = {"GITHUB_OUTPUT": str(output), "SOURCE_DATE_EPOCH": str(int(now.timestamp()))}
        ran = run_step(workflow_step("Due?", values), repo, env)
        assert ran.returncode == 0, ran.stderr
        return output.read_text() == "due=true\n"

    later = datetime.fromisoformat("2012-06-21T10:45:00-07:00")  # (update 5 is due at 10:40)
    assert not is_due("schedule", True, NOW)
    assert is_due("schedule", True, later) and is_due("schedule", False, NOW) and is_due("push", True, NOW)


# ---------------------------------------------------------------- one writer of an output at a time


def blocked_on_a_lock(process: subprocess.Popen[str]) -> bool:
    """Wait until `process` waits for a file lock (True), or has ended (False): /proc/locks lists
    each waiter as `-> FLOCK … <pid> …`."""
    while process.poll() is None:
        for line in Path("/proc/locks").read_text().splitlines():
            fields = line.split()
            if "->" in fields and str(process.pid) in fields:
                return True
    return False


def statusgen(*arguments: str, env: dict[str, str] | None = None) -> subprocess.Popen[str]:
    """`statusgen` in a process of its own (with more environment variables)."""
    command = [sys.executable, "-m", "statusgen", *arguments]
    environment = {**os.environ, **(env or {})}
    return subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=environment
    )


@pytest.mark.skipif(not Path("/proc/locks").exists(), reason="needs Linux's /proc/locks")
def test_a_build_waits_for_notify_and_keeps_the_record_it_wrote(tmp_path: Path) -> None:
    """A build started while `notify` writes its record (holding the output's lock) waits, then
    carries over the record as notify left it: a delivery noted meanwhile is not undone."""
    public = tmp_path / "public"
    build(EXAMPLE, public, NOW)
    Record(delivered={"hooks": {"msg_old"}}).save(public)
    with output_lock(public):
        process = statusgen(
            "build", "--content", str(EXAMPLE), "--output", str(public), "--now", NOW.isoformat()
        )
        assert blocked_on_a_lock(process), process.communicate()
        Record(delivered={"hooks": {"msg_old", "msg_new"}}).save(public)
    assert process.wait() == 0, process.communicate()
    assert Record.read(public).delivered == {"hooks": {"msg_old", "msg_new"}}


@pytest.mark.slow  # (two builds, a notify process)
@pytest.mark.skipif(not Path("/proc/locks").exists(), reason="needs Linux's /proc/locks")
def test_notify_waits_for_another_writer_and_reads_the_record_after_it(tmp_path: Path) -> None:
    """A notify started while another holds the output's lock waits, then reads the record as the
    other left it: what the other delivered meanwhile is not sent again."""
    content = site_with(tmp_path, "notify:\n  - name: hooks\n    url: ${HOOK}\n")
    first, public = tmp_path / "first", tmp_path / "public"
    later = datetime.fromisoformat("2012-06-21T12:00:00-07:00")
    build(content, first, NOW)
    build(content, public, later)
    planned = notify(content, first, public, later, {"HOOK": "https://hooks.example/x"}, dry_run=True).planned
    assert len(planned) == 3
    with answering(204) as (url, seen):
        with output_lock(public):
            arguments = ("notify", "--content", str(content), "--since", str(first), "--output", str(public))
            process = statusgen(*arguments, env={"HOOK": url + "/hooks"})
            assert blocked_on_a_lock(process), process.communicate()
            Record(delivered={"hooks": {m.id for _, _, m in planned}}).save(public)
        out, err = process.communicate()
        assert process.returncode == 0, err
    assert "Nothing new to announce." in out and seen == []
