"""`statusgen deploy` against a real S3-compatible server (moto's), started on 127.0.0.1 by the test."""

from __future__ import annotations

import hashlib
import socket
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import boto3
import pytest
from click.testing import CliRunner
from moto.server import ThreadedMotoServer

from statusgen import build
from statusgen.cdn import IMMUTABLE
from statusgen.cli import main
from statusgen.deploy import MANIFEST, deploy
from statusgen.publish import MARKER
from tests.conftest import NOW, incident_text, read_site

# Slow (outside `pytest -m "not slow and not browser"`): a local S3 server (moto) per test.
pytestmark = pytest.mark.slow

BUCKET = "status"


@pytest.fixture(scope="module")
def endpoint() -> Iterator[str]:
    """moto's S3 server on a free port of 127.0.0.1, for this module's tests."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.stop()


@pytest.fixture
def s3(endpoint: str, monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest) -> Any:
    """A client of the local server with an empty bucket of the test's own (fake credentials)."""
    for name, value in {
        "AWS_ACCESS_KEY_ID": "test",
        "AWS_SECRET_ACCESS_KEY": "test",
        "AWS_DEFAULT_REGION": "us-east-1",
    }.items():
        monkeypatch.setenv(name, value)
    client = boto3.client("s3", endpoint_url=endpoint)
    bucket = f"{BUCKET}-{abs(hash(request.node.name)) % 10**8}"
    client.create_bucket(Bucket=bucket)
    client.bucket = bucket  # type: ignore[attr-defined]
    return client


@pytest.fixture
def site(make_content, tmp_path: Path) -> tuple[Path, Path]:
    """A built site with two incidents and precompressed copies: (content, output)."""
    content = make_content(
        {
            "incidents/one.md": incident_text(title="One", resolved="2012-06-21T09:30:00-07:00"),
            "incidents/two.md": incident_text(title="Two", started="2012-06-20T08:00:00-07:00"),
        }
    )
    output = tmp_path / "public"
    build(content, output, NOW, workers=1, precompress=True)
    return content, output


def objects(client: Any, bucket: str) -> dict[str, bytes]:
    """Every object of the bucket but the deploy's manifest, with its bytes."""
    keys = [
        item["Key"]
        for page in client.get_paginator("list_objects_v2").paginate(Bucket=bucket)
        for item in page.get("Contents", [])
    ]
    return {
        key.removeprefix("site/"): client.get_object(Bucket=bucket, Key=key)["Body"].read()
        for key in keys
        if not key.endswith(MANIFEST)
    }


def run(s3: Any, site: tuple[Path, Path], *more: str) -> Any:
    """`statusgen deploy s3://BUCKET/site` through the command line."""
    args = [
        "deploy",
        f"s3://{s3.bucket}/site",
        "--output",
        str(site[1]),
        "--endpoint-url",
        s3.meta.endpoint_url,
    ]
    return CliRunner().invoke(main, [*args, *more], catch_exceptions=False)


def test_a_first_deploy_uploads_everything_with_its_headers(s3: Any, site: tuple[Path, Path]) -> None:
    """Every file arrives, byte for byte, with its content type, cache lifetime and encoding; assets
    go first and pages before feeds and JSON."""
    result = run(s3, site)
    assert result.exit_code == 0, result.output
    local = read_site(site[1])
    assert objects(s3, s3.bucket) == local
    order = [
        line.split(" ", 1)[1].removeprefix("site/")
        for line in result.output.splitlines()
        if line.startswith("upload ")
    ]
    first_page = min(i for i, key in enumerate(order) if key.endswith(".html"))
    assert all(key.startswith("static/") for key in order[:first_page]) and order[0].startswith("static/")
    last_page = max(i for i, key in enumerate(order) if key.endswith(".html"))
    assert all(not key.endswith((".json", ".atom", ".rss")) for key in order[:last_page])
    incident = order.index("incidents/one/index.html")  # before every list that links to it
    assert all(
        incident < order.index(page)
        for page in ("components/web/index.html", "history/index.html", "index.html")
    )
    heads = {key: s3.head_object(Bucket=s3.bucket, Key=f"site/{key}") for key in local}
    css = next(key for key in local if key.startswith("static/") and key.endswith(".css"))
    assert (heads[css]["ContentType"], heads[css]["CacheControl"]) == ("text/css; charset=utf-8", IMMUTABLE)
    page = heads["incidents/one/index.html"]
    assert page["ContentType"] == "text/html; charset=utf-8"
    assert page["CacheControl"] == "public, max-age=60, stale-while-revalidate=30"
    assert heads["history.atom"]["ContentType"] == "application/atom+xml; charset=utf-8"
    assert heads["maintenance.ics"]["ContentType"] == "text/calendar; charset=utf-8"
    compressed = heads["index.html.gz"]
    assert (compressed["ContentType"], compressed["ContentEncoding"]) == ("text/html; charset=utf-8", "gzip")
    assert heads["index.html.br"]["ContentEncoding"] == "br"
    assert all(
        head["Metadata"]["sha256"] == hashlib.sha256(local[key]).hexdigest() for key, head in heads.items()
    )
    assert result.output.strip().endswith(f"{len(local)} uploaded, 0 deleted, 0 unchanged.")


