"""Hydration JSON: the article a JavaScript front end ships inside the page as data.

Sites built on Next.js, Nuxt, Apollo and the like render the article in the browser from a JSON
blob in the page (``<script id="__NEXT_DATA__" type="application/json">``, other
``application/json`` scripts, ``window.__INITIAL_STATE__ = {...}``). The HTML then has little or
no article text, yet the title, dates, authors and text are all in the blob. This layer finds
the article object *by its shape* -- a headline and a long body (a string, HTML, or a list of
content blocks), with dates and authors when it has them -- never by a site's key names.

It sits below JSON-LD and above the generic text extractor: :func:`aggregator.extraction.extract`
asks for it only when the page's own text or metadata came up short. Bounded: scripts over
:data:`MAX_SCRIPT_CHARS` are skipped and at most :data:`MAX_NODES` JSON nodes are visited.

>>> import json
>>> from aggregator.extraction.dom import parse_html
>>> story = {"headline": "Chips are back", "publishedAt": "2024-05-03T10:00:00Z",
...          "authors": [{"name": "Ann Lee"}], "body": [
...     {"type": "paragraph", "text": "The chip market recovered this quarter, analysts said, "
...                                   "as orders from data centre operators returned."},
...     {"type": "image", "src": "/a.jpg", "caption": "A wafer"},
...     {"type": "paragraph", "text": "Memory prices rose for the first time in a year, and "
...                                   "inventories fell back to normal, the analysts added."}]}
>>> page = parse_html('<html><head><title>Chips are back | Wire</title></head><body>'
...     '<div id="root"></div><script id="__NEXT_DATA__" type="application/json">'
...     + json.dumps({"props": {"pageProps": {"story": story}}}) + '</script></body></html>')
>>> found = find_hydrated(page, "Chips are back")
>>> found.title, found.published, found.authors, len(found.paragraphs), found.source
('Chips are back', '2024-05-03T10:00:00Z', ['Ann Lee'], 2, '__NEXT_DATA__')
"""

from __future__ import annotations

import json
import logging
import re
from dataclasses import dataclass, field
from typing import Any

from lxml import etree, html

from .text import clean_text

logger = logging.getLogger(__name__)

#: a script longer than this is not read (hydration blobs of whole sites can be huge)
MAX_SCRIPT_CHARS = 5_000_000
#: JSON nodes visited per page, over all scripts
MAX_NODES = 200_000
#: an article object's text must have at least this many characters
MIN_BODY_CHARS = 200

_JSON_SCRIPTS = etree.XPath(
    '//script[@type="application/json" or @id="__NEXT_DATA__" or not(@type)'
    ' or @type="text/javascript"]')
#: ``window.__STATE__ = {...};`` / ``window["__APOLLO_STATE__"] = {...}``: a JSON literal assigned
_ASSIGNED_RE = re.compile(
    r"""^\s*(?:window\s*(?:\.\s*|\[\s*["'])|var\s+|let\s+|const\s+)?"""
    r"""(?P<name>__[A-Za-z0-9_]+__|[A-Za-z_$][\w$]*(?:State|STATE|Data|DATA))["']?\s*\]?\s*=\s*"""
    r"""(?P<json>\{.*\})\s*;?\s*$""", re.DOTALL)

_TITLE_KEYS = ("headline", "title", "name", "heading")
_BODY_KEYS = ("articleBody", "body", "bodyText", "body_text", "content", "contentHtml",
              "content_html", "html", "bodyHtml", "body_html", "text", "blocks", "contentBlocks",
              "content_blocks", "paragraphs", "elements", "richText")
_PUBLISHED_RE = re.compile(
    r"^(?:date_?published|published(?:_?at|_?date|_?time|_?on)?|publish(?:ed)?_?(?:at|date|time)"
    r"|first_?published(?:_?at|_?date)?|pub_?date|publication_?date|display_?date|date_?created"
    r"|created_?at|release_?date|date)$", re.IGNORECASE)
