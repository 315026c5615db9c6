"""`statusgen notify`: tell subscribers what a build announces that the published site did not, on
every channel of site.yaml's `notify`, exactly once whatever happens to the CI job.

The notices are those of `statusgen changes` (new updates, new entries, post-mortems, statuses moved
by the clock) plus maintenance reminders (`remind`) and what failing channels missed earlier (kept
in the record); each channel gets one message per notice and language, unless its record says it
has it. A failing channel is retried with backoff; the others are still served; what it missed is
kept for a later run. With `websub_hub`, the hub is pinged for every feed that changed.
"""

from __future__ import annotations

import hashlib
import json
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from statusgen.build import NEXT_CHANGE
from statusgen.changes import COMPARED_FILES, compare
from statusgen.content import load_content
from statusgen.derive import Derived, derive
from statusgen.editions import localize, site_in
from statusgen.errors import ContentError, Problem, PublishError
from statusgen.i18n import Formatter, labels, translations
from statusgen.markdown import MarkdownRenderer
from statusgen.models import Channel, Content
from statusgen.notify.config import VARIABLE, expand
from statusgen.notify.messages import (
    Message,
    Notice,
    Words,
    build_message,
    find_entry,
    notice_for_key,
    notices_from_changes,
    reminders,
    wanted,
)
from statusgen.notify.record import RECORD, Record
from statusgen.notify.transports import BadChannel, DeliveryFailed, Send, redacted, transport_for
from statusgen.publish import MARKER, output_lock
from statusgen.statuspage import entry_id_of

__all__ = ["RECORD", "Outcome", "Retry", "built_at", "notify"]


@dataclass(frozen=True)
class Retry:
    """How often a failing delivery is tried again, and how long to wait first (doubling)."""

    attempts: int = 4
    first_wait: float = 1.0
    sleep: Callable[[float], None] = time.sleep

    def run(self, send: Callable[[], None]) -> str:
        """Call `send` until it succeeds: "" then, else the last failure's reason (a permanent one
        is not tried again; an unexpected error is a failure named by its kind, never its text)."""
        reason = ""
        for attempt in range(self.attempts):
            if attempt:
                self.sleep(self.first_wait * 2 ** (attempt - 1))
            try:
                send()
                return ""
            except DeliveryFailed as failure:
                reason = str(failure)
                if failure.permanent:
                    break
            except Exception as error:  # (a transport's slip: its text may quote the URL)
                reason = f"an unexpected {type(error).__name__}"
        return reason


@dataclass
class Outcome:
    """What a run did: messages sent (or, dry, planned), and what each failing channel missed."""

    sent: list[Message] = field(default_factory=list)
    planned: list[tuple[str, str, Message]] = field(default_factory=list)  # (channel, how, message)
    failed: dict[str, list[str]] = field(default_factory=dict)  # channel → subjects missed
    reasons: dict[str, str] = field(default_factory=dict)  # channel → why
    pinged: list[str] = field(default_factory=list)  # feeds whose hub was pinged
    first_publication: bool = False


