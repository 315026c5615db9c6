"""`statusgen deploy s3://BUCKET/PREFIX`: publish a built site to S3 or any S3-compatible store.

Only what changed is uploaded, and in an order that never shows a reader a page whose assets are
missing: new and changed assets first, then pages, then feeds and calendars, then JSON and the
rest; stale objects are deleted last. Each object gets the content type, cache lifetime and
content encoding of the site's policy (`cdn.py`).

What is in the bucket is compared by content (the object's ETag, the MD5 of a single-part upload)
and by headers (a manifest object, `<prefix>.statusgen-deploy.json`, holds the signature of the
headers each object was uploaded with). An interrupted deploy is safe to run again: the listing
shows what arrived, and the manifest, written last, is only an optimisation.

CORS is not an object's property in S3: give the bucket a CORS rule (the README shows one).
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from statusgen.cdn import file_headers
from statusgen.errors import ContentError, Problem
from statusgen.models import Site

MANIFEST = ".statusgen-deploy.json"
# Upload order: assets, pages, feeds and calendars, then everything else (JSON, badges, sitemap…).
FEEDS = tuple(f"{kind}{encoded}" for kind in (".atom", ".rss", ".ics") for encoded in ("", ".gz", ".br"))
STAGES: tuple[tuple[str, Callable[[str], bool]], ...] = (
    ("assets", lambda path: path.startswith("static/")),
    ("pages", lambda path: path.endswith((".html", ".html.gz", ".html.br"))),
    ("feeds and calendars", lambda path: path.endswith(FEEDS)),
    ("the rest", lambda path: True),
)


@dataclass
class DeployReport:
    """What a deploy did (or, in a dry run, would do), key by key, in order."""

    uploaded: list[str] = field(default_factory=list)
    deleted: list[str] = field(default_factory=list)
    unchanged: int = 0


def parse_destination(destination: str) -> tuple[str, str]:
    """`s3://bucket/some/prefix` → ("bucket", "some/prefix/")."""
    parts = urlsplit(destination)
    if parts.scheme != "s3" or not parts.netloc:
        raise ContentError([Problem(destination, None, "", "expected s3://BUCKET or s3://BUCKET/PREFIX")])
    prefix = parts.path.strip("/")
    return parts.netloc, f"{prefix}/" if prefix else ""


def local_files(output: Path) -> dict[str, Path]:
    """Every file of a built site (a link-mode output followed), by its path in the site."""
    root = Path(os.path.realpath(output))
    if not root.is_dir():
        raise ContentError([Problem(str(output), None, "", "no built site here", "statusgen build first")])
    return {path.relative_to(root).as_posix(): path for path in sorted(root.rglob("*")) if path.is_file()}


def _signature(headers: dict[str, str]) -> str:
    return hashlib.sha256(json.dumps(headers, sort_keys=True).encode()).hexdigest()


def deploy(
    output: Path,
    destination: str,
    site: Site,
    endpoint_url: str | None = None,
    dry_run: bool = False,
    log: Callable[[str], None] = print,
    client: Any = None,
) -> DeployReport:
    """Bring `s3://bucket/prefix` up to date with the site built in `output` (see the module);
    the store's errors (no such bucket, access denied, unreachable) become a ContentError."""
    try:
        return _deploy(output, destination, site, endpoint_url, dry_run, log, client)
    except Exception as error:
        if not type(error).__module__.startswith(("botocore", "boto3", "s3transfer")):
            raise
        message = f"the store refused or could not be reached: {error}"
        raise ContentError([Problem(destination, None, "", message, "run it again once fixed")]) from None


