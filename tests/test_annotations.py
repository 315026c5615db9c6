"""`statusgen check --format github|json`: content errors where CI shows them."""

from __future__ import annotations

import json

from click.testing import CliRunner

from statusgen.annotations import github
from statusgen.cli import main
from statusgen.errors import Problem
from tests.conftest import incident_text

BROKEN = incident_text(impact="severe")


def test_github_annotations_name_the_file_line_and_field(make_content) -> None:
    """Each problem is one `::error file=…,line=…,title=…::message` line; exit status 1."""
    content = make_content({"incidents/x.md": BROKEN})
    result = CliRunner().invoke(main, ["check", "--content", str(content), "--format", "github"])
    assert result.exit_code == 1
    (line,) = result.stdout.splitlines()
    assert line.startswith(
        f"::error file={content}/incidents/x.md,line=4,title=impact::unknown impact 'severe'"
    )


def test_annotations_escape_what_github_reads_as_syntax() -> None:
    """Newlines, % and (in properties) : and , are escaped, so a message cannot end the command."""
    problem = Problem("a,b:c.md", 3, "x", "100% bad\n::error::forged", "a hint", warning=True)
    assert (
        github(problem) == "::warning file=a%2Cb%3Ac.md,line=3,title=x::100%25 bad%0A::error::forged (a hint)"
    )


def test_json_lists_errors_and_warnings(make_content) -> None:
    """`--format json`: valid false and every error with its path, line, field, message, hint."""
    content = make_content({"incidents/x.md": BROKEN})
    result = CliRunner().invoke(main, ["check", "--content", str(content), "--format", "json"])
    assert result.exit_code == 1
    found = json.loads(result.stdout)
    assert found["valid"] is False and found["warnings"] == []
    assert found["errors"][0]["line"] == 4 and found["errors"][0]["field"] == "impact"
    fine = make_content({"incidents/x.md": incident_text()})
    ok = CliRunner().invoke(main, ["check", "--content", str(fine), "--format", "json"])
    assert ok.exit_code == 0 and json.loads(ok.stdout)["valid"] is True
