"""Bad input never breaks a crawl or a feed: a hostile site (tests/crawl/hostile.py: binary,
empty, oversized, 10,000-level deep, mis-encoded pages, error statuses, redirect loops and
off-site redirects, pagination and calendar traps, broken feeds and sitemaps) and a source
whose host nothing listens on, crawled twice by the real CLI on 127.0.0.1. Every bad page
is counted under a named reason, the good articles are stored once, the feeds stay valid."""

from __future__ import annotations

import json
import socket
import sqlite3
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import feedparser
import pytest
from lxml import etree

from tests.conftest import RunningServer, run_aggregator, start_server, stop_server
from tests.crawl import hostile
from tests.crawl.hostile import HOST, OFFSITE, SIBLING, url

#: a real crawl in a subprocess or a browser: left out of the fast subset (-m "not slow")
pytestmark = pytest.mark.slow


@dataclass
class Hostile:
    tmp: Path
    server: RunningServer
    dead_port: int
    first: subprocess.CompletedProcess
    first_seconds: float
    first_requests: list[dict]
    second: subprocess.CompletedProcess
    second_requests: list[dict]
    status: subprocess.CompletedProcess

    def query(self, sql: str, *params: object) -> list[tuple]:
        with sqlite3.connect(self.tmp / "data" / "aggregator.sqlite3") as conn:
            return conn.execute(sql, params).fetchall()

    def stats(self, source: str, run: int = 0) -> dict:
        rows = self.query("SELECT stats FROM runs WHERE source = ? ORDER BY id", source)
        return json.loads(rows[run][0])


@pytest.fixture(scope="module")
def crawled(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Hostile]:
    tmp = tmp_path_factory.mktemp("hostile")
    hostile.write_site(tmp / "site")
    server = start_server(tmp / "site", tmp / "requests.log")
    # bound and never listening: connections are refused, and no other process can take
    # the port while the test runs
    dead = socket.socket()
    dead.bind(("127.0.0.1", 0))
    port = dead.getsockname()[1]
    (tmp / "sources.toml").write_text(hostile.config_text(port))
    # the off-site host is routed to the test server too: were it requested, the request
    # would be in the server's log instead of going anywhere else
    args = ["crawl", "--config", str(tmp / "sources.toml"),
            "--route", f"{HOST}={server.hostport}", "--route", f"{OFFSITE}={server.hostport}",
            "--route", f"{SIBLING}={server.hostport}",
            "--data-dir", str(tmp / "data"), "--feeds-dir", str(tmp / "feeds")]
    try:
        started = time.monotonic()
        first = run_aggregator(*args, cwd=tmp, timeout=60)
        seconds = time.monotonic() - started
        first_requests = server.requests()
        second = run_aggregator(*args, cwd=tmp, timeout=60)
        second_requests = server.requests()[len(first_requests):]
        status = run_aggregator("status", "--data-dir", str(tmp / "data"), "--config",
                                str(tmp / "sources.toml"), cwd=tmp)
        yield Hostile(tmp, server, port, first, seconds, first_requests, second,
                      second_requests, status)
    finally:
        dead.close()
        stop_server(server)


def _line(output: str, source: str) -> str:
    return next(x for x in output.splitlines() if x.startswith(source + " "))


def test_the_crawl_finishes_and_stores_each_good_article_once(crawled: Hostile) -> None:
    assert crawled.first_seconds < 60
    # 1: the unreachable source failed; nothing was lost to an exception
    assert crawled.first.returncode == 1, crawled.first.stdout + crawled.first.stderr
    assert "lost:" not in crawled.first.stdout
    assert "Spider error processing" not in crawled.first.stderr
    assert "Error processing" not in crawled.first.stderr
    stored = [u for (u,) in crawled.query("SELECT canonical_url FROM articles")]
    assert sorted(stored) == sorted(hostile.expected_articles() | hostile.sibling_articles())
    titles = dict(crawled.query("SELECT canonical_url, title FROM articles"))
    # the 10,000-level DOM and the mis-declared charset still give their article
    assert titles[url("/bad/deep/")] == "Deep nesting survives"
    assert titles[url("/bad/charset/")] == "Café naïve résumé – encoding mix-up"
    body = crawled.query("SELECT body_text FROM articles WHERE canonical_url = ?",
                         url("/bad/deep/"))[0][0]
    assert "ten thousand wrappers" in body
    assert crawled.stats("hostile")["aggregator/store/new"] == len(hostile.expected_articles())


