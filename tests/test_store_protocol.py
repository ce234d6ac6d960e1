"""The store protocol, on both backends (SQLite and a real PostgreSQL server): every test
runs once on each, and the answers must be the same."""

from __future__ import annotations

import sqlite3
from datetime import datetime, timedelta, timezone
from pathlib import Path

import psycopg
import pytest

from aggregator.items import RelatedLink
from aggregator.state import UrlState
from aggregator.store import Store, open_store
from aggregator.store.sqlite import StoreError
from tests.conftest import run_aggregator
from tests.exporters.synthetic import BASE, make_article

INTEGRITY_ERRORS = (sqlite3.IntegrityError, psycopg.IntegrityError)
WHEN = datetime(2024, 5, 1, 12, 30, 15, tzinfo=timezone.utc)


def test_save_new_unchanged_updated_with_versions(store: Store) -> None:
    first = make_article(1)
    assert store.save_article(first) == "new"
    assert store.save_article(make_article(1, fetched_at=BASE + timedelta(days=40))) == "unchanged"
    assert store.save_article(make_article(1, title="Retitled")) == "updated"
    assert store.save_article(make_article(1, content_hash="other")) == "updated"
    stored = list(store.iter_stored())
    assert [s.version for s in stored] == [3] and stored[0].first_seen == BASE + timedelta(days=30)
    meta = store.article_meta(first.canonical_url)
    assert meta == {"first_seen": "2024-03-31T08:00:00+00:00",
                    "updated_at": "2024-03-31T08:00:00+00:00", "version": 3}
    assert store.article_meta("https://nowhere.example/") is None


def test_an_article_reads_back_as_it_was_saved(store: Store) -> None:
    article = make_article(4, modified=BASE + timedelta(hours=5, microseconds=999),
                           date_sources={"published": "json-ld"}, source_offset="+02:00",
                           flags=["capped_title"], authors=["Ann Lee", "Bob Roe"],
                           tags=["Ünïcode", "chips"])
    store.save_article(article)
    got = store.get_article(article.canonical_url)
    assert got is not None
    assert got.modified == BASE + timedelta(hours=5)  # whole seconds, as stored
    assert got.modified is not None and got.modified.utcoffset() == timedelta(0)
    article.modified = got.modified
    assert got == article
    assert store.get_article("https://nowhere.example/") is None


def test_a_failed_write_leaves_nothing_of_the_article(store: Store) -> None:
    bad = make_article(1, related=[RelatedLink(url="https://alpha.example/a", position=1),
                                   RelatedLink(url="https://alpha.example/b", position=1)])
    with pytest.raises(INTEGRITY_ERRORS):
        store.save_article(bad)
    assert store.count_articles() == 0 and store.get_article(bad.canonical_url) is None
    assert store.save_article(make_article(2)) == "new"
    with pytest.raises(INTEGRITY_ERRORS):
        store.save_article(make_article(2, title="Changed", content_hash="x",
                                        related=bad.related))
    kept = store.get_article(make_article(2).canonical_url)
    assert kept is not None and kept.title == make_article(2).title and len(kept.related) == 2
    assert [s.version for s in store.iter_stored()] == [1]


def test_iter_stored_orders_filters_and_limits(store: Store) -> None:
    for i in range(6):
        store.save_article(make_article(i, "alpha" if i % 2 == 0 else "beta"))
    # same publication time, URLs that a natural-language collation orders otherwise
    for path in ("a-b", "ab", "a_c", "B", "a"):
        url = f"https://gamma.example/{path}"
        store.save_article(make_article(9, "gamma", url=url, canonical_url=url))

    def urls(**kw: object) -> list[str]:
        return [a.canonical_url.rsplit("/", 1)[-1] for a in store.iter_articles(**kw)]

    assert urls(source="gamma") == ["ab", "a_c", "a-b", "a", "B"]  # bytewise, descending
    assert urls(source="gamma", newest_first=False) == ["B", "a", "a-b", "a_c", "ab"]
    assert urls(source="alpha") == ["00004-story", "00002-story", "00000-story"]
    assert urls(since=BASE + timedelta(hours=2), until=BASE + timedelta(hours=4),
                newest_first=False) == ["00002-story", "00003-story"]
    assert urls(limit=2, source="beta") == ["00005-story", "00003-story"]
    assert store.count_articles() == 11 and store.count_articles("beta") == 3
    assert store.known_urls([make_article(0).url, "https://nowhere.example/"]) == {
        make_article(0).url}
    assert store.known_urls([]) == set()


