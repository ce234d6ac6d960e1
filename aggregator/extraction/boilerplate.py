"""Remove known boilerplate before the main-text extractor sees the page.

Share bars, newsletter boxes, ad slots, "related" widgets and the like are found by the words
sites put in their class and id attributes; an element is removed only when it is small or
mostly links, so a wrapper that merely mentions "share" in its class never takes the article
with it.

>>> from aggregator.extraction.dom import parse_html
>>> page = parse_html('<article><div class="share-bar"><a href="/s">Share</a></div><p>Text.</p></article>')
>>> remove_boilerplate(page)
1
>>> page.find(".//article").text_content()
'Text.'
"""

from __future__ import annotations

import logging

from lxml import etree

from .dom import classed, drop, elements_starting_with
from .words import (
    BOILERPLATE_CLASS_RE,
    MAX_SHARE_TEXT,
    SHARE_OR_SUBSCRIBE_RE,
)

logger = logging.getLogger(__name__)

_TOKENS_RE = BOILERPLATE_CLASS_RE
#: a matching element is removed when its text is shorter than this...
_MAX_TEXT = 400
#: ...or when at least this share of its text is link text
_MIN_LINK_SHARE = 0.6
#: a <p> with this much text, mostly not links, is running text whatever its class says
_MIN_PARAGRAPH = 80
#: an element marked as not the page's main content (role=complementary, aria-hidden) goes
#: unless it holds a paragraph of more than this many characters
_ALWAYS_UNLESS_PARAGRAPH = 200
_MARKED_ASIDE = (("role", "complementary"), ("aria-hidden", "true"))
#: (the element itself too: a locked paragraph of a paywall is ``<p aria-hidden="true">``,
#: its text in the page all the same)
_LONG_PARAGRAPH = etree.XPath(
    f"descendant-or-self::p[string-length() > {_ALWAYS_UNLESS_PARAGRAPH}]")


def _link_share(el: etree._Element, total: int) -> float:
    links = sum(len("".join(a.itertext()).strip()) for a in el.iter("a"))
    return links / total if total else 1.0


def remove_boilerplate(tree: etree._Element) -> int:
    """Remove boilerplate elements from ``tree`` in place; returns how many were removed."""
    doomed = []
    found = classed(tree, _TOKENS_RE, _MARKED_ASIDE, SHARE_OR_SUBSCRIBE_RE)
    for el in found.matched:
        text = "".join(el.itertext()).strip()
        share = _link_share(el, len(text))
        if el.tag == "p" and len(text) >= _MIN_PARAGRAPH and share < 1 - _MIN_LINK_SHARE:
            continue  # a paragraph of text ("<p class='paywall'>" on the locked part) stays
        if len(text) < _MAX_TEXT or share >= _MIN_LINK_SHARE:
            doomed.append(el)
    doomed.extend(el for el in found.marked if not _LONG_PARAGRAPH(el))
    # a short block whose whole text is a call to share or subscribe, in any of our languages
    doomed.extend(elements_starting_with(tree, SHARE_OR_SUBSCRIBE_RE, MAX_SHARE_TEXT,
                                         seeds=found.starting))
    removed = 0
    doomed = list(dict.fromkeys(doomed))
    doomed_set = set(doomed)
    for el in doomed:
        if any(anc in doomed_set for anc in el.iterancestors()):
            continue
        drop(el)
        removed += 1
    return removed
