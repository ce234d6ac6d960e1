"""RSSHub-style query parameters on served feeds (``?limit=``, ``?filter=``,
``?filterout=``, ``?format=``): computed from the real store by a real ``aggregator serve``,
read back with feedparser, cached with ETags, every parameter checked and bounded."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import feedparser
import pytest

from tests.serve.conftest import (Served, Site, build_site, fill_store, make_article,
                                  start_serve, stop_serve)


@pytest.fixture(scope="module")
def querying(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Site, Served]]:
    site = build_site(tmp_path_factory.mktemp("query"))
    server = start_serve(site.feeds, "--config", str(site.root / "sources.toml"),
                         "--data-dir", str(site.db.parent), cwd=site.root)
    yield site, server
    stop_serve(server)


def _titles(body: bytes) -> list[str]:
    parsed = feedparser.parse(body)
    assert not parsed.bozo, parsed.get("bozo_exception")
    return [e.title for e in parsed.entries]


def test_limit_filter_and_filterout(querying: tuple[Site, Served]) -> None:
    _, served = querying
    resp, body = served.request("GET", "/alpha.rss?limit=3")
    assert resp.status == 200
    assert resp.getheader("Content-Type") == "application/rss+xml; charset=utf-8"
    assert _titles(body) == [f"Alpha story number {n}" for n in (7, 6, 5)]
    # terms are plain text, case-insensitive, '|' between them
    resp, body = served.request("GET", "/all.atom?filter=" + quote("NUMBER 3|number 5"))
    assert sorted(_titles(body)) == ["Alpha story number 3", "Alpha story number 5",
                                     "Beta story number 3", "Beta story number 5"]
    # authors and tags are searched too; filterout drops
    resp, body = served.request("GET", "/all.rss?filter=" + quote("writer 2"))
    assert sorted(_titles(body)) == ["Alpha story number 2", "Beta story number 2"]
    resp, body = served.request("GET", "/all.rss?filter=tech&filterout=alpha|script&limit=4")
    assert _titles(body) == [f"Beta story number {n}" for n in (5, 4, 3, 2)]
    # the static file, asked without a query, is unchanged: all 13 entries
    resp, body = served.request("GET", "/all.rss")
    assert len(_titles(body)) == 13


def test_format_overrides_the_extension(querying: tuple[Site, Served]) -> None:
    _, served = querying
    resp, body = served.request("GET", "/alpha.rss?format=json&limit=2")
    assert resp.status == 200
    assert resp.getheader("Content-Type") == "application/feed+json; charset=utf-8"
    feed = json.loads(body)
    assert feed["version"] == "https://jsonfeed.org/version/1.1"
    assert [i["title"] for i in feed["items"]] == ["Alpha story number 7", "Alpha story number 6"]
    resp, body = served.request("GET", "/beta.json?format=atom&limit=1")
    assert resp.getheader("Content-Type") == "application/atom+xml; charset=utf-8"
    assert feedparser.parse(body).version == "atom10"


def test_etag_and_304_until_the_store_changes(querying: tuple[Site, Served]) -> None:
    site, served = querying
    path = "/alpha.atom?limit=2"
    resp, body = served.request("GET", path)
    etag = resp.getheader("ETag")
    static, _ = served.request("GET", "/alpha.atom")
    assert etag and etag != static.getheader("ETag")
    again, rest = served.request("GET", path, {"If-None-Match": etag})
    assert again.status == 304 and rest == b""
    # a new article in the store: a new answer and a new tag
    fill_store(site.db, [make_article("alpha", 9)])
    resp, body = served.request("GET", path, {"If-None-Match": etag})
    assert resp.status == 200 and resp.getheader("ETag") != etag
    assert _titles(body)[0] == "Alpha story number 9"


@pytest.mark.parametrize("query, message", [
    ("limit=0", "limit: expected a whole number from 1 to 500, got '0'"),
    ("limit=501", "limit: expected a whole number from 1 to 500"),
    ("limit=-1", "limit: expected a whole number from 1 to 500, got '-1'"),
    ("limit=ten", "limit: expected a whole number"),
    ("limit=1&limit=2", "limit: given twice"),
    ("sort=desc", "sort: unknown parameter (known: limit, filter, filterout, format)"),
    ("format=xml", "format: expected one of rss, atom, json, got 'xml'"),
    ("filter=" + "a" * 201, "filter: at most 200 characters, got 201"),
    ("filter=" + quote("|".join(f"t{n}" for n in range(21))), "filter: at most 20 terms"),
    ("filterout=" + quote("| |"), "filterout: expected terms separated by '|'"),
    ("a=1&b=2&c=3&d=4&e=5", "at most 4 parameters"),
])
def test_bad_parameters_are_refused_by_name(querying: tuple[Site, Served], query: str,
                                           message: str) -> None:
    _, served = querying
    resp, body = served.request("GET", "/all.rss?" + query)
    assert resp.status == 400
    assert message in body.decode()


def test_unknown_feed_and_missing_store(querying: tuple[Site, Served], tmp_path: Path) -> None:
    _, served = querying
    resp, _ = served.request("GET", "/nosuch.rss?limit=1")
    assert resp.status == 404
    site = build_site(tmp_path)
    server = start_serve(site.feeds, "--config", str(site.root / "sources.toml"),
                         "--data-dir", str(tmp_path / "elsewhere"), cwd=site.root)
    try:
        resp, body = server.request("GET", "/all.rss?limit=1")
        assert resp.status == 503 and b"no store in" in body
        resp, _ = server.request("GET", "/all.rss")  # the static file is still served
        assert resp.status == 200
    finally:
        stop_serve(server)


def test_queries_read_a_postgresql_store(tmp_path: Path, postgres_url: str) -> None:
    """`aggregator serve --store postgresql://...` (a store shared with crawlers on other
    machines) computes query feeds from it, and a new article there is a new answer."""
    from aggregator.store import open_store

    site = build_site(tmp_path)
    store = open_store(tmp_path, url=postgres_url)
    try:
        for article in site.articles:
            store.save_article(article)
    finally:
        store.close()
    server = start_serve(site.feeds, "--config", str(site.root / "sources.toml"),
                         "--data-dir", str(tmp_path / "nowhere"), "--store", postgres_url,
                         cwd=site.root)
    try:
        resp, body = server.request("GET", "/alpha.atom?limit=2")
        assert resp.status == 200, body
        assert _titles(body) == ["Alpha story number 7", "Alpha story number 6"]
        etag = resp.getheader("ETag")
        again, _ = server.request("GET", "/alpha.atom?limit=2", {"If-None-Match": etag})
        assert again.status == 304
        store = open_store(tmp_path, url=postgres_url)
        try:
            store.save_article(make_article("alpha", 9))
        finally:
            store.close()
        resp, body = server.request("GET", "/alpha.atom?limit=2", {"If-None-Match": etag})
        assert resp.status == 200 and _titles(body)[0] == "Alpha story number 9"
    finally:
        stop_serve(server)


def test_without_config_queries_use_the_config_of_the_last_crawl(tmp_path: Path) -> None:
    """`aggregator serve` without --config computes query feeds for the config the store's
    last crawl ran with (as `aggregator feeds` does), not the bundled real sources."""
    from aggregator.store import open_store

    site = build_site(tmp_path)
    store = open_store(site.db.parent)
    try:
        run = store.start_run("alpha")
        store.finish_run(run, {"aggregator/config": str(site.root / "sources.toml")}, ok=True)
    finally:
        store.close()
    server = start_serve(site.feeds, "--data-dir", str(site.db.parent), cwd=site.root)
    try:
        resp, body = server.request("GET", "/alpha.rss?limit=1")
        assert resp.status == 200, body
        assert _titles(body) == ["Alpha story number 7"]
    finally:
        stop_serve(server)
