"""The incremental spider middleware (aggregator.incremental.spider): which discovered URLs
are requested at all, and the replay of what a URL not requested, or answered unchanged, led
to last time -- the news spider's own requests, on a generated site served on 127.0.0.1."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from scrapy import Request

from aggregator.incremental.downloader import IncrementalDownloaderMiddleware
from aggregator.incremental.spider import IncrementalSpiderMiddleware
from aggregator.state import ARTICLE, FEED, SITEMAP, UrlState
from tests.crawl.sitegen import published
from tests.helpers.crawler import aiter_of, drain
from tests.helpers.site import fetch
from tests.incremental.site import (FEED as FEED_URL, HOST, SITEMAP as SITEMAP_URL,
                                    SITEMAP_INDEX, SPEC, Crawl, article, crawl_of_site)

NOW = datetime.now(timezone.utc).replace(microsecond=0)
LONG_AGO = datetime(2020, 1, 1, tzinfo=timezone.utc)


@pytest.fixture
def crawl(tmp_path: Path) -> Iterator[Crawl]:
    yield from crawl_of_site(tmp_path)


def _middleware(crawl: Crawl) -> IncrementalSpiderMiddleware:
    return IncrementalSpiderMiddleware.from_crawler(crawl.crawler)


def _urls(outputs: list[Any]) -> list[str]:
    assert all(isinstance(o, Request) for o in outputs), outputs
    return [o.url for o in outputs]


def _stored_article(crawl: Crawl, url: str, links: list[str] | None = None) -> None:
    """``url`` stored as an article fetched just now, published long ago (not due)."""
    crawl.store.save_url_state(UrlState(url=url, source="gen", kind=ARTICLE, last_seen=NOW,
                                        published=LONG_AGO, links=links or []))


def _after(crawl: Crawl, response_url: str, outputs: Any) -> list[Any]:
    """What the middleware lets through of a callback's ``outputs`` for a page of the site."""
    response = fetch(crawl.server, Request(response_url))
    return list(_middleware(crawl).process_spider_output(response, outputs))


def test_a_first_crawl_requests_every_start_url_with_its_state(crawl: Crawl) -> None:
    spider = crawl.crawler.spider
    requests = drain(_middleware(crawl).process_start(spider.start()))
    sections = [f"{HOST}/section/{s}/" for s in SPEC.sections]
    assert _urls(requests) == [FEED_URL, SITEMAP_INDEX, *sections, f"{HOST}/"]
    for request in requests:
        assert request.meta["state_url"] == request.url and request.meta["state"] is None
        assert 304 in request.meta["handle_httpstatus_list"]  # replayed when unchanged


def test_a_known_article_not_due_is_not_requested_and_its_links_are_replayed(
        crawl: Crawl) -> None:
    elsewhere = f"{HOST}/about/"  # a suggested link found on article 3 last time
    _stored_article(crawl, article(3), links=[elsewhere])
    spider = crawl.crawler.spider
    feed = fetch(crawl.server, Request(FEED_URL, meta={"state_url": FEED_URL, "state": None}))
    requests = list(_middleware(crawl).process_spider_output(feed, spider.parse_feed(feed)))
    urls = _urls(requests)
    assert article(3) not in urls
    assert sorted(urls) == sorted([*(article(i) for i in range(6) if i != 3), elsewhere])
    replayed = requests[urls.index(elsewhere)]
    assert replayed.meta["related_depth"] == 1 and "state_url" in replayed.meta
    assert crawl.stat("aggregator/incremental/skipped_by_date") == 1
    # what the feed led to is stored for the next run's replay, as the feed gave it
    stored = crawl.store.url_state(FEED_URL)
    assert stored is not None and stored.kind == FEED
    assert sorted(stored.links["entries"]) == sorted(
        [article(i) + "?utm_source=rss", f"{published(i):%Y-%m-%dT%H:%M:%S}+00:00"]
        for i in range(6))


