"""Located problems (path, line, field, message, hint) and the errors that carry them, one kind per
stage that fails (content, publish, deploy, worker, authoring) under `StatusgenError`."""

from __future__ import annotations

import difflib
import unicodedata
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
        """Render as `path:line: field: message (hint)`, the form editors and CI annotate: one
        line, whatever a file's name or a YAML key holds (see `shown`)."""
        path, field, message, hint = (
            shown(part) for part in (self.path, self.field, self.message, self.hint)
        )
        where = f"{path}:{self.line}" if self.line else path
        if self.warning:
            where += ": warning"
        text = f"{where}: {field}: {message}" if field else f"{where}: {message}"
        return f"{text} ({hint})" if hint else text


_UNSHOWN = frozenset({"Cc", "Cf", "Zl", "Zp"})  # control and format characters, line separators


def shown(text: str) -> str:
    """`text` as a terminal or a CI log may show it: control and format characters and line
    separators escaped as Python writes them (`\\n`, `\\x1b`, `\\u202e`). A file name or a quoted
    YAML key in a pull request could otherwise break a problem's line in two and write a line of
    its own into the log (`::error file=…::`, which GitHub Actions reads as a command), colour
    it, or reorder it."""
    if text.isprintable():  # (nearly always: what is not printable is checked one by one)
        return text
    return "".join(repr(c)[1:-1] if unicodedata.category(c) in _UNSHOWN else c for c in text)


class StatusgenError(Exception):
    """Every problem that stopped a run, located and reported together: the base of every kind.

    A caller that only reports (the command line, the preview server) catches this one; the kinds
    below say what failed: the content, publishing, deploying, a worker process, a command.
    """

    def __init__(self, problems: Iterable[Problem]) -> None:
        """Keep the problems sorted by file and line so output is stable."""
        self.problems: tuple[Problem, ...] = tuple(sorted(set(problems), key=_sort_key))
        super().__init__("\n".join(str(p) for p in self.problems))

    def __reduce__(self) -> tuple[type[StatusgenError], tuple[tuple[Problem, ...]]]:
        """Pickle by the kind and the problems (a build's worker processes raise it to the parent)."""
        return (type(self), (self.problems,))


class ContentError(StatusgenError):
    """The content (or the theme) has errors: each problem names the file and line to fix."""


class PublishError(StatusgenError):
    """The built site could not be written to its output folder (nothing there was changed)."""


class DeployError(StatusgenError):
    """The built site could not be uploaded to its store."""


class WorkerError(StatusgenError):
    """A worker process of the build ended without a result (nothing was written)."""


class AuthoringError(StatusgenError):
    """A command that cannot do what it was asked, with why (it changed nothing)."""


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