def notify(
    content_dir: Path,
    previous: Path,
    built: Path,
    now: datetime,
    environ: Mapping[str, str],
    *,
    dry_run: bool = False,
    record_only: bool = False,
    retry: Retry | None = None,
    tell: Callable[[str], None] = lambda line: None,
) -> Outcome:
    """Announce what `built` says that `previous` did not, on every channel; see the module's text.

    `now` is the instant `built` was built at (`built_at`); `record_only` writes what is owed into
    `built`'s record and sends nothing (needs no secret: run it before deploying `built`).
    """
    retry = retry or Retry()
    content = load_content(content_dir)
    site = content.site
    outcome = Outcome()
    if not site.notify and not site.websub_hub:
        return outcome
    if not (built / MARKER).is_file():
        raise PublishError(
            [Problem(str(built), None, "--output", "expected the output of `statusgen build` (no marker)")]
        )
    try:
        with output_lock(built):  # (a build, or another notify, waits: the record is read and written once)
            derived = derive(content, now)
            previous_files = {
                n: (previous / n).read_bytes() for n in COMPARED_FILES if (previous / n).is_file()
            }
            found = compare(previous_files, derived)
            record = Record.read(previous, built)
            if not found["previous_build_found"]:
                outcome.first_publication = True  # a first publication announces nothing
                return outcome
            notices = notices_from_changes(found["changes"]) + reminders(derived, site.remind)  # type: ignore[arg-type]
            editions = _editions(content, derived, site.notify)
            api_ids = {e.slug: entry_id_of(e) for e in derived.entries}
            plans = {
                c.name: _plan(c, _due(c, notices, record, derived), editions, api_ids, site.language)
                for c in site.notify
            }
            record.pending = {name: _owed(plan, name, record) for name, plan in plans.items()}
            if record_only:
                record.save(built)
                for name, owed in sorted(record.pending.items()):
                    tell(f"owed to {name}: {len(owed)} notice(s)")
                return outcome
            senders = _senders(site.notify, environ, site.path, dry_run)
            if not dry_run:
                record.save(built)  # what is owed, before anything is sent
            run = _Run(record, built, retry, outcome, dry_run, tell)
            for channel in site.notify:
                _serve(channel.name, plans[channel.name], senders[channel.name], run)
            if site.websub_hub:
                _ping(site.websub_hub, site.base_url, previous, built, record, retry, outcome, dry_run, tell)
    except OSError as error:  # (the lock, the record, the previous site's files)
        reason = error.strerror or str(error)
        where = f" ({error.filename})" if error.filename else ""
        raise PublishError([Problem(str(built), None, "", f"cannot notify: {reason}{where}")]) from None
    return outcome


def built_at(built: Path) -> datetime | None:
    """The instant a site was built at, as its `api/statusgen/next-change.json` says (None when
    it does not say)."""
    try:
        data = json.loads((built / NEXT_CHANGE).read_text(encoding="utf-8"))
        return datetime.fromisoformat(data["as_of"])
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _senders(
    channels: Sequence[Channel], environ: Mapping[str, str], path: str, dry_run: bool
) -> dict[str, tuple[str, Send | None]]:
    """Each channel's (redacted URL, sender), every secret read first: a missing variable or a
    URL that cannot deliver stops the run before anything is sent, naming all of them. A dry run
    goes on without the variables it lacks (a pull request from a fork has no secrets), saying so
    where the URL would show."""
    problems: list[Problem] = []
    senders: dict[str, tuple[str, Send | None]] = {}
    for channel in channels:
        try:
            url, secret = expand(channel, environ, path)
            send = transport_for(url, secret)  # (made in a dry run too: a bad URL is said at once)
            senders[channel.name] = (redacted(url), None if dry_run else send)
        except ContentError as error:
            if dry_run:
                names = sorted(
                    {n for n in VARIABLE.findall(channel.url + channel.secret) if not environ.get(n)}
                )
                senders[channel.name] = (f"{', '.join('$' + n for n in names)} not set", None)
                continue
            problems += error.problems
        except BadChannel as error:
            problems.append(Problem(path, channel.line, f"notify.{channel.name}.url", str(error)))
    if problems:
        raise ContentError(problems)
    return senders


def _editions(
    content: Content, derived: Derived, channels: Sequence[Channel]
) -> dict[str, tuple[Derived, Words]]:
    """The derived site and the words of every language some channel speaks."""
    site = content.site
    md = MarkdownRenderer()
    found = {}
    for language in {lang for c in channels for lang in (c.languages or (site.language,))}:
        translate = translations(language).gettext
        edition = localize(derived, content.translations, site_in(site, language))
        words = Words(
            language,
            translate,
            labels(translate),
            Formatter(language, site.timezone),
            md.text,
            lambda text: str(md(text)),
        )
        found[language] = (edition, words)
    return found


def _due(channel: Channel, notices: Sequence[Notice], record: Record, derived: Derived) -> list[Notice]:
    """The notices a channel is to get: this run's it wants, and what it is still owed."""
    keys = {n.key for n in notices}
    missed = [
        n
        for key in sorted(record.pending.get(channel.name, ()))
        if key not in keys and (n := notice_for_key(key, derived))
    ]
    chosen = []
    for notice in [*missed, *notices]:
        entry = find_entry(derived, notice.kind.folder, notice.slug)
        if entry is not None and wanted(channel, notice, entry):
            chosen.append(notice)
    return sorted(chosen, key=lambda n: (n.at, n.key))