def test_links_point_at_stored_articles(store: Store) -> None:
    one, two = make_article(1), make_article(2)
    store.save_article(one)
    store.save_article(two)
    edges = list(store.iter_links())
    assert edges[0] == (one.url, 1, two.url, "Story 2", True, two.url)
    assert edges[1] == (one.url, 2, make_article(3).url, "Story 3", True, None)
    assert len(edges) == 4 and list(store.iter_links(source="nope")) == []
    got = store.get_article(one.url)
    assert got is not None and [link.article_url for link in got.related] == [two.url, None]


def test_stories_membership_and_signatures(store: Store) -> None:
    for i in range(3):
        store.save_article(make_article(i, ["alpha", "beta", "alpha"][i]))
    a, b, c = (make_article(i).url.replace("alpha", s) for i, s in
               enumerate(["alpha", "beta", "alpha"]))
    store.save_source("beta", "Beta Daily", "https://beta.example/")
    first = store.set_story(a, None, b"\x01" * 8)
    assert store.set_story(b, first, b"\x02" * 8) == first
    other = store.set_story(c, None, None)
    assert other != first
    assert store.story_members(first) == [a, b]
    assert [(x.canonical_url, x.source) for x in store.story_copies(first)] == [
        (a, "alpha"), (b, "Beta Daily")]
    assert store.also_covered_by(a) == [b] and store.also_covered_by(c) == []
    assert store.story_state(b) == (first, b"\x02" * 8) and store.story_state("x") is None
    # candidates: articles of other sources sharing a band, with their story and signature
    first_bands, other_bands = [11, 12], [13]
    store.set_story(a, first, b"\x01" * 8, first_bands)
    store.set_story(b, first, b"\x02" * 8, [12, 14])
    assert store.story_candidates([12], "alpha", a, 10) == [(b, first, b"\x02" * 8)]
    assert store.story_candidates([12], "nobody", a, 10) == [(b, first, b"\x02" * 8)]
    assert store.story_candidates([12], "nobody", "x", 10) == [
        (a, first, b"\x01" * 8), (b, first, b"\x02" * 8)]
    assert store.story_candidates([12], "nobody", "x", 1) == [(a, first, b"\x01" * 8)]
    assert store.story_candidates(other_bands, "nobody", "x", 10) == []
    assert store.story_candidates([], "nobody", "x", 10) == []
    # the copy leaves for a new story, with new bands: the old ones are gone
    moved = store.set_story(b, None, b"\x03" * 8, [15])
    assert moved not in (first, other)
    assert store.story_candidates([12, 14], "nobody", a, 10) == []
    assert store.story_candidates([15], "nobody", a, 10) == [(b, moved, b"\x03" * 8)]
    # an article whose body became too short keeps no bands
    store.set_story(c, other, None, [16])
    assert store.story_candidates([16], "nobody", "x", 10) == []
    # a signature set through set_story is banded (with no bands given: none to find)
    store.set_story(c, other, b"\x04" * 8)
    assert store.unbanded_signatures(10) == []
    store.set_bands(c, [17])
    assert store.story_candidates([17], "nobody", "x", 10) == [(c, other, b"\x04" * 8)]
    # a story left without copies is removed; the article's old story is gone
    store.set_story(a, moved, b"\x01" * 8)
    assert store.story_members(first) == [] and store.story_members(moved) == [a, b]


