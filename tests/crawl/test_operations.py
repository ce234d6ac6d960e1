"""Politeness (robots.txt, User-Agent), the schedule command, the sources command and
config errors, and the status command's drift warnings after a site's layout changes."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from aggregator.config import ConfigError, load_config, parse_config
from aggregator.schedule import next_delay, parse_duration
from tests.conftest import REPO, run_aggregator
from tests.crawl.conftest import close_site, make_site
from tests.crawl.sitegen import SiteSpec

#: a real crawl in a subprocess or a browser: left out of the fast subset (-m "not slow")
pytestmark = pytest.mark.slow


def test_robots_disallow_and_user_agent_contact(tmp_path: Path) -> None:
    site = make_site(tmp_path, SiteSpec(articles=6))
    try:
        site.write_config(prefix='[aggregator]\ncontact_url = "https://ops.example/bot"\n\n')
        result = site.crawl()
        assert result.returncode == 0, result.stdout + result.stderr
        requests = site.server.requests()
        env = dict(os.environ, AGGREGATOR_CONTACT_URL="https://env.example/contact",
                   PYTHONPATH=str(REPO))
        mark = len(requests)
        again = subprocess.run([sys.executable, "-m", "aggregator.cli", *site.crawl_args()],
                               cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)
        assert again.returncode == 0, again.stderr
        later = site.server.requests()[mark:]
    finally:
        close_site(site)
    paths = [r["path"] for r in requests]
    assert "/robots.txt" in paths
    # the home page links to /private/drafts/, which robots.txt disallows
    assert not [p for p in paths if p.startswith("/private/")]
    assert all(r["agent"].startswith("aggregator/")
               and r["agent"].endswith(" (+https://ops.example/bot)") for r in requests)
    assert later and all(r["agent"].endswith("(+https://env.example/contact)") for r in later)


def test_schedule_runs_crawls_one_at_a_time(tmp_path: Path) -> None:
    site = make_site(tmp_path, SiteSpec(articles=6))
    try:
        result = run_aggregator("schedule", "--every", "0.2s", "--max-runs", "2", "--",
                                *site.crawl_args()[1:], cwd=tmp_path)
    finally:
        close_site(site)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "run 1:" in result.stdout and "run 2:" in result.stdout and "run 3:" not in result.stdout
    runs = site.query("SELECT started, finished, stats FROM runs ORDER BY id")
    assert len(runs) == 2
    assert runs[0][1] <= runs[1][0]  # the second started after the first finished
    assert site.query("SELECT COUNT(*) FROM articles")[0][0] == 6


def test_schedule_refuses_a_second_scheduler(tmp_path: Path) -> None:
    from aggregator.schedule import schedule_lock

    with schedule_lock(tmp_path / "data"):
        result = run_aggregator("schedule", "--every", "1s", "--max-runs", "1", "--",
                                "--data-dir", str(tmp_path / "data"), cwd=tmp_path)
    assert result.returncode == 3 and "another scheduler" in result.stderr


def test_durations_and_jitter() -> None:
    import random

    assert parse_duration("30m") == 1800 and parse_duration("1h30m") == 5400
    assert parse_duration("45") == 45
    with pytest.raises(ValueError):
        parse_duration("soon")
    rng = random.Random(1)
    delays = [next_delay(1800, 300, rng) for _ in range(200)]
    assert all(1500 <= d <= 2100 for d in delays) and len(set(delays)) > 100


def test_sources_command_lists_discovery_settings(tmp_path: Path) -> None:
    config = tmp_path / "s.toml"
    config.write_text('[[sources]]\nname = "one"\nhome = "https://one.example/"\n'
                      'feeds = ["https://one.example/feed"]\nrefresh_hours = 6\nrender = true\n')
    result = run_aggregator("sources", "--config", str(config), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "one" in result.stdout and "https://one.example/feed" in result.stdout
    assert "refresh age      6 h" in result.stdout
    assert "render           every page, in headless Chromium" in result.stdout
    bundled = run_aggregator("sources", cwd=tmp_path)
    assert bundled.returncode == 0
    assert bundled.stdout.splitlines()[0].endswith(f"{len(load_config().sources)} sources")


def test_bundled_config_lists_ten_real_sites() -> None:
    config = load_config()
    assert len(config.sources) >= 10
    for src in config.sources:
        assert src.feeds or src.sitemaps, src.name
        assert all(u.startswith("https://") for u in [*src.feeds, *src.sitemaps]), src.name


@pytest.mark.parametrize("body, where", [
    ('[[sources]]\nname = "a"\nhome = "https://a.example/"\nrefresh_hours = -1\n',
     "source 'a': key 'refresh_hours'"),
    ('[[sources]]\nname = "a"\nhome = "https://a.example/"\nfeeds = ["ftp://x"]\n',
     "source 'a': key 'feeds'"),
    ('[[sources]]\nname = "a"\nhome = "https://a.example/"\nfollow_related = "two"\n',
     "source 'a': key 'follow_related'"),
    ('[[sources]]\nname = "a"\nhome = "https://a.example/"\ntimezone = "Mars/Base"\n',
     "source 'a': key 'timezone'"),
    ('[[sources]]\nname = "a"\nhome = "https://a.example/"\nfeed = []\n',
     "source 'a': unknown key 'feed'"),
])
def test_config_errors_name_file_source_and_key(body: str, where: str) -> None:
    with pytest.raises(ConfigError) as info:
        parse_config(body, "my.toml")
    assert str(info.value).startswith("my.toml: ") and where in str(info.value)


def test_crawl_reports_a_config_error_by_file(tmp_path: Path) -> None:
    config = tmp_path / "bad.toml"
    config.write_text('[[sources]]\nname = "a"\nhome = "https://a.example/"\nsitemaps = "x"\n')
    result = run_aggregator("crawl", "--config", str(config), cwd=tmp_path)
    assert result.returncode == 2
    assert f"{config}: source 'a': key 'sitemaps'" in result.stderr


def test_status_warns_when_a_redesign_loses_fields_then_articles(tmp_path: Path) -> None:
    # every article is re-checked each run, so a changed page is read again
    site = make_site(tmp_path, SiteSpec(articles=8), refresh_hours=10_000_000)
    try:
        assert site.crawl().returncode == 0
        healthy = run_aggregator("status", "--data-dir", str(site.data_dir), cwd=tmp_path)
        assert healthy.returncode == 0, healthy.stdout
        assert "WARNING" not in healthy.stdout
        assert "coverage (8 articles" in healthy.stdout and "date 100%" in healthy.stdout

        site.write(layout="plain")  # dates and authors vanish from every article page
        assert site.crawl().returncode == 0
        plain = run_aggregator("status", "--data-dir", str(site.data_dir), cwd=tmp_path)
        assert plain.returncode == 1
        assert "WARNING: coverage of date fell to 0% (was 100%" in plain.stdout
        assert "WARNING: coverage of author fell to 0% (was 100%" in plain.stdout
        assert "coverage of image" not in plain.stdout

        site.write(layout="teasers")  # article URLs now serve lists: no article found
        assert site.crawl().returncode == 0
        gone = run_aggregator("status", "--data-dir", str(site.data_dir), cwd=tmp_path)
    finally:
        close_site(site)
    assert gone.returncode == 1
    assert "WARNING: 8 page(s) that were articles are not recognised as articles" in gone.stdout
