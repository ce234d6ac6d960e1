"""A page's links to other pages, each with the signals that tell a related link from the rest.

Every anchor that points at another http(s) page becomes a :class:`LinkCandidate`: the link, its
*block* (the link-dense container it sits in, with the block's heading) and a vector of signals
that carry across languages and templates -- heading words, class and id tokens, position
relative to the article body, the shape of the anchor text and of the target URL, link density,
visibility, repetition inside the page and how many of the block's links are the site's own.
:mod:`.related` weighs them (:func:`.related.link_score`).

>>> from aggregator.extraction.dom import parse_html
>>> page = parse_html('''<body><nav><a href="/news">News</a><a href="/tech">Tech</a></nav>
... <article><p>''' + "Long article text. " * 20 + '''</p></article>
... <section class="relatedContent"><h3>Related</h3><ul>
... <li><a href="/2024/05/chips-are-back">Chips are back in fashion again</a></li>
... <li><a href="/2024/05/ai-act">The AI Act passes its final vote</a></li></ul></section></body>''')
>>> links = link_candidates(page, "https://ex.com/2024/05/story")
>>> [(c.url, c.block_heading) for c in links]  # doctest: +NORMALIZE_WHITESPACE
[('https://ex.com/news', ''), ('https://ex.com/tech', ''),
 ('https://ex.com/2024/05/chips-are-back', 'Related'), ('https://ex.com/2024/05/ai-act', 'Related')]
>>> f, nav = links[2].features, links[0].features
>>> f["heading_related"], f["class_related"], nav["in_nav"]
(1.0, 1.0, 1.0)
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from typing import NamedTuple
from urllib.parse import urldefrag

from lxml import etree

from ..urls import WWW_PREFIX_RE, document_base, join, registrable_host, split
from .text import LONG_WORD_RE, WORD_RE, clean_text
from .words import POPULAR_HEADING_RE, RELATED_HEADING_RE, SITE_WIDE_WORDS_RE

#: elements whose text is never visible
_INVISIBLE = frozenset({"script", "style", "noscript", "template", "svg", "head", "title", "select",
                        "option", "button"})
_HEADING_TAGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
#: a block heading is a short text: at most this many characters
MAX_HEADING = 80
#: a paragraph of the article has at least this many characters outside links
LONG_PARAGRAPH = 120
#: a callout's label ("Read more:", "Lesen Sie auch:") is at most this long
_MAX_LABEL = 40
#: climbing from an anchor's group to its block goes at most this many levels up
_MAX_CLIMB = 6

_CAMEL_RE = re.compile(r"(?<=[a-z])(?=[A-Z])")
_TOKEN_SPLIT_RE = re.compile(r"[^a-zA-Z0-9]+")


@lru_cache(maxsize=16384)
def class_tokens(value: str) -> frozenset[str]:
    """Lower-case words of a class or id value, camelCase and snake_case split, and each
    pair of neighbouring words joined ("most-read" says "mostread" too).

    >>> sorted(class_tokens("relatedContent most-read"))
    ['content', 'most', 'mostread', 'read', 'related', 'relatedcontent']
    """
    tokens = []
    for name in value.split():
        words = [t.lower() for t in _TOKEN_SPLIT_RE.split(_CAMEL_RE.sub(" ", name)) if t]
        tokens.extend(words)
        tokens.extend(a + b for a, b in zip(words, words[1:]))
    return frozenset(tokens)


#: class/id words, grouped by what they say about a container (English class names are the
#: norm in templates of every language; a few common non-English ones are added)
_CLASS_GROUPS: dict[str, frozenset[str]] = {
    "class_related": frozenset({
        "related", "relatedposts", "relatedarticles", "suggested", "suggestions", "recommended",
        "recommendation", "recommendations", "recommend", "readmore", "readnext", "similar",
        "moreon", "morefrom", "further", "also", "recirc", "recirculation", "outbrain", "taboola",
        "relacionadas", "relacionados", "correlati", "verwandte", "weitere", "lesetipp", "kanren"}),
    "class_popular": frozenset({
        "popular", "mostpopular", "mostread", "trending", "trends", "latest", "newest",
        "topstories", "topnews", "toplist", "topartikel", "topthemen", "toparticles", "top10",
        "top5", "topten", "picks", "editors", "ranking", "meistgelesen", "hot", "breaking",
        "ticker"}),
    # "top" names a site's top stories, and a position too ("padding-top", "top-bar"): it
    # says site-wide only where no heading says related
    "class_top": frozenset({"top"}),
    "class_nav": frozenset({
        "nav", "navbar", "navigation", "menu", "submenu", "megamenu", "breadcrumb", "breadcrumbs",
        "header", "masthead", "footer", "sitemap", "skip", "pagination", "pager", "tabs",
        "dropdown", "drawer", "sidebar", "widget", "tags", "tag", "topics", "categories",
        "category", "keywords", "sections"}),
    "class_sidebar": frozenset({"sidebar", "rail", "rightrail", "siderail", "aside"}),
    "class_card": frozenset({
        "card", "cards", "teaser", "tile", "item", "items", "story", "stories", "post", "posts",
        "article", "articles", "list", "listing", "feed", "grid", "carousel", "slider"}),
}
_RELATED_CLASS = _CLASS_GROUPS["class_related"]
_HIDDEN_STYLE_RE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.IGNORECASE)

#: path words of pages that list articles rather than being one (URL shape, not a site list)
_LISTING_PATH_WORDS = frozenset({
    "tag", "tags", "topic", "topics", "thema", "themen", "category", "categories", "categorie",
    "kategorie", "author", "authors", "autor", "autoren", "auteur", "writer", "profile", "people",
    "section", "sections", "ressort", "search", "suche", "recherche", "archive", "archives",
    "archiv", "page", "index", "about", "contact", "impressum", "login", "subscribe", "account",
    "newsletter", "newsletters", "feed", "rss", "help", "privacy", "terms", "jobs", "shop"})
#: a file to download, not a page: an all-caps line linking one is a call to action
_DOCUMENT_RE = re.compile(r"\.(?:pdf|docx?|xlsx?|pptx?|zip|epub|mp3|mp4)(?:$|[?#])", re.IGNORECASE)
_ARTICLE_EXT_RE = re.compile(r"\.(?:s?html?|php|aspx?|cms)$", re.IGNORECASE)
_NUMBER_RE = re.compile(r"\d{3,}")
#: a query parameter whose value is a long number: the id of one item
_QUERY_ID_RE = re.compile(r"(?:^|&)[a-z_]*=\d{5,}(?:&|$)", re.IGNORECASE)
#: what a section's name has not: a word separator, a digit or an extension
_SLUG_MARK_RE = re.compile(r"[-_.\d,]")
_DATE_PATH_RE = re.compile(r"/(?:19|20)\d\d/(?:[01]?\d)(?:/|$)|/(?:19|20)\d\d-[01]\d-[0-3]\d")


@lru_cache(maxsize=8192)
def absolute_url(page: str, href: str) -> str:
    """``href`` made absolute against ``page``, without its fragment ("" when unusable).

    >>> absolute_url("https://ex.com/a/b", "/c#top"), absolute_url("https://ex.com/a/b", "../d")
    ('https://ex.com/c', 'https://ex.com/d')
    """
    if href.startswith(("http://", "https://")):
        return href.partition("#")[0]  # absolute already (urljoin would keep it as it is)
    if href[:1] == "/" and href[1:2] != "/" and "/." not in href \
            and not _NOT_PLAIN_PATH_RE.search(href):
        # a plain path from the root (no dot segments, query, fragment or parameters):
        # urljoin gives the page's scheme and host before it, at a tenth of the cost
        origin = _origin(page)
        if origin:
            return origin + href
    return urldefrag(join(page, href))[0]  # join gives "" for a malformed URL


#: what urljoin reads in a path from the root besides its segments
_NOT_PLAIN_PATH_RE = re.compile(r"[?#;\t\r\n]")


@lru_cache(maxsize=1024)
def _origin(page: str) -> str:
    """"scheme://host" of an http(s) ``page`` as urljoin writes it ("" for another)."""
    parts = split(page)
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme in ("http", "https") else ""



class UrlShape(NamedTuple):
    """What a link's target URL looks like."""

    same_site: bool
    #: the site's home page
    home: bool
    #: a page that lists articles: section, tag, author, search, archive
    listing: bool
    #: an article's: a slug of several words, a number, a date or a page extension
    article_like: bool


