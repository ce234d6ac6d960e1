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
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

from lxml import etree

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


def _teasers(tree: etree._Element, url: str) -> int:
    """Distinct same-site links whose text reads like a headline (four words or more)."""
    host = urlsplit(url).hostname or ""
    seen = set()
    for a in tree.iter("a"):
        href = a.get("href")
        if not href or href.startswith("#"):
            continue
        text = " ".join("".join(a.itertext()).split())
        if len(text.split()) < 4:
            continue
        absolute = urljoin(url, href)
        if (urlsplit(absolute).hostname or host) == host:
            seen.add(absolute.split("#")[0])
    return len(seen)


def measure(tree: etree._Element, data: StructuredData, url: str) -> Signals:
    """The signals :func:`classify` decides on."""
    types = data.jsonld_types()
    og_type = data.first("og:type").lower()
    return Signals(
        declared_article=bool(types & ARTICLE_TYPES) or og_type == "article",
        declared_listing=bool(types & LISTING_TYPES),
        declared_profile=bool(types & PROFILE_TYPES) or og_type == "profile",
        og_type=og_type,
        teasers=_teasers(tree, url),
        prose=sum(len(" ".join("".join(p.itertext()).split())) for p in _PROSE(tree)),
        has_next=bool(data.links.get("next")),
    )


def _url_kind(url: str) -> str:
    parts = urlsplit(url)
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


def classify_body(s: Signals, url: str, body_text: str) -> PageInfo | None:
    """After body extraction: a page that does not declare itself an article must read like one."""
    if s.declared_article:
        return None
    if len(body_text) < MIN_UNDECLARED_TEXT:
        return PageInfo(url, "empty", f"{url}: not declared an article and only "
                                      f"{len(body_text)} chars of text")
    if len(body_text) < MIN_ARTICLE_PROSE and s.teasers >= MIN_LIST_TEASERS:
        return PageInfo(url, "index", f"{url}: not declared an article and only "
                                      f"{len(body_text)} chars of text ({s.teasers} teaser links)")
    if s.teasers >= MIN_TEASERS and len(body_text) < s.teasers * PROSE_PER_TEASER:
        why = "rel=next list" if s.has_next else "list"
        return PageInfo(url, "index", f"{url}: {why} of {s.teasers} teaser links with "
                                      f"{len(body_text)} chars of text")
    return None
