"""`statusgen serve`: a real server on 127.0.0.1, driven through the command line and in process.

Every wait is on an event (the server's output, a build finishing, a request ending); SAFETY only
bounds them so that a broken test fails instead of hanging.
"""

from __future__ import annotations

import http.client
import os
import re
import selectors
import socket
import struct
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

import statusgen.serve
from statusgen.serve import Preview
from tests.conftest import SITE_YAML, incident_text, write_tree

# Slow (outside `pytest -m "not slow and not browser"`): the preview server, and waits on its file watcher.
pytestmark = pytest.mark.slow

SAFETY = 120.0  # seconds: the bound of any one wait, never a pace


@pytest.fixture
def served(make_content) -> Iterator[tuple[str, Path, subprocess.Popen[str]]]:
    """`statusgen serve --port 0` on a small site: (its URL, the content folder, the process)."""
    content = make_content({"incidents/down.md": incident_text(title="Website down")})
    command = [
        sys.executable,
        "-m",
        "statusgen",
        "serve",
        "--content",
        str(content),
        "--port",
        "0",
        "--now",
        "2012-06-21T10:30:00-07:00",
    ]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        selector = selectors.DefaultSelector()
        selector.register(process.stdout, selectors.EVENT_READ)  # type: ignore[arg-type]
        assert selector.select(SAFETY), "serve printed nothing"
        line = process.stdout.readline()  # type: ignore[union-attr]
        found = re.search(r"http://127\.0\.0\.1:\d+/", line)
        assert found, line
        yield found.group(0), content, process
    finally:
        process.terminate()
        process.wait(timeout=SAFETY)


@pytest.fixture(scope="module")
def preview(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Preview]:
    """A preview, in process, of a small site with one incident, and its log in `preview.lines`."""
    content = write_tree(
        tmp_path_factory.mktemp("serve") / "content",
        {"site.yaml": SITE_YAML, "incidents/down.md": incident_text(title="Website down")},
    )
    lines: list[str] = []
    with Preview(content, 0, datetime.fromisoformat("2012-06-21T10:30:00-07:00"), lines.append) as running:
        running.lines = lines  # type: ignore[attr-defined]
        yield running


def get(url: str) -> tuple[int, str, str]:
    """(status, content type, text) of a GET."""
    try:
        with urllib.request.urlopen(url, timeout=SAFETY) as response:
            return response.status, response.headers["Content-Type"], response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.headers["Content-Type"], error.read().decode()


def ask(
    port: int, path: str = "/", hosts: tuple[str, ...] | None = None, method: str = "GET"
) -> http.client.HTTPResponse:
    """The answer to a request sent with exactly the given Host headers (default: the preview's own)."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=SAFETY)
    connection.putrequest(method, path, skip_host=True, skip_accept_encoding=True)
    for host in (f"127.0.0.1:{port}",) if hosts is None else hosts:
        connection.putheader("Host", host)
    connection.endheaders()
    response = connection.getresponse()
    response.read()
    connection.close()
    return response


def write_atomically(path: Path, text: str) -> None:
    """Replace a file at once, so that the watcher never builds it half written."""
    part = path.with_name(f".{path.name}.part")
    part.write_text(text, encoding="utf-8")
    os.replace(part, path)


def version_of(page: str) -> int:
    """The build a page served by the preview comes from (its reloading script says)."""
    found = re.search(r"since=(\d+)", page)
    assert found, "not a page served by the preview"
    return int(found.group(1))


def next_build(url: str, version: int, end: float) -> None:
    """Wait for a build newer than `version`: the preview's event stream says "reload"."""
    with urllib.request.urlopen(f"{url}__statusgen__/events?since={version}", timeout=SAFETY) as events:
        for line in events:  # (a keep-alive comment every 15 seconds until then)
            if line == b"data: reload\n":
                return
            assert time.monotonic() < end, "no new build"
    raise AssertionError("the event stream ended without a reload")


def served_when(url: str, condition: Callable[[str], bool]) -> str:
    """The page at `url` once `condition` holds for it, looking again after each build."""
    end = time.monotonic() + SAFETY
    while not condition(page := get(url)[2]):
        assert time.monotonic() < end, "the condition never held"
        next_build(url[: url.index("/", len("http://")) + 1], version_of(page), end)
    return page


