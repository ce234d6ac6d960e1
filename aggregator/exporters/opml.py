"""OPML 2.0 subscription lists, one per feed format, for a reader's import:
``feeds.opml`` (RSS, which every reader reads), ``feeds-atom.opml`` and
``feeds-json.opml``. One list per format rather than one list of every file: a reader
importing a list subscribes to each outline, and would show every article three times.

Links in a list are absolute, or a reader imports names it can't fetch (newsboat shows 0
articles and no error): ``feeds_url`` when it is configured, else ``file://`` URLs of the
feeds folder, which work on this computer (``aggregator serve`` answers with its own
``http://`` address instead: :mod:`aggregator.serve.opml`).

>>> opml_filename("rss"), opml_filename("atom")
('feeds.opml', 'feeds-atom.opml')
>>> feeds_folder_url("/srv/my feeds")
'file:///srv/my%20feeds/'
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from lxml import etree

from aggregator.exporters.model import FORMATS

OPML_FILENAME = "feeds.opml"
#: what a list says when its links are files of this computer (a comment in its <head>)
LOCAL_NOTE = (" These links are files on this computer: a reader here can import them"
              " (newsboat -i feeds.opml). For readers elsewhere, run `aggregator serve`"
              " (its lists carry its http:// address) or set feeds_url in the config. ")


def opml_filename(fmt: str) -> str:
    """The list of the feeds in format ``fmt``: ``feeds.opml`` for RSS, else
    ``feeds-<format>.opml``."""
    return OPML_FILENAME if fmt == "rss" else f"feeds-{FORMATS[fmt].extension}.opml"


def feeds_folder_url(feeds_dir: str | Path) -> str:
    """The ``file://`` URL of a feeds folder, ending in a slash."""
    return Path(feeds_dir).resolve().as_uri().rstrip("/") + "/"


@dataclass
class OpmlFeed:
    """One feed of the OPML list: its title, home page and absolute feed URL."""

    title: str
    html_url: str
    xml_url: str
    type: str = "rss"


def render_opml(title: str, feeds: list[OpmlFeed], note: str = "") -> bytes:
    """No date is written: the file only changes when the list of feeds does. ``note``
    becomes a comment in the ``<head>``."""
    root = etree.Element("opml", version="2.0")
    head = etree.SubElement(root, "head")
    etree.SubElement(head, "title").text = title
    if note:
        head.append(etree.Comment(note.replace("--", "- -")))
    body = etree.SubElement(root, "body")
    for feed in feeds:
        # type "rss" for every format: OPML 2.0's type of a subscription outline
        etree.SubElement(body, "outline", type=feed.type, text=feed.title, title=feed.title,
                         xmlUrl=feed.xml_url, htmlUrl=feed.html_url)
    etree.indent(root, space="  ")
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True))
