"""Incremental crawling against a generated site on 127.0.0.1: a first crawl, a re-crawl
of the unchanged site (no new items, at most 10% of the bytes), then a changed site (one
new article, one updated)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timezone
from pathlib import Path

import pytest

from tests.crawl.conftest import GenSite, close_site, make_site
from tests.crawl.sitegen import SiteSpec, article_path

#: a real crawl in a subprocess or a browser: left out of the fast subset (-m "not slow")
pytestmark = pytest.mark.slow

ARTICLES = 24


@pytest.fixture(scope="module")
def rounds(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[GenSite, list[dict]]]:
    site = make_site(tmp_path_factory.mktemp("incremental"), SiteSpec(articles=ARTICLES))
    results: list[dict] = []
    try:
        for step in ("first", "unchanged", "changed"):
            if step == "changed":
                site.write(articles=ARTICLES + 1,
                           revisions={5: datetime.now(timezone.utc).replace(microsecond=0)})
            mark = site.log_mark()
            result = site.crawl()
            assert result.returncode == 0, result.stdout + result.stderr
            results.append({"result": result, "stats": site.last_stats(),
                            "requests": site.server.requests()[mark:]})
        yield site, results
    finally:
        close_site(site)


def test_first_crawl_stores_every_article(rounds: tuple) -> None:
    site, results = rounds
    stats = results[0]["stats"]
    assert stats["aggregator/store/new"] == ARTICLES
    assert stats["downloader/response_bytes"] > 50_000
    # the generated site has exactly these articles; nothing else is stored
    stored = {row[0] for row in site.query("SELECT canonical_url FROM articles")}
    assert len(stored) == ARTICLES + 1  # + the one added in the changed round


def test_recrawl_of_unchanged_site_adds_nothing_and_is_cheap(rounds: tuple) -> None:
    _, results = rounds
    first, second = results[0]["stats"], results[1]["stats"]
    assert second.get("item_scraped_count", 0) == 0
    assert second.get("aggregator/store/new", 0) == 0
    assert second.get("aggregator/store/updated", 0) == 0
    assert second.get("aggregator/pages/article", 0) == 0  # nothing extracted again
    ratio = second["downloader/response_bytes"] / first["downloader/response_bytes"]
    assert ratio <= 0.10, ratio
    # every page the server sent again was a 304, except robots.txt
    statuses = {(r["path"], r["status"]) for r in results[1]["requests"]}
    assert {s for p, s in statuses if p != "/robots.txt"} == {304}, sorted(statuses)
    assert second["aggregator/incremental/not_modified"] >= 5
    # known articles were not even requested: their feed/sitemap dates say unchanged, or
    # (found first on a section page, undated) they are older than the refresh age
    skipped = (second.get("aggregator/incremental/skipped_by_date", 0)
               + second.get("aggregator/incremental/skipped_not_recent", 0))
    assert skipped == ARTICLES
    assert not [r for r in results[1]["requests"] if r["path"].startswith("/story/")]
    assert "new   0" in results[1]["result"].stdout.replace("new 0", "new   0")


def test_changed_site_gives_one_new_and_one_updated(rounds: tuple) -> None:
    site, results = rounds
    third = results[2]["stats"]
    assert third.get("aggregator/store/new", 0) == 1
    assert third.get("aggregator/store/updated", 0) == 1
    assert third.get("aggregator/pages/article", 0) == 2
    fetched = [r["path"] for r in results[2]["requests"] if r["status"] == 200]
    assert article_path(ARTICLES) in fetched and article_path(5) in fetched
    assert not [p for p in fetched if p.startswith("/story/") and p not in
                (article_path(ARTICLES), article_path(5))]
    versions = dict(site.query("SELECT canonical_url, version FROM articles"))
    assert versions[f"http://{site.spec.host}{article_path(5)}"] == 2
    assert sorted(set(versions.values())) == [1, 2]
    body = site.query("SELECT body_text FROM articles WHERE canonical_url = ?",
                      f"http://{site.spec.host}{article_path(5)}")[0][0]
    assert "later revised its figures" in body


def test_refresh_age_rechecks_recent_articles_with_conditional_requests(tmp_path: Path) -> None:
    site = make_site(tmp_path, SiteSpec(articles=12), refresh_hours=10_000_000)
    try:
        assert site.crawl().returncode == 0
        first = site.last_stats()
        mark = site.log_mark()
        second_run = site.crawl()
        assert second_run.returncode == 0, second_run.stderr
        second = site.last_stats()
    finally:
        close_site(site)
    # every article is "recent": re-checked, answered 304, not parsed
    assert second["aggregator/incremental/refreshed"] == 12
    assert second["aggregator/incremental/leaf_not_modified"] == 12
    assert second.get("aggregator/pages/article", 0) == 0
    assert second.get("item_scraped_count", 0) == 0
    article_requests = [r for r in site.server.requests()[mark:] if r["path"].startswith("/story/")]
    assert len(article_requests) == 12 and {r["status"] for r in article_requests} == {304}
    assert second["downloader/response_bytes"] <= 0.10 * first["downloader/response_bytes"]


def test_same_body_without_validators_is_not_parsed_again(tmp_path: Path) -> None:
    """A server that ignores conditional requests: the body hash still skips extraction."""
    site = make_site(tmp_path, SiteSpec(articles=6), refresh_hours=10_000_000)
    try:
        assert site.crawl().returncode == 0
        # drop the validators the store holds: the next run sends plain GETs
        site.query("UPDATE url_state SET etag = NULL, last_modified = NULL")
        result = site.crawl()
        assert result.returncode == 0, result.stderr
        stats = site.last_stats()
    finally:
        close_site(site)
    assert stats["aggregator/incremental/leaf_same_body"] == 6
    assert stats.get("aggregator/pages/article", 0) == 0
    assert stats.get("aggregator/incremental/not_modified", 0) == 0


def test_pending_requests_wait_on_disk_and_their_folder_goes(rounds: tuple) -> None:
    """The crawl's scheduler queue is on disk (its memory does not grow with the site's
    sitemap), in a folder under the data folder that is gone once the crawl has ended."""
    site, results = rounds
    stats = results[0]["stats"]
    assert stats["scheduler/enqueued/disk"] > ARTICLES
    assert stats.get("scheduler/enqueued/memory", 0) == 0
    assert stats.get("scheduler/unserializable", 0) == 0
    assert list((site.data_dir / "queues").iterdir()) == []
