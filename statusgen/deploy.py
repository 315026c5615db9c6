"""`statusgen deploy s3://BUCKET/PREFIX`: publish a built site to S3 or any S3-compatible store.

Only what changed is uploaded, and in an order that never shows a reader a page whose assets are
missing: new and changed assets first, then pages, then feeds and calendars, then JSON and the
rest; stale objects are deleted last. Each object gets the content type, cache lifetime and
content encoding of the site's policy (`cdn.py`).

What is in the bucket is compared by content (the object's ETag, the MD5 of a single-part upload)
and by headers (a manifest object, `<prefix>.statusgen-deploy.json`, holds the signature of the
headers each object was uploaded with). An interrupted deploy is safe to run again: the listing
shows what arrived, and the manifest, written last, is only an optimisation.

CORS is not an object's property in S3: give the bucket a CORS rule (docs/hosting.md shows one).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from statusgen.cdn import HEADERS_DATA, file_headers
from statusgen.errors import DeployError, Problem
from statusgen.publish import MARKER, file_hash

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
        raise DeployError([Problem(destination, None, "", "expected s3://BUCKET or s3://BUCKET/PREFIX")])
    prefix = parts.path.strip("/")
    return parts.netloc, f"{prefix}/" if prefix else ""


def local_files(output: Path) -> dict[str, Path]:
    """Every file of a built site (a link-mode output followed), by its path in the site; not the
    marker that says the folder is statusgen's (`publish.MARKER`), which is no part of the site."""
    root = Path(os.path.realpath(output))
    if not root.is_dir():
        raise DeployError([Problem(str(output), None, "", "no built site here", "statusgen build first")])
    files = {path.relative_to(root).as_posix(): path for path in sorted(root.rglob("*")) if path.is_file()}
    files.pop(MARKER, None)
    return files


def _signature(data: bytes, headers: dict[str, str]) -> str:
    """What an object must be: its bytes' SHA-256 and its headers."""
    return file_hash(file_hash(data).encode() + json.dumps(headers, sort_keys=True).encode())


def deploy(
    output: Path,
    destination: str,
    endpoint_url: str | None = None,
    dry_run: bool = False,
    log: Callable[[str], None] = print,
    client: Any = None,
    now: float | None = None,
) -> DeployReport:
    """Bring `s3://bucket/prefix` up to date with the site built in `output` (see the module);
    the store's errors (no such bucket, access denied, unreachable) become a DeployError."""
    try:
        return _deploy(
            output, destination, endpoint_url, dry_run, log, client, time.time() if now is None else now
        )
    except Exception as error:
        if not type(error).__module__.startswith(("botocore", "boto3", "s3transfer")):
            raise
        message = f"the store refused or could not be reached: {error}"
        raise DeployError([Problem(destination, None, "", message, "run it again once fixed")]) from None


@dataclass(frozen=True)
class _Bucket:
    """Where a deploy goes: the store's client, the bucket and the prefix of every key."""

    client: Any
    name: str
    prefix: str


def _deploy(
    output: Path,
    destination: str,
    endpoint_url: str | None,
    dry_run: bool,
    log: Callable[[str], None],
    client: Any,
    now: float,
) -> DeployReport:
    """The deploy, in its steps: compare, upload what changed in order, delete what is stale,
    remember what was done."""
    name, prefix = parse_destination(destination)
    files = local_files(output)
    short, grace = _policy(output)
    bucket = _Bucket(client if client is not None else _client(destination, endpoint_url), name, prefix)
    remote = dict(_listing(bucket.client, name, prefix))
    previous = _manifest(bucket.client, name, prefix)
    known, retired = previous.get("objects", {}), previous.get("retired", {})
    report = DeployReport()
    wanted, changed = _compare(bucket, files, short, remote, known, report)
    _upload(bucket, changed, wanted, dry_run, log, report)
    stale = sorted(set(remote) - set(wanted) - {prefix + MANIFEST})
    still_retired = _delete(bucket, stale, known, retired, grace, now, dry_run, log, report)
    manifest = {
        "objects": wanted | {key: known.get(key, ["", ""]) for key in still_retired},
        "retired": still_retired,
    }
    if not dry_run and manifest != previous:
        body = json.dumps(manifest, sort_keys=True, indent=0).encode()
        bucket.client.put_object(
            Bucket=name,
            Key=prefix + MANIFEST,
            Body=body,
            ContentType="application/json",
            CacheControl="no-store",
        )
    return report


