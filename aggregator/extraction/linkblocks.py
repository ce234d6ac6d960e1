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
>>> links[2].features["heading_related"], links[2].features["class_related"], links[0].features["in_nav"]
(1.0, 1.0, 1.0)
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache
from urllib.parse import urldefrag, urljoin, urlsplit

from lxml import etree

from ..urls import registrable_host
from .text import clean_text
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


def class_tokens(value: str) -> frozenset[str]:
    """Lower-case words of a class or id value, camelCase and snake_case split.

    >>> sorted(class_tokens("relatedContent c-story__more_links"))
    ['c', 'content', 'links', 'more', 'related', 'story']
    """
    return frozenset(t.lower() for t in _TOKEN_SPLIT_RE.split(_CAMEL_RE.sub(" ", value)) if t)


#: class/id words, grouped by what they say about a container (English class names are the
#: norm in templates of every language; a few common non-English ones are added)
_CLASS_GROUPS: dict[str, frozenset[str]] = {
    "class_related": frozenset({
        "related", "relatedposts", "relatedarticles", "suggested", "suggestions", "recommended",
        "recommendation", "recommendations", "recommend", "readmore", "readnext", "similar",
        "moreon", "morefrom", "further", "also", "recirc", "recirculation", "outbrain", "taboola",
        "relacionadas", "relacionados", "correlati", "verwandte", "weitere", "lesetipp", "kanren",
        "teaser", "teasers"}),
    "class_popular": frozenset({
        "popular", "mostpopular", "mostread", "trending", "trends", "latest", "newest", "top",
        "topstories", "picks", "editors", "ranking", "meistgelesen", "hot", "breaking", "ticker"}),
    "class_nav": frozenset({
        "nav", "navbar", "navigation", "menu", "submenu", "megamenu", "breadcrumb", "breadcrumbs",
        "header", "masthead", "footer", "sitemap", "skip", "pagination", "pager", "tabs",
        "dropdown", "drawer", "sidebar", "widget", "tags", "tag", "topics", "categories",
        "category", "keywords", "sections"}),
    "class_share": frozenset({
        "share", "sharing", "social", "newsletter", "subscribe", "signup", "login", "comments",
        "comment", "author", "byline", "ad", "ads", "advert", "advertisement", "sponsored",
        "promo", "cookie", "consent", "paywall"}),
    "class_card": frozenset({
        "card", "cards", "teaser", "tile", "item", "items", "story", "stories", "post", "posts",
        "article", "articles", "list", "listing", "feed", "grid", "carousel", "slider"}),
    "class_body": frozenset({
        "body", "content", "entry", "text", "richtext", "prose", "articlebody", "storybody",
        "main"}),
}
_HIDDEN_STYLE_RE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.IGNORECASE)

#: path words of pages that list articles rather than being one (URL shape, not a site list)
_LISTING_PATH_WORDS = frozenset({
    "tag", "tags", "topic", "topics", "thema", "themen", "category", "categories", "categorie",
    "kategorie", "author", "authors", "autor", "autoren", "auteur", "writer", "profile", "people",
    "section", "sections", "ressort", "search", "suche", "recherche", "archive", "archives",
    "archiv", "page", "index", "about", "contact", "impressum", "login", "subscribe", "account",
    "newsletter", "newsletters", "feed", "rss", "help", "privacy", "terms", "jobs", "shop"})
_ARTICLE_EXT_RE = re.compile(r"\.(?:s?html?|php|aspx?|cms)$", re.IGNORECASE)
_NUMBER_RE = re.compile(r"\d{3,}")
_DATE_PATH_RE = re.compile(r"/(?:19|20)\d\d/(?:[01]?\d)(?:/|$)|/(?:19|20)\d\d-[01]\d-[0-3]\d")
_WORD_RE = re.compile(r"\w+")


@lru_cache(maxsize=8192)
def absolute_url(page: str, href: str) -> str:
    """``href`` made absolute against ``page``, without its fragment ("" when unusable)."""
    try:
        return urldefrag(urljoin(page, href))[0]
    except ValueError:
        return ""


