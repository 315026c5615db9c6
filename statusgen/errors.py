"""Located content problems (path, line, field, message, hint) and the error that carries them all."""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong (or worth a warning) in one content file, located as precisely as known."""

    path: str
    line: int | None
    field: str
    message: str
    hint: str = ""
    warning: bool = False

    def __str__(self) -> str:
        """Render as `path:line: field: message (hint)`, the form editors and CI annotate."""
        where = f"{self.path}:{self.line}" if self.line else self.path
        if self.warning:
            where += ": warning"
        text = f"{where}: {self.field}: {self.message}" if self.field else f"{where}: {self.message}"
        return f"{text} ({self.hint})" if self.hint else text


class ContentError(Exception):
    """Every problem that stopped a build, reported together."""

    def __init__(self, problems: Iterable[Problem]) -> None:
        """Keep the problems sorted by file and line so output is stable."""
        self.problems: tuple[Problem, ...] = tuple(sorted(set(problems), key=_sort_key))
        super().__init__("\n".join(str(p) for p in self.problems))

    def __reduce__(self) -> tuple[type[ContentError], tuple[tuple[Problem, ...]]]:
        """Pickle by the problems (a build's worker processes raise it to the parent)."""
        return (ContentError, (self.problems,))


LINK_MESSAGE = (
    "is a symbolic link; statusgen follows no links in a site, so that no file from outside it "
    "can be published or quoted in an error"
)


def link_problem(path: str) -> Problem:
    """The problem with a symbolic link in a site (content or theme): it names nothing of the target."""
    return Problem(path, None, "", LINK_MESSAGE, "put the file or folder itself here")


def _sort_key(problem: Problem) -> tuple[str, int, str, str]:
    return (problem.path, problem.line or 0, problem.field, problem.message)


def did_you_mean(word: object, choices: Iterable[str]) -> str:
    """Return a "did you mean …?" hint for a near miss, or "" when nothing is close."""
    matches = difflib.get_close_matches(str(word), sorted(choices), n=1, cutoff=0.6)
    return f"did you mean {matches[0]!r}?" if matches else ""
