"""The Article item as pipelines and exporters see it: through ItemAdapter."""

from __future__ import annotations

import dataclasses
from datetime import datetime, timezone

from itemadapter import ItemAdapter

from aggregator.items import Article, LeadImage, RelatedLink

REQUIRED = {"url", "canonical_url", "source", "title", "summary", "authors", "published",
            "modified", "body_text", "body_html", "image", "tags", "language", "related",
            "fetched_at", "content_hash"}


def test_article_has_every_field_of_the_design() -> None:
    names = {f.name for f in dataclasses.fields(Article)}
    assert REQUIRED <= names
    assert {f.name for f in dataclasses.fields(LeadImage)} >= {"url", "caption", "credit"}
    assert {f.name for f in dataclasses.fields(RelatedLink)} >= {"url", "title", "position"}


def test_itemadapter_reads_and_writes_the_dataclass() -> None:
    when = datetime(2023, 4, 12, 1, 30, tzinfo=timezone.utc)
    article = Article(url="https://ex.com/a", title="T", published=when,
                      image=LeadImage("https://ex.com/i.png", "Cap", "CUHK"),
                      related=[RelatedLink("https://ex.com/b", "B", 1)])
    adapter = ItemAdapter(article)
    assert adapter.is_item(article)
    assert adapter["published"].utcoffset() is not None
    adapter["title"] = "New"
    assert article.title == "New"
    plain = adapter.asdict()
    assert plain["image"] == {"url": "https://ex.com/i.png", "caption": "Cap", "credit": "CUHK"}
    assert plain["related"][0]["title"] == "B"


def test_list_fields_are_not_shared_between_items() -> None:
    a, b = Article(url="https://ex.com/a"), Article(url="https://ex.com/b")
    a.authors.append("Jane Doe")
    a.related.append(RelatedLink("https://ex.com/c"))
    assert b.authors == [] and b.related == []
    assert a.published is None and a.fetched_at is None  # unknown is None, never "now"