@lru_cache(maxsize=8192)
def url_shape(url: str, page: str) -> tuple[float, ...]:
    """Signals of the target URL: (same site, home, listing word, segments, slug hyphens,
    number, date path, article extension, query)."""
    parts = urlsplit(url)
    segments = [s for s in parts.path.split("/") if s]
    last = segments[-1] if segments else ""
    same = registrable_host(url) == registrable_host(page)
    host, here = registrable_host(url), registrable_host(page)
    same = same or host.endswith("." + here) or here.endswith("." + host)
    listing = any(s.lower() in _LISTING_PATH_WORDS for s in segments[:-1] or segments[:1]) or \
        (len(segments) == 1 and last.count("-") < 2 and not _NUMBER_RE.search(last)
         and not _ARTICLE_EXT_RE.search(last))
    return (
        1.0 if same else 0.0,
        1.0 if not segments else 0.0,
        1.0 if listing else 0.0,
        min(len(segments), 6) / 6,
        min(last.count("-") + last.count("_"), 10) / 10,
        1.0 if _NUMBER_RE.search(parts.path) else 0.0,
        1.0 if _DATE_PATH_RE.search(parts.path) else 0.0,
        1.0 if _ARTICLE_EXT_RE.search(last) else 0.0,
        1.0 if parts.query else 0.0,
    )


def link_title(a: etree._Element) -> str:
    """The visible headline of a link.

    A heading inside it, else an element classed as its title, else its text without
    kickers, dates and screen-reader text, else an image's alt text. A generic label ("Read
    more", "Weiterlesen") gives way to the headline of the card around the link.

    >>> from lxml import html
    >>> link_title(html.fragment_fromstring('<a href="/x"><span class="kicker">Chips</span>'
    ...     '<span>The new chip is here</span><time>May 2</time></a>'))
    'The new chip is here'
    >>> card = html.fragment_fromstring('<div><h3>Chips are back</h3><a href="/x">Read more</a></div>')
    >>> link_title(card.find("a"))
    'Chips are back'
    """
    for el in a.iter(*_HEADING_TAGS):
        text = clean_text("".join(el.itertext()))
        if text:
            return text
    for el in a.iterdescendants():
        if isinstance(el.tag, str) and class_tokens(el.get("class") or "") & _HEADLINE_CLASS \
                and not class_tokens(el.get("class") or "") & _META_CLASS:
            text = clean_text(" ".join(_visible_text(el)))
            if len(text.split()) >= 2:
                return text
    text = clean_text(" ".join(_visible_text(a, skip_meta=True))) or \
        clean_text(" ".join(_visible_text(a)))
    if not text or (len(text.split()) <= 3 and RELATED_HEADING_RE.match(text)):
        card = _card_headline(a)
        if card:
            return card
    if text:
        return text
    img = next(a.iter("img"), None)
    return clean_text((img.get("alt") if img is not None else "") or a.get("title")
                      or a.get("aria-label"))


def _card_headline(a: etree._Element) -> str:
    """The heading of the small card around ``a`` (at most three levels up)."""
    node = a
    for _ in range(3):
        node = node.getparent()
        if node is None or node.tag in ("body", "html", "article", "main"):
            return ""
        for el in node.iter(*_HEADING_TAGS):
            text = clean_text("".join(el.itertext()))
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


