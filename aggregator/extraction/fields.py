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

import collections
import copy
import html
import itertools
import logging
import re
from typing import Any

import pycld2
from lxml import etree

from aggregator.urls import join
from .dom import drop
from .rules import SiteRules
from .structured import StructuredData
from .text import clean_text

logger = logging.getLogger(__name__)

_TITLE_SEPARATORS = re.compile(r"\s+[|–—:·•»-]\s+|\s*[｜：]\s*")
_SUMMARY_MAX = 400
#: detection needs this much text to be trusted, and reads no more than the second figure
_DETECT_MIN_CHARS, _DETECT_MAX_CHARS = 200, 1000
#: the share of the text (percent) in the detected language for it to count
_DETECT_MIN_PERCENT = 70
#: CLD2 still answers the ISO 639 codes withdrawn in 1989 for these three
_CLD2_OLD_CODES = {"iw": "he", "in": "id", "jw": "jv"}
_LANG_RE = re.compile(r"^[a-zA-Z]{2,3}(?:[-_][a-zA-Z0-9]{2,8})*$")


def _split_title(title: str) -> list[str]:
    """The separator-delimited parts of a title, cleaned."""
    return [clean_text(p) for p in _TITLE_SEPARATORS.split(title)]


def _head_and_tail(title: str) -> tuple[str, str]:
    """``title`` cut before its last separator: ("Foo « bar »", "Site") from
    "Foo « bar » | Site" -- one separator goes, the text around it stays as written."""
    matches = list(_TITLE_SEPARATORS.finditer(title))
    if not matches:
        return title, ""
    last = matches[-1]
    return title[: last.start()].strip(), title[last.end():].strip()


def _strip_site_name(title: str, site_name: str) -> str:
    """``title`` without the site's name at its start or end ("Site: Foo", "Foo | Site")."""
    if not site_name:
        return title
    head, tail = _head_and_tail(title)
    if tail and tail.casefold() == site_name.casefold():
        return head
    first = _TITLE_SEPARATORS.search(title)
    if first and clean_text(title[: first.start()]).casefold() == site_name.casefold():
        return title[first.end():].strip()
    return title


#: typographic quotes compared as plain ones
_QUOTES = str.maketrans({"‘": "'", "’": "'", "‚": "'", "‛": "'", "“": '"', "”": '"', "„": '"'})
_WORD_RE = re.compile(r"\w+")


def _words(text: str) -> list[str]:
    return _WORD_RE.findall(text.translate(_QUOTES).casefold())


#: a last title part this short, after a longer headline, is the site's name ("Foo | Site")
_SITE_TAIL_MAX_WORDS = 4


def _strip_tail(title: str) -> str:
    """``title`` without a short last part after a longer headline: "Foo bar baz | Site"."""
    head, tail = _head_and_tail(title)
    if not tail:
        return title
    if len(tail.split()) <= _SITE_TAIL_MAX_WORDS and len(head.split()) > len(tail.split()):
        return head
    return title


#: an element inside a heading that is its kicker / overline, not the headline
_KICKER_CLASS_RE = re.compile(
    r"kicker|overline|topline|dachzeile|roofline|eyebrow|supertitle", re.I)
_BREADCRUMB_RE = re.compile(r"breadcrumb", re.I)
#: a text ending as a kicker does ("Budget:", "Budget |")
_ENDS_AS_KICKER_RE = re.compile(r"[:|]\s*$")
#: a separator left dangling at either end once a site name or a kicker is cut
_DANGLING_SEPARATOR_RE = re.compile(r"\s+[|–—:·•-]\s*$|^\s*[|–—:·•-]\s+")


def _same_headline(h1: str, declared: str) -> bool:
    """``h1`` is ``declared`` as the page shows it: all but a word or two of ``declared`` in
    it, and not much else (an SEO title or a teaser's headline is not)."""
    h1_words, declared_words = set(_words(h1)), set(_words(declared))
    if not h1_words or not declared_words:
        return False
    shared = len(declared_words & h1_words)
    return shared >= 0.8 * len(declared_words) and len(h1_words) <= 1.5 * len(declared_words)


def _title_key(text: str) -> str:
    """What two spellings of one headline share: words, casefolded, quotes plain.

    >>> _title_key("Chips &amp; ‘AI’ -- the return") == _title_key("chips & 'AI': the return")
    True
    """
    return " ".join(_words(html.unescape(text)))


