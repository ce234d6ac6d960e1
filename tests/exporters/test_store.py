"""The store: in-place upgrades, all-or-nothing writes, SQL only in aggregator/store."""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path

import pytest

from aggregator.items import RelatedLink
from aggregator.store.migrations import MIGRATIONS
from aggregator.store.sqlite import SQLiteStore
from tests.conftest import REPO
from tests.exporters.synthetic import make_article


def test_version_1_database_is_upgraded_in_place(tmp_path: Path) -> None:
    db = tmp_path / "aggregator.sqlite3"
    conn = sqlite3.connect(db)
    conn.executescript(MIGRATIONS[0])
    conn.execute("PRAGMA user_version = 1")
    conn.execute(
        "INSERT INTO articles (canonical_url, url, source, title, body_text, published,"
        " first_seen, updated_at) VALUES (?, ?, 'alpha', 'Old story', 'Body.',"
        " '2020-01-02T03:04:05+00:00', '2020-01-02T03:04:05+00:00', '2020-01-02T03:04:05+00:00')",
        ("https://alpha.example/old", "https://alpha.example/old"))
    conn.execute("INSERT INTO links (article_id, position, url, title) VALUES"
                 " (1, 1, 'https://alpha.example/next', 'Next')")
    conn.execute("INSERT INTO runs (source, started) VALUES ('alpha', '2020-01-02T00:00:00+00:00')")
    conn.commit()
    conn.close()

    store = SQLiteStore(db)
    try:
        assert store.schema_version == len(MIGRATIONS)
        old = store.get_article("https://alpha.example/old")
        assert old is not None and old.title == "Old story" and old.body_text == "Body."
        assert [link.url for link in old.related] == ["https://alpha.example/next"]
        assert len(store.runs()) == 1
        # and the upgraded database takes new articles
        assert store.save_article(make_article(1)) == "new"
        assert store.count_articles() == 2
    finally:
        store.close()
    # opening again applies nothing more
    assert SQLiteStore(db).schema_version == len(MIGRATIONS)


def test_failed_write_leaves_nothing_of_the_article(tmp_path: Path) -> None:
    store = SQLiteStore(tmp_path / "aggregator.sqlite3")
    try:
        # two links at the same position violate the links primary key half-way through
        bad = make_article(1, related=[RelatedLink(url="https://alpha.example/a", position=1),
                                       RelatedLink(url="https://alpha.example/b", position=1)])
        with pytest.raises(sqlite3.IntegrityError):
            store.save_article(bad)
        assert store.count_articles() == 0
        assert store.get_article(bad.canonical_url) is None
        assert list(store.iter_stored()) == []
        # and the store goes on working
        assert store.save_article(make_article(2)) == "new"
        # an update that fails keeps the old version whole
        good = make_article(2)
        broken = make_article(2, title="Changed", content_hash="other",
                              related=bad.related)
        with pytest.raises(sqlite3.IntegrityError):
            store.save_article(broken)
        kept = store.get_article(good.canonical_url)
        assert kept is not None and kept.title == good.title and len(kept.related) == 2
        assert [s.version for s in store.iter_stored()] == [1]
    finally:
        store.close()
    with sqlite3.connect(tmp_path / "aggregator.sqlite3") as conn:
        assert conn.execute("SELECT COUNT(*) FROM article_versions").fetchone()[0] == 1


def test_iter_stored_tells_first_seen_updated_and_version(tmp_path: Path) -> None:
    store = SQLiteStore(tmp_path / "aggregator.sqlite3")
    try:
        store.save_article(make_article(1))
        first = next(store.iter_stored())
        store.save_article(make_article(1, fetched_at=first.first_seen.replace(year=2031)))
        same = next(store.iter_stored())
        assert (same.updated_at, same.version) == (first.updated_at, 1)
        store.save_article(make_article(1, content_hash="changed",
                                        fetched_at=first.first_seen.replace(year=2032)))
        changed = next(store.iter_stored())
        assert changed.version == 2 and changed.updated_at.year == 2032
        assert changed.first_seen == first.first_seen
    finally:
        store.close()


SQL = re.compile(r"\b(SELECT\s.+\sFROM|INSERT\s+INTO|UPDATE\s+\w+\s+SET|DELETE\s+FROM|"
                 r"CREATE\s+(TABLE|INDEX)|PRAGMA\s+\w+)\b|import\s+sqlite3|from\s+sqlite3",
                 re.IGNORECASE)


def test_no_sql_outside_the_store() -> None:
    store_code = (REPO / "aggregator" / "store" / "sqlite.py").read_text("utf-8").splitlines()
    assert sum(1 for line in store_code if SQL.search(line)) >= 10  # the pattern does find SQL
    offenders = []
    for folder in ("aggregator", "spiders"):
        for path in (REPO / folder).rglob("*.py"):
            if (REPO / "aggregator" / "store") in path.parents:
                continue
            for number, line in enumerate(path.read_text("utf-8").splitlines(), start=1):
                if SQL.search(line):
                    offenders.append(f"{path.relative_to(REPO)}:{number}: {line.strip()}")
    assert not offenders, "SQL outside aggregator/store:\n" + "\n".join(offenders)
