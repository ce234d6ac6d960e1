"""Find article URLs in feeds, sitemaps and index pages.

Links are canonicalised and filtered *before* Requests are made: Scrapy spends most
of its time on duplicate Requests when a spider follows every link.
"""

from __future__ import annotations

import logging
import struct
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import ClassVar

import lxml.etree
import lxml.html
from dateutil import parser as dateparser
from scrapy.linkextractors import IGNORED_EXTENSIONS
from scrapy.utils.gz import gunzip
from scrapy.utils.sitemap import sitemap_urls_from_robots

from aggregator.urls import canonical_url, in_domains, join, split

logger = logging.getLogger(__name__)

_IGNORED = tuple("." + ext for ext in IGNORED_EXTENSIONS)


@dataclass(frozen=True, slots=True)
class Entry:
    """A URL found in a feed or sitemap, with its date when it has one."""

    url: str
    updated: datetime | None = None


#: the "sitemap kind" stored for a robots.txt: its entries are sitemaps, as an index's are
ROBOTS = "robots"


def lists_sitemaps(sitemap_kind: str) -> bool:
    """Whether the entries of a listing of this kind are sitemaps (a sitemap index's, a
    robots.txt's), not pages."""
    return sitemap_kind in ("sitemapindex", ROBOTS)


#: request meta key: how the spider found the URL (a :class:`Found`)
FOUND = "found"
#: response meta key: what a fetched feed, sitemap or listing page led to, ``(kind, links)`` as
#: :class:`aggregator.state.UrlState` stores them -- what the next runs replay when it is
#: unchanged (:mod:`aggregator.incremental.spider` writes it)
LED_TO = "led_to"


@dataclass(frozen=True)
class Found:
    """How discovery found a URL it asks for (request meta :data:`FOUND`): what the
    incremental spider middleware decides on -- whether it is requested at all.

    ``listing``: the feed or sitemap that listed it, dated ``updated``; ``entry``: one of
    their entries; ``repeat``: found before this run, and now with a date that may say it
    changed since.
    """

    #: a page that may be an article: not requested when known and not due
    PAGE: ClassVar[str] = "page"
    #: a sitemap: not requested when its index dates it before our last fetch
    SITEMAP: ClassVar[str] = "sitemap"
    #: a feed or robots.txt: always requested (conditionally)
    LISTING: ClassVar[str] = "listing"

    kind: str
    listing: str | None = None
    updated: datetime | None = None
    entry: bool = False
    repeat: bool = False


def _parse_date(text: str | None) -> datetime | None:
    """A feed's or sitemap's date: ISO 8601 (a sitemap's ``lastmod``, Atom) read directly,
    anything else (RSS's RFC 822 dates) by dateutil, ten times slower.

    >>> _parse_date("2024-05-01T09:30:00Z").isoformat(), _parse_date(" 2024-05-01 ").isoformat()
    ('2024-05-01T09:30:00+00:00', '2024-05-01T00:00:00')
    >>> _parse_date("Wed, 01 May 2024 09:30:00 +0200").isoformat(), _parse_date("soon")
    ('2024-05-01T09:30:00+02:00', None)
    """
    if not text or not text.strip():
        return None
    text = text.strip()
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        pass
    try:
        return dateparser.parse(text)
    except (ValueError, OverflowError):
        return None


def feed_entries(body: bytes, base_url: str) -> list[Entry]:
    """Links of the items of an RSS 2.0, RSS 1.0 or Atom feed, with their dates."""
    try:
        root = lxml.etree.fromstring(body, parser=lxml.etree.XMLParser(
            recover=True, resolve_entities=False, no_network=True, huge_tree=False))
    except lxml.etree.XMLSyntaxError:
        return []
    if root is None:
        return []
    entries: list[Entry] = []
    for node in root.iter("{*}item", "{*}entry"):
        if not isinstance(node.tag, str):
            continue
        link = None
        for child in node:
            if not isinstance(child.tag, str):
                continue
            name = lxml.etree.QName(child).localname
            if name == "link":
                href = child.get("href")
                if href and child.get("rel", "alternate") == "alternate":
                    link = href
                elif not href and (child.text or "").strip():
                    link = child.text.strip()
            if link:
                break
        if link is None:
            guid = node.find("{*}guid")
            if guid is not None and guid.get("isPermaLink", "true") == "true" and guid.text:
                link = guid.text.strip()
        if not link:
            continue
        date_text = None
        for tag in ("{*}updated", "{*}pubDate", "{*}published", "{*}date"):
            found = node.find(tag)
            if found is not None and found.text:
                date_text = found.text
                break
        entries.append(Entry(join(base_url, link), _parse_date(date_text)))
    return entries


GZIP_MAGIC = b"\x1f\x8b\x08"


