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
from collections.abc import Iterable
from dataclasses import dataclass, field
from urllib.parse import urldefrag, urljoin, urlsplit

from lxml import etree

from ..items import RelatedLink
from .rules import SiteRules
from .structured import StructuredData
from .text import clean_text

logger = logging.getLogger(__name__)

#: heading texts that introduce a block of links to other articles
HEADING_RE = re.compile(
    r"^(?:suggested|related|recommended|read more|read next|more from|more on|more in|more about|"
    r"more stories|more news|more articles|more like this|you may also like|you might also like|"
    r"you may like|you might like|also read|see also|further reading|related stories|"
    r"related articles|keep reading|what to read next|read this next)\b",
    re.IGNORECASE,
)
#: headings of site-wide link lists: kept out of the body, but they are not related to the article
POPULAR_RE = re.compile(
    r"^(?:popular|most read|most popular|most viewed|trending|don'?t miss|editor'?s picks|"
    r"latest|top stories|up next)\b",
    re.IGNORECASE,
)
_MAX_HEADING_LEN = 60
_HEADINGS = etree.XPath(
    "//*[self::h1 or self::h2 or self::h3 or self::h4 or self::h5 or self::h6 or self::header"
    " or self::strong or self::b or self::p or self::span or self::div or self::legend]"
    # a heading holds little markup: skipping bigger elements first keeps this cheap on big pages
    "[not(*/*/*)][not(ancestor::a)][string-length(normalize-space()) > 3]"
    f"[string-length(normalize-space()) < {_MAX_HEADING_LEN}]"
)
_CLASS_RE = re.compile(
    r"(?:^|[\s_-])(?:related|suggested|recommend(?:ed|ations?)?|more-from|read-more|readmore|"
    r"read-next|you-may-like|also-like|more-stories|outbrain|taboola)(?:$|[\s_-])",
    re.IGNORECASE,
)
_CLASSED = etree.XPath("//*[@class or @id][not(self::body or self::html or self::article or self::main)]")
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


def _article_links(block: etree._Element, url: str) -> list[etree._Element]:
    """Anchors of ``block`` that point at another http(s) page."""
    page = urldefrag(url)[0]
    out = []
    for a in block.iter("a"):
        href = (a.get("href") or "").strip()
        if not href or href.startswith(("#", "javascript:", "mailto:", "tel:")):
            continue
        absolute = urldefrag(urljoin(url, href))[0]
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


def _outermost(blocks: Iterable[etree._Element]) -> list[etree._Element]:
    """Blocks without those nested inside another block, in document order."""
    chosen = list(dict.fromkeys(blocks))
    inside = {b for b in chosen for other in chosen if other is not b and other in b.iterancestors()}
    return [b for b in chosen if b not in inside]


def _links_from(blocks: list[etree._Element], url: str) -> list[RelatedLink]:
    by_url: dict[str, RelatedLink] = {}
    for block in blocks:
        for a in _article_links(block, url):
            absolute = urldefrag(urljoin(url, a.get("href", "").strip()))[0]
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
    for heading in _HEADINGS(tree):
        if len(heading) > 3:
            continue
        text = clean_text("".join(heading.itertext()))
        if POPULAR_RE.match(text):
            block = _block_after_heading(heading, url)
            if block is not None:
                popular.append(block)
        elif HEADING_RE.match(text):
            block = _block_after_heading(heading, url)
            if block is not None:
                blocks.append(block)
                if block is heading.getnext():
                    blocks.append(heading)
    for el in _CLASSED(tree):
        marker = f"{el.get('class', '')} {el.get('id', '')}"
        if _CLASS_RE.search(marker) and _is_link_block(el, url) and \
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
    links = _links_from([b for b in blocks if b.tag != "link"], url)
    for el in blocks:
        if el.tag == "link" and el.get("href"):
            absolute = urljoin(url, el.get("href", ""))
            if all(link.url != absolute for link in links):
                links.append(RelatedLink(url=absolute, position=len(links) + 1))
    if not links and data is not None:
        links = _jsonld_related(data, url, tree)
    return Related(links, blocks, _outermost(popular))
