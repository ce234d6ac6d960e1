"""Incremental crawling in the crawl graph: a spider middleware (the shape of
zyte-spider-templates' incremental middleware).

Every request the spider makes for a URL it discovered carries how it was found
(:class:`aggregator.discovery.Found`). Before it reaches the scheduler, this middleware
decides whether it is requested at all (see :mod:`aggregator.incremental`):

* a known article not due -- its feed or sitemap date says unchanged, or it is older than
  the refresh age -- or a URL whose fetches failed lately (the back-off) is not requested;
  a sitemap its index dates before our last fetch is not either;
* a request that goes out carries the URL's stored state (meta ``state_url``, ``state``,
  304 let through to the spider), from which the downloader middleware
  (:mod:`aggregator.incremental.downloader`) sends validators and judges the answer; a 304
  to a page request without validators is a crawl error (``http_304``), never the spider's.

What a URL not requested, or answered unchanged, led to when it was last fetched -- a feed's
or sitemap's entries, a listing page's links, an article's suggested links -- is *replayed*:
the spider follows the stored links as it follows fresh ones (:class:`Replays`), and those
requests are decided in turn. What a fetched feed, sitemap or listing page led to
(response meta :data:`aggregator.discovery.LED_TO`) is stored for the next run.

It sits after Scrapy's DepthMiddleware (``SPIDER_MIDDLEWARES`` 960): the requests it
replays are counted in depth, offsite-filtered and given a Referer like the spider's own.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Iterable, Iterator
from datetime import datetime
from typing import Any, Protocol, runtime_checkable

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.http import Response

from aggregator.crawlerrors import crawl_error
from aggregator.discovery import FOUND, LED_TO, Entry, Found
from aggregator.incremental import REVALIDATE, SKIP, CrawlState
from aggregator.incremental.downloader import UNCHANGED
from aggregator.rendering import Renderer
from aggregator.state import FEED, PAGE, SITEMAP, UrlState

logger = logging.getLogger(__name__)


@runtime_checkable
class Replays(Protocol):
    """The spider's discovery, which stored links are followed with."""

    def follow_entries(self, entries: list[Entry], sitemap_kind: str = "",
                       listing: str | None = None) -> Iterator[Request]: ...

    def follow_index(self, links: list[str], next_links: list[str],
                     meta: dict[str, Any]) -> Iterator[Request]: ...

    def follow_related(self, urls: list[str], depth: int) -> Iterator[Request]: ...


