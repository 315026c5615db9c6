"""The command line: exit codes, messages, `--now` and SOURCE_DATE_EPOCH, `python -m statusgen`."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from statusgen.cli import main, resolve_now
from tests.conftest import incident_text


def run(*args: str, env: dict[str, str] | None = None):
    return CliRunner().invoke(main, list(args), env=env, catch_exceptions=False)


def test_build_writes_the_site_and_exits_0(make_content, tmp_path: Path) -> None:
    """`statusgen build` writes the output and says what it did."""
    content = make_content({"incidents/x.md": incident_text()})
    output = tmp_path / "out"
    result = run(
        "build", "--content", str(content), "--output", str(output), "--now", "2012-06-21T10:00:00-07:00"
    )
    assert result.exit_code == 0, result.output
    assert (output / "incidents" / "x" / "index.html").is_file()
    assert "Major System Outage" in result.output


def test_content_errors_exit_1_with_located_messages(make_content, tmp_path: Path) -> None:
    """Every problem is printed as path:line: field: message, and nothing is written."""
    content = make_content({"incidents/x.md": incident_text(impact="huge", started="10:30")})
    result = run(
        "build", "--content", str(content), "--output", str(tmp_path / "out"), "--now", "2012-06-21T10:00:00Z"
    )
    assert result.exit_code == 1
    lines = result.stderr.splitlines()
    assert lines[0] == (
        f"{content}/incidents/x.md:3: started: expected a date-time such as 2012-06-21T09:00:00-07:00, "
        "got the number 630 (YAML reads 10:30 as the number 630; write the full date-time)"
    )
    assert lines[1].startswith(f"{content}/incidents/x.md:4: impact: unknown impact 'huge'")
    assert lines[-1] == "2 errors; nothing was written."
    assert not (tmp_path / "out").exists()


def test_an_output_folder_of_the_users_exits_1_with_the_reason_and_no_traceback(
    make_content, tmp_path: Path
) -> None:
    """`statusgen build --output docs` over the user's docs: one located line saying what the folder
    holds and how to start over, exit 1, and the folder as it was."""
    content = make_content({"incidents/x.md": incident_text()})
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "notes.md").write_text("mine")
    (docs / "more.md").write_text("mine too")
    command = [sys.executable, "-m", "statusgen", "build", "--content", str(content), "--output", str(docs)]
    result = subprocess.run(
        command, capture_output=True, text=True, env={**os.environ, "SOURCE_DATE_EPOCH": "1340298000"}
    )
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        f"{docs}: the output folder holds 2 files that statusgen did not write, such as more.md, "
        "notes.md, and no .statusgen-output of an earlier build; a build replaces the whole output "
        "folder, so it refuses one that is not its own (choose another --output, or delete the "
        "folder by hand to start over)",
        "1 error; nothing was written.",
    ]
    assert result.stdout == ""
    assert sorted(p.name for p in tmp_path.iterdir()) == ["content", "docs"]
    assert sorted(p.name for p in docs.iterdir()) == ["more.md", "notes.md"]


def test_check_validates_without_writing(make_content, tmp_path: Path, monkeypatch) -> None:
    """`statusgen check` exits 0 on good content and writes nothing."""
    content = make_content({"incidents/x.md": incident_text()})
    monkeypatch.chdir(tmp_path)
    result = run("check", "--content", str(content), "--now", "2012-06-21T10:00:00Z")
    assert result.exit_code == 0
    assert "is valid" in result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["content"]


def test_warnings_are_printed_but_do_not_fail(make_content) -> None:
    """Out-of-order updates print a warning and the check still passes."""
    updates = (
        "\n  - at: 2012-06-21T10:00:00-07:00\n    status: identified\n    body: b"
        "\n  - at: 2012-06-21T09:10:00-07:00\n    status: investigating\n    body: a"
    )
    content = make_content({"incidents/x.md": incident_text(updates=updates)})
    result = run("check", "--content", str(content), "--now", "2012-06-21T10:00:00Z")
    assert result.exit_code == 0
    assert ": warning: updates[1].at: this update is earlier" in result.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["build", "--now", "yesterday"], "expected an ISO 8601 date-time"),
        (["build", "--now", "2012-06-21T10:00:00"], "add a UTC offset"),
        (["build", "--no-such-option"], "No such option"),
        (["publish"], "No such command"),
    ],
)
def test_usage_errors_exit_2(args: list[str], message: str) -> None:
    """Bad arguments exit with status 2 and say what is wrong."""
    result = run(*args)
    assert result.exit_code == 2
    assert message in result.output


def test_now_resolution_order() -> None:
    """--now wins over SOURCE_DATE_EPOCH, which wins over the clock."""
    assert resolve_now("2012-06-21T10:00:00Z", {"SOURCE_DATE_EPOCH": "0"}) == datetime(
        2012, 6, 21, 10, tzinfo=UTC
    )
    assert resolve_now(None, {"SOURCE_DATE_EPOCH": "1340298000"}) == datetime(2012, 6, 21, 17, tzinfo=UTC)
    before = datetime.now(UTC).replace(microsecond=0)
    assert before <= resolve_now(None, {}) <= datetime.now(UTC)
    with pytest.raises(click.UsageError):
        resolve_now(None, {"SOURCE_DATE_EPOCH": "soon"})


def test_source_date_epoch_makes_builds_reproducible(make_content, tmp_path: Path) -> None:
    """Two builds with the same SOURCE_DATE_EPOCH write the same bytes."""
    content = make_content({"incidents/x.md": incident_text()})
    env = {"SOURCE_DATE_EPOCH": "1340298000"}
    for name in ("a", "b"):
        assert (
            run("build", "--content", str(content), "--output", str(tmp_path / name), env=env).exit_code == 0
        )
    a = {p.relative_to(tmp_path / "a"): p.read_bytes() for p in (tmp_path / "a").rglob("*") if p.is_file()}
    b = {p.relative_to(tmp_path / "b"): p.read_bytes() for p in (tmp_path / "b").rglob("*") if p.is_file()}
    assert a == b


def test_python_dash_m_works_the_same(make_content, tmp_path: Path) -> None:
    """`python -m statusgen check` runs the same command line (exit 1 on bad content)."""
    content = make_content({"incidents/x.md": incident_text(impact="huge")})
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "statusgen",
            "check",
            "--content",
            str(content),
            "--now",
            "2012-06-21T10:00:00Z",
        ],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(Path(__file__).parent.parent)},
        check=False,
    )
    assert result.returncode == 1
    assert "impact: unknown impact 'huge'" in result.stderr
