"""Layer 1: the page's structured data, read through extruct.

JSON-LD (``@graph`` and top-level arrays flattened), microdata and OpenGraph come from
extruct's extractors run on the already-parsed tree; ``<meta name|property>`` (Twitter cards,
Dublin Core, ``description``...) and ``<link rel>`` are read from the same tree. One malformed
JSON-LD script is skipped with a debug log, never taking the others down.

>>> from aggregator.extraction.dom import parse_html
>>> page = parse_html('''<head><script type="application/ld+json">
... {"@context": "https://schema.org", "@graph": [{"@type": "WebSite", "name": "S"},
...  {"@type": "NewsArticle", "headline": "H"}]}</script>
... <meta property="og:title" content="OG"><meta name="twitter:title" content="TW"></head>''')
>>> data = read_structured(page, "https://example.com/a")
>>> data.article["headline"], data.first("og:title"), data.first("twitter:title")
('H', 'OG', 'TW')
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from extruct.jsonld import JsonLdExtractor
from extruct.opengraph import OpenGraphExtractor
from extruct.w3cmicrodata import MicrodataExtractor
from lxml import etree

logger = logging.getLogger(__name__)

_JSONLD = JsonLdExtractor()
_OPENGRAPH = OpenGraphExtractor()
_MICRODATA = MicrodataExtractor()


def _jsonld_scripts(tree: etree._Element) -> list[etree._Element]:
    """The page's JSON-LD scripts (tree.iter over <script> is cheaper than an XPath on //)."""
    return [s for s in tree.iter("script") if s.get("type") == "application/ld+json"]


def _has_itemscope(tree: etree._Element) -> bool:
    """Whether the page has microdata (stops at the first item; the XPath walked it all)."""
    return any(el.get("itemscope") is not None for el in tree.iter(etree.Element))


#: schema.org types that are one article (Article and all its subtypes in common use)
ARTICLE_TYPES = frozenset({
    "article", "newsarticle", "blogposting", "reportagenewsarticle", "analysisnewsarticle",
    "opinionnewsarticle", "reviewnewsarticle", "backgroundnewsarticle", "techarticle",
    "scholarlyarticle", "liveblogposting", "socialmediaposting", "advertisercontentarticle",
    "satiricalarticle", "report", "review", "posting", "discussionforumposting",
})
#: schema.org types that describe a list of articles or a person, not an article
LISTING_TYPES = frozenset({"collectionpage", "itemlist", "searchresultspage", "sitenavigationelement"})
PROFILE_TYPES = frozenset({"profilepage"})


def types_of(node: dict[str, Any]) -> set[str]:
    """The lower-cased local names of a node's ``@type`` (or microdata ``type``)."""
    raw = node.get("@type", node.get("type"))
    values = raw if isinstance(raw, list) else [raw]
    return {str(v).rsplit("/", 1)[-1].lower() for v in values if v}


def _flatten(items: Iterable[Any]) -> Iterator[dict[str, Any]]:
    """Every node of a JSON-LD document, ``@graph`` members, nested arrays and ``mainEntity``
    nodes included.

    >>> [n["@type"] for n in _flatten([{"@type": "WebPage", "mainEntity": {"@type": "NewsArticle"}}])]
    ['WebPage', 'NewsArticle']
    """
    stack, nested = list(items)[::-1], []
    while stack or nested:
        if not stack:
            # nested main entities come after every top-level node: a page's own article
            # node, when it has one, is found first
            stack, nested = nested[::-1], []
        item = stack.pop()
        if isinstance(item, list):
            stack.extend(reversed(item))
        elif isinstance(item, dict):
            graph = item.get("@graph")
            if isinstance(graph, list):
                stack.extend(reversed(graph))
            elif isinstance(graph, dict):
                stack.append(graph)
            if "@type" in item or "@graph" not in item:
                yield item
            # the article of a WebPage / ItemPage is often nested as its mainEntity
            entity = item.get("mainEntity")
            if isinstance(entity, (dict, list)):
                nested.append(entity)


