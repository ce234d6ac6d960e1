"""One plain HTML page per feed (``<feed>.html``): no XSLT, readable from file:// too; the
feeds themselves stay clean XML."""

from __future__ import annotations

import re
from pathlib import Path

import lxml.html
import pytest

from aggregator.exporters.model import page_filename
from aggregator.exporters.publish import publish_feeds
from tests.exporters.synthetic import config, filled_store, make_article

DATE = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d UTC$")


@pytest.fixture(scope="module")
def feeds(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp = tmp_path_factory.mktemp("pages")
    store = filled_store(tmp, 6)
    store.save_article(make_article(7, "beta", title='<script>alert(1)</script> & "x"',
                                    authors=["Ann Lee", "Bob Roe"]))
    publish_feeds(store, config(), tmp / "feeds")
    store.close()
    return tmp / "feeds"


def test_feeds_are_clean_xml(feeds: Path) -> None:
    for name in ("all.rss", "all.atom", "alpha.rss", "beta.atom"):
        data = (feeds / name).read_bytes()
        assert b"xml-stylesheet" not in data and b".xsl" not in data, name
    assert not (feeds / "feed.xsl").exists()


def test_every_feed_has_a_page(feeds: Path) -> None:
    assert sorted(p.name for p in feeds.glob("*.html")) == [
        "all.html", "alpha.html", "beta.html", "index.html"]


def test_a_page_shows_full_articles(feeds: Path) -> None:
    doc = lxml.html.parse(str(feeds / "alpha.html")).getroot()
    assert doc.findtext(".//h1") == "Alpha News"
    entries = doc.cssselect("article.entry")
    assert [e.cssselect("h2 a")[0].text_content() for e in entries] == [
        f"Story {n} about chips" for n in (4, 2, 0)]
    first = entries[0]
    assert first.cssselect("h2 a")[0].get("href") == "https://alpha.example/news/00004-story"
    text = first.text_content()
    assert "First paragraph 4." in text and "Second 4." in text
    assert first.cssselect("img")[0].get("src") == "https://alpha.example/img/4.png"
    assert "Picture 4 (Agency)" in first.cssselect("figcaption")[0].text_content()
    suggested = [(a.get("href"), a.text_content()) for a in first.cssselect(".content ul a")]
    assert suggested == [("https://alpha.example/news/00005-story", "Story 5"),
                         ("https://alpha.example/news/00006-story", "Story 6")]
    assert "Suggested articles" in text
    assert "Writer 1" in first.cssselect(".meta")[0].text_content()


def test_a_page_offers_subscribing(feeds: Path) -> None:
    doc = lxml.html.parse(str(feeds / "beta.html")).getroot()
    assert [a.get("href") for a in doc.cssselect(".subscribe a.fmt")] == [
        "beta.rss", "beta.atom", "beta.json"]
    assert {link.get("href") for link in doc.cssselect('head link[rel="alternate"]')} == {
        "beta.rss", "beta.atom", "beta.json"}
    assert doc.cssselect('a[href="index.html"]')  # back to every feed, from file:// too


def test_one_date_format(feeds: Path) -> None:
    for name in ("all.html", "alpha.html", "index.html"):
        doc = lxml.html.parse(str(feeds / name)).getroot()
        shown = [t.text_content() for t in doc.iter("time")]
        assert shown and all(DATE.match(text) for text in shown), (name, shown)
        assert all(t.get("datetime").endswith("Z") for t in doc.iter("time"))


def test_hostile_text_stays_text(feeds: Path) -> None:
    html = (feeds / "beta.html").read_text("utf-8")
    doc = lxml.html.fromstring(html)
    assert not doc.cssselect("script")
    titles = [a.text_content() for a in doc.cssselect("article.entry h2 a")]
    assert titles[0] == '<script>alert(1)</script> & "x"'
    assert "Ann Lee, Bob Roe" in doc.cssselect("article.entry .meta")[0].text_content()


def test_index_links_each_page(feeds: Path) -> None:
    doc = lxml.html.parse(str(feeds / "index.html")).getroot()
    assert [a.get("href") for a in doc.cssselect("section.feed h2 a")] == [
        "all.html", "alpha.html", "beta.html"]
    assert [a.get("href") for a in doc.cssselect(".opml a")] == [
        "feeds.opml", "feeds-atom.opml", "feeds-json.opml"]


def test_index_says_where_the_links_lead(feeds: Path, tmp_path: Path) -> None:
    """No feeds_url: the index says the lists link files of this computer, and what to do."""
    notice = lxml.html.parse(str(feeds / "index.html")).getroot().cssselect(".notice")
    assert notice and "aggregator serve" in notice[0].text_content()
    assert "feeds_url" in notice[0].text_content()
    store = filled_store(tmp_path, 2)
    cfg = config()
    cfg.options["feeds_url"] = "https://feeds.example/"
    publish_feeds(store, cfg, tmp_path / "feeds")
    store.close()
    assert not lxml.html.parse(str(tmp_path / "feeds" / "index.html")).getroot().cssselect(
        ".notice")


def test_page_names_never_collide_with_the_index() -> None:
    assert page_filename("alpha") == "alpha.html"
    assert page_filename("index") != "index.html"