def _visible_headline(h1: etree._Element) -> str:
    """An ``<h1>``'s text without a kicker or overline element inside it.

    >>> from lxml import html as lxml_html
    >>> _visible_headline(lxml_html.fromstring('<h1><span class="title__kicker">Budget</span> '
    ...     '<span class="sr-only"> - </span><span>Chips are back</span></h1>'))
    'Chips are back'
    """
    if not any(_KICKER_CLASS_RE.search(el.get("class") or "") for el in h1.iterdescendants()):
        return clean_text("".join(h1.itertext()))
    h1 = copy.deepcopy(h1)
    for el in list(h1.iterdescendants()):
        if _KICKER_CLASS_RE.search(el.get("class") or "") and el.getparent() is not None:
            drop(el)
    return _DANGLING_SEPARATOR_RE.sub("", clean_text("".join(h1.itertext())))


def _in_breadcrumb(el: etree._Element) -> bool:
    """``el`` is part of a breadcrumb trail or a navigation menu, not the article's heading."""
    for node in (el, *el.iterancestors()):
        if node.tag == "nav" or _BREADCRUMB_RE.search(
                f"{node.get('class') or ''} {node.get('id') or ''} {node.get('itemtype') or ''}"):
            return True
    return False


def _site_parts(declared: list[str], site_name: str) -> set[str]:
    """The site's name as the page writes it: og:site_name and the last separator-delimited
    part of the declared titles that have several ("Headline | Site")."""
    parts = {site_name.casefold()} if site_name else set()
    for title in declared:
        pieces = _split_title(title)
        if len(pieces) >= 2:
            parts.add(pieces[-1].casefold())
    return parts


def _h1_variants(tree: etree._Element, site_parts: set[str]) -> list[tuple[str, ...]]:
    """The page's ``<h1>`` texts, those inside ``<article>`` or ``<main>`` first, each as
    written and (when it holds a kicker element) without its kicker; never a logo heading
    (the site's name) or a heading inside a breadcrumb or menu."""
    found = list(tree.iter("h1"))  # page order; those in <article>/<main> put first below
    ordered = [h for h in found if any(a.tag in ("article", "main") for a in h.iterancestors())]
    ordered += [h for h in found if h not in ordered]
    variants = []
    for h1 in ordered[:4]:
        full, bare = clean_text("".join(h1.itertext())), _visible_headline(h1)
        if not full or full.casefold() in site_parts or _in_breadcrumb(h1):
            continue
        # what is left when the "kicker" held the headline ("<span class=topline>" for it on
        # some sites) ends in a kicker's colon: never a headline
        kept = bare and bare != full and not _ENDS_AS_KICKER_RE.search(bare)
        variants.append((full, bare) if kept else (full,))
    return variants


def _part_of(text: str, declared: str) -> bool:
    """``text`` is written inside ``declared`` and is most of it (not a widget's heading that
    happens to be a word of the headline)."""
    key, whole = _title_key(text), _title_key(declared)
    return bool(key) and key in whole and len(key) >= _MIN_SHARE_OF_DECLARED * len(whole)


#: a visible heading found inside a declared title must be at least this share of it
_MIN_SHARE_OF_DECLARED = 0.5




def _kicker_h1_texts(tree: etree._Element) -> set[str]:
    """The full texts of the ``<h1 itemprop="headline">`` elements that hold a kicker."""
    texts = set()
    for h1 in (h for h in tree.iter("h1") if h.get("itemprop") == "headline"):
        full = clean_text("".join(h1.itertext()))
        if _visible_headline(h1) != full:
            texts.add(full)
    return texts


def _declared_text(value: object) -> str:
    """A declared title as text: entities a CMS escaped twice ("R&amp;uuml;ckbau") decoded."""
    text = clean_text(str(value or ""))
    return clean_text(html.unescape(text)) if "&" in text else text


def _spaced_as_declared(text: str, declared: list[str]) -> str:
    """``text`` as a declared title spells it when the two differ only in white space: an
    ``<h1>`` whose kicker element ends without a space reads "Kicker:Headline".

    >>> _spaced_as_declared("Budget:Chips are back", ["Budget: Chips are back"])
    'Budget: Chips are back'
    """
    compact = "".join(text.split())
    for title in declared:
        if title != text and "".join(title.split()) == compact:
            return title
    return text