def test_an_unchanged_listing_is_not_parsed_and_replays_what_it_led_to(crawl: Crawl) -> None:
    first = fetch(crawl.server, Request(FEED_URL))
    crawl.store.save_url_state(UrlState(
        url=FEED_URL, source="gen", kind=FEED, etag=first.headers[b"ETag"].decode(),
        last_seen=NOW, links={"kind": "", "entries": [[article(1), None],
                                                      [article(2), "2024-03-01T09:00:00+00:00"]]}))
    spider = crawl.crawler.spider
    start = drain(_middleware(crawl).process_start(spider.start()))
    request = next(r for r in start if r.url == FEED_URL)
    downloader = IncrementalDownloaderMiddleware.from_crawler(crawl.crawler)
    downloader.process_request(request)
    response = downloader.process_response(request, fetch(crawl.server, request, tied=False))
    assert response.status == 304
    response.request = request  # as the engine ties it

    def never_run() -> Iterator[Any]:
        raise AssertionError("the spider parsed an unchanged feed")
        yield  # a generator, as a callback's output is

    requests = list(_middleware(crawl).process_spider_output(response, never_run()))
    assert _urls(requests) == [article(1), article(2)]
    # the same through the async variant Scrapy uses for an async def callback
    spider.links.seen.clear()  # (found anew)
    requests = drain(_middleware(crawl).process_spider_output_async(
        response, aiter_of(never_run())))
    assert _urls(requests) == [article(1), article(2)]
    assert crawl.stat("aggregator/incremental/not_modified") == 1


def test_a_url_that_failed_lately_is_not_asked_again(crawl: Crawl) -> None:
    crawl.store.note_failure(article(2), "gen", "http_500")
    spider = crawl.crawler.spider
    assert _after(crawl, f"{HOST}/", spider.visit(article(2), hops=1)) == []
    assert crawl.stat("aggregator/incremental/skipped_failing") == 1


def test_a_sitemap_its_index_dates_before_our_fetch_is_replayed_not_fetched(
        crawl: Crawl) -> None:
    crawl.store.save_url_state(UrlState(
        url=SITEMAP_URL, source="gen", kind=SITEMAP, last_seen=NOW,
        links={"kind": "urlset", "entries": [[article(4), None]]}))
    spider = crawl.crawler.spider
    outputs = spider.visit_sitemap(SITEMAP_URL, NOW - timedelta(days=1), SITEMAP_INDEX)
    assert _urls(_after(crawl, SITEMAP_INDEX, outputs)) == [article(4)]
    assert crawl.stat("aggregator/incremental/skipped_sitemaps") == 1
    # dated after our fetch: fetched (once: the spider asks for a sitemap once per run)
    crawl.store.save_url_state(UrlState(url=SITEMAP_URL, source="gen", kind=SITEMAP,
                                        last_seen=NOW - timedelta(days=2)))
    spider.sitemaps_seen.clear()
    outputs = spider.visit_sitemap(SITEMAP_URL, NOW - timedelta(days=1), SITEMAP_INDEX)
    assert _urls(_after(crawl, SITEMAP_INDEX, outputs)) == [SITEMAP_URL]


def test_a_skipped_article_a_listing_dates_after_our_fetch_is_requested_conditionally(
        crawl: Crawl) -> None:
    _stored_article(crawl, article(5))
    spider = crawl.crawler.spider
    # found undated on a section page first: known, not recent, not requested
    assert _after(crawl, f"{HOST}/section/ai/", spider.visit(article(5), hops=1)) == []
    assert crawl.stat("aggregator/incremental/skipped_not_recent") == 1
    # then the feed lists it dated after our fetch: it changed, it is asked again
    outputs = spider.visit(article(5), hops=1, updated=NOW + timedelta(minutes=5), entry=True,
                           listing=FEED_URL)
    (request,) = _after(crawl, FEED_URL, outputs)
    assert request.url == article(5) and request.meta["state"].kind == ARTICLE
    assert crawl.stat("aggregator/incremental/changed_by_date") == 1