def _client(destination: str, endpoint_url: str | None) -> Any:
    """A client of the store (boto3's, which only deploys need: `pip install 'statusgen[s3]'`)."""
    try:
        import boto3
    except ImportError:
        message = "deploying needs boto3: pip install 'statusgen[s3]'"
        raise DeployError([Problem(destination, None, "", message)]) from None
    try:
        return boto3.client("s3", endpoint_url=endpoint_url)
    except ValueError as error:
        raise DeployError([Problem(destination, None, "--endpoint-url", str(error))]) from None


def _compare(
    bucket: _Bucket,
    files: dict[str, Path],
    short: str,
    remote: dict[str, str],
    known: dict[str, list[str]],
    report: DeployReport,
) -> tuple[dict[str, list[str]], list[tuple[str, Path, dict[str, str]]]]:
    """What each key must be (key → [signature, the ETag the store gave it]), and the files to
    upload: (key, file, headers). The others are counted unchanged in the `report`."""
    wanted: dict[str, list[str]] = {}
    changed: list[tuple[str, Path, dict[str, str]]] = []
    for path, source in files.items():
        data = source.read_bytes()  # (one file at a time: only its name is kept for the upload)
        headers = file_headers(path, short)
        key = bucket.prefix + path
        signature = _signature(data, headers)
        etag = remote.get(key)
        wanted[key] = [signature, etag or ""]
        if _unchanged(bucket, key, data, headers, etag, known.get(key)):
            report.unchanged += 1
        else:
            changed.append((key, source, headers))
    return wanted, changed


def _unchanged(
    bucket: _Bucket, key: str, data: bytes, headers: dict[str, str], etag: str | None, known: list[str] | None
) -> bool:
    """Whether the object is as it should be: as the last deploy left it (same signature, and the
    ETag it got then: this holds for any store, KMS-encrypted or not), or, for an object the
    manifest does not know (after an interrupted deploy), the same bytes by its MD5 and the same
    headers."""
    if etag is None:
        return False
    if known is not None:
        return known == [_signature(data, headers), etag]
    same = etag == file_md5(data) or not _plain(etag)
    return same and _has(bucket.client, bucket.name, key, data, headers)


def _upload(
    bucket: _Bucket,
    changed: list[tuple[str, Path, dict[str, str]]],
    wanted: dict[str, list[str]],
    dry_run: bool,
    log: Callable[[str], None],
    report: DeployReport,
) -> None:
    """Upload what changed, in an order that never shows a page whose assets are missing; note
    the ETag each object got in `wanted`."""
    for key, source, headers in sorted(changed, key=lambda item: _order(item[0][len(bucket.prefix) :])):
        log(f"{'would upload' if dry_run else 'upload'} {key}")
        if not dry_run:
            wanted[key][1] = _put(bucket.client, bucket.name, key, source.read_bytes(), headers)
        report.uploaded.append(key)


def _delete(
    bucket: _Bucket,
    stale: list[str],
    known: dict[str, list[str]],
    retired: dict[str, float],
    grace: float,
    now: float,
    dry_run: bool,
    log: Callable[[str], None],
    report: DeployReport,
) -> dict[str, float]:
    """Delete stale objects, last, and only statusgen's own (listed by the last deploy, or carrying
    the hash it sets). Assets stay for a while: pages cached before this deploy still use them.
    Returns the assets kept so far (key → when they left the site)."""
    still_retired: dict[str, float] = {}
    for key in stale:
        if key not in known and not _ours(bucket.client, bucket.name, key):
            log(f"leave {key} (not uploaded by statusgen)")
            continue
        since = float(retired.get(key, now))
        if key[len(bucket.prefix) :].startswith("static/") and now - since < grace:
            still_retired[key] = since
            log(f"keep {key} until pages cached before it expire")
            continue
        log(f"{'would delete' if dry_run else 'delete'} {key}")
        if not dry_run:
            bucket.client.delete_object(Bucket=bucket.name, Key=key)
        report.deleted.append(key)
    return still_retired


