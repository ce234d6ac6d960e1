"""Several processes write one store at once, on both backends (SQLite, a real PostgreSQL
server): the same article, the same URL's state and failures, one story, and their own
articles. Nothing is counted twice and nothing is lost."""

from __future__ import annotations

import multiprocessing
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from aggregator.state import UrlState
from aggregator.store import open_store
from aggregator.template import TemplateStats
from tests.exporters.synthetic import make_article

WRITERS = 4
ROUNDS = 12
SHARED = make_article(0, "shared")
FAILING = "https://shared.example/broken"
STATE = "https://shared.example/feed.xml"
WHEN = datetime(2024, 5, 1, tzinfo=timezone.utc)


def own_url(writer: int, i: int) -> str:
    return f"https://w{writer}.example/news/{i}"


def write(url: str, data_dir: str, writer: int, story: int, start: Any, out: Any) -> None:
    """One writer: waits for the others, then interleaves every kind of write."""
    store = open_store(data_dir, url=url)
    results: dict[str, list[Any]] = {"saves": [], "failures": [], "stories": []}
    try:
        start.wait(timeout=60)
        for i in range(ROUNDS):
            changed = make_article(0, "shared", content_hash=f"w{writer}-{i}",
                                   title=f"Shared story, take {writer}.{i}")
            results["saves"].append(store.save_article(changed))
            mine = make_article(i, f"w{writer}", url=own_url(writer, i),
                                canonical_url=own_url(writer, i))
            store.save_article(mine)
            results["stories"].append(store.set_story(mine.url, story if i % 2 else None,
                                                      bytes([writer, i]) * 4))
            store.set_paragraphs(mine.url, [writer * 1000 + i, 7])
            results["failures"].append(store.note_failure(FAILING, "shared", "http_500"))
            store.save_url_state(UrlState(url=STATE, source="shared", kind="feed",
                                          etag=f'"{writer}-{i}"',
                                          last_seen=WHEN + timedelta(minutes=i)),
                                 changed=i == 0)
            store.save_source("shared", f"Shared {writer}", "https://shared.example/")
            run = store.start_run(f"w{writer}")
            store.finish_run(run, {"round": i}, ok=True)
            # template learning: each writer adds the one page it saw (a link of its own
            # and the shared home page) to the source's statistics
            seen = TemplateStats()
            seen.observe({"https://shared.example/", own_url(writer, i)}, set())
            store.update_template("shared", lambda saved, seen=seen: (
                TemplateStats.from_json(saved) if saved else TemplateStats()
            ).merged(seen).to_json())
        out.put((writer, results, None))
    except Exception as exc:  # reported to the test, which fails naming it
        out.put((writer, results, f"{type(exc).__name__}: {exc}"))
    finally:
        store.close()


def test_concurrent_writers_lose_nothing(store_url: str, tmp_path: Path) -> None:
    setup = open_store(tmp_path, url=store_url)  # created (migrated) once, before the writers
    setup.save_article(make_article(99, "seed"))
    story = setup.set_story(make_article(99, "seed").url, None, b"\x09" * 8)
    setup.close()

    ctx = multiprocessing.get_context("spawn")
    start, out = ctx.Barrier(WRITERS), ctx.Queue()
    procs = [ctx.Process(target=write, args=(store_url, str(tmp_path), n, story, start, out))
             for n in range(WRITERS)]
    for proc in procs:
        proc.start()
    reports = [out.get(timeout=240) for _ in procs]
    for proc in procs:
        proc.join(timeout=60)
    errors = [f"writer {w}: {err}" for w, _, err in reports if err]
    assert errors == []

    saves = [r for _, results, _ in reports for r in results["saves"]]
    failures = sorted(n for _, results, _ in reports for n in results["failures"])
    store = open_store(tmp_path, read_only=True, url=store_url)
    try:
        # one article saved WRITERS x ROUNDS times, every time changed: one new, one version
        # per save, none twice
        assert saves.count("new") == 1 and saves.count("updated") == len(saves) - 1
        shared = [s for s in store.iter_stored(source="shared")]
        assert len(shared) == 1 and shared[0].version == WRITERS * ROUNDS
        # every writer's own articles, each once
        assert store.count_articles() == 2 + WRITERS * ROUNDS
        for writer in range(WRITERS):
            assert store.count_articles(f"w{writer}") == ROUNDS
        # the failure counter: every increment seen once, in order, none lost
        assert failures == list(range(1, WRITERS * ROUNDS + 1))
        assert (store.failure_of(FAILING) or (0,))[0] == WRITERS * ROUNDS
        # one state row for the URL, first_seen kept
        assert store.count_url_states() == {"feed": 1}
        state = store.url_state(STATE)
        assert state is not None and state.first_seen is not None
        # story membership: every odd article joined the seed's story, none lost
        members = store.story_members(story)
        assert len(members) == 1 + WRITERS * (ROUNDS // 2)
        others = {s for _, results, _ in reports for s in results["stories"]} - {story}
        assert len(others) == WRITERS * (ROUNDS - ROUNDS // 2)  # a new story each
        # every signature written has its LSH bands
        assert store.unbanded_signatures(10) == []
        assert store.paragraphs_elsewhere([7], []) == {7}
        assert len(store.runs(limit=1000)) == WRITERS * ROUNDS
        assert all(r["ok"] == 1 for r in store.runs(limit=1000))
        # the source's template statistics hold every writer's pages: none overwrote another
        learned = TemplateStats.from_json(store.load_template("shared") or "")
        assert learned.pages == WRITERS * ROUNDS
        assert learned.link_share("https://shared.example/") == 1.0
        assert learned.link_share(own_url(0, 0)) == 1 / (WRITERS * ROUNDS)
    finally:
        store.close()
