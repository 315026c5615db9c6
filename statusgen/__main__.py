"""`python -m statusgen` runs the command line."""

from statusgen.cli import entry_point

entry_point()
