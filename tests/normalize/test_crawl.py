"""Normalisation through real crawls of the demo sites: site server on 127.0.0.1, the real
CLI in a subprocess, the real SQLite store read back."""

from __future__ import annotations

import json
import re
import sqlite3
from collections.abc import Iterator
from importlib import resources
from pathlib import Path

import pytest
from lxml import html as lxml_html

from aggregator.store.sqlite import SQLiteStore
from tests.conftest import DemoCrawl, RunningServer, run_aggregator

#: a real crawl in a subprocess or a browser: left out of the fast subset (-m "not slow")
pytestmark = pytest.mark.slow

BANKS_BW = ("http://bytewire.example/2023/04/11/"
            "hong-kong-banks-pilot-generative-ai-assistants-for-customer-service/")
BANKS_CD = "http://circuitdaily.example/news/hong-kong-banks-trial-generative-ai-assistants.html"
PASSKEYS = "http://bytewire.example/2023/03/20/regional-banks-begin-swapping-passwords-for-passkeys/"


@pytest.fixture(scope="module")
def crawled(demo_crawl: DemoCrawl) -> Path:
    assert demo_crawl.result.returncode == 0, demo_crawl.result.stdout + demo_crawl.result.stderr
    return demo_crawl.data_dir


@pytest.fixture
def store(crawled: Path) -> Iterator[SQLiteStore]:
    opened = SQLiteStore(crawled / "aggregator.sqlite3")
    yield opened
    opened.close()


def run_stats(store: SQLiteStore) -> dict[str, int]:
    """The aggregator/* counters of the last run of each source, summed."""
    totals: dict[str, int] = {}
    seen: set[str] = set()
    for run in store.runs():
        if run["source"] in seen:
            continue
        seen.add(run["source"])
        for key, value in run["stats"].items():
            if key.startswith("aggregator/") and isinstance(value, int):
                totals[key] = totals.get(key, 0) + value
    return totals


def test_syndicated_copy_is_one_story_with_two_copies(store: SQLiteStore) -> None:
    story = store.story_of(BANKS_BW)
    assert story is not None
    assert store.story_of(BANKS_CD) == story
    assert sorted(store.story_members(story)) == sorted([BANKS_BW, BANKS_CD])
    assert store.also_covered_by(BANKS_BW) == [BANKS_CD]
    # every other article is a story of its own: exactly one story has two copies
    with sqlite3.connect(store.path) as conn:
        sizes = [n for (n,) in conn.execute(
            "SELECT COUNT(*) FROM articles GROUP BY story_id ORDER BY 1 DESC")]
        unassigned = conn.execute("SELECT COUNT(*) FROM articles WHERE story_id IS NULL")
        assert unassigned.fetchone()[0] == 0
    assert sizes[0] == 2 and all(n == 1 for n in sizes[1:])
    stats = run_stats(store)
    assert stats["aggregator/stories/joined"] == 1
    assert stats["aggregator/stories/new"] == sum(sizes) - 1
    assert stats["aggregator/stories/microseconds"] > 0


def test_every_pipeline_counted_and_nothing_failed(store: SQLiteStore) -> None:
    stats = run_stats(store)
    stored = store.count_articles()
    assert stats["aggregator/validate/valid"] == stored
    for step in ("urls", "text", "dates", "authors", "html", "links"):
        assert any(k.startswith(f"aggregator/{step}/") for k in stats), step
        assert f"aggregator/{step}/error" not in stats
    assert not [k for k in stats if k.startswith("aggregator/dropped/")]


def test_suggested_links_are_clean_edges(store: SQLiteStore) -> None:
    edges = list(store.iter_links())
    assert len(edges) >= 30
    by_article: dict[str, list[int]] = {}
    for from_url, position, to_url, title, internal, to_article in edges:
        assert to_url.startswith("http://") and "utm_" not in to_url and "#" not in to_url
        assert to_url != from_url
        assert title and title == title.strip()
        assert internal  # the demo's suggested links all stay on their site
        # every suggested article was crawled too: each edge resolves to a stored article
        assert to_article == to_url, (from_url, to_url)
        by_article.setdefault(from_url, []).append(position)
    for positions in by_article.values():
        assert positions == list(range(1, len(positions) + 1))
    seed = store.get_article(
        "http://bytewire.example/2023/04/12/cuhk-sensetime-to-collaborate-to-nurture-ai-talent/")
    assert seed is not None
    assert [link.url for link in seed.related] == [
        "http://bytewire.example/2023/04/08/makeithong-kong-3-2-1-go-bang-showcase-at-science-park/",
        "http://bytewire.example/2023/04/05/hong-kong-marketers-lead-customer-experience-survey/",
        "http://bytewire.example/2023/04/06/quantum-computing-threatens-public-key-encryption/",
    ]
    assert all(link.article_url == link.url for link in seed.related)