def _kicker_before(text: str, stripped: list[str]) -> str:
    """The declared title when every declared title is "Kicker: ``text``" (the page's own
    metadata puts the kicker in its headline), else ""."""
    keys = {_title_key(t) for t in stripped if t}
    if len(stripped) < 2 or len(keys) != 1:
        return ""
    title = stripped[0]
    if _title_key(title) != _title_key(text) and title.endswith(text) and re.search(
            r"[:|–—-]\s*$", title[: -len(text)]):
        return title
    return ""


#: this many declared titles giving one title outweigh an ``<h1>`` that differs from it
_AGREEING_DECLARED = 3
#: how many ``<h2>`` of the page are looked at for the headline when no ``<h1>`` shows it
_SUBHEADINGS_READ = 8


def _shown_in_subheading(tree: etree._Element, declared: list[str]) -> str:
    """The declared title an ``<h2>`` shows (whole, or after its kicker element), spelled as
    most declared titles spell it; "" when none does.

    Pages whose only ``<h1>`` is the last step of their breadcrumb show the headline in an
    ``<h2>``; when the JSON-LD ``headline`` and ``og:title`` differ, the one shown is the
    headline (the other is an SEO title).

    >>> from lxml import html as lxml_html
    >>> page = lxml_html.fromstring('<div><h2>More news</h2><h2><span class="kicker">EU</span>'
    ...     '<span>Chips are back</span></h2></div>')
    >>> _shown_in_subheading(page, ["Chips: what now", "Chips are back", "Chips are back"])
    'Chips are back'
    """
    if not declared:
        return ""
    by_key: dict[str, list[str]] = {}
    for title in declared:
        by_key.setdefault(_title_key(title), []).append(title)
    by_key.pop("", None)
    for h2 in itertools.islice(tree.iter("h2"), _SUBHEADINGS_READ):
        if _in_breadcrumb(h2):
            continue
        # its parts read apart: a kicker <span> glued to the headline is still two words
        full = " ".join(h2.itertext())
        for text in (_visible_headline(h2), full):
            spellings = by_key.get(_title_key(text))
            if spellings:
                return collections.Counter(spellings).most_common(1)[0][0]
    return ""


def find_title(tree: etree._Element, data: StructuredData, rules: SiteRules | None = None) -> str:
    """The headline as the page shows it.

    The visible ``<h1>`` (see :func:`_h1_variants`) when the declared titles -- JSON-LD
    ``headline``, ``og:title``/``twitter:title``, microdata, ``<title>``, without the site's
    name -- agree that it is the headline: it is one of them, or most of one of them, or one of them is it but
    for a word or two -- unless three or more declared titles give one title that no
    ``<h1>`` shows (an ``<h1>`` only part of it is a shorter display headline). With a
    kicker inside the ``<h1>``, the variant the metadata confirms. Else a declared title an
    ``<h2>`` shows; else the first declared title; else the ``<h1>``.
    """
    if rules is not None:
        title = rules.first_value(tree, "title")
        if title:
            return title
    microdata = clean_text(str(data.microdata_article.get("headline") or ""))
    if microdata and microdata in _kicker_h1_texts(tree):
        # an <h1> with a kicker inside, marked as the headline whole, does not say whether
        # the headline is with or without its kicker: the other declared titles decide
        microdata = ""
    declared = [
        _declared_text(data.article.get("headline")),
        _declared_text(data.first("og:title", "twitter:title")),
        microdata,
        _declared_text(tree.findtext(".//title")),
    ]
    declared = [t for t in declared if t]
    site_name = data.first("og:site_name", "application-name")
    h1s = _h1_variants(tree, _site_parts(declared, site_name))
    stripped = [_DANGLING_SEPARATOR_RE.sub("", _strip_tail(_strip_site_name(t, site_name)))
                for t in declared]
    # "Headline - Any Site Name": an <h1> equal to a declared title's part before its last
    # separator is the headline, however long the site's name after it
    keys = {_title_key(t) for t in stripped} | {_title_key(_head_and_tail(t)[0]) for t in declared}
    keys.discard("")
    for variants in h1s:
        # the headline without its kicker first: a declared title equal to it settles it
        for text in reversed(variants):
            if _title_key(text) in keys:
                return _spaced_as_declared(text, stripped)
    agreed = {_title_key(t) for t in stripped}
    if len(stripped) >= _AGREEING_DECLARED and len(agreed) == 1:
        # the JSON-LD headline, og:title and <title> all give one title and no <h1> shows
        # it: an <h1> that is part of it, or close to it, is a shorter display headline
        shown = agreed | {_title_key(t) for t in declared}
        if not any(_title_key(text) in shown for variants in h1s for text in variants):
            return collections.Counter(stripped).most_common(1)[0][0]
    for variants in h1s:
        for text in variants:
            if any(_part_of(text, d) for d in declared):
                kicked = _kicker_before(text, stripped)
                return kicked or text
    for variants in h1s:
        for text in variants:
            if any(_same_headline(text, d) for d in stripped):
                return text
    shown = _shown_in_subheading(tree, stripped)
    if shown:
        return shown
    if not h1s and len(declared) <= 1:
        # no <h1> but a breadcrumb's and only a <title>: an <h2> with a kicker element
        # inside is the page's headline (a subheading or a teaser's title has none)
        for h2 in itertools.islice(tree.iter("h2"), _SUBHEADINGS_READ):
            bare = _visible_headline(h2)
            if bare != clean_text("".join(h2.itertext())) and not _in_breadcrumb(h2) and not any(
                    a.tag in ("a", "aside") for a in h2.iterancestors()):
                return bare
    if h1s and len(declared) <= 1:
        # only a <title> to go by: the visible headline is the better one -- unless it shares
        # no word with the <title> (a page label, "Article detail", in an <h1>)
        title_words = set(_words(declared[0])) if declared else set()
        for variants in h1s:
            if not title_words or title_words & set(_words(variants[-1])):
                return variants[-1]
    shown = _visible_over_seo_title(h1s, stripped)
    if shown:
        return shown
    for title in stripped:
        if title:
            return title
    return h1s[0][-1] if h1s else ""