@lru_cache(maxsize=8192)
def url_shape(url: str, page: str) -> UrlShape:
    """The shape of ``url``, a link on ``page``.

    >>> url_shape("https://ex.com/tag/ai", "https://www.ex.com/2024/a")
    UrlShape(same_site=True, home=False, listing=True, article_like=False)
    >>> url_shape("https://ex.com/2024/05/chips-are-back", "https://ex.com/x").article_like
    True
    >>> url_shape("https://ex.com/news/archives/2024/10/14/2003825248", "https://ex.com/x")
    UrlShape(same_site=True, home=False, listing=False, article_like=True)
    >>> url_shape("https://ex.com/news/politics", "https://ex.com/x").listing
    True
    """
    host, home, listing, article_like = _path_shape(url)
    here = registrable_host(page)
    same = bool(host) and (host == here or host.endswith("." + here) or here.endswith("." + host))
    return UrlShape(same, home, listing, article_like)


@lru_cache(maxsize=8192)
def _path_shape(url: str) -> tuple[str, bool, bool, bool]:
    """What :func:`url_shape` reads from ``url`` alone: its host without "www.", and whether
    it is a home page, a listing and an article's (the same on every page of a site)."""
    # split by hand: urlsplit is the slowest part of reading a page's links
    _, _, rest = url.partition("://")
    netloc, _, tail = rest.partition("/")
    path, _, query = tail.partition("#")[0].partition("?")
    path = "/" + path
    segments = [s for s in path.split("/") if s]
    if query and _QUERY_ID_RE.search(query) and not any(
            s.lower() in _LISTING_PATH_WORDS for s in segments):
        # an item named by a long number in its query ("/video/?vid=565167712",
        # "index.php?p=40512"): one story or clip, whatever its folders say
        host = netloc.rpartition("@")[2].partition(":")[0].lower()
        return WWW_PREFIX_RE.sub("", host) if host.startswith("www") else host, \
            False, False, True
    host = netloc.rpartition("@")[2].partition(":")[0].lower()
    if host.startswith("www"):
        host = WWW_PREFIX_RE.sub("", host)
    if not segments:
        return host, True, False, False
    last = segments[-1]
    stem = _ARTICLE_EXT_RE.sub("", last).lower()
    # a date in the path or a page extension makes an article, whatever the folders say
    dated = (stem != last.lower() and stem != "index") or bool(_DATE_PATH_RE.search(path))
    listing = not dated and (
        stem in _LISTING_PATH_WORDS or (len(segments) <= 2 and not _SLUG_MARK_RE.search(last))
        or any(s.lower() in _LISTING_PATH_WORDS for s in segments[:-1]))
    article_like = not listing and bool(
        dated or last.count("-") + last.count("_") >= 2 or _NUMBER_RE.search(path))
    return host, False, listing, article_like


def link_title(a: etree._Element, lines: bool = True) -> str:
    """The visible headline of a link.

    When the link is made of several lines (kicker, headline, teaser, date), the headline
    (:func:`_headline_line`; not when ``lines`` is false: the signals read the whole link);
    else a heading inside it, an element classed as its title, or its text without dates and
    screen-reader text; else an image's alt text. A generic label ("Read more",
    "Weiterlesen") gives way to the headline of the card around the link.

    >>> from lxml import html
    >>> link_title(html.fragment_fromstring('<a href="/x"><span class="kicker">Chips</span>'
    ...     '<span>The new chip is here</span><time>May 2</time></a>'))
    'The new chip is here'
    >>> link_title(html.fragment_fromstring('<a href="/x"><h2>Netlist vs. Samsung</h2>'
    ...     '<span>US company wins its DDR5 patent case</span></a>'))
    'US company wins its DDR5 patent case'
    >>> link_title(html.fragment_fromstring('<a href="/x"><span class="teaser-headline">'
    ...     '<span class="overline">Chips</span> <b>The new chip is here</b></span></a>'))
    'The new chip is here'
    >>> card = html.fragment_fromstring(
    ...     '<div><h3>Chips are back</h3><a href="/x">Read more</a></div>')
    >>> link_title(card.find("a"))
    'Chips are back'
    """
    if lines:
        headline = _headline_line(a)
        if headline:
            return headline
    for el in a.iter(*_HEADING_TAGS):
        text = clean_text(" ".join(_visible_text(el)))
        if text:
            return text
    for el in a.iterdescendants():
        if isinstance(el.tag, str) and class_tokens(el.get("class") or "") & _HEADLINE_CLASS \
                and not class_tokens(el.get("class") or "") & _META_CLASS:
            # without a kicker inside it: <span class="headline"><span class="overline">..
            text = clean_text(" ".join(_visible_text(el, skip_meta=True))) or \
                clean_text(" ".join(_visible_text(el)))
            if len(text.split()) >= 2:
                return text
    text = clean_text(" ".join(_visible_text(a, skip_meta=True))) or \
        clean_text(" ".join(_visible_text(a)))
    if not text or (len(text.split()) <= 3 and RELATED_HEADING_RE.match(text)):
        card = _card_headline(a)
        if card:
            return card
    if text:
        return _without_label(text) if lines else text
    img = next(a.iter("img"), None)
    return clean_text((img.get("alt") if img is not None else "") or a.get("title")
                      or a.get("aria-label"))


def _headline_line(a: etree._Element) -> str:
    """Of a link made of several lines (kicker, headline, teaser, date), the headline.

    Dates and kickers (a first line ending in ":", or much shorter than the next) are left
    out; of the rest, the heading's line when one is a heading, else the first: a teaser
    follows its headline. "" when the link is one line of text.
    """
    parts = _text_parts(a)
    if len(parts) < 2:
        heading = next(a.iter(*_HEADING_TAGS), None)
        parts = _text_parts(heading) if heading is not None else []
        if len(parts) < 2:
            return ""
    lines = [(el, t) for el, t in parts if not _DATE_LINE_RE.match(t)]
    headlines = [(el, t) for el, t in lines if not _is_teaser(t)] or lines
    # kickers: a first line ending in ":", or short lines before a longer headline
    while len(headlines) >= 2 and (
            clean_text("".join(headlines[0][0].itertext())).endswith(":") or (
                len(headlines[0][1].split()) <= _MAX_KICKER_WORDS
                and len(headlines[1][1]) > len(headlines[0][1]))):
        headlines = headlines[1:]
    if not headlines:
        return ""
    headed = [(el, t) for el, t in headlines
              if el.tag in _HEADING_TAGS or next(el.iter(*_HEADING_TAGS), None) is not None]
    element, best = headed[0] if len(headed) == 1 else headlines[0]
    if element is not a and len(_text_parts(element)) >= 2:
        best = _headline_line(element) or best  # a kicker inside the headline's own element
    return best if len(best.split()) >= 3 or _CJK_RE.search(best) else ""


_SENTENCE_BREAK_RE = re.compile(r"\.\s+\w")


def _is_teaser(line: str) -> bool:
    """A card's teaser rather than its headline: long, or sentences ending in full stops
    (a headline may ask or exclaim, it seldom ends in a full stop)."""
    return len(line) > 120 or (line.endswith((".", "…")) and len(line.split()) > 8) or (
        len(line) > 80 and bool(_SENTENCE_BREAK_RE.search(line)))


