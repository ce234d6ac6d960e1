"""The one spider: crawls one source of the sources config.

It only orchestrates: discovery finds URLs (feeds, sitemaps, section pages,
suggested links), extraction turns a page into an article, pipelines do the rest.

    scrapy crawl news -a source=bytewire
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Iterator
from datetime import datetime, timedelta, timezone
from typing import Any

from scrapy import Request, Spider
from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response, TextResponse, XmlResponse
from twisted.python.failure import Failure

from aggregator import discovery
from aggregator.config import ConfigError, Source, load_config
from aggregator.extraction import SiteRules, extract
from aggregator.items import Article

logger = logging.getLogger(__name__)

#: index pages reached from a start page are followed this many hops deep
INDEX_HOPS = 2


class NewsSpider(Spider):
    name = "news"

    source_config: Source
    rules: SiteRules | None

    def __init__(self, source: str | None = None, source_config: Source | None = None,
                 **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.source_name = source or (source_config.name if source_config else None)
        self._given_config = source_config
        self.errors: list[tuple[str, str]] = []

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> "NewsSpider":
        spider = super().from_crawler(crawler, *args, **kwargs)
        spider.configure(crawler)
        return spider

    def configure(self, crawler: Crawler) -> None:
        if self._given_config is not None:
            src = self._given_config
        else:
            if not self.source_name:
                raise ConfigError("the news spider needs a source: scrapy crawl news -a source=NAME")
            src = load_config(crawler.settings.get("AGGREGATOR_CONFIG", "") or None).source(
                self.source_name)
        self.source_config = src
        self.allowed_domains = list(src.allowed_domains)
        where = f"source {src.name!r}: key 'rules'"
        self.rules = SiteRules.from_mapping(src.rules, where) if src.rules else None
        self.links = discovery.LinkFilter(
            src.allowed_domains, crawler.settings.getlist("AGGREGATOR_TRACKING_PARAMS"))

    # --- start ---------------------------------------------------------------
    async def start(self) -> AsyncIterator[Any]:
        src = self.source_config
        for url in [*src.feeds, *src.sitemaps]:
            self.links.mark_seen(url)
        for url in src.feeds:
            yield Request(url, self.parse_feed, errback=self.on_error, priority=20,
                          meta={"start": True}, dont_filter=True)
        for url in src.sitemaps:
            yield Request(url, self.parse_sitemap, errback=self.on_error, priority=20,
                          meta={"start": True}, dont_filter=True)
        for url in [*src.sections, src.home]:
            request = self.page_request(url, hops=0, listing_page=1)
            if request is not None:
                request.meta["start"] = True
                yield request

    def page_request(self, url: str, *, hops: int, related_depth: int = 0,
                     listing_page: int = 0) -> Request | None:
        """A Request for a page that may be an article, or None if it is filtered out."""
        accepted = self.links.accept(url)
        if accepted is None:
            return None
        return Request(accepted, self.parse_page, errback=self.on_error,
                       meta={"hops": hops, "related_depth": related_depth,
                             "listing_page": listing_page})

    # --- discovery -----------------------------------------------------------
    def _too_old(self, when: datetime | None) -> bool:
        days = self.source_config.max_age_days
        if not days or when is None:
            return False
        if when.tzinfo is None:
            when = when.replace(tzinfo=timezone.utc)
        return when < datetime.now(timezone.utc) - timedelta(days=days)

    def parse_feed(self, response: Response) -> Iterator[Request]:
        entries = discovery.feed_entries(response.body, response.url)
        self.crawler.stats.inc_value("aggregator/discovery/feed_entries", len(entries))
        if not entries and not discovery.looks_like_feed(response.body):
            self.record_error(response.url, "not_a_feed", "the response is not an RSS/Atom feed")
        for entry in entries:
            if not self._too_old(entry.updated):
                request = self.page_request(entry.url, hops=1)
                if request is not None:
                    yield request

    def parse_sitemap(self, response: Response) -> Iterator[Request]:
        kind, entries = discovery.sitemap_entries(response.body)
        self.crawler.stats.inc_value("aggregator/discovery/sitemap_entries", len(entries))
        if not kind:
            self.record_error(response.url, "not_a_sitemap", "the response is not a sitemap")
        for entry in entries:
            if self._too_old(entry.updated):
                continue
            if kind == "sitemapindex":
                yield Request(entry.url, self.parse_sitemap, errback=self.on_error, priority=10)
            else:
                request = self.page_request(entry.url, hops=1)
                if request is not None:
                    yield request

    # --- pages ---------------------------------------------------------------
    def parse_page(self, response: Response) -> Iterator[Any]:
        stats = self.crawler.stats
        if not isinstance(response, TextResponse):
            stats.inc_value("aggregator/pages/not_text")
            return
        if isinstance(response, XmlResponse) or discovery.looks_like_feed(response.body):
            # a feed linked from a page: discovery, not an article
            stats.inc_value("aggregator/pages/feed")
            yield from self.parse_feed(response)
            return
        result = extract(response.body, response.url, rules=self.rules,
                         encoding=response.encoding)
        if isinstance(result, Article):
            stats.inc_value("aggregator/pages/article")
            result.source = self.source_config.name
            result.fetched_at = datetime.now(timezone.utc)
            yield result
            yield from self.follow_related(result, response.meta.get("related_depth", 0))
            return
        stats.inc_value(f"aggregator/pages/{result.kind}")
        logger.debug("Not an article (%s): %s %s", result.kind, response.url, result.reason)
        yield from self.follow_index(response)

    def follow_related(self, article: Article, depth: int) -> Iterator[Request]:
        if depth >= self.source_config.follow_related:
            return
        for link in article.related:
            request = self.page_request(link.url, hops=INDEX_HOPS, related_depth=depth + 1)
            if request is not None:
                yield request

    def follow_index(self, response: Response) -> Iterator[Request]:
        hops = response.meta.get("hops", 0)
        listing_page = response.meta.get("listing_page", 0)
        if listing_page and listing_page < self.source_config.max_section_pages:
            for url in discovery.next_page_links(response.body, response.url):
                request = self.page_request(url, hops=hops, listing_page=listing_page + 1)
                if request is not None:
                    yield request
        if hops >= INDEX_HOPS:
            return
        for url in discovery.page_links(response.body, response.url):
            request = self.page_request(url, hops=hops + 1)
            if request is not None:
                yield request

    # --- errors --------------------------------------------------------------
    def on_error(self, failure: Failure) -> None:
        request = getattr(failure, "request", None)
        url = request.url if request is not None else "?"
        if failure.check(IgnoreRequest):
            # refused by robots.txt (or a middleware): politeness, not a failure
            self.crawler.stats.inc_value("aggregator/ignored_requests")
            logger.debug("Ignored: %s (%s)", url, failure.getErrorMessage())
            return
        response = getattr(failure.value, "response", None)
        if response is not None:
            kind, reason = f"http_{response.status}", f"HTTP {response.status}"
        else:
            kind = type(failure.value).__name__
            reason = f"{kind}: {failure.getErrorMessage()}"
        self.record_error(url, kind, reason)

    def record_error(self, url: str, kind: str, reason: str) -> None:
        self.crawler.stats.inc_value(f"aggregator/errors/{kind}")
        if len(self.errors) < 50:
            self.errors.append((url, reason))
        logger.warning("%s: %s: %s", self.source_config.name, url, reason)
