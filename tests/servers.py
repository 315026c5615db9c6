"""Real local servers for the notification tests, on 127.0.0.1 only: an HTTP receiver (webhooks,
a chat service's JSON endpoint, a WebSub hub) and an SMTP server (aiosmtpd)."""

from __future__ import annotations

import contextlib
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Received:
    """One request the HTTP receiver got."""

    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class Receiver:
    """An HTTP server that keeps what it receives; a path can fail a number of times (503) first,
    or hold its requests, received but not answered, until the test sets the event (to kill a
    sender while a message is in flight)."""

    url: str = ""
    received: list[Received] = field(default_factory=list)
    failures: dict[str, int] = field(default_factory=dict)
    hold: dict[str, threading.Event] = field(default_factory=dict)
    arrived: dict[str, threading.Event] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def at(self, path: str) -> list[Received]:
        """What arrived on one path, in order."""
        with self.lock:
            return [r for r in self.received if r.path == path]


def free_port() -> int:
    """A port free on 127.0.0.1 now (aiosmtpd's controller cannot bind port 0)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextlib.contextmanager
def http_receiver() -> Iterator[Receiver]:
    """Run a Receiver on 127.0.0.1 for the block."""
    receiver = Receiver()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            path = self.path.split("?", 1)[0]
            with receiver.lock:
                receiver.received.append(
                    Received(path, {k.lower(): v for k, v in self.headers.items()}, body)
                )
                failing = receiver.failures.get(path, 0)
                if failing:
                    receiver.failures[path] = failing - 1
            arrived = receiver.arrived.get(path)
            hold = receiver.hold.get(path)
            if arrived is not None:
                arrived.set()
            if hold is not None and not hold.is_set():
                hold.wait()  # (received, not yet answered: until the test releases it)
            with contextlib.suppress(OSError):  # (a sender killed meanwhile hears nothing)
                self.send_response(503 if failing else 200)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    receiver.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, args=(0.01,), daemon=True)
    thread.start()
    try:
        yield receiver
    finally:
        for event in receiver.hold.values():
            event.set()
        server.shutdown()
        server.server_close()


@dataclass
class Mailbox:
    """What the SMTP server received, parsed."""

    port: int
    messages: list[EmailMessage] = field(default_factory=list)
    envelopes: list[tuple[str, list[str]]] = field(default_factory=list)


@contextlib.contextmanager
def smtp_server() -> Iterator[Mailbox]:
    """Run an SMTP server (aiosmtpd) on 127.0.0.1 for the block."""
    from aiosmtpd.controller import Controller

    box = Mailbox(free_port())

    class Handler:
        async def handle_DATA(self, server: object, session: object, envelope: object) -> str:
            data = envelope.original_content or envelope.content  # type: ignore[attr-defined]
            box.messages.append(message_from_bytes(data, policy=policy.default))  # type: ignore[arg-type]
            box.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))  # type: ignore[attr-defined]
            return "250 OK"

    controller = Controller(Handler(), hostname="127.0.0.1", port=box.port)
    controller.start()
    try:
        yield box
    finally:
        controller.stop()
