"""Reports that agree with each other (issue 14, point 7): a re-crawl's summary counts the
articles it confirmed unchanged as `status` does; `feeds` without --config publishes the
feeds of the config the store was crawled with, refuses a missing store instead of creating
one, and the entries a feed rejected are in the crawl's summary and in `status`."""

from __future__ import annotations

import json
import re
from datetime import datetime, timezone
from pathlib import Path

import pytest

from aggregator.items import Article
from aggregator.store import open_store
from tests.conftest import run_aggregator

pytestmark = pytest.mark.slow


def _unchanged(summary: str) -> dict[str, int]:
    return {m.group(1): int(m.group(2))
            for m in re.finditer(r"^(\w+)\s+ok .* unchanged\s+(\d+)", summary, re.MULTILINE)}


def test_a_second_demo_run_and_status_agree_and_feeds_follow_the_crawled_config(
        tmp_path: Path) -> None:
    first = run_aggregator("demo", cwd=tmp_path)
    assert first.returncode == 0, first.stdout + first.stderr
    second = run_aggregator("demo", cwd=tmp_path)
    assert second.returncode == 0, second.stdout + second.stderr
    unchanged = _unchanged(second.stdout)
    assert unchanged == {"bytewire": 16, "circuitdaily": 5}, second.stdout
    status = run_aggregator("status", "--json", cwd=tmp_path)
    assert status.returncode == 0, status.stdout + status.stderr
    reported = {s["name"]: s["last_run"]["unchanged"] for s in json.loads(status.stdout)["sources"]}
    assert reported == unchanged

    # feeds without --config: the demo's sources, not 36 empty feeds of the bundled ones
    for old in (tmp_path / "feeds").iterdir():
        old.unlink()
    feeds = run_aggregator("feeds", cwd=tmp_path)
    assert feeds.returncode == 0, feeds.stdout + feeds.stderr
    written = {p.name for p in (tmp_path / "feeds").iterdir()}
    assert {"bytewire.rss", "circuitdaily.atom", "all.json"} <= written
    assert not any(name.startswith("arstechnica") for name in written), written

    # an entry a feed rejects (a control character in its title) is reported by the crawl's
    # summary and by status
    store = open_store(tmp_path / "data")
    url = "https://bytewire.example/2024/bad-title/"
    store.save_article(Article(url=url, canonical_url=url, title="Bad \x01 title",
                               source="bytewire", body_text="Body text. " * 80,
                               content_hash="bad", published=datetime.now(timezone.utc),
                               fetched_at=datetime.now(timezone.utc)))
    store.close()
    third = run_aggregator("demo", cwd=tmp_path)
    assert "feed entries rejected (not in any feed): 1" in third.stdout, third.stdout
    assert url in third.stdout and "control character" in third.stdout
    status = run_aggregator("status", cwd=tmp_path)
    assert status.returncode == 1, status.stdout
    assert "1 entries rejected" in status.stdout and url in status.stdout


def test_feeds_refuses_a_missing_store_and_creates_nothing(tmp_path: Path) -> None:
    done = run_aggregator("feeds", "--config", "demo", cwd=tmp_path)
    assert done.returncode == 2, done.stdout + done.stderr
    assert "no store at data/aggregator.sqlite3" in done.stderr and "Traceback" not in done.stderr
    assert not (tmp_path / "data").exists() and not (tmp_path / "feeds").exists()


def test_feeds_without_config_refuses_a_config_none_of_whose_sources_was_crawled(
        tmp_path: Path) -> None:
    store = open_store(tmp_path / "data")  # a store crawled before runs recorded their config
    store.save_source("mine", "Mine", "https://mine.example/")
    store.finish_run(store.start_run("mine"), {"finish_reason": "finished"}, True)
    store.close()
    done = run_aggregator("feeds", cwd=tmp_path)
    assert done.returncode == 2, done.stdout + done.stderr
    assert "none of its sources is in the store (it holds: mine); pass --config" in done.stderr
    assert not (tmp_path / "feeds").exists()
