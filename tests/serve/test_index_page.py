"""The index page and the feed pages, as published by the real publisher."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

import feedparser
import lxml.html

from aggregator.exporters.index_page import FORMATS, ArticleLink, FeedInfo, write_index
from tests.serve.conftest import HOSTILE_TITLE, Site


def test_publish_writes_index_and_static_files(site: Site) -> None:
    for name in ("index.html", "style.css", "all.html", "alpha.html", "beta.html"):
        assert (site.feeds / name).is_file(), name
    assert not (site.feeds / "feed.xsl").exists()


def test_index_lists_every_feed_with_subscribe_links(site: Site) -> None:
    doc = lxml.html.parse(str(site.feeds / "index.html")).getroot()
    sections = {s.get("id"): s for s in doc.cssselect("section.feed")}
    assert set(sections) == {"feed-all", "feed-alpha", "feed-beta"}
    alpha = sections["feed-alpha"]
    assert alpha.cssselect("h2")[0].text_content() == "Alpha <News>"
    meta = alpha.cssselect(".meta")[0].text_content()
    assert "7 items" in meta and "from Alpha <News>" in meta and "2024-03-01 15:00 UTC" in meta
    assert [a.get("href") for a in alpha.cssselect("a.fmt")] == [
        "alpha.rss", "alpha.atom", "alpha.json"]
    newest = [a.text_content() for a in alpha.cssselect(".newest a")]
    assert newest == [f"Alpha story number {n}" for n in (7, 6, 5, 4, 3)]
    assert "from Alpha <News>, Beta Daily" in sections["feed-all"].cssselect(".meta")[0] \
        .text_content()
    assert doc.cssselect('a[href="feeds.opml"]')
    assert alpha.cssselect("h2 a")[0].get("href") == "alpha.html"


def test_autodiscovery_links(site: Site) -> None:
    doc = lxml.html.parse(str(site.feeds / "index.html")).getroot()
    links = {(link.get("type"), link.get("href"))
             for link in doc.cssselect('head link[rel="alternate"]')}
    expected = {(FORMATS[ext].media_type, f"{name}.{ext}")
                for name in ("all", "alpha", "beta") for ext in ("rss", "atom", "json")}
    assert links == expected
    for _, href in links:
        assert (site.feeds / href).is_file()


def test_hostile_titles_stay_text(site: Site) -> None:
    html = (site.feeds / "index.html").read_text("utf-8")
    assert "<script" not in html and "<b>bold" not in html
    doc = lxml.html.fromstring(html)
    assert not doc.cssselect("script") and not doc.cssselect("b")
    assert HOSTILE_TITLE in [a.text_content() for a in doc.cssselect(".newest a")]


def test_hostile_feed_info(tmp_path: Path) -> None:
    when = datetime(2024, 1, 2, 3, 4, tzinfo=timezone.utc)
    evil = '"><img src=x onerror=alert(1)>'
    path = write_index(tmp_path, [FeedInfo(
        name='x"y', title=evil, sources=[evil], item_count=1, updated=when,
        formats={"rss": 'x"y.rss'}, description=evil,
        newest=[ArticleLink(title=evil, url="javascript:alert(1)", date=when),
                ArticleLink(title="ok", url='http://a.example/?q="><b>', date=None)])])
    doc = lxml.html.parse(str(path)).getroot()
    assert not doc.cssselect("img") and not doc.cssselect("b") and not doc.cssselect("[onerror]")
    assert not [a for a in doc.iter("a") if "javascript" in (a.get("href") or "")]
    assert doc.cssselect("a.fmt")[0].get("href") == "x%22y.rss"
    assert doc.cssselect(".newest a")[0].get("href") == 'http://a.example/?q="><b>'
    assert (tmp_path / "style.css").is_file()


def test_index_is_unchanged_when_nothing_changed(tmp_path: Path) -> None:
    info = [FeedInfo(name="all", title="All", formats={"rss": "all.rss"})]
    path = write_index(tmp_path, info)
    mtime = path.stat().st_mtime_ns
    assert write_index(tmp_path, info).stat().st_mtime_ns == mtime


def test_feeds_are_clean_and_valid(site: Site) -> None:
    """No xml-stylesheet instruction: browsers read the feed pages, readers the feeds."""
    for ext in ("rss", "atom"):
        data = (site.feeds / f"alpha.{ext}").read_bytes()
        assert b"<?xml-stylesheet" not in data
        parsed = feedparser.parse(data)
        assert not parsed.bozo, parsed.get("bozo_exception")
        assert len(parsed.entries) == 7


def test_feed_page_keeps_hostile_titles_text(site: Site) -> None:
    for name in ("beta.html", "all.html"):
        doc = lxml.html.parse(str(site.feeds / name)).getroot()
        titles = [a.text_content() for a in doc.cssselect("article.entry h2 a")]
        assert HOSTILE_TITLE in titles and "Beta story number 1" in titles, name
        assert not doc.cssselect("script") and not doc.cssselect("b")
    doc = lxml.html.parse(str(site.feeds / "beta.html")).getroot()
    assert doc.findtext(".//h1") == "Beta Daily"
    assert doc.cssselect("article.entry h2 a")[1].get("href") == \
        "http://beta.example/2024/03/story-5/"
