"""Parse decoded HTML into an lxml tree that every layer reads, never raising.

>>> tree = parse_html("<p>Hello <b>world</b></p>")
>>> tree.tag, tree.findtext(".//b")
('html', 'world')
>>> parse_html("   ") is None
True
"""

from __future__ import annotations

import logging
import re
from html.parser import HTMLParser
from typing import NamedTuple

from lxml import etree, html

logger = logging.getLogger(__name__)

#: one parser for all pages: comments and processing instructions never matter to us
_PARSER = html.HTMLParser(
    encoding="utf-8", remove_comments=True, remove_pis=True, huge_tree=True, default_doctype=False
)
# lxml.html picks each element's class in Python (FormElement, InputElement...) every time an
# element is touched; one C-level default class does the same job for reading articles and
# makes every tree walk (ours, trafilatura's, extruct's) cheaper
_PARSER.set_element_class_lookup(etree.ElementDefaultClassLookup(
    element=html.HtmlElement, comment=html.HtmlComment, pi=html.HtmlProcessingInstruction,
    entity=html.HtmlEntity,
))
#: deeper than this, a DOM is an attack or a broken generator; libraries that recurse over the
#: tree (extruct, trafilatura) would hit Python's recursion limit, so the excess is flattened
MAX_DEPTH = 250


#: C0 controls other than tab, newline and carriage return (and DEL): parse errors in HTML,
#: forbidden in XML; trafilatura's XML tree refuses them and then finds no text at all
#: (a form feed is whitespace in HTML: it becomes a space)
_CONTROLS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]+")
_CONTROL_BYTES = bytes(range(0, 9)) + b"\x0b\x0c" + bytes(range(14, 32)) + b"\x7f"


def parse_html(text: str) -> html.HtmlElement | None:
    """The ``<html>`` element of ``text``, or None when it holds no markup at all."""
    if not text or not text.strip():
        return None
    data = text.encode("utf-8", errors="replace")
    # any control character? deleting them from the bytes is the fastest test (~0.4 µs/KB,
    # six times a regex search over the text); the copy without them is made only when needed
    if len(data.translate(None, _CONTROL_BYTES)) != len(data):
        text = _CONTROLS.sub(lambda m: " " if "\x0c" in m.group() else "", text)
        if not text.strip():
            return None
        data = text.encode("utf-8", errors="replace")
    tree = _parse(data)
    if tree is not None and any("Excessive depth" in e.message for e in _PARSER.error_log):
        # libxml2 stops at 2048 levels whatever huge_tree says, losing the rest of the page
        logger.debug("DOM deeper than libxml2 parses; re-parsing with the excess unwrapped")
        tree = _parse(_shallow(text, MAX_DEPTH).encode("utf-8", errors="replace"))
    if tree is None:
        return None
    _flatten_deep(tree)
    return tree


def _parse(data: bytes) -> html.HtmlElement | None:
    try:
        return html.document_fromstring(data, parser=_PARSER)
    except (etree.ParserError, ValueError) as exc:
        logger.debug("unparseable HTML: %s", exc)
        return None


_VOID = frozenset("area base br col embed hr img input link meta source track wbr".split())


class _Shallow(HTMLParser):
    """Re-emits HTML without the tags nested deeper than ``max_depth`` (their text kept)."""

    def __init__(self, max_depth: int) -> None:
        super().__init__(convert_charrefs=False)
        self.max_depth, self.depth, self.out = max_depth, 0, []

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag not in _VOID:
            self.depth += 1
        if self.depth <= self.max_depth:
            self.out.append(self.get_starttag_text() or "")

    def handle_startendtag(self, tag: str, attrs: list) -> None:
        self.out.append(self.get_starttag_text() or "")

    def handle_endtag(self, tag: str) -> None:
        if tag in _VOID:
            return
        if self.depth <= self.max_depth:
            self.out.append(f"</{tag}>")
        self.depth = max(0, self.depth - 1)

    def handle_data(self, data: str) -> None:
        self.out.append(data)

    def handle_entityref(self, name: str) -> None:
        self.out.append(f"&{name};")

    def handle_charref(self, name: str) -> None:
        self.out.append(f"&#{name};")

    def handle_decl(self, decl: str) -> None:
        self.out.append(f"<!{decl}>")


def _shallow(text: str, max_depth: int) -> str:
    """``text`` with no element deeper than ``max_depth`` (Python's own tokenizer has no
    depth limit).

    >>> _shallow("<div><div><div><p>deep</p></div></div></div><br>", 2)
    '<div><div>deep</div></div><br>'
    """
    parser = _Shallow(max_depth)
    parser.feed(text)
    parser.close()
    return "".join(parser.out)


#: elements at depth MAX_DEPTH (the <html> element is at depth 0) that have children
_TOO_DEEP = etree.XPath("/" + "/".join(["*"] * (MAX_DEPTH + 1)) + "[*]")


def _flatten_deep(tree: etree._Element) -> None:
    """Unwrap elements nested deeper than MAX_DEPTH, keeping their text."""
    too_deep = _TOO_DEEP(tree)
    for el in too_deep:
        text = " ".join(t for t in el.itertext() if t and t.strip())
        for child in list(el):
            el.remove(child)
        el.text = text
    if too_deep:
        logger.debug("flattened %d subtrees nested deeper than %d", len(too_deep), MAX_DEPTH)