def test_serve_answers_with_the_right_content_types(served) -> None:
    """Pages, feeds, JSON, calendars and badges each with their type; unknown paths, and the
    build's marker (which deploy does not upload), get the 404 page; nothing outside the site is
    reachable."""
    url, _, _ = served
    status, kind, page = get(url)
    assert (status, kind) == (200, "text/html; charset=utf-8") and "Website down" in page
    assert "EventSource" in page  # the preview's reloading script (never in the built files)
    css = re.search(r'href="\./(static/style\.[0-9a-f]+\.css)"', page).group(1)  # type: ignore[union-attr]
    paths = ("history.atom", "history.rss", "api/v2/summary.json", "maintenance.ics", "badge.svg", css)
    types = {path: get(url + path)[1] for path in paths}
    assert types == {
        "history.atom": "application/atom+xml; charset=utf-8",
        "history.rss": "application/rss+xml; charset=utf-8",
        "api/v2/summary.json": "application/json; charset=utf-8",
        "maintenance.ics": "text/calendar; charset=utf-8",
        "badge.svg": "image/svg+xml",
        css: "text/css; charset=utf-8",
    }
    assert get(url + "no/such/page/")[0] == 404
    assert get(url + "%2e%2e/%2e%2e/%2e%2e/etc/passwd")[0] == 404
    assert get(url + ".statusgen-output")[0] == 404  # (the build's marker: no part of the site)


def test_an_edit_is_served_and_open_pages_are_told_to_reload(served) -> None:
    """Editing an incident rebuilds the site: the event stream of an open page says "reload" and
    the page then shows the edit."""
    url, content, _ = served
    since = version_of(get(url)[2])
    write_atomically(content / "incidents" / "down.md", incident_text(title="Website back"))
    next_build(url, since, time.monotonic() + SAFETY)
    served_when(url, lambda page: "Website back" in page)  # (that build, or one after it)


def test_a_content_error_keeps_the_last_good_build_and_says_why(served) -> None:
    """A broken file: the terminal names it, every page shows it on top of the last good build;
    once fixed, the error is gone."""
    url, content, process = served
    broken = content / "incidents" / "broken.md"
    broken.write_text("---\ntitle: Oops\nimpact: huge\n", encoding="utf-8")
    served_when(url, lambda page: 'role="alert"' in page)
    status, _, page = get(url)
    assert status == 200 and "Website down" in page and "broken.md:1: the front matter" in page
    broken.unlink()
    served_when(url, lambda page: 'role="alert"' not in page)
    process.terminate()
    _, errors = process.communicate(timeout=SAFETY)
    assert "broken.md:1: the front matter opened on line 1 is never closed" in errors
    assert "1 error; the last good build stays served." in errors


def test_a_folder_without_its_slash_is_redirected(served) -> None:
    """`/history` answers 301 to `/history/`, as CDNs do, so the page's relative links work."""
    url, _, _ = served
    request = urllib.request.Request(url + "history", method="HEAD")

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args: object, **kwargs: object) -> None:
            return None

    with pytest.raises(urllib.error.HTTPError) as caught:
        urllib.request.build_opener(NoRedirect()).open(request, timeout=SAFETY)
    assert caught.value.code == 301 and caught.value.headers["Location"] == "/history/"


def test_a_busy_port_is_refused_before_building_and_leaves_nothing(make_content, tmp_path: Path) -> None:
    """Another program on the port: a usage error at once, and no preview folder left behind (in
    a temporary folder of the test's own, which no other test or program touches meanwhile)."""
    content = make_content()
    temporary = tmp_path / "tmp"
    temporary.mkdir()
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = subprocess.run(
            [sys.executable, "-m", "statusgen", "serve", "--content", str(content), "--port", str(port)],
            capture_output=True,
            text=True,
            timeout=SAFETY,
            env={**os.environ, "TMPDIR": str(temporary)},
        )
    assert result.returncode == 2 and f"cannot listen on 127.0.0.1:{port}" in result.stderr
    assert list(temporary.iterdir()) == []


def test_the_preview_outlives_a_build_that_fails_for_another_reason(make_content, monkeypatch) -> None:
    """A file vanishing mid-build (say, during a git checkout) is reported like a content error;
    the preview keeps serving the last good build and keeps watching."""
    content = make_content({"incidents/down.md": incident_text()})
    lines: list[str] = []
    preview = Preview(content, 0, log=lines.append)
    with preview:
        good = preview.version

        def vanished(*args: object, **kwargs: object) -> None:
            raise FileNotFoundError(2, "No such file or directory", "incidents/down.md")

        monkeypatch.setattr(statusgen.serve, "build", vanished)
        assert preview.rebuild() is False and preview.version > good
        assert "the build failed: FileNotFoundError" in lines[-2] and preview.built
        status, _, page = get(preview.url)
        assert status == 200 and 'role="alert"' in page and "Website down" in page
        monkeypatch.undo()
        assert preview.rebuild() is True and 'role="alert"' not in get(preview.url)[2]


