"""The feeds folder's front page and browser view of the feeds.

- :func:`write_index` writes ``index.html``: every feed with its sources, item count, last
  update, a subscribe link per format and its newest articles, plus ``<link rel="alternate">``
  autodiscovery tags, so a reader given the site's URL finds every feed. No script; all text
  escaped (titles come from the web). It also copies the static files (:data:`STATIC_FILES`:
  the ``feed.xsl`` stylesheet and ``style.css``) next to the feeds.
- :func:`add_stylesheet` puts an ``xml-stylesheet`` processing instruction into RSS/Atom
  bytes, so a browser opening a feed shows a readable page while readers see the same feed.

>>> add_stylesheet(b'<?xml version="1.0"?>\\n<rss/>', "feed.xsl")
b'<?xml version="1.0"?>\\n<?xml-stylesheet type="text/xsl" href="feed.xsl"?>\\n<rss/>'
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timezone
from html import escape
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from aggregator.exporters.atomic import write_atomic
from aggregator.exporters.model import FORMATS
from aggregator.exporters.opml import OPML_FILENAME as OPML_FILE

if TYPE_CHECKING:
    from aggregator.exporters.model import FeedSpec

logger = logging.getLogger(__name__)

INDEX_FILE = "index.html"
STYLESHEET = "feed.xsl"
CSS = "style.css"
#: package files copied into the feeds folder at every publish
STATIC_FILES = (STYLESHEET, CSS)
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


def add_stylesheet(xml: bytes, href: str) -> bytes:
    """``xml`` with an ``<?xml-stylesheet type="text/xsl" href=...?>`` processing instruction
    right after the XML declaration (or first, when there is none). Readers ignore it."""
    pi = f'<?xml-stylesheet type="text/xsl" href="{escape(href, quote=True)}"?>'.encode()
    if xml.startswith(b"<?xml "):
        end = xml.find(b"?>")
        if end != -1:
            return xml[:end + 2] + b"\n" + pi + xml[end + 2:]
    return pi + b"\n" + xml


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
            newest=[ArticleLink(e.article.title, e.link, e.published)
                    for e in spec.entries[:NEWEST_SHOWN]]))
    return infos


def copy_static(feeds_dir: Path) -> list[Path]:
    """Copy the stylesheet and CSS into ``feeds_dir`` (atomically, only when changed)."""
    package = resources.files("aggregator.exporters") / "static"
    paths = []
    for name in STATIC_FILES:
        path = Path(feeds_dir) / name
        write_atomic(path, (package / name).read_bytes())
        paths.append(path)
    return paths


def write_index(feeds_dir: Path, feeds: list[FeedInfo]) -> Path:
    """Write ``index.html`` (and the static files) into ``feeds_dir``; return its path.
    The page is a pure function of ``feeds``: unchanged feeds leave the file untouched."""
    feeds_dir = Path(feeds_dir)
    copy_static(feeds_dir)
    path = feeds_dir / INDEX_FILE
    opml = OPML_FILE if (feeds_dir / OPML_FILE).is_file() else None
    if write_atomic(path, render_index(feeds, opml=opml).encode("utf-8")):
        logger.info("Wrote %s (%d feeds)", path, len(feeds))
    return path


def _href(name: str) -> str:
    return escape(quote(name), quote=True)


def _date(when: datetime | None) -> str:
    if when is None:
        return ""
    when = when if when.tzinfo else when.replace(tzinfo=timezone.utc)
    utc = when.astimezone(timezone.utc)
    return (f'<time datetime="{utc.isoformat().replace("+00:00", "Z")}">'
            f'{utc.strftime("%Y-%m-%d %H:%M")} UTC</time>')


def _safe_url(url: str) -> str | None:
    """Only http(s) links: a hostile ``javascript:`` URL must not become a link."""
    return url if url.lower().startswith(("http://", "https://")) else None


def _feed_section(feed: FeedInfo) -> str:
    title = escape(feed.title or feed.name)
    meta = [f"{feed.item_count} item{'s' if feed.item_count != 1 else ''}"]
    if feed.sources:
        meta.append("from " + ", ".join(escape(s) for s in feed.sources))
    if feed.updated is not None:
        meta.append("updated " + _date(feed.updated))
    links = "".join(
        f'<a class="fmt fmt-{escape(ext)}" href="{_href(file)}" type="{FORMATS[ext].media_type}">'
        f"{FORMATS[ext].label}</a>"
        for ext, file in feed.formats.items() if ext in FORMATS)
    items = []
    for art in feed.newest[:NEWEST_SHOWN]:
        url = _safe_url(art.url)
        text = escape(art.title or art.url)
        link = f'<a href="{escape(url, quote=True)}" rel="noopener noreferrer">{text}</a>' if url \
            else text
        date = f" {_date(art.date)}" if art.date else ""
        items.append(f"<li>{link}{date}</li>")
    newest = f'<ol class="newest">{"".join(items)}</ol>' if items else \
        '<p class="empty">No articles yet.</p>'
    desc = f'<p class="desc">{escape(feed.description)}</p>' if feed.description else ""
    return (f'<section class="feed" id="feed-{escape(feed.name, quote=True)}">'
            f"<h2>{title}</h2>{desc}"
            f'<p class="meta">{" · ".join(meta)}</p>'
            f'<p class="subscribe">Subscribe: {links or "no feed file yet"}</p>'
            f"{newest}</section>")


def render_index(feeds: list[FeedInfo], opml: str | None = None,
                 title: str = "aggregator feeds") -> str:
    """The HTML of the index page."""
    alternates = "".join(
        f'<link rel="alternate" type="{FORMATS[ext].media_type}" href="{_href(file)}"'
        f' title="{escape(feed.title or feed.name, quote=True)} ({FORMATS[ext].label})">\n'
        for feed in feeds for ext, file in feed.formats.items() if ext in FORMATS)
    opml_link = (f'<p class="opml">All feeds as an <a href="{_href(opml)}" type="text/x-opml">'
                 "OPML subscription list</a> for importing into a reader.</p>") if opml else ""
    sections = "\n".join(_feed_section(feed) for feed in feeds)
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>{escape(title)}</title>
<link rel="stylesheet" href="{CSS}">
{alternates}</head>
<body>
<header><h1>{escape(title)}</h1>
<p>Full-text news feeds. Copy a feed's link into your feed reader, or give it this page's
address: it finds every feed by itself.</p>{opml_link}</header>
<main>
{sections}
</main>
</body>
</html>
"""
