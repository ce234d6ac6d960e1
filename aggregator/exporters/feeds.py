"""Render a feed's entries as RSS 2.0 and Atom 1.0 with feedgen (JSON Feed: jsonfeed.py).

A feed is a pure function of its entries: the same entries give the same bytes. The
feed's own date is its newest entry's change, never "now"; an entry's dates come from
the store (first seen, last real content change), never from the time of a fetch.
"""

from __future__ import annotations

import html
import logging
import mimetypes
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from urllib.parse import urlsplit

from feedgen.feed import FeedGenerator
from lxml import etree

from aggregator.exporters.index_page import STYLESHEET, add_stylesheet
from aggregator.items import Article
from aggregator.store import StoredArticle, StoryCopy

logger = logging.getLogger(__name__)

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

    @property
    def feed_id(self) -> str:
        """A stable, unique id for the feed itself (Atom's <id>)."""
        return self.feed_urls.get("atom") or f"{self.link}#aggregator-feed-{self.name}"

    @property
    def updated(self) -> datetime:
        """The newest change of any entry; the epoch for an empty feed (never "now")."""
        return max((e.updated for e in self.entries), default=EPOCH)


def is_absolute_url(value: str) -> bool:
    parts = urlsplit(value or "")
    return parts.scheme in ("http", "https") and bool(parts.netloc)


def description_of(article: Article) -> str:
    """A short plain-text description: the summary, else the start of the body."""
    if article.summary:
        return article.summary
    text = " ".join(article.body_text.split())
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
    return "\n".join(parts)


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
    guessed, _ = mimetypes.guess_type(urlsplit(url).path)
    return guessed if guessed and guessed.startswith("image/") else "image/jpeg"


def build_feed(spec: FeedSpec) -> FeedGenerator:
    fg = FeedGenerator()
    fg.load_extension("dc", atom=False, rss=True)
    fg.load_extension("media", atom=False, rss=True)
    fg.id(spec.feed_id)
    fg.title(spec.title)
    fg.link(href=spec.link, rel="alternate")
    if spec.feed_urls.get("rss"):
        fg.link(href=spec.feed_urls["rss"], rel="self")
    fg.description(spec.description or spec.title)
    fg.subtitle(spec.description or spec.title)
    fg.author(name=spec.title)
    fg.generator(GENERATOR)
    fg.language(spec.language)
    # both default to "now" in feedgen: pin them to the newest change
    fg.updated(spec.updated)
    fg.lastBuildDate(spec.updated)
    # feedgen prepends entries: add oldest first so the feed reads newest first
    for entry in reversed(spec.entries):
        article = entry.article
        fe = fg.add_entry()
        fe.id(entry.id)
        fe.guid(entry.id, permalink=is_absolute_url(entry.id))
        fe.title(article.title)
        fe.link(href=entry.link, rel="alternate")
        fe.published(entry.published)
        fe.updated(entry.updated)
        # RSS <description> and Atom <summary>; the full text goes to content:encoded
        fe.description(description_of(article), isSummary=True)
        fe.content(content_html(article, entry.also_covered_by), type="html")
        for name in article.authors:
            fe.author(name=name)
            fe.dc.dc_creator(name)
        for tag in article.tags:
            fe.category(term=tag)
        if article.image is not None and is_absolute_url(article.image.url):
            kind = image_type(article.image.url)
            fe.enclosure(article.image.url, 0, kind)
            fe.media.content(url=article.image.url, type=kind, medium="image", group=None)
    return fg


def fix_atom_links(data: bytes, spec: FeedSpec) -> bytes:
    """feedgen 1.0.0 drops the ``rel``/``type``/``length`` of Atom entry links (its
    issue #135): write each entry's links again, with their attributes."""
    root = etree.fromstring(data)
    by_id = {entry.id: entry for entry in spec.entries}
    for node in root.iterfind(f"{{{ATOM_NS}}}entry"):
        entry = by_id[node.findtext(f"{{{ATOM_NS}}}id")]
        for old in node.findall(f"{{{ATOM_NS}}}link"):
            node.remove(old)
        anchor = node.find(f"{{{ATOM_NS}}}content")
        index = list(node).index(anchor) + 1 if anchor is not None else len(node)
        links = [{"rel": "alternate", "type": "text/html", "href": entry.link}]
        image = entry.article.image
        if image is not None and is_absolute_url(image.url):
            links.append({"rel": "enclosure", "type": image_type(image.url), "length": "0",
                          "href": image.url})
        for url, title in related_links(entry.article):
            link = {"rel": "related", "type": "text/html", "href": url}
            if title:
                link["title"] = title
            links.append(link)
        for offset, attrs in enumerate(links):
            element = etree.Element(f"{{{ATOM_NS}}}link")
            for key in ("rel", "type", "length", "title", "href"):
                if key in attrs:
                    element.set(key, attrs[key])
            node.insert(index + offset, element)
    etree.indent(root, space="  ")
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def render(spec: FeedSpec, fmt: str) -> bytes:
    """The bytes of ``spec`` in one format: "rss", "atom" or "json"."""
    if fmt == "json":
        from aggregator.exporters.jsonfeed import render_json_feed

        return render_json_feed(spec)
    fg = build_feed(spec)
    if fmt == "rss":
        return add_stylesheet(fg.rss_str(pretty=True), STYLESHEET)
    if fmt == "atom":
        return add_stylesheet(fix_atom_links(fg.atom_str(pretty=True), spec), STYLESHEET)
    raise ValueError(f"unknown feed format {fmt!r} (known: {', '.join(FORMATS)})")


#: format -> file extension: ``<feed>.rss``, ``<feed>.atom``, ``<feed>.json``
FORMATS = {"rss": "rss", "atom": "atom", "json": "json"}


def feed_filename(name: str, fmt: str) -> str:
    return f"{name}.{FORMATS[fmt]}"
