"""``AGGREGATOR_EXTRACT_WORKERS``: the demo sites crawled by the real CLI with extraction in
two worker processes store exactly the articles of the in-process crawl (the session's
``demo_crawl``), and a worker that dies or raises is counted while the crawl goes on and
loses nothing (the page is extracted in the crawl's process instead)."""

from __future__ import annotations

import asyncio
import json
import re
import sqlite3
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from aggregator.demo import site_root
from aggregator.extraction import SiteRules, extract
from aggregator.store import open_store
from aggregator.workers import Extractor
from tests.conftest import DemoCrawl, run_aggregator, start_server, stop_server

#: a real crawl in a subprocess or a browser: left out of the fast subset (-m "not slow")
pytestmark = pytest.mark.slow

DEMO_CONFIG = Path(__file__).resolve().parents[2] / "aggregator" / "demo.toml"


def demo_config(tmp: Path, per_source: dict[str, dict[str, Any]]) -> Path:
    """The bundled demo config with more Scrapy ``settings`` for some of its sources."""
    text = DEMO_CONFIG.read_text("utf-8")
    names = iter(src["name"] for src in tomllib.loads(text)["sources"])

    def add(match: re.Match) -> str:
        extra = per_source.get(next(names), {})
        items = "".join(f", {key} = {json.dumps(value)}" for key, value in extra.items())
        return f"settings = {{ {match.group(1).strip()}{items} }}"

    text, count = re.subn(r"^settings = \{(.*)\}$", add, text, flags=re.M)
    config = tomllib.loads(text)
    assert count == len(config["sources"])  # each source has one settings line to extend
    for src in config["sources"]:
        for key, value in per_source.get(src["name"], {}).items():
            assert src["settings"][key] == value
    path = tmp / "workers.toml"
    path.write_text(text, "utf-8")
    return path


@dataclass
class Crawl:
    returncode: int
    stdout: str
    cwd: Path
    data_dir: Path

    def stats(self, source: str) -> dict[str, Any]:
        with sqlite3.connect(self.data_dir / "aggregator.sqlite3") as db:
            row = db.execute("SELECT stats FROM runs WHERE source = ? ORDER BY id DESC LIMIT 1",
                             (source,)).fetchone()
        return json.loads(row[0])


def crawl_demo(tmp: Path, per_source: dict[str, dict[str, Any]]) -> Crawl:
    server = start_server(site_root(), tmp / "requests.log")
    try:
        result = run_aggregator("crawl", "--config", str(demo_config(tmp, per_source)),
                                *server.routes(), "--data-dir", str(tmp / "data"),
                                "--feeds-dir", str(tmp / "feeds"), cwd=tmp)
    finally:
        stop_server(server)
    assert "Traceback" not in result.stderr, result.stderr
    return Crawl(result.returncode, result.stdout, tmp, tmp / "data")


def stored(data_dir: Path) -> dict[str, tuple]:
    """The stored articles' fields the workers must not change, by canonical URL."""
    store = open_store(data_dir)
    try:
        return {a.canonical_url: (a.source, a.title, a.body_text, a.authors, a.published,
                                  [(r.url, r.title, r.position) for r in a.related])
                for a in store.iter_articles()}
    finally:
        store.close()


WORKERS = {"AGGREGATOR_EXTRACT_WORKERS": 2}


@pytest.fixture(scope="module")
def workers_crawl(tmp_path_factory: pytest.TempPathFactory) -> Crawl:
    return crawl_demo(tmp_path_factory.mktemp("workers"),
                      {"bytewire": WORKERS, "circuitdaily": WORKERS})


@pytest.fixture(scope="module")
def flaky_crawl(tmp_path_factory: pytest.TempPathFactory) -> Crawl:
    flaky = "tests.crawl.flaky_extract."
    return crawl_demo(tmp_path_factory.mktemp("flaky-workers"), {
        "bytewire": {**WORKERS, "AGGREGATOR_EXTRACT_FUNCTION": flaky + "crash_once"},
        "circuitdaily": {**WORKERS, "AGGREGATOR_EXTRACT_FUNCTION": flaky + "raise_once"},
    })


