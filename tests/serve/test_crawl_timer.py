"""``--crawl-every``: crawls on a timer in a subprocess, never two at once."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from aggregator.serve.crawl_timer import CrawlTimer, crawl_command, parse_duration
from tests.serve.conftest import Site, start_serve, stop_serve

#: a real crawl in a subprocess or a browser: left out of the fast subset (-m "not slow")
pytestmark = pytest.mark.slow

#: a stand-in crawl that fails if another one is running (an exclusive lock file)
FAKE_CRAWL = """
import os, sys, time
log, lock = sys.argv[1], sys.argv[2]
fd = os.open(lock, os.O_CREAT | os.O_EXCL | os.O_WRONLY)
with open(log, "a") as fh:
    fh.write("start\\n")
time.sleep(0.05)  # a crawl takes a while: long enough for an overlap to show
with open(log, "a") as fh:
    fh.write("end\\n")
os.close(fd)
os.unlink(lock)
"""


@pytest.mark.parametrize("value, seconds", [
    ("90", 90), ("90s", 90), ("30m", 1800), ("2h", 7200), ("1d", 86400), ("1.5h", 5400),
    (" 10M ", 600),
])
def test_parse_duration(value: str, seconds: float) -> None:
    assert parse_duration(value) == seconds


@pytest.mark.parametrize("value", ["", "0", "-5m", "5 minutes", "m", "1w"])
def test_parse_duration_refuses(value: str) -> None:
    with pytest.raises(ValueError, match="positive duration"):
        parse_duration(value)


def test_crawl_command() -> None:
    cmd = crawl_command("my.toml", "d", "f", ["a.example=127.0.0.1:1"])
    assert cmd == [sys.executable, "-m", "aggregator.cli", "crawl", "--data-dir", "d",
                   "--feeds-dir", "f", "--config", "my.toml", "--route", "a.example=127.0.0.1:1"]


def test_timer_never_overlaps(tmp_path: Path) -> None:
    log = tmp_path / "log"
    # an interval far shorter than a crawl: each crawl must still wait for the last one
    timer = CrawlTimer([sys.executable, "-c", FAKE_CRAWL, str(log), str(tmp_path / "lock")],
                       interval=0.001)
    timer.start()
    try:
        assert timer.wait_runs(3, timeout=30)
    finally:
        timer.stop()
    lines = log.read_text().split()
    assert len(lines) >= 6
    assert lines[: len(lines) // 2 * 2] == ["start", "end"] * (len(lines) // 2)
    assert not (tmp_path / "lock").exists()


def test_serve_runs_the_crawl_and_keeps_serving(site: Site, tmp_path: Path) -> None:
    """Through the CLI: the background crawl runs at once (here it fails, on a broken
    store), its end is reported, and the server goes on answering."""
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "aggregator.sqlite3").write_bytes(b"not a database" * 100)
    served = start_serve(site.feeds, "--crawl-every", "1h", "--config",
                         str(site.root / "sources.toml"), "--data-dir", str(tmp_path / "data"),
                         cwd=tmp_path)
    try:
        assert served.process.stdout.readline().strip() == "crawl started"
        finished = served.process.stdout.readline().strip()
        assert finished.startswith("crawl finished (exit 4)"), finished
        resp, _ = served.request("GET", "/all.rss")
        assert resp.status == 200
    finally:
        assert stop_serve(served) == 0


def test_serve_refuses_a_missing_config(site: Site, tmp_path: Path) -> None:
    import subprocess

    from tests.serve.conftest import aggregator_env

    result = subprocess.run(
        [sys.executable, "-m", "aggregator.cli", "serve", "--feeds-dir", str(site.feeds),
         "--port", "0", "--config", str(tmp_path / "missing.toml")], capture_output=True,
        text=True, timeout=30, env=aggregator_env(), cwd=tmp_path)
    assert result.returncode == 2 and "missing.toml: can't read the config" in result.stderr
    assert "Traceback" not in result.stderr


def test_serve_refuses_a_bad_interval(site: Site, tmp_path: Path) -> None:
    import subprocess

    from tests.serve.conftest import aggregator_env

    result = subprocess.run(
        [sys.executable, "-m", "aggregator.cli", "serve", "--feeds-dir", str(site.feeds),
         "--port", "0", "--crawl-every", "soon"], capture_output=True, text=True, timeout=30,
        env=aggregator_env(), cwd=tmp_path)
    assert result.returncode == 2 and "--crawl-every 'soon'" in result.stderr


def test_serve_with_crawl_every_publishes_the_demo(demo_server, tmp_path: Path) -> None:
    """The real thing: serving an empty folder, the background ``aggregator crawl`` of the
    demo sites fills it, and the new feeds and index page are served at once."""
    import feedparser

    served = start_serve(tmp_path / "feeds", "--crawl-every", "1h", "--config", "demo",
                         "--data-dir", str(tmp_path / "data"), *demo_server.routes(),
                         cwd=tmp_path)
    try:
        assert served.process.stdout.readline().strip() == "crawl started"
        finished = served.process.stdout.readline().strip()
        assert finished.startswith("crawl finished (exit 0)"), finished
        resp, body = served.request("GET", "/all.rss", {"If-None-Match": '"old"'})
        assert resp.status == 200
        assert len(feedparser.parse(body).entries) > 5
        index, html = served.request("GET", "/")
        assert index.status == 200 and b"bytewire.rss" in html
    finally:
        assert stop_serve(served) == 0
