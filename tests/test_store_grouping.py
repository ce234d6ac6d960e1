"""Grouped commits of the SQLite store (``SQLiteStore.group_commits``): each write stays
atomic inside the group, others see the writes once the group commits, and another
connection of the same process never waits on the group's lock."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from aggregator.state import UrlState
from aggregator.store.sqlite import SQLiteStore, StoreError
from tests.exporters.synthetic import make_article


def seen_elsewhere(path: Path) -> int:
    """Articles a connection of its own (as another process would) sees committed."""
    with sqlite3.connect(path) as other:
        return int(other.execute("SELECT COUNT(*) FROM articles").fetchone()[0])


@pytest.fixture
def grouped(tmp_path: Path) -> SQLiteStore:
    store = SQLiteStore(tmp_path / "aggregator.sqlite3")
    store.group_commits(3600)  # only flush() or close() commit within a test
    return store


def test_grouped_writes_are_committed_together(grouped: SQLiteStore) -> None:
    for i in range(3):
        assert grouped.save_article(make_article(i)) == "new"
    assert grouped.count_articles() == 3  # its own connection sees them at once
    assert seen_elsewhere(grouped.path) == 0
    grouped.flush()
    assert seen_elsewhere(grouped.path) == 3
    grouped.save_article(make_article(3))
    grouped.close()  # commits what is left
    assert seen_elsewhere(grouped.path) == 4


def test_a_failed_write_undoes_itself_only(grouped: SQLiteStore) -> None:
    grouped.save_article(make_article(0))
    with pytest.raises(RuntimeError):
        with grouped.transaction() as conn:
            conn.execute("DELETE FROM articles")
            raise RuntimeError("half-way")
    grouped.save_article(make_article(1))
    grouped.flush()
    assert seen_elsewhere(grouped.path) == 2


def test_another_connection_of_the_process_commits_the_group_first(
        grouped: SQLiteStore) -> None:
    grouped.save_article(make_article(0))
    second = SQLiteStore(grouped.path)
    second._db.execute("PRAGMA busy_timeout = 100")  # a wait on the lock fails fast
    try:
        # it sees the grouped write, and writes without waiting for the group's lock
        assert second.count_articles() == 1
        second.save_url_state(UrlState(url="https://alpha.example/feed", source="alpha",
                                       kind="feed"))
        grouped.save_article(make_article(1))  # a new group, after the other's write
        assert second.count_articles() == 2
    finally:
        second.close()
    grouped.flush()
    assert seen_elsewhere(grouped.path) == 2


def test_a_group_commits_once_its_time_is_up(tmp_path: Path) -> None:
    store = SQLiteStore(tmp_path / "aggregator.sqlite3")
    store.group_commits(1e-9)  # every write finds its group's time up
    store.save_article(make_article(0))
    assert seen_elsewhere(store.path) == 1
    store.group_commits(0)  # each commits on its own
    store.save_article(make_article(1))
    assert seen_elsewhere(store.path) == 2
    with pytest.raises(ValueError, match="group_commits"):
        store.group_commits(-1)
    store.close()


def test_a_commit_that_fails_is_an_error_naming_the_store(grouped: SQLiteStore) -> None:
    grouped.save_article(make_article(0))
    # a deferred foreign key broken inside the group makes the commit itself fail
    grouped._db.execute("PRAGMA defer_foreign_keys = ON")
    grouped._db.execute("INSERT INTO links (article_id, url, title, position)"
                        " VALUES (999999, 'https://x.example/', '', 1)")
    with pytest.raises(StoreError, match="aggregator.sqlite3.*could not be committed"):
        grouped.flush()
    assert not grouped._db.in_transaction  # rolled back: the store goes on
    grouped.save_article(make_article(1))
    grouped.close()
    assert seen_elsewhere(grouped.path) == 1


def test_a_crawls_connection_keeps_a_larger_page_cache(tmp_path: Path) -> None:
    """``AGGREGATOR_STORE_CACHE_MB`` sizes the crawl's connection's page cache; 0 keeps
    SQLite's 2 MB; other connections (the commands') keep SQLite's."""
    from scrapy.utils.test import get_crawler

    from aggregator.crawlstore import CrawlStore

    def cache_of(**settings: object) -> int:
        holder = CrawlStore(get_crawler(settings_dict={
            "AGGREGATOR_DATA_DIR": str(tmp_path), **settings}))
        try:
            store = holder.store
            assert isinstance(store, SQLiteStore)
            return int(store._db.execute("PRAGMA cache_size").fetchone()[0])
        finally:
            holder.close()

    from aggregator import settings as project

    assert cache_of(AGGREGATOR_STORE_CACHE_MB=project.AGGREGATOR_STORE_CACHE_MB) == -8 * 1024
    assert cache_of(AGGREGATOR_STORE_CACHE_MB=32) == -32 * 1024
    assert cache_of(AGGREGATOR_STORE_CACHE_MB=0) == -2000
    plain = SQLiteStore(tmp_path / "aggregator.sqlite3")
    assert int(plain._db.execute("PRAGMA cache_size").fetchone()[0]) == -2000
    plain.close()
    with pytest.raises(ValueError, match="AGGREGATOR_STORE_CACHE_MB"):
        CrawlStore(get_crawler(settings_dict={"AGGREGATOR_STORE_CACHE_MB": -1}))
