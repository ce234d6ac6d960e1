"""The incremental downloader middleware (aggregator.incremental.downloader): a known URL is
asked with its validators, a 304 or the same body again is *unchanged* -- against the answers
of a generated site served on 127.0.0.1."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from scrapy import Request

from aggregator.incremental import body_hash
from aggregator.incremental.downloader import UNCHANGED, IncrementalDownloaderMiddleware
from aggregator.state import ARTICLE, UrlState
from tests.helpers.site import fetch
from tests.incremental.site import Crawl, article, crawl_of_site

PAST = datetime(2024, 6, 1, tzinfo=timezone.utc)


@pytest.fixture
def crawl(tmp_path: Path) -> Iterator[Crawl]:
    yield from crawl_of_site(tmp_path)


def _known(crawl: Crawl, url: str, *, validators: bool = True, body: bytes | None = None
           ) -> UrlState:
    """``url`` stored as fetched at PAST, with what the site answered then."""
    first = fetch(crawl.server, Request(url))
    assert first.status == 200
    crawl.store.save_url_state(UrlState(
        url=url, source="gen", kind=ARTICLE, last_seen=PAST,
        etag=first.headers.get("ETag", b"").decode() if validators else None,
        last_modified=first.headers.get("Last-Modified", b"").decode() if validators else None,
        body_hash=body_hash(first.body if body is None else body)))
    known = crawl.store.url_state(url)
    assert known is not None
    return known


def _request(url: str, known: UrlState | None, **meta: object) -> Request:
    """A request as the incremental spider middleware lets it go."""
    return Request(url, meta={"state_url": url, "state": known,
                              "handle_httpstatus_list": [304], **meta})


def test_a_known_url_is_asked_with_its_validators_and_its_304_is_unchanged(crawl: Crawl) -> None:
    known = _known(crawl, article(3))
    mw = IncrementalDownloaderMiddleware.from_crawler(crawl.crawler)
    request = _request(article(3), known)
    assert mw.process_request(request) is None
    assert request.headers[b"If-None-Match"].decode() == known.etag
    assert request.headers[b"If-Modified-Since"].decode() == known.last_modified
    response = fetch(crawl.server, request, tied=False)
    assert response.status == 304
    assert mw.process_response(request, response) is response
    assert request.meta[UNCHANGED] is True  # the response's meta, once tied to it
    assert crawl.stat("aggregator/incremental/conditional") == 1
    assert crawl.stat("aggregator/incremental/not_modified") == 1
    assert crawl.stat("aggregator/incremental/leaf_not_modified") == 1
    # confirmed in the store: seen now
    again = crawl.store.url_state(article(3))
    assert again is not None and again.last_seen is not None
    assert again.last_seen > PAST + timedelta(days=1)


def test_a_site_that_ignores_validators_is_judged_by_the_body(crawl: Crawl) -> None:
    known = _known(crawl, article(2), validators=False)
    mw = IncrementalDownloaderMiddleware.from_crawler(crawl.crawler)
    request = _request(article(2), known)
    mw.process_request(request)
    assert b"If-None-Match" not in request.headers
    response = fetch(crawl.server, request, tied=False)
    assert response.status == 200
    mw.process_response(request, response)
    assert request.meta[UNCHANGED] is True
    assert crawl.stat("aggregator/incremental/leaf_same_body") == 1
    assert crawl.stat("aggregator/incremental/conditional") is None


def test_a_changed_page_goes_on_to_the_spider(crawl: Crawl) -> None:
    known = _known(crawl, article(1), validators=False, body=b"the page as it was")
    mw = IncrementalDownloaderMiddleware.from_crawler(crawl.crawler)
    request = _request(article(1), known)
    mw.process_request(request)
    response = fetch(crawl.server, request, tied=False)
    mw.process_response(request, response)
    assert UNCHANGED not in request.meta
    assert crawl.stat("aggregator/incremental/same_body") is None


def test_an_error_answer_is_never_unchanged(crawl: Crawl) -> None:
    """A 404 the spider never sees (HttpErrorMiddleware) is an error, whatever its body."""
    gone = article(1).replace("/story/", "/gone/")
    crawl.store.save_url_state(UrlState(url=gone, source="gen", kind=ARTICLE, last_seen=PAST,
                                        body_hash=body_hash(b"not found\n")))
    mw = IncrementalDownloaderMiddleware.from_crawler(crawl.crawler)
    request = _request(gone, crawl.store.url_state(gone))
    mw.process_request(request)
    response = fetch(crawl.server, request, tied=False)
    assert response.status == 404 and response.body == b"not found\n"
    mw.process_response(request, response)
    assert UNCHANGED not in request.meta


def test_validators_are_added_once_and_never_to_a_render_request(crawl: Crawl) -> None:
    known = _known(crawl, article(4))
    mw = IncrementalDownloaderMiddleware.from_crawler(crawl.crawler)
    request = _request(article(4), known)
    mw.process_request(request)
    retry = request.copy()  # what RetryMiddleware sends again: its headers kept
    mw.process_request(retry)
    assert retry.headers.getlist(b"If-None-Match") == [str(known.etag).encode()]
    assert crawl.stat("aggregator/incremental/conditional") == 1
    # the page was fetched (conditionally) already: the browser is served that response
    rendered = _request(article(4), known, render="always")
    mw.process_request(rendered)
    assert b"If-None-Match" not in rendered.headers
    # an unknown URL, and a request the incremental spider middleware never saw
    for plain in (_request(article(5), None), Request(article(5))):
        mw.process_request(plain)
        assert b"If-None-Match" not in plain.headers
