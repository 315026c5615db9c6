"""Errors have their kind (content, publish, deploy, worker, authoring) under one base that keeps
`.problems`, and the command line prints every kind the same way."""

from __future__ import annotations

import json
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


# A file name or a quoted YAML key in a pull request, written to break `statusgen check`'s output
# in CI: a second line that GitHub Actions reads as a command, colours, a reordered name.
FORGED = "x\n::error file=README.md,line=1::forged\r\x1b[31m\u202ered\u2028"


def test_a_problem_is_one_line_whatever_the_content_holds(tmp_path: Path) -> None:
    """Control and format characters and line separators in a file's name, a YAML key or any part
    of a problem are printed escaped (`\\n`, `\\x1b`, `\\u202e`): each problem is one line of
    `statusgen check`'s output, so a contributor cannot write lines of their own into a CI log."""
    from tests.conftest import SITE_YAML, incident_text, write_tree

    content = write_tree(
        tmp_path / "content",
        {
            "site.yaml": SITE_YAML,
            f"incidents/{FORGED}.md": incident_text(),
            "incidents/key.md": incident_text(**{json.dumps(FORGED): "1"}),
        },
    )
    result = CliRunner().invoke(
        main, ["check", "--content", str(content), "--now", "2012-06-21T10:30:00-07:00"]
    )
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert len(lines) == 3 and lines[-1] == "2 errors; nothing was written.", result.output
    escaped = "x\\n::error file=README.md,line=1::forged\\r\\x1b[31m\\u202ered\\u2028"
    assert all(escaped in line for line in lines[:2])
    assert not any(c in result.output for c in "\r\x1b\u202e\u2028")
    problem = Problem(FORGED, 3, FORGED, FORGED, FORGED)
    assert str(problem) == f"{escaped}:3: {escaped}: {escaped} ({escaped})"
    assert str(Problem("café/Ω.md", 1, "naïve", "déjà vu\u00a0!")) == "café/Ω.md:1: naïve: déjà vu\u00a0!"