_SR_ONLY_RE = re.compile(r"\b(?:sr-only|screen-reader|visually-hidden|visuallyhidden|a11y)",
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
    order: dict[etree._Element, int] = field(default_factory=dict)
    end: dict[etree._Element, int] = field(default_factory=dict)


def _own_text(el: etree._Element) -> int:
    """Characters of ``el``'s own text and its children's tails (not of the children)."""
    n = len((el.text or "").strip())
    for child in el:
        n += len((child.tail or "").strip())
    return n


def _measure(root: etree._Element) -> _Stats:
    stats = _Stats()
    elements = [el for el in root.iter() if isinstance(el.tag, str)]
    for i, el in enumerate(elements):
        stats.order[el] = i
    for el in reversed(elements):
        if el.tag in _INVISIBLE:
            stats.text[el] = stats.link_text[el] = 0
            stats.end[el] = stats.order[el]
            continue
        total, end = _own_text(el), stats.order[el]
        for child in el:
            if isinstance(child.tag, str):
                total += stats.text[child]
                end = max(end, stats.end[child])
        stats.text[el] = total
        stats.end[el] = end
        if el.tag == "a":
            stats.link_text[el] = total
        else:
            stats.link_text[el] = sum(stats.link_text[c] for c in el if isinstance(c.tag, str))
    return stats


def _main_container(root: etree._Element, stats: _Stats) -> etree._Element | None:
    """The element that holds the most article paragraphs directly (readability's idea)."""
    credit: Counter[etree._Element] = Counter()
    for p in root.iter("p", "div", "li", "blockquote"):
        own = stats.text.get(p, 0) - stats.link_text.get(p, 0)
        if own >= LONG_PARAGRAPH and (p.tag == "p" or _own_text(p) >= LONG_PARAGRAPH):
            parent = p.getparent()
            if parent is not None:
                credit[parent] += own
                grand = parent.getparent()
                if grand is not None:
                    credit[grand] += own // 2
    if not credit:
        return None
    return credit.most_common(1)[0][0]


#: class names that hide an element on every screen ("hidden", "d-none", "u-js-hide"); a
#: responsive one ("hidden-xs", "hidden md:block") hides it on some screens only
_HIDDEN_CLASS_RE = re.compile(
    r"(?:^|\s)(?:hidden|hide|d-none|is-hidden|invisible|[\w-]+-(?:hide|hidden))(?=\s|$)")
_SHOWN_AT_RE = re.compile(r"(?:^|\s)(?:sm|md|lg|xl|2xl):(?:block|flex|grid|inline|table|contents)")


def _hidden(el: etree._Element) -> bool:
    """Whether ``el`` is hidden on every screen by its attributes (not by a stylesheet)."""
    if el.get("hidden") is not None or el.get("aria-hidden") == "true":
        return True
    style = el.get("style")
    if style and _HIDDEN_STYLE_RE.search(style):
        return True
    cls = el.get("class")
    return bool(cls and _HIDDEN_CLASS_RE.search(cls) and not _SHOWN_AT_RE.search(cls))


def _heading_of(block: etree._Element, first_anchor: etree._Element, stats: _Stats) -> str:
    """The short text that names ``block``: inside it before its first link, or just before it."""
    for el in block.iter():
        if el is first_anchor:
            break
        if not isinstance(el.tag, str) or el.tag in _INVISIBLE or el.tag == "a":
            continue
        text = clean_text(el.text)
        if text and len(text) <= MAX_HEADING and next(el.iterancestors("a"), None) is None:
            return clean_text("".join(el.itertext()))[:MAX_HEADING]
    node = block
    for _ in range(3):
        prev = node.getprevious()
        while prev is not None and (not isinstance(prev.tag, str) or prev.tag in _INVISIBLE
                                    or stats.text.get(prev, 0) == 0):
            prev = prev.getprevious()
        if prev is not None:
            if stats.text.get(prev, 0) <= MAX_HEADING and stats.link_text.get(prev, 0) == 0:
                return clean_text("".join(prev.itertext()))
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


def link_candidates(root: etree._Element, url: str) -> list[LinkCandidate]:
    """Every anchor of ``root`` to another http(s) page, in page order, with its signals."""
    stats = _measure(root)
    page = absolute_url(url, "")
    anchors: list[tuple[etree._Element, str]] = []
    for a in root.iter("a"):
        href = (a.get("href") or "").strip()
        if not href or href.startswith(("#", "javascript:", "mailto:", "tel:", "data:")):
            continue
        target = absolute_url(url, href)
        if target and target != page and urlsplit(target).scheme in ("http", "https", "file"):
            anchors.append((a, target))
    if not anchors:
        return []
    # distinct targets under every element (for groups and blocks)
    for a, target in anchors:
        for el in (a, *a.iterancestors()):
            stats.targets.setdefault(el, set()).add(target)
    main = _main_container(root, stats)
    topic = _topic_words(root, main)
    headline = {w for w in topic_words(_headline(root)) if len(w) >= 5 or _CJK_RE.search(w)}
    page_section = _first_segment(page)
    main_start = stats.order[main] if main is not None else -1
    main_end = stats.end[main] if main is not None else -1
    total_elements = max(len(stats.order), 1)
    url_count = Counter(target for _, target in anchors)
    text_count = Counter(clean_text(a.text_content()).casefold() for a, _ in anchors)
    block_cache: dict[etree._Element, tuple[etree._Element, str, dict[str, float]]] = {}
    out = []
    for a, target in anchors:
        group = a
        for el in a.iterancestors():
            group = el
            if len(stats.targets[el]) >= 2 or el.tag in ("body", "html"):
                break
        block = _climb(group, stats, main)
        if block.tag in ("body", "html"):
            block = a
        cached = block_cache.get(block)
        if cached is None:
            cached = _block_signals(block, a, stats, page, main)
            region = _region(block, stats, main)
            if region is not block:
                _, region_heading, region_features = _block_signals(region, a, stats, page, main)
                cached[2].update({"region_" + k: v for k, v in region_features.items()
                                  if k.startswith(("heading", "class", "block_links"))})
            block_cache[block] = cached
        _, heading, block_features = cached
        title = link_title(a)
        f = dict(block_features)
        # where the anchor stands
        order = stats.order[a]
        f["position"] = order / total_elements
        if main is not None:
            inside = main_start <= order <= main_end
            f["in_main"] = 1.0 if inside else 0.0
            f["before_main"] = 1.0 if order < main_start else 0.0
            f["after_main"] = 1.0 if order > main_end else 0.0
        for anc in a.iterancestors():
            name = _NAV_TAGS.get(anc.tag) or _NAV_ROLES.get(anc.get("role") or "")
            if name:
                f[name] = 1.0
            if anc.tag in ("article", "main"):
                f["in_article_tag"] = 1.0
            if _hidden(anc):
                f["hidden"] = 1.0
            if anc is block:
                break
        for anc in block.iterancestors():
            name = _NAV_TAGS.get(anc.tag) or _NAV_ROLES.get(anc.get("role") or "")
            if name:
                f[name] = 1.0
            if _hidden(anc):
                f["hidden"] = 1.0
        # the anchor's own text
        words = word_count(title)
        f["title_words"] = min(words, 30) / 30
        f["title_1_3_words"] = 1.0 if 1 <= words <= 3 else 0.0
        f["title_headline"] = 1.0 if 4 <= words <= 25 else 0.0
        f["title_empty"] = 1.0 if words == 0 else 0.0
        f["title_upper"] = 1.0 if len(title) > 12 and title.upper() == title \
            and title.lower() != title else 0.0  # CJK text has no case
        f["title_related_word"] = 1.0 if RELATED_HEADING_RE.match(title) else 0.0
        f["has_img"] = 1.0 if next(a.iter("img", "picture"), None) is not None else 0.0
        f["heading_inside"] = 1.0 if next(a.iter(*_HEADING_TAGS), None) is not None else 0.0
        f["in_heading"] = 1.0 if any(anc.tag in _HEADING_TAGS for anc in a.iterancestors()) \
            else 0.0
        f["headline_class"] = 1.0 if any(
            class_tokens(el.get("class") or "") & _HEADLINE_CLASS
            for el in (a, *a.iterchildren(), a.getparent()) if el is not None) else 0.0
        f["repeated_url"] = min(url_count[target] - 1, 4) / 4
        f["repeated_text"] = 1.0 if text_count[clean_text(a.text_content()).casefold()] > 1 \
            and words else 0.0
        (f["same_site"], f["url_home"], f["url_listing"], f["url_segments"], f["url_slug"],
         f["url_number"], f["url_date"], f["url_ext"], f["url_query"]) = url_shape(target, page)
        # an anchor in running text: its paragraph and how much of it the links are
        paragraph = _paragraph_of(a)
        if paragraph is not None:
            text = stats.text.get(paragraph, 0)
            linked = stats.link_text.get(paragraph, 0)
            f["para_link_share"] = linked / text if text else 0.0
            f["para_long"] = 1.0 if text - linked >= LONG_PARAGRAPH else 0.0
            lead = clean_text(paragraph.text or "") or clean_text(
                "".join(paragraph[0].itertext()) if len(paragraph) and paragraph[0] is not a
                else "")
            f["para_label_related"] = 1.0 if lead and RELATED_HEADING_RE.match(lead) else 0.0
            f["para_label_only"] = 1.0 if text - linked <= _MAX_LABEL else 0.0
            f["para_one_link"] = 1.0 if len(stats.targets.get(paragraph, ())) == 1 else 0.0
            f["para_all_link"] = 1.0 if text and linked / text >= 0.8 else 0.0
            prev = paragraph.getprevious()
            if prev is not None and isinstance(prev.tag, str) and \
                    0 < stats.text.get(prev, 0) <= MAX_HEADING and \
                    stats.link_text.get(prev, 0) == 0:
                label = clean_text(prev.text_content())
                f["prev_label"] = 1.0
                f["prev_label_related"] = 1.0 if RELATED_HEADING_RE.match(label) else 0.0
                f["prev_label_upper"] = 1.0 if label.upper() == label else 0.0
        # the topic: related links share words with the article, site-wide lists do not
        words_here = topic_words(title)
        f["topic_overlap"] = len(words_here & topic) / len(words_here) if words_here else 0.0
        f["headline_overlap"] = 1.0 if words_here & headline else 0.0
        f["same_section"] = 1.0 if page_section and _first_segment(target) == page_section \
            else 0.0
        if "related" in (a.get("rel") or "").lower().split() or \
                a.get("itemprop") == "relatedLink":
            f["rel_related"] = 1.0
        f["named_related"] = 1.0 if (f.get("heading_related") or f.get("class_related")
                                     or f.get("region_heading_related")
                                     or f.get("rel_related")) \
            and not (f.get("heading_popular") or f.get("class_popular")) else 0.0
        # an in-body callout: a line that is one labelled link ("Read more: <a>"), a link line
        # after a label, or an all-caps headline line
        labelled = f.get("para_label_related") and f.get("para_label_only")
        f["callout"] = 1.0 if words >= 4 and (
            labelled or (f.get("para_all_link") and (
                f.get("prev_label_related") or f.get("para_label_related")
                or f.get("title_upper")))) else 0.0
        out.append(LinkCandidate(a, target, title, block, heading, paragraph, f))
    _block_aggregates(out)
    return out


def word_count(text: str) -> int:
    """Words of ``text``, a CJK word counted as two characters (CJK text has no spaces).

    >>> word_count("Chip prices fall again"), word_count("メモリー価格が再び上昇")
    (4, 6)
    """
    cjk = len(_CJK_RE.findall(text))
    return len(_WORD_RE.findall(_CJK_RE.sub(" ", text))) + (cjk + 1) // 2


_CJK_RE = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af]")
_LONG_WORD_RE = re.compile(r"[^\W\d_]{4,}")
#: words compared by their first letters only: a crude stem for every language
_STEM = 6