#: a kicker (overline) above a headline is at most this many words
_MAX_KICKER_WORDS = 4
#: a line that is only a date or a time
_DATE_LINE_RE = re.compile(r"^[\d\s./:-]+(?:\s*(?:Uhr|h|am|pm|AM|PM))?$")


def _text_parts(a: etree._Element) -> list[tuple[etree._Element, str]]:
    """The separate lines of text of a link (its child elements' texts, through wrappers),
    when the link has no loose text of its own; dates and screen-reader text left out."""
    node = a
    for _ in range(4):
        first = next((c for c in node if isinstance(c.tag, str) and c.tag not in _INVISIBLE
                      and not _SR_ONLY_RE.search(c.get("class") or "")), None)
        if not (node.text or "").strip() and first is not None and first.tag not in _INLINE \
                and (first.tail or "").strip() and \
                not any((c.tail or "").strip() for c in first.itersiblings(preceding=True)):
            # <h3><span>Kicker</span> Headline</h3>
            rest = clean_text((first.tail or "") + " ".join(
                " ".join(_visible_text(c)) + (c.tail or "")
                for c in first.itersiblings() if isinstance(c.tag, str)))
            kicker = clean_text(" ".join(_visible_text(first)))
            return [(first, kicker), (node, rest)] if kicker and rest else []
        if (node.text or "").strip() or any((c.tail or "").strip() for c in node):
            return []  # running text: one line
        children = [c for c in node if isinstance(c.tag, str) and c.tag not in _INVISIBLE
                    and c.tag != "time" and not _SR_ONLY_RE.search(c.get("class") or "")]
        # a heading is never small print, whatever its inner classes say
        texts = [clean_text(" ".join(_visible_text(c, skip_meta=True))) or (
            clean_text(" ".join(_visible_text(c))) if c.tag in _HEADING_TAGS else "")
            for c in children]
        with_text = [(c, t) for c, t in zip(children, texts) if t]
        if len(with_text) == 1:
            node = with_text[0][0]
            continue
        if any(c.tag in _INLINE for c, _ in with_text) and \
                not all(c.tag in ("span", "div", "p") or c.tag in _HEADING_TAGS
                        for c, _ in with_text):
            return []  # <b>, <em>, <a> inside a line of text
        return with_text
    return []


_INLINE = frozenset({"b", "strong", "em", "i", "u", "mark", "small", "sup", "sub", "a", "abbr",
                     "code", "q", "cite"})


#: a link text that opens with a label: "Read next: Headline", "Related | Headline"
_LABELLED_RE = re.compile(rf"(?:{RELATED_HEADING_RE.pattern})[^:|–—]{{0,20}}[:|–—]\s*\S",
                          re.IGNORECASE)


def _without_label(text: str) -> str:
    """``text`` without a leading "Read next:" label.

    >>> _without_label("Read next: Chips are back"), _without_label("Related stocks rise")
    ('Chips are back', 'Related stocks rise')
    """
    match = _LABELLED_RE.match(text)
    return text[match.end() - 1:].strip() if match else text


def _card_headline(a: etree._Element) -> str:
    """The heading of the small card around ``a`` (at most three levels up, and not past an
    element with links to two other pages: a heading in a list of cards is not this card's)."""
    node = a
    href = a.get("href")
    for _ in range(3):
        node = node.getparent()
        if node is None or node.tag in ("body", "html", "article", "main"):
            return ""
        if len({other.get("href") for other in node.iter("a")} - {href, None}) >= 2:
            return ""  # a list of cards, not this link's card (a card may link its section)
        for el in node.iter(*_HEADING_TAGS):
            text = clean_text(" ".join(_visible_text(el)))
            if text:
                return text
    return ""


#: class words of the small print around a headline: kicker, date, label, category
_META_CLASS = frozenset({
    "kicker", "overline", "eyebrow", "topline", "dachzeile", "roofline", "label", "date",
    "time", "timestamp", "meta", "category", "flag", "badge", "tag", "section", "byline",
    "author", "comments", "count", "duration", "sr", "only"})


def _visible_text(el: etree._Element, skip_meta: bool = False) -> list[str]:
    """Text of ``el`` without what is never shown (scripts, styles, screen-reader-only spans),
    and with ``skip_meta`` without kickers, dates and labels."""
    out = [el.text or ""] if el.tag not in _INVISIBLE else []
    for child in el:
        if isinstance(child.tag, str) and child.tag not in _INVISIBLE and \
                not _SR_ONLY_RE.search(child.get("class") or "") and \
                not (skip_meta and (child.tag == "time"
                                    or class_tokens(child.get("class") or "") & _META_CLASS)):
            out.extend(_visible_text(child, skip_meta))
        out.append(child.tail or "")
    return out


_SR_ONLY_RE = re.compile(
    r"\b(?:sr-only|screen-reader|visually-hidden|visuallyhidden|a11y|offscreen)",
    re.IGNORECASE)


@dataclass
class LinkCandidate:
    """One anchor to another page, with the block it sits in and its signals."""

    anchor: etree._Element
    url: str
    title: str
    #: the link-dense container of the anchor (the anchor itself when it stands alone)
    block: etree._Element
    block_heading: str
    #: the element just around the anchor in running text (an in-body callout's paragraph)
    paragraph: etree._Element | None
    features: dict[str, float] = field(default_factory=dict)


@dataclass
class _Stats:
    """Per-element text and link counts, computed bottom-up in one pass."""

    text: dict[etree._Element, int] = field(default_factory=dict)
    link_text: dict[etree._Element, int] = field(default_factory=dict)
    targets: dict[etree._Element, set[str]] = field(default_factory=dict)
    #: per parent: how many of its children with links have each (tag, class)
    shapes: dict[etree._Element, Counter[tuple[str, str | None]]] = field(default_factory=dict)
    #: where each element stands: in_nav, in_footer, hidden... (itself and its ancestors)
    context: dict[etree._Element, frozenset[str]] = field(default_factory=dict)
    order: dict[etree._Element, int] = field(default_factory=dict)
    #: the order of the last element of its subtree, where what an invisible element (script,
    #: svg...) holds is left out
    end: dict[etree._Element, int] = field(default_factory=dict)
    #: the order of the last element of its subtree, hidden or not (:func:`_last_of`, read
    #: only for the elements that need it)
    last: dict[etree._Element, int] = field(default_factory=dict)
    #: per element: the words of its class and id (:func:`_class_words`)
    class_words: dict[etree._Element, frozenset[str]] = field(default_factory=dict)


def _own_text(el: etree._Element) -> int:
    """Characters of ``el``'s own text and its children's tails (not of the children)."""
    n = len((el.text or "").strip())
    for child in el:
        n += len((child.tail or "").strip())
    return n


def _own_context(el: etree._Element) -> frozenset[str]:
    names = []
    name = _NAV_ROLES.get(el.get("role") or "") or _NAV_TAGS.get(el.tag)
    if name in ("in_header", "in_footer") and el.tag in ("header", "footer") and \
            any(anc.tag in _SECTIONING for anc in el.iterancestors()):
        name = None  # an article's or a section's own header or footer, not the page's
    if name:
        names.append(name)
    if _hidden(el):
        names.append("hidden")
    ident = el.get("id")
    if ident and class_tokens(ident) & _COMMENTS:
        names.append("in_comments")  # readers' comments: their links are the readers'
    return frozenset(names)


#: the id words of a page's comments section (its thread, readers' links)
_COMMENTS = frozenset({"comments", "comment", "kommentare", "commentaires", "comentarios",
                       "commenti", "disqus", "thread"})


