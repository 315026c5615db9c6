"""How a message reaches a channel, by its URL's scheme: statusgen's own webhook (`http://`,
`https://`, signed with Standard Webhooks when the channel has a `secret`), e-mail (`smtp://`,
`smtps://`, `smtp+starttls://`, with the standard library) or a chat service through Apprise
(`slack://`, `msteams://`, `discord://`, `mmost://`, `json://` and the many others it speaks).

A transport raises `DeliveryFailed` with a reason that never holds the URL or a secret (only
an error's kind, never its text, which may quote either); a URL or secret that cannot work is a
`BadChannel`, said before anything is sent.
"""

from __future__ import annotations

import base64
import binascii
import http.client
import json
import logging
import re
import smtplib
import ssl
import threading
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import formatdate
from urllib.parse import unquote, urlsplit, urlunsplit

from statusgen import __version__
from statusgen.notify.messages import Message

TIMEOUT = 15.0  # seconds, for each wait on the network
DEADLINE = 60.0  # seconds, for a whole attempt (a server answering a byte at a time is cut off)
WEBHOOK_SCHEMES = ("http", "https")
MAIL_SCHEMES = ("smtp", "smtps", "smtp+starttls")
LOOPBACK = ("127.0.0.1", "::1", "localhost")  # (where a password may go unencrypted)


class DeliveryFailed(Exception):
    """A message could not be delivered; the text says why (never the URL or a secret).

    `permanent`: trying again at once cannot help (a 4xx answer), so it is not retried now; what
    the channel missed is still kept for a later run.
    """

    def __init__(self, reason: str, *, permanent: bool = False) -> None:
        super().__init__(reason)
        self.permanent = permanent


class BadChannel(ValueError):
    """A channel's URL, once expanded, cannot deliver (the text never quotes the URL)."""


def redacted(url: str) -> str:
    """A URL as it may be printed: a webhook's or SMTP server's scheme and host, only the scheme
    of any other (chat services' URLs carry tokens where a host would be: `ntfy://TOPIC`)."""
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
    except ValueError:
        return "a malformed URL"
    scheme = parts.scheme.lower()
    if scheme in WEBHOOK_SCHEMES + MAIL_SCHEMES and host:
        return f"{scheme}://{host}/…"
    return f"{scheme}://…" if scheme else "a URL"


Send = Callable[[Message], None]


def transport_for(url: str, secret: str = "") -> Send:
    """The function that delivers a channel's messages, chosen by the URL's scheme."""
    if any(c.isspace() or ord(c) < 32 or ord(c) == 127 for c in url):
        raise BadChannel("the URL holds a space or a control character (quote it as %20)")
    try:
        scheme = urlsplit(url).scheme.lower() if "://" in url else ""
    except ValueError:
        raise BadChannel("the URL is malformed") from None
    if not scheme:
        raise BadChannel("expected a URL with a scheme (https://, smtp://, slack://…)")
    if secret and scheme not in WEBHOOK_SCHEMES:
        raise BadChannel("only webhooks (http:// and https:// URLs) are signed")
    if scheme in WEBHOOK_SCHEMES:
        return bounded(Webhook.from_url(url, secret).send)
    if scheme in MAIL_SCHEMES:
        return bounded(Mail.from_url(url).send)
    return bounded(_apprise(url))


def bounded(send: Send, deadline: float = DEADLINE) -> Send:
    """`send`, failing when an attempt takes longer than `deadline` seconds in all (the attempt
    left behind runs on in a daemon thread, which the process does not wait for; as it may still
    land, it is not tried again in this run, like the one message in flight at a kill)."""

    def attempt(message: Message) -> None:
        failure: list[BaseException] = []

        def run() -> None:
            try:
                send(message)
            except BaseException as error:  # (handed to the caller's thread below)
                failure.append(error)

        worker = threading.Thread(target=run, name="statusgen-send", daemon=True)
        worker.start()
        worker.join(deadline)
        if worker.is_alive():  # (it may still land: trying again now could deliver it twice)
            raise DeliveryFailed(f"no answer within {deadline:g} s", permanent=True)
        if failure:
            raise failure[0]

    return attempt


def check_secret(secret: str) -> None:
    """Refuse a signing secret not in Standard Webhooks' form: `whsec_` and base64 of 24 to 64 bytes."""
    if not secret.startswith("whsec_"):
        raise BadChannel("a webhook secret is written whsec_ and base64 (Standard Webhooks' form)")
    try:
        key = base64.b64decode(secret.removeprefix("whsec_"), validate=True)
    except (binascii.Error, ValueError):
        raise BadChannel("the webhook secret after whsec_ is not base64") from None
    if not 24 <= len(key) <= 64:
        raise BadChannel(f"a webhook secret holds 24 to 64 bytes (this one {len(key)})")


# ---------------------------------------------------------------- webhooks


