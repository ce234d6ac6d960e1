"""Feeds published from a PostgreSQL store are byte for byte those of an SQLite store that
holds the same articles: every feed, page, OPML list and the manifest."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from aggregator.config import parse_config
from aggregator.exporters.publish import publish_feeds
from aggregator.items import RelatedLink
from aggregator.store import Store, open_store
from tests.exporters.synthetic import BASE, make_article

CONFIG = '''
[aggregator]
feed_limit = 30
feeds_url = "https://feeds.example.org/news/"
title = "Everything"

[[sources]]
name = "alpha"
title = "Alpha News"
home = "https://alpha.example/"

[[sources]]
name = "beta"
title = "Beta Daily"
home = "https://beta.example/"

[[topics]]
name = "chips"
title = "Chips"
include = ["\\\\bchips?\\\\b", "Ünï"]
exclude = ["story 7\\\\b"]
'''


def fill(store: Store) -> None:
    """The same writes, in the same order, on either backend: plain articles, updated ones,
    unicode, no publication date, equal dates with URLs a locale would sort otherwise,
    suggested links between them, and stories across the two sources."""
    for i in range(14):
        store.save_article(make_article(i, "alpha" if i % 3 else "beta"))
    store.save_article(make_article(3, "beta", title="Story 3, corrected", content_hash="v2",
                                    modified=BASE + timedelta(days=2, microseconds=5)))
    store.save_article(make_article(5, "alpha", title="Ünïcode “quotes” — and <markup>",
                                    summary="Çà et là", tags=["Ünï", "chips"],
                                    authors=["Zoë Ängström", "Bob Roe"], content_hash="u"))
    for path in ("a-b", "ab", "a_c", "B", "a"):
        url = f"https://alpha.example/same-time/{path}"
        store.save_article(make_article(20, "alpha", url=url, canonical_url=url,
                                        related=[RelatedLink(url=make_article(1).url,
                                                             title="One", position=1)]))
    undated = make_article(30, "beta", published=None, image=None)
    store.save_article(undated)
    store.save_source("alpha", "Alpha News", "https://alpha.example/")
    store.save_source("beta", "Beta Daily", "https://beta.example/")
    story = store.set_story(make_article(2, "alpha").url, None, b"\x01" * 8)
    store.set_story(make_article(3, "beta").url, story, b"\x02" * 8)
    store.set_story(make_article(4, "alpha").url, story, b"\x03" * 8)
    store.set_story(make_article(6, "beta").url, None, None)


def publish(store: Store, out: Path) -> dict[str, bytes]:
    result = publish_feeds(store, parse_config(CONFIG, "t.toml"), out)
    assert not result.failed
    return {p.relative_to(out).as_posix(): p.read_bytes()
            for p in sorted(out.rglob("*")) if p.is_file()}


def test_feeds_from_postgresql_equal_sqlites_byte_for_byte(tmp_path: Path,
                                                           postgres_url: str) -> None:
    files: dict[str, dict[str, bytes]] = {}
    for name, url in (("sqlite", None), ("postgresql", postgres_url)):
        store = open_store(tmp_path / name, url=url)
        try:
            fill(store)
            files[name] = publish(store, tmp_path / f"feeds-{name}")
        finally:
            store.close()
    sqlite, postgres = files["sqlite"], files["postgresql"]
    assert {"all.atom", "all.rss", "all.json", "chips.atom", "alpha.html", "index.html",
            "feeds.opml", ".aggregator-manifest"} <= set(sqlite)
    assert sorted(postgres) == sorted(sqlite)
    differ = [name for name in sqlite if postgres[name] != sqlite[name]]
    assert differ == []
    # and the feeds are not trivially equal: they carry the articles, in bytewise order
    atom = sqlite["alpha.atom"].decode()
    assert "Zoë Ängström" in atom and "Also covered by" in atom
    order = [atom.find(f"same-time/{p}<") for p in ("ab", "a_c", "a-b", "a", "B")]
    assert -1 not in order and order == sorted(order)
