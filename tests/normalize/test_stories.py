"""Stories: MinHash signatures persisted in a real store (SQLite, and PostgreSQL through the
``store_url`` fixture), grouping across runs (a new pipeline instance, as in a new crawl),
and the cost per article."""

from __future__ import annotations

import random
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest
from tests.helpers.crawler import crawler_with_store

from aggregator.items import Article, RelatedLink
from aggregator.normalize import dedup
from aggregator.pipelines.store import StorePipeline
from aggregator.pipelines.stories import StoryGrouper
from aggregator.store import Store, open_store
from tests.conftest import FIXTURES

SEED = (FIXTURES / "seed" / "cuhk-sensetime-article.txt").read_text("utf-8")
BODY = SEED.split("\nSuggested Articles\n")[0]
OTHER = ("Regional banks are replacing passwords with passkeys as phishing losses mount, "
         "security teams said, after a year in which credential theft drove most fraud cases. "
         "The change asks customers to unlock a device-bound key with a fingerprint or face scan "
         "instead of typing a secret that can be stolen by a fake login page. ") * 3


def edited_copy(text: str) -> str:
    """A syndicated copy: another first sentence, a few words changed, a paragraph dropped,
    a note added."""
    paragraphs = text.split("\n\n")
    paragraphs[2] = "CUHK engineers and SenseTime signed an agreement to promote AI education."
    del paragraphs[5]
    edited = "\n\n".join(paragraphs).replace("three years", "3 years").replace("strong", "firm")
    return edited + "\n\nThis article first appeared on ByteWire."


def article(url: str, body: str, source: str = "a") -> Article:
    return Article(url=url, canonical_url=url, title=url, source=source, body_text=body,
                   content_hash=str(hash(body)),
                   fetched_at=datetime(2024, 1, 1, tzinfo=timezone.utc))


def test_copies_are_similar_other_stories_are_not() -> None:
    a, b, c = dedup.signature(BODY), dedup.signature(edited_copy(BODY)), dedup.signature(OTHER)
    assert a is not None and b is not None and c is not None
    assert dedup.similarity(a, b) >= 0.5
    assert dedup.similarity(a, c) < 0.1
    assert dedup.similarity(a, dedup.from_blob(dedup.to_blob(a))) == 1.0
    assert len(dedup.to_blob(a)) == dedup.NUM_PERM * 8


def test_blob_of_wrong_size_is_refused() -> None:
    with pytest.raises(ValueError, match="128 values"):
        dedup.from_blob(b"\x00" * 16)


#: the store URL of each test's data folder (see ``data_dir``)
STORE_URLS: dict[Path, str] = {}


@pytest.fixture
def data_dir(tmp_path: Path, store_url: str) -> Path:
    """The test's data folder, whose store the helpers here open: each test that takes it
    runs on both backends (``store_url``: an SQLite file, a PostgreSQL database)."""
    STORE_URLS[tmp_path] = store_url
    return tmp_path


def open_test_store(data_dir: Path) -> Store:
    return open_store(data_dir, url=STORE_URLS[data_dir])


def run_pipeline(data_dir: Path, articles: list[Article]) -> dict:
    """Store and group ``articles`` as one crawl would: a fresh store pipeline."""
    crawler = crawler_with_store(data_dir, AGGREGATOR_STORE=STORE_URLS[data_dir])
    pipeline = StorePipeline.from_crawler(crawler)
    pipeline.open_spider()
    try:
        for item in articles:
            pipeline.process_item(item)
    finally:
        pipeline.close_spider()
    return crawler.stats.get_stats()


def test_grouping_persists_across_runs(data_dir: Path) -> None:
    first = "https://a.example/original"
    copy = "https://b.example/copy"
    other = "https://a.example/other"
    stats = run_pipeline(data_dir, [article(first, BODY), article(other, OTHER)])
    assert stats["aggregator/stories/new"] == 2
    # a later run, another source: the copy joins the stored story through the stored signature
    stats = run_pipeline(data_dir, [article(copy, edited_copy(BODY), source="b")])
    assert stats["aggregator/stories/joined"] == 1
    store = open_test_store(data_dir)
    try:
        story = store.story_of(first)
        assert story is not None and store.story_of(copy) == story
        assert set(store.story_members(story)) == {first, copy}
        assert store.also_covered_by(first) == [copy]
        assert store.story_of(other) not in (None, story)
        assert store.story_members(store.story_of(other) or 0) == [other]
        assert store.story_of("https://nowhere.example/") is None
    finally:
        store.close()
    # re-running the same articles changes nothing
    stats = run_pipeline(data_dir, [article(first, BODY), article(copy, edited_copy(BODY), "b")])
    assert stats["aggregator/stories/unchanged"] == 2


