"""The shared frontier on a real Redis (Debian's redis-server, started here on a free loopback
port): a coordinator (``aggregator crawl --redis``) and 1, 2 or 4 ``aggregator worker``
processes crawl a generated site into one store; a worker SIGKILLed mid-crawl loses nothing
that the next run does not complete."""

from __future__ import annotations

import collections
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis

from aggregator.frontier import Keys
from aggregator.frontier.politeness import _ACQUIRE, domain_keys
from tests.conftest import REPO, run_aggregator
from tests.crawl.conftest import GenSite, close_site, make_site
from tests.crawl.sitegen import SiteSpec
from tests.helpers.redis import RunningRedis, start_redis, stop_redis

pytestmark = pytest.mark.slow

ARTICLES = 24


@pytest.fixture
def redis_server() -> Iterator[RunningRedis]:
    try:
        server = start_redis()
    except RuntimeError as exc:
        pytest.fail(str(exc), pytrace=False)
    yield server
    stop_redis(server)


def _env() -> dict[str, str]:
    return dict(os.environ, PYTHONPATH=str(REPO) + os.pathsep + os.environ.get("PYTHONPATH", ""))


def start_worker(site: GenSite, redis_url: str, name: str, *extra: str
                 ) -> subprocess.Popen[str]:
    log = open(site.tmp / f"{name}.log", "w")  # noqa: SIM115 (closed with the process)
    return subprocess.Popen([sys.executable, "-m", "aggregator.cli", "worker",
                             *site.crawl_args()[1:], "--redis", redis_url, *extra,
                             "--wait", "120"],
                            cwd=site.tmp, env=_env(), stdout=log, stderr=subprocess.STDOUT,
                            text=True)


def finish(worker: subprocess.Popen[str], site: GenSite, name: str) -> str:
    worker.wait(timeout=180)
    return (site.tmp / f"{name}.log").read_text()


def fetched(site: GenSite) -> collections.Counter[str]:
    """Requests the site answered, by path (robots.txt aside: each worker reads it once)."""
    return collections.Counter(r["path"] for r in site.server.requests()
                               if r["path"] != "/robots.txt")


@pytest.mark.parametrize("workers", [1, 2, 4])
def test_workers_crawl_a_site_once_into_one_store(tmp_path: Path, redis_server: RunningRedis,
                                                  workers: int) -> None:
    site = make_site(tmp_path, SiteSpec(articles=ARTICLES))
    try:
        procs = [start_worker(site, redis_server.url, f"w{i}") for i in range(workers)]
        coordinator = run_aggregator(*site.crawl_args(), "--redis", redis_server.url,
                                     cwd=tmp_path)
        logs = [finish(p, site, f"w{i}") for i, p in enumerate(procs)]
        paths = fetched(site)
        answered = len(site.server.requests())
    finally:
        close_site(site)
    assert coordinator.returncode == 0, coordinator.stdout + coordinator.stderr
    for proc, log in zip(procs, logs):
        assert proc.returncode == 0, log
        assert "worker done:" in log
    # every article of the site stored, once
    total, distinct = site.query("SELECT COUNT(*), COUNT(DISTINCT canonical_url) FROM articles")[0]
    assert total == distinct == ARTICLES
    assert site.query("SELECT MAX(version) FROM articles")[0][0] == 1
    # no page fetched twice across the workers (tracking-parameter variants are one URL)
    assert paths and max(paths.values()) == 1, paths.most_common(3)
    assert not [p for p in paths if "utm_" in p]
    # the dates the sitemap listed each article with are in its state, whichever worker
    # read the sitemap and whichever fetched the article (the next run compares them)
    listed = site.query("SELECT COUNT(*) FROM url_state WHERE kind = 'article'"
                        " AND listed LIKE '%sitemap-articles.xml%'")[0][0]
    assert listed == ARTICLES
    # one run record, with every worker's statistics in it
    runs = site.query("SELECT COUNT(*), SUM(finished IS NOT NULL), SUM(ok) FROM runs")[0]
    assert runs == (1, 1, 1)
    stats = site.last_stats()
    assert stats["response_received_count"] == answered  # robots.txt included
    assert stats["aggregator/store/new"] == ARTICLES
    assert stats["finish_reason"] == "finished"
    # the feeds were published once, by the coordinator, from the shared store: what
    # `aggregator feeds` publishes from that store is byte-identical
    again = run_aggregator("feeds", "--data-dir", str(site.data_dir), "--feeds-dir",
                           str(tmp_path / "feeds-again"), cwd=tmp_path)
    assert again.returncode == 0, again.stderr
    published = sorted(p.name for p in (tmp_path / "feeds").iterdir() if p.is_file())
    assert "gen.rss" in published and "all.atom" in published
    for name in ("gen.rss", "gen.atom", "gen.json", "all.rss"):
        assert (tmp_path / "feeds" / name).read_bytes() == \
            (tmp_path / "feeds-again" / name).read_bytes(), name
    # the run is done: Redis no longer holds its queues, and no run is current
    client = redis.Redis.from_url(redis_server.url)
    assert client.get(Keys.CURRENT) is None
    assert not client.exists(Keys(1).queue("gen")) and not client.exists(Keys(1).seen("gen"))


