"""The feeds' data model: a feed (:class:`FeedSpec`) and its entries (:class:`FeedEntry`), the
text and HTML every format shows of an article, and the registry of feed formats.

A feed is a pure function of its entries: the same entries give the same bytes. The
feed's own date is its newest entry's change, never "now"; an entry's dates come from
the store (first seen, last real content change), never from the time of a fetch.
"""

from __future__ import annotations

import html
import mimetypes
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timezone

from aggregator.urls import split
from aggregator.items import Article
from aggregator.normalize.html import sanitize_html
from aggregator.normalize.text import strip_markup
from aggregator.store import StoredArticle, StoryCopy

EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
GENERATOR = "aggregator"
ATOM_NS = "http://www.w3.org/2005/Atom"
#: how long a plain-text description is when the article has no summary
DESCRIPTION_CHARS = 300


def _utc(value: datetime) -> datetime:
    return value.replace(tzinfo=timezone.utc) if value.tzinfo is None else value.astimezone(
        timezone.utc)


@dataclass
class FeedEntry:
    """One article as a feed shows it: with the dates a reader may rely on."""

    article: Article
    published: datetime
    updated: datetime
    #: the other copies of the article's story (other sources), first published first
    also_covered_by: list[StoryCopy] = field(default_factory=list)

    @property
    def id(self) -> str:
        """The GUID: the canonical URL, which never changes for an article."""
        return self.article.canonical_url or self.article.url

    @property
    def link(self) -> str:
        return self.article.canonical_url or self.article.url

    @classmethod
    def from_stored(cls, stored: StoredArticle) -> "FeedEntry":
        """Published: the article's date, else when the store first saw it. Updated moves
        only when the content really changed (a new version) or the site says so."""
        article = stored.article
        published = _utc(article.published or stored.first_seen)
        updated = published
        if article.modified is not None:
            updated = max(updated, _utc(article.modified))
        if stored.version > 1:
            updated = max(updated, _utc(stored.updated_at))
        return cls(article=article, published=published, updated=updated)

    @classmethod
    def from_article(cls, article: Article) -> "FeedEntry":
        """For articles that are not (yet) in a store, e.g. Scrapy's feed exports."""
        published = _utc(article.published or article.fetched_at or EPOCH)
        updated = max(published, _utc(article.modified)) if article.modified else published
        return cls(article=article, published=published, updated=updated)


@dataclass
class FeedSpec:
    """What one feed is: its identity and its entries, newest first."""

    name: str
    title: str
    link: str
    description: str = ""
    #: the feed's own absolute URL per format ("rss", "atom", "json"), when known
    feed_urls: dict[str, str] = field(default_factory=dict)
    entries: list[FeedEntry] = field(default_factory=list)
    language: str = "en"
    #: when the store last changed (its last crawl's end): the date of a feed with no
    #: entries -- stable when nothing changed, unlike "now"
    as_of: datetime | None = None

    @property
    def feed_id(self) -> str:
        """A stable, unique id for the feed itself (Atom's <id>)."""
        return self.feed_urls.get("atom") or f"{self.link}#aggregator-feed-{self.name}"

    @property
    def updated(self) -> datetime:
        """The newest change of any entry; for an empty feed :attr:`as_of`, else the epoch
        (never "now": a feed is byte-identical when nothing changed)."""
        return max((e.updated for e in self.entries), default=self.as_of or EPOCH)


def is_absolute_url(value: str) -> bool:
    parts = split(value or "")
    return parts.scheme in ("http", "https") and bool(parts.netloc)


def description_of(article: Article) -> str:
    """A short plain-text description: the summary, else the start of the body (without
    anything shaped like markup: it is a text field, whatever the body's text mentions)."""
    if article.summary:
        return article.summary
    text = " ".join(strip_markup(article.body_text).split())
    if len(text) <= DESCRIPTION_CHARS:
        return text or article.title
    return text[:DESCRIPTION_CHARS].rsplit(" ", 1)[0] + " …"


def content_html(article: Article, also_covered_by: Iterable[StoryCopy] = ()) -> str:
    """The item's full content: lead image, body, then the suggested articles and the
    story's other copies ("Also covered by") as short lists, so every reader shows them."""
    parts = []
    if article.image is not None and is_absolute_url(article.image.url):
        caption = html.escape(article.image.caption)
        if article.image.credit:
            caption += f" ({html.escape(article.image.credit)})"
        parts.append(f'<figure><img src="{html.escape(article.image.url)}" alt="{caption}"'
                     f' referrerpolicy="no-referrer"/><figcaption>{caption}</figcaption></figure>')
    parts.append(article.body_html or "".join(
        f"<p>{html.escape(p)}</p>" for p in article.body_text.split("\n\n") if p.strip()))
    related = related_links(article)
    if related:
        items = "".join(f'<li><a href="{html.escape(url)}">{html.escape(title or url)}'
                        "</a></li>" for url, title in related)
        parts.append(f"<h3>Suggested articles</h3><ul>{items}</ul>")
    copies = [c for c in also_covered_by if is_absolute_url(c.canonical_url)]
    if copies:
        items = "".join(f'<li><a href="{html.escape(c.canonical_url)}">{html.escape(c.title)}</a>'
                        f" ({html.escape(c.source)})</li>" for c in copies)
        parts.append(f"<h3>Also covered by</h3><ul>{items}</ul>")
    # every fragment a feed carries passes the sanitiser, the parts we write included
    return sanitize_html("\n".join(parts), article.canonical_url or article.url)


def byline(authors: Iterable[str]) -> str:
    """Every author in one name field: readers show one field per item (newsboat the last
    ``dc:creator``, sfeed the first author), so co-authors go into it together.

    >>> byline(["Ann Lee", "Bob Roe"])
    'Ann Lee, Bob Roe'
    """
    return ", ".join(name for name in authors if name)


def related_links(article: Article) -> list[tuple[str, str]]:
    """``(url, title)`` of the suggested links a feed can carry (absolute, no repeats)."""
    seen: set[str] = set()
    out = []
    for link in article.related:
        if is_absolute_url(link.url) and link.url not in seen:
            seen.add(link.url)
            out.append((link.url, link.title))
    return out


def image_type(url: str) -> str:
    """The MIME type of an image URL, guessed from its extension."""
    guessed, _ = mimetypes.guess_type(split(url).path)
    return guessed if guessed and guessed.startswith("image/") else "image/jpeg"




@dataclass(frozen=True)
class FeedFormat:
    """One feed format: its file extension, its name for people, its media type."""

    extension: str
    label: str
    media_type: str


#: the feed formats, in the order pages list them: the one registry of them
FORMATS: dict[str, FeedFormat] = {
    "rss": FeedFormat("rss", "RSS", "application/rss+xml"),
    "atom": FeedFormat("atom", "Atom", "application/atom+xml"),
    "json": FeedFormat("json", "JSON Feed", "application/feed+json"),
}


def feed_filename(name: str, fmt: str) -> str:
    """``<feed>.rss``, ``<feed>.atom``, ``<feed>.json``."""
    return f"{name}.{FORMATS[fmt].extension}"


def page_filename(name: str) -> str:
    """The feed's HTML page, ``<feed>.html``; a feed named "index" gets ``index.feed.html``
    (feed names have no dot, so it is nobody else's page, and ``index.html`` stays the
    front page).

    >>> page_filename("all"), page_filename("index")
    ('all.html', 'index.feed.html')
    """
    return f"{name}.feed.html" if name == "index" else f"{name}.html"