def _measure(root: etree._Element) -> _Stats:
    """Text and link-text lengths, document order and extent of every element, in one walk
    from the last element to the first: each element adds its sums to its parent's (reading
    each element's children instead made an iterator per element and cost half as much again).
    """
    stats = _Stats()
    elements = list(root.iter(etree.Element))  # the parser keeps no comments or PIs
    count = len(elements)
    stats.order = dict(zip(elements, range(count)))
    text, link_text, end = stats.text, stats.link_text, stats.end
    # per parent, from the children seen so far (all of them once the parent's turn comes)
    child_text: dict[etree._Element, int] = {}
    child_links: dict[etree._Element, int] = {}
    child_end: dict[etree._Element, int] = {}
    index = count
    for el in reversed(elements):  # children before their parents
        index -= 1
        tag = el.tag
        if tag in _INVISIBLE:
            total = linked = 0
            ends = index  # its children count for nothing, nor do they extend it
        else:
            own = el.text
            total = (len(own.strip()) if own else 0) + child_text.get(el, 0)
            linked = total if tag == "a" else child_links.get(el, 0)
            ends = child_end.get(el, index)
        text[el], link_text[el], end[el] = total, linked, ends
        if not index:
            break  # the root: its parent and its tail are outside
        tail = el.tail
        if tail:
            total += len(tail.strip())
        parent = el.getparent()
        if parent in child_end:
            child_text[parent] += total
            child_links[parent] += linked
        else:  # the parent's last child
            child_text[parent], child_links[parent] = total, linked
            child_end[parent] = ends
    return stats


_NO_CONTEXT: frozenset[str] = frozenset()


def _context(el: etree._Element, stats: _Stats) -> frozenset[str]:
    """Where ``el`` stands (in_nav, in_footer, hidden...): its own and its ancestors' say."""
    known = stats.context
    found = known.get(el)
    if found is not None:
        return found
    # up to the nearest ancestor already placed, then down again (no recursion: a page's
    # anchors share most of their ancestors)
    chain = []
    node: etree._Element | None = el
    while node is not None:
        found = known.get(node)
        if found is not None:
            break
        chain.append(node)
        node = node.getparent()
    inherited = found if found is not None else _NO_CONTEXT
    for node in reversed(chain):
        if node.tag in _NAV_TAGS or not _CONTEXT_ATTRIBUTES.isdisjoint(node.keys()):
            own = _own_context(node)
            inherited = inherited | own if own else inherited
        known[node] = inherited
    return inherited


#: the attributes :func:`_own_context` reads (an element with none of them adds nothing)
_CONTEXT_ATTRIBUTES = frozenset({"role", "hidden", "style", "aria-hidden", "class", "id"})


def _main_container(root: etree._Element, stats: _Stats) -> etree._Element | None:
    """The element that holds the most article paragraphs directly (readability's idea), or,
    when that one holds less than half of the page's paragraph text (each paragraph wrapped
    in containers of its own), its nearest ancestor that holds half.

    >>> from aggregator.extraction.dom import parse_html
    >>> text = "A paragraph of the story, long enough to count as running text. " * 2
    >>> wrapped = "<section><div><p>" + text + "</p></div></section>"
    >>> page = parse_html("<body><div id='story'>" + wrapped * 4 + "</div></body>")
    >>> _main_container(page, _measure(page)).get("id")
    'story'
    """
    credit: Counter[etree._Element] = Counter()
    paragraphs: list[tuple[etree._Element, int]] = []
    for p in root.iter("p", "div", "li", "blockquote"):
        own = stats.text.get(p, 0) - stats.link_text.get(p, 0)
        if own >= LONG_PARAGRAPH and (p.tag == "p" or _own_text(p) >= LONG_PARAGRAPH):
            parent = p.getparent()
            if parent is not None:
                paragraphs.append((p, own))
                credit[parent] += own
                grand = parent.getparent()
                if grand is not None:
                    credit[grand] += own // 2
    if not credit:
        return None
    best = credit.most_common(1)[0][0]
    # paragraphs each wrapped in containers of their own ("<section><div><p>" per paragraph):
    # the element holding one of them is not the article's text; the one holding half is
    total = sum(own for _, own in paragraphs)
    while best.getparent() is not None and best.getparent().tag not in ("body", "html"):
        held = sum(own for p, own in paragraphs if _holds(best, p, stats))
        if 2 * held >= total:
            break
        best = best.getparent()
    return best


#: class names that hide an element on every screen ("hidden", "d-none", "u-js-hide",
#: "is-hidden"); a responsive one ("hidden-xs", "hidden md:block") hides it on some screens
#: only, and "overflow-hidden" hides nothing
_HIDDEN_CLASS_RE = re.compile(
    r"(?:^|\s)(?:(?:[a-z]{1,3}-){0,2}(?:hidden|hide|invisible)|d-none)(?=\s|$)")
_SHOWN_AT_RE = re.compile(r"(?:^|\s)(?:sm|md|lg|xl|2xl):(?:block|flex|grid|inline|table|contents)")


def _hidden(el: etree._Element) -> bool:
    """Whether ``el`` is hidden on every screen by its attributes (not by a stylesheet).

    ``aria-hidden`` is not: it hides from screen readers what is shown (a card's image link
    beside its title link).
    """
    if el.get("hidden") is not None:
        return True
    style = el.get("style")
    if style and ("none" in style or "hidden" in style) and _HIDDEN_STYLE_RE.search(style):
        return True
    cls = el.get("class")
    return bool(cls and ("hid" in cls or "none" in cls or "invisible" in cls)
                and _HIDDEN_CLASS_RE.search(cls) and not _SHOWN_AT_RE.search(cls))


#: elements that hold a block: one with no text between a heading and a block is the heading's
_CONTAINERS = frozenset({"div", "section", "aside", "ul", "ol", "nav", "article"})


def _heading_inside(block: etree._Element, first_anchor: etree._Element,
                    stats: _Stats | None = None) -> str:
    """The short text of ``block`` before its first link ("" when there is none); with
    ``stats``, "" when that text heads a section of its own without links (filled by a
    script): it names that section, not the block."""
    for el in block.iter():
        if el is first_anchor:
            break
        if not isinstance(el.tag, str) or el.tag in _INVISIBLE or el.tag == "a":
            continue
        if el.tag in _HEADING_TAGS and not (el.text or "").strip():
            label = linked_label(el)
            if label:
                return label  # <h2><a href="/markets/">More in Markets</a></h2> over the list
        text = clean_text(el.text)
        if text and len(text) <= MAX_HEADING and next(el.iterancestors("a"), None) is None:
            if stats is not None and _heads_empty_section(el, block, stats):
                return ""
            heading = next(el.iterancestors(*_HEADING_TAGS), None) \
                if el.tag in _INLINE or el.tag == "span" else None
            if heading is not None and heading is not block and heading.find(".//a") is None:
                el = heading  # <h2><strong>Today's</strong> Headlines</h2>: the whole heading
            return clean_text(" ".join(_visible_text(el)))[:MAX_HEADING]
    return ""


def _heads_empty_section(heading: etree._Element, block: etree._Element, stats: _Stats) -> bool:
    """Whether ``heading`` is the title of a section of ``block`` that holds no link but an
    empty container (<section><div>Read also</div><div class="content"></div></section>,
    filled by a script): it names that container, not the lists after it."""
    section = heading
    for anc in heading.iterancestors():
        if anc is block or stats.targets.get(anc):
            break
        section = anc
    if section is heading:
        return False
    return any(isinstance(el.tag, str) and el.tag in _CONTAINERS and stats.text.get(el, 0) == 0
               for el in section.iterdescendants())


def linked_label(el: etree._Element) -> str:
    """The text of a heading (``el`` an h1-h6 or holding one) that is one link and names a
    list -- ``<h2><a href="/markets/">More in Markets</a></h2>``, the list's own page -- or "".
    """
    heading = el if el.tag in _HEADING_TAGS else next(el.iter(*_HEADING_TAGS), None)
    if heading is None:
        return ""
    links = heading.findall(".//a")
    if len(links) != 1:
        return ""
    text = clean_text("".join(heading.itertext()))
    if not text or len(text) > MAX_HEADING or clean_text(links[0].text_content()) != text:
        return ""
    return text if RELATED_HEADING_RE.match(text) or POPULAR_HEADING_RE.match(text) else ""


