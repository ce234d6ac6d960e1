"""The OPML subscription lists work in a real reader out of the box: as published (no
``feeds_url``: ``file://`` links), and as ``aggregator serve`` gives them (absolute
``http://`` links from the request's Host header, else the server's own address)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from lxml import etree

from tests.helpers.readers import newsboat, newsboat_items
from tests.serve.conftest import Served, Site

LISTS = {"feeds.opml": "rss", "feeds-atom.opml": "atom", "feeds-json.opml": "json"}
FEEDS = ("all", "alpha", "beta")


def xml_urls(data: bytes) -> list[str]:
    return [o.get("xmlUrl") for o in etree.fromstring(data).iter("outline")]


def import_and_reload(home: Path, opml: Path) -> list[dict[str, str]]:
    """``newsboat -i OPML``, then ``newsboat -x reload``: what a user does."""
    (home / "urls").write_text("")
    result = newsboat(home, "-u", "urls", "-i", str(opml))
    assert result.returncode == 0, result.stderr
    result = newsboat(home, "-u", "urls", "-c", "cache.db", "-x", "reload")
    assert result.returncode == 0, result.stderr
    return newsboat_items(home / "cache.db")


def test_published_lists_link_the_files_of_this_computer(site: Site) -> None:
    """No feeds_url: every list names its format's files by absolute file:// URL (a bare
    "all.rss" is imported by newsboat and then silently gives nothing)."""
    for name, fmt in LISTS.items():
        data = (site.feeds / name).read_bytes()
        assert xml_urls(data) == [(site.feeds / f"{feed}.{fmt}").resolve().as_uri()
                                  for feed in FEEDS], name
        assert b"aggregator serve" in data  # the list says why, and what to do instead


def test_newsboat_reads_every_article_of_the_published_opml(site: Site, tmp_path: Path) -> None:
    items = import_and_reload(tmp_path, site.feeds / "feeds.opml")
    assert {item["guid"] for item in items} == {a.canonical_url for a in site.articles}
    # newsboat keeps one GUID once: an article of all.rss is also alpha's or beta's
    assert {item["feedurl"] for item in items} <= {
        (site.feeds / f"{feed}.rss").resolve().as_uri() for feed in FEEDS}


def test_newsboat_reads_every_article_of_the_served_opml(site: Site, served: Served,
                                                          tmp_path: Path) -> None:
    resp, body = served.request("GET", "/feeds.opml")
    assert resp.status == 200
    assert xml_urls(body) == [served.url + f"{feed}.rss" for feed in FEEDS]
    (tmp_path / "feeds.opml").write_bytes(body)
    items = import_and_reload(tmp_path, tmp_path / "feeds.opml")
    assert {item["guid"] for item in items} == {a.canonical_url for a in site.articles}
    assert {item["feedurl"] for item in items} <= {served.url + f"{f}.rss" for f in FEEDS}


@pytest.mark.parametrize("name", LISTS)
def test_served_lists_follow_the_host_header(served: Served, name: str) -> None:
    fmt = LISTS[name]
    resp, body = served.request("GET", "/" + name, {"Host": "feeds.example:8443"})
    assert resp.status == 200 and int(resp.getheader("Content-Length")) == len(body)
    assert xml_urls(body) == [f"http://feeds.example:8443/{feed}.{fmt}" for feed in FEEDS]
    assert b"file:" not in body and b"aggregator serve" not in body
    # another host, another representation: its own ETag; each revalidates to a 304
    other, other_body = served.request("GET", "/" + name, {"Host": "127.0.0.1"})
    assert xml_urls(other_body)[0] == f"http://127.0.0.1/all.{fmt}"
    assert other.getheader("ETag") != resp.getheader("ETag")
    again, _ = served.request("GET", "/" + name, {"Host": "feeds.example:8443",
                                                   "If-None-Match": resp.getheader("ETag")})
    assert again.status == 304


@pytest.mark.parametrize("host", ["evil.example/<x>", "a b", ""])
def test_a_bad_host_header_gives_the_servers_own_address(served: Served, host: str) -> None:
    resp, body = served.request("GET", "/feeds.opml", {"Host": host})
    assert resp.status == 200
    assert xml_urls(body) == [served.url + f"{feed}.rss" for feed in FEEDS]


def test_configured_feeds_url_is_kept(tmp_path: Path, served: Served) -> None:
    """With feeds_url the published links are already absolute: served as they are."""
    from tests.serve.conftest import build_site, start_serve, stop_serve
    site = build_site(tmp_path, feeds_url="https://news.example/feeds/")
    data = (site.feeds / "feeds-atom.opml").read_bytes()
    assert xml_urls(data) == [f"https://news.example/feeds/{feed}.atom" for feed in FEEDS]
    assert b"aggregator serve" not in data
    server = start_serve(site.feeds, cwd=tmp_path)
    try:
        _, body = server.request("GET", "/feeds-atom.opml", {"Host": "other.example"})
    finally:
        stop_serve(server)
    assert body == data


def test_moved_lists_still_import(site: Site, tmp_path: Path) -> None:
    """A copy of the list elsewhere still names the feeds folder (absolute links)."""
    shutil.copy(site.feeds / "feeds.opml", tmp_path / "mine.opml")
    items = import_and_reload(tmp_path, tmp_path / "mine.opml")
    assert len({item["guid"] for item in items}) == len(site.articles)