def test_a_304_to_a_page_asked_without_validators_is_a_crawl_error(crawl: Crawl) -> None:
    spider = crawl.crawler.spider
    (request,) = _after(crawl, f"{HOST}/", spider.visit(article(0), hops=1))
    assert request.meta["state"] is None  # unknown: asked without validators...
    etag = fetch(crawl.server, Request(article(0))).headers[b"ETag"]
    request.headers[b"If-None-Match"] = etag  # ...yet the site answers 304 (a broken cache)
    response = fetch(crawl.server, request)
    assert response.status == 304
    # parse_page is an async def callback: the async variant, the callback never run
    assert drain(_middleware(crawl).process_spider_output_async(
        response, spider.parse_page(response))) == []
    assert crawl.stat("aggregator/errors/http_304") == 1


def test_dates_listed_after_a_urls_work_are_written_as_they_pile_up(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A sitemap that lists URLs already fetched this run (found first on a section page)
    gives dates that can't go with their request: they are written in batches as they pile
    up, not all held to the end of the crawl; a URL not fetched keeps its old dates."""
    import aggregator.incremental as incremental

    monkeypatch.setattr(incremental, "LISTED_BATCH", 2)  # written once 20 are held
    made = crawl_of_site(tmp_path)  # the fixture's crawler, built once the batch is set
    try:
        _listed_as_they_pile_up(next(made))
    finally:
        made.close()


def _listed_as_they_pile_up(crawl: Crawl) -> None:
    import aggregator.incremental as incremental

    state = incremental.CrawlState.of(crawl.crawler)
    crawl.crawler.stats.set_value("start_time", NOW - timedelta(minutes=5))  # type: ignore[union-attr]
    listed = published(1)
    done = [article(i) for i in range(21)]
    for url in done:  # fetched this run
        crawl.store.save_url_state(UrlState(url=url, source="gen", kind=ARTICLE, last_seen=NOW))
    pending = f"{HOST}/story/in-flight/"  # fetched in an earlier run, not yet in this one
    crawl.store.save_url_state(UrlState(url=pending, source="gen", kind=ARTICLE,
                                        last_seen=LONG_AGO, listed={SITEMAP_URL: "old"}))
    state.note_listed(pending, None, SITEMAP_URL, listed)
    for url in done[:18]:
        state.note_listed(url, None, SITEMAP_URL, listed)
    assert crawl.store.url_state(done[0]).listed == {}  # type: ignore[union-attr]
    state.note_listed(done[18], None, SITEMAP_URL, listed)  # the 20th held: written
    for url in done[:19]:
        assert crawl.store.url_state(url).listed == {  # type: ignore[union-attr]
            SITEMAP_URL: listed.isoformat()}
    assert crawl.store.url_state(pending).listed == {SITEMAP_URL: "old"}  # type: ignore[union-attr]
    for url in done[19:]:
        state.note_listed(url, None, SITEMAP_URL, listed)
    assert crawl.store.url_state(done[20]).listed == {}  # type: ignore[union-attr]
    state.spider_closed()
    assert crawl.store.url_state(done[20]).listed == {  # type: ignore[union-attr]
        SITEMAP_URL: listed.isoformat()}
    assert crawl.store.url_state(pending).listed == {SITEMAP_URL: "old"}  # type: ignore[union-attr]


def test_on_the_shared_frontier_dates_handed_on_are_kept_until_the_url_is_done(
        crawl: Crawl) -> None:
    """On the shared frontier the request that carries a URL's listed dates may be dropped
    (another process queued the URL first, from a section page): the dates stay with the
    process that read the listing and are written once another process fetched the URL."""
    from aggregator.incremental import CrawlState

    state = CrawlState.of(crawl.crawler)
    state.shared = True
    crawl.crawler.stats.set_value("start_time", NOW - timedelta(minutes=5))  # type: ignore[union-attr]
    url, listed = article(2), published(2)
    state.note_listed(url, None, SITEMAP_URL, listed)
    assert state.hand_over(url) == {SITEMAP_URL: listed.isoformat()}  # the dropped request's
    # another process fetched the URL (from its own request, without the dates)
    crawl.store.save_url_state(UrlState(url=url, source="gen", kind=ARTICLE, last_seen=NOW))
    state.spider_closed()
    assert crawl.store.url_state(url).listed == {  # type: ignore[union-attr]
        SITEMAP_URL: listed.isoformat()}
