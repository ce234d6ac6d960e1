"""One OPML 2.0 file (``feeds.opml``) listing every feed, for a reader's import."""

from __future__ import annotations

from dataclasses import dataclass

from lxml import etree

OPML_FILENAME = "feeds.opml"


@dataclass
class OpmlFeed:
    """One feed of the OPML list: its title, home page and file URL (absolute when a
    base URL is configured, else the file name, relative to the OPML file)."""

    title: str
    html_url: str
    xml_url: str
    type: str = "rss"


def render_opml(title: str, feeds: list[OpmlFeed]) -> bytes:
    """No date is written: the file only changes when the list of feeds does."""
    root = etree.Element("opml", version="2.0")
    head = etree.SubElement(root, "head")
    etree.SubElement(head, "title").text = title
    body = etree.SubElement(root, "body")
    for feed in feeds:
        etree.SubElement(body, "outline", type=feed.type, text=feed.title, title=feed.title,
                         xmlUrl=feed.xml_url, htmlUrl=feed.html_url)
    etree.indent(root, space="  ")
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)
