"""Article or not: recognise home, section, tag, author and other index pages.

General signals only: the URL's shape (``/tag/x/``, ``/author/x/``, ``/page/2/``, the site root),
what the page declares (``og:type``, JSON-LD ``@type``), and its layout (many teaser links and
little running text, a ``rel=next`` list).

>>> from aggregator.extraction.dom import parse_html
>>> from aggregator.extraction.structured import read_structured
>>> page = parse_html("<html><body><p>x</p></body></html>")
>>> classify(page, read_structured(page, "https://ex.com/tag/ai/"), "https://ex.com/tag/ai/")[0].kind
'tag'
"""

from __future__ import annotations

import logging
import re
from collections import Counter
from dataclasses import dataclass
from typing import Any

from lxml import etree

from aggregator.urls import join, split
from ..items import PageInfo
from .structured import ARTICLE_TYPES, LISTING_TYPES, PROFILE_TYPES, StructuredData

logger = logging.getLogger(__name__)

#: a listing segment followed by at most one name segment (and optional pagination)
_URL_KINDS = (
    ("tag", re.compile(r"/(?:tags?|topics?|keywords?|label)/[^/]+/?(?:page/\d+/?)?$", re.I)),
    ("author", re.compile(r"/(?:authors?|profiles?|people|writers?|contributors?|staff)/[^/]+/?"
                          r"(?:page/\d+/?)?$", re.I)),
    ("section", re.compile(r"/(?:sections?|category|categories|channels?)/[^/]+/?(?:page/\d+/?)?$", re.I)),
    ("index", re.compile(r"/(?:page/\d+|archives?|search|latest|news)/?$", re.I)),
)
_HOME_PATHS = re.compile(r"^/?(?:index\.(?:html?|php|aspx?))?$|^/[a-z]{2}(?:-[a-z]{2})?/?$", re.I)
_PAGE_QUERY = re.compile(r"(?:^|&)(?:page|p|paged)=\d+", re.I)
_PROSE = etree.XPath("//p[not(ancestor::a)][string-length(normalize-space()) >= 100]")
#: at least this many teaser links and little prose make a listing
MIN_TEASERS = 8
#: characters of running text per teaser link below which a page reads as a list of links
PROSE_PER_TEASER = 120
#: a page that does not declare itself an article needs this much text to be one
MIN_UNDECLARED_TEXT = 150
#: ...and with fewer than MIN_ARTICLE_PROSE chars, this many teaser links make it a list
MIN_LIST_TEASERS = 3
#: an article has at least this much running text
MIN_ARTICLE_PROSE = 400
#: an undeclared page is an article, however many teaser links it has around its text, when
#: the text holds fewer than MIN_TEASER_BLOCKS_PAGED of them and this much text besides
MIN_UNTEASED_TEXT = 1000


@dataclass
class Signals:
    """What the page looks like, measured once."""

    declared_article: bool
    declared_listing: bool
    declared_profile: bool
    og_type: str
    teasers: int
    prose: int
    has_next: bool
    #: the page's teaser headlines (same-site link texts of four words or more)
    headlines: frozenset[str] = frozenset()
    #: the text of the repeated teaser cards around them, one card per line
    cards: str = ""
    #: declared an article by JSON-LD/microdata type (og:type alone is weaker: sites set it
    #: everywhere)
    typed_article: bool = False
    #: what the page's own heading calls it: "tag", "author", "section" or ""
    heading_kind: str = ""


def _anchors(tree: etree._Element) -> list[tuple[etree._Element, str]]:
    """The page's links with their text, white space collapsed, read once for both counts."""
    return [(a, " ".join("".join(a.itertext()).split())) for a in tree.iter("a")]


def _teasers(anchors: list[tuple[etree._Element, str]], url: str) -> tuple[int, frozenset[str]]:
    """Distinct same-site links whose text reads like a headline (4+ words), and their texts."""
    host = split(url).hostname or ""
    seen = set()
    texts = set()
    for a, text in anchors:
        href = a.get("href")
        if not href or href.startswith("#"):
            continue
        if text.count(" ") < 3:
            continue
        if href.startswith("/") and not href.startswith("//"):
            seen.add(href.split("#")[0])  # same site, the common case: no URL parsing
            texts.add(text)
            continue
        absolute = join(url, href)
        if (split(absolute).hostname or host) == host:
            seen.add(split(absolute)._replace(scheme="", netloc="", fragment="").geturl())
            texts.add(text)
    return len(seen), frozenset(texts)


#: a teaser card is at most this many levels above its headline link...
_CARD_LEVELS = 4
#: ...and is repeated at least this many times among its siblings (same tag and class)
_CARD_REPEATS = 3
_CARD_MAX_TEXT = 1000


