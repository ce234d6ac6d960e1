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

import copy
import logging
import re
from dataclasses import dataclass

import trafilatura
from trafilatura.settings import Extractor
from lxml import etree, html

from . import htmlout
from .edges import trim_edges
from .dates import is_dateline
from .dom import drop
from .words import MAX_PHOTO_CREDIT, PHOTO_CREDIT_RE
from .rules import SiteRules
from .text import clean_text
from ..urls import document_base

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


#: trafilatura's options, made once per mode: making them per call read the local time zone
#: for a date limit that only its metadata extraction (off here) uses, ~0.3 ms a call
_OPTIONS = {
    precision: Extractor(
        output_format="xml",  # not "python": that also renders the text, which we never read
        fast=True,
        precision=precision,
        comments=False,
        formatting=True,
        links=False,
        tables=True,
        with_metadata=False,
        date_params={"original_date": True},
    )
    for precision in (True, False)
}


def _trafilatura(tree: etree._Element, url: str, precision: bool) -> html.HtmlElement | None:
    options = copy.copy(_OPTIONS[precision])
    options.url = options.source = url or None
    try:
        doc = trafilatura.bare_extraction(tree, options=options)
    except (ValueError, TypeError, AttributeError, RecursionError, etree.LxmlError) as exc:
        logger.warning("trafilatura failed on %s: %s", url, exc)
        return None
    if doc is None or doc.body is None:
        return None
    return htmlout.from_trafilatura(doc.body, url)


_PARAGRAPHS = ("p", "li", "blockquote", "h2", "h3", "h4", "td")
_WORDS_RE = re.compile(r"\w+")
#: words that must agree at each end of a paragraph for two versions to be the same paragraph
_EDGE_WORDS = 4


def _complete_paragraphs(precise: html.HtmlElement, balanced: html.HtmlElement) -> int:
    """Give the precision run's paragraphs the words the balanced run kept inside them.

    Precision mode also prunes inline elements (a ``<span class="link">`` around a linked
    phrase) out of paragraphs it keeps. A balanced paragraph with the same first and last words
    and more in between is the complete version of the same paragraph: it replaces the
    precise one. Returns how many were replaced.
    """
    complete: dict[tuple[str, ...], list[tuple[int, html.HtmlElement, list[str]]]] = {}
    for position, el in enumerate(balanced.iter(_PARAGRAPHS)):
        words = _WORDS_RE.findall("".join(el.itertext()))
        if len(words) > _EDGE_WORDS:
            complete.setdefault(tuple(words[:_EDGE_WORDS]), []).append((position, el, words))
    replaced = 0
    # the two runs keep paragraphs in page order: a match never goes back (templated
    # paragraphs that start and end alike must pair with their own counterpart)
    last = -1
    for el in list(precise.iter(_PARAGRAPHS)):
        words = _WORDS_RE.findall("".join(el.itertext()))
        if len(words) < _EDGE_WORDS:
            continue
        candidates = [c for c in complete.get(tuple(words[:_EDGE_WORDS]), ()) if c[0] > last]
        if not candidates:
            continue
        position, other, other_words = candidates[0]
        last = position
        if (other.tag == el.tag and len(words) < len(other_words) <= 2 * len(words)
                and other_words[-_EDGE_WORDS:] == words[-_EDGE_WORDS:]
                and _is_subsequence(words, other_words)
                and not any(o.tag in _PARAGRAPHS for o in other.iterdescendants())):
            other.tail = el.tail
            el.getparent().replace(el, other)
            replaced += 1
    return replaced


_PROSE = etree.XPath("//p[string-length(normalize-space()) >= 100]")
#: long text nodes outside ``<p>``: running text written in ``<div>``s or ``<span>``s
_LONG_TEXTS = etree.XPath(
    "//body//text()[string-length(normalize-space()) >= 100]"
    "[not(ancestor::p or ancestor::script or ancestor::style or ancestor::noscript"
    " or ancestor::template or ancestor::textarea)]")
#: inline elements: their text belongs to the block around them
_INLINE = frozenset({"a", "span", "em", "strong", "b", "i", "u", "mark", "small", "sup", "sub",
                     "font", "abbr", "cite", "q", "time", "code"})


