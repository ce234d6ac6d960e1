"""The small metadata fields: title, summary, tags, language, canonical URL.

Each reads the site rule first, then structured data, then the visible page.

>>> from aggregator.extraction.dom import parse_html
>>> from aggregator.extraction.structured import read_structured
>>> page = parse_html('<html lang="en_gb"><head><title>Hi there | Site</title>'
...                   '<link rel="canonical" href="/a"></head><body><h1>Hi there</h1></body></html>')
>>> data = read_structured(page, "https://ex.com/a?x=1")
>>> find_title(page, data), find_language(page, data), find_canonical(data, "https://ex.com/a?x=1")
('Hi there', 'en-GB', 'https://ex.com/a')
"""

from __future__ import annotations

import logging
import re
from typing import Any
from urllib.parse import urljoin

from lxml import etree

from .rules import SiteRules
from .structured import StructuredData
from .text import clean_text

logger = logging.getLogger(__name__)

_TITLE_SEPARATORS = re.compile(r"\s+[|–—:·•»-]\s+")
_H1 = etree.XPath("//article//h1 | //main//h1 | //h1")
_SUMMARY_MAX = 400
_LANG_RE = re.compile(r"^[a-zA-Z]{2,3}(?:[-_][a-zA-Z0-9]{2,8})*$")


def _strip_site_name(title: str, site_name: str) -> str:
    parts = _TITLE_SEPARATORS.split(title)
    if len(parts) < 2:
        return title
    if site_name and clean_text(parts[-1]).casefold() == site_name.casefold():
        return clean_text(_TITLE_SEPARATORS.split(title)[0]) if len(parts) == 2 else \
            title[: title.rfind(parts[-1])].rstrip(" |–—:·•»-")
    if site_name and clean_text(parts[0]).casefold() == site_name.casefold():
        return title[len(parts[0]):].lstrip(" |–—:·•»-")
    return title


def find_title(tree: etree._Element, data: StructuredData, rules: SiteRules | None = None) -> str:
    """The headline as the page shows it."""
    if rules is not None:
        title = rules.first_value(tree, "title")
        if title:
            return title
    declared = [
        clean_text(str(data.article.get("headline") or "")),
        clean_text(data.first("og:title", "twitter:title")),
        clean_text(str(data.microdata_article.get("headline") or "")),
        clean_text(tree.findtext(".//title") or ""),
    ]
    declared = [t for t in declared if t]
    # the <title> is the last resort among declared titles
    site_name = data.first("og:site_name", "application-name")
    for h1 in _H1(tree)[:3]:
        text = clean_text("".join(h1.itertext()))
        # the visible headline wins when the metadata agrees it is the headline
        if text and any(text.casefold() in d.casefold() for d in declared):
            return text
    h1s = _H1(tree)
    if h1s and len(declared) <= 1:
        # only a <title> to go by: the visible headline is the better one
        text = clean_text("".join(h1s[0].itertext()))
        if text:
            return text
    for title in declared:
        stripped = _strip_site_name(title, site_name)
        if stripped:
            return stripped
    return clean_text("".join(h1s[0].itertext())) if h1s else ""


def find_summary(data: StructuredData, body_text: str = "") -> str:
    """The page's own description, else the first paragraph of the body."""
    for value in (
        data.article.get("description"),
        data.first("og:description", "description", "twitter:description"),
        data.microdata_article.get("description"),
    ):
        text = clean_text(str(value)) if isinstance(value, str) else ""
        if text:
            return text
    first = body_text.split("\n\n", 1)[0] if body_text else ""
    if len(first) <= _SUMMARY_MAX:
        return first
    cut = first[:_SUMMARY_MAX].rsplit(" ", 1)[0]
    return cut + "…"


def _split_keywords(value: Any) -> list[str]:
    if isinstance(value, list):
        return [k for v in value for k in _split_keywords(v)]
    if isinstance(value, str):
        return [clean_text(k) for k in value.split(",")]
    return []


def find_tags(tree: etree._Element, data: StructuredData, rules: SiteRules | None = None) -> list[str]:
    """Tags or keywords, cleaned, in page order, without repeats."""
    candidates: list[str] = []
    if rules is not None:
        candidates = rules.values(tree, "tags")
    if not candidates:
        candidates = _split_keywords(data.article.get("keywords"))
    if not candidates:
        candidates = data.all("article:tag")
    if not candidates:
        candidates = _split_keywords(data.all("news_keywords") or data.all("keywords"))
    if not candidates:
        candidates = [clean_text("".join(a.itertext())) for a in tree.xpath('//a[@rel="tag"]')]
    seen: dict[str, str] = {}
    for tag in candidates:
        tag = tag.strip(" #,")
        if tag and len(tag) <= 80:
            seen.setdefault(tag.casefold(), tag)
    return list(seen.values())


def _normalise_lang(value: str) -> str | None:
    value = clean_text(value).replace("_", "-")
    if not value or not _LANG_RE.match(value):
        return None
    parts = value.split("-")
    return "-".join([parts[0].lower()] + [p.upper() if len(p) == 2 else p for p in parts[1:]])


def find_language(tree: etree._Element, data: StructuredData) -> str | None:
    """The page language as a BCP 47 tag ("en", "en-GB"), or None."""
    in_language = data.article.get("inLanguage")
    for value in (
        tree.get("lang"),
        tree.get("{http://www.w3.org/XML/1998/namespace}lang"),
        in_language if isinstance(in_language, str) else None,
        data.first("og:locale"),
        data.first("content-language", "language", "dc.language"),
    ):
        lang = _normalise_lang(value or "")
        if lang:
            return lang
    return None


def find_canonical(data: StructuredData, url: str) -> str:
    """rel=canonical, else og:url, made absolute; the page URL when neither is given."""
    for value in (data.links.get("canonical", [""])[0], data.first("og:url")):
        if value and value.strip():
            return urljoin(url, value.strip())
    return url
