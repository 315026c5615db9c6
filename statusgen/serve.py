"""`statusgen serve`: a local preview that shows exactly what a build publishes, and keeps up.

The site is built (by `build.build`, as `statusgen build` does) into a private folder and served on
127.0.0.1. Every change under the content folder or the themes beside it rebuilds it, and so does
the time of the site's next scheduled change (a maintenance starting, an incident leaving the
recent list: the build's `next-change.json`) when the preview follows the clock; open pages reload
themselves: the server adds a few lines of script to the HTML it serves (never to the
built files) that listen for the next build on a server-sent event stream. A build that fails keeps
the last good one served, with the problems shown on top of every page and in the terminal.
"""

from __future__ import annotations

import contextlib
import html
import json
import posixpath
import re
import shutil
import tempfile
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, quote, unquote, urlsplit

import watchfiles

from statusgen.build import build, default_cache_dir, theme_search_path
from statusgen.cdn import content_type
from statusgen.errors import Problem, StatusgenError
from statusgen.publish import MARKER

EVENTS_PATH = "/__statusgen__/events"
KEEP_ALIVE_SECONDS = 15.0
# The names this machine answers to in a Host header, with any port: anything else is another site's
# name pointed at 127.0.0.1 (DNS rebinding), whose pages must not read the preview.
LOCAL_HOST = re.compile(r"(?:127\.0\.0\.1|localhost|\[::1\])(?::\d{1,5})?", re.IGNORECASE)


class Preview:
    """Builds a site into a private folder, serves it on 127.0.0.1 and rebuilds it on changes.

    `now` fixes the instant the site is built as of (default: the clock at each build). Use it as
    a context manager, or call `start` and `stop`.
    """

    def __init__(
        self,
        content_dir: Path,
        port: int = 8000,
        now: datetime | None = None,
        log: Callable[[str], None] = print,
    ) -> None:
        """Prepare (nothing is built or served before `start`)."""
        self.content_dir = Path(content_dir)
        self.port = port
        self.now = now
        self.log = log
        self.folder = Path(tempfile.mkdtemp(prefix="statusgen-preview-"))
        self.output = self.folder / "site"
        # One more after every build, good or not: open pages reload. It starts from the clock, so
        # a page left open from an earlier preview reloads at once rather than after as many builds.
        self.version = time.time_ns() // 1_000_000
        self.built = False  # whether some build succeeded (what is served)
        self.problems: tuple[Problem, ...] = ()  # those of the last build, if it failed
        self.due: datetime | None = None  # when the built site next changes by itself
        self.changed = threading.Condition()
        self.stopping = threading.Event()
        self.watching = threading.Event()  # set once changes are being watched (or watching failed)
        self.server: ThreadingHTTPServer | None = None
        self._serving = False
        self._threads: list[threading.Thread] = []

    @property
    def url(self) -> str:
        """Where the preview is served."""
        return f"http://127.0.0.1:{self.port}/"

    def watched(self) -> list[Path]:
        """The folders whose changes rebuild the site: the content and the themes beside it."""
        themes = theme_search_path(self.content_dir)[0]
        return [self.content_dir, *([themes] if themes.is_dir() else [])]

    def rebuild(self) -> bool:
        """Build the site; on content errors keep the last good build and remember the problems."""
        now = self.now or datetime.now(UTC).replace(microsecond=0)
        try:
            build(self.content_dir, self.output, now, cache_dir=default_cache_dir(self.content_dir))
        except Exception as error:  # the preview outlives any failed build (a file vanishing mid-build…)
            if isinstance(error, StatusgenError):
                problems: tuple[Problem, ...] = tuple(error.problems)
            else:
                problems = (Problem(str(self.content_dir), None, "", f"the build failed: {error!r}"),)
            for problem in problems:
                self.log(str(problem))
            kept = "the last good build stays served" if self.built else "nothing to serve yet"
            self.log(f"{len(problems)} error{'s' if len(problems) != 1 else ''}; {kept}.")
        else:
            problems = ()
            self.built = True
            self.due = _next_change(self.output) if self.now is None else None
            self.log(f"Built as of {now.isoformat()}.")
        with self.changed:
            self.problems = problems
            self.version += 1
            self.changed.notify_all()
        return not problems

    def start(self) -> None:
        """Listen (an address in use fails here, before anything is built), start watching, build
        once, then serve, in background threads. It returns once changes are watched, so no edit
        made after it is missed, however late the watcher's thread runs. On failure everything is
        cleaned up."""
        try:
            self.server = ThreadingHTTPServer(("127.0.0.1", self.port), _handler(self))
            self.server.daemon_threads = True
            self.port = self.server.server_address[1]
            self._spawn(self._watch)  # (watching while the first build reads the content)
            self.rebuild()
            self.watching.wait()
        except BaseException:
            self.stop()
            raise
        self._spawn(self.server.serve_forever)
        self._serving = True

    def _spawn(self, target: Callable[[], object]) -> None:
        """Run `target` in a daemon thread, joined by `stop`."""
        thread = threading.Thread(target=target, daemon=True)
        thread.start()
        self._threads.append(thread)

    def _watch(self) -> None:
        """Rebuild on every change, and when the site's next scheduled change comes (the watcher
        wakes twice a second to see, the first time saying it watches)."""
        try:
            for changes in watchfiles.watch(
                *self.watched(),
                stop_event=self.stopping,
                debounce=200,
                rust_timeout=500,
                yield_on_timeout=True,
            ):
                self.watching.set()
                if self.stopping.is_set():
                    return
                due = self.due is not None and datetime.now(UTC) >= self.due
                if changes or due:
                    self.rebuild()
        finally:
            self.watching.set()  # (watching failed: `start` must not wait for it)

    def stop(self) -> None:
        """Stop serving and watching, and remove the private folder."""
        self.stopping.set()
        with self.changed:
            self.changed.notify_all()
        if self.server is not None:
            if self._serving:  # (serve_forever runs: ask it to stop)
                self.server.shutdown()
            self.server.server_close()
        for thread in self._threads:
            thread.join(timeout=5)
        shutil.rmtree(self.folder, ignore_errors=True)

    def __enter__(self) -> Preview:
        """Start."""
        self.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        """Stop."""
        self.stop()

    def wait(self, since: int, timeout: float) -> int:
        """The version after `since`, or `since` again when `timeout` passes first."""
        with self.changed:
            self.changed.wait_for(lambda: self.version > since or self.stopping.is_set(), timeout)
            return self.version


