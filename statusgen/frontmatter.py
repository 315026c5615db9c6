"""Bytes to text, `---` front matter split from the body, and strict YAML with lines for errors.

YAML is loaded with libyaml (`CSafeLoader`) where available and made strict: anchors and aliases,
merge keys and duplicate keys are refused, and timestamps stay strings so that one parser (with one
error message) reads every date-time. Line numbers are looked up only when something is wrong, by
composing the document again.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property
from typing import ClassVar

import yaml

from statusgen.errors import ContentError, Problem

_BaseLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

# Characters that XML 1.0 forbids (and libyaml refuses): removed on load so no feed can break.
# Also DEL and the C1 controls, which YAML refuses and no incident text needs.
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x84\x86-\x9f\ud800-\udfff\ufffe\uffff]")

_LINE_BREAKS = {0x85: " ", 0x2028: " ", 0x2029: " "}

KeyPath = tuple[object, ...]  # mapping keys (usually text) and list indexes


# Flow collections ([ and {) nested deeper than this are parsed by the pure-Python loader, whose
# recursion is caught, because libyaml's C parser crashes the process on some 30,000 levels.
MAX_FAST_NESTING = 100
_RESOLVERS = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


class _Strict:
    """Strict construction rules shared by the libyaml and the pure-Python loaders."""

    yaml_implicit_resolvers: ClassVar[dict[str, list[tuple[str, re.Pattern[str]]]]] = _RESOLVERS

    def construct_object(self, node: yaml.Node, deep: bool = False) -> object:
        """Construct a node, refusing aliases and values their tag cannot read (`!!int abc`)."""
        if node in self.constructed_objects or node in self.recursive_objects:  # type: ignore[attr-defined]
            raise yaml.constructor.ConstructorError(
                None,
                None,
                "anchors and aliases (&name, *name) are not allowed, and the value anchored here "
                "is reused; write it out in full where it is needed",
                node.start_mark,
            )
        try:
            return super().construct_object(node, deep=deep)  # type: ignore[misc]
        except (ValueError, KeyError, AttributeError, IndexError, TypeError, OverflowError):
            tag = node.tag.rsplit(":", 1)[-1]
            raise yaml.constructor.ConstructorError(
                None, None, f"this value cannot be read as {tag}", node.start_mark
            ) from None

    def construct_mapping(self, node: yaml.Node, deep: bool = False) -> dict[object, object]:
        """Construct a mapping, refusing merge keys and keys given twice."""
        if not isinstance(node, yaml.MappingNode):
            found = type(node).__name__.removesuffix("Node").lower()  # scalar, sequence
            raise yaml.constructor.ConstructorError(
                None, None, f"expected a mapping, found {found}", node.start_mark
            )
        mapping: dict[object, object] = {}
        for key_node, value_node in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                raise yaml.constructor.ConstructorError(
                    None, None, "merge keys (<<) are not allowed", key_node.start_mark
                )
            key = self.construct_object(key_node, deep=deep)
            try:
                duplicate = key in mapping
            except TypeError:
                raise yaml.constructor.ConstructorError(
                    None, None, "a key must be plain text", key_node.start_mark
                ) from None
            if duplicate:
                raise yaml.constructor.ConstructorError(
                    None,
                    None,
                    f"the key {key_node.value!r} is given twice; keep one",
                    key_node.start_mark,
                )
            mapping[key] = self.construct_object(value_node, deep=deep)
        return mapping


class StrictLoader(_Strict, _BaseLoader):  # type: ignore[misc, valid-type]
    """A safe loader that refuses aliases, merge keys and duplicate keys and keeps timestamps as text."""


class StrictPythonLoader(_Strict, yaml.SafeLoader):
    """The same rules on the pure-Python parser, for documents nested too deeply for libyaml."""


for _loader in (StrictLoader, StrictPythonLoader):
    _loader.add_constructor("tag:yaml.org,2002:map", _loader.construct_yaml_map)


def _too_deep(text: str) -> int | None:
    """The 0-based line where flow collections first nest deeper than MAX_FAST_NESTING, or None.

    Quotes are ignored, so it may overcount: that only costs the slower, safe parser.
    """
    if text.count("[") + text.count("{") <= MAX_FAST_NESTING:
        return None
    depth = line = 0
    for character in text:
        if character in "[{":
            depth += 1
            if depth > MAX_FAST_NESTING:
                return line
        elif character in "]}" and depth:
            depth -= 1
        elif character == "\n":
            line += 1
    return None


def loader_for(text: str) -> type[yaml.SafeLoader]:
    """libyaml's fast loader, or the pure-Python one where libyaml could crash."""
    return StrictLoader if _too_deep(text) is None else StrictPythonLoader


