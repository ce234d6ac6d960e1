"""Layer 3: the article's main text, by a site rule or by trafilatura.

trafilatura runs twice on the same tree, in precision and in balanced mode. The precision
result wins unless it lost much of what the balanced one found (then precision threw away
article text, not boilerplate). A long JSON-LD ``articleBody`` rescues a page where both come
back (nearly) empty.

>>> from aggregator.extraction.dom import parse_html
>>> page = parse_html("<html><body><article><h1>Title</h1>" + "<p>" + "Words of the body. " * 30
...                   + "</p></article></body></html>")
>>> body = extract_body(page, "https://example.com/a", title="Title")
>>> body.text.startswith("Words of the body."), body.html.startswith("<p>"), body.method
(True, True, 'trafilatura-precision')
"""

from __future__ import annotations

import logging
from copy import deepcopy
from dataclasses import dataclass

import trafilatura
from lxml import etree, html

from . import htmlout
from .rules import SiteRules
from .text import clean_text

logger = logging.getLogger(__name__)

#: precision mode is trusted when it kept at least this share of the balanced mode's text
PRECISION_MIN_SHARE = 0.5
#: a JSON-LD articleBody shorter than this is a teaser, not the body
MIN_ARTICLE_BODY = 400


@dataclass
class Body:
    """The body as text and HTML, and which method produced it."""

    text: str = ""
    html: str = ""
    method: str = ""


def _trafilatura(tree: etree._Element, url: str, precision: bool) -> html.HtmlElement | None:
    try:
        doc = trafilatura.bare_extraction(
            tree,
            url=url or None,
            with_metadata=False,
            include_comments=False,
            include_tables=True,
            include_formatting=True,
            include_links=False,
            favor_precision=precision,
            fast=True,
            # not "python": that also renders the text, which we never read
            output_format="xml",
        )
    except (ValueError, TypeError, AttributeError, RecursionError, etree.LxmlError) as exc:
        logger.warning("trafilatura failed on %s: %s", url, exc)
        return None
    if doc is None or doc.body is None:
        return None
    return htmlout.from_trafilatura(doc.body, url)


def _drop_title(root: html.HtmlElement, title: str) -> None:
    """Remove a leading heading that repeats the title."""
    wanted = clean_text(title).casefold()
    for el in list(root)[:2]:
        if el.tag in ("h1", "h2", "h3", "h4") and clean_text(el.text_content()).casefold() == wanted:
            el.drop_tree()
            return


def _from_rule(tree: etree._Element, rules: SiteRules) -> Body | None:
    selected = [el for el in rules.select(tree, "body") if isinstance(el, etree._Element)]
    if not selected:
        return None
    root = htmlout.from_element(selected)
    return Body(htmlout.to_text(root), htmlout.to_html(root), "rule")


def _from_article_body(article_body: str) -> Body:
    paragraphs = [clean_text(p) for p in article_body.replace("\r", "").split("\n")]
    paragraphs = [p for p in paragraphs if p]
    root = html.Element("div")
    for text in paragraphs:
        p = etree.SubElement(root, "p")
        p.text = text
    return Body("\n\n".join(paragraphs), htmlout.to_html(root), "jsonld")


def extract_body(
    tree: etree._Element,
    url: str,
    *,
    title: str = "",
    rules: SiteRules | None = None,
    article_body: str = "",
) -> Body:
    """The main text of ``tree`` (already cleaned of related blocks and boilerplate)."""
    if rules is not None and rules.body:
        body = _from_rule(tree, rules)
        if body is not None and body.text:
            return body
        logger.warning("body rule matched nothing on %s; using the generic extractor", url)
    precise = _trafilatura(tree, url, precision=True)
    balanced = _trafilatura(tree, url, precision=False)
    texts = {
        "precision": htmlout.to_text(precise) if precise is not None else "",
        "balanced": htmlout.to_text(balanced) if balanced is not None else "",
    }
    if texts["precision"] and len(texts["precision"]) >= PRECISION_MIN_SHARE * len(texts["balanced"]):
        root, method = precise, "trafilatura-precision"
    else:
        root, method = balanced, "trafilatura-balanced"
    if root is None or not htmlout.to_text(root):
        if len(article_body) >= MIN_ARTICLE_BODY:
            return _from_article_body(article_body)
        return Body(method="none")
    if title:
        _drop_title(root, title)
    return Body(htmlout.to_text(root), htmlout.to_html(root), method)


def copy_tree(tree: etree._Element) -> etree._Element:
    """A deep copy of ``tree`` that the cleaning steps may change."""
    return deepcopy(tree)
