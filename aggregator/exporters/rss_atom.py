"""RSS 2.0 and Atom 1.0 with feedgen (JSON Feed: :mod:`.jsonfeed`)."""

from __future__ import annotations

from typing import Any

from feedgen.entry import FeedEntry as GeneratedEntry
from feedgen.feed import FeedGenerator
from lxml import etree

from aggregator.exporters.model import (GENERATOR, FeedEntry, FeedSpec, byline, content_html,
                                        description_of, image_type, is_absolute_url,
                                        related_links)


class _Entry(GeneratedEntry):  # type: ignore[misc]  # feedgen is untyped
    """feedgen's entry, whose Atom ``<link>`` elements are written whole as the document is
    built: feedgen 1.0.0 drops their ``rel``, ``type``, ``length`` and ``title`` (its
    issue #135), so they are replaced on the element, before anything is serialised."""

    def __init__(self, entry: FeedEntry) -> None:
        super().__init__()
        self.ours = entry

    def atom_entry(self, extensions: bool = True) -> Any:
        node = super().atom_entry(extensions)
        _write_links(node, self.ours)
        return node


def _write_links(node: Any, entry: FeedEntry) -> None:
    """The Atom links of ``entry`` (alternate, the lead image as enclosure, each related
    article) in place of those feedgen wrote, right after ``<content>``. feedgen builds
    elements without a namespace (the document's ``xmlns`` is an attribute of its root)."""
    for old in node.findall("link"):
        node.remove(old)
    anchor = node.find("content")
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
        element = etree.Element("link")
        for key in ("rel", "type", "length", "title", "href"):
            if key in attrs:
                element.set(key, attrs[key])
        node.insert(index + offset, element)


def build_feed(spec: FeedSpec, fmt: str) -> FeedGenerator:
    """The feed as feedgen's model, for ``fmt`` ("rss" or "atom"): its rel="self" link
    names that format's file (feedgen writes the same links into both)."""
    fg = FeedGenerator()
    fg.load_extension("dc", atom=False, rss=True)
    fg.load_extension("media", atom=False, rss=True)
    fg.id(spec.feed_id)
    fg.title(spec.title)
    fg.link(href=spec.link, rel="alternate")
    if spec.feed_urls.get(fmt):
        fg.link(href=spec.feed_urls[fmt], rel="self")
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
        fe = fg.add_entry(_Entry(entry))
        fe.id(entry.id)
        fe.guid(entry.id, permalink=is_absolute_url(entry.id))
        fe.title(article.title)
        fe.link(href=entry.link, rel="alternate")
        fe.published(entry.published)
        fe.updated(entry.updated)
        # RSS <description> and Atom <summary>; the full text goes to content:encoded
        fe.description(description_of(article), isSummary=True)
        fe.content(content_html(article, entry.also_covered_by), type="html")
        # one name field holding every author: see model.byline
        if byline(article.authors):
            fe.author(name=byline(article.authors))
            fe.dc.dc_creator(byline(article.authors))
        for tag in article.tags:
            fe.category(term=tag)
        if article.image is not None and is_absolute_url(article.image.url):
            kind = image_type(article.image.url)
            fe.enclosure(article.image.url, 0, kind)
            fe.media.content(url=article.image.url, type=kind, medium="image", group=None)
    return fg


def render_rss(spec: FeedSpec) -> bytes:
    return build_feed(spec, "rss").rss_str(pretty=True)


def render_atom(spec: FeedSpec) -> bytes:
    return bytes(build_feed(spec, "atom").atom_str(pretty=True))
