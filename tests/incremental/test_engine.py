"""Incremental crawling through Scrapy's engine (in this process where it can: see
tests.helpers.crawler.crawl_in_process): the news spider with every project component crawls
the generated site, then crawls it again, as a cron job would.
The component tests (test_spider, test_downloader) drive each middleware alone; these check
that, put together by the settings, they do only the new work."""

from __future__ import annotations

import sqlite3
from datetime import datetime, timezone
from pathlib import Path
from typing import Any


from aggregator.store import DB_FILENAME
from tests.crawl.sitegen import SiteSpec, article_path, config_text, write_site
from tests.helpers.crawler import crawl_in_process
from tests.helpers.site import served

ARTICLES = 8


def stat(stats: dict[str, Any], key: str) -> int:
    return int(stats.get(key, 0))


def rows(data: Path, sql: str) -> list[tuple]:
    with sqlite3.connect(data / DB_FILENAME) as conn:
        return conn.execute(sql).fetchall()


def test_a_second_run_fetches_only_what_changed(tmp_path: Path) -> None:
    spec = SiteSpec(articles=ARTICLES)
    write_site(tmp_path / "site", spec)
    config = tmp_path / "sources.toml"
    config.write_text(config_text(spec))
    data = tmp_path / "data"
    with served(tmp_path / "site") as server:
        routes = {spec.host: f"127.0.0.1:{server.server_port}"}

        jobs = tmp_path / "remote-control-jobs"
        first = crawl_in_process(data, config, "gen", routes, REMOTE_CONTROL_JOBS_DIR=str(jobs))
        assert stat(first, "aggregator/store/new") == ARTICLES
        # Scrapy's remote control is off: no code-running HTTP server, no token file
        assert not jobs.exists()
        assert stat(first, "log_count/ERROR") == 0
        # the pending requests waited on disk (aggregator.queues), none kept in memory
        assert stat(first, "scheduler/enqueued/disk") > ARTICLES
        assert stat(first, "scheduler/unserializable") == 0
        fetched_first = stat(first, "downloader/response_count")
        # each article's state holds the dates the sitemap listed it with
        assert rows(data, "SELECT COUNT(*) FROM url_state WHERE kind = 'article'"
                          " AND listed LIKE '%sitemap-articles.xml%'") == [(ARTICLES,)]

        # nothing changed: no article is fetched again, listings answer 304 and what they
        # led to is replayed; the store is as it was
        before = rows(data, "SELECT url, version, content_hash FROM articles ORDER BY url")
        second = crawl_in_process(data, config, "gen", routes)
        assert stat(second, "aggregator/store/new") == 0
        assert stat(second, "aggregator/store/updated") == 0
        assert stat(second, "aggregator/incremental/not_modified") > 0
        skipped = (stat(second, "aggregator/incremental/skipped_by_date")
                   + stat(second, "aggregator/incremental/skipped_not_recent"))
        assert skipped > 0
        assert stat(second, "downloader/response_count") < fetched_first
        assert rows(data, "SELECT url, version, content_hash FROM articles ORDER BY url") \
            == before

        # one article revised (its text and its sitemap lastmod): it alone is stored anew
        revised = 3
        spec.revisions[revised] = datetime.now(timezone.utc).replace(microsecond=0)
        write_site(tmp_path / "site", spec)
        third = crawl_in_process(data, config, "gen", routes)
        assert stat(third, "aggregator/store/updated") == 1
        assert stat(third, "aggregator/store/new") == 0
        assert stat(third, "downloader/response_count") < fetched_first
        assert rows(data, "SELECT url FROM articles WHERE version > 1") == [
            (f"http://{spec.host}{article_path(revised)}",)]