def test_signatures_stored_before_their_bands_get_them_when_a_crawl_opens(tmp_path: Path
                                                                         ) -> None:
    """A store upgraded from schema 7 holds signatures without LSH bands: the next crawl
    gives them theirs before grouping, so a copy arriving then still joins the story."""
    import sqlite3

    first, copy = "https://a.example/original", "https://b.example/copy"
    STORE_URLS[tmp_path] = f"sqlite:///{tmp_path / 'store.sqlite3'}"
    run_pipeline(tmp_path, [article(first, BODY), article("https://a.example/o", OTHER)])
    with sqlite3.connect(tmp_path / "store.sqlite3") as conn:  # as schema 7 left it
        conn.execute("DELETE FROM story_bands")
        conn.execute("UPDATE articles SET banded = 0")
    store = open_test_store(tmp_path)
    try:
        assert len(store.unbanded_signatures(10)) == 2
    finally:
        store.close()
    stats = run_pipeline(tmp_path, [article(copy, edited_copy(BODY), source="b")])
    assert stats["aggregator/stories/banded"] == 2
    assert stats["aggregator/stories/joined"] == 1
    store = open_test_store(tmp_path)
    try:
        assert store.unbanded_signatures(10) == []
        assert store.story_of(copy) == store.story_of(first) is not None
    finally:
        store.close()


def test_articles_of_one_source_never_fold_into_one_story(data_dir: Path) -> None:
    """Distinct articles of one source that share long boilerplate (or a template) stay
    distinct stories: a story groups copies across sources, and each article stays in the
    source's and the combined feeds."""
    boilerplate = ("About this site: the newsroom reports on chips, software and the companies"
                   " that make them, with analysis every weekday and a newsletter. ") * 8
    articles = [article(f"https://a.example/{i}", f"Story {i} says little. " + boilerplate)
                for i in range(12)]
    stats = run_pipeline(data_dir, articles)
    assert stats["aggregator/stories/new"] == 12 and "aggregator/stories/joined" not in stats
    # the same body from another source is a copy: it joins one of them
    stats = run_pipeline(data_dir, [article("https://b.example/x", articles[3].body_text, "b")])
    assert stats["aggregator/stories/joined"] == 1


def _own_story(rng: random.Random) -> str:
    vocab = sorted(set(OTHER.split()))
    return "\n\n".join(" ".join(rng.choice(vocab) for _ in range(30)) for _ in range(2))


def test_sources_sharing_boilerplate_fold_only_real_copies(data_dir: Path) -> None:
    """Two sources of one network print the same long paragraphs (a plug, a disclaimer)
    under every distinct article: the signatures say "copy", the own texts do not; the one
    real copy still joins its original."""
    rng = random.Random(3)
    notice = random.Random(5)
    words = sorted(set(BODY.split()))
    network = "\n\n".join(" ".join(notice.choice(words) for _ in range(40)) for _ in range(6))
    first = [article(f"https://a.example/{i}", _own_story(rng) + "\n\n" + network)
             for i in range(4)]
    second = [article(f"https://b.example/{i}", _own_story(rng) + "\n\n" + network, "b")
              for i in range(3)]
    copy = article("https://b.example/copy", first[2].body_text.replace("\n\n", " indeed\n\n",
                                                                         1), "b")
    # the signatures alone would fold them: their bodies are mostly the shared notice
    sa, sb = (dedup.signature(x.body_text) for x in (first[0], second[0]))
    assert sa is not None and sb is not None and dedup.similarity(sa, sb) >= 0.5
    stats = run_pipeline(data_dir, [*first, *second, copy])
    assert stats["aggregator/stories/joined"] == 1
    assert stats["aggregator/stories/not_confirmed"] >= 3
    store = open_test_store(data_dir)
    try:
        stories = [store.story_of(x.url) for x in [*first, *second]]
        assert len(set(stories)) == 7 and None not in stories
        assert store.also_covered_by(first[2].url) == [copy.url]
    finally:
        store.close()


def test_a_fold_on_boilerplate_is_undone_when_the_boilerplate_shows(data_dir: Path) -> None:
    """The first articles of two sources under one notice look like copies (nothing else
    has the notice yet); the next article with the notice splits them again."""
    rng = random.Random(4)
    notice = random.Random(5)
    words = sorted(set(BODY.split()))
    network = "\n\n".join(" ".join(notice.choice(words) for _ in range(40)) for _ in range(6))
    a0, b0, a1 = (article(u, _own_story(rng) + "\n\n" + network, u[8])
                  for u in ("https://a.example/0", "https://b.example/0", "https://a.example/1"))
    stats = run_pipeline(data_dir, [a0, b0])
    assert stats.get("aggregator/stories/joined") == 1  # nothing tells the notice apart yet
    stats = run_pipeline(data_dir, [a1])
    assert stats["aggregator/stories/split"] == 1
    store = open_test_store(data_dir)
    try:
        assert len({store.story_of(x.url) for x in (a0, b0, a1)}) == 3
        assert store.also_covered_by(a0.url) == []
    finally:
        store.close()


