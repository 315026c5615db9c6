"""`python -m statusgen` runs the command line."""

from statusgen.cli import main

main()