def _prose(tree: etree._Element) -> list[tuple[etree._Element, list[str]]]:
    """The page's running text with its words: its long ``<p>`` elements, and the blocks
    (the nearest non-inline element) of long text nodes that are in no ``<p>`` -- sites that
    write paragraphs as ``<div>``s."""
    blocks: dict[etree._Element, None] = dict.fromkeys(_PROSE(tree))
    for node in _LONG_TEXTS(tree):
        el = node.getparent()
        while el is not None and el.tag in _INLINE:
            el = el.getparent()
        if el is not None and el.tag not in ("body", "html"):
            blocks[el] = None
    # page order, and no block inside another (its words are counted once)
    ordered = [el for el in tree.iter() if el in blocks]
    chosen = set(ordered)
    ordered = [el for el in ordered if not any(a in chosen for a in el.iterancestors())]
    return [(el, _WORDS_RE.findall("".join(el.itertext()))) for el in ordered]


def _precision_in_doubt(prose: list[tuple[etree._Element, list[str]]], precise_text: str) -> bool:
    """Whether the balanced run could add anything to the precision run's text.

    It can when precision kept less than PRECISION_MIN_SHARE of the page's running text (the
    long ``<p>`` elements), or cut words out of a paragraph it kept (the paragraph's opening and
    its last words are there, the whole of it is not: what :func:`_complete_paragraphs` mends).
    Otherwise the second run is skipped: it is most of the cost. A paragraph whose opening is
    kept but not its end was cut or joined to another, and the balanced run never completes it.

    >>> from aggregator.extraction.dom import parse_html
    >>> page = parse_html("<body><div><p>A live blog teaser.</p></div>"
    ...                   + "<div class='text'>" + "Words of the article. " * 20 + "</div>" * 3)
    >>> _precision_in_doubt(_prose(page), "A live blog teaser.")
    True
    >>> first = "Officials said on Tuesday that the plan would be put to a vote in May. " * 4
    >>> caption = "The mayor of the city, who first proposed the plan two years ago, at the town hall on Monday."
    >>> page = parse_html(f"<body><article><p>{first}</p><p>{caption} Photo: Ann Lee</p>")
    >>> _precision_in_doubt(_prose(page), first + caption)  # its credit is not the article's
    False
    >>> _precision_in_doubt(_prose(page), first.replace(" put to", "") + caption + " Photo: Ann Lee")
    True
    """
    if not precise_text:
        return True
    kept = " ".join(_WORDS_RE.findall(precise_text))
    total = found = 0
    for _, words in prose:
        joined = " ".join(words)
        total += len(joined)
        if joined in kept:
            found += len(joined)
        else:
            start = kept.find(" ".join(words[:_EDGE_WORDS * 2]))
            if start >= 0 and kept.find(" ".join(words[-_EDGE_WORDS:]), start) >= 0:
                return True  # the paragraph's opening and end are there, words between are not
    return found < PRECISION_MIN_SHARE * total


#: a body chunk is at most this many levels above the paragraph found in it
_CHUNK_LEVELS = 6
_CHUNK_BLOCKS = ("p", "h2", "h3", "h4", "ul", "ol", "blockquote", "table")


def _continue_chunks(
    prose: list[tuple[etree._Element, list[str]]], root: html.HtmlElement, text: str
) -> int:
    """Add the article text of the body's sibling chunks that the extractor left out.

    Sites split a long body into repeated containers (same tag and class) around ads; the
    extractor may keep only the first. From the last extracted paragraph, find its container
    with same-kind siblings; the running text of the following ones is the rest of the body.
    Returns how many blocks were added.
    """
    kept = " ".join(_WORDS_RE.findall(text))
    anchor = None
    for p, words in prose:
        if " ".join(words) in kept:
            anchor = p
    if anchor is None:
        return 0
    chunk = anchor
    for _ in range(_CHUNK_LEVELS):
        chunk = chunk.getparent()
        if chunk is None or chunk.tag in ("body", "html"):
            return 0
        if not chunk.get("class"):
            continue
        key = (chunk.tag, chunk.get("class"))
        followers = [sib for sib in chunk.itersiblings() if (sib.tag, sib.get("class")) == key]
        added = _append_running_text(followers, root, kept)
        if added:
            return added
        # the same-class siblings at this level held no running text (ad slots between
        # paragraphs): the repeated chunk may be further up
    return 0


