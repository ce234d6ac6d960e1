"""Parse decoded HTML into an lxml tree that every layer reads, never raising.

>>> tree = parse_html("<p>Hello <b>world</b></p>")
>>> tree.tag, tree.findtext(".//b")
('html', 'world')
>>> parse_html("   ") is None
True
"""

from __future__ import annotations

import logging
from collections.abc import Iterator

from lxml import etree, html

logger = logging.getLogger(__name__)

#: one parser for all pages: comments and processing instructions never matter to us
_PARSER = html.HTMLParser(
    encoding="utf-8", remove_comments=True, remove_pis=True, huge_tree=True, default_doctype=False
)
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


def _depth_iter(root: etree._Element) -> Iterator[tuple[etree._Element, int]]:
    """(element, depth) pairs in document order, without recursion."""
    stack = [(root, 0)]
    while stack:
        el, depth = stack.pop()
        yield el, depth
        stack.extend((child, depth + 1) for child in reversed(el))


def _flatten_deep(tree: etree._Element) -> None:
    """Unwrap elements nested deeper than MAX_DEPTH, keeping their text."""
    too_deep = [el for el, depth in _depth_iter(tree) if depth == MAX_DEPTH and len(el)]
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
