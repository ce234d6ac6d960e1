"""One page in, an :class:`~aggregator.items.Article` (or a :class:`PageInfo`) out: the
layers of :mod:`aggregator.extraction` in their order.

>>> page = b'''<html lang="en"><head><title>Chips are back | Wire</title>
... <meta property="og:type" content="article">
... <meta property="article:published_time" content="2023-04-12T09:30:00+08:00"></head>
... <body><article><h1>Chips are back</h1><p class="byline">By Ann Lee and Bo Chan</p>
... <p>''' + b"The chip market recovered this quarter, analysts said. " * 12 + b'''</p>
... </article></body></html>'''
>>> article = extract(page, "https://wire.example/2023/04/12/chips/")
>>> article.title, article.authors, article.published.isoformat(), article.date_sources
('Chips are back', ['Ann Lee', 'Bo Chan'], '2023-04-12T09:30:00+08:00', {'published': 'opengraph'})
>>> extract(b"", "https://wire.example/x")
PageInfo(url='https://wire.example/x', kind='empty', reason='https://wire.example/x: empty body')
"""


from __future__ import annotations

import logging

from lxml import etree

from ..items import Article, PageInfo, PageLinks
from .authors import find_authors
from .authors import clean_authors
from .body import extract_body, from_paragraphs
from .boilerplate import remove_boilerplate
from .dates import find_dates
from .decode import decode_body
from .dom import drop, parse_html, strip_inert
from .hydration import HydratedArticle, find_hydrated
from .fields import find_canonical, find_language, find_summary, find_tags, find_title
from .images import find_image
from .pagekind import classify, classify_body
from .related import TemplateStats, find_related
from .rules import SiteRules
from .structured import StructuredData, read_structured
from .text import content_hash
from ..urls import document_base

logger = logging.getLogger(__name__)


#: the hydration layer is consulted when the extracted text is shorter than this (or undated)
HYDRATION_BELOW_CHARS = 1500
#: ...and its text replaces the extracted one when it is this many times longer
HYDRATION_LONGER = 1.5


def _hydrated(tree: etree._Element, scripts: list[etree._Element], data: StructuredData,
              title: str) -> HydratedArticle | None:
    """The hydration blob's article (in the page's ``scripts``) when its title is the page's
    (not another story's)."""
    hint = title or data.first("og:title") or (tree.findtext(".//title") or "")
    holder = etree.Element("div")
    holder.extend(scripts)
    found = find_hydrated(holder, hint)
    if found is None or not hint:
        return found
    words = set(hint.casefold().split())
    shared = words & set(found.title.casefold().split())
    return found if len(shared) >= HYDRATION_TITLE_SHARE * len(words) else None


#: a hydration article is the page's when it has this share of the page title's words
HYDRATION_TITLE_SHARE = 0.5


def extract(
    body: bytes | str,
    url: str,
    *,
    rules: SiteRules | None = None,
    encoding: str | None = None,
    template: TemplateStats | None = None,
) -> Article | PageInfo:
    """The article on the page at ``url``, or a :class:`PageInfo` saying why there is none.

    ``body`` is the page as served (bytes, decoded with ``encoding`` -- the HTTP header's
    charset -- or the page's ``<meta charset>``) or already-decoded text. ``template`` is what
    a crawl learned of the source's other pages (:mod:`aggregator.template`). Never raises on
    bad input: empty, binary or unparseable pages give ``PageInfo(kind="empty"|"not_html")``.
    """
    decoded = decode_body(body, encoding)
    if decoded.problem:
        kind = "empty" if decoded.problem == "empty body" else "not_html"
        return PageInfo(url, kind, f"{url}: {decoded.problem}")
    tree = parse_html(decoded.text)
    if tree is None:
        return PageInfo(url, "not_html", f"{url}: no HTML markup found")
    if rules is not None:
        for name_el in rules.select(tree, "remove"):
            if hasattr(name_el, "getparent"):
                drop(name_el)
    data = read_structured(tree, url)
    info, signals = classify(tree, data, url)
    if info is not None:
        return info

    title = find_title(tree, data, rules)
    dates = find_dates(tree, data, rules)
    base = tree.find(".//base[@href]")
    # relative URLs in the page resolve against its <base href>
    image = find_image(tree, data, document_base(url, base.get("href") if base is not None
                                                 else None), rules)
    authors = find_authors(tree, data, rules)
    tags = find_tags(tree, data, rules)
    related = find_related(tree, url, data, rules, template)
    # the metadata and links are read: what is never shown goes before the body's many walks
    # (the scripts are kept for the hydration layer)
    scripts = strip_inert(tree)

    # what is not the article goes before the main-text extractor sees the page
    for block in [*related.blocks, *related.other_blocks]:
        drop(block)
    removed = remove_boilerplate(tree)
    logger.debug("%s: removed %d related blocks and %d boilerplate elements",
                 url, len(related.blocks), removed)
    article_body = data.article.get("articleBody") or data.microdata_article.get("articleBody")
    if isinstance(article_body, list):
        article_body = "\n".join(str(part) for part in article_body)
    body_out = extract_body(
        tree, url, title=title, rules=rules,
        article_body=article_body if isinstance(article_body, str) else "",
    )
    if body_out.method != "rule" and (len(body_out.text) < HYDRATION_BELOW_CHARS
                                      or dates.published is None):
        # little text, or no date: the page may be rendered from a hydration blob
        hydrated = _hydrated(tree, scripts, data, title)
        if hydrated is not None:
            if len(hydrated.text) > HYDRATION_LONGER * len(body_out.text):
                body_out = from_paragraphs(hydrated.paragraphs, "hydration")
            title = title or hydrated.title
            authors = authors or clean_authors(hydrated.authors)
            dates.offer("published", hydrated.published, "hydration")
            dates.offer("modified", hydrated.modified, "hydration")
    if not body_out.text:
        return PageInfo(url, "empty", f"{url}: no article text found")
    # a body chosen by a site rule is an article by the site's own definition
    info = None if body_out.method == "rule" else classify_body(signals, url, body_out.text)
    if info is not None:
        return info
    return Article(
        url=url,
        title=title,
        canonical_url=find_canonical(data, url),
        summary=find_summary(data, body_out.text),
        authors=authors,
        published=dates.published,
        modified=dates.modified,
        date_sources=dates.sources,
        body_text=body_out.text,
        body_html=body_out.html,
        image=image,
        tags=tags,
        language=find_language(tree, data, body_out.text),
        related=related.links,
        content_hash=content_hash(body_out.text),
        page_links=PageLinks(related.observed_links, related.observed_blocks)
        if template is not None else None,
    )