def _plan(
    channel: Channel,
    notices: Sequence[Notice],
    editions: Mapping[str, tuple[Derived, Words]],
    api_ids: Mapping[str, str],
    language: str,
) -> list[Message]:
    """A channel's messages for its notices, in time order, one per notice and language (its
    own languages, else the site's `language`)."""
    languages = channel.languages or (language,)
    messages = []
    for notice in notices:
        for language in languages:
            edition, words = editions[language]
            message = build_message(channel, notice, edition, words, api_ids)
            if message is not None:
                messages.append(message)
    return messages


def _owed(plan: Sequence[Message], channel: str, record: Record) -> set[str]:
    """The keys of the notices of which a channel still lacks a message."""
    return {m.notice.key for m in plan if not record.has(channel, m.id)}


@dataclass(frozen=True)
class _Run:
    """What every channel of one run shares: the record, where it is saved, and the reporting."""

    record: Record
    built: Path
    retry: Retry
    outcome: Outcome
    dry_run: bool
    tell: Callable[[str], None]


def _serve(name: str, plan: Sequence[Message], sender: tuple[str, Send | None], run: _Run) -> None:
    """Deliver a channel's messages in time order; after a failure, keep the rest owed for later."""
    how, send = sender
    record, outcome, tell = run.record, run.outcome, run.tell
    broken = ""
    for message in plan:
        if record.has(name, message.id):
            continue
        if run.dry_run:
            outcome.planned.append((name, how, message))
            tell(f"would send to {name} ({how}): {message.subject}")
            continue
        if not broken:
            assert send is not None
            broken = run.retry.run(lambda m=message: send(m))  # type: ignore[misc]
        if broken:
            outcome.failed.setdefault(name, []).append(message.subject)
            outcome.reasons[name] = broken
            continue
        record.delivered_to(name, message.id)
        record.pending[name] = _owed(plan, name, record)
        record.save(run.built)
        outcome.sent.append(message)
        tell(f"sent to {name} ({how}): {message.subject}")


def _ping(
    hub: str,
    base_url: str,
    previous: Path,
    built: Path,
    record: Record,
    retry: Retry,
    outcome: Outcome,
    dry_run: bool,
    tell: Callable[[str], None],
) -> None:
    """Tell the WebSub hub about every feed whose bytes differ from the published site's (once:
    the record keeps each feed's hash as announced). A failed ping is reported, not kept owed:
    hubs also poll."""
    root = Path(built)
    announced, current = set(record.websub), set[str]()
    for path in sorted(root.rglob("*")):
        if path.suffix not in (".atom", ".rss") or not path.is_file():
            continue
        relative = path.relative_to(root).as_posix()
        data = path.read_bytes()
        published = previous / relative
        if published.is_file() and published.read_bytes() == data:
            continue
        key = f"{relative}:{hashlib.sha256(data).hexdigest()[:16]}"
        if key in announced:
            current.add(key)
            continue
        url = base_url + relative
        if dry_run:
            tell(f"would ping the WebSub hub for {url}")
            continue
        form = urllib.parse.urlencode({"hub.mode": "publish", "hub.url": url}).encode()

        def post(form: bytes = form) -> None:
            request = urllib.request.Request(hub, data=form, method="POST")
            try:
                with urllib.request.urlopen(request, timeout=15) as answer:
                    answer.read()
            except urllib.error.HTTPError as error:
                raise DeliveryFailed(f"the hub answered HTTP {error.code}") from None
            except OSError as error:
                raise DeliveryFailed(f"the hub could not be reached ({type(error).__name__})") from None

        reason = retry.run(post)
        if reason:
            outcome.failed.setdefault("websub", []).append(url)
            outcome.reasons["websub"] = reason
            continue
        current.add(key)
        record.websub = current  # (only the feeds as they are now: the record does not grow)
        record.save(built)
        outcome.pinged.append(relative)
        tell(f"pinged the WebSub hub for {url}")