def _append_running_text(chunks: list[etree._Element], root: html.HtmlElement, kept: str) -> int:
    """Append to ``root`` the blocks of ``chunks`` not in ``kept``, for each chunk that has
    running text (a long ``<p>``); how many blocks were added."""
    added = 0
    for sibling in chunks:
        blocks = [el for el in sibling.iter(_CHUNK_BLOCKS)
                  if not any(a.tag in _CHUNK_BLOCKS for a in el.iterancestors())]
        new = []
        for el in blocks:
            words = " ".join(_WORDS_RE.findall("".join(el.itertext())))
            if words and words not in kept:
                new.append(el)
        if not any(el.tag == "p" and len("".join(el.itertext())) >= 100 for el in new):
            continue  # not running text: an ad, a card, a caption
        for el in htmlout.from_element(new):
            root.append(el)
            added += 1
    return added


def _is_subsequence(short: list[str], long: list[str]) -> bool:
    """Whether ``long`` is ``short`` with words inserted (and none changed or removed)."""
    remaining = iter(long)
    return all(word in remaining for word in short)


#: the declared articleBody is the article's full text when it has this share of our 4-word shingles
DECLARED_AGREEMENT = 0.8
#: a block is not the declared article's when less than this share of its shingles are in it
FOREIGN_SHARE = 0.5
_TRIMMABLE = frozenset({"p", "h2", "h3", "h4", "blockquote", "div", "span"})
#: a paragraph inside the body that is missing from the declared text goes up to this length
DECLARED_INNER_MAX_WORDS = 25


def _shingles(words: list[str]) -> set[tuple[str, ...]]:
    if len(words) < 4:
        return {tuple(words)} if words else set()
    return {tuple(words[i:i + 4]) for i in range(len(words) - 3)}


def _trim_to_declared(root: html.HtmlElement, article_body: str) -> int:
    """Drop leading and trailing blocks that the page's own ``articleBody`` does not contain,
    and short paragraphs between them that it does not contain either (captions, credits).

    Only when the declared text is this article in full (it holds most of what we extracted):
    then a block at either end with none of its words in it -- a dek, a caption, a reprint
    notice, a "write to" line, a copyright -- is the page's, not the article's.
    """
    declared_words = _WORDS_RE.findall(article_body.casefold())
    declared = _shingles(declared_words)
    declared_text = " ".join(declared_words)
    blocks = [el for el in root if isinstance(el.tag, str)]
    block_words = [_WORDS_RE.findall("".join(el.itertext()).casefold()) for el in blocks]
    ours = set().union(*(_shingles(w) for w in block_words)) if blocks else set()
    if not ours or len(ours & declared) < DECLARED_AGREEMENT * len(ours):
        return 0

    def foreign(index: int) -> bool:
        words = block_words[index]
        # tables and lists are often left out of (or flattened in) the declared text
        if not words or blocks[index].tag not in _TRIMMABLE:
            return False
        if len(words) < 4:
            return f" {' '.join(words)} " not in f" {declared_text} "
        own = _shingles(words)
        return len(own & declared) < FOREIGN_SHARE * len(own)

    # leading run, then trailing run
    leading = []
    for index in range(len(blocks)):
        if not foreign(index):
            break
        leading.append(index)
    trailing = []
    for index in range(len(blocks) - 1, -1, -1):
        if index in leading or not foreign(index):
            break
        trailing.append(index)
    # inside: a short paragraph the declared text does not have is a caption, a credit or a
    # label between the paragraphs (subheadings stay: declared texts often leave them out)
    inner = [index for index in range(len(blocks))
             if index not in leading and index not in trailing
             and blocks[index].tag in ("p", "div", "span") and foreign(index)
             and len(block_words[index]) <= DECLARED_INNER_MAX_WORDS]
    for index in leading + trailing + inner:
        blocks[index].drop_tree()
    return len(leading) + len(trailing) + len(inner)