def topic_words(text: str) -> set[str]:
    """Content-bearing words of ``text``: words of 4+ letters, and character pairs of CJK text.

    >>> sorted(topic_words("The new chips are faster"))
    ['chips', 'faster']
    >>> sorted(topic_words("新しい半導体"))
    ['い半', 'しい', '半導', '導体', '新し']
    """
    text = text.casefold()
    words = {w[:_STEM] for w in _LONG_WORD_RE.findall(text)}
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
        parts.append(" ".join(_visible_text(main))[:_TOPIC_CHARS])
    return topic_words(" ".join(parts))


def _first_segment(url: str) -> str:
    segments = [s for s in urlsplit(url).path.split("/") if s]
    return segments[0].lower() if len(segments) > 1 else ""


def _block_aggregates(cands: list[LinkCandidate]) -> None:
    """Signals of a block that need all its links: topic overlap, headline share, siblings."""
    by_block: dict[etree._Element, list[LinkCandidate]] = {}
    for cand in cands:
        by_block.setdefault(cand.block, []).append(cand)
    signatures = Counter(_signature(block) for block in by_block)
    for block, members in by_block.items():
        n = len(members)
        overlap = sum(c.features["topic_overlap"] for c in members) / n
        topical = sum(1.0 for c in members if c.features["topic_overlap"] >= 0.2) / n
        on_headline = sum(c.features["headline_overlap"] for c in members) / n
        headlines = sum(c.features["title_headline"] for c in members) / n
        same_section = sum(c.features["same_section"] for c in members) / n
        repeats = min(signatures[_signature(block)] - 1, 5) / 5
        for cand in members:
            cand.features["block_topic_overlap"] = overlap
            cand.features["block_topical_share"] = topical
            cand.features["block_headline_overlap"] = on_headline
            cand.features["block_headline_share"] = headlines
            cand.features["block_same_section"] = same_section
            cand.features["block_repeats"] = repeats