def test_the_preview_follows_the_clock_to_the_next_scheduled_change(make_content, monkeypatch) -> None:
    """Without --now, a maintenance that starts while the preview runs is shown in progress when
    it starts, with no edit to the content (the clock is the test's, moved past the start)."""
    start = datetime(2030, 1, 1, 12, tzinfo=UTC)

    class Clock(datetime):
        moment = start - timedelta(hours=1)

        @classmethod
        def now(cls, tz: object = None) -> datetime:  # type: ignore[override]
            return cls.moment.astimezone(tz)  # type: ignore[arg-type]

    monkeypatch.setattr(statusgen.serve, "datetime", Clock)
    window = f"start: {start.isoformat()}\nend: {(start + timedelta(hours=1)).isoformat()}\n"
    content = make_content(
        {"maintenance/db.md": f"---\ntitle: Database upgrade\n{window}components: [api]\n---\n"}
    )
    with Preview(content, 0, log=lambda line: None) as preview:
        page = get(preview.url + "maintenance/db/")[2]
        assert "Scheduled" in page and "In progress" not in page
        assert preview.due == start
        Clock.moment = start + timedelta(seconds=1)
        served_when(preview.url + "maintenance/db/", lambda page: "In progress" in page)


def test_an_edit_made_as_soon_as_the_preview_runs_is_not_missed(make_content, monkeypatch) -> None:
    """However late the watcher's thread starts (a loaded machine), `start` returns only once it
    watches: an edit made right after is built."""
    content = make_content({"incidents/down.md": incident_text(title="Website down")})
    watch = statusgen.serve.watchfiles.watch

    def late(*args: object, **kwargs: object) -> Iterator[set[object]]:
        time.sleep(0.5)  # (not a wait: the delay of a thread scheduled late)
        yield from watch(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(statusgen.serve.watchfiles, "watch", late)
    with Preview(content, 0, log=lambda line: None) as preview:
        write_atomically(content / "incidents" / "down.md", incident_text(title="Website back"))
        served_when(preview.url, lambda page: "Website back" in page)


@pytest.mark.parametrize(
    ("path", "location"),
    [
        ("/history", "/history/"),
        ("/%2f%2fcomponents/..", "/"),  # (once `Location: ///components/../`: http://components/)
        ("/%2F%2Fhistory", "/history/"),
        ("//history", "/history/"),
        ("///history/..", "/"),
        ("/%5c%5chistory/..", "/"),
        ("/%5C%5C/..", "/"),
        ("/\\history/..", "/"),
        ("/%2e%2e/history", "/history/"),
        ("/%2e%2e/%2e%2e//history", "/history/"),
        ("/history/%2e%2e", "/"),
        ("/history/%2E", "/history/"),
        ("/./%2f/history", "/history/"),
        ("/en/..", "/"),
    ],
)
def test_redirects_stay_on_the_preview(preview: Preview, path: str, location: str) -> None:
    """A folder asked without its slash is redirected to its normalised path on the same origin:
    one leading slash, never `//` or `/\\` (which browsers read as another host)."""
    response = ask(preview.port, path)
    assert (response.status, response.headers["Location"]) == (301, location)
    assert ask(preview.port, location).status == 200


@pytest.mark.parametrize("path", ["/%2f%2fexample.com", "/%5cexample.com", "//example.com", "/\\example.com"])
def test_a_path_naming_another_host_is_not_found(preview: Preview, path: str) -> None:
    """Paths shaped like another host name no folder of the site: 404, and no Location at all."""
    response = ask(preview.port, path)
    assert (response.status, response.headers["Location"]) == (404, None)


@pytest.mark.parametrize(
    "path",
    ["/" + "a" * 300, "/" + "a" * 300 + "/", "/" + "a/" * 3000, "/history/" + "%61" * 300, "/a%00b"],
)
def test_a_path_the_file_system_cannot_hold_is_not_found(preview: Preview, path: str, capsys) -> None:
    """A name longer than the file system allows (a stat would fail with ENAMETOOLONG) is a 404,
    GET and HEAD alike, never a traceback in the terminal and a connection closed unanswered."""
    for method in ("GET", "HEAD"):
        assert ask(preview.port, path, method=method).status == 404, method
    assert "Traceback" not in capsys.readouterr().err


def test_only_requests_for_this_machine_are_answered(preview: Preview) -> None:
    """A Host other than 127.0.0.1, localhost or [::1] (any port) gets 421 Misdirected Request,
    pages, HEAD and the event stream alike: a page elsewhere cannot read the preview through DNS
    rebinding. A request without exactly one Host header gets 400."""
    port = preview.port
    for host in (
        f"127.0.0.1:{port}",
        "127.0.0.1",
        f"localhost:{port}",
        "LocalHost",
        f"[::1]:{port}",
        "[::1]",
    ):
        assert ask(preview.port, "/", (host,)).status == 200, host
    refused = (
        "attacker.example",
        f"attacker.example:{port}",
        f"127.0.0.1.attacker.example:{port}",
        "localhost.attacker.example",
        f"attacker.example#@127.0.0.1:{port}",
        "127.0.0.2",
        "0.0.0.0",
        "[::2]",
        "::1",
        f"localhost:{port}:{port}",
        "localhost:http",
        "",
    )
    for host in refused:
        for method, path in (
            ("GET", "/"),
            ("HEAD", "/"),
            ("GET", "/history"),
            ("GET", "/__statusgen__/events"),
        ):
            response = ask(preview.port, path, (host,), method)
            assert response.status == 421, (host, method, path)
            assert (
                response.headers["Location"] is None
                and response.headers["Content-Type"] != "text/event-stream"
            )
    assert ask(preview.port, "/", ()).status == 400
    assert ask(preview.port, "/", (f"127.0.0.1:{port}", "attacker.example")).status == 400
    with socket.create_connection(("127.0.0.1", port), timeout=SAFETY) as client:  # (HTTP/1.0, no Host)
        client.sendall(b"GET / HTTP/1.0\r\n\r\n")
        assert client.makefile("rb").readline().split()[1] == b"400"


def disconnect_early(preview: Preview, request: bytes, monkeypatch: pytest.MonkeyPatch) -> threading.Event:
    """Send `request` on a raw socket, read the answer's first byte, then reset the connection;
    the event the server sets once done with the connection."""
    assert preview.server is not None
    done = threading.Event()
    shutdown_request = preview.server.shutdown_request

    def shut(connection: socket.socket) -> None:  # (the server's last step with a connection)
        shutdown_request(connection)
        done.set()

    monkeypatch.setattr(preview.server, "shutdown_request", shut)
    client = socket.socket()
    client.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)  # (the answer cannot all fit in buffers)
    client.settimeout(SAFETY)
    client.connect(("127.0.0.1", preview.port))
    client.sendall(request)
    assert client.recv(1) == b"H"  # (the server is answering)
    client.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    client.close()  # (reset, as a browser tab closed mid-load)
    return done