#: a leading heading repeats the title when one's words hold the other's and this share more
TITLE_OVERLAP = 0.75


def _drop_title(root: html.HtmlElement, title: str) -> None:
    """Remove a leading heading that repeats the title (give or take a word or the punctuation)."""
    wanted = _WORDS_RE.findall(title.casefold())
    if not wanted:
        return
    for el in list(root)[:2]:
        if el.tag not in ("h1", "h2", "h3", "h4"):
            continue
        words = _WORDS_RE.findall(el.text_content().casefold())
        short, long = sorted((words, wanted), key=len)
        if short and len(short) >= TITLE_OVERLAP * len(long) and _is_subsequence(short, long):
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
    return from_paragraphs([p for p in paragraphs if p], "jsonld")


def from_paragraphs(paragraphs: list[str], method: str) -> Body:
    """A body made of plain paragraphs (a declared ``articleBody``, a hydration blob's text)."""
    root = html.Element("div")
    for text in paragraphs:
        p = etree.SubElement(root, "p")
        p.text = text
    return Body("\n\n".join(paragraphs), htmlout.to_html(root), method)


#: page furniture that trafilatura deletes before it reads a page, whatever its focus
_FURNITURE = ("nav", "footer", "aside", "button", "select", "audio", "video", "canvas", "map",
              "object", "embed")


def _drop_furniture(tree: etree._Element) -> None:
    """Remove the menus, footers, asides and controls that trafilatura would take out of its
    own copies of the tree: half the elements of a news page, walked by every XPath it runs
    before that and copied three times, and by our own walks after it. And the image widgets
    that are not ``<figure>`` elements (:func:`_image_widgets`), whose captions it would keep.

    >>> from aggregator.extraction.dom import parse_html
    >>> page = parse_html("<body><nav><a href='/'>Home</a></nav><article><p>Text.</p>"
    ...                   "<aside>Box</aside></article><footer>(c)</footer></body>")
    >>> _drop_furniture(page)
    >>> html.tostring(page, encoding="unicode")
    '<html><body><article><p>Text.</p></article></body></html>'
    """
    for el in list(tree.iter(_FURNITURE)):
        if el.getparent() is not None:
            drop(el)
    for box in _image_widgets(tree):
        if box.getparent() is not None:
            drop(box)


#: an image widget (a picture, its caption and credit) is at most this many levels above its
#: credit line and has at most this much text
_WIDGET_LEVELS, _WIDGET_MAX_TEXT = 3, 600


