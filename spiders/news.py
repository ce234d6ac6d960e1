"""The one spider: crawls one source of the sources config.

It only orchestrates: discovery finds URLs (feeds, sitemaps, section pages,
suggested links), extraction turns a page into an article, pipelines do the rest.

    scrapy crawl news -a source=bytewire [-a config=sources.toml]
"""

from __future__ import annotations

import logging
import struct
from collections.abc import AsyncIterator, Iterator
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo
from typing import Any
from urllib.parse import urljoin

from scrapy import Request, Spider
from scrapy.crawler import Crawler
from scrapy.http import Response, TextResponse, XmlResponse
from twisted.python.failure import Failure

from aggregator import discovery
from aggregator.config import ConfigError, Source, load_config
from aggregator.crawlerrors import crawl_error, request_failed
from aggregator.extraction import SiteRules
from aggregator.incremental import REVALIDATE, SKIP, CrawlState
from aggregator.rendering import Renderer
from aggregator.template import TemplateLearning
from aggregator.items import Article
from aggregator.state import FEED, PAGE, SITEMAP, UrlState
from aggregator.crawlsettings import apply_config
from aggregator.workers import Extractor

logger = logging.getLogger(__name__)

#: index pages reached from a start page are followed this many hops deep
INDEX_HOPS = 2
#: the "sitemap kind" stored for a robots.txt: its entries are sitemaps
ROBOTS = "robots"