def _cards(anchors: list[tuple[etree._Element, str]], headlines: frozenset[str]) -> str:
    """The text of the page's repeated teaser cards (an element holding a headline link that
    has at least _CARD_REPEATS siblings of the same tag and class), one card per line."""
    found: dict[etree._Element, None] = {}
    #: per parent, how many children have each (tag, class): counted once (a list of 5,000
    #: cards would otherwise be counted once per card)
    shapes: dict[etree._Element, Counter[tuple[Any, Any]]] = {}
    for a, text in anchors:
        if text not in headlines:
            continue
        el = a
        for _ in range(_CARD_LEVELS):
            parent = el.getparent()
            if parent is None or parent.tag in ("body", "html"):
                break
            counts = shapes.get(parent)
            if counts is None:
                counts = shapes[parent] = Counter((sib.tag, sib.get("class")) for sib in parent)
            if counts[(el.tag, el.get("class"))] >= _CARD_REPEATS:
                found[el] = None
                break
            el = parent
    texts = (" ".join("".join(card.itertext()).split()) for card in found)
    return "\n".join(t for t in texts if len(t) <= _CARD_MAX_TEXT)


#: what a listing page's own heading starts with, by kind (several languages)
_HEADING_KINDS = (
    ("tag", re.compile(r"^\W*(?:tag(?:ged|s)?|topics?|keywords?|schlagw[öo]rt|themen?|"
                       r"[ée]tiquettes?|"
                       r"sujets?|etiquetas?|temas?|argomenti|onderwerp|标签|標籤|话题|タグ|トピック)\b",
                       re.I)),
    ("author", re.compile(r"^\W*(?:authors?|(?:posts|articles|stories) by|auteur|autor(?:in)?|"
                          r"autore|"
                          r"作者|著者|記者)\b", re.I)),
    ("section", re.compile(r"^\W*(?:category|categories|section|cat[ée]gorie|kategorie|rubri[ck]|"
                           r"categor[íi]a|secci[óo]n|se[çc][ãa]o|sezione|categorie|分类|分類|カテゴリー?)\b",
                           re.I)),
)
def _heading_kind(tree: etree._Element) -> str:
    h1 = next(tree.iter("h1"), None)
    texts = [" ".join("".join(h1.itertext()).split())] if h1 is not None else []
    texts.append(" ".join((tree.findtext(".//title") or "").split()))
    for kind, regex in _HEADING_KINDS:
        if any(regex.match(text) for text in texts if text):
            return kind
    return ""


def measure(tree: etree._Element, data: StructuredData, url: str) -> Signals:
    """The signals :func:`classify` decides on."""
    types = data.jsonld_types()
    og_type = data.first("og:type").lower()
    anchors = _anchors(tree)
    teasers, headlines = _teasers(anchors, url)
    typed_article = bool(types & ARTICLE_TYPES)
    return Signals(
        declared_article=bool(types & ARTICLE_TYPES) or og_type == "article",
        declared_listing=bool(types & LISTING_TYPES),
        declared_profile=bool(types & PROFILE_TYPES) or og_type == "profile",
        og_type=og_type,
        teasers=teasers,
        prose=sum(len(" ".join("".join(p.itertext()).split())) for p in _PROSE(tree)),
        has_next=bool(data.links.get("next")) or any(
            "next" in (a.get("rel") or "").split() for a, _ in anchors),
        headlines=headlines,
        # only a page not typed as an article is read for its teaser layout (classify_body)
        cards=_cards(anchors, headlines)
        if len(headlines) >= MIN_TEASER_BLOCKS_PAGED and not typed_article else "",
        typed_article=typed_article,
        heading_kind=_heading_kind(tree),
    )


def _url_kind(url: str) -> str:
    parts = split(url)
    if _HOME_PATHS.match(parts.path or "/") and not _PAGE_QUERY.search(parts.query):
        return "home"
    for kind, regex in _URL_KINDS:
        if regex.search(parts.path):
            return kind
    if _PAGE_QUERY.search(parts.query):
        return "index"
    return ""


def classify(tree: etree._Element, data: StructuredData, url: str) -> tuple[PageInfo | None, Signals]:
    """Before body extraction: a :class:`PageInfo` when the page is plainly not an article.

    Returns the measured signals too, for :func:`classify_body` to finish the decision.
    """
    s = measure(tree, data, url)
    url_kind = _url_kind(url)
    many_teasers = s.teasers >= MIN_TEASERS
    if url_kind and (not s.declared_article or (many_teasers and s.prose < MIN_ARTICLE_PROSE)):
        return PageInfo(url, url_kind, f"{url}: URL looks like a {url_kind} page "
                                       f"({s.teasers} teaser links, {s.prose} chars of prose)"), s
    if s.declared_profile and not s.declared_article:
        return PageInfo(url, "author", f"{url}: declared as a profile page"), s
    if s.declared_listing and not s.declared_article:
        return PageInfo(url, "index", f"{url}: declared as a collection/list page"), s
    return None, s