@dataclass
class StructuredData:
    """What a page says about itself, by syntax."""

    jsonld: list[dict[str, Any]] = field(default_factory=list)
    microdata: list[dict[str, Any]] = field(default_factory=list)
    #: OpenGraph and other ``property=`` metadata, name -> values in page order
    opengraph: dict[str, list[str]] = field(default_factory=dict)
    #: ``<meta name|property|itemprop>`` by lower-cased key -> values in page order
    meta: dict[str, list[str]] = field(default_factory=dict)
    #: ``<link rel>`` by lower-cased rel token -> hrefs in page order
    links: dict[str, list[str]] = field(default_factory=dict)

    @property
    def article(self) -> dict[str, Any]:
        """The JSON-LD node of the article (the first Article-typed one), or ``{}``."""
        for node in self.jsonld:
            if types_of(node) & ARTICLE_TYPES:
                return node
        return {}

    @property
    def microdata_article(self) -> dict[str, Any]:
        """The ``properties`` of the first Article-typed microdata item, or ``{}``."""
        for item in self.microdata:
            if types_of(item) & ARTICLE_TYPES:
                props = item.get("properties")
                return props if isinstance(props, dict) else {}
        return {}

    def resolve(self, value: Any) -> Any:
        """``value`` with each bare ``{"@id": ...}`` reference replaced by the JSON-LD node
        of that ``@id`` (Yoast-style graphs name the author once, as a Person node, and
        point at it from the article).

        >>> data = StructuredData(jsonld=[{"@id": "#p1", "@type": "Person", "name": "Ann Lee"}])
        >>> data.resolve([{"@id": "#p1"}, {"name": "Bo Chan"}])
        [{'@id': '#p1', '@type': 'Person', 'name': 'Ann Lee'}, {'name': 'Bo Chan'}]
        """
        if isinstance(value, list):
            return [self.resolve(item) for item in value]
        if isinstance(value, dict) and set(value) <= {"@id", "@type"} and "@id" in value:
            for node in self.jsonld:
                if node.get("@id") == value["@id"] and len(node) > len(value):
                    return node
        return value

    def jsonld_types(self) -> set[str]:
        """Every ``@type`` found in JSON-LD and microdata."""
        found: set[str] = set()
        for node in [*self.jsonld, *self.microdata]:
            found |= types_of(node)
        return found

    def first(self, *keys: str) -> str:
        """The first non-empty value of the first key present in OpenGraph or meta."""
        for key in keys:
            for value in self.opengraph.get(key, []) + self.meta.get(key.lower(), []):
                if value and value.strip():
                    return value.strip()
        return ""

    def all(self, key: str) -> list[str]:
        """Every value of ``key`` in OpenGraph and meta, in page order, without repeats."""
        seen: dict[str, None] = {}
        for value in self.opengraph.get(key, []) + self.meta.get(key.lower(), []):
            if value and value.strip():
                seen.setdefault(value.strip(), None)
        return list(seen)


def _read_jsonld(tree: etree._Element) -> list[dict[str, Any]]:
    items: list[Any] = []
    for script in _jsonld_scripts(tree):
        try:
            items.extend(_JSONLD.extract_items(script))
        except (ValueError, TypeError, RecursionError) as exc:
            logger.debug("skipping malformed JSON-LD: %s", exc)
    return list(_flatten(items))


def _read_microdata(tree: etree._Element, url: str) -> list[dict[str, Any]]:
    if not _has_itemscope(tree):
        return []
    try:
        return list(_MICRODATA.extract_items(tree, url))
    except (ValueError, TypeError, KeyError, RecursionError) as exc:
        logger.debug("skipping unreadable microdata: %s", exc)
        return []


def _read_opengraph(tree: etree._Element) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    try:
        for item in _OPENGRAPH.extract_items(tree):
            for key, value in item.get("properties", []):
                found.setdefault(key, []).append(value)
    except (ValueError, TypeError, AttributeError, IndexError) as exc:
        logger.debug("skipping unreadable OpenGraph: %s", exc)
    return found


def _read_meta(tree: etree._Element) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for el in tree.iter("meta"):
        content = el.get("content")
        if content is None:
            continue
        for attr in ("name", "property", "itemprop", "http-equiv"):
            key = el.get(attr)
            if key:
                found.setdefault(key.strip().lower(), []).append(content)
    return found


def _read_links(tree: etree._Element) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for el in tree.iter("link"):
        href = el.get("href")
        if not href:
            continue
        for rel in (el.get("rel") or "").lower().split():
            found.setdefault(rel, []).append(href.strip())
    return found


def read_structured(tree: etree._Element, url: str) -> StructuredData:
    """Everything the page declares about itself: JSON-LD, microdata, OpenGraph, meta, links."""
    return StructuredData(
        jsonld=_read_jsonld(tree),
        microdata=_read_microdata(tree, url),
        opengraph=_read_opengraph(tree),
        meta=_read_meta(tree),
        links=_read_links(tree),
    )
