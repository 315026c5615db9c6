"""The command line: argument parsing, printing and exit codes over the library API, nothing else.

Exit status: 0 on success, 1 when a run fails (content errors, or a publish, deploy, worker or
authoring failure: each problem printed as `path:line: field: message`), 2 on usage errors.

- `base`: the `statusgen` group, the shared options, `now`, printing results and errors;
- `site`: the commands that read a site (build, check, next-change, changes, list, serve, deploy);
- `writing`: the commands that write content (init, new, update, resolve, postmortem);
- `notify`: telling subscribers (`statusgen notify`);
- `completion`: shell completion from the content folder.
"""

from __future__ import annotations

import os
import sys

from statusgen.cli import completion, notify, site, writing
from statusgen.cli.base import main, resolve_now

__all__ = ["completion", "entry_point", "main", "notify", "resolve_now", "site", "writing"]


def entry_point() -> None:
    """The `statusgen` command: run, then exit without tearing the heap down object by object.

    A big site leaves millions of objects; freeing them one by one at exit takes longer than some
    builds, so the process ends at once after flushing its output (as mypy does).
    """
    try:
        main()
        code: object = 0
    except SystemExit as stop:
        code = stop.code
    if isinstance(code, str):
        print(code, file=sys.stderr)
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code if isinstance(code, int) else (0 if code is None else 1))