def drop(el: etree._Element) -> None:
    """Remove ``el`` from its tree, keeping the text that follows it."""
    if el.getparent() is None:
        return
    if isinstance(el, html.HtmlElement):
        el.drop_tree()
    else:
        parent = el.getparent()
        parent.remove(el)


#: never a boilerplate or related block, whatever their class says
_NEVER_BLOCKS = frozenset({"html", "body", "article", "main"})


#: per pattern, whether it matched a class or id value (a site's pages repeat their class
#: names); a dict of its own per pattern: an lru_cache keyed by the pattern hashed the
#: compiled pattern's code on every look-up (1.5 µs, ~2 ms a page)
_MATCHED: dict[re.Pattern[str], dict[str, bool]] = {}
_MATCHED_MAX = 65536


class Classed(NamedTuple):
    """What :func:`classed` finds in its one walk."""

    #: elements whose class or id matches the pattern (never html/body/article/main)
    matched: list[etree._Element]
    #: elements with one of the attribute values asked for
    marked: list[etree._Element]
    #: elements whose own first text is short and starts as the ``starts`` pattern says
    starting: list[etree._Element]


def classed(
    tree: etree._Element, regex: re.Pattern[str], marks: tuple[tuple[str, str], ...] = (),
    starts: re.Pattern[str] | None = None,
) -> Classed:
    """Elements (in page order) whose class or id matches ``regex``, never html/body/article/main;
    and, in the same walk, the elements (any tag) with one of the attribute values ``marks``
    and those whose own text (under 200 characters) ``starts`` matches.

    One walk over the elements; a class or id value is matched once per process, since a
    site's pages repeat their class names.

    >>> page = parse_html('<div class="ad-slot">x</div><div aria-hidden="true">yes</div>')
    >>> found = classed(page, re.compile("ad-slot"), (("aria-hidden", "true"),), re.compile("ye"))
    >>> [el.text for el in found.matched], [el.text for el in found.marked], len(found.starting)
    (['x'], ['yes'], 1)
    """
    memo = _MATCHED.setdefault(regex, {})
    if len(memo) > _MATCHED_MAX:
        memo.clear()
    found: list[etree._Element] = []
    extra: list[etree._Element] = []
    starting: list[etree._Element] = []
    for el in tree.iter(etree.Element):
        for name, wanted in marks:
            if el.get(name) == wanted:
                extra.append(el)
                break
        if starts is not None:
            text = el.text
            # as the XPath //text()[string-length() < 200][string-length(normalize-space()) > 1]
            if text and len(text) < 200 and starts.match(text.lstrip()) \
                    and len(" ".join(text.split())) > 1:
                starting.append(el)
        for value in (el.get("class"), el.get("id")):  # el.attrib costs twice as much
            if not value:
                continue
            matched = memo.get(value)
            if matched is None:
                matched = memo[value] = regex.search(value) is not None
            if matched:
                if el.tag not in _NEVER_BLOCKS:
                    found.append(el)
                break
    return Classed(found, extra, starting)


_SHORT_TEXTS = etree.XPath("//text()[string-length() < 200][string-length(normalize-space()) > 1]")


def elements_starting_with(
    tree: etree._Element, regex: re.Pattern[str], max_len: int, levels: int = 3,
    seeds: list[etree._Element] | None = None,
) -> list[etree._Element]:
    """Elements (page order) whose whole text, under ``max_len`` chars, matches ``regex``.

    Found from the page's short text nodes (one XPath pass, or ``seeds``: the elements whose
    own text :func:`classed` found matching): the element holding a matching text and up to
    ``levels - 1`` of its ancestors, as long as their text still matches.
    """
    from .text import clean_text

    if seeds is None:
        seeds = [value.getparent() for value in _SHORT_TEXTS(tree)
                 if value.is_text and regex.match(value.lstrip())]
    found: dict[etree._Element, None] = {}
    for el in seeds:
        for _ in range(levels):
            if el is None or el.tag in _NEVER_BLOCKS:
                break
            text = clean_text("".join(el.itertext()))
            if len(text) >= max_len or not regex.match(text):
                break
            found[el] = None
            el = el.getparent()
    return list(found)


#: elements no layer after the metadata reads: never shown, and trafilatura deletes them first
_INERT = ("script", "style", "noscript", "svg", "iframe", "link", "meta")


def strip_inert(tree: etree._Element) -> list[etree._Element]:
    """Remove what is never shown (scripts, styles, SVG drawings, ``<noscript>``, frames, the
    head's ``<meta>``/``<link>``) once the metadata has been read; returns the removed
    ``<script>`` elements, whose data a later layer may still read.

    Every layer after the metadata walks the whole tree, and trafilatura copies it three
    times before deleting these same elements: a fifth of the nodes of a news page.

    >>> tree = parse_html('<html><head><title>T</title><meta name="x" content="y">'
    ...                   '<script>var a;</script></head><body><p>Hi<svg><path/></svg> there'
    ...                   '<script type="application/json">{}</script></p></body></html>')
    >>> [s.get("type") for s in strip_inert(tree)]
    [None, 'application/json']
    >>> html.tostring(tree, encoding="unicode")
    '<html><head><title>T</title></head><body><p>Hi there</p></body></html>'
    """
    scripts = []
    for el in list(tree.iter(*_INERT)):
        if el.tag == "script":
            scripts.append(el)
        drop(el)
    return scripts
