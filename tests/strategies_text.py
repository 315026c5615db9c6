"""Hypothesis strategies for content files as an author (or an attacker) might write them: text, not models.

Shared by the fuzz test in the suite (`test_hostile.py`) and the longer fuzz run by hand
(`python tests/fuzz_content.py --examples 50000`).
"""

from __future__ import annotations

from hypothesis import strategies as st

from statusgen.content import INCIDENT_KEYS, MAINTENANCE_KEYS, UPDATE_KEYS

KEYS = sorted(
    {*INCIDENT_KEYS, *MAINTENANCE_KEYS, *UPDATE_KEYS, "resovled", "staus", "<<", "null", "yes", "0x10"}
)
# Characters that matter to YAML, Markdown, HTML and XML, plus troublemakers from Unicode.
SPECIAL = [
    *":-[]{}!&*#'\"|>%@`,?\\<>/()_=~^$\t\n ",
    "\x00", "\x01", "\x0b", "\x1f", "\x7f", "\x85", "\ufeff", "\u2028", "\u202e", "\u200b", "\ufffe",
    "é", "障", "🔥", "\U0010ffff",
]  # fmt: skip
WORDS = [
    "2012-06-21T09:00:00-07:00", "2012-06-21 09:00", "10:30", "0x1F", "1e400", ".nan", "~", "yes",
    "!!python/object/apply:os.system ['true']", "!!binary aGk=", "!!set {a}", "!!int abc", "&a [1]", "*a",
    "<script>alert(1)</script>", "[x](javascript:alert(1))", "---", "...", "critical", "resolved",
    "investigating", "web", "api", "major_outage", "components:", "updates:", "  - at:",
]  # fmt: skip

scalars = st.one_of(
    st.sampled_from(WORDS),
    st.text(st.sampled_from(SPECIAL) | st.characters(), max_size=40),
    st.integers(-(10**30), 10**30).map(str),
)


@st.composite
def front_matter(draw: st.DrawFn) -> str:
    """YAML-like front matter: known and misspelt keys, lists and mappings, hostile scalars."""
    lines = []
    for _ in range(draw(st.integers(0, 8))):
        key = draw(st.sampled_from(KEYS) | scalars)
        shape = draw(st.integers(0, 3))
        if shape == 0:
            lines.append(f"{key}: {draw(scalars)}")
        elif shape == 1:
            items = draw(st.lists(scalars, max_size=4))
            lines.append(f"{key}: [{', '.join(items)}]")
        elif shape == 2:
            lines.append(f"{key}:")
            for _ in range(draw(st.integers(0, 3))):
                lines.append(f"  - {draw(st.sampled_from(UPDATE_KEYS))}: {draw(scalars)}")
                lines.append(f"    {draw(st.sampled_from(UPDATE_KEYS))}: {draw(scalars)}")
        else:
            lines.append(draw(scalars))
    return "\n".join(lines)


@st.composite
def content_files(draw: st.DrawFn) -> bytes:
    """A whole content file: mostly front matter and a Markdown body, sometimes arbitrary bytes."""
    if draw(st.integers(0, 9)) == 0:
        return draw(st.binary(max_size=300))
    body = draw(st.text(st.sampled_from(SPECIAL) | st.characters(), max_size=200))
    text = f"---\n{draw(front_matter())}\n---\n{body}"
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "latin-1"]))
    newline = draw(st.sampled_from(["\n", "\r\n", "\r"]))
    return text.replace("\n", newline).encode(encoding, errors="replace")