def test_a_second_deploy_uploads_nothing(s3: Any, site: tuple[Path, Path]) -> None:
    """Nothing changed: zero uploads, zero deletions."""
    run(s3, site)
    again = run(s3, site)
    assert again.exit_code == 0 and "upload " not in again.output
    assert again.output.strip().endswith(f"0 uploaded, 0 deleted, {len(read_site(site[1]))} unchanged.")


def test_after_one_update_only_the_changed_objects_are_uploaded(s3: Any, site: tuple[Path, Path]) -> None:
    """An incident gains an update: exactly the files whose bytes changed are uploaded."""
    content, output = site
    run(s3, site)
    before = read_site(output)
    (content / "incidents" / "two.md").write_text(
        incident_text(
            title="Two",
            started="2012-06-20T08:00:00-07:00",
            updates="\n  - at: 2012-06-21T10:00:00-07:00\n    status: identified\n    body: Found it.",
        )
    )
    build(content, output, NOW, workers=1, precompress=True)
    after = read_site(output)
    changed = {key for key in after if before.get(key) != after[key]}
    assert "incidents/two/index.html" in changed and "incidents/one/index.html" not in changed
    result = run(s3, site)
    uploaded = {
        line.split(" ", 1)[1].removeprefix("site/")
        for line in result.output.splitlines()
        if line.startswith("upload ")
    }
    assert uploaded == changed
    assert objects(s3, s3.bucket) == after


def test_stale_objects_are_deleted_last(s3: Any, site: tuple[Path, Path]) -> None:
    """A removed incident's objects go, after the uploads; the dry run only says so."""
    content, output = site
    run(s3, site)
    (content / "incidents" / "one.md").unlink()
    build(content, output, NOW, workers=1, precompress=True)
    dry = run(s3, site, "--dry-run")
    assert "would delete site/incidents/one/index.html" in dry.output
    assert "incidents/one/index.html" in objects(s3, s3.bucket)
    result = run(s3, site)
    lines = result.output.splitlines()
    deletions = [i for i, line in enumerate(lines) if line.startswith("delete ")]
    uploads = [i for i, line in enumerate(lines) if line.startswith("upload ")]
    assert deletions and uploads and max(uploads) < min(deletions)
    assert objects(s3, s3.bucket) == read_site(output)


def test_an_interrupted_deploy_ends_consistent_when_run_again(s3: Any, site: tuple[Path, Path]) -> None:
    """The connection drops half-way through: running it again uploads the rest, and the bucket
    then holds exactly the site."""
    output = site[1]
    real = s3.put_object
    calls = {"count": 0}

    def flaky(**kwargs: Any) -> Any:
        calls["count"] += 1
        if calls["count"] > 15:
            raise ConnectionError("the network went away")
        return real(**kwargs)

    s3.put_object = flaky
    with pytest.raises(ConnectionError):
        deploy(output, f"s3://{s3.bucket}/site", client=s3, log=lambda line: None)
    s3.put_object = real
    partial = objects(s3, s3.bucket)
    assert 0 < len(partial) < len(read_site(output))
    report = deploy(output, f"s3://{s3.bucket}/site", client=s3, log=lambda line: None)
    assert len(report.uploaded) == len(read_site(output)) - len(partial)
    assert objects(s3, s3.bucket) == read_site(output)


def test_a_missing_bucket_is_a_clear_error(s3: Any, site: tuple[Path, Path]) -> None:
    """No such bucket: the store's words, exit status 1, no traceback."""
    args = ["deploy", "s3://no-such-bucket-here/site", "--output", str(site[1])]
    result = CliRunner().invoke(main, [*args, "--endpoint-url", s3.meta.endpoint_url])
    assert (
        result.exit_code == 1 and "NoSuchBucket" in result.output and isinstance(result.exception, SystemExit)
    )
    wrong = CliRunner().invoke(main, [*args, "--endpoint-url", "localhost:9"])
    assert (
        wrong.exit_code == 1 and "--endpoint-url" in wrong.output and isinstance(wrong.exception, SystemExit)
    )


def opaque(etag: str) -> str:
    """An ETag as a KMS-encrypted bucket gives it: 32 hex digits, but not the object's MD5."""
    return hashlib.md5(b"kms" + etag.strip('"').encode()).hexdigest()


class KmsStore:
    """A client of the local store whose ETags, like a KMS-encrypted bucket's, look like MD5s but
    are not the objects' MD5 (in listings and in the answers to uploads)."""

    def __init__(self, client: Any) -> None:
        self.client = client

    def __getattr__(self, name: str) -> Any:
        return getattr(self.client, name)

    def put_object(self, **arguments: Any) -> dict[str, Any]:
        response = self.client.put_object(**arguments)
        return {**response, "ETag": f'"{opaque(response["ETag"])}"'}

    def get_paginator(self, operation: str) -> Any:
        store = self.client.get_paginator(operation)

        class Listing:
            def paginate(self, **arguments: Any) -> Iterator[dict[str, Any]]:
                for page in store.paginate(**arguments):
                    contents = [{**item, "ETag": opaque(item["ETag"])} for item in page.get("Contents", [])]
                    yield {**page, "Contents": contents}

        return Listing()