def test_every_bad_page_is_counted_under_a_named_reason(crawled: Hostile) -> None:
    stats = crawled.stats("hostile")
    errors = {k.removeprefix("aggregator/errors/"): v for k, v in stats.items()
              if k.startswith("aggregator/errors/")}
    assert errors == {
        "http_404": 2,          # /bad/missing/, and the cut-off link of the truncated feed
        "http_500": 1,          # after Scrapy's retries
        "not_a_sitemap": 1,     # the HTML "sitemap"
        "redirect_loop": 1,
        "redirect_offsite": 1,
        "too_large": 1,         # over the config's DOWNLOAD_MAXSIZE
    }
    assert stats["aggregator/dropped/no_title"] == 1    # a title of control characters
    assert stats["aggregator/pages/not_html"] == 1      # binary bytes as text/html
    assert stats["aggregator/pages/empty"] >= 1         # the empty 200 body among them
    assert stats["aggregator/discovery/rejected_entries"] == 1  # the javascript: feed item
    assert stats["aggregator/discovery/section_pages_capped"] == 1
    assert stats["retry/reason_count/500 Internal Server Error"] == 2
    assert stats["offsite/filtered"] == 1
    assert stats["downloader/response_status_count/302"] == 3
    assert "aggregator/ignored_requests" not in stats  # robots.txt refused nothing
    # the summary and the log name them, with the URL
    out, log = crawled.first.stdout, crawled.first.stderr
    assert " ok " in _line(out, "hostile")
    assert ("  errors: http_404 2, http_500 1, not_a_sitemap 1, redirect_loop 1, "
            "redirect_offsite 1, too_large 1") in out
    assert "dropped   1" in _line(out, "hostile")
    for message in (
            f"hostile: {url('/bad/missing/')}: HTTP 404",
            f"hostile: {url('/bad/error/')}: HTTP 500",
            f"hostile: {url('/sitemap-html.xml')}: the response is not a sitemap",
            f"hostile: {url('/bad/loop/')}: redirect loop: {url('/bad/loop/')} -> "
            f"{url('/bad/loop/again/')} -> {url('/bad/loop/')}",
            f"hostile: {url('/bad/offsite/')}: redirected off the allowed domains to "
            f"http://{OFFSITE}/landing/",
            f"hostile: {url('/bad/too-big/')}: Expected to receive",
            f"Dropped: no_title: {url('/bad/control-title/')}",
            f"larger than download warn size (5242880) in request <GET {url('/bad/huge/')}>"):
        assert message in log, message


def test_traps_are_bounded(crawled: Hostile) -> None:
    paths = [r["path"] for r in crawled.first_requests if r["host"] == HOST]
    # each URL once: no retry storm, no loop (the 500 is retried twice by design)
    repeated = {p for p in paths if paths.count(p) > 1}
    assert repeated == {"/bad/error/"}
    trap = sorted(p for p in paths if p.startswith("/trap/"))
    assert trap == sorted(["/trap/", *(f"/trap/page/{n}/" for n in range(2, 6))])
    calendar = [p for p in paths if p.startswith("/calendar/")]
    # the home page (hop 0) -> /calendar/ (hop 1) -> its days (hop 2), and no further
    assert sorted(calendar) == sorted(
        ["/calendar/", *(f"/calendar/day-{d}/" for d in range(1, hostile.CALENDAR_LINKS + 1))])
    assert len(paths) < 75


