"""OPML lists as ``aggregator serve`` answers them: with absolute ``http://`` links to the
server's own address.

A published list names the feeds by ``file://`` URL when no ``feeds_url`` is configured
(see :mod:`aggregator.exporters.opml`); served as such, a remote reader couldn't fetch
them. The server knows where it is: the request's ``Host`` header (the name the client
used), else its own listening address. Links to other places (a configured
``feeds_url``, a site's home page) are left alone.

>>> base_url("feeds.example:8443", "http://127.0.0.1:8080/")
'http://feeds.example:8443/'
>>> base_url("evil.example/<x>", "http://127.0.0.1:8080/")
'http://127.0.0.1:8080/'
>>> rebase("file:///home/me/feeds/all.rss", "http://h/"), rebase("all.rss", "http://h/x/")
('http://h/all.rss', 'http://h/x/all.rss')
>>> rebase("https://elsewhere.example/a.rss", "http://h/")
'https://elsewhere.example/a.rss'
"""

from __future__ import annotations

import hashlib
import logging
import re
from urllib.parse import quote, unquote, urljoin, urlsplit

from lxml import etree

from aggregator.serve.caching import Representation

logger = logging.getLogger(__name__)

#: a Host header we repeat in links: a name or an IP literal, and a port
_HOST_RE = re.compile(r"^(?:[A-Za-z0-9](?:[A-Za-z0-9.-]{0,252})|\[[0-9A-Fa-f:.]+\])(?::\d{1,5})?$")
#: the outline attributes that hold links
_LINK_ATTRIBUTES = ("xmlUrl", "htmlUrl")


def base_url(host: str | None, fallback: str) -> str:
    """``http://<Host>/`` when the Host header is a plain host[:port], else ``fallback``."""
    host = (host or "").strip()
    return f"http://{host}/" if _HOST_RE.match(host) else fallback


def rebase(url: str, base: str) -> str:
    """A ``file:`` URL becomes its file name under ``base`` (feed files lie in the folder's
    top level), a relative one is resolved against ``base``; http(s) URLs stay."""
    parts = urlsplit(url)
    if parts.scheme in ("http", "https"):
        return url
    if parts.scheme == "file":
        return base + quote(unquote(parts.path).rsplit("/", 1)[-1])
    if parts.scheme:
        return url
    return urljoin(base, url)


def absolute_opml(data: bytes, base: str) -> bytes:
    """``data`` (an OPML list) with its links made absolute against ``base``, and its
    comments (a note about local links) dropped; ``data`` itself when it is not XML or
    needs no change."""
    try:
        root = etree.fromstring(data, etree.XMLParser(resolve_entities=False, no_network=True))
    except etree.XMLSyntaxError:
        logger.warning("Served an OPML list that is not well-formed XML as it is")
        return data
    changed = False
    for outline in root.iter("outline"):
        for name in _LINK_ATTRIBUTES:
            value = outline.get(name)
            if value is not None and rebase(value, base) != value:
                outline.set(name, rebase(value, base))
                changed = True
    if not changed:
        return data
    for comment in root.xpath("//comment()"):
        comment.getparent().remove(comment)
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True))


def served_opml(rep: Representation, base: str) -> Representation:
    """The representation of an OPML file for a client that reached the server at
    ``base``: its own bytes and strong ETag (another base, another ETag)."""
    body = absolute_opml(rep.body, base)
    if body is rep.body:
        return rep
    digest = hashlib.blake2b(body, digest_size=12).hexdigest()
    return Representation(body=body, etag=f'"{digest}"', mtime=rep.mtime)