_MODIFIED_RE = re.compile(
    r"^(?:date_?modified|modified(?:_?at|_?date|_?time)?|updated(?:_?at|_?date|_?time)?"
    r"|last_?(?:modified|updated|published)(?:_?at|_?date)?)$", re.IGNORECASE)
_AUTHOR_KEYS = ("authors", "author", "byline", "bylines", "creators", "creator", "contributors",
                "writers")
#: keys of a content block that hold no reader-facing text
_NOT_TEXT_KEYS = frozenset({
    "id", "_id", "uuid", "type", "__typename", "_type", "nodetype", "url", "href", "src", "srcset",
    "slug", "style", "classname", "class", "key", "_key", "ref", "target", "rel", "alt", "width",
    "height", "credit", "caption", "embed", "mimetype", "format", "marks", "attrs", "data",
    "level", "language", "lang", "tracking", "analytics", "ads", "ad", "meta", "seo"})
#: content-block types that are not running text
_NOT_TEXT_TYPES = re.compile(r"image|photo|video|embed|ad\b|advert|related|teaser|promo|newsletter"
                             r"|gallery|audio|iframe|social|tweet|instagram|podcast", re.I)
_TAG_RE = re.compile(r"<[a-zA-Z][^>]*>")
_WORDS_RE = re.compile(r"\w+")


@dataclass
class HydratedArticle:
    """The article object of a hydration blob, its fields as the blob gives them."""

    title: str
    paragraphs: list[str]
    published: str | None = None
    modified: str | None = None
    authors: list[str] = field(default_factory=list)
    #: which blob: the script's id, the assigned variable, or "application/json"
    source: str = ""

    @property
    def text(self) -> str:
        return "\n\n".join(self.paragraphs)


def _blobs(tree: etree._Element) -> list[tuple[str, Any]]:
    """The JSON documents of the page's data scripts, with a name for each."""
    found = []
    for script in _JSON_SCRIPTS(tree):
        if script.get("type") == "application/ld+json":
            continue
        raw = script.text or ""
        if len(raw) < MIN_BODY_CHARS or len(raw) > MAX_SCRIPT_CHARS:
            continue
        name = script.get("id") or "application/json"
        if script.get("type") != "application/json" and script.get("id") != "__NEXT_DATA__":
            match = _ASSIGNED_RE.match(raw)
            if not match:
                continue
            name, raw = match.group("name"), match.group("json")
        try:
            found.append((name, json.loads(raw)))
        except (ValueError, RecursionError):
            logger.debug("hydration script %s is not JSON", name)
    return found


def _paragraphs_of_html(markup: str) -> list[str]:
    try:
        root = html.fragment_fromstring(markup, create_parent="div")
    except (etree.ParserError, ValueError):
        return [clean_text(_TAG_RE.sub(" ", markup))]
    blocks = [el for el in root.iter("p", "h2", "h3", "h4", "li", "blockquote")
              if not any(a.tag in ("p", "li", "blockquote") for a in el.iterancestors())]
    if not blocks:
        return [clean_text(root.text_content())]
    return [clean_text(el.text_content()) for el in blocks]


def _string_paragraphs(value: str) -> list[str]:
    if _TAG_RE.search(value):
        return [p for p in _paragraphs_of_html(value) if p]
    return [p for p in (clean_text(line) for line in re.split(r"\n\s*\n|\n", value)) if p]


