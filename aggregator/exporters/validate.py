"""Checks on feeds: one dirty entry is dropped (and reported), a feed that fails its
check is not published (the last good file stays)."""

from __future__ import annotations

import json
import re
from datetime import datetime

from lxml import etree

from aggregator.exporters.model import ATOM_NS, FeedEntry, is_absolute_url

#: characters XML 1.0 forbids (and surrogates, which can't be encoded)
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_MIN_YEAR, _MAX_YEAR = 1900, 9999


def _texts(entry: FeedEntry) -> list[tuple[str, str]]:
    a = entry.article
    out = [("title", a.title), ("summary", a.summary), ("body_text", a.body_text),
           ("body_html", a.body_html), ("url", entry.link)]
    out += [("authors", name) for name in a.authors]
    out += [("tags", tag) for tag in a.tags]
    out += [("related", f"{link.url} {link.title}") for link in a.related]
    if a.image is not None:
        out.append(("image", f"{a.image.url} {a.image.caption} {a.image.credit}"))
    return out


def entry_problem(entry: FeedEntry) -> str | None:
    """Why ``entry`` can't go into a feed (None: it can), e.g. ``"title: control character"``."""
    if not entry.article.title.strip():
        return "title: empty"
    if not is_absolute_url(entry.link):
        return f"link: not an absolute http(s) URL: {entry.link!r}"
    for name, text in _texts(entry):
        if not isinstance(text, str):
            return f"{name}: not text: {type(text).__name__}"
        bad = _XML_ILLEGAL.search(text)
        if bad:
            return f"{name}: control character {bad.group()!r}"
    for name, value in (("published", entry.published), ("updated", entry.updated)):
        if not isinstance(value, datetime) or value.tzinfo is None:
            return f"{name}: not a timezone-aware datetime: {value!r}"
        if not _MIN_YEAR <= value.year <= _MAX_YEAR:
            return f"{name}: year out of range: {value.isoformat()}"
    return None


def check_feed(data: bytes, fmt: str) -> list[str]:
    """Problems of a rendered feed ([] when it is fit to publish): well-formed,
    required elements present, links absolute, ids unique."""
    if fmt == "json":
        return _check_json(data)
    try:
        root = etree.fromstring(data)
    except etree.XMLSyntaxError as exc:
        return [f"not well-formed XML: {exc}"]
    if fmt == "rss":
        return _check_rss(root)
    if fmt == "atom":
        return _check_atom(root)
    if fmt == "opml":
        return [] if root.tag == "opml" and root.find("body") is not None else ["not OPML"]
    return [f"unknown format {fmt!r}"]


def _check_ids(ids: list[str], what: str) -> list[str]:
    seen: set[str] = set()
    problems = []
    for value in ids:
        if value in seen:
            problems.append(f"{what} {value!r} appears twice")
        seen.add(value)
    return problems


def _check_rss(root: etree._Element) -> list[str]:
    channel = root.find("channel")
    if root.tag != "rss" or channel is None:
        return ["not an RSS 2.0 document (no rss/channel)"]
    problems = [f"channel: missing <{tag}>" for tag in ("title", "link", "description")
                if not (channel.findtext(tag) or "").strip()]
    guids = []
    for number, item in enumerate(channel.iterfind("item"), start=1):
        for tag in ("title", "link", "guid", "pubDate"):
            if not (item.findtext(tag) or "").strip():
                problems.append(f"item {number}: missing <{tag}>")
        link = item.findtext("link") or ""
        if link and not is_absolute_url(link):
            problems.append(f"item {number}: relative link {link!r}")
        guids.append(item.findtext("guid") or "")
    return problems + _check_ids(guids, "guid")


def _check_atom(root: etree._Element) -> list[str]:
    ns = {"a": ATOM_NS}
    if root.tag != f"{{{ATOM_NS}}}feed":
        return ["not an Atom document (no atom:feed)"]
    problems = [f"feed: missing <{tag}>" for tag in ("id", "title", "updated")
                if not (root.findtext(f"a:{tag}", namespaces=ns) or "").strip()]
    ids = []
    for number, entry in enumerate(root.iterfind("a:entry", ns), start=1):
        for tag in ("id", "title", "updated"):
            if not (entry.findtext(f"a:{tag}", namespaces=ns) or "").strip():
                problems.append(f"entry {number}: missing <{tag}>")
        links = entry.findall("a:link", ns)
        if not [link for link in links if link.get("rel") == "alternate"]:
            problems.append(f"entry {number}: no link rel=alternate")
        for link in links:
            if not is_absolute_url(link.get("href", "")):
                problems.append(f"entry {number}: relative link {link.get('href')!r}")
        ids.append(entry.findtext("a:id", namespaces=ns) or "")
    return problems + _check_ids(ids, "id")


def _check_json(data: bytes) -> list[str]:
    try:
        feed = json.loads(data)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        return [f"not valid JSON: {exc}"]
    if not isinstance(feed, dict):
        return ["not a JSON object"]
    problems = [f"feed: missing {key!r}" for key in ("version", "title", "items") if not feed.get(
        key) and key != "items"]
    items = feed.get("items")
    if not isinstance(items, list):
        return problems + ["feed: 'items' is not a list"]
    ids = []
    for number, item in enumerate(items, start=1):
        if not isinstance(item, dict):
            problems.append(f"item {number}: not an object")
            continue
        for key in ("id", "url", "title", "content_html", "date_published"):
            if not item.get(key):
                problems.append(f"item {number}: missing {key!r}")
        if item.get("url") and not is_absolute_url(item["url"]):
            problems.append(f"item {number}: relative url {item['url']!r}")
        ids.append(str(item.get("id", "")))
    return problems + _check_ids(ids, "id")
