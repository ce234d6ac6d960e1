"""Suggested and related links: find the blocks, read their links, keep them out of the body.

Recognised forms: a heading such as "Suggested Articles", "Related", "Read more", "More from
...", "You may also like", "Recommended" followed by links; containers whose class or id says
related/suggested/recommended; ``<aside>`` lists or cards of article links; ``rel="related"``
links; schema.org ``relatedLink`` (JSON-LD or microdata).

>>> from aggregator.extraction.dom import parse_html
>>> page = parse_html('''<article><p>Body.</p><h3>Suggested Articles</h3>
... <ul><li><a href="/a">First story</a></li><li><a href="/b"><h4>Second</h4></a></li></ul>
... </article>''')
>>> [(l.url, l.title, l.position) for l in find_related(page, "https://ex.com/x").links]
[('https://ex.com/a', 'First story', 1), ('https://ex.com/b', 'Second', 2)]
"""

from __future__ import annotations

import logging
import re
from functools import lru_cache
from collections.abc import Iterable
from dataclasses import dataclass, field
from urllib.parse import urldefrag, urljoin, urlsplit

from lxml import etree

from ..items import RelatedLink
from .dom import classed, elements_starting_with
from .rules import SiteRules
from .structured import StructuredData
from .text import clean_text
from .words import (
    POPULAR_HEADING_RE,
    RELATED_CLASS_RE,
    RELATED_HEADING_RE,
)

logger = logging.getLogger(__name__)

#: heading texts that introduce a block of links to other articles (several languages)
HEADING_RE = RELATED_HEADING_RE
#: headings of site-wide link lists: kept out of the body, but they are not related to the article
POPULAR_RE = POPULAR_HEADING_RE
_MAX_HEADING_LEN = 60
_HEADING_TAGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6", "header", "strong", "b", "p", "span",
                           "div", "legend"})
_ANY_HEADING_RE = re.compile(f"(?:{HEADING_RE.pattern})|(?:{POPULAR_RE.pattern})", re.IGNORECASE)


def _headings(tree: etree._Element) -> list[etree._Element]:
    """Small heading-like elements whose text introduces a list of links."""
    return [
        el for el in elements_starting_with(tree, _ANY_HEADING_RE, _MAX_HEADING_LEN)
        # a heading holds little markup
        if el.tag in _HEADING_TAGS and len(el) <= 3 and not any(len(c) and any(len(g) for g in c) for c in el)
        and next(el.iterancestors("a"), None) is None
    ]


_CLASS_RE = RELATED_CLASS_RE
_REL_RELATED = etree.XPath('//a[@href][contains(concat(" ", normalize-space(@rel), " "), " related ")]')
_ITEMPROP_RELATED = etree.XPath('//*[@itemprop="relatedLink"]')
_LINK_HEADING = ("h1", "h2", "h3", "h4", "h5", "h6")
#: a related block is mostly links: at most this share of its text outside links
_MAX_TEXT_OUTSIDE_LINKS = 0.5
_MIN_LINKS = 2


@dataclass
class Related:
    """The related links of a page and the elements that held them (to keep out of the body)."""

    links: list[RelatedLink] = field(default_factory=list)
    blocks: list[etree._Element] = field(default_factory=list)
    #: site-wide link lists ("Most read", "Trending"): not related links, not body either
    other_blocks: list[etree._Element] = field(default_factory=list)


@lru_cache(maxsize=4096)
def _absolute(url: str, href: str) -> str:
    """``href`` made absolute against ``url``, without its fragment (memoised: blocks nest)."""
    return urldefrag(urljoin(url, href))[0]


def _article_links(block: etree._Element, url: str) -> list[etree._Element]:
    """Anchors of ``block`` that point at another http(s) page."""
    page = _absolute(url, "")
    out = []
    for a in block.iter("a"):
        href = (a.get("href") or "").strip()
        if not href or href.startswith(("#", "javascript:", "mailto:", "tel:")):
            continue
        absolute = _absolute(url, href)
        if urlsplit(absolute).scheme in ("http", "https", "file") and absolute != page:
            out.append(a)
    return out


def _link_title(a: etree._Element) -> str:
    for tag in _LINK_HEADING:
        heading = next(a.iter(tag), None)
        if heading is not None:
            text = clean_text("".join(heading.itertext()))
            if text:
                return text
    return clean_text("".join(a.itertext())) or clean_text(a.get("title") or a.get("aria-label"))


