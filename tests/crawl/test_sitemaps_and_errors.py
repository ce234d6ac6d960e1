"""Follow-ups of incremental crawling, against generated sites on 127.0.0.1 crawled by the
real CLI: a sitemap date that changes to one still before our last fetch, gzipped and news
sitemaps found through robots.txt, and exceptions in a pipeline or a callback that must be
counted and reported without stopping the crawl."""

from __future__ import annotations

import pytest

import gzip
import json
import re
from datetime import timedelta
from pathlib import Path
from typing import Any

from tests.conftest import run_aggregator
from tests.crawl.conftest import close_site, make_site
from tests.crawl.sitegen import BASE_TIME, SiteSpec, article_path, published

#: a real crawl in a subprocess or a browser: left out of the fast subset (-m "not slow")
pytestmark = pytest.mark.slow

NEWS_NS = "http://www.google.com/schemas/sitemap-news/0.9"


def _toml(value: Any) -> str:
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{json.dumps(k)} = {_toml(v)}" for k, v in value.items()) + " }"
    return json.dumps(value)


def test_backdated_lastmod_brings_the_article_back(tmp_path: Path) -> None:
    """The site edits article 3 and dates the edit (sitemap lastmod, and the sitemap
    index's lastmod) long before our last fetch: the date changed, so it is re-fetched."""
    site = make_site(tmp_path, SiteSpec(articles=12))
    try:
        assert site.crawl().returncode == 0
        edit = BASE_TIME + timedelta(hours=100)  # after article 3 appeared, before today
        written = site.write(revisions={3: edit})
        assert sorted(written) == ["sitemap-articles.xml", "sitemap.xml",
                                   article_path(3).strip("/") + "/index.html"]
        mark = site.log_mark()
        result = site.crawl()
        assert result.returncode == 0, result.stdout + result.stderr
        stats = site.last_stats()
        requests = site.server.requests()[mark:]
        url = f"http://{site.spec.host}{article_path(3)}"
        version, body = site.query("SELECT version, body_text FROM articles"
                                   " WHERE canonical_url = ?", url)[0]
        listed = json.loads(site.query("SELECT listed FROM url_state WHERE url = ?", url)[0][0])
    finally:
        close_site(site)
    assert stats.get("aggregator/store/updated", 0) == 1
    assert stats.get("aggregator/store/new", 0) == 0
    # the index's changed lastmod and the article's: two changed listings
    assert stats["aggregator/incremental/changed_listing"] == 2
    assert version == 2 and "later revised its figures" in body
    fetched = [r["path"] for r in requests if r["path"].startswith("/story/")]
    assert fetched == [article_path(3)]
    assert listed[f"http://{site.spec.host}/sitemap-articles.xml"] == edit.isoformat()
    assert listed[f"http://{site.spec.host}/feed.xml"] == published(3).isoformat()


def _news_sitemap(host: str, ids: list[int]) -> bytes:
    urls = "".join(
        f"<url><loc>http://{host}{article_path(i)}</loc><news:news><news:publication>"
        "<news:name>Generated News</news:name><news:language>en</news:language>"
        f"</news:publication><news:publication_date>{published(i).isoformat()}"
        "</news:publication_date></news:news></url>" for i in ids)
    return (f'<?xml version="1.0" encoding="UTF-8"?><urlset xmlns="http://www.sitemaps.org/'
            f'schemas/sitemap/0.9" xmlns:news="{NEWS_NS}">{urls}</urlset>').encode()