def _handler(preview: Preview) -> type[BaseHTTPRequestHandler]:
    """A request handler serving `preview`'s output."""

    class Handler(BaseHTTPRequestHandler):
        server_version = "statusgen-preview"

        def handle(self) -> None:
            """Answer the connection's requests; a client leaving early is one quiet line, not a
            traceback (an event stream's client leaving, which every reload does, not even that)."""
            try:
                super().handle()
            except (BrokenPipeError, ConnectionResetError):
                command, path = getattr(self, "command", None), getattr(self, "path", "")
                asked = f" ({_printable(command)} {_printable(path)})" if command else ""
                preview.log(f"A client closed its connection before its answer was sent{asked}.")

        def do_GET(self) -> None:
            """Serve a file of the site, or the stream of builds."""
            if self._misdirected():
                return
            parts = urlsplit(self.path)
            if parts.path == EVENTS_PATH:
                self._events(parts.query)
            else:
                self._file(unquote(parts.path))

        def do_HEAD(self) -> None:
            """Like GET, without the body."""
            if not self._misdirected():
                self._file(unquote(urlsplit(self.path).path), body=False)

        def _misdirected(self) -> bool:
            """Refuse (and say so) a request without exactly one Host header (400, as HTTP/1.1
            requires) or whose Host is not this machine's (421)."""
            hosts = self.headers.get_all("Host") or []
            if len(hosts) != 1:
                self.send_error(HTTPStatus.BAD_REQUEST, "A request needs exactly one Host header.")
            elif not LOCAL_HOST.fullmatch(hosts[0].strip()):
                self.send_error(
                    HTTPStatus.MISDIRECTED_REQUEST,
                    "The preview answers only for 127.0.0.1, localhost and [::1].",
                )
            else:
                return False
            return True

        def _file(self, path: str, body: bool = True) -> None:
            if not path.endswith("/") and _is_folder(preview.output, path):
                self.send_response(HTTPStatus.MOVED_PERMANENTLY)  # (as a CDN does: relative links work)
                self.send_header("Location", _folder_location(path))
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            with preview.changed:
                version, problems, built = preview.version, preview.problems, preview.built
            if not built:
                self._send(
                    HTTPStatus.INTERNAL_SERVER_ERROR, "errors.html", _error_page(problems, version), body
                )
                return
            found = _resolve(preview.output, path)
            status = HTTPStatus.OK
            if found is None:
                found, status = preview.output / "404.html", HTTPStatus.NOT_FOUND
            try:
                data = found.read_bytes()
            except OSError:  # (replaced by a build between the two calls: read it again)
                self.send_error(HTTPStatus.SERVICE_UNAVAILABLE, "a build is being published; reload")
                return
            if found.suffix == ".html":
                data = _decorated(data, problems, version)
            self._send(status, found.name, data, body)

        def _send(self, status: HTTPStatus, name: str, data: bytes, body: bool) -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type(name))
            self.send_header("Content-Length", str(len(data)))
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            if body:
                self.wfile.write(data)

        def _events(self, query: str) -> None:
            """Send one "reload" event once a build newer than the page's (`since`) is done."""
            try:
                since = int(parse_qs(query).get("since", ["0"])[0])
            except ValueError:
                since = 0
            self.send_response(HTTPStatus.OK)
            self.send_header("Content-Type", "text/event-stream")
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            with contextlib.suppress(OSError):
                while not preview.stopping.is_set():
                    if preview.wait(since, KEEP_ALIVE_SECONDS) > since:
                        self.wfile.write(b"data: reload\n\n")
                        self.wfile.flush()
                        return
                    self.wfile.write(b": still here\n\n")
                    self.wfile.flush()

        def log_message(self, format: str, *args: object) -> None:
            """Quiet: the terminal is for build results."""

    return Handler


