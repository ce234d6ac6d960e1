"""Parse decoded HTML into an lxml tree that every layer reads, never raising.

>>> tree = parse_html("<p>Hello <b>world</b></p>")
>>> tree.tag, tree.findtext(".//b")
('html', 'world')
>>> parse_html("   ") is None
True
"""

from __future__ import annotations

import logging
import re
from lxml import etree, html

logger = logging.getLogger(__name__)

#: one parser for all pages: comments and processing instructions never matter to us
_PARSER = html.HTMLParser(
    encoding="utf-8", remove_comments=True, remove_pis=True, huge_tree=True, default_doctype=False
)
# lxml.html picks each element's class in Python (FormElement, InputElement...) every time an
# element is touched; one C-level default class does the same job for reading articles and
# makes every tree walk (ours, trafilatura's, extruct's) cheaper
_PARSER.set_element_class_lookup(etree.ElementDefaultClassLookup(
    element=html.HtmlElement, comment=html.HtmlComment, pi=html.HtmlProcessingInstruction,
    entity=html.HtmlEntity,
))
#: deeper than this, a DOM is an attack or a broken generator; libraries that recurse over the
#: tree (extruct, trafilatura) would hit Python's recursion limit, so the excess is flattened
MAX_DEPTH = 250


def parse_html(text: str) -> html.HtmlElement | None:
    """The ``<html>`` element of ``text``, or None when it holds no markup at all."""
    if not text or not text.strip():
        return None
    try:
        tree = html.document_fromstring(text.encode("utf-8", errors="replace"), parser=_PARSER)
    except (etree.ParserError, ValueError) as exc:
        logger.debug("unparseable HTML: %s", exc)
        return None
    if tree is None:
        return None
    _flatten_deep(tree)
    return tree


#: elements at depth MAX_DEPTH (the <html> element is at depth 0) that have children
_TOO_DEEP = etree.XPath("/" + "/".join(["*"] * (MAX_DEPTH + 1)) + "[*]")


def _flatten_deep(tree: etree._Element) -> None:
    """Unwrap elements nested deeper than MAX_DEPTH, keeping their text."""
    too_deep = _TOO_DEEP(tree)
    for el in too_deep:
        text = " ".join(t for t in el.itertext() if t and t.strip())
        for child in list(el):
            el.remove(child)
        el.text = text
    if too_deep:
        logger.debug("flattened %d subtrees nested deeper than %d", len(too_deep), MAX_DEPTH)


def node_text(el: etree._Element) -> str:
    """All text of ``el`` with whitespace collapsed (see :func:`text.clean_text`)."""
    from .text import clean_text

    if isinstance(el, str):
        return clean_text(el)
    return clean_text("".join(el.itertext()))


def drop(el: etree._Element) -> None:
    """Remove ``el`` from its tree, keeping the text that follows it."""
    if el.getparent() is None:
        return
    if isinstance(el, html.HtmlElement):
        el.drop_tree()
    else:
        parent = el.getparent()
        parent.remove(el)


_CLASS_AND_ID = etree.XPath("//@class | //@id")
#: never a boilerplate or related block, whatever their class says
_NEVER_BLOCKS = frozenset({"html", "body", "article", "main"})


def classed(tree: etree._Element, regex: re.Pattern[str]) -> list[etree._Element]:
    """Elements (in page order) whose class or id matches ``regex``; never html/body/article/main.

    Reads the attribute values in one XPath pass and touches only the matching elements.
    """
    found: dict[etree._Element, None] = {}
    for value in _CLASS_AND_ID(tree):
        if regex.search(value):
            el = value.getparent()
            if el is not None and el.tag not in _NEVER_BLOCKS:
                found[el] = None
    return list(found)


_SHORT_TEXTS = etree.XPath("//text()[string-length() < 200][string-length(normalize-space()) > 1]")


def elements_starting_with(
    tree: etree._Element, regex: re.Pattern[str], max_len: int, levels: int = 3
) -> list[etree._Element]:
    """Elements (page order) whose whole text, under ``max_len`` chars, matches ``regex``.

    Found from the page's short text nodes (one XPath pass): the element holding a matching
    text and up to ``levels - 1`` of its ancestors, as long as their text still matches.
    """
    from .text import clean_text

    found: dict[etree._Element, None] = {}
    for value in _SHORT_TEXTS(tree):
        if not value.is_text or not regex.match(value.lstrip()):
            continue
        el = value.getparent()
        for _ in range(levels):
            if el is None or el.tag in _NEVER_BLOCKS:
                break
            text = clean_text("".join(el.itertext()))
            if len(text) >= max_len or not regex.match(text):
                break
            found[el] = None
            el = el.getparent()
    return list(found)
