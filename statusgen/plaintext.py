"""Plain text from sanitised HTML: what calendars, `changes` and messages show of Markdown.

Plain text is read from the sanitised rendering (`markdown.MarkdownRenderer.text`), never from the
Markdown source, so raw HTML, scripts and dangerous URLs are gone before a word is written.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from urllib.parse import urljoin

# Elements that make blocks of their own; the text of the others joins the block around them.
_BLOCKS = frozenset(
    {"p", "div", "blockquote", "pre", "ul", "ol", "li", "dl", "dt", "dd", "table", "tr", "hr"}
    | {f"h{level}" for level in range(1, 7)}
)
_TIGHT = frozenset({"li", "dt", "dd", "tr", "div"})  # blocks that need no blank line before them
_UNSHOWN = frozenset({"script", "style", "template", "head", "title"})  # (sanitised HTML has none)
_SPACES = re.compile(r"[ \t\n\r\f]+")
_WRITTEN_SCHEMES = ("http", "https", "mailto")
# How a browser reads a URL (WHATWG URL Standard), shared with markdown.py: C0 controls and
# spaces around it are dropped, tabs and newlines inside it too.
C0_OR_SPACE = "".join(chr(code) for code in range(0x21))
TAB_OR_NEWLINE = re.compile(r"[\t\n\r]")
URL_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:")
# A `<` that an HTML reader would take for the start of a tag (or comment) in text that the page
# shows as text (`&lt;b&gt;`, code): a zero-width space after it keeps it text, read as HTML too.
_TAG_OPEN = re.compile(r"<(?=[A-Za-z/!?])")


def plain_text(html: str, base: str | None = None) -> str:
    """Sanitised HTML as plain text, for calendars, `changes` and messages: no tag survives.

    Blocks (paragraphs, headings, lists, quotations, tables, code) are separated by a blank line;
    list items are "- item" or "1. item", nested ones indented; quotations are "> text"; table
    rows are one line each, " | " between cells; a link is "text (URL)", or its URL alone when
    that is its text (relative URLs resolved against `base` when given; a URL of another scheme
    than http, https or mailto is never written); an image is its alt text; code keeps its
    spaces and, in a block, its lines; character references are decoded; a `<` that would open a
    tag for an HTML reader (in text the page shows as text, such as code) is followed by U+200B.
    """
    reader = _PlainText(base)
    reader.feed(html)
    reader.close()
    return reader.result()


class _PlainText(HTMLParser):
    """The reader behind `plain_text`: blocks of lines, with list markers and quotation prefixes."""

    def __init__(self, base: str | None) -> None:
        super().__init__(convert_charrefs=True)
        self.base = base
        self.lines: list[str] = []
        self.inline: list[str] = []  # the text of the block being read, in pieces
        self.gap = False  # a blank line is due before the next block
        self.quotes = 0  # blockquote depth
        self.written_quotes = 0  # the depth of the last line written
        self.lists: list[int | None] = []  # per open list, the next item's number (None: bullets)
        self.indents: list[str] = []  # per open item, the indent of its lines after the first
        self.marker = ""  # the open item's marker, until its first line is written
        self.links: list[tuple[str | None, int]] = []  # per open link, its URL and first piece
        self.code = 0  # <code> depth: spaces kept
        self.pre = 0  # <pre> depth: spaces and lines kept
        self.unshown = 0
        self.cells = 0  # cells of the table row so far

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        """An element begins: a block, a line break, an image, a link, a cell or code."""
        values = {name: value or "" for name, value in attrs}
        if tag in _UNSHOWN:
            self.unshown += 1
        elif tag in _BLOCKS:
            self._block_starts(tag, values)
        elif tag == "br":
            self.inline.append("\n")
        elif tag == "img":
            self._add(values.get("alt", ""))
        elif tag == "a":
            self.links.append((values.get("href"), len(self.inline)))
        elif tag in ("td", "th"):
            self.cells += 1
            if self.cells > 1:
                if self.inline:
                    self.inline[-1] = self.inline[-1].rstrip(" ")
                self.inline.append(" | ")
        elif tag == "code":
            self.code += 1

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        """A self-closing element (`<br/>`, `<img/>`): it begins and ends at once."""
        self.handle_starttag(tag, attrs)
        if tag not in ("br", "img", "hr"):
            self.handle_endtag(tag)

    def handle_endtag(self, tag: str) -> None:
        """An element ends; a link's URL is written after its text."""
        if tag in _UNSHOWN:
            self.unshown = max(0, self.unshown - 1)
        elif tag in _BLOCKS:
            self._block_ends(tag)
        elif tag == "a" and self.links:
            href, first = self.links.pop()
            url = self._url(href)
            shown = _SPACES.sub(" ", "".join(self.inline[first:])).strip()
            if url and not shown:
                self._add(url)
            elif url and shown not in (url, href, url.removeprefix("mailto:")):
                self._add(f" ({url})")
        elif tag == "code":
            self.code = max(0, self.code - 1)

    def handle_data(self, data: str) -> None:
        """Text, entities already decoded."""
        if not self.unshown:
            self._add(data)

    def _url(self, href: str | None) -> str:
        """A link's URL as written out: resolved against the base, or "" if not a web or mail URL."""
        cleaned = TAB_OR_NEWLINE.sub("", (href or "").strip(C0_OR_SPACE))
        scheme = URL_SCHEME.match(cleaned)
        if scheme is None:
            return urljoin(self.base, cleaned) if self.base and cleaned else cleaned
        return cleaned if scheme.group()[:-1].lower() in _WRITTEN_SCHEMES else ""

    def _add(self, text: str) -> None:
        """Add text to the block: spaces collapsed, but in code; none at a line's start."""
        if self.pre:
            self.inline.append(text)
            return
        if self.code:
            self.inline.append(text.replace("\n", " "))
            return
        text = _SPACES.sub(" ", text)
        if text.startswith(" ") and (not self.inline or self.inline[-1].endswith((" ", "\n"))):
            text = text[1:]
        if text:
            self.inline.append(text)

    def _block_starts(self, tag: str, attrs: dict[str, str]) -> None:
        self._flush()
        if tag not in _TIGHT:
            self.gap = True
        if tag in ("ul", "ol"):
            start = attrs.get("start", "")
            self.lists.append(None if tag == "ul" else int(start) if start.isdigit() else 1)
            if len(self.lists) > 1:
                self.gap = False  # a nested list goes on under its item's line
        elif tag in ("li", "dd"):
            number = self.lists[-1] if self.lists and tag == "li" else None
            marker = "- " if tag == "li" and number is None else f"{number}. " if tag == "li" else ""
            if number is not None:
                self.lists[-1] = number + 1
            outer = self.indents[-1] if self.indents else ""
            self.marker = outer + marker if tag == "li" else outer + "  "
            self.indents.append(outer + (" " * len(marker) if tag == "li" else "  "))
        elif tag == "blockquote":
            self.quotes += 1
        elif tag == "tr":
            self.cells = 0
        elif tag == "pre":
            self.pre += 1

    def _block_ends(self, tag: str) -> None:
        if tag == "pre":
            text, self.inline = "".join(self.inline).removeprefix("\n").rstrip("\n"), []
            self._write(text.split("\n") if text.strip() else [])
            self.pre = max(0, self.pre - 1)
        else:
            self._flush()
        if tag in ("ul", "ol") and self.lists:
            self.lists.pop()
        elif tag in ("li", "dd") and self.indents:
            self.indents.pop()
            self.marker = ""
        elif tag == "blockquote":
            self.quotes = max(0, self.quotes - 1)
        if tag not in _TIGHT and not (tag in ("ul", "ol") and self.lists):
            self.gap = True

    def _flush(self) -> None:
        """Write the text read since the last block began, as lines of its own."""
        text, self.inline = "".join(self.inline), []
        self._write([line.strip() for line in text.split("\n") if line.strip()])

    def _write(self, lines: list[str]) -> None:
        if not lines:
            return
        if self.lines and self.gap:
            self.lines.append(("> " * min(self.quotes, self.written_quotes)).rstrip())
        self.gap = False
        self.written_quotes = self.quotes
        quote = "> " * self.quotes
        indent = self.indents[-1] if self.indents else ""
        for line in lines:
            lead, self.marker = (self.marker or indent), ""
            self.lines.append((quote + lead + line).rstrip())

    def result(self) -> str:
        """The text read, without blank lines at either end."""
        self._flush()
        return _TAG_OPEN.sub("<\u200b", "\n".join(self.lines).strip("\n"))
