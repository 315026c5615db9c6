"""Plain text read from sanitised HTML (calendars, `changes`): its rules, and that nothing gets through."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest

from statusgen.markdown import MarkdownRenderer
from statusgen.plaintext import plain_text
from tests.test_xss import VECTORS

PAGE = "https://status.example.com/incidents/x/"


def text(markdown: str) -> str:
    """A Markdown body as plain text, through the renderer the pages use."""
    return MarkdownRenderer().text(markdown, PAGE)


class _Markup(HTMLParser):
    """Whatever an HTML reader would take for markup in a text: tags, comments, declarations."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.found.append(f"<{tag}>")

    def handle_endtag(self, tag: str) -> None:
        self.found.append(f"</{tag}>")

    def handle_comment(self, data: str) -> None:
        self.found.append("comment")

    def handle_decl(self, decl: str) -> None:
        self.found.append("declaration")

    def handle_pi(self, data: str) -> None:
        self.found.append("processing instruction")

    def unknown_decl(self, data: str) -> None:
        self.found.append("declaration")


def markup_in(plain: str) -> list[str]:
    """The markup an HTML reader would find in a plain text."""
    reader = _Markup()
    reader.feed(plain)
    reader.close()
    return reader.found


def test_blocks_are_separated_by_blank_lines_and_inline_markup_is_dropped() -> None:
    """Paragraphs and headings are blocks; emphasis, code spans and entities become their text."""
    source = "## Cause &amp; fix\n\nA **bad** deploy, `x  =  1` &lt;3.\nStill the same paragraph.\n\nNext."
    assert text(source) == (
        "Cause & fix\n\nA bad deploy, x  =  1 <3. Still the same paragraph.\n\nNext."  # code keeps its spaces
    )


def test_lists_are_dashes_or_numbers_and_nest() -> None:
    """Bullets are "- ", ordered items count from their start, nested items are indented."""
    source = "Steps:\n\n- one\n- two\n    - two and a half\n- three\n\n4. four\n5. five\n\nDone."
    assert text(source) == "Steps:\n\n- one\n- two\n  - two and a half\n- three\n\n4. four\n5. five\n\nDone."


def test_links_are_written_out_unless_their_text_is_the_url() -> None:
    """`text (URL)`; an autolink or a mail address once; a relative link resolved against the page."""
    source = (
        "See [the notes](https://example.com/notes?a=1&b=2), <https://example.com/>, <ops@example.com>, "
        "[the history](../../history/) and [the update](#update-2)."
    )
    assert text(source) == (
        "See the notes (https://example.com/notes?a=1&b=2), https://example.com/, ops@example.com, "
        "the history (https://status.example.com/history/) and "
        "the update (https://status.example.com/incidents/x/#update-2)."
    )
    assert plain_text('<a href="../x/">x</a>') == "x (../x/)"  # no base: left as written


def test_images_are_their_alt_text_and_code_blocks_are_verbatim() -> None:
    """An image shows its alt text (or nothing); a code block keeps its lines and indentation."""
    source = (
        "![the graph](https://img.example/g.png) ![](/static/x.png) after\n\n"
        "    if x:\n        y()\n\n> quoted"
    )
    assert text(source) == "the graph after\n\nif x:\n    y()\n\n> quoted"


def test_tables_give_one_line_per_row() -> None:
    """Cells are separated by " | "."""
    assert text("| Region | Status |\n|---|---|\n| EU | up & running |") == (
        "Region | Status\nEU | up & running"
    )


def test_raw_html_and_dangerous_links_never_reach_the_text() -> None:
    """Scripts are gone with their content, a javascript: link keeps only its text, no tag survives."""
    source = (
        '<script>alert(1)</script>Read <a href="javascript:alert(2)">this</a> and '
        "[that](javascript:alert(3)) **now**.\n\n<div onclick=alert(4)>raw <b>bold</b></div>"
    )
    plain = text(source)
    assert plain == "Read this and that now.\n\nraw bold"
    assert plain_text('<a href=" JaVa&#x09;script:alert(1)">x</a> <a href="vbscript:y">y</a>') == "x y"


def test_text_shown_as_text_cannot_become_markup() -> None:
    """`&lt;b&gt;` and code are shown as text on the page: in the plain text a `<` that would open a
    tag for an HTML reader is followed by a zero-width space, so even a reader rendering it as HTML
    finds no tag, while `1 < 2` is left alone."""
    plain = text("Type `<script>alert(1)</script>`, not &lt;b&gt;, <!-- x --> &lt;!-- y --> 1 < 2.")
    assert plain == "Type <\u200bscript>alert(1)<\u200b/script>, not <\u200bb>, <\u200b!-- y --> 1 < 2."
    assert markup_in(plain) == []


@pytest.mark.parametrize("vector", VECTORS, ids=[f"v{i:03d}" for i in range(len(VECTORS))])
def test_no_vector_leaves_markup_or_a_script_url_in_the_text(vector: str) -> None:
    """Every XSS vector of test_xss, as a body: its plain text holds no markup and no script URL."""
    plain = text(f"A [link](https://example.com/), then\n\n{vector}")
    assert markup_in(plain) == [], plain
    assert not re.search(r"\((?:java|vb)script:", plain, re.IGNORECASE), plain
    assert "link (https://example.com/)" in plain