def test_no_request_left_the_hostile_host(crawled: Hostile) -> None:
    hosts = {r["host"] for r in crawled.first_requests + crawled.second_requests}
    assert hosts == {HOST, SIBLING}
    assert not [r for r in crawled.first_requests if r["path"].startswith("/story/relative")]
    assert "/private/drafts/" not in {r["path"] for r in crawled.first_requests}  # robots.txt
    stats = crawled.stats("hostile")
    # everything the hostile source sent reached the test server (the cancelled download too)
    assert stats["downloader/request_count"] == len(
        [r for r in crawled.first_requests if r["host"] == HOST])
    # and the dead source tried its own host only: its feed, robots.txt and home, 3 times each
    dead = crawled.stats("unreachable")
    assert dead["downloader/request_count"] == 9 + 3  # + robots.txt of the home page
    assert dead["downloader/exception_type_count/"
                "scrapy.exceptions.DownloadConnectionRefusedError"] == dead[
        "downloader/request_count"]


def test_the_unreachable_source_is_reported_failed_by_name(crawled: Hostile) -> None:
    dead = f"http://127.0.0.1:{crawled.dead_port}"
    for output in (crawled.first.stdout, crawled.second.stdout):
        assert "FAILED" in _line(output, "unreachable")
        assert f"  unreachable: {dead}/feed.xml: DownloadConnectionRefusedError:" in output
        assert " ok " in _line(output, "hostile")
    assert crawled.status.returncode == 1
    status = crawled.status.stdout
    assert "unreachable: last run" in status
    assert f"FAILED: {dead}/feed.xml: DownloadConnectionRefusedError" in status
    assert "last success never" in status
    hostile_block = status.split("unreachable:")[0]
    assert ": ok;" in hostile_block
    # the last run did not ask again for the URLs that failed in the first: it says so
    assert "failing URLs not retried yet (back-off): " in hostile_block
    assert "http_500" not in hostile_block
    assert "WARNING" not in hostile_block  # persistent bad entries are no redesign
    runs = dict(crawled.query("SELECT source, ok FROM runs ORDER BY id"))
    assert runs == {"hostile": 1, "sibling": 1, "unreachable": 0}


def test_every_feed_is_valid(crawled: Hostile) -> None:
    feeds = crawled.tmp / "feeds"
    xml_feeds = sorted([*feeds.glob("*.rss"), *feeds.glob("*.atom")])
    assert {p.name for p in xml_feeds} >= {"all.rss", "all.atom", "hostile.rss", "hostile.atom",
                                           "unreachable.rss", "unreachable.atom"}
    for path in xml_feeds:
        parsed = feedparser.parse(path.read_bytes())
        assert not parsed.bozo, (path.name, parsed.get("bozo_exception"))
    parsed = feedparser.parse((feeds / "hostile.atom").read_bytes())
    assert {e.link for e in parsed.entries} == hostile.expected_articles()
    for path in feeds.glob("[!.]*.json"):  # not the publisher's own hidden manifest
        items = json.loads(path.read_text())["items"]
        assert all(item["url"].startswith("http://") for item in items), path.name


def test_no_markup_reaches_a_feed_or_the_store_text(crawled: Hostile) -> None:
    """Markup written as text in every layer of /bad/markup/ is stripped from every text field
    (store, feeds), and its 100 KB title is capped and flagged."""
    title, summary, authors, tags, flags = crawled.query(
        "SELECT title, summary, authors, tags, flags FROM articles WHERE canonical_url = ?",
        url("/bad/markup/"))[0]
    for text in (title, summary, authors, tags):
        assert "onerror" not in text and "<script" not in text and "<img" not in text, text
    assert len(title) <= 300 and "capped_title" in flags
    feeds = crawled.tmp / "feeds"
    text_tags = {"title", "description", "summary", "category", "creator", "name"}
    for path in [*feeds.glob("*.rss"), *feeds.glob("*.atom")]:
        for el in etree.fromstring(path.read_bytes()).iter():
            local = etree.QName(el).localname if isinstance(el.tag, str) else ""
            text = " ".join([el.text or "", *(el.attrib.get(a, "") for a in ("term", "label"))])
            if local in text_tags:
                assert "onerror" not in text and "<script" not in text, (path.name, local, text)
    for path in feeds.glob("[!.]*.json"):  # not the publisher's own hidden manifest
        for item in json.loads(path.read_text("utf-8"))["items"]:
            fields = [item.get("title", ""), item.get("summary", ""), *item.get("tags", []),
                      *(a.get("name", "") for a in item.get("authors", []))]
            assert not any("onerror" in f or "<script" in f for f in fields), (path.name, fields)