def _next_change(output: Path) -> datetime | None:
    """When the built site next changes by itself, from its `api/statusgen/next-change.json`."""
    try:
        data = json.loads((output / "api" / "statusgen" / "next-change.json").read_bytes())
        return datetime.fromisoformat(data["next_change"]["at"]) if data.get("next_change") else None
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _normalised(path: str) -> str:
    """A decoded URL path made canonical: one leading `/`, no trailing one, no empty, `.` or `..`
    segments, never above the root."""
    return "/" + posixpath.normpath("/" + path).strip("/")


def _folder_location(path: str) -> str:
    """Where a folder asked without its slash is redirected: its normalised path, percent-encoded,
    on this origin (one leading `/`, never `//` or `/\\`, which browsers read as another host)."""
    normal = _normalised(path)
    return quote(normal if normal == "/" else normal + "/")


def _is_folder(root: Path, path: str) -> bool:
    """Whether a URL path names a folder of the site holding a page."""
    found = _resolve(root, path)
    return found is not None and found.parent == root / _normalised(path).lstrip("/")


def _printable(text: str) -> str:
    """`text` safe to print on a terminal: control characters escaped, at most 200 characters."""
    escaped = "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)
    return escaped if len(escaped) <= 200 else escaped[:199] + "…"


def _resolve(root: Path, path: str) -> Path | None:
    """The file of the site a URL path names (a folder's index.html), never outside `root`, nor the
    marker (`publish.MARKER`: not deployed, so not served)."""
    normal = _normalised(path).lstrip("/")
    if "\0" in normal or normal == MARKER:  # (the marker is no page)
        return None
    candidate = root / normal if normal else root
    try:
        if candidate.is_dir():
            candidate = candidate / "index.html"
        candidate.resolve().relative_to(root.resolve())
        return candidate if candidate.is_file() else None
    except (ValueError, OSError):  # (outside the root; a name too long for the file system)
        return None


def _script(version: int) -> str:
    """What reloads a served page when the next build is done (the preview only)."""
    return (
        f'<script>new EventSource("{EVENTS_PATH}?since={version}")'
        ".onmessage = () => location.reload();</script>"
    )


def _problems_html(problems: tuple[Problem, ...]) -> str:
    lines = "\n".join(html.escape(str(problem)) for problem in problems)
    count = len(problems)
    return (
        '<div role="alert" style="background:#cf222e;color:#fff;padding:1rem;'
        'font:14px/1.4 system-ui,sans-serif">'
        f"<strong>statusgen: {count} error{'s' if count != 1 else ''} in the content.</strong> "
        "The page below is the last good build; it reloads when the content is fixed."
        f'<pre style="white-space:pre-wrap;margin:.5rem 0 0">{lines}</pre></div>'
    )


def _decorated(data: bytes, problems: tuple[Problem, ...], version: int) -> bytes:
    """A built page with the reloading script, and the problems of the last build if it failed."""
    text = data.decode("utf-8")
    if problems:
        body = re.search(r"<body[^>]*>", text)
        at = body.end() if body else 0
        text = text[:at] + _problems_html(problems) + text[at:]
    end = text.rfind("</body>")
    at = end if end >= 0 else len(text)
    return (text[:at] + _script(version) + text[at:]).encode("utf-8")


def _error_page(problems: tuple[Problem, ...], version: int) -> bytes:
    """What is served while no build has succeeded yet."""
    return (
        '<!DOCTYPE html><html lang="en"><meta charset="utf-8"><title>statusgen: errors</title><body>'
        + _problems_html(problems).replace("The page below is the last good build; it", "The page")
        + _script(version)
        + "</body></html>"
    ).encode("utf-8")
