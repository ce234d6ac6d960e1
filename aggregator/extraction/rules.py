"""Layer 2: site rules, as data.

A source's ``rules`` table in the sources config maps a field to a selector (or a list of
selectors tried in order). A plain string is CSS; a string starting with ``xpath:`` is XPath.
``remove`` lists elements to delete before anything else reads the page.

>>> rules = SiteRules.from_mapping({"title": "h1.headline", "published": "xpath://time/@datetime",
...                                 "remove": [".newsletter"]}, "example")
>>> from aggregator.extraction.dom import parse_html
>>> page = parse_html('<h1 class="headline"> Hi </h1><time datetime="2023-04-12"></time>')
>>> rules.first_value(page, "title"), rules.first_value(page, "published")
('Hi', '2023-04-12')
>>> SiteRules.from_mapping({"titel": "h1"}, "sources.toml: source 'x'")
Traceback (most recent call last):
...
ValueError: sources.toml: source 'x': rules: unknown field 'titel' (known: authors, body, caption, credit, image, modified, published, related, remove, tags, title)
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from typing import Any

from cssselect import SelectorError
from lxml import etree
from lxml.cssselect import CSSSelector

from .text import clean_text

logger = logging.getLogger(__name__)

XPATH_PREFIX = "xpath:"
#: attributes that hold the value of an element chosen for an image or a date
_VALUE_ATTRS = {
    "image": ("src", "data-src", "content", "href", "srcset"),
    "published": ("datetime", "content"),
    "modified": ("datetime", "content"),
}


@dataclass(frozen=True)
class Selector:
    """One compiled CSS or XPath selector, remembered with its source text."""

    source: str
    compiled: etree.XPath

    @classmethod
    def compile(cls, text: str) -> Selector:
        """Compile ``text``; raises ValueError with the reason when it is not valid."""
        if not isinstance(text, str) or not text.strip():
            raise ValueError(f"expected a selector string, got {text!r}")
        stripped = text.strip()
        try:
            if stripped.startswith(XPATH_PREFIX):
                return cls(stripped, etree.XPath(stripped[len(XPATH_PREFIX):].strip()))
            return cls(stripped, CSSSelector(stripped, translator="html"))
        except (etree.XPathSyntaxError, SelectorError) as exc:
            raise ValueError(f"invalid selector {stripped!r}: {exc}") from None

    def select(self, tree: etree._Element) -> list[Any]:
        """Matching elements (or strings, for an XPath ending in ``/@attr`` or ``text()``)."""
        try:
            result = self.compiled(tree)
        except etree.XPathEvalError as exc:
            logger.warning("selector %r failed: %s", self.source, exc)
            return []
        if isinstance(result, list):
            return result
        return [result] if result not in (None, "") else []


_SELECTOR_FIELDS = (
    "title", "body", "authors", "published", "modified", "image", "caption", "credit", "tags",
    "related",
)


@dataclass(frozen=True)
class SiteRules:
    """Selectors per field for one site; an empty tuple means "not given"."""

    title: tuple[Selector, ...] = ()
    body: tuple[Selector, ...] = ()
    authors: tuple[Selector, ...] = ()
    published: tuple[Selector, ...] = ()
    modified: tuple[Selector, ...] = ()
    image: tuple[Selector, ...] = ()
    caption: tuple[Selector, ...] = ()
    credit: tuple[Selector, ...] = ()
    tags: tuple[Selector, ...] = ()
    related: tuple[Selector, ...] = ()
    remove: tuple[Selector, ...] = field(default=())

    @classmethod
    def from_mapping(cls, d: Mapping[str, Any], where: str) -> SiteRules:
        """Rules from a config table; a bad key or selector raises ValueError naming ``where``."""
        if not isinstance(d, Mapping):
            raise ValueError(f"{where}: rules: expected a table, got {type(d).__name__}")
        known = sorted(f.name for f in fields(cls))
        values: dict[str, tuple[Selector, ...]] = {}
        for key, raw in d.items():
            if key not in known:
                raise ValueError(
                    f"{where}: rules: unknown field {key!r} (known: {', '.join(known)})"
                )
            texts = raw if isinstance(raw, list) else [raw]
            if not texts:
                raise ValueError(f"{where}: rules: field {key!r}: empty list of selectors")
            compiled = []
            for text in texts:
                try:
                    compiled.append(Selector.compile(text))
                except ValueError as exc:
                    raise ValueError(f"{where}: rules: field {key!r}: {exc}") from None
            values[key] = tuple(compiled)
        return cls(**values)

    def __bool__(self) -> bool:
        return any(getattr(self, f.name) for f in fields(self))

    def select(self, tree: etree._Element, name: str) -> list[Any]:
        """Results of the first selector of field ``name`` that matches anything."""
        for selector in getattr(self, name):
            found = selector.select(tree)
            if found:
                return found
        return []

    def values(self, tree: etree._Element, name: str) -> list[str]:
        """The cleaned text (or value attribute) of every match of field ``name``."""
        out = []
        for node in self.select(tree, name):
            value = _value_of(node, name)
            if value:
                out.append(value)
        return out

    def first_value(self, tree: etree._Element, name: str) -> str | None:
        """The first non-empty value of field ``name``, or None."""
        found = self.values(tree, name)
        return found[0] if found else None


def _value_of(node: Any, name: str) -> str:
    if isinstance(node, str):  # XPath attribute or text result
        return clean_text(node)
    if not isinstance(node, etree._Element):
        return clean_text(str(node))
    for attr in _VALUE_ATTRS.get(name, ()):
        value = node.get(attr)
        if value:
            return clean_text(value.split()[0] if attr == "srcset" else value)
    return clean_text("".join(node.itertext()))