def test_paragraph_keys_are_64_bit_and_shared(store: Store) -> None:
    for i in range(3):
        store.save_article(make_article(i, "alpha" if i != 1 else "beta"))
    a, b, c = (make_article(i, "alpha" if i != 1 else "beta").url for i in range(3))
    big, small = 2**63 - 5, -(2**63) + 7
    store.set_paragraphs(a, [big, 1, small])
    store.set_paragraphs(b, [big, 2])
    store.set_paragraphs(c, [3])
    store.set_paragraphs("https://nowhere.example/", [4])  # not stored: nothing
    assert store.paragraphs_elsewhere([big, 1, small, 2, 4], [a]) == {big, 2}
    assert store.paragraphs_elsewhere([big, 1, small], []) == {big, 1, small}
    assert store.paragraphs_elsewhere([], [a]) == set()
    story = store.set_story(a, None, None)
    store.set_story(b, story, None)
    assert store.stories_sharing([big], c) == [story]
    assert store.stories_sharing([big], a) == []  # its own story is left out
    assert store.stories_sharing([3], a) == [] and store.stories_sharing([], c) == []
    store.set_paragraphs(a, [5])  # replaces
    assert store.paragraphs_elsewhere([big, 1, small], [b]) == set()


def test_sources_and_runs(store: Store) -> None:
    store.save_source("alpha", "Alpha", "https://alpha.example/")
    store.save_source("alpha", "Alpha News", "https://alpha.example/")
    first = store.start_run("beta")
    second = store.start_run("alpha")
    assert second > first
    store.finish_run(first, {"pages": 3, "when": WHEN}, ok=True)
    runs = store.runs()
    assert [r["id"] for r in runs] == [second, first]
    assert runs[0]["finished"] is None and runs[0]["ok"] is None
    done = runs[1]
    assert done["ok"] == 1 and done["error"] == "" and done["source"] == "beta"
    assert done["stats"] == {"pages": 3, "when": str(WHEN)}
    assert datetime.fromisoformat(done["started"]) <= datetime.fromisoformat(done["finished"])
    assert done["started"].endswith("+00:00") and len(done["started"]) == 25
    assert [r["id"] for r in store.runs("beta")] == [first] and len(store.runs(limit=1)) == 1
    assert store.run_sources() == ["alpha", "beta"]


def test_url_state_keeps_first_seen_and_moves_last_changed_on_change(store: Store) -> None:
    url = "https://alpha.example/feed.xml"
    store.save_url_state(UrlState(url=url, source="alpha", kind="feed", etag='"1"',
                                  published=WHEN, links={"kind": "rss", "entries": []},
                                  last_seen=WHEN, listed={"b": "2024", "a": "2023"}))
    later = WHEN + timedelta(hours=1)
    store.save_url_state(UrlState(url=url, source="alpha", kind="feed", etag='"2"',
                                  links=["x"], last_seen=later), changed=False)
    state = store.url_state(url)
    assert state is not None
    assert (state.etag, state.links, state.published) == ('"2"', ["x"], WHEN)
    assert (state.first_seen, state.last_seen, state.last_changed) == (WHEN, later, WHEN)
    # listed dates are merged, never dropped: another crawler of the run may have saved a
    # listing's date for this URL (a listing's new date replaces its old one)
    assert state.listed == {"b": "2024", "a": "2023"}
    store.touch_url_state(url, when=later + timedelta(hours=1), listed={"f": "2025", "a": "2"})
    store.save_listed({url: {"g": "2026"}, "https://unknown.example/": {"h": "1"}})
    state = store.url_state(url)
    assert state is not None
    assert state.listed == {"a": "2", "b": "2024", "f": "2025", "g": "2026"}
    assert state.last_seen == later + timedelta(hours=1)
    store.save_url_state(UrlState(url=url, source="alpha", kind="feed",
                                  last_seen=later + timedelta(hours=2)))
    state = store.url_state(url)
    assert state is not None and state.last_changed == later + timedelta(hours=2)
    store.save_url_state(UrlState(url="https://alpha.example/a", source="alpha", kind="article"))
    store.save_url_state(UrlState(url="https://beta.example/a", source="beta", kind="article"))
    assert store.count_url_states() == {"feed": 1, "article": 2}
    assert store.count_url_states("beta") == {"article": 1}
    assert store.url_state("https://nowhere.example/") is None


def test_failures_count_up_and_clear(store: Store) -> None:
    url = "https://alpha.example/broken"
    assert store.failure_of(url) is None
    assert [store.note_failure(url, "alpha", "http_500", 10) for _ in range(3)] == [1, 2, 3]
    count, when = store.failure_of(url) or (0, None)
    assert count == 3 and when is not None and when.tzinfo is not None
    other = "https://alpha.example/also-broken"
    store.note_failure(other, "alpha", "http_500", 10)
    store.clear_failure(url)
    assert store.failure_of(url) is None
    store.clear_failure(url)  # nothing to forget
    assert store.failure_of(url) is None and store.failure_of(other) is not None