class NewsSpider(Spider):
    name = "news"

    source_config: Source
    rules: SiteRules | None
    config_path: str | None

    def __init__(self, source: str | None = None, config: str | None = None,
                 **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.source_name = source
        self.config_path = config

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> "NewsSpider":
        spider = super().from_crawler(crawler, *args, **kwargs)
        spider.configure(crawler)
        return spider

    def configure(self, crawler: Crawler) -> None:
        """The source from the config the crawl runs with (``AGGREGATOR_LOADED_CONFIG``, set
        by ``aggregator crawl``; else the file of ``-a config=`` or ``AGGREGATOR_CONFIG``),
        and the source's own Scrapy settings applied to this crawler -- the same whoever
        started it. The loaded config is left in the settings for the other components."""
        if not self.source_name:
            raise ConfigError("the news spider needs a source: scrapy crawl news -a source=NAME")
        settings = crawler.settings
        config = settings.get("AGGREGATOR_LOADED_CONFIG")
        if config is None or self.config_path:
            config = load_config(self.config_path or settings.get("AGGREGATOR_CONFIG") or None)
            apply_config(settings, config)
        src = config.source(self.source_name)
        # the source's own settings, at the priority Scrapy gives a spider's custom_settings
        settings.setdict(dict(src.settings), priority="spider")
        if src.max_pages:
            settings.set("CLOSESPIDER_PAGECOUNT", src.max_pages, priority="spider")
        # a rendering source's download handler, tuned by its AGGREGATOR_RENDER_* settings
        self.renderer = Renderer.from_crawler(crawler, src)
        self.source_config = src
        self.allowed_domains = list(src.allowed_domains)
        where = f"source {src.name!r}: key 'rules'"
        self.rules = SiteRules.from_mapping(src.rules, where) if src.rules else None
        self.links = discovery.LinkFilter(
            src.allowed_domains, crawler.settings.getlist("AGGREGATOR_TRACKING_PARAMS"))
        self.tz = ZoneInfo(src.timezone)
        self.state = CrawlState.from_crawler(crawler, src.name, refresh_hours=src.refresh_hours,
                                             tz=self.tz)
        self.sitemaps_seen: set[str] = set()
        # extract() here or in worker processes (AGGREGATOR_EXTRACT_WORKERS)
        self.extractor = Extractor.from_crawler(crawler)
        self.template = TemplateLearning.from_crawler(crawler, src.name)
        #: known URLs not requested this run (unchanged by date, or not recent)
        self.skipped: set[str] = self.state.skipped

    # --- start ---------------------------------------------------------------
    async def start(self) -> AsyncIterator[Any]:
        src = self.source_config
        for url in [*src.feeds, *src.sitemaps]:
            self.links.mark_seen(url)
        for url in src.feeds:
            state = self.state.lookup(url)
            yield Request(url, self.parse_feed, errback=self.on_error, priority=20,
                          meta={"start": True, **self._state_meta(url, state)}, dont_filter=True,
                          headers=self.state.conditional_headers(state))
        for url in src.sitemaps:
            for request in self.visit_sitemap(url):
                request.meta["start"] = True
                yield request
        if not src.sitemaps and src.sitemaps_from_robots:
            yield self.robots_request(urljoin(src.home, "/robots.txt"))
        for url in [*src.sections, src.home]:
            for request in self.visit(url, hops=0, listing_page=1):
                request.meta["start"] = True
                yield request

    @staticmethod
    def _state_meta(url: str, state: UrlState | None) -> dict[str, Any]:
        # a 304 must reach the callback, which replays what the URL led to last time
        return {"state_url": url, "state": state, "handle_httpstatus_list": [304]}

    def visit(self, url: str, *, hops: int, related_depth: int = 0, listing_page: int = 0,
              updated: datetime | None = None, entry: bool = False,
              listing: str | None = None) -> Iterator[Request]:
        """A Request for a page that may be an article, unless it is filtered out or known
        unchanged (then the requests of the links it led to last time, if any).
        ``listing``: the feed or sitemap that listed it, dated ``updated``."""
        accepted = self.links.normalise(url)
        if accepted is None:
            if entry:  # a feed or sitemap entry we cannot crawl: javascript:, off-site ...
                self.crawler.stats.inc_value("aggregator/discovery/rejected_entries")
                logger.debug("%s: entry of %s not crawlable: %r", self.source_config.name,
                             listing, url)
            return
        meta: dict[str, Any] = {"hops": hops, "related_depth": related_depth,
                                "listing_page": listing_page}
        if accepted not in self.links.seen and self.state.backing_off(accepted):
            self.links.seen.add(accepted)  # failed lately: not asked again this run
            return
        if accepted in self.links.seen:
            # found undated first (a section page) and skipped; a feed or sitemap date
            # found later may say it changed
            if updated is None:
                return
            if accepted not in self.skipped:
                # fetched or in flight: this date is stored with its state
                self.state.note_listed(accepted, None, listing, updated)
                return
            state = self.state.lookup(accepted)
            relisted = self.state.note_listed(accepted, state, listing, updated)
            if not relisted and not self.state.changed_since_seen(state, updated):
                return
            self.state.unskip(accepted)
            decision = REVALIDATE
        else:
            self.links.seen.add(accepted)
            state = self.state.lookup(accepted)
            relisted = self.state.note_listed(accepted, state, listing, updated)
            decision = self.state.decide(state, updated, relisted=relisted)
            # counted when its page arrives: an entry that fails every run (a 404 in the
            # feed) stays unknown, and is no sign of a redesign
            meta["new_entry"] = entry and state is None
        if decision == SKIP and state is not None:
            self.state.mark_skipped(accepted, state)
            yield from self.replay(state, meta)
            return
        listed = self.state.carried(accepted)
        if listed:  # for the process that fetches it (aggregator.frontier)
            meta["listed"] = listed
        yield Request(accepted, self.parse_page, errback=self.on_error,
                      meta={**meta, **self._state_meta(accepted, state)},
                      headers=self.state.conditional_headers(state) if decision == REVALIDATE
                      else None)

    def visit_sitemap(self, url: str, updated: datetime | None = None,
                      listing: str | None = None) -> Iterator[Request]:
        """A Request for a sitemap, or its stored entries' requests when its ``lastmod``
        (from the sitemap index ``listing``) says it has not changed since it was fetched:
        before our last fetch, and the same as the index gave last time."""
        if url in self.sitemaps_seen:
            return
        self.sitemaps_seen.add(url)
        state = self.state.lookup(url)
        relisted = self.state.note_listed(url, state, listing, updated)
        if (state is not None and updated is not None and state.last_seen is not None
                and self.state.enabled and not relisted
                and self._aware(updated) < state.last_seen):
            self.crawler.stats.inc_value("aggregator/incremental/skipped_sitemaps")
            self.state.mark_skipped(url, state)
            yield from self.replay(state, {})
            return
        yield Request(url, self.parse_sitemap, errback=self.on_error, priority=20,
                      meta=self._state_meta(url, state), dont_filter=True,
                      headers=self.state.conditional_headers(state))

    def robots_request(self, url: str) -> Request:
        """robots.txt, read for its ``Sitemap:`` lines (a source that lists no sitemaps).
        Scrapy's RobotsTxtMiddleware fetches it too, but keeps what it read to itself."""
        state = self.state.lookup(url)
        meta = {"start": True, **self._state_meta(url, state)}
        meta["handle_httpstatus_list"] = [304, 404]  # no robots.txt: no sitemaps, no error
        return Request(url, self.parse_robots, errback=self.on_error, priority=20, meta=meta,
                       dont_filter=True, headers=self.state.conditional_headers(state))

    def parse_robots(self, response: Response) -> Iterator[Request]:
        state = response.meta.get("state")
        if self.state.unchanged(response, state):
            yield from self.replay(state, response.meta)
            return
        if response.status == 404:
            return
        urls = discovery.robots_sitemaps(response.body, response.url)
        self.crawler.stats.inc_value("aggregator/discovery/robots_sitemaps", len(urls))
        entries = [discovery.Entry(url) for url in urls]
        self.remember_entries(response, SITEMAP, ROBOTS, entries)
        yield from self.follow_entries(entries, ROBOTS, self._state_url(response))

    def _aware(self, when: datetime) -> datetime:
        return when if when.tzinfo is not None else when.replace(tzinfo=self.tz)

    def replay(self, state: UrlState | None, meta: dict[str, Any]) -> Iterator[Request]:
        """Follow the links an unchanged URL led to when it was last fetched."""
        if state is None:
            return
        links = state.links
        if state.kind in (FEED, SITEMAP):
            entries = [discovery.Entry(u, datetime.fromisoformat(d) if d else None)
                       for u, d in links.get("entries", [])]
            yield from self.follow_entries(entries, links.get("kind", ""), state.url)
        elif state.kind == PAGE:
            yield from self.follow_index(links.get("links", []), links.get("next", []), meta)
        elif state.is_leaf:
            yield from self.follow_related(links, meta.get("related_depth", 0))

    # --- discovery -----------------------------------------------------------
    def _too_old(self, when: datetime | None) -> bool:
        days = self.source_config.max_age_days
        if not days or when is None:
            return False
        if when.tzinfo is None:
            when = when.replace(tzinfo=timezone.utc)
        return when < datetime.now(timezone.utc) - timedelta(days=days)

    def parse_feed(self, response: Response) -> Iterator[Request]:
        state = response.meta.get("state")
        if self.state.unchanged(response, state):
            yield from self.replay(state, response.meta)
            return
        entries = discovery.feed_entries(response.body, response.url)
        self.crawler.stats.inc_value("aggregator/discovery/feed_entries", len(entries))
        if not entries and not discovery.looks_like_feed(response.body):
            self.record_error(response.url, "not_a_feed", "the response is not an RSS/Atom feed")
            return
        self.remember_entries(response, FEED, "", entries)
        yield from self.follow_entries(entries, "", self._state_url(response))

    def parse_sitemap(self, response: Response) -> Iterator[Request]:
        state = response.meta.get("state")
        if self.state.unchanged(response, state):
            yield from self.replay(state, response.meta)
            return
        max_size = response.meta.get("download_maxsize",
                                     self.crawler.settings.getint("DOWNLOAD_MAXSIZE"))
        try:
            body = discovery.sitemap_body(response.body, max_size)
        except ValueError:  # Scrapy's "decompressed more than max_size"
            self.record_error(response.url, "sitemap_too_large",
                              f"the sitemap is larger than {max_size} bytes once decompressed")
            return
        except (OSError, EOFError, struct.error) as exc:
            self.record_error(response.url, "bad_gzip", f"the gzipped sitemap is corrupt: {exc}")
            return
        kind, entries = discovery.sitemap_entries(body)
        self.crawler.stats.inc_value("aggregator/discovery/sitemap_entries", len(entries))
        if not kind:
            self.record_error(response.url, "not_a_sitemap", "the response is not a sitemap")
            return
        self.remember_entries(response, SITEMAP, kind, entries)
        yield from self.follow_entries(entries, kind, self._state_url(response))

    def remember_entries(self, response: Response, kind: str, sitemap_kind: str,
                         entries: list[discovery.Entry]) -> None:
        stored = [[e.url, e.updated.isoformat() if e.updated else None] for e in entries]
        self.state.record(self._state_url(response), response, kind,
                          {"kind": sitemap_kind, "entries": stored},
                          previous=response.meta.get("state"))

    @staticmethod
    def _state_url(response: Response) -> str:
        return response.meta.get("state_url") or response.url

    def follow_entries(self, entries: list[discovery.Entry], sitemap_kind: str = "",
                       listing: str | None = None) -> Iterator[Request]:
        for entry in entries:
            if self._too_old(entry.updated):
                continue
            if sitemap_kind in ("sitemapindex", ROBOTS):
                yield from self.visit_sitemap(entry.url, entry.updated, listing)
            else:
                yield from self.visit(entry.url, hops=1, updated=entry.updated, entry=True,
                                      listing=listing)

    # --- pages ---------------------------------------------------------------
    async def parse_page(self, response: Response) -> AsyncIterator[Any]:
        stats = self.crawler.stats
        state = response.meta.get("state")
        if self.state.unchanged(response, state):
            stats.inc_value("aggregator/pages/unchanged")
            for request in self.replay(state, response.meta):
                yield request
            return
        if response.status == 304:  # not asked for: nothing to read
            self.record_error(response.url, "http_304", "HTTP 304 to a request without validators")
            return
        if response.meta.get("new_entry") and not self.renderer.attempted(response):
            stats.inc_value("aggregator/incremental/new_entries")
        if not isinstance(response, TextResponse):
            stats.inc_value("aggregator/pages/not_text")
            return
        if isinstance(response, XmlResponse) or discovery.looks_like_feed(response.body):
            # a feed linked from a page: discovery, not an article
            stats.inc_value("aggregator/pages/feed")
            for request in self.parse_feed(response):
                yield request
            return
        # fetched plain (conditionally) first: an unchanged page was never rendered again
        reason = self.renderer.reason_before(response)
        if reason is not None:
            yield self.renderer.request(response, reason, self.parse_page, self.on_error)
            return
        result = await self.extractor.extract(response.body, response.url, rules=self.rules,
                                              encoding=response.encoding,
                                              template=self.template.current)
        reason = self.renderer.reason_after(response, result)
        if reason is not None:
            yield self.renderer.request(response, reason, self.parse_page, self.on_error)
            return
        if isinstance(result, Article):
            self.template.observe(result)
            stats.inc_value("aggregator/pages/article")
            result.source = self.source_config.name
            result.fetched_at = datetime.now(timezone.utc)
            # its URL state is written by CrawlState once the pipelines are done with it
            yield result
            for request in self.follow_related([link.url for link in result.related],
                                               response.meta.get("related_depth", 0)):
                yield request
            return
        stats.inc_value(f"aggregator/pages/{result.kind}")
        logger.debug("Not an article (%s): %s %s", result.kind, response.url, result.reason)
        links, next_links = discovery.outlinks(response.body, response.url)
        links, next_links = self._keepable(links), self._keepable(next_links)
        self.state.record(response.meta.get("state_url") or response.url, response, PAGE,
                          {"links": links, "next": next_links}, previous=state)
        for request in self.follow_index(links, next_links, response.meta):
            yield request

    def _keepable(self, urls: list[str]) -> list[str]:
        """The crawlable ones, canonical, each once, in page order."""
        out = dict.fromkeys(u for u in map(self.links.normalise, urls) if u is not None)
        return list(out)

    def follow_related(self, urls: list[str], depth: int) -> Iterator[Request]:
        if depth >= self.source_config.follow_related:
            return
        for url in urls:
            yield from self.visit(url, hops=INDEX_HOPS, related_depth=depth + 1)

    def follow_index(self, links: list[str], next_links: list[str],
                     meta: dict[str, Any]) -> Iterator[Request]:
        hops = meta.get("hops", 0)
        listing_page = meta.get("listing_page", 0)
        if listing_page and next_links:
            if listing_page < self.source_config.max_section_pages:
                for url in next_links:
                    yield from self.visit(url, hops=hops, listing_page=listing_page + 1)
            else:
                self.crawler.stats.inc_value("aggregator/discovery/section_pages_capped")
            # a section's pagination is bounded by max_section_pages alone: its next link,
            # an <a> too, is not followed again as a plain link
            next_set = set(next_links)
            links = [url for url in links if url not in next_set]
        if hops >= INDEX_HOPS:
            return
        for url in links:
            yield from self.visit(url, hops=hops + 1)

    # --- errors (counted by aggregator.crawlerrors.CrawlErrors) ---------------
    def on_error(self, failure: Failure) -> None:
        self.crawler.signals.send_catch_log(request_failed, failure=failure)

    def record_error(self, url: str, kind: str, reason: str) -> None:
        self.crawler.signals.send_catch_log(crawl_error, url=url, kind=kind, reason=reason)