def _order(path: str) -> tuple[int, int, str]:
    """Upload order: by stage (assets, pages, feeds, the rest); among pages, incidents' and
    maintenance's own pages before the lists that link to them (in every language)."""
    stage = next(number for number, (_, belongs) in enumerate(STAGES) if belongs(path))
    own = any(part in ("incidents", "maintenance") for part in path.split("/")[:2])
    return stage, 0 if own else 1, path


def _policy(output: Path) -> tuple[str, float]:
    """The short Cache-Control of the site as built (its `headers.json`) and how long an old asset
    may still be asked for by a page cached before the deploy (max-age + stale-while-revalidate)."""
    try:
        short = str(
            json.loads((Path(os.path.realpath(output)) / HEADERS_DATA).read_bytes())["default_cache_control"]
        )
    except (OSError, ValueError, KeyError):
        message = f"no {HEADERS_DATA} in the built site; build it with this version of statusgen first"
        raise DeployError([Problem(str(output), None, "", message)]) from None
    seconds = [int(number) for number in re.findall(r"(?:max-age|stale-while-revalidate)=(\d+)", short)]
    return short, float(sum(seconds))


def _plain(etag: str) -> bool:
    """Whether an ETag is an object's MD5 (a single-part upload, not encrypted with KMS or C)."""
    return re.fullmatch(r"[0-9a-f]{32}", etag) is not None


def _put(client: Any, bucket: str, key: str, data: bytes, headers: dict[str, str]) -> str:
    """Upload one object with the headers S3 keeps for it (in one part); its ETag."""
    extra = {"ContentType": headers["Content-Type"], "CacheControl": headers["Cache-Control"]}
    if "Content-Encoding" in headers:
        extra["ContentEncoding"] = headers["Content-Encoding"]
    metadata = {"sha256": file_hash(data)}
    response = client.put_object(Bucket=bucket, Key=key, Body=data, Metadata=metadata, **extra)
    return str(response.get("ETag", "")).strip('"')


def file_md5(data: bytes) -> str:
    """The MD5 (hex) a single-part upload's plain ETag is."""
    return hashlib.md5(data, usedforsecurity=False).hexdigest()


def _has(client: Any, bucket: str, key: str, data: bytes, headers: dict[str, str]) -> bool:
    """Whether the object holds these bytes (by the hash statusgen sets) with these headers."""
    head = client.head_object(Bucket=bucket, Key=key)
    found = {
        "Content-Type": head.get("ContentType"),
        "Cache-Control": head.get("CacheControl"),
        "Content-Encoding": head.get("ContentEncoding"),
    }
    same = head.get("Metadata", {}).get("sha256") == file_hash(data)
    return same and all(found[name] == headers.get(name) for name in found)


def _ours(client: Any, bucket: str, key: str) -> bool:
    """Whether statusgen uploaded this object (it carries the hash statusgen sets)."""
    return "sha256" in client.head_object(Bucket=bucket, Key=key).get("Metadata", {})


def _listing(client: Any, bucket: str, prefix: str) -> Iterator[tuple[str, str]]:
    """(key, ETag without quotes) of every object under the prefix."""
    for page in client.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
        for item in page.get("Contents", []):
            yield item["Key"], item["ETag"].strip('"')


def _manifest(client: Any, bucket: str, prefix: str) -> dict[str, Any]:
    """What the last deploy left: `objects` (key → signature) and `retired` (old assets kept, key
    → when they left the site); empty if missing or unreadable (it is only an optimisation)."""
    try:
        data = json.loads(client.get_object(Bucket=bucket, Key=prefix + MANIFEST)["Body"].read())
    except Exception:
        return {}
    if not isinstance(data, dict) or not isinstance(data.get("objects"), dict):
        return {}
    objects = {str(k): v for k, v in data["objects"].items() if isinstance(v, list) and len(v) == 2}
    return {"objects": objects, "retired": data.get("retired") or {}}