def _heading_of(block: etree._Element, first_anchor: etree._Element, stats: _Stats) -> str:
    """The short text that names ``block``: inside it before its first link, or just before it."""
    inside = _heading_inside(block, first_anchor, stats)
    if inside:
        return inside
    node = block
    for _ in range(3):
        prev = node.getprevious()
        while prev is not None and (not isinstance(prev.tag, str) or prev.tag in _INVISIBLE
                                    or stats.text.get(prev, 0) == 0):
            if isinstance(prev.tag, str) and prev.tag in _CONTAINERS:
                return ""  # an empty container (filled by a script) owns the heading above it
            prev = prev.getprevious()
        if prev is not None:
            if stats.text.get(prev, 0) <= MAX_HEADING and stats.link_text.get(prev, 0) == 0:
                return clean_text(" ".join(_visible_text(prev)))
            if stats.text.get(prev, 0) <= MAX_HEADING:
                return linked_label(prev)
            return ""
        node = node.getparent()
        if node is None or (node.text or "").strip():
            return ""
    return ""


def _features_of_class(tokens: frozenset[str], prefix: str, out: dict[str, float]) -> None:
    for name, words in _CLASS_GROUPS.items():
        if tokens & words:
            out[prefix + name] = 1.0


_NAV_TAGS = {"nav": "in_nav", "header": "in_header", "footer": "in_footer", "aside": "in_aside",
             "form": "in_form", "figure": "in_figure", "table": "in_table"}
_NAV_ROLES = {"navigation": "in_nav", "banner": "in_header", "contentinfo": "in_footer",
              "complementary": "in_aside", "menu": "in_nav", "menubar": "in_nav"}
_HEADLINE_CLASS = frozenset({"title", "headline", "heading", "hed", "head"})
#: where no related link is: these anchors get no further signals
#: a <header> or <footer> inside one of these is that element's own, not the page's
_SECTIONING = frozenset({"article", "main", "section", "aside"})
_NEVER_RELATED = frozenset({"hidden", "in_nav", "in_header", "in_footer", "in_comments"})


def page_key(url: str) -> str:
    """A URL without its scheme, "www.", query, fragment and trailing slash: the page a link
    goes to, whatever its tracking parameters.

    >>> page_key("https://www.ex.com/2024/05/story/?_medium=widget#top")
    'ex.com/2024/05/story'
    """
    host, _, path = url.partition("://")[2].partition("#")[0].partition("?")[0].partition("/")
    return WWW_PREFIX_RE.sub("", host.lower()) + "/" + path.rstrip("/")


def link_candidates(root: etree._Element, url: str) -> list[LinkCandidate]:
    """Every anchor of ``root`` to another http(s) page, in page order, with its signals."""
    stats = _measure(root)
    page = absolute_url(url, "")
    base_el = root.find(".//base[@href]")
    base = document_base(url, base_el.get("href") if base_el is not None else None)
    anchors: list[tuple[etree._Element, str]] = []
    #: links to the page itself (with a query, "www." or not): a list holding one is the
    #: site's list of its stories (latest, most read), which a related block seldom is
    selves: list[etree._Element] = []
    itself = page_key(page)
    path = itself.partition("/")[2]
    for a in root.iter("a"):
        href = (a.get("href") or "").strip()
        if not href or href.startswith(("#", "javascript:", "mailto:", "tel:", "data:")):
            continue
        target = absolute_url(base, href)
        if target == page or (path and path in target and page_key(target) == itself):
            selves.append(a)
        elif target and target.startswith(("http:", "https:", "file:")):
            anchors.append((a, target))
    if not anchors:
        return []
    # distinct targets under every element (for groups and blocks)
    all_targets = stats.targets
    for a, target in anchors:
        el: etree._Element | None = a
        while el is not None:
            here = all_targets.get(el)
            if here is None:
                all_targets[el] = {target}
            elif target in here:
                break  # an earlier anchor to it under ``el``: every ancestor has it too
            else:
                here.add(target)
            el = el.getparent()
    main = _main_container(root, stats)
    topic = _topic_words(root, main)
    headline = {w for w in topic_words(_headline(root)) if len(w) >= 5 or _CJK_RE.search(w)}
    main_span = (stats.order[main], stats.end[main]) if main is not None else None
    blocks: dict[etree._Element, tuple[str, dict[str, float]]] = {}
    climbed: dict[etree._Element, etree._Element] = {}
    out = []
    for a, target in anchors:
        context = _context(a, stats)
        shape = url_shape(target, page)
        f: dict[str, float] = dict.fromkeys(context, 1.0)
        f["same_site"], f["url_home"], f["url_listing"] = shape.same_site, shape.home, shape.listing
        f["url_article"] = shape.article_like
        if context & _NEVER_RELATED or shape.home or shape.listing:
            # hidden, navigation, header, footer, or a home/section/tag/author page: no
            # related link, whatever its block says (see related.link_score)
            out.append(LinkCandidate(a, target, "", a, "", None, f))
            continue
        block = climbed.get(a.getparent())
        if block is None:
            block = climbed[a.getparent()] = _block_of(a, stats, main)
        own_card = False
        if block.tag in ("body", "html"):
            block = a
        elif main is not None and (block is main or _holds(block, main, stats)):
            # the article's text is this link's only group: the card around it, if any
            card = _card_of(a, block, stats)
            own_card, block = card is not block, card
        if block not in blocks:
            blocks[block] = _block_signals(block, a, stats, page, main)
            if selves and block is not a and any(_holds(block, s, stats) for s in selves):
                blocks[block][1]["block_has_self"] = 1.0
        heading, block_features = blocks[block]
        f.update(block_features)
        f["own_card"] = own_card
        if f.get("heading_section") and _section_words(target) & _section_words(page):
            f["url_in_section"] = 1.0  # filed under the section the heading names
        title = link_title(a, lines=False)
        if main_span is not None:
            order = stats.order[a]
            f["in_main"] = main_span[0] <= order <= main_span[1]
            f["after_main"] = order > main_span[1]
            if f["in_main"] and f.get("in_aside"):
                del f["in_aside"]  # an <aside> in the article's text is its box, not a sidebar
        words = word_count(title)
        f["title_words"] = float(words)
        f["title_headline"] = 4 <= words <= 25
        f["title_upper"] = len(title) > 12 and _mostly_upper(title)
        f["has_img"] = next(a.iter("img", "picture"), None) is not None
        f["heading_inside"] = next(a.iter(*_HEADING_TAGS), None) is not None
        if len(a) and _has_ad_label(a):
            f["ad_label"] = 1.0  # "Sponsored", "Anzeige": an ad in the list, not a suggestion
        labelled = next(a.iterancestors(*_HEADING_TAGS), None) if (
            RELATED_HEADING_RE.match(title) or POPULAR_HEADING_RE.match(title)) else None
        if (labelled is not None and linked_label(labelled)) or (
                heading and _repeats_heading(title, heading)
                and (f.get("heading_related") or f.get("heading_popular")
                     or f.get("heading_section"))):
            # the link of a list's heading, or its "see all" link: the list's own page
            f["heading_link"] = 1.0
        if "related" in (a.get("rel") or "").lower().split() or a.get("itemprop") == "relatedLink":
            f["rel_related"] = 1.0
        parent = a.getparent() if a.getparent() is not None else a
        paragraph = _paragraph_of(a)
        if paragraph is not None:
            _paragraph_signals(paragraph, a, stats, f)
        # the topic: related links share words with the article, site-wide lists do not
        words_here = topic_words(title)
        f["topic_overlap"] = len(words_here & topic) / len(words_here) if words_here else 0.0
        f["headline_overlap"] = bool(words_here & headline)
        if class_tokens(f"{a.get('class') or ''} {parent.get('class') or ''}")  \
                & _CLASS_GROUPS["class_related"]:
            f["anchor_class_related"] = 1.0  # <a class="relatedLink">
        # what the block's heading says comes first; its classes only when it says nothing
        f["named_related"] = bool(
            f.get("heading_related") or f.get("class_related") or f.get("region_heading_related")
            or f.get("rel_related") or f.get("anchor_class_related")) \
            and not (f.get("heading_popular") or f.get("class_popular")
                     or (f.get("class_top") and not f.get("heading_related")))
        # an in-body callout: a line that is one labelled link ("Read more: <a>"), a link line
        # after a label, or an all-caps headline line
        f["callout"] = words >= 4 and not f.get("in_aside") and bool(
            (f.get("para_label_related") and f.get("para_label_only"))
            or (f.get("para_all_link") and (
                f.get("prev_label_related") or f.get("para_label_related")
                or (f["title_upper"] and shape.same_site and not _DOCUMENT_RE.search(target))
                or _LABELLED_RE.match(title))))
        out.append(LinkCandidate(a, target, title, block, heading, paragraph,
                                 {k: float(v) for k, v in f.items() if v}))
    _block_aggregates(out)
    return out


