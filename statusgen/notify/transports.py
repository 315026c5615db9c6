"""How a message reaches a channel, by its URL's scheme: statusgen's own webhook (`http://`,
`https://`, signed with Standard Webhooks when the channel has a `secret`), e-mail (`smtp://`,
`smtps://`, `smtp+starttls://`, with the standard library) or a chat service through Apprise
(`slack://`, `msteams://`, `discord://`, `mmost://`, `json://` and the many others it speaks).

A transport raises `DeliveryFailed` with a reason that never holds the URL or a secret.
"""

from __future__ import annotations

import json
import logging
import smtplib
import ssl
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import formatdate
from urllib.parse import parse_qs, unquote, urlsplit

from statusgen import __version__
from statusgen.notify.messages import Message

TIMEOUT = 15.0  # seconds, per attempt
WEBHOOK_SCHEMES = ("http", "https")
MAIL_SCHEMES = ("smtp", "smtps", "smtp+starttls")


class DeliveryFailed(Exception):
    """A message could not be delivered; the text says why (never the URL or a secret)."""


class BadChannel(ValueError):
    """A channel's URL, once expanded, cannot deliver (the text never quotes the URL)."""


def redacted(url: str) -> str:
    """A URL as it may be printed: its scheme and host only (tokens live in paths and queries)."""
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
    except ValueError:
        return "a malformed URL"
    return f"{parts.scheme}://{host}/…" if host else f"{parts.scheme}://…"


Send = Callable[[Message], None]


def transport_for(url: str, secret: str = "") -> Send:
    """The function that delivers a channel's messages, chosen by the URL's scheme."""
    scheme = urlsplit(url).scheme.lower() if "://" in url else ""
    if scheme in WEBHOOK_SCHEMES:
        return Webhook(url, secret).send
    if scheme in MAIL_SCHEMES:
        return Mail.from_url(url).send
    if not scheme:
        raise BadChannel("expected a URL with a scheme (https://, smtp://, slack://…)")
    if secret:
        raise BadChannel("only webhooks (http:// and https:// URLs) are signed")
    return _apprise(url)


# ---------------------------------------------------------------- webhooks


@dataclass(frozen=True)
class Webhook:
    """statusgen's webhook: a JSON POST, signed with Standard Webhooks when there is a secret."""

    url: str
    secret: str = ""
    clock: Callable[[], datetime] = lambda: datetime.now(UTC)  # the real time of sending, never `--now`

    def send(self, message: Message) -> None:
        """POST the message's payload; anything but a 2xx answer is a failure."""
        body = json.dumps(message.payload, ensure_ascii=False, separators=(",", ":")).encode()
        headers = {"Content-Type": "application/json", "User-Agent": f"statusgen/{__version__}"}
        if self.secret:
            from standardwebhooks import Webhook as Signer  # (imported when a webhook is signed)

            sent_at = self.clock()
            headers["webhook-id"] = message.id
            headers["webhook-timestamp"] = str(int(sent_at.timestamp()))
            headers["webhook-signature"] = Signer(self.secret).sign(message.id, sent_at, body)
        request = urllib.request.Request(self.url, data=body, headers=headers, method="POST")
        try:
            with urllib.request.urlopen(request, timeout=TIMEOUT) as answer:
                answer.read()
        except urllib.error.HTTPError as error:
            raise DeliveryFailed(f"the webhook answered HTTP {error.code}") from None
        except (urllib.error.URLError, OSError) as error:
            reason = getattr(error, "reason", error)
            raise DeliveryFailed(f"the webhook could not be reached ({type(reason).__name__})") from None


# ---------------------------------------------------------------- e-mail


@dataclass(frozen=True)
class Mail:
    """E-mail through an SMTP server: `smtp://[USER:PASSWORD@]HOST:PORT?from=ADDR&to=ADDR[,ADDR]`."""

    scheme: str
    host: str
    port: int
    sender: str
    recipients: tuple[str, ...]
    user: str = ""
    password: str = ""

    @classmethod
    def from_url(cls, url: str) -> Mail:
        """Read an smtp://, smtps:// or smtp+starttls:// URL (a mistake is a BadChannel)."""
        try:
            parts = urlsplit(url)
            port = parts.port
        except ValueError:
            raise BadChannel("the SMTP URL is malformed (its port?)") from None
        query = parse_qs(parts.query)
        sender = (query.get("from") or [""])[0]
        recipients = tuple(a.strip() for value in query.get("to", []) for a in value.split(",") if a.strip())
        if not parts.hostname or not sender or not recipients:
            raise BadChannel("an SMTP URL needs a host, ?from=ADDRESS and &to=ADDRESS[,ADDRESS]")
        scheme = parts.scheme.lower()
        default_port = {"smtp": 25, "smtps": 465, "smtp+starttls": 587}[scheme]
        return cls(
            scheme,
            parts.hostname,
            port or default_port,
            sender,
            recipients,
            unquote(parts.username or ""),
            unquote(parts.password or ""),
        )

    def email(self, message: Message) -> EmailMessage:
        """The e-mail: multipart text and HTML, a stable Message-ID (the message's id)."""
        mail = EmailMessage()
        mail["Subject"] = message.subject
        mail["From"] = self.sender
        mail["To"] = ", ".join(self.recipients)
        domain = urlsplit(message.link).hostname or "statusgen.invalid"
        mail["Message-ID"] = f"<{message.id}@{domain}>"
        mail["Date"] = formatdate(usegmt=True)  # the real time of sending
        mail["Content-Language"] = message.language
        mail.set_content(message.text)
        mail.add_alternative(
            f'<!doctype html><html lang="{message.language}"><body>{message.html}</body></html>',
            subtype="html",
        )
        return mail

    def send(self, message: Message) -> None:
        """Send the e-mail; an SMTP or connection error is a failure."""
        try:
            if self.scheme == "smtps":
                server: smtplib.SMTP = smtplib.SMTP_SSL(
                    self.host, self.port, timeout=TIMEOUT, context=ssl.create_default_context()
                )
            else:
                server = smtplib.SMTP(self.host, self.port, timeout=TIMEOUT)
            with server:
                if self.scheme == "smtp+starttls":
                    server.starttls(context=ssl.create_default_context())
                if self.user:
                    server.login(self.user, self.password)
                server.send_message(self.email(message))
        except smtplib.SMTPException as error:
            raise DeliveryFailed(f"the SMTP server refused: {type(error).__name__}") from None
        except OSError as error:
            raise DeliveryFailed(f"the SMTP server could not be reached ({type(error).__name__})") from None


# ---------------------------------------------------------------- chat services (Apprise)


def _apprise(url: str) -> Send:
    """A chat service's sender through Apprise (its URL syntax for each service)."""
    import apprise  # (imported when a channel needs it: it loads a hundred plugins)

    logging.getLogger("apprise").setLevel(logging.CRITICAL)  # (its log lines may hold the URL)
    client = apprise.Apprise()
    if not client.add(url):
        raise BadChannel("Apprise does not know this URL (see its list of services and their syntax)")

    def send(message: Message) -> None:
        if not client.notify(title=message.subject, body=message.text, body_format=apprise.NotifyFormat.TEXT):
            raise DeliveryFailed("the service refused the message or could not be reached")

    return send
