"""Each broken site under tests/invalid/ fails with exactly the errors in its expected.txt."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from statusgen import ContentError, check
from tests.conftest import NOW

CASES = Path(__file__).parent / "invalid"
NAMES = sorted(p.name for p in CASES.iterdir() if p.is_dir())


@pytest.mark.parametrize("name", NAMES)
def test_invalid_site_reports_exact_errors(
    name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The site fails to build, reporting every problem with its file, line, field and hint."""
    case = CASES / name
    shutil.copytree(case / "content", tmp_path / "content")
    if not (tmp_path / "content" / "site.yaml").exists() and not (case / "NO_SITE").exists():
        shutil.copy(CASES / "site.yaml", tmp_path / "content" / "site.yaml")
    monkeypatch.chdir(tmp_path)
    with pytest.raises(ContentError) as caught:
        check("content", NOW)
    actual = "\n".join(str(problem) for problem in caught.value.problems) + "\n"
    compare_with_expected(case, actual)


def compare_with_expected(case: Path, actual: str) -> None:
    """Assert `actual` is the case's expected.txt; a missing file fails (it is written only with
    STATUSGEN_REGENERATE=1, for review, so a new case cannot pass by comparing with itself)."""
    expected_path = case / "expected.txt"
    if os.environ.get("STATUSGEN_REGENERATE"):
        expected_path.write_text(actual, encoding="utf-8")
    elif not expected_path.exists():
        pytest.fail(
            f"{case.name} has no expected.txt: write it, or run with STATUSGEN_REGENERATE=1 and review it"
        )
    assert actual == expected_path.read_text(encoding="utf-8")


def test_a_case_without_its_expected_errors_fails(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A new case folder with no expected.txt fails, and no expected.txt is written."""
    monkeypatch.delenv("STATUSGEN_REGENERATE", raising=False)
    with pytest.raises(pytest.fail.Exception, match=r"no expected\.txt"):
        compare_with_expected(tmp_path, "content/site.yaml:1: title: missing\n")
    assert not (tmp_path / "expected.txt").exists()
    monkeypatch.setenv("STATUSGEN_REGENERATE", "1")
    compare_with_expected(tmp_path, "content/site.yaml:1: title: missing\n")
    assert (tmp_path / "expected.txt").read_text(encoding="utf-8") == "content/site.yaml:1: title: missing\n"