#: the share of an ``<h1>``'s words a declared title must have for the two to be one story
_MIN_SHARED_WITH_DECLARED = 0.3


def _visible_over_seo_title(h1s: list[tuple[str, ...]], stripped: list[str]) -> str:
    """The page's first ``<h1>`` when the declared titles neither confirm it nor agree three
    times on another, and it tells the same story as they do (a third of its words in
    them): the headline the reader sees over an SEO title. "" otherwise (an ``<h1>`` of a
    live ticker's latest entry or a page label shares few words with the declared title).

    >>> _visible_over_seo_title([("The law that's helping fuel Delhi's deadly air pollution",)],
    ...     ["Delhi air pollution: the law that's helping fuel the city's poor air quality"])
    "The law that's helping fuel Delhi's deadly air pollution"
    >>> _visible_over_seo_title([("Live: rates rise again",)], ["Markets and economy news today"])
    ''
    """
    if not h1s:
        return ""
    text = h1s[0][-1]
    words = set(_words(text))
    declared = {w for title in stripped for w in _words(title)}
    if words and len(words & declared) >= _MIN_SHARED_WITH_DECLARED * len(words):
        return text
    return ""


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


def detect_language(text: str) -> str | None:
    """The language of ``text`` by its words (CLD2, Chrome's compact detector: small and
    fast), when it is long enough and CLD2 is sure of it for most of the text.

    >>> detect_language("Die Bundesregierung hat am Dienstag beschlossen, die Förderung "
    ...                 "erneuerbarer Energien deutlich auszubauen. Der Plan sieht vor, dass bis "
    ...                 "2030 achtzig Prozent des Stroms aus Wind und Sonne kommen, sagte die "
    ...                 "Ministerin.")
    'de'
    >>> detect_language("Too short.") is None
    True
    """
    if len(text) < _DETECT_MIN_CHARS:
        return None
    try:
        reliable, _, details = pycld2.detect(text[:_DETECT_MAX_CHARS])
    except (pycld2.error, ValueError):  # bytes CLD2 refuses (control characters, surrogates)
        return None
    code, percent = details[0][1], details[0][2]
    if not reliable or code == "un" or percent < _DETECT_MIN_PERCENT:
        return None
    return _CLD2_OLD_CODES.get(code, code)


def find_language(tree: etree._Element, data: StructuredData, text: str = "") -> str | None:
    """The page language as a BCP 47 tag ("en", "en-GB"), or None.

    The page's declaration (``<html lang>``, ``inLanguage``, ``og:locale``...) unless the
    article ``text`` is clearly in another language: templates often declare the site's
    default language on every page. With no declaration, the language of the text.
    """
    declared = _declared_language(tree, data)
    detected = detect_language(text) if text else None
    if detected and (declared is None or declared.split("-")[0] != detected):
        return detected
    return declared


def _declared_language(tree: etree._Element, data: StructuredData) -> str | None:
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
            return join(url, value.strip())
    return url