def _is_link_block(block: etree._Element, url: str, heading: etree._Element | None = None) -> bool:
    anchors = _article_links(block, url)
    if len({a.get("href") for a in anchors}) < _MIN_LINKS:
        return False
    total = len(clean_text("".join(block.itertext())))
    in_links = sum(len(clean_text("".join(a.itertext()))) for a in anchors)
    if heading is not None:
        in_links += len(clean_text("".join(heading.itertext())))
    return total == 0 or (total - in_links) / total <= _MAX_TEXT_OUTSIDE_LINKS


def _block_after_heading(heading: etree._Element, url: str) -> etree._Element | None:
    """The smallest ancestor of ``heading`` (at most 3 up) that is a block of article links."""
    node = heading
    for _ in range(3):
        parent = node.getparent()
        if parent is None or parent.tag in ("body", "html"):
            break
        if parent.tag in ("article", "main") and len(parent) > 6:
            break
        if _is_link_block(parent, url, heading):
            return parent
        node = parent
    # a heading followed by a sibling list: <h3>Related</h3><ul>...</ul>
    sibling = heading.getnext()
    if sibling is not None and _is_link_block(sibling, url):
        return sibling
    return None


#: an inline "Related: <a>Headline</a>" paragraph is at most this long
_MAX_INLINE_RELATED = 300


def _inline_related(heading: etree._Element, url: str) -> etree._Element | None:
    """The paragraph a "Related:" label opens when the rest of it is one or more article links.

    ``<p><strong>Related:</strong> <a href="/x">Another story</a></p>`` inside a body.
    """
    node = heading if heading.tag in ("p", "li") else heading.getparent()
    if node is None or node.tag not in ("p", "li", "div"):
        return None
    text = clean_text("".join(node.itertext()))
    label = clean_text("".join(heading.itertext()))
    anchors = _article_links(node, url)
    if not anchors or len(text) > _MAX_INLINE_RELATED or not text.startswith(label):
        return None
    in_links = sum(len(clean_text("".join(a.itertext()))) for a in anchors)
    # what is neither the label nor a link: spaces and punctuation at most
    return node if len(text) - len(label) - in_links <= 3 else None


def _outermost(blocks: Iterable[etree._Element]) -> list[etree._Element]:
    """Blocks without those nested inside another block, in document order."""
    chosen = list(dict.fromkeys(blocks))
    inside = {b for b in chosen for other in chosen if other is not b and other in b.iterancestors()}
    return [b for b in chosen if b not in inside]


def _links_from(blocks: list[etree._Element], url: str) -> list[RelatedLink]:
    by_url: dict[str, RelatedLink] = {}
    for block in blocks:
        for a in _article_links(block, url):
            absolute = _absolute(url, a.get("href", "").strip())
            title = _link_title(a)
            known = by_url.get(absolute)
            if known is None:
                by_url[absolute] = RelatedLink(url=absolute, title=title, position=len(by_url) + 1)
            elif len(title) > len(known.title):
                known.title = title  # a card's image link comes before its title link
    return list(by_url.values())


def _jsonld_related(data: StructuredData, url: str, tree: etree._Element) -> list[RelatedLink]:
    raw = data.article.get("relatedLink") or next(
        (n.get("relatedLink") for n in data.jsonld if n.get("relatedLink")), None
    )
    values = raw if isinstance(raw, list) else [raw] if raw else []
    if not values:
        return []
    titles = {urljoin(url, a.get("href", "")): _link_title(a) for a in tree.iter("a") if a.get("href")}
    out = []
    for value in values:
        href = value.get("url") or value.get("@id") if isinstance(value, dict) else value
        if not isinstance(href, str) or not href.strip():
            continue
        absolute = urljoin(url, href.strip())
        title = value.get("name", "") if isinstance(value, dict) else ""
        out.append(RelatedLink(url=absolute, title=clean_text(title) or titles.get(absolute, ""),
                               position=len(out) + 1))
    return out


#: link lists after a given element (the body's last long paragraph)
_LINK_LISTS_AFTER = etree.XPath(
    "following::ul[count(li) >= 3] | following::ol[count(li) >= 3]"
    " | following::*[self::div or self::section][count(*) >= 3][count(*) = count(*[.//a[@href]])]"
)
_LAST_LONG_PARAGRAPH = etree.XPath("(//p[string-length(normalize-space()) > 200])[last()]")
#: an unnamed list of at least this many same-site article links after the body is not the body
MIN_LIST_LINKS = 3
#: ...when each link text reads like a headline: between these many words
_HEADLINE_WORDS = (2, 25)


