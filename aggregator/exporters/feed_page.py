"""A feed's own page, ``<feed>.html``: what a browser shows of a feed, as plain HTML.

Browsers no longer render feeds through XSLT (Chromium is removing it, and from file://
it showed a blank page), so every feed gets a page next to it: its title and description,
subscribe buttons, and every entry in full (image, text, suggested articles, other copies
of the story), with the dates in the index page's one format. Each entry's HTML is the
feeds' own content, which passed the sanitiser (:func:`.model.content_html`); every other
text is escaped.
"""

from __future__ import annotations

import logging
from html import escape
from pathlib import Path

from aggregator.exporters.atomic import write_atomic
from aggregator.exporters.html_parts import (alternate_links, date_html, page, safe_url,
                                             subscribe_links)
from aggregator.exporters.model import FeedEntry, FeedSpec, byline, content_html, page_filename

logger = logging.getLogger(__name__)

INDEX = "index.html"


def _entry(entry: FeedEntry, source_titles: dict[str, str]) -> str:
    article = entry.article
    title = escape(article.title or entry.link)
    url = safe_url(entry.link)
    heading = (f'<a href="{escape(url, quote=True)}" rel="noopener noreferrer">{title}</a>'
               if url else title)
    meta = [date_html(entry.published)]
    if byline(article.authors):
        meta.append(escape(byline(article.authors)))
    if article.source:
        meta.append(escape(source_titles.get(article.source, article.source)))
    return (f'<article class="entry"><h2>{heading}</h2>'
            f'<p class="meta">{" · ".join(meta)}</p>'
            f'<div class="content">{content_html(article, entry.also_covered_by)}</div>'
            "</article>")


def render_feed_page(spec: FeedSpec, formats: dict[str, str],
                     source_titles: dict[str, str] | None = None) -> str:
    """The HTML of ``spec``'s page; ``formats``: its feed files (extension -> file name)."""
    titles = source_titles or {}
    name = spec.title or spec.name
    desc = f'<p class="desc">{escape(spec.description)}</p>' if spec.description else ""
    entries = "\n".join(_entry(entry, titles) for entry in spec.entries) or \
        '<p class="empty">No articles yet.</p>'
    body = (f'<header><p class="nav"><a href="{INDEX}">All feeds</a></p>'
            f"<h1>{escape(name)}</h1>{desc}"
            f'<p class="subscribe">Subscribe: {subscribe_links(formats) or "no feed file yet"}'
            "</p></header>\n"
            f'<main class="entries">\n{entries}\n</main>')
    return page(name, alternate_links(name, formats), body)


def write_feed_page(feeds_dir: Path, spec: FeedSpec, formats: dict[str, str],
                    source_titles: dict[str, str] | None = None) -> Path:
    """Write ``<feed>.html`` into ``feeds_dir`` (untouched when unchanged); return its path."""
    path = Path(feeds_dir) / page_filename(spec.name)
    if write_atomic(path, render_feed_page(spec, formats, source_titles).encode("utf-8")):
        logger.info("Wrote %s", path)
    return path