def _repeats_heading(title: str, heading: str) -> bool:
    """Whether a link's ``title`` is its list's ``heading``, or the heading and a word or two
    ("Alle Superbike WSBK News" under "Superbike WSBK News": the list's "see all" link)."""
    title, heading = title.casefold(), heading.casefold()
    return title == heading or (len(heading.split()) >= 2 and heading in title
                                and len(title.split()) <= len(heading.split()) + 2)


def _paragraph_signals(paragraph: etree._Element, a: etree._Element, stats: _Stats,
                       f: dict[str, float]) -> None:
    """How the line around an anchor reads: all link, a label and a link, after a label."""
    text = stats.text.get(paragraph, 0)
    linked = stats.link_text.get(paragraph, 0)
    lead = clean_text(paragraph.text or "") or _text_before(paragraph, a)
    f["para_label_related"] = bool(lead) and bool(RELATED_HEADING_RE.match(lead))
    f["para_label_only"] = text - linked <= _MAX_LABEL
    f["para_all_link"] = bool(text) and linked / text >= 0.8
    prev = paragraph.getprevious()
    if prev is not None and isinstance(prev.tag, str) and \
            0 < stats.text.get(prev, 0) <= MAX_HEADING and stats.link_text.get(prev, 0) == 0:
        f["prev_label_related"] = bool(RELATED_HEADING_RE.match(clean_text(prev.text_content())))


#: the whole text of a label that marks a link as an advertisement (many languages)
_AD_LABEL_RE = re.compile(
    r"^\W*(?:sponsored|promoted|advertisement|advertorial|paid (?:post|content)|"
    r"partner content|anzeige|werbung|gesponsert|publicidad|patrocinado|publicit[ée]|"
    r"sponsoris[ée]|pubblicit[àa]|sponsorizzato|advertentie|gesponsord|reklama|reklame|"
    r"广告|廣告|広告|광고)\W*$", re.IGNORECASE)


def _has_ad_label(a: etree._Element) -> bool:
    """Whether an element of link ``a`` says only that it is an ad ("Sponsored")."""
    return any(isinstance(el.tag, str) and el.text and len(el.text) < 30
               and _AD_LABEL_RE.match(el.text) and not len(el)
               for el in a.iterdescendants())


def _text_before(paragraph: etree._Element, a: etree._Element) -> str:
    """The text of ``paragraph`` before its link ``a``, through wrappers and icons
    (<p><svg/><span>More: <a>..</a></span></p> says "More:")."""
    parts: list[str] = []
    hidden = 0  # inside an element never shown (an icon's <svg><title>)
    for event, el in etree.iterwalk(paragraph, events=("start", "end")):
        if el is a or len(parts) > _MAX_LABEL:
            break
        if event == "start":
            if el.tag in _INVISIBLE:
                hidden += 1
            elif not hidden:
                parts.append(el.text or "")
        else:
            if el.tag in _INVISIBLE:
                hidden -= 1
            if el is not paragraph and not hidden:
                parts.append(el.tail or "")
    return clean_text("".join(parts))


def _block_of(a: etree._Element, stats: _Stats, main: etree._Element | None) -> etree._Element:
    """The block of anchor ``a``: its group (the lowest ancestor with links to two or more
    pages), with the cards and heading around it (:func:`_climb`)."""
    group = a
    for el in a.iterancestors():
        group = el
        if len(stats.targets[el]) >= 2 or el.tag in ("body", "html"):
            break
    return _climb(group, stats, main)


#: a card is mostly its link: at least this share of its text is the link's
_CARD_LINK_SHARE = 0.6


def _card_of(a: etree._Element, group: etree._Element, stats: _Stats) -> etree._Element:
    """The card around link ``a`` inside ``group`` (the article's text): its largest
    ancestor below ``group`` that links only where ``a`` does and whose text is mostly the
    link's (<aside class="card"><a><img><h3>Headline</h3></a></aside> between the
    paragraphs); ``group`` when there is none (a link in a paragraph of running text)."""
    card = None
    for el in a.iterancestors():
        if el is group or len(stats.targets.get(el, ())) > 1:
            break
        text = stats.text.get(el, 0)
        if not text:
            continue  # the wrapper of a card's image
        if stats.link_text.get(el, 0) >= _CARD_LINK_SHARE * text:
            card = el
        else:
            break
    return card if card is not None and card.tag not in ("p", "li") else group


def _mostly_upper(text: str) -> bool:
    """Whether ``text`` is an all-caps headline: 90% of its letters upper case ("... AT THE
    AMAs"). Letters without case (CJK) are not upper case: a Japanese headline with a Latin
    abbreviation in it is not all caps.

    >>> _mostly_upper("TAYLOR SWIFT CLEARED TO PERFORM AT AMAs"), _mostly_upper("NHKの調査")
    (True, False)
    """
    letters = "".join(filter(str.isalpha, text))
    return bool(letters) and sum(map(str.isupper, letters)) >= _UPPER_SHARE * len(letters)


#: an all-caps headline has at least this share of its letters upper case
_UPPER_SHARE = 0.9


def word_count(text: str) -> int:
    """Words of ``text``, a CJK word counted as two characters (CJK text has no spaces).

    >>> word_count("Chip prices fall again"), word_count("メモリー価格が再び上昇")
    (4, 6)
    >>> word_count("भारत में नई चिप फैक्ट्री")  # vowel signs are marks, inside the word
    5
    """
    cjk = len(_CJK_RE.findall(text))
    return len(WORD_RE.findall(_CJK_RE.sub(" ", text))) + (cjk + 1) // 2


_CJK_RE = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af]")
#: words compared by their first letters only: a crude stem for every language
_STEM = 6


def topic_words(text: str) -> set[str]:
    """Content-bearing words of ``text``: words of 4+ letters, and character pairs of CJK text.

    >>> sorted(topic_words("The new chips are faster"))
    ['chips', 'faster']
    >>> sorted(topic_words("新しい半導体"))
    ['い半', 'しい', '半導', '導体', '新し']
    >>> sorted(topic_words("नई चिप फैक्ट्री का उद्घाटन"))
    ['उद्घाट', 'फैक्ट्']
    """
    text = text.casefold()
    words = {w[:_STEM] for w in LONG_WORD_RE.findall(text)}
    cjk = "".join(_CJK_RE.findall(text))
    if cjk:
        words = {w for w in words if not _CJK_RE.search(w)}
        words.update(cjk[i:i + 2] for i in range(len(cjk) - 1))
    return words