def test_short_bodies_get_their_own_story(data_dir: Path) -> None:
    stats = run_pipeline(data_dir, [article("https://a.example/1", "Short note."),
                                    article("https://b.example/1", "Short note.")])
    assert stats["aggregator/stories/too_short"] == 2
    store = open_test_store(data_dir)
    try:
        assert store.story_of("https://a.example/1") != store.story_of("https://b.example/1")
    finally:
        store.close()


def test_changed_body_leaves_story_and_empty_story_is_removed(data_dir: Path) -> None:
    first, copy = "https://a.example/1", "https://b.example/1"
    run_pipeline(data_dir, [article(first, BODY), article(copy, edited_copy(BODY), "b")])
    # the copy is rewritten into another story entirely: it keeps its story id, alone
    run_pipeline(data_dir, [article(copy, OTHER, "b")])
    store = open_test_store(data_dir)
    try:
        assert store.story_of(first) == store.story_of(copy)  # kept, not split
        count = store._conn.execute("SELECT COUNT(*) AS n FROM stories").fetchone()["n"]
        assert count == 1
    finally:
        store.close()


def test_iter_links_exports_edges(data_dir: Path) -> None:
    store = open_test_store(data_dir)
    try:
        a = article("https://a.example/1", BODY)
        a.related = [RelatedLink("https://a.example/2", "Two", 1, True),
                     RelatedLink("https://elsewhere.example/x", "X", 2, False)]
        store.save_article(a)
        store.save_article(article("https://a.example/2", OTHER))
        edges = list(store.iter_links())
        assert edges == [
            ("https://a.example/1", 1, "https://a.example/2", "Two", True, "https://a.example/2"),
            ("https://a.example/1", 2, "https://elsewhere.example/x", "X", False, None),
        ]
        assert list(store.iter_links(source="nope")) == []
        got = store.get_article("https://a.example/1")
        assert got is not None
        assert [l.article_url for l in got.related] == ["https://a.example/2", None]
    finally:
        store.close()


def test_cost_per_article() -> None:
    """Signature + LSH query + insert, per article of ~330 words, against an index of 1,000
    distinct bodies (the realistic case: few LSH candidates)."""
    rng = random.Random(7)
    vocab = sorted(set(BODY.split() + OTHER.split()))
    bodies = [" ".join(rng.choice(vocab) for _ in range(330)) for _ in range(1500)]
    index = dedup.StoryIndex()
    for i, body in enumerate(bodies[:1000]):
        sig = dedup.signature(body)
        assert sig is not None
        index.add(str(i), sig)
    started = time.perf_counter()
    for i, body in enumerate(bodies[1000:]):
        sig = dedup.signature(body)
        assert sig is not None
        assert index.best_match(sig) is None
        index.add(f"n{i}", sig)
    per_article_ms = (time.perf_counter() - started) / 500 * 1000
    print(f"stories: {per_article_ms:.2f} ms per article")
    assert per_article_ms < 50


def test_two_crawlers_storing_copies_at_once_agree_on_one_story(data_dir: Path,
                                                               monkeypatch: pytest.MonkeyPatch
                                                               ) -> None:
    """Two workers group two copies at the same moment: A looks for copies before B's is
    written (its first look-up finds nothing), B writes its copy, then A writes. A sees B's copy
    once it has written and joins the older story, so the copies are one story."""
    first, copy = "https://a.example/original", "https://b.example/copy"
    crawler_a = crawler_with_store(data_dir, AGGREGATOR_STORE=STORE_URLS[data_dir])
    crawler_b = crawler_with_store(data_dir, AGGREGATOR_STORE=STORE_URLS[data_dir])
    store = open_test_store(data_dir)
    a, b = StorePipeline.from_crawler(crawler_a), StorePipeline.from_crawler(crawler_b)
    a.open_spider()
    b.open_spider()
    try:
        real_candidates, calls = StoryGrouper.candidates, []

        def look_up_late(self: StoryGrouper, *args: Any) -> Any:
            # A's first look happens "before" B writes: it finds nothing yet
            calls.append(self)
            if self is a.stories and calls.count(a.stories) == 1:
                b.process_item(article(copy, edited_copy(BODY), source="b"))
                return []
            return real_candidates(self, *args)

        monkeypatch.setattr(StoryGrouper, "candidates", look_up_late)
        a.process_item(article(first, BODY))
    finally:
        a.close_spider()
        b.close_spider()
    try:
        assert store.story_of(first) is not None
        assert store.story_of(first) == store.story_of(copy)
        assert set(store.story_members(store.story_of(first) or 0)) == {first, copy}
    finally:
        store.close()


