"""Front matter splitting, strict YAML and line lookup."""

from __future__ import annotations

import pytest

from statusgen.errors import ContentError
from statusgen.frontmatter import SourceMap, decode, load_yaml, split


def test_split_returns_front_matter_body_and_body_line() -> None:
    """The YAML between the fences and the body after them are separated, with line numbers."""
    document = split("x.md", "---\ntitle: A\nimpact: minor\n---\nBody line\n")
    assert document.front == "title: A\nimpact: minor\n"
    assert document.body == "Body line\n"
    assert document.front_line == 2
    assert document.body_line == 5


def test_split_accepts_empty_front_matter_and_empty_body() -> None:
    """`---` immediately followed by `---` is an empty front matter, not an unterminated one."""
    document = split("x.md", "---\n---\n")
    assert document.front == ""
    assert document.body == ""


def test_split_does_not_close_on_a_dash_line_inside_a_value() -> None:
    """Only a line that is exactly `---` closes the front matter."""
    document = split("x.md", "---\ntitle: a --- b\n----\n---\nbody")
    assert document.front == "title: a --- b\n----\n"
    assert document.body == "body"


def test_decode_strips_bom_normalises_crlf_and_removes_xml_illegal_characters() -> None:
    """A BOM, CRLF and CR line endings and control characters are all tolerated."""
    text = decode("x.md", b"\xef\xbb\xbf---\r\ntitle: A\x07B\rC\r\n---\r\n")
    assert text == "---\ntitle: AB\nC\n---\n"


def test_decode_names_the_line_of_a_non_utf8_byte() -> None:
    """A Latin-1 file is refused with the line of the first undecodable byte."""
    with pytest.raises(ContentError) as caught:
        decode("x.md", b"ok\nalso ok\nr\xe9seau\n")
    assert str(caught.value.problems[0]) == (
        "x.md:3: the file is not UTF-8 (byte 0xe9 cannot be decoded) (save it as UTF-8)"
    )


def test_timestamps_stay_text_and_yaml_11_numbers_are_kept() -> None:
    """Date-times are left for statusgen to parse; `10:30` still reads as 630 (reported later)."""
    data = load_yaml("x", "a: 2012-06-21T09:00:00-07:00\nb: 10:30\nc: 2012-06-21\n")
    assert data == {"a": "2012-06-21T09:00:00-07:00", "b": 630, "c": "2012-06-21"}


def test_billion_laughs_is_refused_without_expanding() -> None:
    """An alias bomb fails at the first alias instead of building a huge structure."""
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for level in range(1, 10):
        previous = chr(ord("a") + level - 1)
        name = chr(ord("a") + level)
        lines.append(f"{name}: &{name} [" + ",".join([f"*{previous}"] * 9) + "]")
    with pytest.raises(ContentError, match="aliases"):
        load_yaml("bomb.yaml", "\n".join(lines))


def test_merge_keys_are_refused() -> None:
    """`<<` merge keys need aliases and hide where values come from: refused."""
    with pytest.raises(ContentError, match="merge keys"):
        load_yaml("x", "<<: {a: 1}\nb: 2\n")


def test_duplicate_keys_are_refused_with_the_line_of_the_second() -> None:
    """A key given twice is an error at the line of its second occurrence."""
    with pytest.raises(ContentError) as caught:
        load_yaml("x", "title: A\nimpact: minor\ntitle: B\n", first_line=2)
    assert caught.value.problems[0].line == 4


def test_source_map_finds_nested_keys_and_list_items() -> None:
    """The line of `updates[1].at` is the line holding that key."""
    text = "title: A\nupdates:\n  - at: x\n    status: y\n  - status: z\n    at: 10:30\n"
    source = SourceMap(text, first_line=2)
    assert source.line(("title",)) == 2
    assert source.line(("updates", 1)) == 6
    assert source.line(("updates", 1, "at")) == 7
    assert source.source(("updates", 1, "at")) == "10:30"
    assert source.line(("updates", 1, "body")) == 6  # missing key: its parent's line