def test_a_rerun_is_clean(crawled: Hostile) -> None:
    assert crawled.second.returncode == 1  # the dead source is still dead
    assert "lost:" not in crawled.second.stdout
    duplicates = crawled.query("SELECT canonical_url FROM articles GROUP BY canonical_url"
                               " HAVING COUNT(*) > 1")
    assert duplicates == []
    assert len(crawled.query("SELECT 1 FROM articles")) == len(
        hostile.expected_articles() | hostile.sibling_articles())
    again = crawled.stats("hostile", run=1)
    assert again.get("aggregator/store/new", 0) == 0
    assert again.get("aggregator/store/updated", 0) == 0
    # the broken pages failed lately: not asked again (back-off), and counted as skipped
    assert again.get("aggregator/errors/http_500", 0) == 0
    assert again.get("aggregator/errors/too_large", 0) == 0
    assert again["aggregator/incremental/skipped_failing"] >= 3  # 500, 404, too large
    fetched_paths = {r["path"] for r in crawled.second_requests}
    assert "/bad/too-big/" not in fetched_paths and "/bad/error/" not in fetched_paths
    # an unchanged re-crawl downloads a small share of the first crawl's bytes
    first = crawled.stats("hostile", run=0)["downloader/response_bytes"]
    assert again.get("downloader/response_bytes", 0) <= 0.15 * first
    # stored articles answer 304 or are not asked at all
    fetched = {r["path"]: r["status"] for r in crawled.second_requests}
    assert all(fetched.get(p, 304) == 304 for p in hostile.good_paths())


def test_base_and_url_variants_give_the_right_links(crawled: Hostile) -> None:
    """Related links resolve against the <base> the HTML standard picks (the first with an
    href, a relative one resolved against the page, javascript: ignored), and one article's
    URL written eight ways is one link."""
    links = crawled.query("SELECT a.canonical_url, l.url FROM links l JOIN articles a"
                          " ON a.id = l.article_id ORDER BY a.canonical_url, l.position")
    by_page: dict[str, list[str]] = {}
    for page, link in links:
        by_page.setdefault(page, []).append(link)
    good = [url(p) for p in hostile.good_paths()]
    for page in hostile.BASE_PAGES:
        assert by_page[url(page)] == good[:3], page
    assert by_page[url("/bad/variants/")] == good[:2]


def test_articles_sharing_boilerplate_stay_distinct(crawled: Hostile) -> None:
    """Distinct articles of two sources printing the same six paragraphs of boilerplate are
    never folded into one story nor hidden from the combined feed; the one real copy is."""
    shared = {url(f"/shared/{i}/") for i in range(hostile.SHARED_ARTICLES)}
    sibling = hostile.sibling_articles()
    copy, original = url("/copy/", SIBLING), url(f"/shared/{hostile.COPIED}/")
    stories = dict(crawled.query("SELECT canonical_url, story_id FROM articles"))
    assert stories[copy] == stories[original] is not None
    distinct = (shared | sibling) - {copy}
    assert len({stories[u] for u in distinct}) == len(distinct)
    combined = {e.link for e in feedparser.parse(
        (crawled.tmp / "feeds" / "all.atom").read_bytes()).entries}
    assert distinct - {original} <= combined
    assert len({copy, original} & combined) == 1  # the story once
