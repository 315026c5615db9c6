"""The long fuzz run, by hand: `python tests/fuzz_content.py --examples 50000` (minutes to hours).

The suite runs the same property with 60 examples (`test_hostile.py`); this explores much further.
Any failure is printed with the smallest input Hypothesis found; add it to `TRAPS` in test_hostile.py.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import SITE_YAML
from tests.strategies_text import content_files
from tests.test_hostile import build_or_errors


def main() -> None:
    """Run the fuzz property with as many examples as asked."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--examples", type=int, default=20000)
    examples = parser.parse_args().examples

    @settings(
        max_examples=examples,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(incident=content_files(), maintenance=content_files(), site=st.none() | content_files())
    def fuzz(incident: bytes, maintenance: bytes, site: bytes | None) -> None:
        build_or_errors(
            {
                "site.yaml": site if site is not None else SITE_YAML.encode(),
                "incidents/fuzz.md": incident,
                "maintenance/fuzz.md": maintenance,
            }
        )

    fuzz()
    print(f"{examples} examples: every one gave a site or located errors.")


if __name__ == "__main__":
    main()
