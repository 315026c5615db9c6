"""Markdown to sanitised HTML: incident and maintenance text as pages and feeds show it.

Markdown is converted with Python-Markdown and sanitised with nh3 (an allowlist fit for incident
text), so no script, event handler or `javascript:` URL can reach a page. Bodies too complex for
Python-Markdown to convert in good time are shown as plain text instead.
"""

from __future__ import annotations

import functools
import hashlib
import posixpath
import re
from collections.abc import Mapping
from html import unescape
from urllib.parse import unquote, urljoin, urlsplit, urlunsplit

import jinja2.sandbox
import markdown
import nh3
from markupsafe import Markup

from statusgen.plaintext import C0_OR_SPACE, TAB_OR_NEWLINE, URL_SCHEME, plain_text

MARKDOWN_EXTENSIONS = ("fenced_code", "tables", "sane_lists")

ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "code", "dd", "del", "dl", "dt", "em", "h1", "h2",
    "h3", "h4", "h5", "h6", "hr", "i", "img", "ins", "kbd", "li", "mark", "ol", "p", "pre", "q",
    "s", "small", "strong", "sub", "sup", "table", "tbody", "td", "tfoot", "th", "thead", "tr",
    "u", "ul",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "abbr": {"title"},
    "img": {"src", "alt", "title", "width", "height"},
    "code": {"class"},
    "th": {"align"},
    "td": {"align"},
    "ol": {"start"},
}
URL_SCHEMES = {"http", "https", "mailto"}


def image_source(value: str) -> str | None:
    """An image URL as a browser reads it, if it loads over https or from the site itself; else None.

    Kept: `https://host/…` (any case, backslashes read as slashes), and relative or root paths,
    which load from the page's own origin. Refused: every other scheme, and whatever a browser
    could resolve to another host: `//host/…` and its `/\\host`, `\\\\host` and percent-encoded
    forms, and `https:host` (relative on an https page, a host on an http one).
    """
    cleaned = TAB_OR_NEWLINE.sub("", value.strip(C0_OR_SPACE))
    decoded = cleaned
    # Judged decoded too (%5C, %255C, …): a server that decodes a path and redirects to it would
    # send the browser to the host it names.
    for _ in range(4):
        decoded, undone = unquote(decoded), decoded
        if decoded == undone:
            break
    # A browser drops C0 controls and spaces around a URL, tabs and newlines in it, and reads a
    # backslash as a slash.
    decoded = TAB_OR_NEWLINE.sub("", decoded.strip(C0_OR_SPACE)).replace("\\", "/")
    scheme = URL_SCHEME.match(decoded)
    if scheme is not None:
        rest = decoded[scheme.end() :]
        keep = scheme.group().lower() == "https:" and rest.startswith("//") and bool(rest.strip("/"))
    else:
        keep = not decoded.startswith("//")
    return cleaned if keep else None


def _only_https_images(tag: str, attribute: str, value: str) -> str | None:
    """Images load only over https or from the site itself (see `image_source`): no tracking."""
    if tag == "img" and attribute == "src":
        return image_source(value)
    return value


@functools.cache
def _cleaner() -> nh3.Cleaner:
    """The sanitiser, built once per process (building it costs more than most cleanings)."""
    return nh3.Cleaner(
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer",
        attribute_filter=_only_https_images,
    )


def sanitise(html: str) -> str:
    """Keep only the allowlisted tags, attributes and URL schemes; links get noopener noreferrer."""
    return _cleaner().clean(html)


class MarkdownRenderer:
    """Markdown source to sanitised HTML, memoised by the text's hash.

    `known` is what earlier builds converted (the build cache). A forked worker's conversions are
    collected with `take_fresh` and given back to the parent with `learn`, so Markdown is converted
    where its page is rendered, and kept for later builds.
    """

    def __init__(self, known: dict[bytes, str] | None = None) -> None:
        """Start from `known` (text hash → HTML); the converter is made when first needed."""
        self.known: dict[bytes, str] = known if known is not None else {}
        self.added: set[bytes] = set()  # the hashes of the texts converted since (here or by workers)
        self._fresh: dict[bytes, str] = {}

    def __call__(self, text: str, base: str | None = None) -> Markup:
        """Render one Markdown body to safe HTML; with `base`, the URL of the page the text belongs
        to, its relative links and images resolved against it (`resolve_urls`)."""
        key = markdown_key(text)
        html = self.known.get(key)
        if html is None:
            html = self.known[key] = self._fresh[key] = render_markdown(text, _converter())
            self.added.add(key)
        return Markup(resolve_urls(html, base) if base else html)

    def text(self, source: str, base: str | None = None) -> str:
        """One Markdown body as plain text, read from its sanitised HTML (see `plain_text`)."""
        return plain_text(self(source), base)

    # Templates get the renderer as `md`: their sandbox may call it and `text`, never these, which
    # feed what the build cache keeps for later builds (a theme could otherwise plant its HTML there).
    @jinja2.sandbox.unsafe
    def take_fresh(self) -> dict[bytes, str]:
        """What this process converted since the last call (a worker sends it to the parent)."""
        fresh, self._fresh = self._fresh, {}
        return fresh

    @jinja2.sandbox.unsafe
    def learn(self, converted: Mapping[bytes, str]) -> None:
        """Add conversions made elsewhere (by a worker process)."""
        self.known.update(converted)
        self.added.update(converted)


