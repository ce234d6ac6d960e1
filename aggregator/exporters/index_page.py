"""The feeds folder's front page.

:func:`write_index` writes ``index.html``: every feed with its sources, item count, last
update, its page (:mod:`.feed_page`), a subscribe link per format and its newest articles,
the OPML lists, plus ``<link rel="alternate">`` autodiscovery tags, so a reader given the
site's URL finds every feed. No script; all text escaped (titles come from the web). It
also copies the static files (:data:`STATIC_FILES`: ``style.css``) next to the feeds.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime
from html import escape
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from aggregator.exporters.atomic import write_atomic
from aggregator.exporters.html_parts import (CSS, alternate_links, date_html, href, page,
                                             safe_url, subscribe_links)
from aggregator.exporters.model import FORMATS, page_filename
from aggregator.exporters.opml import opml_filename

if TYPE_CHECKING:
    from aggregator.exporters.model import FeedSpec

logger = logging.getLogger(__name__)

INDEX_FILE = "index.html"
#: package files copied into the feeds folder at every publish
STATIC_FILES = (CSS,)
NEWEST_SHOWN = 5


@dataclass
class ArticleLink:
    title: str
    url: str
    date: datetime | None = None


@dataclass
class FeedInfo:
    """What the index page says about one feed."""

    name: str
    title: str
    sources: list[str] = field(default_factory=list)
    item_count: int = 0
    updated: datetime | None = None
    #: format extension ("rss", "atom", "json") -> file name in the feeds folder
    formats: dict[str, str] = field(default_factory=dict)
    #: newest first
    newest: list[ArticleLink] = field(default_factory=list)
    description: str = ""
    #: the feed's HTML page in the feeds folder, when there is one
    page: str = ""


def formats_on_disk(feeds_dir: Path, name: str) -> dict[str, str]:
    """The formats of feed ``name`` that exist as files in ``feeds_dir``."""
    return {ext: f"{name}.{ext}" for ext in FORMATS
            if (Path(feeds_dir) / f"{name}.{ext}").is_file()}


def feed_infos(specs: list["FeedSpec"], feeds_dir: Path, config: Any = None) -> list[FeedInfo]:
    """What the index page shows of each published feed: its sources (titles from the
    config when it names them), entry count, last update, formats on disk, newest entries."""
    titles = {src.name: src.title or src.name for src in getattr(config, "sources", [])}
    infos = []
    for spec in specs:
        sources = sorted({e.article.source for e in spec.entries if e.article.source})
        infos.append(FeedInfo(
            name=spec.name, title=spec.title, description=spec.description,
            sources=[titles.get(name, name) for name in sources],
            item_count=len(spec.entries), updated=spec.updated if spec.entries else None,
            formats=formats_on_disk(feeds_dir, spec.name),
            page=page_filename(spec.name) if (Path(feeds_dir) / page_filename(spec.name))
            .is_file() else "",
            newest=[ArticleLink(e.article.title, e.link, e.published)
                    for e in spec.entries[:NEWEST_SHOWN]]))
    return infos


def copy_static(feeds_dir: Path) -> list[Path]:
    """Copy the CSS into ``feeds_dir`` (atomically, only when changed)."""
    package = resources.files("aggregator.exporters") / "static"
    paths = []
    for name in STATIC_FILES:
        path = Path(feeds_dir) / name
        write_atomic(path, (package / name).read_bytes())
        paths.append(path)
    return paths


def write_index(feeds_dir: Path, feeds: list[FeedInfo], local_links: bool = False) -> Path:
    """Write ``index.html`` (and the static files) into ``feeds_dir``; return its path.
    ``local_links``: the OPML lists link files of this computer (no ``feeds_url``), which
    the page says. The page is a pure function of its input: unchanged feeds leave the
    file untouched."""
    feeds_dir = Path(feeds_dir)
    copy_static(feeds_dir)
    path = feeds_dir / INDEX_FILE
    lists = {fmt: opml_filename(fmt) for fmt in FORMATS
             if (feeds_dir / opml_filename(fmt)).is_file()}
    html = render_index(feeds, opml_lists=lists, local_links=local_links)
    if write_atomic(path, html.encode("utf-8")):
        logger.info("Wrote %s (%d feeds)", path, len(feeds))
    return path


def _feed_section(feed: FeedInfo) -> str:
    title = escape(feed.title or feed.name)
    heading = f'<a href="{href(feed.page)}">{title}</a>' if feed.page else title
    meta = [f"{feed.item_count} item{'s' if feed.item_count != 1 else ''}"]
    if feed.sources:
        meta.append("from " + ", ".join(escape(s) for s in feed.sources))
    if feed.updated is not None:
        meta.append("updated " + date_html(feed.updated))
    links = subscribe_links({ext: file for ext, file in feed.formats.items() if ext in FORMATS})
    items = []
    for art in feed.newest[:NEWEST_SHOWN]:
        url = safe_url(art.url)
        text = escape(art.title or art.url)
        link = f'<a href="{escape(url, quote=True)}" rel="noopener noreferrer">{text}</a>' if url \
            else text
        date = f" {date_html(art.date)}" if art.date else ""
        items.append(f"<li>{link}{date}</li>")
    newest = f'<ol class="newest">{"".join(items)}</ol>' if items else \
        '<p class="empty">No articles yet.</p>'
    desc = f'<p class="desc">{escape(feed.description)}</p>' if feed.description else ""
    return (f'<section class="feed" id="feed-{escape(feed.name, quote=True)}">'
            f"<h2>{heading}</h2>{desc}"
            f'<p class="meta">{" · ".join(meta)}</p>'
            f'<p class="subscribe">Subscribe: {links or "no feed file yet"}</p>'
            f"{newest}</section>")


def render_index(feeds: list[FeedInfo], opml_lists: dict[str, str] | None = None,
                 title: str = "aggregator feeds", local_links: bool = False) -> str:
    """The HTML of the index page; ``opml_lists``: format -> OPML file name."""
    lists = opml_lists or {}
    alternates = "".join(
        alternate_links(feed.title or feed.name,
                        {ext: file for ext, file in feed.formats.items() if ext in FORMATS})
        for feed in feeds)
    opml = " · ".join(f'<a href="{href(name)}" type="text/x-opml">{FORMATS[fmt].label}</a>'
                      for fmt, name in lists.items())
    opml_para = (f'<p class="opml">Every feed in one subscription list (OPML) to import into'
                 f" a reader: {opml}.</p>") if opml else ""
    notice = ('<p class="notice">These lists link the feeds as files of this computer'
              " (<code>file://</code>): a reader here can import them, e.g."
              " <code>newsboat -i feeds/feeds.opml</code>. For readers elsewhere, serve this"
              " folder with <code>aggregator serve</code> (the lists it serves carry its"
              " <code>http://</code> address) or set <code>feeds_url</code> in the config.</p>"
              ) if local_links and lists else ""
    sections = "\n".join(_feed_section(feed) for feed in feeds)
    body = (f"<header><h1>{escape(title)}</h1>\n"
            "<p>Full-text news feeds. Open a feed's title to read it here; copy a feed's link"
            " into your feed reader, or give it this page's address: it finds every feed by"
            f" itself.</p>{opml_para}{notice}</header>\n<main>\n{sections}\n</main>")
    return page(title, alternates, body)
