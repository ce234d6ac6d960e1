"""A real browser (Debian's headless Chromium) loads the index page and the feed pages,
served and straight from the folder (file://, where XSLT-styled feeds showed a blank page);
the rendered DOM is checked and screenshots are kept."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import re

import lxml.html
import pytest

from tests.serve.conftest import HOSTILE_TITLE, Served, Site, keep_artifact

#: a real crawl in a subprocess or a browser: left out of the fast subset (-m "not slow")
pytestmark = pytest.mark.slow

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]
#: what each browser run does: (name, page, extra arguments); a page starting with "file:"
#: is opened from the feeds folder, any other from the server
RUNS = [
    ("index-dom", "", ["--dump-dom"]),
    ("page-dom", "alpha.html", ["--dump-dom"]),
    ("all-page-dom", "all.html", ["--dump-dom"]),
    ("file-index-dom", "file:index.html", ["--dump-dom"]),
    ("file-page-dom", "file:alpha.html", ["--dump-dom"]),
    ("index-desktop", "", ["--screenshot={png}", "--window-size=1280,1600"]),
    ("index-phone", "", ["--screenshot={png}", "--window-size=390,1400"]),
    ("feed-desktop", "all.html", ["--screenshot={png}", "--window-size=1280,1600"]),
    ("feed-phone", "file:all.html", ["--screenshot={png}", "--window-size=390,1400"]),
]
DATE = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d UTC$")


@pytest.fixture(scope="module")
def browser(served: Served, tmp_path_factory: pytest.TempPathFactory,
            ) -> Iterator[tuple[dict[str, str], dict[str, Path]]]:
    """Run every browser job at once (each with its own profile); return DOMs and PNGs."""
    tmp = tmp_path_factory.mktemp("chromium")
    procs = {}
    shots = {}
    for name, page, extra in RUNS:
        png = tmp / f"serve-{name}.png"
        args = [a.format(png=png) for a in extra]
        if any(a.startswith("--screenshot") for a in args):
            shots[name] = png
        procs[name] = subprocess.Popen(
            [CHROMIUM, *FLAGS, f"--user-data-dir={tmp / ('profile-' + name)}", *args,
             (served.feeds / page[5:]).resolve().as_uri() if page.startswith("file:")
             else served.url + page],
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, cwd=tmp)
    doms = {}
    try:
        for name, proc in procs.items():
            out, _ = proc.communicate(timeout=90)
            assert proc.returncode == 0, f"chromium {name} exited {proc.returncode}"
            doms[name] = out
    finally:
        for proc in procs.values():
            if proc.poll() is None:
                proc.kill()
                proc.wait()
    for png in shots.values():
        keep_artifact(png)
    yield doms, shots


def test_index_page_renders(site: Site, browser: tuple[dict[str, str], dict[str, Path]]) -> None:
    doms, _ = browser
    doc = lxml.html.fromstring(doms["index-dom"])
    text = doc.text_content()
    for title in ("All articles", "Alpha <News>", "Beta Daily", "Alpha story number 7",
                  HOSTILE_TITLE):
        assert title in text, title
    assert not doc.cssselect("script") and not doc.cssselect("b")
    assert len(doc.cssselect('link[rel="alternate"]')) == 9


@pytest.mark.parametrize("dom", ["page-dom", "file-page-dom"])
def test_feed_page_renders(browser: tuple[dict[str, str], dict[str, Path]], dom: str) -> None:
    """Served or opened as a file: the feed's articles in full, image, suggested links,
    subscribe buttons, one date format, and no script."""
    doms, _ = browser
    doc = lxml.html.fromstring(doms[dom])
    assert doc.findtext(".//h1") == "Alpha <News>"
    entries = doc.cssselect("article.entry")
    assert [e.cssselect("h2 a")[0].text_content() for e in entries] == [
        f"Alpha story number {n}" for n in range(7, 0, -1)]
    first = entries[0]
    text = first.text_content()
    assert "First paragraph of story 7." in text and "Second paragraph of story 7." in text
    assert [img.get("src") for img in first.cssselect("img")] == ["http://alpha.example/img/7.jpg"]
    assert "Suggested articles" in text
    assert [(a.get("href"), a.text_content()) for a in first.cssselect(".content ul a")] == [
        ("http://alpha.example/2024/03/story-8/", "Next alpha story 8")]
    assert [a.get("href") for a in doc.cssselect(".subscribe a.fmt")] == [
        "alpha.rss", "alpha.atom", "alpha.json"]
    dates = [t.text_content() for t in doc.iter("time")]
    assert len(dates) == 7 and all(DATE.match(d) for d in dates), dates
    assert not doc.cssselect("script") and not doc.cssselect("b")


def test_all_page_keeps_hostile_titles_text(browser: tuple[dict[str, str], dict[str, Path]],
                                            ) -> None:
    doms, _ = browser
    doc = lxml.html.fromstring(doms["all-page-dom"])
    titles = [a.text_content() for a in doc.cssselect("article.entry h2 a")]
    assert len(titles) == 13 and HOSTILE_TITLE in titles
    assert not doc.cssselect("script") and not doc.cssselect("b")


def test_index_from_the_folder_links_pages_and_lists(
        browser: tuple[dict[str, str], dict[str, Path]]) -> None:
    doms, _ = browser
    doc = lxml.html.fromstring(doms["file-index-dom"])
    assert [a.get("href") for a in doc.cssselect("section.feed h2 a")] == [
        "all.html", "alpha.html", "beta.html"]
    assert [a.get("href") for a in doc.cssselect(".opml a")] == [
        "feeds.opml", "feeds-atom.opml", "feeds-json.opml"]
    assert "aggregator serve" in doc.cssselect(".notice")[0].text_content()


def test_screenshots_saved(browser: tuple[dict[str, str], dict[str, Path]]) -> None:
    _, shots = browser
    for name, png in shots.items():
        data = png.read_bytes()
        assert data.startswith(b"\x89PNG\r\n\x1a\n") and len(data) > 10_000, name
