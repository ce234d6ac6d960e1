"""JSON Feed 1.1 (https://jsonfeed.org/version/1.1), which feedgen does not write.

Suggested links go in the ``_aggregator`` extension of each item (extensions start
with an underscore; readers that don't know them ignore them), and at the end of
``content_html`` like in the RSS and Atom feeds.
"""

from __future__ import annotations

import json
from datetime import datetime, timezone
from typing import Any

from aggregator.exporters.model import (
    FeedEntry,
    FeedSpec,
    content_html,
    description_of,
    is_absolute_url,
    related_links,
)

VERSION = "https://jsonfeed.org/version/1.1"
#: where the ``_aggregator`` extension is described
EXTENSION_ABOUT = "https://github.com/aggregator-news/aggregator/blob/main/docs/feeds-and-exports.md"


def rfc3339(value: datetime) -> str:
    return value.astimezone(timezone.utc).isoformat().replace("+00:00", "Z")


def json_item(entry: FeedEntry) -> dict[str, Any]:
    article = entry.article
    item: dict[str, Any] = {
        "id": entry.id,
        "url": entry.link,
        "title": article.title,
        "content_html": content_html(article, entry.also_covered_by),
        "summary": description_of(article),
    }
    if article.image is not None and is_absolute_url(article.image.url):
        item["image"] = article.image.url
    item["date_published"] = rfc3339(entry.published)
    item["date_modified"] = rfc3339(entry.updated)
    if article.authors:
        item["authors"] = [{"name": name} for name in article.authors]
    if article.tags:
        item["tags"] = list(article.tags)
    if article.language:
        item["language"] = article.language
    related = related_links(article)
    item["_aggregator"] = {
        "about": EXTENSION_ABOUT,
        "source": article.source,
        "related": [{"url": url, "title": title} for url, title in related],
        "also_covered_by": [{"url": c.canonical_url, "source": c.source, "title": c.title}
                            for c in entry.also_covered_by],
    }
    return item


def json_feed(spec: FeedSpec) -> dict[str, Any]:
    feed: dict[str, Any] = {
        "version": VERSION,
        "title": spec.title,
        "home_page_url": spec.link,
    }
    if spec.feed_urls.get("json"):
        feed["feed_url"] = spec.feed_urls["json"]
    feed["description"] = spec.description or spec.title
    feed["language"] = spec.language
    feed["items"] = [json_item(entry) for entry in spec.entries]
    return feed


def render_json_feed(spec: FeedSpec) -> bytes:
    """The feed as UTF-8 JSON text, keys in the spec's order, ending in a newline."""
    return (json.dumps(json_feed(spec), ensure_ascii=False, indent=2) + "\n").encode("utf-8")