def test_a_copy_another_connection_stores_meanwhile_is_joined(tmp_path: Path) -> None:
    """With grouped commits, a look-up and the write after it that held the write lock
    throughout skip the late-copy check; one that another writer interrupted does not."""
    from scrapy.settings import Settings

    from aggregator.store.sqlite import SQLiteStore

    path = tmp_path / "aggregator.sqlite3"
    mine, other = SQLiteStore(path), SQLiteStore(path)
    mine.group_commits(3600)
    here, there = StoryGrouper(Settings(), None), StoryGrouper(Settings(), None)
    here.open(mine)
    there.open(other)

    def store(grouper: StoryGrouper, store: Store, item: Article) -> str:
        place, event = grouper.place(item)
        store.save_article(item, place)
        grouper.settle(item, place, event)
        return event

    assert store(here, mine, article("https://a.example/first", OTHER)) == "new"
    copy = article("https://a.example/copy", BODY)
    place, event = here.place(copy)  # under the open group's lock: nothing to join yet
    assert event == "new"
    # another crawler stores the original meanwhile (committing our group first)
    original = article("https://b.example/original", edited_copy(BODY), source="b")
    assert store(there, other, original) == "new"
    mine.save_article(copy, place)
    here.settle(copy, place, event)
    assert mine.story_of(copy.url) == mine.story_of(original.url) is not None
    mine.close()
    other.close()


def test_a_new_articles_row_is_written_once_with_its_story(data_dir: Path) -> None:
    """The INSERT carries the story, signature and sequence number: no UPDATE after it
    rewrites the row (its body and HTML) to add them. SQLite: no statement but the INSERT
    writes to the table; PostgreSQL: each row is still the first version of itself."""
    from aggregator.items import StoryPlace
    from aggregator.store.sqlite import SQLiteStore

    store = open_test_store(data_dir)
    statements: list[str] = []
    if isinstance(store, SQLiteStore):
        store._db.set_trace_callback(statements.append)
    try:
        sig = dedup.signature(BODY)
        assert sig is not None
        bands = tuple(dedup.band_keys(sig))
        place = StoryPlace(None, dedup.to_blob(sig), bands, tuple(dedup.paragraph_keys(BODY)))
        assert store.save_article(article("https://a.example/one", BODY), place) == "new"
        assert store.save_article(article("https://a.example/two", OTHER), place) == "new"
        if isinstance(store, SQLiteStore):
            writes = [s for s in statements
                      if s.lstrip().upper().startswith(("INSERT", "UPDATE"))
                      and " articles " in f"{s} ".replace("(", " ")]
            assert len(writes) == 2
            assert all(w.lstrip().upper().startswith("INSERT") for w in writes)
            conn: Any = store._db
        else:
            conn = store._conn  # type: ignore[attr-defined]
            versions = conn.execute("SELECT ctid::text AS c FROM articles ORDER BY id").fetchall()
            assert [r["c"] for r in versions] == ["(0,1)", "(0,2)"]
        rows = [tuple(r.values()) if isinstance(r, dict) else tuple(r) for r in conn.execute(
            "SELECT canonical_url, story_id, minhash, banded, minhash_seq"
            " FROM articles ORDER BY id").fetchall()]
        assert [(int(r[3]), r[4]) for r in rows] == [(1, 1), (1, 2)]
        assert rows[0][1] != rows[1][1] and all(bytes(r[2]) == place.signature for r in rows)
        counted = conn.execute("SELECT COUNT(*) AS n, MIN(source) AS lo, MAX(source) AS hi"
                               " FROM story_bands").fetchone()
        counted = tuple(counted.values()) if isinstance(counted, dict) else tuple(counted)
        assert counted == (2 * len(set(bands)), "a", "a")
        assert store.story_members(rows[0][1]) == ["https://a.example/one"]
        # stored again (PostgreSQL: its INSERT meets the row): no story is left over
        assert store.save_article(article("https://a.example/one", BODY), place) == "unchanged"
        stories = conn.execute("SELECT COUNT(*) AS n FROM stories").fetchone()
        assert (stories["n"] if isinstance(stories, dict) else stories[0]) == 2
    finally:
        store.close()


@pytest.mark.parametrize("text", [
    BODY, OTHER, edited_copy(BODY), "", "Too short.", BODY.replace("\n\n", "\n\n\n"),
    "ﬁrst Ⅻ café\n\n\u0301accent Straße ΣΊΣΥΦΟΣ " * 20, "one\r\n\r\ntwo " * 40,
])
def test_signature_and_paragraph_keys_read_together_are_those_read_apart(text: str) -> None:
    sig, keys = dedup.signature_and_keys(text)
    apart = dedup.signature(text)
    assert keys == dedup.paragraph_keys(text)
    assert (sig is None and apart is None) or (
        sig is not None and apart is not None and dedup.to_blob(sig) == dedup.to_blob(apart))