@dataclass(frozen=True)
class Webhook:
    """statusgen's webhook: a JSON POST, signed with Standard Webhooks when there is a secret."""

    url: str
    secret: str = ""
    authorization: str = ""  # HTTP Basic, from a user and password in the URL
    clock: Callable[[], datetime] = lambda: datetime.now(UTC)  # the real time of sending, never `--now`

    @classmethod
    def from_url(cls, url: str, secret: str = "") -> Webhook:
        """Read an http:// or https:// URL (a user and password in it become HTTP Basic)."""
        try:
            parts = urlsplit(url)
            parts.port  # noqa: B018 (a port that is not a number raises here, not when sending)
            user, password = unquote(parts.username or ""), unquote(parts.password or "")
        except ValueError:
            raise BadChannel("the webhook URL is malformed (its host or port?)") from None
        if not parts.hostname:
            raise BadChannel("the webhook URL names no host")
        if secret:
            check_secret(secret)
        authorization = ""
        if password and parts.scheme.lower() == "http" and parts.hostname not in LOOPBACK:
            raise BadChannel("a password goes to a webhook only encrypted: https://")
        if user or password:
            pair = f"{user}:{password}".encode()
            authorization = "Basic " + base64.b64encode(pair).decode()
            netloc = parts.netloc.rpartition("@")[2]
            url = urlunsplit(parts._replace(netloc=netloc))
        return cls(url, secret, authorization)

    def send(self, message: Message) -> None:
        """POST the message's payload; anything but a 2xx answer is a failure (a 4xx one but 408
        and 429 is not tried again at once)."""
        body = json.dumps(message.payload, ensure_ascii=False, separators=(",", ":")).encode()
        sent_at = self.clock()
        headers = {
            "Content-Type": "application/json",
            "User-Agent": f"statusgen/{__version__}",
            "webhook-id": message.id,
            "webhook-timestamp": str(int(sent_at.timestamp())),
        }
        if self.secret:
            from standardwebhooks import Webhook as Signer  # (imported when a webhook is signed)

            headers["webhook-signature"] = Signer(self.secret).sign(message.id, sent_at, body)
        if self.authorization:
            headers["Authorization"] = self.authorization
        request = urllib.request.Request(self.url, data=body, headers=headers, method="POST")
        try:
            with _OPENER.open(request, timeout=TIMEOUT):
                pass  # (the answer's status is all that counts; its body is not read)
        except urllib.error.HTTPError as error:
            if 300 <= error.code < 400:
                raise DeliveryFailed(
                    f"the webhook answered HTTP {error.code} (a redirect, not followed: give the URL "
                    "it points to)",
                    permanent=True,
                ) from None
            permanent = 400 <= error.code < 500 and error.code not in (408, 429)
            raise DeliveryFailed(f"the webhook answered HTTP {error.code}", permanent=permanent) from None
        except (OSError, http.client.HTTPException, ValueError) as error:
            reason = getattr(error, "reason", error)
            raise DeliveryFailed(f"the webhook could not be reached ({type(reason).__name__})") from None


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """Redirects are not followed: urllib would turn the POST into a GET without its body, and
    send the signed headers to wherever the answer points."""

    def redirect_request(self, *args: object, **kwargs: object) -> None:
        """Follow no redirect (the 3xx answer is then an HTTPError)."""
        return None


_OPENER = urllib.request.build_opener(_NoRedirect)


# ---------------------------------------------------------------- e-mail

ADDRESS = re.compile(r"[^@\s<>(),;:\"\[\]\\]+@[^@\s<>(),;:\"\[\]\\]+")


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
        query: dict[str, list[str]] = {}
        for pair in parts.query.split("&"):  # (not parse_qs: a + in an address is a +, not a space)
            key, _, value = pair.partition("=")
            query.setdefault(unquote(key), []).append(unquote(value))
        sender = (query.get("from") or [""])[0].strip()
        recipients = tuple(a.strip() for value in query.get("to", []) for a in value.split(",") if a.strip())
        if not parts.hostname or not sender or not recipients:
            raise BadChannel("an SMTP URL needs a host, ?from=ADDRESS and &to=ADDRESS[,ADDRESS]")
        if not all(ADDRESS.fullmatch(a) for a in (sender, *recipients)):
            raise BadChannel("an SMTP URL's from= and to= take plain addresses (name@domain)")
        scheme = parts.scheme.lower()
        if scheme == "smtp" and parts.password and parts.hostname not in LOOPBACK:
            raise BadChannel("a password goes to an SMTP server only encrypted: smtps:// or smtp+starttls://")
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
        except (OSError, ValueError) as error:
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
        try:
            done = client.notify(
                title=defused(message.subject),
                body=defused(message.text),
                body_format=apprise.NotifyFormat.TEXT,
            )
        except Exception as error:  # (a plugin's own error: its text may quote the URL)
            raise DeliveryFailed(f"the service could not be reached ({type(error).__name__})") from None
        if not done:
            raise DeliveryFailed("the service refused the message or could not be reached")

    return send


MENTIONS = re.compile(r"(?<![\w.])@(\*\*)?(everyone|here|channel|all|room|stream|topic)\b", re.IGNORECASE)


def defused(text: str) -> str:
    """A chat message's text with the mentions that ping a whole room (`@everyone`, `@here`,
    `@channel`, `@all`, Matrix's `@room`, Zulip's `@**all**`…) broken by a zero-width space: an
    entry's title cannot page subscribers."""
    return MENTIONS.sub(lambda found: "@\u200b" + found.group()[1:], text)