# Python-Markdown is quadratic in the `[` of one block and slow on very deep nesting. A body past
# these bounds is shown as plain text (escaped, in <pre>) instead: the build never hangs.
MAX_BRACKET_WORK = 4_000_000  # the sum over blocks of (number of `[` in the block) squared
MAX_INDENT = 128  # columns of indentation (nested lists, code) on one line
MAX_QUOTE_DEPTH = 50  # `>` nesting on one line


def markdown_configuration() -> tuple[object, ...]:
    """Everything besides the text that decides the HTML of a body (the cache keys by it)."""
    return (
        MARKDOWN_EXTENSIONS,
        sorted(ALLOWED_TAGS),
        sorted((tag, sorted(names)) for tag, names in ALLOWED_ATTRIBUTES.items()),
        sorted(URL_SCHEMES),
        (MAX_BRACKET_WORK, MAX_INDENT, MAX_QUOTE_DEPTH),
    )


def too_complex(text: str) -> bool:
    """Whether Python-Markdown could take too long on `text` (see the bounds above)."""
    if text.count("[") > 2000 and sum(b.count("[") ** 2 for b in text.split("\n\n")) > MAX_BRACKET_WORK:
        return True
    for line in text.splitlines():
        stripped = line.lstrip(" \t>")
        prefix = line[: len(line) - len(stripped)]
        if prefix and (prefix.count(">") > MAX_QUOTE_DEPTH or len(prefix.expandtabs(4)) > MAX_INDENT):
            return True
    return False


def markdown_key(text: str) -> bytes:
    """The hash the build cache keeps a body's HTML under."""
    return hashlib.sha256(text.encode()).digest()


@functools.cache
def _converter() -> markdown.Markdown:
    """This process's Python-Markdown instance (building one per body costs more than converting)."""
    return markdown.Markdown(extensions=list(MARKDOWN_EXTENSIONS), output_format="html")


def render_markdown(text: str, md: markdown.Markdown | None = None) -> str:
    """Convert one Markdown body to sanitised HTML; a body too complex to convert is shown as text."""
    if too_complex(text):
        return f'<pre class="plain">{Markup.escape(text)}</pre>'
    md = md or _converter()
    try:
        html = md.reset().convert(text)
    except RecursionError:
        html = f'<pre class="plain">{Markup.escape(text)}</pre>'
    return sanitise(html)


# In sanitised HTML (nh3 writes every attribute value in double quotes, `"` and `&` escaped), a
# link or an image, and the URL it holds.
_URL_TAG = re.compile(r'<(?:a|img)(?:\s+[^\s"=<>/]+(?:="[^"]*")?)*\s*/?>')
_ATTRIBUTE = re.compile(r'(\s+)([^\s"=<>/]+)(?:="([^"]*)")?')  # (read in order: never inside a value)


def resolve_urls(html: str, base: str) -> str:
    """Sanitised HTML with its relative link and image URLs resolved against `base`, the URL of the
    page the text belongs to: absolute (a feed reader or a calendar would resolve them against
    the feed's own URL, or nothing: `../other-incident/` would lead elsewhere, or out of a site
    under a sub-path), or relative to the page the text shows on (an incident's update on the
    front page, `incidents/<slug>/`)."""
    join = urljoin if URL_SCHEME.match(base) else join_relative

    def resolved(found: re.Match[str]) -> str:
        space, name, value = found.groups()
        if name.lower() not in ("href", "src") or value is None:
            return found.group()
        url = unescape(value)
        if URL_SCHEME.match(url.strip(C0_OR_SPACE)):
            return found.group()
        joined = join(base, url).replace("&", "&amp;").replace('"', "&quot;")
        return f'{space}{name}="{joined}"'

    return _URL_TAG.sub(lambda tag: _ATTRIBUTE.sub(resolved, tag.group()), html)


def join_relative(base: str, reference: str) -> str:
    """A relative `reference` resolved against `base`, itself relative to a page (RFC 3986's
    resolution, keeping the `../` that lead out of the page's folder, which `urljoin` drops). A
    backslash is read as a slash, as browsers read it in http(s) URLs, so that no `..` segment
    can leave one where it would turn the path into another host's (`\\/evil.example/`)."""
    ref, here = urlsplit(reference.replace("\\", "/")), urlsplit(base)
    if ref.scheme or ref.netloc or ref.path.startswith("/"):
        return reference  # (as written: it leads where it leads on the text's own page)
    if not ref.path:
        path, query = _normal(here.path), ref.query if "?" in reference else here.query
    else:
        folder = here.path if here.path.endswith("/") or not here.path else posixpath.dirname(here.path) + "/"
        path, query = _normal(folder + ref.path), ref.query
    if ":" in path.partition("/")[0]:
        path = "./" + path  # (`../../javascript:x` must not come out as a scheme)
    return urlunsplit(("", "", path, query, ref.fragment))


def _normal(path: str) -> str:
    """A relative path with its `.` and `..` segments worked out (the leading `..` kept), a folder
    still ending in `/`."""
    if not path:
        return path
    normal = posixpath.normpath(path)
    folder = path.endswith(("/", "/.", "/..")) or path in (".", "..")
    if normal == ".":
        return "./" if folder else "."
    return normal + "/" if folder else normal