#: the article's topic is read from its title and its first this many characters
_TOPIC_CHARS = 3000


def _headline(root: etree._Element) -> str:
    parts = [root.findtext(".//title") or ""]
    for h1 in root.iter("h1"):
        parts.append("".join(h1.itertext()))
        break
    return " ".join(parts)


def _topic_words(root: etree._Element, main: etree._Element | None) -> set[str]:
    parts = [_headline(root)]
    if main is not None:
        parts.append(_visible_prefix(main, _TOPIC_CHARS))
    return topic_words(" ".join(parts))


def _visible_prefix(el: etree._Element, limit: int) -> str:
    """``" ".join(_visible_text(el))[:limit]``, reading no more of ``el`` than that needs
    (the article's first characters, not all of it)."""
    parts: list[str] = []
    size = -1  # the length of the parts joined by spaces
    for part in _iter_visible_text(el):
        parts.append(part)
        size += len(part) + 1
        if size >= limit:
            break
    return " ".join(parts)[:limit]


def _iter_visible_text(el: etree._Element) -> Iterator[str]:
    """The parts of :func:`_visible_text` (without ``skip_meta``), one at a time."""
    if el.tag not in _INVISIBLE:
        yield el.text or ""
    for child in el:
        if isinstance(child.tag, str) and child.tag not in _INVISIBLE and \
                not _SR_ONLY_RE.search(child.get("class") or ""):
            yield from _iter_visible_text(child)
        yield child.tail or ""


def _block_aggregates(cands: list[LinkCandidate]) -> None:
    """Signals of a block that need all its links: on the topic, reading like headlines."""
    by_block: dict[etree._Element, list[LinkCandidate]] = {}
    for cand in cands:
        if cand.title or cand.block is not cand.anchor:  # not screened out
            by_block.setdefault(cand.block, []).append(cand)
    for members in by_block.values():
        n = len(members)
        topical = sum(1.0 for c in members if c.features.get("topic_overlap", 0) >= 0.2) / n
        on_headline = sum(c.features.get("headline_overlap", 0.0) for c in members) / n
        headlines = sum(c.features.get("title_headline", 0.0) for c in members) / n
        own = sum(c.features.get("same_site", 0.0) for c in members) / n
        for cand in members:
            cand.features["block_topical_share"] = topical
            cand.features["block_headline_overlap"] = on_headline
            cand.features["block_headline_share"] = headlines
            cand.features["block_same_site_share"] = own


_DIGITS_RE = re.compile(r"\d+")


def block_signature(block: etree._Element) -> str:
    """What stays the same about a block from one page of a site to the next: its tag, class
    and id and those of two ancestors, digits left out (ids often number the page).

    >>> from lxml import html
    >>> box = html.fragment_fromstring(
    ...     '<div class="a"><section id="rel-123"><a>x</a></section></div>')
    >>> block_signature(box[0])
    'section#rel-/div.a'
    """
    parts = []
    node: etree._Element | None = block
    for _ in range(3):
        if node is None or node.tag in ("body", "html"):
            break
        cls, ident = node.get("class"), node.get("id")
        part = node.tag + (f"#{ident}" if ident else "") + (f".{cls}" if cls else "")
        parts.append(_DIGITS_RE.sub("", " ".join(part.split())))
        node = node.getparent()
    return "/".join(parts)


def _paragraph_of(a: etree._Element) -> etree._Element | None:
    for anc in a.iterancestors():
        if anc.tag in ("p", "li", "blockquote", "h2", "h3", "h4", "h5", "h6"):
            return anc
        if anc.tag in ("div", "section", "article", "body"):
            return anc if anc.tag == "div" else None
    return None


def _climb(group: etree._Element, stats: _Stats, main: etree._Element | None) -> etree._Element:
    """``group`` with what only names it: parents that add a heading and nothing else.

    A parent that adds links of its own joins another list (a sidebar of several blocks, a
    footer of several menus) and is not climbed into.
    """
    block = group
    for _ in range(_MAX_CLIMB):
        parent = _outer(block, main, stats)
        if parent is None:
            break
        if _same_shape_siblings(block, stats) >= 1 and not _headed_list(block, stats):
            block = parent  # one card of a list of cards: the list is the block
            continue
        extra = stats.text.get(parent, 0) - stats.text.get(block, 0)
        extra_targets = len(stats.targets.get(parent, ())) - len(stats.targets.get(block, ()))
        if extra > MAX_HEADING or extra_targets > 1:
            break
        if extra and block is not group and _named_inside(block):
            break  # named already: what the parent adds is another box's heading or a caption
        block = parent
    return block


#: labels of a host that are no site's name
_GENERIC_HOST_LABELS = frozenset({"www", "news", "edition", "mobile", "blog", "blogs", "home"})


@lru_cache(maxsize=1024)
def _site_names(page: str) -> frozenset[str]:
    """The names a site goes by, read from its host: "thesun" for www.thesun.co.uk."""
    labels = registrable_host(page).split(".")[:-1]
    return frozenset(label.replace("-", "") for label in labels
                     if len(label) >= 4 and label not in _GENERIC_HOST_LABELS)


def _names_site(heading: str, page: str) -> bool:
    """Whether ``heading`` is a related phrase and the site's own name, nothing else ("More
    from The Sun" on thesun.co.uk; not "More on the topic at Tagesspiegel Plus")."""
    match = RELATED_HEADING_RE.match(heading)
    if not page or match is None:
        return False
    rest = "".join(ch for ch in heading[match.end():].casefold() if ch.isalnum())
    host = "".join(ch for ch in registrable_host(page) if ch.isalnum())
    return bool(rest) and (rest in _site_names(page) or rest == host)


#: folder words of a URL that name no section
_NO_SECTION = frozenset({"news", "article", "articles", "story", "stories", "content", "index",
                         "amp", "detail", "details", "post", "posts", "blog", "item", "items",
                         "nachrichten", "noticias", "actualites", "notizie", "nieuws", "haber"})
#: a heading that names a section is short: "Superbike news", "More football"
_MAX_SECTION_HEADING_WORDS = 4


def _fold(text: str) -> str:
    """``text`` in lower case, its letters without accents and nothing but letters and
    digits, as a URL's folders spell words ("Fußball-News" -> "fussballnews")."""
    text = text.casefold().replace("ß", "ss").replace("ä", "ae").replace("ö", "oe") \
        .replace("ü", "ue")
    return "".join(ch for ch in unicodedata.normalize("NFKD", text) if ch.isalnum())


@lru_cache(maxsize=1024)
def _section_words(page: str) -> frozenset[str]:
    """The words of the sections a page's URL files it under: the words of its first two
    folders that are not a story's slug ("/superbike/news/2024/x" -> {"superbike"})."""
    path = page.partition("://")[2].partition("/")[2].partition("?")[0].partition("#")[0]
    words: set[str] = set()
    for folder in [s for s in path.split("/") if s][:-1][:2]:
        parts = [_fold(w) for w in re.split(r"[-_.]", folder) if w]
        if len(parts) > 2:
            continue  # a slug of several words, not a section's name
        words.update(w for w in parts if len(w) >= 4 and w.isalpha() and w not in _NO_SECTION)
    return frozenset(words)


def _names_section(heading: str, page: str) -> bool:
    """Whether ``heading`` is a short heading naming a section the page is filed under
    ("SPOR&SKOR HABERLERİ" on /sporskor/...; "Mehr Fußball-News" on /fussball/...)."""
    if not page or len(heading.split()) > _MAX_SECTION_HEADING_WORDS:
        return False
    sections = _section_words(page)
    if not sections:
        return False
    folded = _fold(heading)
    return any(word in folded for word in sections)


