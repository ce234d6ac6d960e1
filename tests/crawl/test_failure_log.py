"""A failed crawl's log carries one line per problem (issue 14, point 6): with its sources
offline, `aggregator crawl` writes one stderr line per source and unreachable host, with no
traceback and no line about a middleware that is off; the tracebacks are in -v's log. (A URL
that answers wrongly is a problem of its own: tests/crawl/test_hostile.py names each.)"""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from tests.conftest import run_aggregator

pytestmark = pytest.mark.slow


def _closed_port() -> int:
    """A port of 127.0.0.1 that nothing listens on (bound, then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _offline_config(tmp_path: Path) -> Path:
    base = f"http://127.0.0.1:{_closed_port()}"
    config = tmp_path / "offline.toml"
    config.write_text(f"""
[[sources]]
name = "gone"
home = "{base}/"
feeds = ["{base}/feed.xml", "{base}/other.xml"]
sitemaps = ["{base}/sitemap.xml"]
sections = ["{base}/news/"]

[[sources]]
name = "away"
home = "{base}/away/"
""", "utf-8")
    return config


def test_an_offline_crawl_logs_one_line_per_source_and_unreachable_host(tmp_path: Path) -> None:
    config = _offline_config(tmp_path)
    done = run_aggregator("crawl", "--config", str(config), "--data-dir", "data",
                          "--feeds-dir", "feeds", cwd=tmp_path)
    assert done.returncode == 1, done.stdout + done.stderr
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    assert "Traceback" not in done.stderr and "direct cause" not in done.stderr
    assert "HostRoutingMiddleware" not in done.stderr
    # two sources, each with its one host refusing connections (5 URLs in all): two lines
    assert len(lines) == 2, done.stderr
    assert any("gone:" in line and "ConnectionRefused" in line for line in lines), lines
    assert any("away:" in line and "ConnectionRefused" in line for line in lines), lines
    # the summary still counts every failed URL of a source
    assert "gone             FAILED" in done.stdout
    assert "away             FAILED" in done.stdout


def test_the_tracebacks_are_in_the_verbose_log(tmp_path: Path) -> None:
    config = _offline_config(tmp_path)
    done = run_aggregator("crawl", "--config", str(config), "--data-dir", "data",
                          "--feeds-dir", "feeds", "-v", cwd=tmp_path)
    assert done.returncode == 1, done.stdout + done.stderr
    assert "Traceback" in done.stderr and "Gave up retrying" in done.stderr
    assert done.stderr.count("ConnectionRefused") >= 5  # every failed URL, each named
