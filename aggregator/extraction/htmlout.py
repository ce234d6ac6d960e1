"""The article body as HTML and as text, from trafilatura's XML or from a rule's element.

``body_html`` keeps the article's own structure (p, h2-h4, ul/ol/li, blockquote, figure, pre,
table); ``body_text`` is its text, one block per paragraph, blocks separated by a blank line.

>>> from lxml import etree
>>> xml = etree.fromstring('<body><head rend="h2">Sub</head><p>One “two”</p>'
...                        '<list rend="ul"><item>a <hi rend="#b">b</hi></item></list></body>')
>>> body = from_trafilatura(xml)
>>> to_html(body)
'<h2>Sub</h2><p>One “two”</p><ul><li>a <strong>b</strong></li></ul>'
>>> to_text(body)
'Sub\\n\\nOne “two”\\n\\na b'
"""

from __future__ import annotations

import logging
import re

from lxml import etree, html

from aggregator.urls import join
from .text import clean_text

logger = logging.getLogger(__name__)

_HI = {"#b": "strong", "#i": "em", "#u": "u", "#t": "code", "#sub": "sub", "#sup": "sup"}
_SIMPLE = {"p": "p", "quote": "blockquote", "item": "li", "row": "tr", "lb": "br", "del": "del",
           "table": "table", "div": "div", "code": "pre", "figure": "figure"}
#: elements whose text is one paragraph of body_text
BLOCKS = frozenset({
    "p", "h1", "h2", "h3", "h4", "h5", "h6", "li", "blockquote", "pre", "tr", "dt", "dd",
    "figcaption", "div", "ul", "ol", "table", "figure", "section", "article", "main", "body",
    "header", "footer", "aside", "dl", "tbody", "thead",
})
#: kept when a rule selects the body: everything else is unwrapped, these are dropped whole
_DROP = frozenset({"script", "style", "noscript", "iframe", "form", "button", "svg", "input",
                   "select", "textarea", "template", "nav", "object", "embed", "canvas"})


def _convert(el: etree._Element) -> None:
    """Rename one trafilatura element to its HTML tag, in place."""
    tag = el.tag
    if tag == "head":
        level = (el.get("rend") or "h2").lstrip("h")
        el.tag = f"h{min(max(int(level) if level.isdigit() else 2, 2), 4)}"
    elif tag == "list":
        el.tag = "ol" if el.get("rend") == "ol" else "ul"
    elif tag == "hi":
        el.tag = _HI.get(el.get("rend") or "", "em")
    elif tag == "cell":
        el.tag = "th" if el.get("role") == "head" else "td"
    elif tag == "ref":
        el.tag = "a"
        if el.get("target"):
            el.set("href", el.get("target", ""))
    elif tag == "graphic":
        el.tag = "img"
    else:
        el.tag = _SIMPLE.get(tag, "span")
    for attr in list(el.attrib):
        if attr not in ("href", "src", "alt"):
            del el.attrib[attr]


def from_trafilatura(body: etree._Element, base_url: str = "") -> html.HtmlElement:
    """An HTML ``<div>`` holding trafilatura's extracted body, converted to HTML tags.

    Links keep their target, made absolute against ``base_url``; a link without a usable
    target is unwrapped. The spaces trafilatura trimmed around inline elements are put back.
    """
    root = html.Element("div")
    for child in body:
        root.append(child)
    for el in list(root.iter()):
        if el is not root and isinstance(el.tag, str):
            if el.tag in _INLINE:
                _respace(el)
            _convert(el)
    absolutise_links(root, base_url)
    return root


#: trafilatura's inline elements: their text runs on from the text around them
_INLINE = frozenset({"hi", "ref", "del"})
_ENDS_WORD = re.compile(r"[\w,;:!?.)\]”’\"']$")
_STARTS_WORD = re.compile(r"^[\w(\[“‘]")


def _respace(el: etree._Element) -> None:
    """Restore the space between an inline element and the words on either side of it."""
    text = el.text or ""
    if not text and len(el):
        text = "".join(el.itertext())
    if not text:
        return
    tail = el.tail
    if tail and tail[0].isalnum() and _ENDS_WORD.search(text):
        el.tail = " " + tail
    previous = el.getprevious()
    if previous is None:
        parent = el.getparent()
        before = parent.text if parent is not None else None
        if before and _ENDS_WORD.search(before) and _STARTS_WORD.search(text):
            parent.text = before + " "
    elif previous.tail and _ENDS_WORD.search(previous.tail) and _STARTS_WORD.search(text):
        previous.tail += " "


_UNLINKABLE = ("#", "javascript:", "mailto:", "tel:", "data:")


def absolutise_links(root: etree._Element, base_url: str) -> None:
    """Make every ``<a href>`` under ``root`` absolute; unwrap links that lead nowhere."""
    for a in list(root.iter("a")):
        href = (a.get("href") or "").strip()
        if not href or href.lower().startswith(_UNLINKABLE):
            if a.getparent() is not None:
                _unwrap(a)
            continue
        if base_url:
            absolute = join(base_url, href)  # "" for a malformed URL: no link
            if absolute:
                a.set("href", absolute)
            else:
                _unwrap(a)


def _unwrap(el: etree._Element) -> None:
    """Replace ``el`` by its content."""
    if isinstance(el, html.HtmlElement):
        el.drop_tag()
    else:
        el.getparent().remove(el)


def from_element(selected: list[etree._Element]) -> html.HtmlElement:
    """An HTML ``<div>`` with copies of the elements a rule selected, scripts and forms removed."""
    root = html.Element("div")
    for el in selected:
        copy = html.fromstring(etree.tostring(el, encoding="unicode", with_tail=False))
        root.append(copy)
    for el in list(root.iter()):
        if el is root or not isinstance(el.tag, str):
            continue
        if el.tag in _DROP:
            el.drop_tree()
    for el in list(root.iter()):
        if el is not root and isinstance(el.tag, str):
            for attr in list(el.attrib):
                if attr not in ("href", "src", "alt", "datetime"):
                    del el.attrib[attr]
    return root