def _deploy(
    output: Path,
    destination: str,
    site: Site,
    endpoint_url: str | None,
    dry_run: bool,
    log: Callable[[str], None],
    client: Any,
) -> DeployReport:
    bucket, prefix = parse_destination(destination)
    if client is None:
        try:
            import boto3  # here: only deploys need it (pip install 'statusgen[s3]')
        except ImportError:
            message = "deploying needs boto3: pip install 'statusgen[s3]'"
            raise ContentError([Problem(destination, None, "", message)]) from None
        client = boto3.client("s3", endpoint_url=endpoint_url)
    files = local_files(output)
    remote = dict(_listing(client, bucket, prefix))
    manifest = _manifest(client, bucket, prefix)
    report = DeployReport()
    wanted: dict[str, str] = {}
    plan: list[tuple[str, Path, dict[str, str], bytes]] = []
    for path, source in files.items():
        data = source.read_bytes()
        headers = file_headers(path, site)
        signature = _signature(headers)
        key = prefix + path
        md5 = hashlib.md5(data, usedforsecurity=False).hexdigest()
        wanted[key] = signature
        same_bytes = remote.get(key) == md5
        if same_bytes and (
            manifest.get(key) == signature or (key not in manifest and _has(client, bucket, key, headers))
        ):
            report.unchanged += 1  # (an object the manifest does not know, as after an interruption: asked)
            continue
        plan.append((key, source, headers, data))

    def stage(item: tuple[str, Path, dict[str, str], bytes]) -> int:
        path = item[0][len(prefix) :]
        return next(number for number, (_, belongs) in enumerate(STAGES) if belongs(path))

    for key, _, headers, data in sorted(plan, key=lambda item: (stage(item), item[0])):
        log(f"{'would upload' if dry_run else 'upload'} {key}")
        if not dry_run:
            _put(client, bucket, key, data, headers)
        report.uploaded.append(key)
    for key in sorted(set(remote) - set(wanted) - {prefix + MANIFEST}):
        log(f"{'would delete' if dry_run else 'delete'} {key}")
        if not dry_run:
            client.delete_object(Bucket=bucket, Key=key)
        report.deleted.append(key)
    if not dry_run and (report.uploaded or report.deleted or manifest != wanted):
        body = json.dumps(wanted, sort_keys=True, indent=0).encode()
        client.put_object(
            Bucket=bucket,
            Key=prefix + MANIFEST,
            Body=body,
            ContentType="application/json",
            CacheControl="no-store",
        )
    return report


def _put(client: Any, bucket: str, key: str, data: bytes, headers: dict[str, str]) -> None:
    """One object, with the headers S3 keeps for it (single-part: its ETag is its MD5)."""
    extra = {"ContentType": headers["Content-Type"], "CacheControl": headers["Cache-Control"]}
    if "Content-Encoding" in headers:
        extra["ContentEncoding"] = headers["Content-Encoding"]
    metadata = {"sha256": hashlib.sha256(data).hexdigest()}
    client.put_object(Bucket=bucket, Key=key, Body=data, Metadata=metadata, **extra)


def _has(client: Any, bucket: str, key: str, headers: dict[str, str]) -> bool:
    """Whether the object already carries these headers."""
    head = client.head_object(Bucket=bucket, Key=key)
    found = {
        "Content-Type": head.get("ContentType"),
        "Cache-Control": head.get("CacheControl"),
        "Content-Encoding": head.get("ContentEncoding"),
    }
    return all(found[name] == headers.get(name) for name in found)


def _listing(client: Any, bucket: str, prefix: str) -> Iterator[tuple[str, str]]:
    """(key, ETag without quotes) of every object under the prefix."""
    for page in client.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
        for item in page.get("Contents", []):
            yield item["Key"], item["ETag"].strip('"')


def _manifest(client: Any, bucket: str, prefix: str) -> dict[str, str]:
    """The header signatures of the last deploy, or nothing (then every object is uploaded again)."""
    try:
        body = client.get_object(Bucket=bucket, Key=prefix + MANIFEST)["Body"].read()
        data = json.loads(body)
    except Exception:  # missing, unreadable or foreign: only an optimisation
        return {}
    return {str(key): str(value) for key, value in data.items()} if isinstance(data, dict) else {}
