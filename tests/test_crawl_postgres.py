"""A real crawl into a PostgreSQL store: ``aggregator crawl --config demo --store URL`` (the
demo sites served on 127.0.0.1 by the command itself), then the read commands on the same
URL. The articles, runs and crawl state land in PostgreSQL, none in an SQLite file."""

from __future__ import annotations

import json
from pathlib import Path

import feedparser
import pytest

from aggregator.store import DB_FILENAME, open_store
from tests.conftest import run_aggregator


@pytest.mark.slow
def test_demo_crawl_into_postgresql(tmp_path: Path, postgres_url: str) -> None:
    data, feeds = tmp_path / "data", tmp_path / "feeds"
    done = run_aggregator("crawl", "--config", "demo", "--store", postgres_url,
                          "--data-dir", str(data), "--feeds-dir", str(feeds), cwd=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert not (data / DB_FILENAME).exists()  # nothing went to the SQLite default

    store = open_store(data, read_only=True, url=postgres_url)
    try:
        urls = {a.canonical_url for a in store.iter_articles()}
        sources = store.run_sources()
        assert len(urls) >= 10 and len(sources) >= 2
        assert all(r["ok"] == 1 for r in store.runs(limit=100))
        assert sum(store.count_url_states().values()) > len(urls) / 2
        stories = {store.story_of(u) for u in urls}
        assert None not in stories
        assert any(len(store.story_members(s)) > 1 for s in stories if s is not None)
    finally:
        store.close()

    # the published feeds carry the stored articles
    combined = feedparser.parse((feeds / "all.atom").read_bytes())
    assert combined.entries and {e.link for e in combined.entries} <= urls
    for source in sources:
        assert (feeds / f"{source}.rss").is_file()

    # the read commands find the same store by the environment variable or --store
    env_store = {"AGGREGATOR_STORE": postgres_url}
    status = run_aggregator("status", "--json", "--data-dir", str(data), cwd=tmp_path,
                            env=env_store)
    assert status.returncode == 0, status.stdout + status.stderr
    assert {s["name"] for s in json.loads(status.stdout)["sources"]} == set(sources)
    export = run_aggregator("export", "--store", postgres_url, "--data-dir", str(data),
                            "--output", "out.jsonl", cwd=tmp_path)
    assert export.returncode == 0, export.stdout + export.stderr
    exported = [json.loads(line) for line in (tmp_path / "out.jsonl").read_text().splitlines()]
    assert {r["canonical_url"] for r in exported} == urls
    again = run_aggregator("feeds", "--config", "demo", "--store", postgres_url,
                           "--data-dir", str(data), "--feeds-dir", str(tmp_path / "again"),
                           cwd=tmp_path)
    assert again.returncode == 0, again.stdout + again.stderr
    assert (tmp_path / "again" / "all.atom").read_bytes() == (feeds / "all.atom").read_bytes()
    assert not (data / DB_FILENAME).exists()
