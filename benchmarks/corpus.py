"""A deterministic synthetic status site: N incidents over 10 components, as a big service has them.

About 3.7 updates per incident with Markdown bodies, summaries with headings, lists and links, 3 %
of incidents still open at `NOW`, and a few maintenance windows. The same arguments always write the
same bytes.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from pathlib import Path

NOW = datetime.fromisoformat("2026-06-01T12:00:00+00:00")
COMPONENTS = ["web", "mobile", "api", "streaming", "search", "media", "notifications", "sms", "ads", "auth"]
SITE_YAML = """\
title: Synthetic status
base_url: https://status.example.com/
timezone: America/Los_Angeles
description: A synthetic site for the benchmark.
components:
""" + "".join(
    f"  - id: {cid}\n    name: {cid.capitalize()} service\n    group: {'Core' if i < 5 else 'Extras'}\n"
    for i, cid in enumerate(COMPONENTS)
)
WORDS = [
    "service",
    "latency",
    "error",
    "rate",
    "database",
    "cache",
    "cluster",
    "region",
    "deploy",
    "rollback",
    "cascading",
    "bug",
    "requests",
    "users",
    "timeline",
    "api",
    "queue",
    "replica",
    "failover",
    "network",
    "load",
    "balancer",
    "certificate",
    "storage",
    "search",
    "index",
    "notifications",
    "delivery",
    "mobile",
    "clients",
    "retry",
    "capacity",
    "traffic",
    "spike",
    "mitigation",
]
STATUSES = ["investigating", "identified", "monitoring", "resolved"]


def sentence(rng: random.Random, words: int) -> str:
    """A sentence of plausible incident vocabulary."""
    text = " ".join(rng.choice(WORDS) for _ in range(words))
    return text[0].upper() + text[1:] + "."


def body(rng: random.Random) -> str:
    """An update body: a paragraph, sometimes emphasis, a link or a short list."""
    parts = [sentence(rng, rng.randint(12, 30))]
    if rng.random() < 0.4:
        parts.append(f"See the [{rng.choice(WORDS)} dashboard](https://example.com/{rng.randint(1, 999)}).")
    if rng.random() < 0.3:
        parts.append(
            "\n" + "".join(f"- {sentence(rng, rng.randint(4, 9))}\n" for _ in range(rng.randint(2, 4)))
        )
    if rng.random() < 0.3:
        parts.append(f"We are **{rng.choice(WORDS)}** the `{rng.choice(WORDS)}` component.")
    return " ".join(parts)


def summary(rng: random.Random) -> str:
    """A post-mortem: headings, paragraphs, a list and links."""
    return (
        f"## What happened\n\n{sentence(rng, 40)} {sentence(rng, 25)}\n\n"
        f"## Impact\n\n{sentence(rng, 30)}\n\n"
        "## What we are changing\n\n"
        + "".join(f"1. {sentence(rng, rng.randint(6, 14))}\n" for _ in range(3))
        + f"\nDetails in the [post-mortem](https://example.com/pm/{rng.randint(1, 9999)}).\n"
    )


def yaml_block(text: str, indent: str) -> str:
    """A YAML literal block scalar holding `text`."""
    return "|\n" + "".join(f"{indent}{line}\n" if line else "\n" for line in text.split("\n"))


def incident(rng: random.Random, number: int, count: int) -> str:
    """One incident file; the newest 3 % are still open at NOW."""
    span = timedelta(days=3650)
    started = NOW - span + span * (number + rng.random() * 0.5) / (count * 0.97)
    started = started.replace(second=0, microsecond=0)
    is_open = number >= count * 0.97
    if is_open:
        started = NOW - timedelta(hours=rng.randint(1, 20))
    affected = rng.sample(COMPONENTS, rng.randint(1, 3))
    impact = rng.choice(["minor", "major", "critical"])
    updates = []
    at = started + timedelta(minutes=rng.randint(2, 15))
    steps = rng.choice([3, 3, 4, 4, 4, 5]) if not is_open else rng.randint(1, 3)
    for step in range(steps):
        status = STATUSES[min(step, 2)] if step < steps - 1 or is_open else "resolved"
        updates.append(
            f"  - at: {at.isoformat()}\n    status: {status}\n    body: {yaml_block(body(rng), '      ')}"
        )
        at += timedelta(minutes=rng.randint(10, 90))
    front = (
        f"title: {sentence(rng, rng.randint(3, 7)).rstrip('.')}\n"
        f"started: {started.isoformat()}\n"
        f"impact: {impact}\n"
        f"components: [{', '.join(affected)}]\n"
        "updates:\n" + "".join(updates)
    )
    return f"---\n{front}---\n{summary(rng) if not is_open and rng.random() < 0.5 else ''}"


def maintenance(rng: random.Random, number: int) -> str:
    """One maintenance window, a few of them upcoming."""
    start = (NOW - timedelta(days=30 * number) + timedelta(days=3)).replace(minute=0, second=0, microsecond=0)
    return (
        "---\n"
        f"title: Planned {rng.choice(WORDS)} maintenance\n"
        f"start: {start.isoformat()}\n"
        f"end: {(start + timedelta(hours=2)).isoformat()}\n"
        f"components: [{rng.choice(COMPONENTS)}]\n"
        "---\n" + body(rng) + "\n"
    )


def write_corpus(root: Path, incidents: int, seed: int = 2012) -> Path:
    """Write the synthetic content folder under root and return it."""
    rng = random.Random(seed)
    content = root / "content"
    (content / "incidents").mkdir(parents=True, exist_ok=True)
    (content / "maintenance").mkdir(parents=True, exist_ok=True)
    (content / "site.yaml").write_text(SITE_YAML, encoding="utf-8")
    for number in range(incidents):
        year = 2016 + number * 10 // max(incidents, 1)
        folder = content / "incidents" / str(year)
        folder.mkdir(exist_ok=True)
        (folder / f"incident-{number:05d}.md").write_text(incident(rng, number, incidents), encoding="utf-8")
    for number in range(24):
        (content / "maintenance" / f"maintenance-{number:02d}.md").write_text(
            maintenance(rng, number), encoding="utf-8"
        )
    return content


def add_update(content: Path, incidents: int) -> Path:
    """Append one update to the newest open incident (the warm-rebuild scenario); return its path."""
    newest = sorted((content / "incidents").rglob("*.md"))[-1]
    at = (NOW - timedelta(minutes=5)).isoformat()
    text = newest.read_text(encoding="utf-8")
    front, rest = text[4:].split("\n---\n", 1)
    front += (
        f"\n  - at: {at}\n    status: monitoring\n    body: A fix is deployed; we watch the error rate.\n"
    )
    newest.write_text(f"---\n{front.rstrip()}\n---\n{rest}", encoding="utf-8")
    return newest
