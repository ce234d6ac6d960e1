"""Render articles as RSS 2.0 and Atom 1.0 feeds with feedgen.

A feed is a pure function of its articles: the same articles give the same bytes
(the feed's own date is its newest item's, never "now").
"""

from __future__ import annotations

import html
import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from feedgen.feed import FeedGenerator

from aggregator.exporters.atomic import write_atomic
from aggregator.items import Article

logger = logging.getLogger(__name__)

EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
GENERATOR = "aggregator"


@dataclass
class FeedSpec:
    """What one feed is: its identity and its articles, newest first."""

    name: str
    title: str
    link: str
    description: str = ""
    articles: list[Article] = field(default_factory=list)


def item_date(article: Article) -> datetime:
    """When the item was published (or, lacking a date, first fetched), aware UTC."""
    when = article.published or article.fetched_at or EPOCH
    return when if when.tzinfo else when.replace(tzinfo=timezone.utc)


def item_updated(article: Article) -> datetime:
    when = article.modified or item_date(article)
    return when if when.tzinfo else when.replace(tzinfo=timezone.utc)


def item_id(article: Article) -> str:
    """The GUID: the canonical URL, which never changes for an article."""
    return article.canonical_url or article.url


def content_html(article: Article) -> str:
    """The item's full content: body, then the suggested articles as a short list."""
    parts = []
    if article.image is not None:
        caption = html.escape(article.image.caption)
        if article.image.credit:
            caption += f" ({html.escape(article.image.credit)})"
        parts.append(f'<figure><img src="{html.escape(article.image.url)}" alt="{caption}"'
                     f' referrerpolicy="no-referrer"/><figcaption>{caption}</figcaption></figure>')
    parts.append(article.body_html or "".join(
        f"<p>{html.escape(p)}</p>" for p in article.body_text.split("\n\n") if p.strip()))
    if article.related:
        items = "".join(f'<li><a href="{html.escape(link.url)}">{html.escape(link.title or link.url)}'
                        "</a></li>" for link in article.related)
        parts.append(f"<h3>Suggested articles</h3><ul>{items}</ul>")
    return "\n".join(parts)


def build_feed(spec: FeedSpec) -> FeedGenerator:
    fg = FeedGenerator()
    fg.id(spec.link)
    fg.title(spec.title)
    fg.link(href=spec.link, rel="alternate")
    fg.description(spec.description or spec.title)
    fg.subtitle(spec.description or spec.title)
    fg.generator(GENERATOR)
    fg.language("en")
    newest = max((item_updated(a) for a in spec.articles), default=EPOCH)
    fg.updated(newest)
    fg.lastBuildDate(newest)
    # feedgen prepends entries: add oldest first so the feed reads newest first
    for article in reversed(spec.articles):
        fe = fg.add_entry()
        fe.id(item_id(article))
        fe.guid(item_id(article), permalink=item_id(article).startswith(("http://", "https://")))
        fe.title(article.title)
        fe.link(href=article.canonical_url or article.url, rel="alternate")
        fe.published(item_date(article))
        fe.updated(item_updated(article))
        if article.summary:
            fe.summary(article.summary)
        fe.content(content_html(article), type="CDATA")
        for name in article.authors:
            fe.author(name=name)
        for tag in article.tags:
            fe.category(term=tag)
    return fg


def render(spec: FeedSpec, fmt: str) -> bytes:
    fg = build_feed(spec)
    if fmt == "rss":
        return fg.rss_str(pretty=True)
    if fmt == "atom":
        return fg.atom_str(pretty=True)
    raise ValueError(f"unknown feed format {fmt!r} (known: rss, atom)")


FORMATS = {"rss": "rss", "atom": "atom"}


def write_feed(spec: FeedSpec, feeds_dir: Path, formats: Iterable[str] = FORMATS) -> list[Path]:
    """Write ``<name>.<format>`` files for one feed; return their paths."""
    paths = []
    for fmt in formats:
        path = Path(feeds_dir) / f"{spec.name}.{FORMATS[fmt]}"
        if write_atomic(path, render(spec, fmt)):
            logger.info("Wrote %s (%d items)", path, len(spec.articles))
        paths.append(path)
    return paths
