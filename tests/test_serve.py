"""`statusgen serve`: a real server on 127.0.0.1, driven through the command line, bounded in time."""

from __future__ import annotations

import re
import selectors
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

import statusgen.serve
from statusgen.serve import Preview
from tests.conftest import incident_text

DEADLINE = 30.0  # seconds any one wait may take


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
        assert selector.select(DEADLINE), "serve printed nothing"
        line = process.stdout.readline()  # type: ignore[union-attr]
        found = re.search(r"http://127\.0\.0\.1:\d+/", line)
        assert found, line
        yield found.group(0), content, process
    finally:
        process.terminate()
        process.wait(timeout=DEADLINE)


def get(url: str) -> tuple[int, str, str]:
    """(status, content type, text) of a GET."""
    try:
        with urllib.request.urlopen(url, timeout=DEADLINE) as response:
            return response.status, response.headers["Content-Type"], response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.headers["Content-Type"], error.read().decode()


def until(condition: Callable[[], bool]) -> None:
    """Wait for `condition`, at most DEADLINE seconds."""
    end = time.monotonic() + DEADLINE
    while not condition():
        assert time.monotonic() < end, "timed out"
        time.sleep(0.2)


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
    since = re.search(r"since=(\d+)", get(url)[2]).group(1)  # type: ignore[union-attr]
    with urllib.request.urlopen(f"{url}__statusgen__/events?since={since}", timeout=DEADLINE) as events:
        (content / "incidents" / "down.md").write_text(incident_text(title="Website back"), encoding="utf-8")
        assert events.readline() == b"data: reload\n"
    until(lambda: "Website back" in get(url)[2])


def test_a_content_error_keeps_the_last_good_build_and_says_why(served) -> None:
    """A broken file: the terminal names it, every page shows it on top of the last good build;
    once fixed, the error is gone."""
    url, content, process = served
    broken = content / "incidents" / "broken.md"
    broken.write_text("---\ntitle: Oops\nimpact: huge\n", encoding="utf-8")
    until(lambda: 'role="alert"' in get(url)[2])
    status, _, page = get(url)
    assert status == 200 and "Website down" in page and "broken.md:1: the front matter" in page
    broken.unlink()
    until(lambda: 'role="alert"' not in get(url)[2])
    process.terminate()
    _, errors = process.communicate(timeout=DEADLINE)
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
        urllib.request.build_opener(NoRedirect()).open(request, timeout=DEADLINE)
    assert caught.value.code == 301 and caught.value.headers["Location"] == "/history/"


def test_a_busy_port_is_refused_before_building_and_leaves_nothing(make_content) -> None:
    """Another program on the port: a usage error at once, and no preview folder left behind."""
    content = make_content()
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        before = set(Path(tempfile.gettempdir()).glob("statusgen-preview-*"))
        result = subprocess.run(
            [sys.executable, "-m", "statusgen", "serve", "--content", str(content), "--port", str(port)],
            capture_output=True,
            text=True,
            timeout=DEADLINE,
        )
    assert result.returncode == 2 and f"cannot listen on 127.0.0.1:{port}" in result.stderr
    assert set(Path(tempfile.gettempdir()).glob("statusgen-preview-*")) == before


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


def test_the_preview_follows_the_clock_to_the_next_scheduled_change(make_content) -> None:
    """Without --now, a maintenance that starts while the preview runs is shown in progress when
    it starts, with no edit to the content."""
    start = datetime.now(UTC).replace(microsecond=0) + timedelta(seconds=3)
    window = f"start: {start.isoformat()}\nend: {(start + timedelta(hours=1)).isoformat()}\n"
    content = make_content(
        {"maintenance/db.md": f"---\ntitle: Database upgrade\n{window}components: [api]\n---\n"}
    )
    with Preview(content, 0, log=lambda line: None) as preview:
        page = get(preview.url + "maintenance/db/")[2]
        assert "Scheduled" in page and "In progress" not in page
        until(lambda: "In progress" in get(preview.url + "maintenance/db/")[2])