def decode(path: str, data: bytes) -> str:
    """Decode UTF-8 content (a BOM allowed), normalise line endings and drop XML-illegal characters."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        bad = data[error.start : error.start + 1].hex()
        raise ContentError(
            [
                Problem(
                    path,
                    line,
                    "",
                    f"the file is not UTF-8 (byte 0x{bad} cannot be decoded)",
                    "save it as UTF-8",
                )
            ]
        ) from None
    return normal_text(text)


def normal_text(text: str) -> str:
    """Text as content is read: LF line ends, no XML-illegal characters, and U+0085, U+2028 and
    U+2029 as spaces (YAML counts them as line breaks, editors and git do not: as spaces, every
    line number agrees)."""
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return xml_safe(text.translate(_LINE_BREAKS))


def xml_safe(text: str) -> str:
    """The text without the characters XML 1.0 forbids (YAML escapes such as "\\x01" can make them)."""
    return _XML_ILLEGAL.sub("", text)


@dataclass(frozen=True)
class Document:
    """A content file split into its YAML front matter and its Markdown body."""

    path: str
    front: str
    front_line: int
    body: str
    body_line: int


_OPENING = re.compile(r"---[ \t]*")
_CLOSING = re.compile(r"^(?:---|\.\.\.)[ \t]*$", re.MULTILINE)


def split(path: str, text: str) -> Document:
    """Split `---` front matter from the body; the front matter must open the file and be closed."""
    first, _, rest = text.partition("\n")
    if not _OPENING.fullmatch(first):
        found = "an empty file" if not text.strip() else f"{first[:40]!r}"
        raise ContentError(
            [
                Problem(
                    path,
                    1,
                    "",
                    f"expected front matter opening with a `---` line, found {found}",
                    "start the file with `---`, the YAML fields, then `---` and the body",
                )
            ]
        )
    closing = _CLOSING.search(rest)
    if closing is None:
        raise ContentError(
            [
                Problem(
                    path,
                    1,
                    "",
                    "the front matter opened on line 1 is never closed",
                    "add a `---` line after the last field",
                )
            ]
        )
    front = rest[: closing.start()]
    body = rest[closing.end() + 1 :]
    return Document(path, front, 2, body, 3 + front.count("\n"))


def load_yaml(path: str, text: str, first_line: int = 1) -> object:
    """Load one YAML document strictly; syntax errors become a located ContentError."""
    try:
        return yaml.load(text, Loader=loader_for(text))
    except yaml.reader.ReaderError as error:
        line = first_line + text[: error.position].count("\n")
        found = f"U+{error.character:04X}" if isinstance(error.character, int) else repr(error.character)
        message = f"invalid YAML: the character {found} is not allowed here"
        raise ContentError([Problem(path, line, "", message, "remove it")]) from None
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        where = first_line + mark.line if mark is not None else None
        message = " ".join((error.problem or str(error)).split())
        if error.context and error.context not in message:
            message = f"{message} ({error.context})"
        raise ContentError([Problem(path, where, "", f"invalid YAML: {message}")]) from None
    except yaml.YAMLError as error:
        message = " ".join(str(error).split())
        raise ContentError([Problem(path, first_line, "", f"invalid YAML: {message}")]) from None
    except RecursionError:
        line = first_line + (_too_deep(text) or 0)
        raise ContentError([Problem(path, line, "", "invalid YAML: nested too deeply")]) from None


def _same_key(node: yaml.ScalarNode, key: object) -> bool:
    """Whether a key node, as written, is the constructed key (`yes` is True, `0x10` is 16)."""
    if isinstance(key, str):
        return bool(node.value == key)
    if node.style:  # a quoted key is always text (plain style is None, or "" from libyaml)
        return False
    try:
        value = yaml.load(node.value, Loader=StrictLoader)
    except yaml.YAMLError:
        return False
    return type(value) is type(key) and value == key


class SourceMap:
    """Where each key path of a YAML document sits, composed on first use (only when reporting)."""

    def __init__(self, text: str, first_line: int = 1) -> None:
        """Remember the text; nothing is parsed until a line is asked for."""
        self._text = text
        self._first_line = first_line

    @cached_property
    def _root(self) -> yaml.Node | None:
        try:
            return yaml.compose(self._text, Loader=loader_for(self._text))
        except (yaml.YAMLError, RecursionError):
            return None

    def _walk(self, keys: KeyPath) -> tuple[yaml.Node | None, yaml.Node | None]:
        """Return (the deepest node found along `keys` to point at, the value node or None)."""
        node = self._root
        pointer = node
        for key in keys:
            if isinstance(node, yaml.MappingNode):
                for key_node, value_node in node.value:
                    if isinstance(key_node, yaml.ScalarNode) and _same_key(key_node, key):
                        pointer, node = key_node, value_node
                        break
                else:
                    return pointer, None
            elif isinstance(node, yaml.SequenceNode) and isinstance(key, int):
                if not 0 <= key < len(node.value):
                    return pointer, None
                node = node.value[key]
                pointer = node
            else:
                return pointer, None
        return pointer, node

    def key_text(self, keys: KeyPath) -> str | None:
        """The key at the end of `keys` exactly as written (`yes`, where YAML reads True)."""
        pointer, node = self._walk(keys)
        if node is None or not isinstance(pointer, yaml.ScalarNode):
            return None
        return str(pointer.value)

    def line(self, keys: KeyPath) -> int | None:
        """The file line of the key (or list item) at the end of `keys`, else of its nearest parent."""
        pointer, _ = self._walk(keys)
        if pointer is None:
            return self._first_line
        return self._first_line + pointer.start_mark.line

    def source(self, keys: KeyPath) -> str | None:
        """The text of the scalar at `keys` exactly as written, or None if it is not a scalar."""
        _, node = self._walk(keys)
        if isinstance(node, yaml.ScalarNode):
            return str(node.value)
        return None