class IncrementalSpiderMiddleware:
    """Skip what is not due, replay what it led to (see the module)."""

    def __init__(self, crawler: Crawler, state: CrawlState) -> None:
        self.crawler = crawler
        self.state = state

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> "IncrementalSpiderMiddleware":
        return cls(crawler, CrawlState.of(crawler))

    async def process_start(self, start: AsyncIterator[Any]) -> AsyncIterator[Any]:
        async for output in start:
            for decided in self._decide(output):
                yield decided

    def process_spider_output(self, response: Response, result: Iterable[Any],
                              spider: Any = None) -> Iterator[Any]:
        instead = self._instead_of_callback(response)
        if instead is not None:
            yield from instead
            return
        for output in result:
            self._remember(response)  # before the links are followed, as they are found
            yield from self._decide(output)
        self._remember(response)

    async def process_spider_output_async(self, response: Response,
                                          result: AsyncIterator[Any],
                                          spider: Any = None) -> AsyncIterator[Any]:
        """:meth:`process_spider_output` for an ``async def`` callback (Scrapy calls the one
        that fits: a sync callback's output stays sync, as without this middleware)."""
        instead = self._instead_of_callback(response)
        if instead is not None:
            for request in instead:
                yield request
            return
        async for output in result:
            self._remember(response)
            for decided in self._decide(output):
                yield decided
        self._remember(response)

    def _instead_of_callback(self, response: Response) -> Iterator[Any] | None:
        """What replaces the callback's output when the spider must not read the response
        (its callback is then never run), else None."""
        meta = response.meta
        if meta.get(UNCHANGED):
            # what the URL led to last time is replayed
            if _kind(meta) == Found.PAGE:
                self._inc("aggregator/pages/unchanged")
            return self._replay(meta.get("state"), meta)
        if response.status == 304 and _kind(meta) == Found.PAGE:  # not asked for: nothing to read
            self.crawler.signals.send_catch_log(crawl_error, url=response.url, kind="http_304",
                                                reason="HTTP 304 to a request without validators")
            return iter(())
        if meta.get("new_entry") and not Renderer.attempted(response):
            # counted when its page arrives: an entry that fails every run (a 404 in the
            # feed) stays unknown, and is no sign of a redesign
            self._inc("aggregator/incremental/new_entries")
        return None

    def _inc(self, key: str) -> None:
        assert self.crawler.stats is not None
        self.crawler.stats.inc_value(key)

    def _remember(self, response: Response) -> None:
        led_to = response.meta.pop(LED_TO, None)
        if led_to is not None:
            kind, links = led_to
            self.state.record(response.meta.get("state_url") or response.url, response, kind,
                              links, previous=response.meta.get("state"))

    # --- decisions ---------------------------------------------------------------------------
    def _decide(self, output: Any) -> Iterator[Any]:
        """``output`` of the spider, or what replaces it: nothing, or the replayed requests."""
        if not isinstance(output, Request) or FOUND not in output.meta \
                or "state_url" in output.meta:  # not discovered, or decided (a render request)
            yield output
            return
        found: Found = output.meta[FOUND]
        if found.kind == Found.PAGE:
            yield from self._page(output, found)
        elif found.kind == Found.SITEMAP:
            yield from self._sitemap(output, found)
        else:
            yield self._requested(output, self.state.lookup(output.url))

    def _page(self, request: Request, found: Found) -> Iterator[Any]:
        url, meta, state = request.url, request.meta, self.state
        if found.repeat:
            # found undated first (a section page); a feed or sitemap date found later may
            # say it changed
            if url not in state.skipped:
                # fetched or in flight: this date is stored with its state
                state.note_listed(url, None, found.listing, found.updated)
                return
            known = state.lookup(url)
            relisted = state.note_listed(url, known, found.listing, found.updated)
            if not relisted and not state.changed_since_seen(known, found.updated):
                return
            state.unskip(url)
            decision = REVALIDATE
        else:
            if state.backing_off(url):  # failed lately: not asked again this run
                return
            known = state.lookup(url)
            relisted = state.note_listed(url, known, found.listing, found.updated)
            decision = state.decide(known, found.updated, relisted=relisted)
            # counted when its page arrives (process_spider_output)
            meta["new_entry"] = found.entry and known is None
        if decision == SKIP and known is not None:
            state.mark_skipped(url, known)
            yield from self._replay(known, meta)
            return
        listed = state.hand_over(url)
        if listed:  # stored with its state once fetched, by whichever process fetches it
            meta["listed"] = listed
        yield self._requested(request, known)

    def _sitemap(self, request: Request, found: Found) -> Iterator[Any]:
        """A sitemap is not requested when its ``lastmod`` in the index that lists it says
        it has not changed since it was fetched: before our last fetch, and the same as the
        index gave last time."""
        url, state, updated = request.url, self.state, found.updated
        known = state.lookup(url)
        relisted = state.note_listed(url, known, found.listing, updated)
        if (known is not None and updated is not None and known.last_seen is not None
                and state.enabled and not relisted
                and state.aware(updated) < known.last_seen):
            self._inc("aggregator/incremental/skipped_sitemaps")
            state.mark_skipped(url, known)
            yield from self._replay(known, {})
            return
        yield self._requested(request, known)

    @staticmethod
    def _requested(request: Request, known: UrlState | None) -> Request:
        """``request`` with the URL's stored state, for the downloader middleware; a 304
        must reach the spider middleware, which replays what the URL led to."""
        request.meta.update(state_url=request.url, state=known, handle_httpstatus_list=[
            304, *request.meta.get("handle_httpstatus_list", ())])
        return request

    # --- replay --------------------------------------------------------------------------------
    def _replay(self, known: UrlState | None, meta: dict[str, Any]) -> Iterator[Any]:
        """Follow the links an unchanged or skipped URL led to when it was last fetched."""
        if known is None:
            return
        spider = self.crawler.spider
        if not isinstance(spider, Replays):
            logger.debug("%s cannot replay stored links", type(spider).__name__)
            return
        links = known.links
        followed: Iterable[Request] = ()
        if known.kind in (FEED, SITEMAP):
            entries = [Entry(u, datetime.fromisoformat(d) if d else None)
                       for u, d in links.get("entries", [])]
            followed = spider.follow_entries(entries, links.get("kind", ""), known.url)
        elif known.kind == PAGE:
            followed = spider.follow_index(links.get("links", []), links.get("next", []), meta)
        elif known.is_leaf:
            followed = spider.follow_related(links, meta.get("related_depth", 0))
        for request in followed:
            yield from self._decide(request)


def _kind(meta: dict[str, Any]) -> str | None:
    found = meta.get(FOUND)
    return found.kind if isinstance(found, Found) else None
