"""`aggregator crawl`'s exit status and summary when a feed fails its check (issue 13,
defect 7): never 0, and the summary names only feed files that exist."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.conftest import run_aggregator


def test_a_feed_that_fails_its_check_fails_the_run_and_only_real_files_are_named(
        tmp_path: Path) -> None:
    config = tmp_path / "empty.toml"
    config.write_text("", "utf-8")  # no sources: the combined feed has no link, RSS refuses it
    done = run_aggregator("crawl", "--config", str(config), "--data-dir", str(tmp_path / "data"),
                          "--feeds-dir", str(tmp_path / "feeds"), cwd=tmp_path)
    assert done.returncode == 1, done.stdout + done.stderr
    assert "feed not published" in done.stdout and "all.rss" in done.stdout
    named = re.search(r"^feeds: (.*)$", done.stdout, re.MULTILINE)
    assert named is not None
    for name in re.findall(r"(\S+\.(?:rss|atom|json))", named.group(1)):
        assert (tmp_path / name).is_file(), name
    assert "Traceback" not in done.stderr


@pytest.mark.slow
def test_crawl_config_demo_serves_the_demo_sites_itself(tmp_path: Path) -> None:
    """`aggregator crawl --config demo` works from the README alone (issue 14 point 8): the
    demo's hosts exist nowhere, so the crawl serves them on 127.0.0.1 as `demo` does."""
    import feedparser

    done = run_aggregator("crawl", "--config", "demo", cwd=tmp_path, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    assert re.search(r"^demo sites bytewire\.example, circuitdaily\.example served at "
                     r"http://127\.0\.0\.1:\d+", done.stdout, re.MULTILINE), done.stdout
    for source in ("bytewire", "circuitdaily"):
        line = next(x for x in done.stdout.splitlines() if x.startswith(source + " "))
        assert " ok " in line and not re.search(r"new\s+0 ", line), line
    entries = feedparser.parse((tmp_path / "feeds" / "all.atom").read_bytes()).entries
    assert len(entries) >= 20