def test_two_workers_store_the_same_articles(workers_crawl: Crawl,
                                             demo_crawl: DemoCrawl) -> None:
    assert workers_crawl.returncode == 0, workers_crawl.stdout
    expected = stored(demo_crawl.data_dir)
    assert len(expected) >= 20
    assert stored(workers_crawl.data_dir) == expected


def test_every_page_was_extracted_in_a_worker(workers_crawl: Crawl) -> None:
    for source in ("bytewire", "circuitdaily"):
        stats = workers_crawl.stats(source)
        assert stats["aggregator/pages/article"] >= 5
        # every page that reached extraction: articles and the pages that are not
        extracted = sum(v for k, v in stats.items() if k.startswith("aggregator/pages/")
                        and k not in ("aggregator/pages/unchanged", "aggregator/pages/feed",
                                      "aggregator/pages/not_text"))
        assert stats["aggregator/extract_workers/pages"] == extracted
        assert "aggregator/extract_workers/fallback" not in stats
        assert not [k for k in stats if k.startswith("aggregator/errors/extract_worker_")]


def test_a_dead_worker_is_counted_and_its_pages_extracted_here(flaky_crawl: Crawl) -> None:
    assert (flaky_crawl.cwd / "crashed-once").exists()  # a worker did die
    stats = flaky_crawl.stats("bytewire")
    broken = stats["aggregator/errors/extract_worker_BrokenProcessPool"]
    # the pages in flight in the dead pool, the one that killed it among them
    assert broken >= 1
    assert stats["aggregator/extract_workers/fallback"] == broken
    # a new pool took the other pages
    assert stats["aggregator/extract_workers/pages"] + broken >= stats["aggregator/pages/article"]
    assert stats["aggregator/extract_workers/pages"] > 0


def test_a_raising_worker_is_counted_and_the_page_extracted_here(flaky_crawl: Crawl) -> None:
    assert (flaky_crawl.cwd / "raised-once").exists()
    stats = flaky_crawl.stats("circuitdaily")
    assert stats["aggregator/errors/extract_worker_LookupError"] == 1
    assert stats["aggregator/extract_workers/fallback"] == 1
    assert stats["aggregator/extract_workers/pages"] > 0


def test_worker_failures_lose_nothing_and_are_reported(flaky_crawl: Crawl,
                                                       demo_crawl: DemoCrawl) -> None:
    # counted and shown, but no article lost: exit status 0
    assert flaky_crawl.returncode == 0, flaky_crawl.stdout
    assert "errors: extract_worker_BrokenProcessPool" in flaky_crawl.stdout
    assert "errors: extract_worker_LookupError 1" in flaky_crawl.stdout
    assert stored(flaky_crawl.data_dir) == stored(demo_crawl.data_dir)


def test_site_rules_cross_to_a_worker() -> None:
    """Compiled lxml selectors do not pickle: they travel as text and are compiled there."""
    rules = SiteRules.from_mapping({"title": "h2.headline", "body": "xpath://div[@id='text']",
                                    "remove": [".promo"]}, "test")
    page = (b"<html><body><h1>Site</h1><h2 class='headline'>The real title</h2>"
            b"<div id='text'><p class='promo'>Subscribe now</p><p>"
            + b"Chips are back in demand this quarter, analysts said on Monday. " * 10
            + b"</p></div></body></html>")
    url = "https://wire.example/2024/01/02/chips/"
    extractor = Extractor("aggregator.extraction.extract", workers=1)
    extractor.open()
    try:
        result = asyncio.run(extractor.extract(page, url, rules=rules, encoding="utf-8"))
    finally:
        extractor.close()
    expected = extract(page, url, rules=rules, encoding="utf-8")
    assert result.title == "The real title"
    assert "Subscribe" not in result.body_text
    assert result == expected