def to_html(root: etree._Element) -> str:
    """The inner HTML of ``root``."""
    parts = [root.text or ""] if root.text and root.text.strip() else []
    parts.extend(etree.tostring(child, encoding="unicode", method="html") for child in root)
    return "".join(parts).strip()


_NOT_TEXT = frozenset({"figure", "figcaption", "img"})


class _Tail:
    """A piece of tail text waiting on the walk's stack."""

    tag = None

    def __init__(self, text: str) -> None:
        self.text = text


def to_text(root: etree._Element) -> str:
    """Paragraphs of ``root`` separated by a blank line (table cells separated by " | ")."""
    paragraphs: list[str] = []
    current: list[str] = []

    def flush() -> None:
        text = clean_text("".join(current))
        if text:
            paragraphs.append(text)
        current.clear()

    # iterative walk: (element, entering) events, tails handled on leaving
    stack: list[tuple[etree._Element | _Tail, bool]] = [(root, True)]
    while stack:
        el, entering = stack.pop()
        tag = el.tag if isinstance(el.tag, str) else ""
        if entering:
            if tag in _NOT_TEXT:
                # a caption is the image's, not a paragraph of the article
                if el.tail and el is not root:
                    stack.append((_Tail(el.tail), False))
                continue
            if tag in BLOCKS:
                flush()
            if tag in ("td", "th") and el.getprevious() is not None:
                current.append(" | ")
            if tag == "br":
                current.append(" ")
            if el.text and tag:
                current.append(el.text)
            stack.append((el, False))
            stack.extend((child, True) for child in reversed(el))
        elif isinstance(el, _Tail):
            current.append(el.text)
        else:
            if tag in BLOCKS:
                flush()
            if el.tail and el is not root:
                current.append(el.tail)
    flush()
    return "\n\n".join(paragraphs)


def page_links(tree: etree._Element, within: str | None = None) -> dict[str, list[tuple[str, str]]]:
    """The page's links by the paragraph they sit in: the words of their block (``p``,
    ``li``, ``td`` ...) -> ``[(link text, href as written)]``, in page order.

    With ``within`` (the body's text), only the links whose text is in it: no other can be
    linked again in the body, and the block of each of a page's hundreds of menu links need
    not be read.

    >>> from lxml import html as lxml_html
    >>> page_links(lxml_html.fromstring('<div><nav><a href="/t">AI Act</a></nav>'
    ...     '<p>Read <a href="/a">the AI Act</a> now.</p></div>'))
    {'read the ai act now': [('the AI Act', '/a')]}
    """
    found: dict[str, list[tuple[str, str]]] = {}
    for a in tree.iter("a"):
        href = (a.get("href") or "").strip()
        if not href or href.lower().startswith(_UNLINKABLE):
            continue
        text = clean_text("".join(a.itertext()))
        if not 2 <= len(text) <= 200 or (within is not None and text not in within):
            continue
        block = next((el for el in a.iterancestors() if el.tag in _LINKABLE_BLOCKS), None)
        if block is None:
            continue  # a link in no paragraph (a menu, a tag list of divs) is not the body's
        found.setdefault(_block_key("".join(block.itertext())), []).append((text, href))
    return found


def _block_key(text: str) -> str:
    """What a paragraph is, whatever its markup: its words, lower-cased."""
    return " ".join(_WORDS_RE.findall(text.casefold()))


def _link_in(block: etree._Element, text: str, href: str) -> bool:
    """Wrap the first whole-word occurrence of ``text`` in one text node of ``block`` in a link."""
    for el in block.iter():
        if not isinstance(el.tag, str) or el.tag == "a" or \
                next(el.iterancestors("a"), None) is not None:
            continue
        for where in ("text", "tail"):
            if where == "tail" and (el is block or el.getparent() is None):
                continue
            value = getattr(el, where)
            if not value:
                continue
            start = value.find(text)
            while start >= 0:
                end = start + len(text)
                if (start == 0 or not value[start - 1].isalnum()) and \
                        (end == len(value) or not value[end].isalnum()):
                    break
                start = value.find(text, start + 1)
            if start < 0:
                continue
            link = html.Element("a", href=href)
            link.text = text
            link.tail = value[start + len(text):]
            setattr(el, where, value[:start])
            if where == "text":
                el.insert(0, link)
            else:
                el.addnext(link)
            return True
    return False


def restore_links(root: etree._Element, links: dict[str, list[tuple[str, str]]],
                  base_url: str = "") -> int:
    """Link again, in each body paragraph, the phrases that were links in the *same*
    paragraph on the page (:func:`page_links`): a phrase that was a link only elsewhere (a
    menu item, a tag) is never linked in the body.

    trafilatura decides better without links (a link-dense paragraph reads as navigation to
    it), so the body is extracted without them and its links are put back from the page.
    """
    linked = 0
    for block in root.iter(*_LINKABLE_BLOCKS):
        if next(block.iter("a"), None) is not None:
            continue
        for text, href in links.get(_block_key("".join(block.itertext())), ()):
            if _link_in(block, text, _absolute(base_url, href)):
                linked += 1
    return linked


def _absolute(base_url: str, href: str) -> str:
    return (join(base_url, href) or href) if base_url else href


_WORDS_RE = re.compile(r"\w+")
_LINKABLE_BLOCKS = ("p", "li", "td", "th", "blockquote", "h2", "h3", "h4", "figcaption", "dd", "dt")