def test_two_workers_share_one_postgresql_store(tmp_path: Path, redis_server: RunningRedis,
                                                postgres_url: str) -> None:
    """The deployment the scaling guide describes: Redis for the frontier, PostgreSQL for
    the store; nothing is written to a local SQLite file."""
    import psycopg

    site = make_site(tmp_path, SiteSpec(articles=ARTICLES))
    try:
        procs = [start_worker(site, redis_server.url, f"w{i}", "--store", postgres_url)
                 for i in range(2)]
        coordinator = run_aggregator(*site.crawl_args(), "--redis", redis_server.url,
                                     "--store", postgres_url, cwd=tmp_path)
        logs = [finish(p, site, f"w{i}") for i, p in enumerate(procs)]
        paths = fetched(site)
    finally:
        close_site(site)
    assert coordinator.returncode == 0, coordinator.stdout + coordinator.stderr
    assert all(p.returncode == 0 for p in procs), logs
    assert paths and max(paths.values()) == 1, paths.most_common(3)
    with psycopg.connect(postgres_url) as conn:
        total, distinct = conn.execute(
            "SELECT COUNT(*), COUNT(DISTINCT canonical_url) FROM articles").fetchone()
        runs = conn.execute("SELECT COUNT(*), COUNT(finished), SUM(ok) FROM runs").fetchone()
    assert total == distinct == ARTICLES
    assert tuple(runs) == (1, 1, 1)
    assert not (site.data_dir / "aggregator.sqlite3").exists()
    assert (tmp_path / "feeds" / "gen.atom").is_file()


def test_worker_killed_mid_crawl_then_next_run_completes(tmp_path: Path,
                                                          redis_server: RunningRedis) -> None:
    site = make_site(tmp_path, SiteSpec(articles=30), delay=0.2)
    server = site.server
    try:
        victim = start_worker(site, redis_server.url, "victim")
        other = start_worker(site, redis_server.url, "other")
        coordinator = subprocess.Popen(
            [sys.executable, "-m", "aggregator.cli", *site.crawl_args(), "--redis",
             redis_server.url], cwd=tmp_path, env=_env(), stdout=subprocess.PIPE,
            stderr=subprocess.PIPE, text=True)
        deadline = time.monotonic() + 60
        while len(server.requests()) < 12:  # the server's log, written by another process
            assert time.monotonic() < deadline, "the crawl did not start"
            assert coordinator.poll() is None, coordinator.communicate()
            time.sleep(0.02)
        status = run_aggregator("status", "--redis", redis_server.url, "--data-dir",
                                str(site.data_dir), cwd=tmp_path)
        victim.send_signal(signal.SIGKILL)
        victim.wait(timeout=30)
        assert "frontier: run 1 crawling: gen " in status.stdout, status.stdout + status.stderr
        assert "workers: 2 alive" in status.stdout
        assert status.stdout.count("requests taken") == 2
        out, err = coordinator.communicate(timeout=180)
        other_log = finish(other, site, "other")
        assert coordinator.returncode == 0, out + err
        assert other.returncode == 0, other_log
        first = site.query("SELECT COUNT(*) FROM articles")[0][0]
        assert site.query("SELECT COUNT(*), SUM(finished IS NOT NULL) FROM runs")[0] == (1, 1)

        # the next run, with one worker, completes the set
        worker = start_worker(site, redis_server.url, "next")
        again = run_aggregator(*site.crawl_args(), "--redis", redis_server.url, cwd=tmp_path)
        next_log = finish(worker, site, "next")
        assert again.returncode == 0, again.stdout + again.stderr
        assert worker.returncode == 0, next_log
    finally:
        server.process.terminate()
        server.process.wait(timeout=10)
    total, distinct = site.query("SELECT COUNT(*), COUNT(DISTINCT canonical_url) FROM articles")[0]
    assert total == distinct == 30, (first, total, distinct)
    assert site.query("SELECT MAX(version) FROM articles")[0][0] == 1  # none stored twice
    assert site.query("SELECT COUNT(*) FROM article_versions")[0][0] == 30
    assert site.query("SELECT COUNT(*) FROM runs WHERE finished IS NOT NULL")[0][0] == 2
    # what the killed worker held (if anything was lost) is what the second run added
    assert site.last_stats().get("aggregator/store/new", 0) == 30 - first