def _text_of(value: Any, budget: list[int], depth: int = 0) -> list[str]:
    """Paragraphs of a body value: a string (plain or HTML), or content blocks (lists and
    objects) whose text keys are read in order and whose media/ad blocks are skipped."""
    budget[0] -= 1
    if budget[0] < 0 or depth > 12:
        return []
    if isinstance(value, str):
        return _string_paragraphs(value)
    if isinstance(value, list):
        return [p for item in value for p in _text_of(item, budget, depth + 1)]
    if isinstance(value, dict):
        kind = " ".join(str(value.get(k) or "") for k in ("type", "_type", "__typename", "nodeType"))
        if kind.strip() and _NOT_TEXT_TYPES.search(kind):
            return []
        out: list[str] = []
        for key, item in value.items():
            if key.lower() in _NOT_TEXT_KEYS or isinstance(item, (int, float, bool)) or item is None:
                continue
            out.extend(_text_of(item, budget, depth + 1))
        # inline runs of one paragraph ({"content": [{"value": "a "}, {"value": "b"}]}) join
        if out and all(len(p) < 80 for p in out) and isinstance(value.get("content"), list) \
                and str(value.get("nodeType", "")).lower() == "paragraph":
            return [clean_text(" ".join(out))]
        return out
    return []


def _name_of(value: Any) -> list[str]:
    if isinstance(value, str):
        return [clean_text(value)] if 0 < len(value) <= 80 else []
    if isinstance(value, list):
        return [n for item in value[:20] for n in _name_of(item)]
    if isinstance(value, dict):
        for key in ("name", "displayName", "display_name", "fullName", "full_name", "title"):
            if isinstance(value.get(key), str):
                return _name_of(value[key])
        first, last = value.get("firstName") or value.get("first_name"), \
            value.get("lastName") or value.get("last_name")
        if isinstance(first, str) and isinstance(last, str):
            return [clean_text(f"{first} {last}")]
    return []


def _date_value(value: Any) -> str | None:
    if isinstance(value, str) and re.search(r"(?:19|20)\d\d", value) and len(value) <= 40:
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool) and value > 10**9:
        return str(int(value // 1000 if value > 10**11 else value))
    return None


def _as_article(node: dict[str, Any], source: str) -> HydratedArticle | None:
    title = next((clean_text(node[k]) for k in _TITLE_KEYS
                  if isinstance(node.get(k), str) and 3 <= len(node[k].strip()) <= 300), "")
    if not title:
        return None
    paragraphs: list[str] = []
    for key in _BODY_KEYS:
        if key in node and not isinstance(node[key], (int, float, bool)):
            paragraphs = [p for p in _text_of(node[key], [20_000]) if p]
            if sum(len(p) for p in paragraphs) >= MIN_BODY_CHARS:
                break
            paragraphs = []
    if not paragraphs:
        return None
    published = modified = None
    for key, value in node.items():
        if published is None and _PUBLISHED_RE.match(key):
            published = _date_value(value)
        elif modified is None and _MODIFIED_RE.match(key):
            modified = _date_value(value)
    authors = next((names for k in _AUTHOR_KEYS if (names := _name_of(node.get(k)))), [])
    return HydratedArticle(title, paragraphs, published, modified, authors, source)


def _overlap(a: str, b: str) -> float:
    wa, wb = set(_WORDS_RE.findall(a.casefold())), set(_WORDS_RE.findall(b.casefold()))
    return len(wa & wb) / max(len(wa), 1) if wa and wb else 0.0


def find_hydrated(tree: etree._Element, title_hint: str = "") -> HydratedArticle | None:
    """The article object of the page's hydration data, or None.

    Every object with a title and a body of :data:`MIN_BODY_CHARS` or more is a candidate; the
    one whose title best matches ``title_hint`` (the page's ``<title>`` or ``og:title``) wins,
    then the longest text.
    """
    best: tuple[float, int, HydratedArticle] | None = None
    visited = 0
    for source, doc in _blobs(tree):
        stack = [doc]
        while stack and visited < MAX_NODES:
            node = stack.pop()
            visited += 1
            if isinstance(node, list):
                stack.extend(node)
                continue
            if not isinstance(node, dict):
                continue
            stack.extend(v for v in node.values() if isinstance(v, (dict, list)))
            article = _as_article(node, source)
            if article is None:
                continue
            key = (_overlap(article.title, title_hint) if title_hint else 0.0, len(article.text))
            if best is None or key > best[:2]:
                best = (key[0], key[1], article)
    return best[2] if best is not None else None
