"""statusgen: a static-site generator for public status pages.

The library API that the command line (and the tests) call:

- `load_content(content_dir)` reads and validates a content folder into typed models;
- `check(content_dir, now)` renders everything in memory and returns the file map;
- `build(content_dir, output_dir, now)` does the same and publishes it atomically;
- `StatusgenError` carries every located `Problem` of a failed run; its kinds say what failed:
  `ContentError` (the content or theme), `PublishError` (writing the output), `DeployError`,
  `WorkerError` (a build's worker process), `AuthoringError` (a refused command).
"""

__version__ = "0.1.0"  # the one place the release is written (pyproject.toml reads it)

from statusgen.build import BuildResult, build, check, render_site
from statusgen.content import load_content, parse_incident, parse_maintenance, parse_site
from statusgen.errors import (
    AuthoringError,
    ContentError,
    DeployError,
    Problem,
    PublishError,
    StatusgenError,
    WorkerError,
)

__all__ = [
    "AuthoringError",
    "BuildResult",
    "ContentError",
    "DeployError",
    "Problem",
    "PublishError",
    "StatusgenError",
    "WorkerError",
    "__version__",
    "build",
    "check",
    "load_content",
    "parse_incident",
    "parse_maintenance",
    "parse_site",
    "render_site",
]
