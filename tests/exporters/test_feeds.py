"""Feeds from synthetic articles in a real SQLite store: complete, stable, safe."""

from __future__ import annotations

import json
import os
from datetime import datetime, timezone
from pathlib import Path

import feedparser
import pytest
from lxml import etree

from aggregator.exporters import publish as publish_module
from aggregator.exporters.model import ATOM_NS
from aggregator.exporters.publish import publish_feeds
from tests.exporters.synthetic import config, filled_store, make_article

NS = {"a": ATOM_NS, "content": "http://purl.org/rss/1.0/modules/content/",
      "dc": "http://purl.org/dc/elements/1.1/", "media": "http://search.yahoo.com/mrss/"}
OPML_LISTS = ["feeds-atom.opml", "feeds-json.opml", "feeds.opml"]
XML_FEEDS = ["all.rss", "all.atom", "alpha.rss", "alpha.atom", "beta.rss", "beta.atom"]


@pytest.fixture
def published(tmp_path: Path):
    store = filled_store(tmp_path)
    result = publish_feeds(store, config(), tmp_path / "feeds")
    yield store, result, tmp_path / "feeds"
    store.close()


def test_every_file_is_written(published) -> None:
    _, result, feeds = published
    names = sorted(p.name for p in result)
    assert names == sorted(f"{f}.{ext}" for f in ("all", "alpha", "beta")
                           for ext in ("rss", "atom", "json")) + OPML_LISTS
    assert all((feeds / n).exists() for n in names)
    assert not result.failed and not result.dropped
    assert len(result.written) == len(names)


@pytest.mark.parametrize("name", XML_FEEDS)
def test_feedparser_reads_every_entry_complete(published, name: str) -> None:
    store, _, feeds = published
    parsed = feedparser.parse((feeds / name).read_bytes())
    assert not parsed.bozo, parsed.get("bozo_exception")
    source = name.split(".")[0]
    expected = store.count_articles(None if source == "all" else source)
    assert len(parsed.entries) == expected
    for entry in parsed.entries:
        assert entry.id == entry.link and entry.link.startswith("https://")
        assert entry.title and entry.published_parsed and entry.content[0].value
        assert "Suggested articles" in entry.content[0].value
    # newest first
    dates = [e.published_parsed for e in parsed.entries]
    assert dates == sorted(dates, reverse=True)


def test_rss_items_carry_full_text_bylines_image_categories(published) -> None:
    _, _, feeds = published
    root = etree.parse(str(feeds / "alpha.rss")).getroot()
    item = root.find("channel/item")
    assert item.findtext("guid") == item.findtext("link")
    assert item.find("guid").get("isPermaLink") == "true"
    assert "<p>First paragraph 4.</p>" in item.findtext("content:encoded", namespaces=NS)
    assert item.findtext("description") == "Summary of story 4."
    assert [c.text for c in item.findall("category")] == ["Chips", "tag0"]
    assert item.findtext("dc:creator", namespaces=NS) == "Writer 1"
    enclosure = item.find("enclosure")
    assert enclosure.get("url") == "https://alpha.example/img/4.png"
    assert enclosure.get("type") == "image/png"
    media = item.find("media:content", namespaces=NS)
    assert media.get("url") == enclosure.get("url") and media.get("medium") == "image"


def test_atom_link_rel_attributes(published) -> None:
    """feedgen 1.0.0 loses the rel of entry links (its issue #135); ours must not."""
    _, _, feeds = published
    root = etree.parse(str(feeds / "alpha.atom")).getroot()
    entries = root.findall("a:entry", NS)
    assert entries
    for entry in entries:
        links = entry.findall("a:link", NS)
        rels = [link.get("rel") for link in links]
        assert rels == ["alternate", "enclosure", "related", "related"], rels
        alternate, enclosure, *related = links
        assert alternate.get("href") == entry.findtext("a:id", namespaces=NS)
        assert enclosure.get("type") == "image/png" and enclosure.get("href").endswith(".png")
        assert [r.get("title") for r in related] == [
            f"Story {n}" for n in (int(alternate.get("href").split("/")[-1][:5]) + 1,
                                   int(alternate.get("href").split("/")[-1][:5]) + 2)]
        assert entry.find("a:content", NS).get("type") == "html"
        assert entry.findtext("a:author/a:name", namespaces=NS).startswith("Writer")
    parsed = feedparser.parse((feeds / "alpha.atom").read_bytes())
    assert [link.rel for link in parsed.entries[0].links] == [
        "alternate", "enclosure", "related", "related"]


