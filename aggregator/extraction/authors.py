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
from .fields import _TITLE_SEPARATORS
from .structured import StructuredData, types_of
from .text import clean_text

logger = logging.getLogger(__name__)

_EMAIL_NAME_RE = re.compile(r"^\S+@\S+\s*\((?P<name>[^)]+)\)$")
_NAME_EMAIL_RE = re.compile(r"^(?P<name>[^<]+?)\s*<\S+@\S+>$")
_EMAIL_RE = re.compile(r"\S+@\S+\.\w+")
_BY_RE = re.compile(
    r"^(?:(?:written|posted|reported|published|words|story|text|photos?|analysis|opinion|commentary"
    r"|review|interview)\s+)?(?:by|por|von|par|door)[:\s]+",
    re.IGNORECASE,
)
#: a one-word label before the names: "Author:", "Text:", "Autor:", "Текст:"
_LABEL_RE = re.compile(r"^[^\W\d_]{2,15}\s*:\s*")
#: between names: commas, "and" in several languages, and a full stop after a word
#: ("Jane Doe. Wire Service"), not after an initial ("A. Smith")
_SPLIT_RE = re.compile(
    r"\s*(?:,|;|&|\band\b|\bund\b|\bet\b|\|)\s*|\s(?-i:e|y)\s+|(?<=[^\W\d_]{2})\.\s+",
    re.IGNORECASE)
_HANDLE_RE = re.compile(r"^@\w+$")
_BYLINE_XPATH = etree.XPath(
    '//*[@rel="author"] | //*[@itemprop="author"]'
    ' | //*[contains(@class, "byline") and not(contains(@class, "date"))]'
    ' | //*[contains(concat(" ", normalize-space(@class), " "), " author ")]'
    ' | //*[contains(@class, "author-name") or contains(@class, "author-link")]'
)
#: a text node that opens a byline: "By", "Por", "Von", "Par", "Door", "Di" (and "By Name")
_BY_TEXT_XPATH = etree.XPath(
    "//body//text()[normalize-space(.)='By' or normalize-space(.)='by' or normalize-space(.)='Por'"
    " or normalize-space(.)='Von' or normalize-space(.)='Par' or normalize-space(.)='Door'"
    " or normalize-space(.)='Di']"
)
#: where the names of a byline end: a digit, a weekday, a separator, "Updated"/"Published"
_BYLINE_END_RE = re.compile(
    r"\d|\s(?:on\s+)?(?:mon|tue|wed|thu|fri|sat|sun)[a-z]*\b|\s[|•·]\s|\s(?:updated|published|"
    r"posted|follow|about)\b", re.IGNORECASE)
_DESK_WORDS = frozenset({"staff", "desk", "team", "newsroom", "editors", "reporters", "staff reporter"})
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
    """Names in a JSON-LD / microdata author value (string, Person, list of either).

    An author typed as an organisation (``Organization``, ``NewsMediaOrganization``...) names
    no person and is left out.
    """
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        if any("organization" in t or "corporation" in t for t in types_of(value)):
            return []
        props = value.get("properties", value)
        name = props.get("name") if isinstance(props, dict) else None
        if isinstance(name, list):
            name = name[0] if name else None
        return [name] if isinstance(name, str) else []
    if isinstance(value, list):
        return [n for item in value for n in _names_in(item)]
    return []


def _key(text: str) -> str:
    return "".join(ch for ch in text.casefold() if ch.isalnum())


def site_names(tree: etree._Element, data: StructuredData) -> list[str]:
    """The publication's names: og:site_name, application-name, the JSON-LD publisher, and
    the last part of a ``<title>`` written "Headline | Site"."""
    names = [data.first("og:site_name"), data.first("application-name")]
    publisher = data.article.get("publisher")
    if isinstance(publisher, dict) and isinstance(publisher.get("name"), str):
        names.append(publisher["name"])
    parts = _TITLE_SEPARATORS.split(clean_text(tree.findtext(".//title") or ""))
    if len(parts) >= 2:
        names.append(parts[-1])
    return [clean_text(n).lstrip("@") for n in names if n and clean_text(n)]


def is_site_name(name: str, sites: list[str]) -> bool:
    """``name`` is the publication, not a person: one of its names, a one-word part of one
    ("Vortex" of "Vortex Cannon Entertainment"), or one followed by a desk ("CNN Business")."""
    key = _key(name)
    if not key:
        return True
    for site in sites:
        site_key = _key(site)
        if not site_key:
            continue
        if key == site_key:
            return True
        if name.casefold().startswith(site.casefold() + " "):
            # "Circuit Daily Staff" is the desk byline the site credits; "CNN Business" is not
            return name[len(site):].strip().casefold() not in _DESK_WORDS
        if " " not in name.strip() and key in {_key(w) for w in site.split()}:
            return True
    return False


def _byline_text(el: etree._Element) -> str:
    """A byline element's names part: its text up to the first date, time, weekday or
    separator ("By Ann Lee | March 3" -> "By Ann Lee")."""
    text = clean_text(" ".join(el.itertext()))
    match = _BYLINE_END_RE.search(text)
    return text[: match.start()].strip() if match else text


def _leaf_most(elements: list[etree._Element]) -> list[etree._Element]:
    """``elements`` without those that contain another of them."""
    chosen = set(elements)
    return [el for el in elements
            if not any(d in chosen for d in el.iterdescendants() if d is not el)]


def find_authors(
    tree: etree._Element,
    data: StructuredData,
    rules: SiteRules | None = None,
) -> list[str]:
    """Author names from the first layer that names a person (the publication itself, as
    an organisation author or under its own name, does not count)."""
    if rules is not None:
        found = clean_authors(rules.values(tree, "authors"))
        if found:
            return found
    sites = site_names(tree, data)

    def people(values: Iterable[str]) -> list[str]:
        return [n for n in clean_authors(values) if not is_site_name(n, sites)]

    for raw in (data.article.get("author"), data.microdata_article.get("author")):
        found = people(_names_in(raw))
        if found:
            return found
    meta = [v for key in ("author", "article:author", "parsely-author", "sailthru.author", "dc.creator")
            for v in data.all(key)]
    found = people(meta)
    if found:
        return found
    texts = [_byline_text(el) for el in _leaf_most(_BYLINE_XPATH(tree)[:12])[:5]]
    found = people(t for t in texts if 0 < len(t) <= 120)
    if found:
        return found
    # a "By <a>Name</a>" line with no byline class
    for node in _BY_TEXT_XPATH(tree)[:3]:
        parent = node.getparent()
        if parent is None:
            continue
        if node.is_tail:
            parent = parent.getparent() if parent.getparent() is not None else parent
        links = [clean_text("".join(a.itertext())) for a in parent.iter("a")]
        text = ", ".join(t for t in links if t) if links else _byline_text(parent)
        found = people([text] if 0 < len(text) <= 120 else [])
        if found:
            return found
    return []