def _article_like(url: str, page: str) -> bool:
    """A same-site URL whose path looks like an article's (two segments, or a slug or an id)."""
    parts, here = urlsplit(url), urlsplit(page)
    if parts.netloc != here.netloc or parts.path in ("", "/"):
        return False
    segments = [seg for seg in parts.path.split("/") if seg]
    last = segments[-1]
    return len(segments) >= 2 or last.count("-") >= 2 or any(c.isdigit() for c in last)


def _trailing_link_lists(
    tree: etree._Element, url: str, known: list[etree._Element]
) -> list[etree._Element]:
    """Lists of links to other articles of the site, with headline-like texts, after the body.

    The structural signal for "related" blocks without a heading or a telling class, in any
    language: at least MIN_LIST_LINKS same-site article links, mostly link text, with article
    paragraphs before and none after.
    """
    last = _LAST_LONG_PARAGRAPH(tree)
    if not last:
        return []
    found = []
    known_set = set(known)
    target_of: dict[etree._Element, str] = {}  # anchor -> article URL or "" (lists nest)
    for el in _LINK_LISTS_AFTER(last[0]):
        if el in known_set or any(a in known_set for a in el.iterancestors()):
            continue
        targets = set()
        for a in el.iter("a"):
            target = target_of.get(a)
            if target is None:
                target = ""
                href = (a.get("href") or "").strip()
                words = len("".join(a.itertext()).split())
                if href and _HEADLINE_WORDS[0] <= words <= _HEADLINE_WORDS[1]:
                    absolute = _absolute(url, href)
                    if _article_like(absolute, url):
                        target = absolute
                target_of[a] = target
            if target:
                targets.add(target)
        if len(targets) < MIN_LIST_LINKS or not _is_link_block(el, url):
            continue
        found.append(el)
    return _outermost(found)


def find_related(
    tree: etree._Element,
    url: str,
    data: StructuredData | None = None,
    rules: SiteRules | None = None,
) -> Related:
    """Related links in page order (1..n) and the blocks that hold them."""
    if rules is not None and rules.related:
        blocks = [el for el in rules.select(tree, "related") if isinstance(el, etree._Element)]
        return Related(_links_from(blocks, url), blocks)
    blocks: list[etree._Element] = []
    popular: list[etree._Element] = []
    for heading in _headings(tree):
        text = clean_text("".join(heading.itertext()))
        if POPULAR_RE.match(text):
            block = _block_after_heading(heading, url)
            if block is not None:
                popular.append(block)
        elif HEADING_RE.match(text):
            block = _block_after_heading(heading, url)
            if block is None:
                block = _inline_related(heading, url)
            if block is not None:
                blocks.append(block)
                if block is heading.getnext():
                    blocks.append(heading)
    for el in classed(tree, _CLASS_RE):
        if _is_link_block(el, url) and \
                not any(el is block or el in block.iterancestors() for block in popular):
            blocks.append(el)
    for aside in tree.iter("aside"):
        if any(aside in block.iterancestors() or block is aside for block in popular):
            continue
        if _is_link_block(aside, url) and len(_article_links(aside, url)) >= 3:
            blocks.append(aside)
    blocks.extend(_REL_RELATED(tree))
    blocks.extend(_ITEMPROP_RELATED(tree))
    blocks = _outermost(blocks)
    found = _trailing_link_lists(tree, url, [*blocks, *popular])
    if found:
        # unnamed lists: related when nothing else on the page is, else just not the body
        if any(b.tag != "link" for b in blocks):
            popular.extend(found)
        else:
            blocks = _outermost([*blocks, *found])
    links = _links_from([b for b in blocks if b.tag != "link"], url)
    for el in blocks:
        if el.tag == "link" and el.get("href"):
            absolute = urljoin(url, el.get("href", ""))
            if all(link.url != absolute for link in links):
                links.append(RelatedLink(url=absolute, position=len(links) + 1))
    if not links and data is not None:
        links = _jsonld_related(data, url, tree)
    return Related(links, blocks, _outermost(popular))