def test_json_feed_follows_the_spec(published) -> None:
    store, _, feeds = published
    feed = json.loads((feeds / "alpha.json").read_text("utf-8"))
    assert feed["version"] == "https://jsonfeed.org/version/1.1"
    assert feed["title"] == "Alpha News" and feed["home_page_url"] == "https://alpha.example/"
    assert len(feed["items"]) == store.count_articles("alpha")
    item = feed["items"][0]
    assert item["id"] == item["url"] == "https://alpha.example/news/00004-story"
    assert item["title"] == "Story 4 about chips" and "<p>First paragraph 4.</p>" in item["content_html"]
    assert item["summary"] == "Summary of story 4." and item["image"].endswith("/img/4.png")
    assert item["date_published"] == "2024-03-01T12:00:00Z" == item["date_modified"]
    assert item["authors"] == [{"name": "Writer 1"}] and item["tags"] == ["Chips", "tag0"]
    assert item["language"] == "en"
    assert [r["url"] for r in item["_aggregator"]["related"]] == [
        "https://alpha.example/news/00005-story", "https://alpha.example/news/00006-story"]


def test_feed_urls_from_config_base(tmp_path: Path) -> None:
    store = filled_store(tmp_path, 2)
    cfg = config()
    cfg.options["feeds_url"] = "https://feeds.example/news"
    publish_feeds(store, cfg, tmp_path / "feeds")
    store.close()
    feed = json.loads((tmp_path / "feeds" / "all.json").read_text())
    assert feed["feed_url"] == "https://feeds.example/news/all.json"
    opml = etree.parse(str(tmp_path / "feeds" / "feeds.opml")).getroot()
    outlines = opml.findall("body/outline")
    assert [o.get("xmlUrl") for o in outlines] == [
        f"https://feeds.example/news/{n}.rss" for n in ("all", "alpha", "beta")]
    atom = etree.parse(str(tmp_path / "feeds" / "all.atom")).getroot()
    assert atom.findtext("a:id", namespaces=NS) == "https://feeds.example/news/all.atom"


@pytest.mark.parametrize("name, ext", [
    ("feeds.opml", "rss"), ("feeds-atom.opml", "atom"), ("feeds-json.opml", "json")])
def test_opml_lists_every_feed(published, name: str, ext: str) -> None:
    """One list per format; without feeds_url the links are file:// URLs of the folder."""
    _, _, feeds = published
    root = etree.parse(str(feeds / name)).getroot()
    assert root.get("version") == "2.0"
    outlines = root.findall("body/outline")
    folder = feeds.resolve().as_uri()
    assert [(o.get("text"), o.get("xmlUrl"), o.get("type")) for o in outlines] == [
        ("All articles", f"{folder}/all.{ext}", "rss"),
        ("Alpha News", f"{folder}/alpha.{ext}", "rss"), ("Beta Daily", f"{folder}/beta.{ext}", "rss")]


def test_republish_unchanged_is_byte_identical(published, tmp_path: Path) -> None:
    store, _, feeds = published
    before = {p.name: (p.read_bytes(), p.stat().st_mtime_ns) for p in feeds.iterdir()}
    # the same content fetched again later: a new fetched_at, nothing else
    for i in range(6):
        article = make_article(i, "alpha" if i % 2 == 0 else "beta",
                               fetched_at=datetime(2030, 1, 1, tzinfo=timezone.utc))
        assert store.save_article(article) == "unchanged"
    again = publish_feeds(store, config(), feeds)
    after = {p.name: (p.read_bytes(), p.stat().st_mtime_ns) for p in feeds.iterdir()}
    assert after == before
    assert not again.written and len(again.unchanged) == len(again) == 12


def test_feed_dates_are_content_dates_not_run_dates(published) -> None:
    _, _, feeds = published
    root = etree.parse(str(feeds / "all.rss")).getroot()
    # newest item: published BASE + 5 h
    assert root.findtext("channel/lastBuildDate") == "Fri, 01 Mar 2024 13:00:00 +0000"
    atom = etree.parse(str(feeds / "all.atom")).getroot()
    assert atom.findtext("a:updated", namespaces=NS) == "2024-03-01T13:00:00+00:00"
    assert atom.findtext("a:generator", namespaces=NS) == "aggregator"