#: a body made of at least this many teasers (fewer on a rel=next page) with...
MIN_TEASER_BLOCKS = 5
MIN_TEASER_BLOCKS_PAGED = 3
#: ...less running text than MIN_ARTICLE_PROSE outside them is a list; a summary under a
#: teaser headline is part of the teaser when shorter than this
MAX_TEASER_SUMMARY = 320
#: a body paragraph found in a teaser card's text is part of the teaser from this length
MIN_CARD_PARAGRAPH = 20


def _teaser_layout(s: Signals, body_text: str) -> tuple[int, int]:
    """(teaser blocks, chars of text outside them) in the extracted body.

    A teaser block is a paragraph holding one of the page's teaser headlines, with the short
    summary paragraph after it: a list of these with little else is a listing, whatever the
    page declares with ``og:type`` and wherever it was saved.
    """
    if not s.headlines:
        return 0, len(body_text)
    teasers = outside = 0
    after_headline = False
    for paragraph in body_text.split("\n\n"):
        in_card = len(paragraph) >= MIN_CARD_PARAGRAPH and paragraph in s.cards
        if in_card or any(h in paragraph for h in s.headlines if len(h) <= len(paragraph)):
            teasers += 1
            after_headline = True
            outside += max(0, len(paragraph) - MAX_TEASER_SUMMARY)
        elif after_headline and len(paragraph) <= MAX_TEASER_SUMMARY:
            after_headline = False
        else:
            after_headline = False
            outside += len(paragraph)
    return teasers, outside


#: a URL's last segment naming one story: four words or more ("-" or "_" between them)
_STORY_SLUG_RE = re.compile(r"(?:[^\W_]+[-_]){3,}[^\W_]+")


def _story_slug(url: str) -> bool:
    """The URL's last path segment is a headline written as a slug, of four words or more.

    >>> _story_slug("https://ex.com/news/Friday-State-Swim-Results-474349633.html")
    True
    >>> _story_slug("https://ex.com/news/local/"), _story_slug("https://ex.com/tag/ai-and-ml/")
    (False, False)
    """
    last = split(url).path.rstrip("/").rsplit("/", 1)[-1]
    return bool(_STORY_SLUG_RE.match(last))


#: a story-slug URL keeps a short text an article only while less than this share of the
#: text is the page's own teaser headlines
MAX_SLUG_HEADLINE_SHARE = 0.5


def _headline_share(s: Signals, body_text: str) -> float:
    """The share of ``body_text`` that is the page's teaser headlines.

    >>> page = Signals(False, False, False, "", 8, 0, False,
    ...                headlines=frozenset({"Chip makers report record demand"}))
    >>> _headline_share(page, "Story 3 Chip makers report record demand")
    0.8
    """
    covered = sum(len(h) for h in s.headlines if h in body_text)
    return covered / max(len(body_text), 1)


def classify_body(s: Signals, url: str, body_text: str) -> PageInfo | None:
    """After body extraction: a page that does not declare itself an article must read like one.

    And a body that is a list of the page's own teasers (headline, short summary, repeated)
    is a listing unless JSON-LD or microdata types the page as an article.
    """
    teasers = outside = 0
    if not s.typed_article:
        teasers, outside = _teaser_layout(s, body_text)
        needed = MIN_TEASER_BLOCKS_PAGED if s.has_next else MIN_TEASER_BLOCKS
        if teasers >= needed and outside < MIN_ARTICLE_PROSE:
            kind = s.heading_kind or "index"
            return PageInfo(url, kind, f"{url}: the text is a list of {teasers} teasers "
                                       f"({outside} chars of other text)"
                                       + (", rel=next" if s.has_next else ""))
    if s.declared_article:
        return None
    if len(body_text) < MIN_UNDECLARED_TEXT:
        return PageInfo(url, "empty", f"{url}: not declared an article and only "
                                      f"{len(body_text)} chars of text")
    if _story_slug(url) and _headline_share(s, body_text) < MAX_SLUG_HEADLINE_SHARE:
        # "/2019/11/18/13-inch-macbook-pro-scissor-keyboard-2020/": the URL names one story;
        # a short news item among many links around it is still an article -- unless its
        # text is those links' headlines (a list served where a story was)
        return None
    if len(body_text) < MIN_ARTICLE_PROSE and s.teasers >= MIN_LIST_TEASERS:
        return PageInfo(url, "index", f"{url}: not declared an article and only "
                                      f"{len(body_text)} chars of text ({s.teasers} teaser links)")
    # (not typed an article here: the teaser layout was read above)
    if s.teasers >= MIN_TEASERS and len(body_text) < s.teasers * PROSE_PER_TEASER and not (
            teasers < MIN_TEASER_BLOCKS_PAGED and outside >= MIN_UNTEASED_TEXT):
        # (many teaser links around a text that holds next to none of them and has paragraphs
        # of its own: menus and a sidebar around an article that declares nothing)
        why = "rel=next list" if s.has_next else "list"
        return PageInfo(url, "index", f"{url}: {why} of {s.teasers} teaser links with "
                                      f"{len(body_text)} chars of text")
    return None
