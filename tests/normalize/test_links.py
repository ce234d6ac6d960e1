"""Suggested links: absolute, canonical, tracking-free, de-duplicated, renumbered."""

from __future__ import annotations

from aggregator.items import Article, RelatedLink
from aggregator.normalize import normalize_article
from aggregator.normalize.links import normalize_related

ARTICLE = "https://news.example/2024/05/story/?utm_source=rss"


def test_related_links_cleaned() -> None:
    links = [
        RelatedLink("/2024/05/one/?utm_source=related&utm_medium=web", " One &amp; only ", 1),
        RelatedLink("https://news.example/2024/05/story/#comments", "Self", 2),
        RelatedLink("https://NEWS.example/2024/05/one/#comments", "One again", 3),
        RelatedLink("https://other.example/x?fbclid=1&id=7", "Other\u200b site", 4),
        RelatedLink("javascript:void(0)", "JS", 5),
        RelatedLink("", "empty", 6),
        RelatedLink("mailto:a@b.c", "mail", 7),
        RelatedLink("../two/", "Two", 8),
        RelatedLink("https://www.news.example/three/", "Three", 9),
    ]
    out = normalize_related(links, ARTICLE)
    assert [(l.position, l.url, l.title, l.internal) for l in out] == [
        (1, "https://news.example/2024/05/one/", "One & only", True),
        (2, "https://other.example/x?id=7", "Other site", False),
        (3, "https://news.example/2024/05/two/", "Two", True),
        (4, "https://www.news.example/three/", "Three", True),
    ]


def test_declared_canonical_counts_as_self() -> None:
    links = [RelatedLink("https://news.example/canonical-story/", "Me"), RelatedLink("/x/", "X")]
    out = normalize_related(links, ARTICLE, canonical="https://news.example/canonical-story/")
    assert [l.url for l in out] == ["https://news.example/x/"]


def test_page_order_kept_by_position() -> None:
    links = [RelatedLink("/c/", "C", 3), RelatedLink("/a/", "A", 1), RelatedLink("/b/", "B", 2)]
    assert [l.title for l in normalize_related(links, ARTICLE)] == ["A", "B", "C"]
    unnumbered = [RelatedLink("/c/", "C"), RelatedLink("/a/", "A")]
    assert [l.title for l in normalize_related(unnumbered, ARTICLE)] == ["C", "A"]


def test_configured_tracking_param() -> None:
    out = normalize_related([RelatedLink("/a/?src=nl&id=1", "A")], ARTICLE,
                            tracking_params=["src"])
    assert out[0].url == "https://news.example/a/?id=1"


def test_normalize_article_applies_links_step() -> None:
    article = Article(url=ARTICLE, canonical_url="", related=[
        RelatedLink("/2024/05/story/", "Self"), RelatedLink("/a/?ref=x", "A", 7)])
    out = normalize_article(article)
    assert out.canonical_url == "https://news.example/2024/05/story/"
    assert [(l.position, l.url) for l in out.related] == [(1, "https://news.example/a/")]