def test_a_store_whose_etags_are_no_md5_still_deploys_only_changes(s3: Any, site: tuple[Path, Path]) -> None:
    """A KMS-encrypted bucket's ETags look like MD5s but are not the objects' MD5: what the last
    deploy left (its manifest keeps the ETags it got) is still recognised, and nothing is resent."""
    store = KmsStore(s3)
    first = deploy(site[1], f"s3://{s3.bucket}/site", client=store, log=lambda line: None)
    again = deploy(site[1], f"s3://{s3.bucket}/site", client=store, log=lambda line: None)
    assert first.uploaded and not again.uploaded and not again.deleted
    assert again.unchanged == len(read_site(site[1]))


def test_old_assets_stay_while_cached_pages_may_ask_for_them(s3: Any, site: tuple[Path, Path]) -> None:
    """A new stylesheet replaces the old one: the old one is kept (a page cached before the deploy
    still links to it) until max-age + stale-while-revalidate have passed, then deleted."""
    content, output = site
    deploy(output, f"s3://{s3.bucket}/site", client=s3, log=lambda line: None, now=1000.0)
    old = {key for key in objects(s3, s3.bucket) if key.startswith("static/")}
    theme = content.parent / "themes" / "recoloured"
    (theme / "static").mkdir(parents=True)
    (theme / "theme.yaml").write_text("extends: default\n")
    (theme / "static" / "style.css").write_text("body { color: teal }")
    (content / "site.yaml").write_text((content / "site.yaml").read_text() + "theme: recoloured\n")
    build(content, output, NOW, workers=1, precompress=True)
    lines: list[str] = []
    report = deploy(output, f"s3://{s3.bucket}/site", client=s3, log=lines.append, now=1010.0)
    assert old <= set(objects(s3, s3.bucket)) and not any(
        key.startswith("site/static/") for key in report.deleted
    )
    assert any(line.startswith("keep site/static/") for line in lines)
    later = deploy(output, f"s3://{s3.bucket}/site", client=s3, log=lambda line: None, now=1010.0 + 90)
    assert {key.removeprefix("site/") for key in later.deleted} == old
    assert objects(s3, s3.bucket) == read_site(output)


def test_objects_statusgen_did_not_upload_are_left_alone(s3: Any, site: tuple[Path, Path]) -> None:
    """Deploying to a whole bucket never deletes what another tool put there."""
    s3.put_object(Bucket=s3.bucket, Key="other/keep.txt", Body=b"mine")
    args = ["deploy", f"s3://{s3.bucket}", "--output", str(site[1]), "--endpoint-url", s3.meta.endpoint_url]
    result = CliRunner().invoke(main, args, catch_exceptions=False)
    assert result.exit_code == 0 and "leave other/keep.txt (not uploaded by statusgen)" in result.output
    assert s3.get_object(Bucket=s3.bucket, Key="other/keep.txt")["Body"].read() == b"mine"


@pytest.mark.parametrize("linked", [False, True], ids=["swap", "link"])
def test_the_marker_of_the_output_is_never_uploaded(
    s3: Any, make_content, tmp_path: Path, linked: bool
) -> None:
    """The file that tells a build the folder is statusgen's is no part of the site: deploy neither
    plans, uploads nor counts it, from a plain folder or a link-mode output."""
    content = make_content({"incidents/one.md": incident_text()})
    output = tmp_path / "public"
    build(content, output, NOW, workers=1, linked=linked)
    assert (output / MARKER).is_file()
    lines: list[str] = []
    dry = deploy(output, f"s3://{s3.bucket}/site", dry_run=True, log=lines.append, client=s3)
    report = deploy(output, f"s3://{s3.bucket}/site", log=lines.append, client=s3)
    assert "site/" + MARKER not in dry.uploaded + report.uploaded
    assert not [line for line in lines if MARKER in line]
    assert objects(s3, s3.bucket) == read_site(output)  # (read_site: the tree but the marker)
    assert deploy(output, f"s3://{s3.bucket}/site", log=lines.append, client=s3).unchanged == len(
        read_site(output)
    )


def test_cache_lifetimes_follow_site_yaml(s3: Any, site: tuple[Path, Path]) -> None:
    """`cache: {max_age: 300, stale: 600}` sets every page's lifetime; the next deploy re-sends
    the objects whose headers changed even though their bytes did not."""
    content, output = site
    run(s3, site)
    (content / "site.yaml").write_text(
        (content / "site.yaml").read_text() + "cache:\n  max_age: 300\n  stale: 600\n"
    )
    build(content, output, NOW + timedelta(seconds=1), workers=1, precompress=True)
    run(s3, site)
    head = s3.head_object(Bucket=s3.bucket, Key="site/incidents/one/index.html")
    assert head["CacheControl"] == "public, max-age=300, stale-while-revalidate=600"
