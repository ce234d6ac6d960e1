"""The store's server goes away mid-crawl (a private PostgreSQL, stopped by its PID while a
slow site is being crawled into it): the crawl stops soon with one line naming the store and
exit status 1, no traceback, no feed rebuilt from nothing; a new server and a new crawl then
store the whole site."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import REPO
from tests.crawl.conftest import make_site
from tests.crawl.sitegen import SiteSpec
from tests.helpers.postgres import create_database, start_postgres, stop_postgres

pytestmark = pytest.mark.slow

ARTICLES = 40


def test_a_store_outage_stops_the_crawl_with_one_line(tmp_path: Path) -> None:
    site = make_site(tmp_path, SiteSpec(articles=ARTICLES), delay=0.1)
    server = site.server
    try:
        postgres = start_postgres()
    except RuntimeError as exc:
        pytest.fail(str(exc), pytrace=False)
    try:
        url = create_database(postgres, "outage")
        crawl = subprocess.Popen(
            [sys.executable, "-m", "aggregator.cli", *site.crawl_args(), "--store", url],
            cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
            env={"PYTHONPATH": str(REPO), "PATH": "/usr/bin:/bin"})
        deadline = time.monotonic() + 60
        while len(server.requests()) < 10:  # the crawl is under way
            assert time.monotonic() < deadline, "the crawl did not start"
            assert crawl.poll() is None, crawl.communicate()
            time.sleep(0.02)
        stop_postgres(postgres)  # the server goes away mid-crawl
        stopped_at = len(server.requests())
        out, err = crawl.communicate(timeout=120)
        served_after = len(server.requests()) - stopped_at
    finally:
        if crawl.poll() is None:
            crawl.kill()
        stop_postgres(postgres)
        server.process.terminate()
        server.process.wait(timeout=10)
    assert crawl.returncode == 1, out + err
    label = url.split("@")[-1]
    lines = [line for line in err.splitlines() if "unreachable" in line and label in line]
    assert len([x for x in lines if "stopping the crawl" in x]) == 1, err[-3000:]
    # one line for the outage, one for the feeds it left alone; nothing per article
    assert len(err.splitlines()) <= 6, err[-3000:]
    assert "Traceback" not in err
    assert "FAILED" in out and "unreachable" in out
    # it stopped soon: far from the whole site fetched after the outage
    assert served_after < ARTICLES // 2, served_after
    assert "feeds not rebuilt" in err


def test_a_store_outage_stops_the_workers_too(tmp_path: Path) -> None:
    """On the shared frontier (Redis + PostgreSQL): the store going away stops the
    coordinator and the worker, each with exit status 1 and the store named."""
    from tests.helpers.redis import start_redis, stop_redis

    site = make_site(tmp_path, SiteSpec(articles=ARTICLES), delay=0.1)
    server = site.server
    try:
        redis, postgres = start_redis(), start_postgres()
    except RuntimeError as exc:
        pytest.fail(str(exc), pytrace=False)
    env = {"PYTHONPATH": str(REPO), "PATH": "/usr/bin:/bin"}
    procs: list[subprocess.Popen[str]] = []
    try:
        url = create_database(postgres, "outage")
        common = [*site.crawl_args()[1:], "--redis", redis.url, "--store", url]
        procs.append(subprocess.Popen(
            [sys.executable, "-m", "aggregator.cli", "worker", *common, "--wait", "60"],
            cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env))
        procs.append(subprocess.Popen(
            [sys.executable, "-m", "aggregator.cli", "crawl", *common], cwd=tmp_path,
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env))
        deadline = time.monotonic() + 60
        while len(server.requests()) < 10:
            assert time.monotonic() < deadline, "the crawl did not start"
            assert all(p.poll() is None for p in procs), [p.communicate() for p in procs]
            time.sleep(0.02)
        stop_postgres(postgres)
        outputs = [p.communicate(timeout=120) for p in procs]
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.kill()
        stop_postgres(postgres)
        stop_redis(redis)
        server.process.terminate()
        server.process.wait(timeout=10)
    label = url.split("@")[-1]
    for proc, (out, err) in zip(procs, outputs):
        assert proc.returncode == 1, out + err[-3000:]
        assert label in err and "unreachable" in err, err[-3000:]
        assert "Traceback" not in err
