"""The one spider: crawls one source of the sources config. It only orchestrates: discovery
finds URLs (feeds, sitemaps, section pages, suggested links), extraction turns a page into an
article (:mod:`aggregator.pages`), pipelines do the rest. Whether a discovered URL is requested
at all, and the replay of what an unchanged one led to, is :mod:`aggregator.incremental`'s.

    scrapy crawl news -a source=bytewire [-a config=sources.toml]
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Iterator
from datetime import datetime
from typing import Any
from urllib.parse import urljoin

from scrapy import Request, Spider
from scrapy.crawler import Crawler
from scrapy.http import Response, TextResponse, XmlResponse

from aggregator import discovery
from aggregator.crawlerrors import ReportsErrors
from aggregator.crawlsettings import apply_source
from aggregator.discovery import FOUND, LED_TO, Found
from aggregator.items import Article
from aggregator.pages import PageReader
from aggregator.state import FEED, PAGE, SITEMAP

logger = logging.getLogger(__name__)

#: index pages reached from a start page are followed this many hops deep
INDEX_HOPS = 2


class NewsSpider(ReportsErrors, Spider):
    """Discovery of one source; errors go to aggregator.crawlerrors (:class:`ReportsErrors`)."""

    name = "news"

    def __init__(self, source: str | None = None, config: str | None = None,
                 **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.source_name = source
        self.config_path = config

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> "NewsSpider":
        """The spider of a source, its settings applied (crawlsettings.apply_source)."""
        spider = super().from_crawler(crawler, *args, **kwargs)
        spider.setup(crawler)
        return spider

    def setup(self, crawler: Crawler) -> None:
        src = self.source_config = apply_source(crawler.settings, self.source_name,
                                                self.config_path)
        self.pages = PageReader.from_crawler(crawler, src)
        self.allowed_domains = list(src.allowed_domains)
        self.links = discovery.LinkFilter(
            src.allowed_domains, crawler.settings.getlist("AGGREGATOR_TRACKING_PARAMS"))
        self.sitemaps_seen: set[str] = set()
        self.sitemap_turn = asyncio.Lock()

    async def start(self) -> AsyncIterator[Any]:
        src = self.source_config
        for url in [*src.feeds, *src.sitemaps]:
            self.links.mark_seen(url)
        for url in src.feeds:
            yield Request(url, self.parse_feed, errback=self.on_error, priority=20,
                          meta={"start": True, FOUND: Found(Found.LISTING)}, dont_filter=True)
        for url in src.sitemaps:
            for request in self.visit_sitemap(url, start=True):
                yield request
        if not src.sitemaps and src.sitemaps_from_robots:
            # for its Sitemap: lines (Scrapy's RobotsTxtMiddleware keeps them); a 404: none
            yield Request(urljoin(src.home, "/robots.txt"), self.parse_robots, priority=20,
                          errback=self.on_error, dont_filter=True, meta={
                              "start": True, FOUND: Found(Found.LISTING),
                              "handle_httpstatus_list": [404]})
        for url in [*src.sections, src.home]:
            for request in self.visit(url, hops=0, listing_page=1, start=True):
                yield request

    def visit(self, url: str, *, hops: int, related_depth: int = 0, listing_page: int = 0,
              updated: datetime | None = None, entry: bool = False,
              listing: str | None = None, **meta: Any) -> Iterator[Request]:
        """A Request for a page that may be an article, unless filtered out or found before
        undated. ``listing``: the feed or sitemap that listed it, dated ``updated``."""
        accepted = self.links.normalise(url)
        if accepted is None:
            if entry:  # a feed or sitemap entry we cannot crawl: javascript:, off-site ...
                self.crawler.stats.inc_value("aggregator/discovery/rejected_entries")
                logger.debug("%s: entry of %s not crawlable: %r", self.source_name, listing, url)
            return
        repeat = accepted in self.links.seen
        if repeat and updated is None:
            return
        self.links.seen.add(accepted)
        yield Request(accepted, self.parse_page, errback=self.on_error, meta={
            "hops": hops, "related_depth": related_depth, "listing_page": listing_page, **meta,
            FOUND: Found(Found.PAGE, listing, updated, entry, repeat)})

    def visit_sitemap(self, url: str, updated: datetime | None = None,
                      listing: str | None = None, **meta: Any) -> Iterator[Request]:
        """A Request for a sitemap, listed by the sitemap index ``listing`` dated ``updated``."""
        if url in self.sitemaps_seen:
            return
        self.sitemaps_seen.add(url)
        yield Request(url, self.parse_sitemap, errback=self.on_error, priority=20,
                      meta={**meta, FOUND: Found(Found.SITEMAP, listing, updated)},
                      dont_filter=True)

    def parse_robots(self, response: Response) -> Iterator[Request]:
        if response.status == 404:
            return
        urls = discovery.robots_sitemaps(response.body, response.url)
        self.crawler.stats.inc_value("aggregator/discovery/robots_sitemaps", len(urls))
        yield from self.remember_and_follow(response, SITEMAP, discovery.ROBOTS,
                                            [discovery.Entry(url) for url in urls])

    def parse_feed(self, response: Response) -> Iterator[Request]:
        entries = discovery.feed_entries(response.body, response.url)
        self.crawler.stats.inc_value("aggregator/discovery/feed_entries", len(entries))
        if not entries and not discovery.looks_like_feed(response.body):
            self.record_error(response.url, "not_a_feed", "the response is not an RSS/Atom feed")
            return
        yield from self.remember_and_follow(response, FEED, "", entries)

    async def parse_sitemap(self, response: Response) -> AsyncIterator[Request]:
        """One at a time: each holds its 10,000s of entries while their requests are made."""
        async with self.sitemap_turn:
            try:
                kind, entries = discovery.read_sitemap(response.body, response.meta.get(
                    "download_maxsize", self.crawler.settings.getint("DOWNLOAD_MAXSIZE")))
            except discovery.Unreadable as exc:
                self.record_error(response.url, exc.kind, str(exc))
                return
            self.crawler.stats.inc_value("aggregator/discovery/sitemap_entries", len(entries))
            for request in self.remember_and_follow(response, SITEMAP, kind, entries):
                yield request

    def remember_and_follow(self, response: Response, kind: str, sitemap_kind: str,
                            entries: list[discovery.Entry]) -> Iterator[Request]:
        """Follow a feed's or sitemap's entries, stored for the next runs' replay as the
        first request goes out (aggregator.incremental), then dropped."""
        response.meta[LED_TO] = (kind, {"kind": sitemap_kind, "entries": [
            [e.url, e.updated.isoformat() if e.updated else None] for e in entries]})
        yield from self.follow_entries(entries, sitemap_kind,
                                       response.meta.get("state_url") or response.url)

    def follow_entries(self, entries: list[discovery.Entry], sitemap_kind: str = "",
                       listing: str | None = None) -> Iterator[Request]:
        for entry in entries:
            if discovery.too_old(entry.updated, self.source_config.max_age_days):
                continue
            if discovery.lists_sitemaps(sitemap_kind):
                yield from self.visit_sitemap(entry.url, entry.updated, listing)
            else:
                yield from self.visit(entry.url, hops=1, updated=entry.updated, entry=True,
                                      listing=listing)

    async def parse_page(self, response: Response) -> AsyncIterator[Any]:
        if not isinstance(response, TextResponse):
            self.crawler.stats.inc_value("aggregator/pages/not_text")
            return
        if isinstance(response, XmlResponse) or discovery.looks_like_feed(response.body):
            self.crawler.stats.inc_value("aggregator/pages/feed")  # a feed linked from a page
            for request in self.parse_feed(response):
                yield request
            return
        result = await self.pages.read(response, self.parse_page, self.on_error)
        if isinstance(result, Request):  # rendered first
            yield result
        elif isinstance(result, Article):  # its URL state: once the pipelines are done
            yield result
            for request in self.follow_related([link.url for link in result.related],
                                               response.meta.get("related_depth", 0)):
                yield request
        else:
            links, next_links = discovery.outlinks(response.body, response.url)
            links, next_links = self.links.keepable(links), self.links.keepable(next_links)
            response.meta[LED_TO] = (PAGE, {"links": links, "next": next_links})
            for request in self.follow_index(links, next_links, response.meta):
                yield request

    def follow_related(self, urls: list[str], depth: int) -> Iterator[Request]:
        if depth < self.source_config.follow_related:
            for url in urls:
                yield from self.visit(url, hops=INDEX_HOPS, related_depth=depth + 1)

    def follow_index(self, links: list[str], next_links: list[str],
                     meta: dict[str, Any]) -> Iterator[Request]:
        visits, capped = discovery.index_visits(
            links, next_links, hops=meta.get("hops", 0), listing_page=meta.get("listing_page", 0),
            max_pages=self.source_config.max_section_pages, max_hops=INDEX_HOPS)
        if capped:
            self.crawler.stats.inc_value("aggregator/discovery/section_pages_capped")
        for url, hops, listing_page in visits:
            yield from self.visit(url, hops=hops, listing_page=listing_page)
