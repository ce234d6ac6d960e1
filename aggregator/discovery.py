"""Find article URLs in feeds, sitemaps and index pages.

Links are canonicalised and filtered *before* Requests are made: Scrapy spends most
of its time on duplicate Requests when a spider follows every link.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

import lxml.etree
import lxml.html
from dateutil import parser as dateparser
from scrapy.linkextractors import IGNORED_EXTENSIONS
from scrapy.utils.gz import gunzip
from scrapy.utils.sitemap import sitemap_urls_from_robots

from aggregator.urls import canonical_url, in_domains, join, split

logger = logging.getLogger(__name__)

_IGNORED = tuple("." + ext for ext in IGNORED_EXTENSIONS)


@dataclass(frozen=True)
class Entry:
    """A URL found in a feed or sitemap, with its date when it has one."""

    url: str
    updated: datetime | None = None


def _parse_date(text: str | None) -> datetime | None:
    if not text or not text.strip():
        return None
    try:
        return dateparser.parse(text.strip())
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
