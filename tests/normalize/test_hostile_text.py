"""Hostile text in every field: markup stripped (never escaped), lengths capped and flagged,
links de-duplicated across a trailing slash -- and a fuzz test of the text and URL cleaners."""

from __future__ import annotations

import re
from datetime import datetime, timezone
from xml.sax.saxutils import escape

from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree

from aggregator.exporters.model import FeedEntry, FeedSpec
from aggregator.exporters.feeds import render
from aggregator.items import Article, LeadImage, RelatedLink
from aggregator.normalize import normalize_article
from aggregator.normalize.text import clean_text
from aggregator.urls import canonical_url, join, split

TAG = re.compile(r"<[/!]?[A-Za-z]")
XSS = "<img src=x onerror=alert(1)>"


def _hostile() -> Article:
    return Article(
        url="https://ex.com/2024/05/01/chips", title=f"Chips {XSS} &lt;script&gt;x&lt;/script&gt;",
        summary=f"Summary {XSS}", tags=["<script>alert(3)</script>AI", "&lt;b&gt;Chips&lt;/b&gt;"],
        authors=[f"Ann Lee {XSS}"], body_text="The body.", body_html="<p>The body.</p>",
        image=LeadImage(url="https://ex.com/a.jpg", caption=f"Caption {XSS}", credit="<i>AP</i>"),
        related=[RelatedLink(url="/2024/04/30/other", title=f"{XSS}Other story"),
                 RelatedLink(url="https://ex.com/2024/04/30/other/", title="Other again")],
        fetched_at=datetime(2024, 5, 1, tzinfo=timezone.utc))


def test_no_markup_survives_in_any_text_field_nor_in_the_feeds():
    article = normalize_article(_hostile())
    fields = [article.title, article.summary, *article.tags, *article.authors,
              article.image.caption, article.image.credit, *(l.title for l in article.related)]
    assert all(f and not TAG.search(f) for f in fields), fields
    assert article.title == "Chips x" and article.tags == ["alert(3)AI", "Chips"]
    spec = FeedSpec(name="t", title="T", link="https://ex.com/",
                    entries=[FeedEntry.from_article(article)])
    for fmt in ("rss", "atom", "json"):
        data = render(spec, fmt).decode()
        assert "onerror" not in data and "<script" not in data and "&lt;script" not in data


def test_links_one_across_a_trailing_slash():
    article = normalize_article(_hostile())
    assert [l.url for l in article.related] == ["https://ex.com/2024/04/30/other"]


def test_text_fields_are_capped_at_a_word_and_flagged():
    article = _hostile()
    article.title = "word " * 20_000
    article.tags = ["tag " * 100]
    article = normalize_article(article)
    assert len(article.title) <= 300 and article.title.endswith("word…")
    assert len(article.tags[0]) <= 100
    assert {"capped_title", "capped_tag"} <= set(article.flags)


@settings(max_examples=300, derandomize=True, deadline=None)
@given(st.text(max_size=300))
def test_clean_text_gives_valid_xml_text_without_markup_and_is_idempotent(value: str):
    cleaned = clean_text(value, decode_entities=True)
    assert clean_text(cleaned) == cleaned
    assert not re.search(r"<[/!?]?[A-Za-z][^<>]*>", cleaned)
    etree.fromstring(f"<t>{escape(cleaned)}</t>")  # XML 1.0 text: raises if it is not


@settings(max_examples=300, derandomize=True, deadline=None)
@given(st.text(max_size=120), st.sampled_from(["http://", "https://", "//", "", "http://["]))
def test_url_cleaners_never_raise_and_canonical_urls_are_stable(tail: str, head: str):
    url = head + tail
    split(url), join("https://ex.com/a/", url)  # never raise
    once = canonical_url(url)
    assert canonical_url(once) == once
