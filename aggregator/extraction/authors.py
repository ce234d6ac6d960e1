"""Author names: found in rules, JSON-LD, microdata, meta or the byline, then split and cleaned.

>>> clean_authors(["By Jane Doe and John Roe"])
['Jane Doe', 'John Roe']
>>> clean_authors(["A. Smith, B. Jones & C. Wu", "jdoe@x.com (Jane Doe)", "Staff Reporter"])
['A. Smith', 'B. Jones', 'C. Wu', 'Jane Doe', 'Staff Reporter']
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from typing import Any

from lxml import etree

from .rules import SiteRules
from .structured import StructuredData
from .text import clean_text

logger = logging.getLogger(__name__)

_EMAIL_NAME_RE = re.compile(r"^\S+@\S+\s*\((?P<name>[^)]+)\)$")
_NAME_EMAIL_RE = re.compile(r"^(?P<name>[^<]+?)\s*<\S+@\S+>$")
_EMAIL_RE = re.compile(r"\S+@\S+\.\w+")
_BY_RE = re.compile(
    r"^(?:(?:written|posted|reported|published|words|story|text|photos?)\s+)?by[:\s]+",
    re.IGNORECASE,
)
_LABEL_RE = re.compile(r"^(?:authors?|writers?|reporters?)\s*:\s*", re.IGNORECASE)
_SPLIT_RE = re.compile(r"\s*(?:,|;|&|\band\b|\bund\b|\bet\b|\|)\s*", re.IGNORECASE)
_HANDLE_RE = re.compile(r"^@\w+$")
_BYLINE_XPATH = etree.XPath(
    '//*[@rel="author"] | //*[@itemprop="author"]'
    ' | //*[contains(concat(" ", normalize-space(@class), " "), " byline ")]'
    ' | //*[contains(concat(" ", normalize-space(@class), " "), " author ")]'
    ' | //*[contains(concat(" ", normalize-space(@class), " "), " author-name ")]'
)
#: a plausible name is short and has no sentence punctuation
_MAX_NAME_LEN = 60


def _one(value: str) -> list[str]:
    """Split one byline string into cleaned names."""
    text = clean_text(value)
    if not text or text.startswith(("http://", "https://")):
        return []
    match = _EMAIL_NAME_RE.match(text) or _NAME_EMAIL_RE.match(text)
    if match:
        text = match.group("name")
    text = _LABEL_RE.sub("", _BY_RE.sub("", text))
    names = []
    for part in _SPLIT_RE.split(text):
        part = _BY_RE.sub("", _EMAIL_RE.sub("", part)).strip(" .,;:-–—|()[]")
        if not part or _HANDLE_RE.match(part) or len(part) > _MAX_NAME_LEN:
            continue
        if any(ch.isdigit() for ch in part) or part.count(" ") > 5:
            continue
        # "A. Smith" must keep its dot; only trailing sentence punctuation was stripped above
        names.append(part)
    return names


def clean_authors(values: Iterable[str]) -> list[str]:
    """Split bylines into names: no "By", no e-mail addresses, no repeats, page order kept."""
    seen: dict[str, str] = {}
    for value in values:
        for name in _one(value):
            seen.setdefault(name.casefold(), name)
    return list(seen.values())


def _names_in(value: Any) -> list[str]:
    """Names in a JSON-LD / microdata author value (string, Person, list of either)."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        props = value.get("properties", value)
        name = props.get("name") if isinstance(props, dict) else None
        if isinstance(name, list):
            name = name[0] if name else None
        return [name] if isinstance(name, str) else []
    if isinstance(value, list):
        return [n for item in value for n in _names_in(item)]
    return []


def find_authors(
    tree: etree._Element,
    data: StructuredData,
    rules: SiteRules | None = None,
) -> list[str]:
    """Author names from the first layer that has any."""
    if rules is not None:
        found = clean_authors(rules.values(tree, "authors"))
        if found:
            return found
    for raw in (data.article.get("author"), data.microdata_article.get("author")):
        found = clean_authors(_names_in(raw))
        if found:
            return found
    meta = [v for key in ("author", "article:author", "parsely-author", "sailthru.author", "dc.creator")
            for v in data.all(key)]
    found = clean_authors(meta)
    if found:
        return found
    texts = [clean_text("".join(el.itertext())) for el in _BYLINE_XPATH(tree)[:5]]
    return clean_authors(t for t in texts if 0 < len(t) <= 120)