def test_gzipped_and_news_sitemaps_found_through_robots(tmp_path: Path) -> None:
    site = make_site(tmp_path, SiteSpec(articles=16))
    spec, host = site.spec, site.spec.host
    root = site.server.root / host
    try:
        # robots.txt names three sitemaps: a gzipped news sitemap (served as XML, no
        # Content-Encoding), a gzipped sitemap index without an extension (served as
        # application/octet-stream) and a gzip bomb past the size cap
        (root / "sitemaps").mkdir()
        (root / "sitemaps" / "news.xml.gz").write_bytes(
            gzip.compress(_news_sitemap(host, [0, 1, 2])))
        (root / "sitemaps" / "archive").write_bytes(gzip.compress(
            (root / "sitemap.xml").read_bytes()))
        (root / "sitemaps" / "huge.xml.gz").write_bytes(gzip.compress(
            _news_sitemap(host, [4]).replace(b"<url>", b"<url>" + b" " * 300_000)))
        (root / "robots.txt").write_text(
            "User-agent: *\nDisallow: /private/\n"
            f"Sitemap: http://{host}/sitemaps/news.xml.gz\nSitemap: /sitemaps/archive\n"
            f"sitemap: http://{host}/sitemaps/huge.xml.gz\n")
        # no feeds, no sitemaps, no sections; no suggested links followed: the home page
        # links the 5 newest, everything else comes from the sitemaps robots.txt names
        site.config.write_text(
            f'[[sources]]\nname = "gen"\nhome = "http://{host}/"\nfollow_related = 0\n'
            "settings = " + _toml({"DOWNLOAD_DELAY": 0, "AUTOTHROTTLE_ENABLED": False,
                                   "DOWNLOAD_MAXSIZE": 200_000}) + "\n")
        result = site.crawl()
        assert result.returncode == 0, result.stdout + result.stderr
        first = site.last_stats()
        stored = {u for (u,) in site.query("SELECT canonical_url FROM articles")}
        listed = json.loads(site.query("SELECT listed FROM url_state WHERE url = ?",
                                       f"http://{host}{article_path(1)}")[0][0])
        mark = site.log_mark()
        again = site.crawl()
        assert again.returncode == 0, again.stdout + again.stderr
        second = site.last_stats()
        requests = site.server.requests()[mark:]
    finally:
        close_site(site)
    assert stored == {f"http://{host}{article_path(i)}" for i in range(spec.articles)}
    assert first["aggregator/discovery/robots_sitemaps"] == 3
    assert first["aggregator/errors/sitemap_too_large"] == 1
    assert "errors: sitemap_too_large 1" in result.stdout
    # the news sitemap's publication date is its entries' date
    assert listed[f"http://{host}/sitemaps/news.xml.gz"] == published(1).isoformat()
    # the unchanged site again: robots.txt and the sitemaps answer 304, their entries are
    # replayed, no article is fetched
    assert second.get("item_scraped_count", 0) == 0
    assert second["aggregator/incremental/not_modified"] >= 4
    assert not [r for r in requests if r["path"].startswith("/story/")]
    statuses = {r["path"]: r["status"] for r in requests if r["path"].startswith("/sitemaps/")}
    # the oversized one is an error, not a state: fetched (and reported) again
    assert statuses == {"/sitemaps/news.xml.gz": 304, "/sitemaps/archive": 304,
                        "/sitemaps/huge.xml.gz": 200}
    assert second["aggregator/errors/sitemap_too_large"] == 1


def test_pipeline_and_callback_exceptions_are_counted_and_fail_the_exit_status(
        tmp_path: Path) -> None:
    site = make_site(tmp_path, SiteSpec(articles=10))
    host = site.spec.host
    try:
        settings = {
            "DOWNLOAD_DELAY": 0, "AUTOTHROTTLE_ENABLED": False,
            # a source's components add to the project's (the store, incremental crawling)
            "ITEM_PIPELINES": {"tests.crawl.failing.RaisingPipeline": 150},
            "SPIDER_MIDDLEWARES": {"tests.crawl.failing.RaisingSpiderMiddleware": 950},
            "TEST_RAISE_ON": article_path(4), "TEST_CALLBACK_RAISE_ON": article_path(6),
        }
        text = site.config.read_text()
        text = re.sub(r"(?m)^settings = .*$", "settings = " + _toml(settings), text)
        site.config.write_text(text)
        result = site.crawl()
        stats = site.last_stats()
        stored = {u for (u,) in site.query("SELECT canonical_url FROM articles")}
        status = run_aggregator("status", "--data-dir", str(site.data_dir), cwd=tmp_path)
        # the next run fetches the lost article again: its URL state was never written
        mark = site.log_mark()
        site.crawl()
        refetched = [r["path"] for r in site.server.requests()[mark:]
                     if r["path"].startswith("/story/")]
    finally:
        close_site(site)
    # a lost article fails the run: exit status 1 although every page was fetched
    assert result.returncode == 1, result.stdout + result.stderr
    assert stats["aggregator/errors/item_error_KeyError"] == 1
    assert stats["aggregator/errors/spider_exception_ZeroDivisionError"] == 1
    assert stats["spider_exceptions/ZeroDivisionError"] == 1
    lost = {f"http://{host}{article_path(i)}" for i in (4, 6)}
    assert stored == {f"http://{host}{article_path(i)}" for i in range(10)} - lost
    line = next(x for x in result.stdout.splitlines() if x.startswith("gen "))
    assert " ok " in line, result.stdout  # the source itself was reachable
    assert ("errors: item_error_KeyError 1, spider_exception_ZeroDivisionError 1"
            in result.stdout), result.stdout
    assert "lost: 2 article(s) or page(s)" in result.stdout
    assert status.returncode == 1, status.stdout
    assert "errors: item_error_KeyError 1, spider_exception_ZeroDivisionError 1" in status.stdout
    assert "WARNING: 2 article(s) or page(s) lost to exceptions" in status.stdout
    assert sorted(refetched) == sorted([article_path(4), article_path(6)])