def test_template_statistics_are_replaced(store: Store) -> None:
    assert store.load_template("alpha") is None
    store.save_template("alpha", '{"pages": 1}')
    store.save_template("alpha", '{"pages": 2}')
    assert store.load_template("alpha") == '{"pages": 2}'


def test_read_only_reads_and_refuses_to_write(store_url: str, tmp_path: Path) -> None:
    writer = open_store(tmp_path, url=store_url)
    writer.save_article(make_article(1))
    writer.close()
    reader = open_store(tmp_path, read_only=True, url=store_url)
    try:
        assert reader.count_articles() == 1
        with pytest.raises((sqlite3.OperationalError, psycopg.errors.ReadOnlySqlTransaction)):
            reader.save_article(make_article(2))
    finally:
        reader.close()


def test_an_empty_database_is_refused_read_only_and_created_for_writing(
        store_url: str, tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="aggregator crawl" if "postgres" in store_url else
                       "no such file"):
        open_store(tmp_path, read_only=True, url=store_url)
    open_store(tmp_path, url=store_url).close()
    again = open_store(tmp_path, url=store_url)  # nothing more to apply
    again.close()


def test_a_store_url_that_names_nothing_is_one_clear_error(tmp_path: Path,
                                                           postgres_url: str) -> None:
    with pytest.raises(StoreError, match="not a store URL"):
        open_store(tmp_path, url="mysql://db.example/news")
    down = postgres_url.rsplit(":", 1)[0] + ":1/news"  # nothing listens on port 1
    secret = down.replace("aggregator@", "aggregator:hunter2@")
    with pytest.raises(StoreError, match="can't connect") as caught:
        open_store(tmp_path, url=secret)
    assert "hunter2" not in str(caught.value) and "aggregator:***@127.0.0.1:1" in str(
        caught.value)


@pytest.mark.parametrize("command", [["status"], ["export", "--output", "out.jsonl"],
                                     ["feeds", "--config", "demo"]], ids=lambda c: c[0])
def test_commands_name_a_store_they_cannot_use_in_one_line(tmp_path: Path, postgres_url: str,
                                                           command: list[str]) -> None:
    down = postgres_url.rsplit(":", 1)[0].replace("aggregator@", "aggregator:hunter2@") + ":1/x"
    for url, expected in ((down, "can't connect"), ("mysql://db.example/x", "not a store URL")):
        done = run_aggregator(*command, "--store", url, "--data-dir", str(tmp_path / "data"),
                              cwd=tmp_path)
        lines = [line for line in done.stderr.splitlines() if line.strip()]
        assert done.returncode == 4 and len(lines) == 1, done.stderr
        assert expected in lines[0] and "hunter2" not in done.stderr + done.stdout
    assert not (tmp_path / "data").exists()


def test_feeds_read_the_newest_articles_from_an_index(tmp_path: Path) -> None:
    """The order of feeds and exports (newest first) comes from an index (migration 9): a
    feed of 50 entries reads about 50 rows after each crawl, not a sort of the whole store."""
    store = open_store(tmp_path)
    try:
        for i in range(30):
            store.save_article(make_article(i, source="alpha" if i % 2 else "beta"))
        statements: list[str] = []
        store._conn.set_trace_callback(statements.append)  # type: ignore[attr-defined]
        for options in ({}, {"source": "alpha"}, {"since": BASE}, {"newest_first": False},
                        {"source": "beta", "since": BASE, "until": BASE + timedelta(days=2)}):
            statements.clear()
            newest = next(iter(store.iter_stored(**options)))  # type: ignore[arg-type]
            assert newest is not None
            query = next(s for s in statements if s.lstrip().upper().startswith("SELECT"))
            plan = " ".join(str(row[3]) for row in store._conn.execute(  # type: ignore[attr-defined]
                "EXPLAIN QUERY PLAN " + query))
            assert "INDEX articles_" in plan and "TEMP B-TREE" not in plan, (options, plan)
        store._conn.set_trace_callback(None)  # type: ignore[attr-defined]
    finally:
        store.close()
