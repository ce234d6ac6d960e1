"""The one canonical-URL policy (aggregator.urls), table-driven."""

from __future__ import annotations

import pytest

from aggregator.urls import canonical_url, choose_canonical, in_domains, same_site, strip_tracking

CANONICAL = [
    # every kind of tracking junk goes, meaningful parameters stay (sorted by w3lib)
    ("https://ex.com/a?utm_source=tw&utm_medium=social&utm_campaign=x&utm_term=t&utm_content=c",
     "https://ex.com/a"),
    ("https://ex.com/a?UTM_Source=x&Utm_Medium=y", "https://ex.com/a"),
    ("https://ex.com/a?fbclid=IwAR0&gclid=Cj0&dclid=1&msclkid=2", "https://ex.com/a"),
    ("https://ex.com/a?mc_cid=abc&mc_eid=def", "https://ex.com/a"),
    ("https://ex.com/a?ref=hn", "https://ex.com/a"),
    ("https://ex.com/a?_hsenc=1&_hsmi=2&igshid=3&yclid=4&_ga=5&mkt_tok=6", "https://ex.com/a"),
    ("https://ex.com/a?id=3&utm_source=x&page=2&fbclid=y", "https://ex.com/a?id=3&page=2"),
    ("https://ex.com/a?b=2&a=1", "https://ex.com/a?a=1&b=2"),
    ("https://ex.com/a?x=1&x=2", "https://ex.com/a?x=1&x=2"),
    ("https://ex.com/a?q=", "https://ex.com/a?q="),
    # fragments dropped, host lower-cased, default port and trailing dot removed
    ("HTTP://Example.COM:80/a/b#top", "http://example.com/a/b"),
    ("https://EX.com.:443/a#comments", "https://ex.com/a"),
    ("https://ex.com:8443/a", "https://ex.com:8443/a"),
    ("https://ex.com", "https://ex.com/"),
    # escaping normalised, path case kept
    ("https://ex.com/%7Euser/A b", "https://ex.com/~user/A%20b"),
    ("https://ex.com/caf%c3%a9", "https://ex.com/caf%C3%A9"),
    ("  https://ex.com/a  ", "https://ex.com/a"),
    # not http(s): returned as is
    ("mailto:a@ex.com", "mailto:a@ex.com"),
]


@pytest.mark.parametrize(("url", "expected"), CANONICAL)
def test_canonical_url(url: str, expected: str) -> None:
    assert canonical_url(url) == expected


def test_configured_tracking_params_are_stripped() -> None:
    url = "https://ex.com/a?src=nl&cmp=x&id=1"
    assert canonical_url(url, ["src", "CMP"]) == "https://ex.com/a?id=1"
    assert canonical_url(url) == "https://ex.com/a?cmp=x&id=1&src=nl"


def test_strip_tracking_keeps_order_of_the_rest() -> None:
    assert strip_tracking("https://ex.com/a?z=1&utm_source=x&a=2") == "https://ex.com/a?z=1&a=2"
    assert strip_tracking("https://ex.com/a") == "https://ex.com/a"


CHOOSE = [
    # declared, same-site and sane: it wins, canonicalised
    ("https://ex.com/a?utm_source=x", "https://ex.com/a/", "https://ex.com/a/"),
    ("https://ex.com/news/a.html", "/news/a.html?utm_medium=web", "https://ex.com/news/a.html"),
    ("https://m.ex.com/a", "https://www.ex.com/a", "https://www.ex.com/a"),
    # declared but not trusted: another site, the home page, not http, garbage
    ("https://ex.com/a", "https://evil.example/a", "https://ex.com/a"),
    ("https://ex.com/a", "https://ex.com/", "https://ex.com/a"),
    ("https://ex.com/a", "javascript:alert(1)", "https://ex.com/a"),
    ("https://ex.com/a", "https://ex.com/a b\x00", "https://ex.com/a"),
    ("https://ex.com/a#x", None, "https://ex.com/a"),
    ("https://ex.com/a", "", "https://ex.com/a"),
]


@pytest.mark.parametrize(("page", "declared", "expected"), CHOOSE)
def test_choose_canonical(page: str, declared: str | None, expected: str) -> None:
    assert choose_canonical(page, declared) == expected


def test_same_site_and_domains() -> None:
    assert same_site("https://www.ex.com/x", "https://ex.com/y")
    assert same_site("https://news.ex.com/x", "https://ex.com/y")
    assert not same_site("https://ex.com.evil.org/x", "https://ex.com/y")
    assert not same_site("", "https://ex.com/")
    assert in_domains("https://a.ex.com/x", ["ex.com"])
    assert not in_domains("https://notex.com/x", ["ex.com"])