def test_updated_moves_only_when_content_changes(published) -> None:
    store, _, feeds = published
    changed = make_article(2, "alpha", body_text="Rewritten.", body_html="<p>Rewritten.</p>",
                           content_hash="hash-2-v2",
                           fetched_at=datetime(2024, 5, 5, 5, 5, tzinfo=timezone.utc))
    assert store.save_article(changed) == "updated"
    result = publish_feeds(store, config(), feeds)
    assert feeds / "alpha.atom" in result.written and feeds / "beta.atom" in result.unchanged
    atom = etree.parse(str(feeds / "alpha.atom")).getroot()
    updated = {e.findtext("a:id", namespaces=NS): e.findtext("a:updated", namespaces=NS)
               for e in atom.findall("a:entry", NS)}
    assert updated["https://alpha.example/news/00002-story"] == "2024-05-05T05:05:00+00:00"
    assert updated["https://alpha.example/news/00000-story"] == "2024-03-01T08:00:00+00:00"
    assert atom.findtext("a:updated", namespaces=NS) == "2024-05-05T05:05:00+00:00"


@pytest.mark.parametrize("dirt", [
    {"title": "Bad \x0b title"},
    {"url": "/news/relative", "canonical_url": "/news/relative"},
    {"published": datetime(1, 1, 1, tzinfo=timezone.utc)},
    {"body_html": "<p>nul \x00 byte</p>"},
])
def test_one_dirty_item_is_dropped_and_reported(tmp_path: Path, dirt: dict,
                                                caplog: pytest.LogCaptureFixture) -> None:
    store = filled_store(tmp_path, 4)
    bad = make_article(9, "alpha", **dirt)
    store.save_article(bad)
    result = publish_feeds(store, config(), tmp_path / "feeds")
    store.close()
    bad_id = bad.canonical_url
    assert result.dropped_ids == {bad_id}
    assert {d.feed for d in result.dropped} == {"all", "alpha"}
    assert bad_id in caplog.text and "dropped" in caplog.text
    assert not result.failed
    for name in ("all.rss", "all.atom", "alpha.rss"):
        parsed = feedparser.parse((tmp_path / "feeds" / name).read_bytes())
        assert not parsed.bozo
        assert len(parsed.entries) == (4 if name.startswith("all") else 2)
    items = json.loads((tmp_path / "feeds" / "all.json").read_text())["items"]
    assert len(items) == 4


def test_failed_check_keeps_last_good_feed(published, monkeypatch: pytest.MonkeyPatch,
                                           caplog: pytest.LogCaptureFixture) -> None:
    store, _, feeds = published
    good = (feeds / "alpha.rss").read_bytes()
    real_render = publish_module.render

    def broken_render(spec, fmt):  # an RSS renderer gone wrong: unclosed element
        data = real_render(spec, fmt)
        return data.replace(b"</channel>", b"") if fmt == "rss" else data

    monkeypatch.setattr(publish_module, "render", broken_render)
    store.save_article(make_article(10, "alpha", content_hash="new"))
    result = publish_feeds(store, config(), feeds)
    assert {f.path.name for f in result.failed} == {"all.rss", "alpha.rss", "beta.rss"}
    assert "not well-formed" in result.failed[0].problems[0]
    assert (feeds / "alpha.rss").read_bytes() == good
    assert feeds / "alpha.atom" in result.written  # the other formats still move on
    assert "last good one is kept" in caplog.text
    assert not [p for p in os.listdir(feeds) if p.endswith(".tmp")]


def test_feed_limit_keeps_newest(tmp_path: Path) -> None:
    store = filled_store(tmp_path, 6)
    publish_feeds(store, config(), tmp_path / "feeds", limit=2)
    store.close()
    parsed = feedparser.parse((tmp_path / "feeds" / "all.atom").read_bytes())
    assert [e.link.split("/")[-1] for e in parsed.entries] == ["00005-story", "00004-story"]