def test_articles_are_normalised(store: SQLiteStore) -> None:
    articles = list(store.iter_articles())
    assert len(articles) >= 21
    for article in articles:
        assert "utm_" not in article.canonical_url and "#" not in article.canonical_url
        assert article.title == article.title.strip() and "\u200b" not in article.body_text
        if article.published is not None:
            assert article.published.utcoffset().total_seconds() == 0
            assert re.fullmatch(r"[+-]\d\d:\d\d", article.source_offset or "")
        assert article.flags == []  # no demo date is in the future or before 1990
        low = article.body_html.lower()
        for bad in ("<script", "onerror", "javascript:", "<iframe", "<style"):
            assert bad not in low, (article.canonical_url, bad)
        if article.body_html:
            root = lxml_html.fragment_fromstring(article.body_html, create_parent="div")
            for img in root.iter("img"):
                assert img.get("referrerpolicy") == "no-referrer"
                assert img.get("src", "").startswith("http")
            for a in root.iter("a"):
                assert a.get("href", "http").startswith(("http", "mailto:"))
    authors = {a.canonical_url: a.authors for a in articles}
    assert authors["http://bytewire.example/2023/04/06/quantum-computing-threatens-public-key-"
                   "encryption/"] == ["Jane Doe"]  # from "jdoe@bytewire.example (Jane Doe)"
    assert authors["http://bytewire.example/2023/04/03/open-source-cantonese-language-models-"
                   "gain-traction/"] == ["Alice Chan", "Bob Lee", "Carol Ng"]
    # the declared canonical carried utm_* junk: stripped
    assert ("http://bytewire.example/2023/03/24/asia-pacific-patchwork-of-ai-rules-leaves-"
            "companies-guessing/") in authors


def edit_lastmod(sitemap: Path, loc: str, lastmod: str) -> None:
    """Set the ``lastmod`` of the entry ``loc`` of a sitemap (or sitemap index) file."""
    text = sitemap.read_text("utf-8")
    entry = re.compile(r"(<loc>" + re.escape(loc) + r"</loc>\s*<lastmod>)[^<]*(</lastmod>)")
    assert len(entry.findall(text)) == 1, (sitemap, loc)
    sitemap.write_text(entry.sub(r"\g<1>" + lastmod + r"\g<2>", text), "utf-8")


def test_recrawl_updates_changed_article(copy_server: RunningServer, site_copy: Path,
                                         tmp_path: Path) -> None:
    # incremental crawling on (the demo config as shipped): the re-crawl finds the edit
    # through the sitemap dates, which the site moves -- to a day long before our fetch
    config = resources.files("aggregator").joinpath("demo.toml")
    assert "AGGREGATOR_INCREMENTAL" not in config.read_text("utf-8")
    args = ("crawl", "--config", str(config), *copy_server.routes(),
            "--data-dir", str(tmp_path / "data"), "--feeds-dir", str(tmp_path / "feeds"))
    first = run_aggregator(*args, cwd=tmp_path)
    assert first.returncode == 0, first.stdout + first.stderr
    db = tmp_path / "data" / "aggregator.sqlite3"
    with sqlite3.connect(db) as conn:
        count = conn.execute("SELECT COUNT(*) FROM articles").fetchone()[0]
        story = conn.execute("SELECT story_id FROM articles WHERE canonical_url = ?",
                             (PASSKEYS,)).fetchone()[0]

    page = site_copy / "bytewire.example" / PASSKEYS.split("bytewire.example/")[1] / "index.html"
    source = page.read_text("utf-8")
    old = "as lenders look for ways to cut phishing losses."
    assert source.count(old) == 1
    page.write_text(source.replace(old, old + " Two more lenders joined the scheme this week."),
                    "utf-8")
    # as a real site does on an edit: the article's lastmod, and its sitemap's in the index
    # (back-dated, as the demo's dates are: still before our last fetch)
    site = site_copy / "bytewire.example"
    edited = "2023-04-13T10:00:00+08:00"
    edit_lastmod(site / "sitemap-articles.xml", PASSKEYS, edited)
    edit_lastmod(site / "sitemap.xml", "http://bytewire.example/sitemap-articles.xml", edited)

    second = run_aggregator(*args, cwd=tmp_path)
    assert second.returncode == 0, second.stdout + second.stderr
    assert re.search(r"bytewire .* updated +1 ", second.stdout), second.stdout
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT COUNT(*) FROM articles").fetchone()[0] == count
        rows = conn.execute("SELECT canonical_url, version FROM articles WHERE version > 1")
        assert [u for (u, _) in rows] == [PASSKEYS]
        version, body, story_after = conn.execute(
            "SELECT version, body_text, story_id FROM articles WHERE canonical_url = ?",
            (PASSKEYS,)).fetchone()
        versions = conn.execute(
            "SELECT v.version FROM article_versions v JOIN articles a ON a.id = v.article_id"
            " WHERE a.canonical_url = ? ORDER BY v.version", (PASSKEYS,)).fetchall()
        runs = [json.loads(s) for (s,) in conn.execute(
            "SELECT stats FROM runs WHERE source = 'bytewire' ORDER BY id")]
    assert version == 2 and [v for (v,) in versions] == [1, 2]
    assert "Two more lenders joined the scheme this week." in body
    assert story_after == story  # still its own story, not a new one
    assert runs[-1].get("aggregator/stories/kept") == 1
    # incremental: only the changed article went through extraction and the pipelines (the
    # others were not even requested), found by its sitemap lastmod, which changed
    assert runs[-1].get("aggregator/pages/article") == 1
    assert runs[-1].get("aggregator/incremental/changed_listing") == 2
    assert (runs[-1].get("aggregator/incremental/skipped_by_date", 0)
            + runs[-1].get("aggregator/incremental/skipped_not_recent", 0)) >= 15