def test_politeness_is_global_across_clients(redis_server: RunningRedis) -> None:
    """Two clients (as two workers) taking places of one domain: never more than the limit
    at once, and the delay holds between any two of them."""
    a, b = (redis.Redis.from_url(redis_server.url) for _ in range(2))
    slots, delay = domain_keys("gen.example")
    acquire = [c.register_script(_ACQUIRE) for c in (a, b)]
    # limit 2, no delay: a third place is refused (-1) until one is given back
    assert acquire[0](keys=[slots, delay], args=["a1", 2, 60000, 0]) == 0
    assert acquire[1](keys=[slots, delay], args=["b1", 2, 60000, 0]) == 0
    assert acquire[1](keys=[slots, delay], args=["b2", 2, 60000, 0]) == -1
    b.zrem(slots, "a1")
    assert acquire[1](keys=[slots, delay], args=["b2", 2, 60000, 0]) == 0
    # a place whose owner's heartbeat key is gone (a killed worker) is free again
    a.delete(slots)
    a.set("hb:alive", 1)
    assert acquire[0](keys=[slots, delay], args=["hb:alive|x", 2, 60000, 0]) == 0
    assert acquire[0](keys=[slots, delay], args=["hb:dead|y", 2, 60000, 0]) == 0
    assert acquire[1](keys=[slots, delay], args=["hb:alive|z", 2, 60000, 0]) == 0
    assert acquire[1](keys=[slots, delay], args=["hb:alive|w", 2, 60000, 0]) == -1
    a.delete(slots)
    # a delay of 5 s: the other client must wait (about) that long
    assert acquire[0](keys=[slots, delay], args=["a2", 4, 60000, 5000]) == 0
    wait = acquire[1](keys=[slots, delay], args=["b3", 4, 60000, 5000])
    assert 4000 < wait <= 5000


def test_redis_outage_stops_workers_with_a_clear_error(tmp_path: Path,
                                                       redis_server: RunningRedis) -> None:
    site = make_site(tmp_path, SiteSpec(articles=30), delay=0.2)
    server = site.server
    try:
        worker = start_worker(site, redis_server.url, "w")
        coordinator = subprocess.Popen(
            [sys.executable, "-m", "aggregator.cli", *site.crawl_args(), "--redis",
             redis_server.url], cwd=tmp_path, env=_env(), stdout=subprocess.PIPE,
            stderr=subprocess.PIPE, text=True)
        deadline = time.monotonic() + 60
        while len(server.requests()) < 8:
            assert time.monotonic() < deadline, "the crawl did not start"
            time.sleep(0.02)
        stop_redis(redis_server)  # Redis goes away mid-crawl
        out, err = coordinator.communicate(timeout=120)
        log = finish(worker, site, "w")
    finally:
        server.process.terminate()
        server.process.wait(timeout=10)
    assert worker.returncode == 1, log
    assert f"Redis at {redis_server.url} unreachable" in log
    assert "Traceback" not in log
    assert coordinator.returncode == 1, out + err
    assert "Redis at" in err and "unreachable" in err
    # nothing half-written: every stored article is whole, and the run is recorded as failed
    assert site.query("SELECT COUNT(*) FROM articles WHERE body_text = ''")[0][0] == 0
    assert site.query("SELECT COUNT(*), SUM(ok) FROM runs")[0] == (1, 0)