def test_group_stories_switch(tmp_path: Path) -> None:
    """Two sources carry one story: grouped by default (one entry, the other copy under
    "Also covered by"); `group_stories = false` gives each copy its own entry."""
    from aggregator.config import parse_config
    from aggregator.items import Article
    from aggregator.store import open_store

    store = open_store(tmp_path / "data")
    when = datetime(2024, 5, 1, 8, tzinfo=timezone.utc)
    for source, url in (("a", "https://a.example/story"), ("b", "https://b.example/copy")):
        store.save_article(Article(url=url, canonical_url=url, source=source, title="Story",
                                   body_text="Same body.", content_hash=source, published=when))
    story = store.set_story("https://a.example/story", None, None)
    store.set_story("https://b.example/copy", story, None)
    base = '[[sources]]\nname = "a"\nhome = "https://a.example/"\n' \
           '[[sources]]\nname = "b"\nhome = "https://b.example/"\n'
    for group, expected in ((True, 1), (False, 2)):
        config = parse_config(f"[aggregator]\ngroup_stories = {str(group).lower()}\n" + base,
                              "t.toml")
        out = tmp_path / f"feeds-{group}"
        publish_feeds(store, config, out)
        parsed = feedparser.parse((out / "all.atom").read_bytes())
        assert len(parsed.entries) == expected
        assert all("Also covered by" in e.content[0].value for e in parsed.entries)
    store.close()


def test_also_covered_by_is_bounded(tmp_path: Path) -> None:
    """A story with many copies lists at most MAX_OTHER_COPIES of them under each entry: an
    entry (and a feed, and the memory of publishing it) never grows with a story."""
    from aggregator.config import parse_config
    from aggregator.items import Article
    from aggregator.store import open_store

    store = open_store(tmp_path / "data")
    when = datetime(2024, 5, 1, 8, tzinfo=timezone.utc)
    story = None
    for i in range(40):
        url = f"https://a.example/copy-{i}"
        store.save_article(Article(url=url, canonical_url=url, source="a", title=f"Copy {i}",
                                   body_text="Same body.", content_hash=str(i), published=when))
        story = store.set_story(url, story, None)
    config = parse_config('[[sources]]\nname = "a"\nhome = "https://a.example/"\n', "t.toml")
    publish_feeds(store, config, tmp_path / "feeds")
    parsed = feedparser.parse((tmp_path / "feeds" / "a.atom").read_bytes())
    assert len(parsed.entries) == 40
    for entry in parsed.entries:
        listed = entry.content[0].value.split("Also covered by")[1]
        assert listed.count("<li>") == publish_module.MAX_OTHER_COPIES
    store.close()


def test_each_feed_links_itself(tmp_path: Path) -> None:
    """rel="self" names the document it is in: the Atom feed its .atom file, the RSS
    feed its .rss file, the JSON Feed its .json file."""
    store = filled_store(tmp_path, 2)
    cfg = config()
    cfg.options["feeds_url"] = "https://feeds.example/news/"
    publish_feeds(store, cfg, tmp_path / "feeds")
    store.close()
    for name in ("all", "alpha"):
        atom = etree.parse(str(tmp_path / "feeds" / f"{name}.atom")).getroot()
        assert [link.get("href") for link in atom.findall("a:link[@rel='self']", NS)] == [
            f"https://feeds.example/news/{name}.atom"]
        rss = etree.parse(str(tmp_path / "feeds" / f"{name}.rss")).getroot()
        assert [link.get("href") for link in rss.findall("channel/a:link[@rel='self']", NS)] == [
            f"https://feeds.example/news/{name}.rss"]
        feed = json.loads((tmp_path / "feeds" / f"{name}.json").read_text())
        assert feed["feed_url"] == f"https://feeds.example/news/{name}.json"


def test_a_feed_without_entries_is_dated_by_the_last_crawl_not_1970(tmp_path: Path) -> None:
    """A store whose crawls found nothing yet (every source failed): its feeds carry the last
    run's date -- the same when republished -- never the epoch."""
    from aggregator.store.sqlite import SQLiteStore

    store = SQLiteStore(tmp_path / "aggregator.sqlite3")
    try:
        run = store.start_run("alpha")
        store.finish_run(run, {}, ok=False, error="unreachable")
        finished = datetime.fromisoformat(store.runs(limit=1)[0]["finished"])
        publish_feeds(store, config(), tmp_path / "feeds")
        first = (tmp_path / "feeds" / "all.atom").read_bytes()
        publish_feeds(store, config(), tmp_path / "feeds")
    finally:
        store.close()
    assert (tmp_path / "feeds" / "all.atom").read_bytes() == first
    for name in ("all.atom", "alpha.rss"):
        parsed = feedparser.parse((tmp_path / "feeds" / name).read_bytes())
        assert parsed.entries == []
        stamp = parsed.feed.get("updated_parsed") or parsed.feed.get("published_parsed")
        assert stamp is not None, name
        assert datetime(*stamp[:6], tzinfo=timezone.utc) == finished.replace(microsecond=0), name