def sitemap_body(body: bytes, max_size: int = 0) -> bytes:
    """The XML of a sitemap response: gunzipped when it is gzip data (a ``sitemap.xml.gz``
    served as ``application/x-gzip``, ``application/octet-stream`` or even XML, without
    ``Content-Encoding``), as Scrapy's ``SitemapSpider`` does.

    Raises ``ValueError`` when the decompressed size passes ``max_size`` (0: no bound) and
    ``OSError`` / ``EOFError`` when the gzip data is corrupt from its start.

    >>> import gzip
    >>> sitemap_body(gzip.compress(b"<urlset/>"))
    b'<urlset/>'
    """
    if body[:3] != GZIP_MAGIC:
        return body
    return gunzip(body, max_size=max_size)


class Unreadable(ValueError):
    """A response discovery cannot read; ``kind`` names the crawl error it is counted as."""

    def __init__(self, kind: str, reason: str) -> None:
        super().__init__(reason)
        self.kind = kind


def read_sitemap(body: bytes, max_size: int = 0) -> tuple[str, list[Entry]]:
    """A sitemap's kind (``urlset``, ``sitemapindex``) and entries, gzipped or not; or
    :class:`Unreadable` (``sitemap_too_large``, ``bad_gzip``, ``not_a_sitemap``).

    >>> read_sitemap(b"<urlset><url><loc>https://ex.com/a</loc></url></urlset>")
    ('urlset', [Entry(url='https://ex.com/a', updated=None)])
    >>> read_sitemap(b"Not found")
    Traceback (most recent call last):
    ...
    aggregator.discovery.Unreadable: the response is not a sitemap
    """
    kind, entries = sitemap_entries(unzipped_sitemap(body, max_size))
    if not kind:
        raise Unreadable("not_a_sitemap", "the response is not a sitemap")
    return kind, entries


def unzipped_sitemap(body: bytes, max_size: int = 0) -> bytes:
    """:func:`sitemap_body`, or :class:`Unreadable` (``sitemap_too_large``, ``bad_gzip``).

    >>> unzipped_sitemap(GZIP_MAGIC + b"not gzip")
    Traceback (most recent call last):
    ...
    aggregator.discovery.Unreadable: the gzipped sitemap is corrupt: ...
    """
    try:
        return sitemap_body(body, max_size)
    except ValueError:  # Scrapy's "decompressed more than max_size"
        raise Unreadable("sitemap_too_large", f"the sitemap is larger than {max_size} bytes "
                                              "once decompressed") from None
    except (OSError, EOFError, struct.error) as exc:
        raise Unreadable("bad_gzip", f"the gzipped sitemap is corrupt: {exc}") from None


def too_old(when: datetime | None, max_age_days: int, now: datetime | None = None) -> bool:
    """Whether a feed or sitemap date is older than ``max_age_days`` (0: none is); an undated
    entry is not, a naive date is UTC.

    >>> too_old(datetime(2024, 1, 1), 30, now=datetime(2024, 3, 1, tzinfo=timezone.utc))
    True
    >>> too_old(None, 30), too_old(datetime(2024, 1, 1), 0)
    (False, False)
    """
    if not max_age_days or when is None:
        return False
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return when < (now or datetime.now(timezone.utc)) - timedelta(days=max_age_days)


_SITEMAP_PARSER = lxml.etree.XMLParser(recover=True, resolve_entities=False, no_network=True,
                                       remove_comments=True, remove_pis=True)


def sitemap_entries(body: bytes) -> tuple[str, list[Entry]]:
    """``("sitemapindex" | "urlset", entries)`` of a sitemap; ``("", [])`` if it isn't one.

    An entry's date is its ``lastmod``, else (Google News sitemaps) its
    ``<news:news><news:publication_date>``.

    >>> kind, entries = sitemap_entries(
    ...     b'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"'
    ...     b' xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">'
    ...     b'<url><loc>https://ex.com/a</loc><news:news>'
    ...     b'<news:publication_date>2024-05-01T10:00:00Z</news:publication_date>'
    ...     b'</news:news></url></urlset>')
    >>> kind, entries[0].url, entries[0].updated.isoformat()
    ('urlset', 'https://ex.com/a', '2024-05-01T10:00:00+00:00')
    """
    try:
        root = lxml.etree.fromstring(body, parser=_SITEMAP_PARSER)
    except (lxml.etree.XMLSyntaxError, ValueError):
        return "", []
    if root is None or not isinstance(root.tag, str):
        return "", []
    entries = []
    for node in root:
        if not isinstance(node.tag, str) or lxml.etree.QName(node).localname not in (
                "url", "sitemap"):
            continue
        loc = lastmod = news_date = None
        for child in node:
            if not isinstance(child.tag, str):
                continue
            name = lxml.etree.QName(child).localname
            if name == "loc":
                loc = (child.text or "").strip()
            elif name == "lastmod":
                lastmod = child.text
            elif name == "news":
                found = child.find("{*}publication_date")
                news_date = found.text if found is not None else None
        if loc:
            entries.append(Entry(loc, _parse_date(lastmod) or _parse_date(news_date)))
    return lxml.etree.QName(root).localname, entries


