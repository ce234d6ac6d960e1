"""A new user's path, with only the steps the README shows: ``aggregator demo``, open
``feeds/index.html`` in a browser and a feed's page from it, import ``feeds/feeds.opml``
into newsboat and read an article with its image and suggested links."""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
from pathlib import Path

import lxml.html
import pytest

from tests.conftest import REPO, run_aggregator
from tests.helpers.readers import newsboat

#: a real crawl in a subprocess and a browser: left out of the fast subset
pytestmark = pytest.mark.slow

README = (REPO / "README.md").read_text("utf-8")
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def dump_dom(page: Path, profile: Path) -> lxml.html.HtmlElement:
    out = subprocess.run([CHROMIUM, *FLAGS, f"--user-data-dir={profile}", "--dump-dom",
                          page.resolve().as_uri()],
                         capture_output=True, text=True, timeout=90, check=True).stdout
    return lxml.html.fromstring(out)


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The quick start's first command, in a fresh folder."""
    assert "aggregator demo" in README
    home = tmp_path_factory.mktemp("quick-start")
    result = run_aggregator("demo", cwd=home)
    assert result.returncode == 0, result.stdout + result.stderr
    return home


def test_the_readme_shows_each_step() -> None:
    for step in ("Open `feeds/index.html` in a browser", "newsboat -i feeds/feeds.opml"):
        assert step in README, step


def test_index_then_a_feed_page_in_a_browser(demo: Path, tmp_path: Path) -> None:
    index = dump_dom(demo / "feeds" / "index.html", tmp_path / "profile")
    pages = [a.get("href") for a in index.cssselect("section.feed h2 a")]
    assert pages[0] == "all.html"
    page = dump_dom(demo / "feeds" / pages[0], tmp_path / "profile")
    entries = page.cssselect("article.entry")
    assert len(entries) >= 16
    with_image = [e for e in entries if e.cssselect(".content img[src^='http']")]
    with_links = [e for e in entries if "Suggested articles" in e.text_content()
                  and e.cssselect(".content ul a[href^='http']")]
    assert set(map(id, with_image)) & set(map(id, with_links))
    assert all(len(e.text_content()) > 300 for e in entries)  # the full text, not a summary


def test_newsboat_imports_the_list_and_shows_articles(demo: Path) -> None:
    # as the README says, from the folder the demo ran in
    result = newsboat(demo, "-u", "urls", "-i", "feeds/feeds.opml")
    assert result.returncode == 0, result.stderr
    result = newsboat(demo, "-u", "urls", "-c", "cache.db", "-x", "reload", "print-unread")
    assert result.returncode == 0, result.stderr
    unread = int(result.stdout.split()[0])
    assert unread >= 16, result.stdout
    with sqlite3.connect(demo / "cache.db") as conn:
        contents = [row[0] for row in conn.execute("SELECT content FROM rss_item")]
    assert len(contents) == unread
    assert any("<img" in c and "Suggested articles" in c for c in contents)