def _image_widgets(tree: etree._Element) -> list[etree._Element]:
    """The containers of a picture, its caption and its credit line ("Image: Ann Lee") that
    are not ``<figure>`` elements: the nearest ancestor of the credit line (up to
    _WIDGET_LEVELS up) holding an ``<img>``, with little text and no heading. trafilatura
    keeps their captions as paragraphs of the article.

    >>> from aggregator.extraction.dom import parse_html
    >>> page = parse_html("<body><article><p>Text of the article.</p><div class='w'><img src='a.jpg'>"
    ...                   "<p>Readers at the fair.</p><p>Image: Ann Lee</p></div></article></body>")
    >>> [box.get("class") for box in _image_widgets(page)]
    ['w']
    """
    found = []
    for el in tree.iter("p", "span", "div", "small", "figcaption"):
        text = el.text
        if not text or not PHOTO_CREDIT_RE.match(text.lstrip()):
            continue
        text = clean_text(el.text_content())
        if len(text) > MAX_PHOTO_CREDIT or not PHOTO_CREDIT_RE.match(text):
            continue
        box = el
        for _ in range(_WIDGET_LEVELS):
            box = box.getparent()
            if box is None or box.tag in ("body", "html", "article", "main"):
                break
            if next(box.iter("img", "picture"), None) is not None:
                if len(clean_text(box.text_content())) <= _WIDGET_MAX_TEXT \
                        and next(box.iter("h1", "h2", "h3"), None) is None:
                    found.append(box)
                break
    return found


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
    _drop_furniture(tree)
    precise = _trafilatura(tree, url, precision=True)
    texts = {"precision": htmlout.to_text(precise) if precise is not None else "", "balanced": ""}
    balanced = None
    prose = _prose(tree)
    if _precision_in_doubt(prose, texts["precision"]):
        balanced = _trafilatura(tree, url, precision=False)
        texts["balanced"] = htmlout.to_text(balanced) if balanced is not None else ""
    kept_share = PRECISION_MIN_SHARE * len(texts["balanced"])
    if texts["precision"] and len(texts["precision"]) >= kept_share:
        root, method = precise, "trafilatura-precision"
        if balanced is not None:
            _complete_paragraphs(precise, balanced)
    else:
        root, method = balanced, "trafilatura-balanced"
    if root is None or not texts[method.rsplit("-", 1)[1]]:
        if len(article_body) >= MIN_ARTICLE_BODY:
            return _from_article_body(article_body)
        return Body(method="none")
    added = _continue_chunks(prose, root, texts[method.rsplit("-", 1)[1]])
    if added:
        logger.debug("%s: %d paragraphs added from the body's sibling chunks", url, added)
    if title:
        _drop_title(root, title)
    base = tree.find(".//base[@href]")
    htmlout.restore_links(root, htmlout.page_links(tree, within="".join(root.itertext())),
                          document_base(url, base.get("href") if base is not None else None))
    trimmed = trim_edges(root) + _drop_datelines(root) + _drop_credit_lines(root)
    if trimmed:
        logger.debug("%s: %d page blocks trimmed at the edges of the body", url, trimmed)
    text = htmlout.to_text(root)
    if len(article_body) >= MIN_ARTICLE_BODY:
        if _declared_holds_more(article_body, text):
            logger.debug("%s: the declared articleBody has most of the article we missed", url)
            return _from_article_body(article_body)
        trimmed = _trim_to_declared(root, article_body)
        if trimmed:
            logger.debug("%s: %d edge blocks not in the declared articleBody trimmed", url, trimmed)
            text = htmlout.to_text(root)
    return Body(text, htmlout.to_html(root), method)


def _drop_credit_lines(root: html.HtmlElement) -> int:
    """Drop the blocks of the body that are a picture's credit line ("Image: Ann Lee"),
    wherever they are: an image widget's caption the extractor kept between paragraphs."""
    doomed = [el for el in root if isinstance(el.tag, str) and el.tag in ("p", "div", "span")
              and len(text := clean_text(el.text_content())) <= MAX_PHOTO_CREDIT
              and PHOTO_CREDIT_RE.match(text)]
    for el in doomed:
        el.drop_tree()
    return len(doomed)


def _drop_datelines(root: html.HtmlElement) -> int:
    """Drop a first or last block of the body that is only a date: the dateline the page
    shows above or below the article, which the extractor took for a paragraph."""
    dropped = 0
    for index in (0, -1):
        blocks = [el for el in root if isinstance(el.tag, str)]
        if len(blocks) > 1 and blocks[index].tag in ("p", "div", "span") \
                and is_dateline(clean_text(blocks[index].text_content())):
            blocks[index].drop_tree()
            dropped += 1
    return dropped


#: the declared articleBody replaces the extraction when the extraction has less than this
#: share of its 4-word shingles and it is this many times longer
DECLARED_MISSED_SHARE, DECLARED_LONGER = 0.5, 1.5


def _declared_holds_more(article_body: str, text: str) -> bool:
    """Whether the extraction missed most of a declared ``articleBody`` that is much longer:
    the extractor took a teaser, a box or another story; the page's own text is the article.

    >>> _declared_holds_more("Chips are back in force this year. " * 30, "Live: markets today.")
    True
    >>> _declared_holds_more("Chips are back in force this year. " * 30,
    ...                      "Chips are back in force this year. " * 28 + "Photo: AP")
    False
    """
    if len(article_body) < DECLARED_LONGER * len(text):
        return False  # (the cheap test first: most declared texts are no longer than ours)
    declared = _shingles(_WORDS_RE.findall(article_body.casefold()))
    if not declared:
        return False
    ours = _shingles(_WORDS_RE.findall(text.casefold()))
    return len(declared & ours) < DECLARED_MISSED_SHARE * len(declared)