def _signature(block: etree._Element) -> str:
    return f"{block.tag}.{block.get('class') or ''}"


_DIGITS_RE = re.compile(r"\d+")


def block_signature(block: etree._Element) -> str:
    """What stays the same about a block from one page of a site to the next: its tag, class
    and id and those of two ancestors, digits left out (ids often number the page).

    >>> from lxml import html
    >>> box = html.fragment_fromstring('<div class="a"><section id="rel-123"><a>x</a></section></div>')
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
        parent = block.getparent()
        if parent is None or parent.tag in ("body", "html") or parent is main:
            break
        if main is not None and main in parent.iterdescendants():
            break
        if _same_shape_siblings(block, stats) >= 1:
            block = parent  # one card of a list of cards: the list is the block
            continue
        extra = stats.text.get(parent, 0) - stats.text.get(block, 0)
        extra_targets = len(stats.targets.get(parent, ())) - len(stats.targets.get(block, ()))
        if extra > MAX_HEADING or extra_targets > 1:
            break
        block = parent
    return block


def _same_shape_siblings(el: etree._Element, stats: _Stats) -> int:
    """Siblings of ``el`` with its tag and class that hold links too (other cards of a list)."""
    if el.tag in ("a", "p", "span", "strong", "b", "em"):
        return 0
    cls = el.get("class")
    n = 0
    for sib in el.itersiblings():
        if sib.tag == el.tag and sib.get("class") == cls and sib in stats.targets:
            n += 1
    for sib in el.itersiblings(preceding=True):
        if sib.tag == el.tag and sib.get("class") == cls and sib in stats.targets:
            n += 1
    return n


def _region(block: etree._Element, stats: _Stats, main: etree._Element | None) -> etree._Element:
    """The link-dense region around ``block`` (a sidebar, a footer, a box of several lists)."""
    region = block
    for _ in range(_MAX_CLIMB):
        parent = region.getparent()
        if parent is None or parent.tag in ("body", "html") or parent is main:
            break
        if main is not None and main in parent.iterdescendants():
            break
        text = stats.text.get(parent, 0)
        links = stats.link_text.get(parent, 0)
        if text and links / text >= 0.5 and text - links < 1000:
            region = parent
        else:
            break
    return region


def _block_signals(
    block: etree._Element, first: etree._Element, stats: _Stats, page: str,
    main: etree._Element | None,
) -> tuple[etree._Element, str, dict[str, float]]:
    heading = _heading_of(block, first, stats)
    f: dict[str, float] = {}
    if heading:
        f["has_heading"] = 1.0
        if RELATED_HEADING_RE.match(heading):
            f["heading_related"] = 1.0
        if POPULAR_HEADING_RE.match(heading) or SITE_WIDE_WORDS_RE.search(heading):
            f["heading_popular"] = 1.0
        if heading.endswith(":"):
            f["heading_colon"] = 1.0
    targets = stats.targets.get(block, set())
    n = len(targets)
    f["block_links"] = min(math.log1p(n) / math.log(50), 1.0)
    f["block_single"] = 1.0 if n <= 1 else 0.0
    f["block_big"] = 1.0 if n > 15 else 0.0
    text = stats.text.get(block, 0)
    f["block_link_share"] = stats.link_text.get(block, 0) / text if text else 1.0
    if n:
        shapes = [url_shape(t, page) for t in targets]
        f["block_same_site"] = sum(s[0] for s in shapes) / n
        f["block_listing"] = sum(s[2] or s[1] for s in shapes) / n
        f["block_article_like"] = sum(1.0 for s in shapes if (s[4] >= 0.2 or s[5] or s[6] or s[7])
                                      and not s[2] and not s[1]) / n
        f["block_text_per_link"] = min(stats.link_text.get(block, 0) / n / 100, 1.0)
    tokens: frozenset[str] = frozenset()
    node: etree._Element | None = block
    for _ in range(4):
        if node is None or node.tag in ("body", "html"):
            break
        tokens |= class_tokens(f"{node.get('class') or ''} {node.get('id') or ''}")
        node = node.getparent()
    _features_of_class(tokens, "", f)
    inner: frozenset[str] = frozenset()
    for el in block.iter():
        if el is first:
            break
        inner |= class_tokens(f"{el.get('class') or ''} {el.get('id') or ''}")
    _features_of_class(inner - tokens, "inner_", f)
    if main is not None and block is not main and main in block.iterancestors():
        f["block_in_main"] = 1.0
    return block, heading, f