def test_a_client_leaving_during_a_big_answer_is_one_quiet_line(
    preview: Preview, monkeypatch, capsys
) -> None:
    """A browser leaving while a big file is sent: one line in the preview's log, no traceback."""
    (preview.output / "big.txt").write_bytes(b"statusgen " * 1_600_000)  # (16 MB: more than buffers hold)
    before = len(preview.lines)  # type: ignore[attr-defined]
    done = disconnect_early(preview, b"GET /big.txt HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n", monkeypatch)
    assert done.wait(SAFETY)
    assert "Traceback" not in capsys.readouterr().err
    assert preview.lines[before:] == [  # type: ignore[attr-defined]
        "A client closed its connection before its answer was sent (GET /big.txt)."
    ]


def test_a_client_leaving_the_event_stream_is_silent(preview: Preview, monkeypatch, capsys) -> None:
    """A page leaving its event stream (every reload does) prints nothing, at the next build either."""
    before = len(preview.lines)  # type: ignore[attr-defined]
    request = f"GET /__statusgen__/events?since={preview.version} HTTP/1.1\r\nHost: localhost\r\n\r\n"
    done = disconnect_early(preview, request.encode(), monkeypatch)
    preview.rebuild()  # (the stream then writes to the closed connection)
    assert done.wait(SAFETY)
    assert "Traceback" not in capsys.readouterr().err
    assert preview.lines[before:] == [preview.lines[-1]] and preview.lines[-1].startswith("Built as of")  # type: ignore[attr-defined]
