"""A source whose feed links through a redirect host on a sub-domain of its own site (a
``go.`` link service) is crawled: a source's site is its home page's registered domain
(public-suffix aware). Entries that are not crawlable are counted, and a source that
answers but gives no article is warned about, in the summary and the log."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from tests.conftest import run_aggregator, start_server, stop_server

pytestmark = pytest.mark.slow

SITE, LINKS, OTHER, EMPTY = "www.redirnews.com", "go.redirnews.com", "elsewhere.net", \
    "www.nothinghere.com"


def _page(title: str) -> str:
    text = " ".join(f"{title} is told in plain sentences, paragraph {n}, long enough to read"
                    " as the body of a real article about chips and software." for n in range(3))
    return (f"<!doctype html><html lang='en'><head><meta charset='utf-8'><title>{title}</title>"
            f"</head><body><main><article><h1>{title}</h1>" + f"<p>{text}</p>" * 4
            + "</article></main></body></html>")


def _feed(links: list[str]) -> str:
    items = "".join(f"<item><title>Item {n}</title><link>{link}</link></item>"
                    for n, link in enumerate(links))
    return ('<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>T</title>'
            f"<link>http://x/</link><description>d</description>{items}</channel></rss>")


def _write(root: Path, host: str, rel: str, text: str) -> None:
    path = root / host / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, "utf-8")


def test_redirect_links_on_a_sub_domain_are_the_sources_own(tmp_path: Path) -> None:
    site = tmp_path / "site"
    for n in range(2):
        _write(site, SITE, f"story/{n}/index.html", _page(f"Story number {n}"))
    _write(site, SITE, "feed.xml", _feed(
        [f"http://{LINKS}/feed/{SITE}/story/{n}/" for n in range(2)] + [f"http://{OTHER}/x/"]))
    _write(site, LINKS, "_redirects", f"/feed/{SITE}/*  http://{SITE}/:splat  302\n")
    _write(site, OTHER, "x/index.html", _page("Never to be crawled"))
    _write(site, EMPTY, "feed.xml", _feed([f"http://{OTHER}/x/", "javascript:alert(1)"]))
    config = tmp_path / "sources.toml"
    config.write_text(
        f'[[sources]]\nname = "redirnews"\nhome = "http://{SITE}/"\n'
        f'feeds = ["http://{SITE}/feed.xml"]\n\n'
        f'[[sources]]\nname = "nothinghere"\nhome = "http://{EMPTY}/"\n'
        f'feeds = ["http://{EMPTY}/feed.xml"]\n')
    server = start_server(site, tmp_path / "requests.log")
    try:
        routes = [a for h in (SITE, LINKS, OTHER, EMPTY) for a in ("--route",
                                                                   f"{h}={server.hostport}")]
        done = run_aggregator("crawl", "--config", str(config), *routes, "--data-dir",
                              str(tmp_path / "data"), "--feeds-dir", str(tmp_path / "feeds"),
                              cwd=tmp_path, timeout=120)
        requests = server.requests()
    finally:
        stop_server(server)
    out = done.stdout
    with sqlite3.connect(tmp_path / "data" / "aggregator.sqlite3") as conn:
        stored = sorted(u for (u,) in conn.execute("SELECT canonical_url FROM articles"))
    # the go. links were followed to the articles; the off-site entry was not
    assert stored == [f"http://{SITE}/story/{n}/" for n in range(2)], out + done.stderr
    assert OTHER not in {r["host"] for r in requests}
    redirnews = next(x for x in out.splitlines() if x.startswith("redirnews "))
    assert " ok " in redirnews and "new   2" in redirnews
    assert "  rejected entries: 1 (off-site or not crawlable)" in out
    # answered, nothing stored: said in the summary and in the log, with the reason
    warning = ("nothinghere: no article stored yet: 2 feed/sitemap entries were off-site or"
               " not crawlable (see the source's allowed_domains)")
    assert f"  warning: {warning}" in out
    assert warning in done.stderr