def _named_inside(block: etree._Element) -> bool:
    """Whether ``block`` has its own heading before its first link."""
    first = next((a for a in block.iter("a") if a.get("href")), None)
    return first is not None and bool(_heading_inside(block, first))


#: a list with its own heading has links to at least this many pages (a card has one or two)
_HEADED_LIST_LINKS = 3


def _headed_list(el: etree._Element, stats: _Stats) -> bool:
    """Whether ``el`` is a list of links under its own heading (one of several boxes of the
    same shape side by side, "Related" and "Most read"), not one card of a list of cards."""
    if len(stats.targets.get(el, ())) < _HEADED_LIST_LINKS:
        return False
    first = next((a for a in el.iter("a") if a.get("href")), None)
    if first is None or not _heading_inside(el, first):
        return False
    # a neighbour of the same shape with a heading of its own (the nearest ones only: a list
    # of a thousand cards is not read a thousand times)
    for sib in (el.getprevious(), el.getnext()):
        if sib is not None and sib.tag == el.tag and sib.get("class") == el.get("class"):
            other = next((a for a in sib.iter("a") if a.get("href")), None)
            if other is not None and _heading_inside(sib, other):
                return True
    return False


def _outer(el: etree._Element, main: etree._Element | None, stats: _Stats
           ) -> etree._Element | None:
    """The parent of ``el`` that a block may grow into: not the page, not the article's text."""
    parent = el.getparent()
    if parent is None or parent.tag in ("body", "html") or parent is main or (
            main is not None and _holds(parent, main, stats)):
        return None
    return parent


def _holds(outer: etree._Element, inner: etree._Element, stats: _Stats) -> bool:
    """Whether ``inner`` (an element of the measured tree) is a descendant of ``outer``: its
    place in document order within ``outer``'s subtree (a walk of the subtree cost a long
    one, the page's whole body, once for every step of every climb)."""
    start, at = stats.order.get(outer), stats.order.get(inner)
    if start is None or at is None:  # outside the measured tree
        return inner in outer.iterdescendants()
    return start < at <= _last_of(outer, stats)


def _last_of(el: etree._Element, stats: _Stats) -> int:
    """The order of the last element of ``el``'s subtree (down its last children)."""
    last = stats.last
    path = []
    node: etree._Element | None = el
    while node is not None:
        found = last.get(node)
        if found is not None:
            break
        path.append(node)
        found = stats.order[node]
        node = next(node.iterchildren(etree.Element, reversed=True), None)
    for node in path:
        last[node] = found
    return found


def _same_shape_siblings(el: etree._Element, stats: _Stats) -> int:
    """Siblings of ``el`` with its tag and class that hold links too (other cards of a list)."""
    if el.tag in ("a", "p", "span", "strong", "b", "em"):
        return 0
    parent = el.getparent()
    if parent is None:
        return 0
    shapes = stats.shapes.get(parent)
    if shapes is None:  # counted once per parent: a list of 1,000 cards is read once
        shapes = stats.shapes[parent] = Counter(
            (child.tag, child.get("class")) for child in parent.iterchildren(etree.Element)
            if child in stats.targets)
    return shapes[(el.tag, el.get("class"))] - 1


def _region(block: etree._Element, stats: _Stats, main: etree._Element | None) -> etree._Element:
    """The link-dense region around ``block`` (a sidebar, a footer, a box of several lists)."""
    region = block
    for _ in range(_MAX_CLIMB):
        parent = _outer(region, main, stats)
        if parent is None:
            break
        text = stats.text.get(parent, 0)
        links = stats.link_text.get(parent, 0)
        if text and links / text >= 0.5 and text - links < 1000:
            region = parent
        else:
            break
    return region


#: class words inside a block are read from at most this many elements before its first link
_MAX_INNER = 30


def _block_signals(
    block: etree._Element, first: etree._Element, stats: _Stats, page: str,
    main: etree._Element | None,
) -> tuple[str, dict[str, float]]:
    """The heading of ``block`` and its signals, with those of the region around it."""
    heading, f = _named(block, first, stats, page)
    if heading and _names_section(heading, page):
        f["heading_section"] = 1.0  # "Superbike news" on /superbike/...: more in its section
    targets = stats.targets.get(block, set())
    n = len(targets)
    f["block_links"] = float(n)  # pages it links to
    text = stats.text.get(block, 0)
    f["block_link_share"] = stats.link_text.get(block, 0) / text if text else 1.0
    if n:
        f["block_article_like"] = sum(url_shape(t, page).article_like for t in targets) / n
    if main is not None and block is not main and _holds(main, block, stats):
        f["block_in_main"] = 1.0
    if main is not None and (block is main or _holds(block, main, stats)):
        f["block_has_main"] = 1.0  # the article's own text: never a block to remove
    if _RANKED_LINKS[0] <= n <= _RANKED_LINKS[1] and not f.get("block_has_main") \
            and _ranked(block):
        f["block_ranked"] = 1.0  # numbered 1, 2, 3...: a ranking, the site's most read
    region = _region(block, stats, main)
    if region is not block:
        _, around = _named(region, first, stats, page)
        f.update({"region_" + k: v for k, v in around.items() if not k.startswith("inner_")})
    return heading, f


#: a ranking lists this many pages (fewer is no ranking, more a whole index)
_RANKED_LINKS = (3, 30)
_RANK_RE = re.compile(r"^\W*(\d{1,2})\W*$")


def _ranked(block: etree._Element) -> bool:
    """Whether ``block`` numbers its items 1, 2, 3... (a text of its own that is only the
    number, as "most read" rankings show them)."""
    expected = 1
    for el in block.iter():
        text = el.text
        if text and len(text) <= 6 and el.tag not in _INVISIBLE:
            match = _RANK_RE.match(text)
            if match and int(match.group(1)) == expected:
                expected += 1
                if expected > 3:
                    return True
    return False


def _named(block: etree._Element, first: etree._Element, stats: _Stats, page: str = ""
           ) -> tuple[str, dict[str, float]]:
    """What ``block`` is called: its heading's words and its (and its parents') class words."""
    heading = _heading_of(block, first, stats)
    f: dict[str, float] = {}
    if heading:
        f["headed"] = 1.0
        if RELATED_HEADING_RE.match(heading):
            f["heading_related"] = 1.0
        if POPULAR_HEADING_RE.match(heading) or SITE_WIDE_WORDS_RE.search(heading) or (
                f.get("heading_related") and _names_site(heading, page)):
            f["heading_popular"] = 1.0  # "More from <the site>" is the site's, not the topic's
    tokens: frozenset[str] = frozenset()
    node: etree._Element | None = block
    for _ in range(4):
        if node is None or node.tag in ("body", "html"):
            break
        tokens |= _class_words(node, stats)
        node = node.getparent()
    _features_of_class(tokens, "", f)
    inner: frozenset[str] = frozenset()
    everything = len(stats.targets.get(block, ()))
    for n, el in enumerate(block.iter()):
        if el is first or n > _MAX_INNER:
            break
        words = _class_words(el, stats)
        inner |= words
        if words and not _RELATED_CLASS.isdisjoint(words) and el is not block \
                and len(stats.targets.get(el, ())) == everything:
            f["class_related"] = 1.0  # a wrapper of the whole list classed related names it
    _features_of_class(inner - tokens, "inner_", f)
    if not any(name.startswith(("class_", "inner_class_")) for name in f):
        f["plain_block"] = 1.0  # no class or id names it: written by hand, not a template's
    return heading, f


def _class_words(el: etree._Element, stats: _Stats) -> frozenset[str]:
    """:func:`class_tokens` of ``el``'s class and id, once a page for each element (the
    blocks and regions of a page share their wrappers and first elements)."""
    words = stats.class_words.get(el)
    if words is None:
        words = stats.class_words[el] = class_tokens(
            f"{el.get('class') or ''} {el.get('id') or ''}")
    return words
