"""Suggested and related links: classify the page's link blocks, keep them out of the body.

Every anchor to another page is a candidate (:func:`.linkblocks.link_candidates`) with the
signals of its block. :func:`link_score` weighs them by hand (the weights were set on one half
of the dev pages, by site, and checked on the other; see ``benchmarks/related.py``):

- a block *named* related -- heading words in many languages ("Related", "Mehr zum Thema",
  "関連記事"), or related/recommended class names -- and in-body *callouts* ("Read more: <a>",
  a label before a stand-alone link line, an embedded story card) count for;
- site-wide lists ("Most read", "Trending", "Latest"), hidden blocks, navigation, header and
  footer, section/tag/author/home URLs and 1-3-word labels count against;
- an unnamed list after the article counts for when its links read like headlines on the
  article's topic (they share words with its headline).

A crawl adds what one page can't tell (:class:`TemplateStats`): links that recur on most pages
of a source are its template (navigation, site-wide lists) and are dropped, while a block that
recurs with links that change from page to page is confirmed as the source's related block.

>>> from aggregator.extraction.dom import parse_html
>>> page = parse_html('''<body><article><p>''' + "The new chip is fast. " * 20 + '''</p>
... <h3>Suggested Articles</h3><ul>
... <li><a href="/2024/05/chip-prices">Chip prices fall for a third month</a></li>
... <li><a href="/2024/05/fabs"><h4>Why new fabs take years</h4></a></li></ul>
... </article><footer><a href="/about">About us</a><a href="/tech">Tech</a></footer></body>''')
>>> [(l.url, l.title, l.position) for l in find_related(page, "https://ex.com/2024/05/x").links]
... # doctest: +NORMALIZE_WHITESPACE
[('https://ex.com/2024/05/chip-prices', 'Chip prices fall for a third month', 1),
 ('https://ex.com/2024/05/fabs', 'Why new fabs take years', 2)]
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Protocol

from lxml import etree

from aggregator.urls import join
from ..items import RelatedLink
from .linkblocks import LinkCandidate, block_signature, link_candidates, link_title, page_key
from .rules import SiteRules
from .structured import StructuredData
from .text import clean_text

logger = logging.getLogger(__name__)

#: a link is related when its score reaches this. Leaving one site out at a time over both
#: dev sets, 1.0 was the best of -1..2 on the other sites for 139 of 140 (0.5 for one); 0.5
#: keeps an unnamed list after the article whose headlines share a third of their words with
#: the article's headline (a score of 0.5 + 0.33), which 1.0 would drop
THRESHOLD = 0.5
#: an unnamed list on the article's text needs this share of its links on its headline too
UNNAMED_HEADLINE_SHARE = 0.3
#: a sidebar box that no heading names, called related by a class only, needs this share of
#: its links on the article's topic ("related-posts" filled with the site's trending stories)
UNHEADED_SIDEBAR_TOPICAL = 0.3


def link_score(f: dict[str, float]) -> float:
    """The hand-weighted evidence that a candidate link is a related link (related at
    :data:`THRESHOLD` or more).

    A box a class calls related, under a heading of its own, after the article: related when
    its links are the site's, not when every one of them goes to another site (a partner's
    feed beside the article, "Wilkes-Barre News" on a news agency's page).

    >>> box = {"named_related": 1.0, "headed": 1.0, "after_main": 1.0, "block_links": 3.0,
    ...        "title_words": 8.0, "url_article": 1.0, "block_article_like": 1.0,
    ...        "block_topical_share": 0.3, "same_site": 1.0, "block_same_site_share": 1.0}
    >>> link_score(box) >= THRESHOLD
    True
    >>> link_score({**box, "same_site": 0.0, "block_same_site_share": 0.0}) >= THRESHOLD
    False
    """
    get = f.get  # called some 30 times for each of a page's hundreds of links
    score = -3.0
    named = get("named_related", 0.0)
    callout = get("callout", 0.0)
    score += 4 * named + 4 * callout
    links = get("block_links", 0.0)
    if get("url_in_section") and not named and not get("heading_popular") \
            and get("block_headline_share", 0.0) >= 0.6 and links >= 2:
        score += 4  # a list headed by the article's section, of stories filed under it
    if named and (get("in_aside") or get("class_sidebar")) \
            and not get("block_topical_share") and not get("block_headline_overlap"):
        score -= 3  # a sidebar box of links that share no word with the article: site-wide
    elif named and (get("in_aside") or get("class_sidebar")) and not get("headed") \
            and get("block_topical_share", 0.0) < UNHEADED_SIDEBAR_TOPICAL:
        score -= 3  # a sidebar box no heading names, only a class, mostly off the topic
    elif named and not get("headed") and not callout and links >= 2 \
            and not get("block_topical_share") and not get("block_headline_overlap"):
        # a box no heading names, only a class ("related"), none of whose links shares a word
        # with the article's text or headline: the site's feature box, wherever it stands
        score -= 3
    words = get("title_words", 0.0)
    # a list of headlines on the article's topic inside its text, each on its own line
    listed = get("block_in_main") and links >= 2 and get("para_all_link") \
        and get("block_headline_share", 0.0) >= 0.8 and get("block_article_like", 0.0) >= 0.8 \
        and get("block_headline_overlap", 0.0) >= 0.5
    if (get("heading_popular") or get("class_popular") or get("region_heading_popular")
            or get("region_class_popular") or (
                (get("class_top") or get("region_class_top")) and not get("heading_related"))
            ) and not (listed and get("plain_block")):
        # a site-wide list: most read, trending, latest; not plain lines of links between the
        # article's paragraphs, on its topic: the editor's ("DON'T MISS" over three link
        # lines), where a template's list has classes of its own
        score -= 6
    if get("block_has_self") and not get("block_topical_share") \
            and not get("block_headline_overlap"):
        score -= 3  # a list holding the page itself, none of it on its topic: the site's latest
    if get("block_ranked"):
        score -= 6  # a ranking (1, 2, 3...): the site's most read
    if get("hidden"):
        score -= 8
    if get("ad_label"):
        score -= 12  # "Sponsored" on the card: an ad, even as a card between the paragraphs
    if get("heading_link"):
        score -= 6  # "More in Markets" over a list links to the section, not an article
    if get("in_nav") or get("in_header") or get("in_footer"):
        score -= 4
    if get("class_nav"):
        score -= 1
    if get("url_listing") or get("url_home"):
        score -= 4  # a section, tag, author, search or home page is not an article
    if not get("same_site"):
        score -= 1.5
        if links >= 2 and not get("block_same_site_share") and not get("heading_related"):
            score -= 2  # a box of links all to another site: a partner's feed, sponsored links
    if 4 <= words <= 25:
        score += 1  # reads like a headline
    elif words <= 2 and not get("has_img"):
        score -= 2  # a label: "More", "Politics"
    if words <= 3 and not get("url_article") and not get("has_img"):
        score -= 4  # a name to a page no article's URL: an author's, a product's, a service's
    if named and not get("block_headline_share") and links >= 2:
        score -= 2  # a named list none of whose links reads like a headline: topics, guides
    if get("block_article_like", 0.0) >= 0.6:
        score += 0.5
    # an unnamed list of headlines after the article, on its topic: most of its links share
    # words with its headline, or most share words with its text and a third with its headline
    # (on the text alone, a site-wide "latest" list on a page about anything passes too)
    overlap = get("block_headline_overlap", 0.0)
    if get("after_main") and get("block_headline_share", 0.0) >= 0.6 and 2 <= links <= 14 \
            and not get("in_aside") and not get("class_sidebar") \
            and not get("region_class_sidebar") and (overlap >= 0.5 or (
                get("block_topical_share", 0.0) >= 0.6 and overlap >= UNNAMED_HEADLINE_SHARE)):
        score += 2
    # an embedded story card between the paragraphs, on the article's topic (one shaped as a
    # card of its own -- a heading or an image in the link -- whatever its topic)
    card = get("block_in_main") and links <= 2 and words >= 4 \
        and get("block_link_share", 0.0) >= 0.6 \
        and (get("headline_overlap") or get("own_card")) \
        and (get("heading_inside") or get("has_img") or (
            (get("class_card") or get("inner_class_card")) and not get("own_card")))
    if card or listed:
        score += 4
    if get("in_main") and not named and not callout and not card and not listed:
        score -= 2  # a link in the running text
    return score + get("block_headline_overlap", 0.0)


class TemplateStats(Protocol):
    """What a crawl has learned about one source's pages (see :mod:`aggregator.template`).

    Links are counted by :func:`link_key`: a URL in a given block (a related block that
    suggests an article also listed in the site's menu is not the menu)."""

    #: how many of the source's pages were seen
    pages: float

    def link_share(self, url: str) -> float:
        """The share of the seen pages with this link (a :func:`link_key`)."""

    def block_share(self, signature: str) -> float:
        """The share of the seen pages that have a block with this signature."""


def link_key(signature: str, url: str) -> str:
    """How the template statistics count a link: its block's signature and its URL."""
    return f"{signature} {url}"


#: a source's statistics are used once this many of its pages were seen
MIN_TEMPLATE_PAGES = 5
#: a link on at least this share of a source's pages is part of its template...
TEMPLATE_LINK_SHARE = 0.8
#: ...and so is one on at least RECURRING_LINK_SHARE of them in a block whose links are on
#: TEMPLATE_BLOCK_SHARE of them on average (a site-wide list that changes now and then);
#: a related block's links recur far less, but on a small site an article can be suggested
#: by a good share of the others
RECURRING_LINK_SHARE = 0.3
TEMPLATE_BLOCK_SHARE = 0.5
#: a block on at least this share of the pages whose links are each on at most
#: VARYING_LINK_SHARE of them is the source's related block
RECURRING_BLOCK_SHARE = 0.3
VARYING_LINK_SHARE = 0.2


@dataclass
class Related:
    """The related links of a page and the elements that held them (to keep out of the body)."""

    links: list[RelatedLink] = field(default_factory=list)
    blocks: list[etree._Element] = field(default_factory=list)
    #: site-wide link lists ("Most read", "Trending"): not related links, not body either
    other_blocks: list[etree._Element] = field(default_factory=list)
    #: what a crawl learns from this page: its links' URLs and its blocks' signatures
    observed_links: frozenset[str] = frozenset()
    observed_blocks: frozenset[str] = frozenset()


def _template_adjusted(
    cands: list[LinkCandidate], scores: list[float], signatures: dict[etree._Element, str],
    template: TemplateStats | None,
) -> list[float]:
    """Scores corrected by what the crawl knows of the source's other pages."""
    if template is None or template.pages < MIN_TEMPLATE_PAGES:
        return scores
    shares = [template.link_share(link_key(signatures[c.block], c.url)) for c in cands]
    members: dict[etree._Element, list[float]] = {}
    for cand, share in zip(cands, shares):
        members.setdefault(cand.block, []).append(share)
    block_share = {block: sum(group) / len(group) for block, group in members.items()}
    recurring = {
        cand.block: len(members[cand.block]) >= 2 and not cand.features.get("in_main")
        and cand.features.get("block_article_like", 0.0) >= 0.5
        and template.block_share(signatures[cand.block]) >= RECURRING_BLOCK_SHARE
        and max(members[cand.block]) <= VARYING_LINK_SHARE
        for cand in cands if cand.block is not cand.anchor}
    out = []
    for cand, score, share in zip(cands, scores, shares):
        f = cand.features
        if share >= TEMPLATE_LINK_SHARE or (share >= RECURRING_LINK_SHARE
                                            and block_share[cand.block] >= TEMPLATE_BLOCK_SHARE):
            score = -10.0  # on most pages of the source: navigation or a site-wide list
        elif recurring.get(cand.block) and f.get("same_site") and not f.get("hidden") \
                and not (f.get("url_listing") or f.get("url_home")):
            score = max(score, THRESHOLD)  # the source's own related block, seen again
        out.append(score)
    return out


def _links_from(blocks: list[etree._Element], url: str) -> list[RelatedLink]:
    """The links of blocks chosen by a site rule, in page order."""
    by_url: dict[str, RelatedLink] = {}
    for cand in link_candidates_in(blocks, url):
        known = by_url.get(cand.url)
        if known is None:
            by_url[cand.url] = RelatedLink(url=cand.url, title=cand.title,
                                           position=len(by_url) + 1)
        elif len(cand.title) > len(known.title):
            known.title = cand.title  # a card's image link comes before its title link
    return list(by_url.values())


def link_candidates_in(blocks: Iterable[etree._Element], url: str) -> list[LinkCandidate]:
    """Anchors of ``blocks`` to other pages (for site rules: no scoring needed)."""
    from .linkblocks import absolute_url

    out = []
    page = absolute_url(url, "")
    for block in blocks:
        for a in block.iter("a"):
            href = (a.get("href") or "").strip()
            if not href or href.startswith(("#", "javascript:", "mailto:", "tel:", "data:")):
                continue
            target = absolute_url(url, href)
            if target and target != page:
                out.append(LinkCandidate(a, target, link_title(a), block, "", None))
    return out


def _jsonld_related(data: StructuredData, url: str, tree: etree._Element) -> list[RelatedLink]:
    raw = data.article.get("relatedLink") or next(
        (n.get("relatedLink") for n in data.jsonld if n.get("relatedLink")), None
    )
    values = raw if isinstance(raw, list) else [raw] if raw else []
    if not values:
        return []
    out = []
    unnamed: set[str] = set()
    for value in values:
        href = value.get("url") or value.get("@id") if isinstance(value, dict) else value
        if not isinstance(href, str) or not href.strip():
            continue
        absolute = join(url, href.strip())
        title = clean_text(value.get("name", "") if isinstance(value, dict) else "")
        if not title:
            unnamed.add(absolute)
        out.append(RelatedLink(url=absolute, title=title, position=len(out) + 1))
    if unnamed:  # titled by the page's (last) link to each
        titles = _link_titles(tree, url, unnamed)
        for link in out:
            if not link.title:
                link.title = titles.get(link.url, "")
    return out


def _link_titles(tree: etree._Element, url: str, wanted: set[str]) -> dict[str, str]:
    """The title of the last link of ``tree`` to each URL of ``wanted`` (titles are read only
    for those: reading one is far dearer than resolving an address)."""
    last: dict[str, etree._Element] = {}
    resolved: dict[str, str] = {}
    for a in tree.iter("a"):
        href = a.get("href")
        if href:
            target = resolved.get(href)
            if target is None:
                target = resolved[href] = join(url, href)
            if target in wanted:
                last[target] = a
    return {target: link_title(a) for target, a in last.items()}


def _outermost(blocks: Iterable[etree._Element]) -> list[etree._Element]:
    """Blocks without those nested inside another block, in document order."""
    chosen = list(dict.fromkeys(blocks))
    known = set(chosen)
    return [b for b in chosen if not any(anc in known for anc in b.iterancestors())]


def _removable(cand: LinkCandidate) -> etree._Element | None:
    """What of a related link's surroundings leaves the body: its callout line or its block."""
    f = cand.features
    if f.get("block_in_main") and not f.get("block_has_main") and f.get("block_links", 0.0) >= 2 \
            and f.get("block_link_share", 0.0) >= 0.5:
        return cand.block  # a box of links between the paragraphs: with its heading, its ads
    if cand.paragraph is not None and (f.get("callout") or (
            f.get("in_main") and f.get("para_all_link"))):
        return cand.paragraph
    if cand.block is cand.anchor or f.get("block_has_main"):
        return None  # a link in running text stays in it
    if f.get("block_link_share", 1.0) < _TEXT_BLOCK_LINK_SHARE and _has_running_text(cand.block):
        return None  # mostly paragraphs: more of the article (a second body chunk), not a list
    return cand.block


#: a block whose link text is less than this share of its text, with paragraphs of running
#: text in it, is article text with links, never removed as a related block
_TEXT_BLOCK_LINK_SHARE = 0.2
_RUNNING_TEXT = etree.XPath("count(.//p[string-length(normalize-space()) >= 100]) >= 2")


def _has_running_text(block: etree._Element) -> bool:
    return bool(_RUNNING_TEXT(block))


def _not_body(cand: LinkCandidate) -> bool:
    """Whether the block of a link that is not related is no part of the article either: a
    site-wide list, or a list of three or more headlines after the article's text."""
    if cand.block is cand.anchor:  # most links: screened out, or standing alone
        return False
    f = cand.features
    if f.get("in_main") or f.get("block_has_main") \
            or f.get("block_link_share", 0.0) < 0.5 or f.get("block_links", 0.0) < 2:
        return False
    return bool(f.get("heading_popular") or f.get("class_popular")
                or (f.get("class_top") and not f.get("heading_related"))
                or (f.get("after_main") and f.get("block_headline_share", 0.0) >= 0.5))


def find_related(
    tree: etree._Element,
    url: str,
    data: StructuredData | None = None,
    rules: SiteRules | None = None,
    template: TemplateStats | None = None,
) -> Related:
    """Related links in page order (1..n), the blocks that hold them and site-wide lists.

    ``template`` is what a crawl learned about the source's other pages; without it (one page
    on its own, ``aggregator extract``) the page alone decides. With it (even an empty one, a
    source's first run) the result also says what the page shows of the source's template.
    """
    cands = link_candidates(tree, url)
    signatures: dict[etree._Element, str] = {}
    observed_links: frozenset[str] = frozenset()
    observed_blocks: frozenset[str] = frozenset()
    if template is not None:  # a crawl: it learns from this page too
        signatures = {c.block: "" for c in cands}
        for block in signatures:
            signatures[block] = block_signature(block)
        observed_links = frozenset(link_key(signatures[c.block], c.url) for c in cands)
        observed_blocks = frozenset(signatures[c.block] for c in cands if c.block is not c.anchor)
    if rules is not None and rules.related:
        blocks = [el for el in rules.select(tree, "related") if isinstance(el, etree._Element)]
        return Related(_links_from(blocks, url), blocks, [], observed_links, observed_blocks)
    scores = _template_adjusted(cands, [link_score(c.features) for c in cands], signatures,
                                template)
    by_url: dict[str, RelatedLink] = {}  # by _target_key
    #: URL -> its title is an image's alt text (a card's title link says it better)
    image_only: dict[str, bool] = {}
    blocks: list[etree._Element] = []
    other: list[etree._Element] = []
    itself = page_key(url)
    for cand, score in zip(cands, scores):
        if score < THRESHOLD or page_key(cand.url) == itself:
            if _not_body(cand):
                other.append(cand.block)
            continue
        title = link_title(cand.anchor)
        texted = bool(clean_text(cand.anchor.text_content()))
        key = _target_key(cand.url)  # one article suggested by two widgets is one link
        known = by_url.get(key)
        if known is None:
            by_url[key] = RelatedLink(url=cand.url, title=title, position=len(by_url) + 1)
            image_only[key] = not texted
        elif title and ((image_only[key] and texted) or _better_title(title, known.title)):
            known.title = title
            image_only[key] = not texted
        removable = _removable(cand)
        if removable is not None:
            blocks.append(removable)
    links = list(by_url.values())
    if not links and data is not None:
        links = _jsonld_related(data, url, tree)
    blocks = _outermost(blocks)
    chosen = set(blocks)
    other = [b for b in _outermost(other)
             if b not in chosen and not any(a in chosen for a in b.iterancestors())]
    return Related(links, blocks, other, observed_links, observed_blocks)


#: query parameters that name the page a link goes to, whatever their value
_PAGE_PARAMS = frozenset({"id", "p", "page_id", "article", "story", "v", "vid", "title"})
_NUMBER_VALUE_RE = re.compile(r"^\d+$")


def _target_key(url: str) -> str:
    """The page a related link goes to: its :func:`.linkblocks.page_key` and, of its query,
    only the parameters that name a page (a number, or an id's name). The others say where
    the link was -- "?iref=pc_rellink_02" in one box, "?iref=com_7_list_01" in the next --
    not where it goes.

    >>> _target_key("https://www.ex.com/a/A1.html?iref=rel_02")
    'ex.com/a/A1.html'
    >>> _target_key("https://ex.com/read.php?id=7&ref=box"), _target_key("https://ex.com/r?n=8")
    ('ex.com/read.php?id=7', 'ex.com/r?n=8')
    """
    path, _, query = url.partition("#")[0].partition("?")
    kept = sorted(part for part in query.split("&") if part and (
        part.partition("=")[0].lower() in _PAGE_PARAMS
        or _NUMBER_VALUE_RE.match(part.partition("=")[2])))
    return page_key(path) + ("?" + "&".join(kept) if kept else "")


def _better_title(new: str, old: str) -> bool:
    """A card's links: the headline beats an image's empty alt and a "Read more" button."""
    if not old:
        return bool(new)
    return len(new.split()) > len(old.split()) and len(old.split()) <= 3
