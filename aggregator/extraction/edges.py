"""Trim what the main-text extractor kept at the edges of a body but is the page's.

Reprint notices and URLs before the first paragraph; "write to" lines, copyright and rights
lines, photo credits, share and newsletter calls after the last; and headings with nothing
after them (teasers of other articles), lists that are all links (further reading). Short
lines between two such blocks go with them
("Thank you", "This article has been sent to"). Language-independent where it can be (©,
URLs, e-mail addresses), and the words of :mod:`.words` otherwise.

>>> from lxml import html
>>> root = html.fromstring('<div><p>https://ex.com/a</p>'
...                        '<p>The body text of the article, long enough to read.</p>'
...                        '<p>Write to Ann at ann@ex.com</p><p>Thank you</p>'
...                        '<p>Copyright 2019 Ex Inc.</p><h3>Another story</h3></div>')
>>> trim_edges(root), [p.text for p in root]
(5, ['The body text of the article, long enough to read.'])
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from lxml import etree

from .text import clean_text
from .words import (
    EDGE_BOILERPLATE_RE,
    MAX_EDGE_BOILERPLATE,
    MAX_SHARE_TEXT,
    SHARE_OR_SUBSCRIBE_RE,
)

logger = logging.getLogger(__name__)

_HEADINGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
#: a line this short (in words) between two boilerplate blocks is boilerplate too
MAX_SHORT_WORDS = 8

_BOILER, _HEADING, _EMPTY, _SHORT, _TEXT, _LINKS = range(6)
#: a list is a list of links (further reading, not the article) when links hold this share of it
_MIN_LINK_SHARE = 0.9


def _all_links(el: etree._Element, total: int) -> bool:
    linked = sum(len(clean_text("".join(a.itertext()))) for a in el.iter("a"))
    return total > 0 and linked >= _MIN_LINK_SHARE * total


def _kind(el: etree._Element) -> int:
    text = clean_text("".join(el.itertext()))
    if not text:
        return _EMPTY if el.find(".//img") is None else _TEXT
    if len(text) <= MAX_EDGE_BOILERPLATE and EDGE_BOILERPLATE_RE.search(text):
        return _BOILER
    if len(text) <= MAX_SHARE_TEXT and SHARE_OR_SUBSCRIBE_RE.match(text):
        return _BOILER
    if el.tag in _HEADINGS:
        return _HEADING
    if el.tag in ("ul", "ol") and _all_links(el, len(text)):
        return _LINKS
    if len(text.split()) <= MAX_SHORT_WORDS:
        return _SHORT
    return _TEXT


def _edge_run(kinds: Iterable[int], removable: frozenset[int]) -> list[int]:
    """Positions of the run at the start of ``kinds`` to remove (read only as far as the
    run goes: the kinds of a long body's middle are never worked out)."""
    doomed: list[int] = []
    held: list[int] = []
    after_boiler = False
    for index, kind in enumerate(kinds):
        if kind == _SHORT:
            held.append(index)
            continue
        if kind not in removable:
            break
        if held:
            if not (kind == _BOILER and after_boiler):
                break
            doomed.extend(held)  # short lines between two boilerplate blocks
            held = []
        doomed.append(index)
        if kind != _EMPTY:
            after_boiler = kind == _BOILER
    return doomed


def trim_edges(root: etree._Element) -> int:
    """Remove page furniture from both ends of the body ``root``; returns how many blocks."""
    blocks = [el for el in root if isinstance(el.tag, str)]
    if len(blocks) < 2:
        return 0
    kinds: dict[int, int] = {}

    def kind(index: int) -> int:
        if index not in kinds:
            kinds[index] = _kind(blocks[index])
        return kinds[index]

    count = len(blocks)
    leading = _edge_run(map(kind, range(count)), frozenset({_BOILER, _EMPTY}))
    trailing_rev = _edge_run(map(kind, reversed(range(count))),
                             frozenset({_BOILER, _EMPTY, _HEADING, _LINKS}))
    trailing = [count - 1 - i for i in trailing_rev]
    doomed = sorted(set(leading) | set(trailing))
    if len(doomed) >= count or all(kinds[i] == _EMPTY for i in doomed):
        return 0
    for index in doomed:
        blocks[index].drop_tree()
    return len(doomed)