def robots_sitemaps(body: bytes, base_url: str) -> list[str]:
    r"""The ``Sitemap:`` URLs of a robots.txt, absolute, each once.

    >>> robots_sitemaps(b"User-agent: *\nSitemap: /news.xml.gz\n", "https://ex.com/robots.txt")
    ['https://ex.com/news.xml.gz']
    """
    return list(dict.fromkeys(sitemap_urls_from_robots(body, base_url=base_url)))


def looks_like_feed(body: bytes) -> bool:
    head = body[:2048].lstrip().lower()
    return b"<rss" in head or b"<feed" in head or b"<rdf:rdf" in head


def outlinks(html: str | bytes, base_url: str) -> tuple[list[str], list[str]]:
    """``(links, next_links)`` of a page in one parse: the absolute ``href``s of its ``<a>``
    elements (honouring ``<base href>``) and its ``rel=next`` links.

    A listing page is parsed by extraction and then here once, not twice.
    """
    try:
        doc = lxml.html.document_fromstring(html)
    except (lxml.etree.ParserError, ValueError):
        return [], []
    base = doc.find(".//base[@href]")
    if base is not None:
        base_url = join(base_url, base.get("href", ""))
    links: list[str] = []
    next_links: list[str] = []
    for el in doc.iter("a", "link"):
        href = (el.get("href") or "").strip()
        if not href or href.startswith(("#", "javascript:", "mailto:", "tel:", "data:")):
            continue
        absolute = join(base_url, href)
        if el.tag == "a":
            links.append(absolute)
        rel = el.get("rel")
        if rel and "next" in rel.lower().split():
            next_links.append(absolute)
    return links, next_links


def index_visits(links: list[str], next_links: list[str], *, hops: int, listing_page: int,
                 max_pages: int, max_hops: int) -> tuple[list[tuple[str, int, int]], bool]:
    """Where a listing page's links lead: ``(url, hops, listing_page)`` to visit, and whether
    its pagination stopped at ``max_pages``. A section's next pages (the page is one:
    ``listing_page`` > 0) are followed at the same hops up to ``max_pages`` pages -- its next
    link, an <a> too, is not followed again as a plain link; the other links one hop further,
    while under ``max_hops``.

    >>> index_visits(["/a", "/p2"], ["/p2"], hops=0, listing_page=1, max_pages=5, max_hops=2)
    ([('/p2', 0, 2), ('/a', 1, 0)], False)
    >>> index_visits(["/a", "/p6"], ["/p6"], hops=2, listing_page=5, max_pages=5, max_hops=2)
    ([], True)
    """
    visits: list[tuple[str, int, int]] = []
    capped = False
    if listing_page and next_links:
        if listing_page < max_pages:
            visits += [(url, hops, listing_page + 1) for url in next_links]
        else:
            capped = True
        next_set = set(next_links)
        links = [url for url in links if url not in next_set]
    if hops < max_hops:
        visits += [(url, hops + 1, 0) for url in links]
    return visits, capped


class LinkFilter:
    """Keeps each crawlable URL once: canonical, in the allowed domains, not an asset."""

    def __init__(self, allowed_domains: Iterable[str], extra_params: Iterable[str] = ()) -> None:
        self.allowed_domains = list(allowed_domains)
        self.extra_params = list(extra_params)
        self.seen: set[str] = set()

    def normalise(self, url: str) -> str | None:
        """The canonical URL, or None if it is off-site or an asset (seen or not)."""
        parts = split(url)
        if parts.scheme not in ("http", "https"):
            return None
        if parts.path.lower().endswith(_IGNORED):
            return None
        canon = canonical_url(url, self.extra_params)
        return canon if in_domains(canon, self.allowed_domains) else None

    def keepable(self, urls: Iterable[str]) -> list[str]:
        """The crawlable ones, canonical, each once, in page order (seen or not).

        >>> LinkFilter(["ex.com"]).keepable(["/a", "https://ex.com/b", "https://ex.com/b#c",
        ...                                  "https://other.org/", "https://ex.com/x.png"])
        ['https://ex.com/b']
        """
        return list(dict.fromkeys(u for u in map(self.normalise, urls) if u is not None))

    def accept(self, url: str) -> str | None:
        """The canonical URL to request, or None if it is off-site, an asset or seen."""
        canon = self.normalise(url)
        if canon is None or canon in self.seen:
            return None
        self.seen.add(canon)
        return canon

    def mark_seen(self, url: str) -> None:
        """Remember ``url`` (a start URL requested anyway) so no page link fetches it again."""
        self.seen.add(canonical_url(url, self.extra_params))
