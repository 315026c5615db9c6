"""Errors have their kind (content, publish, deploy, worker, authoring) under one base that keeps
`.problems`, and the command line prints every kind the same way."""

from __future__ import annotations

import pickle
from pathlib import Path

import pytest
from click.testing import CliRunner

from statusgen import (
    AuthoringError,
    ContentError,
    DeployError,
    Problem,
    PublishError,
    StatusgenError,
    WorkerError,
)
from statusgen.cli import main
from statusgen.deploy import parse_destination
from statusgen.publish import write_site

KINDS = [ContentError, PublishError, DeployError, WorkerError, AuthoringError]


@pytest.mark.parametrize("kind", KINDS)
def test_every_kind_keeps_its_problems_sorted_and_pickles_as_itself(kind: type[StatusgenError]) -> None:
    """Each kind is a StatusgenError with its problems sorted by file and line, and crosses a
    process boundary (pickling) as the same kind with the same problems."""
    problems = [Problem("b.md", 2, "title", "second"), Problem("a.md", 9, "", "first", "a hint")]
    error = kind(problems)
    assert isinstance(error, StatusgenError)
    assert [p.path for p in error.problems] == ["a.md", "b.md"]
    assert str(error) == "a.md:9: first (a hint)\nb.md:2: title: second"
    again = pickle.loads(pickle.dumps(error))
    assert type(again) is kind and again.problems == error.problems


def test_the_kinds_are_distinct() -> None:
    """A publish, deploy or worker failure is not a content error (callers can tell them apart)."""
    for kind in (PublishError, DeployError, WorkerError, AuthoringError):
        assert not issubclass(kind, ContentError)


def test_the_writer_and_the_deployer_raise_their_own_kind(tmp_path: Path) -> None:
    """A path outside the output folder is a PublishError; a wrong destination a DeployError."""
    with pytest.raises(PublishError, match="outside the output folder"):
        write_site({"../x.html": b"x"}, tmp_path / "public")
    with pytest.raises(DeployError, match="expected s3://BUCKET"):
        parse_destination("https://bucket")


def test_the_command_line_prints_every_kind_located_and_exits_1(tmp_path: Path) -> None:
    """A deploy failure is printed as a content error is: `path: message (hint)`, a count, exit 1."""
    missing = tmp_path / "missing"
    result = CliRunner().invoke(main, ["deploy", "s3://bucket", "--output", str(missing)])
    assert result.exit_code == 1
    assert f"{missing}: no built site here (statusgen build first)" in result.output
    assert "1 error; nothing more was changed." in result.output
    content = CliRunner().invoke(main, ["check", "--content", str(tmp_path / "nothing")])
    assert content.exit_code == 1
    assert "site.yaml: not found; a content folder needs a site.yaml" in content.output
    assert "1 error; nothing was written." in content.output
