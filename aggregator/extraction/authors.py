"""Author names: found in rules, JSON-LD, microdata, meta or the byline, then split and cleaned.

>>> clean_authors(["By Jane Doe and John Roe"])
['Jane Doe', 'John Roe']
>>> clean_authors(["A. Smith, B. Jones & C. Wu", "jdoe@x.com (Jane Doe)", "Staff Reporter"])
['A. Smith', 'B. Jones', 'C. Wu', 'Jane Doe', 'Staff Reporter']
>>> clean_authors(["von Dr. Max Kolter og Kari Nordmann (kno)", "Foto: Ann Lee", "Name *"])
['Dr. Max Kolter', 'Kari Nordmann']
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
#: between names: commas, "and" in several languages (the short ones only in lower case:
#: "e", "y", "i", "a", "og", "och", "ve", "ja", "en", "и"), and a full stop after a word
#: ("Jane Doe. Wire Service"), not after an initial ("A. Smith")
_SPLIT_RE = re.compile(
    r"\s*(?:,|;|&|\band\b|\bund\b|\bet\b|\|)\s*|\s(?-i:e|y|i|a|og|och|ve|ja|en|и)\s+"
    r"|(?<=[^\W\d_]{2})\.\s+",
    re.IGNORECASE)
_HANDLE_RE = re.compile(r"^@\w+$")
_TRAILING_BY_RE = re.compile(r"(?:^|\s+)(?:by|por|von|par|door)$", re.IGNORECASE)
#: a place after a name of two or more words: "in London", "aus Berlin", "à Paris"
_FROM_PLACE_RE = re.compile(
    r"^(?P<name>\S+(?:\s+\S+)+?)\s+(?:in|aus|à|from)\s+"
    r"(?-i:[A-ZÀ-Þ])[\w.'-]*(?:\s+(?-i:[A-ZÀ-Þ])[\w.'-]*)?$")
_TITLE_ABBREVIATION_RE = re.compile(r"\b(Dr|Prof|Mr|Mrs|Ms|Mag|Dipl|Ing|St|Sr|Jr)\.\s+")
#: a short code after a name: "Elena Oberholzer (obe)", "Jane Doe (Reuters)"
_PAREN_RE = re.compile(r"\s*\([^()]{1,20}\)")
#: an image credit or a copyright line is not an author
_CREDIT_RE = re.compile(r"©|\(c\)|[*=<>{}\[\]]|^(?:photos?|fotos?|bild|image|credit|quelle|source)\b", re.I)
#: the label of a byline on its own ("Von", "By"), left when the names are in other nodes
_BY_WORD_RE = re.compile(r"^(?:by|por|von|par|door|di|de|av|af|od|tekst|text)$", re.I)
#: a class naming an author or byline element, as a word of its own or a BEM / camelCase part
#: ("article__author", "authors__list-item", "AuthorList", "c-byline", "article__writer");
#: custom elements too
_BYLINE_CLASS_RE = re.compile(
    r"(?:^|[\s_-]|(?<=[a-z]))"
    r"(?:[Aa]uthors?(?:name)?|AUTHORS?|[Bb]yline|[Aa]utor(?:en)?|[Aa]uteurs?|(?<![a-z])writer|Writer)"
    r"(?:$|[\s_-]|(?=[A-Z]))")
#: parts of an author element that hold something else than the names
_NOT_NAMES_CLASS_RE = re.compile(
    r"(?:bio|image|img|avatar|photo|picture|pic|role|description|desc|social|follow|more|date"
    r"|time|box|wrapper|container|card|brand|logo|identifier|function|position|job)(?:$|[\s_-])",
    re.I)
#: short text nodes: among them, the label that opens a byline ("By", "Von", "Par"...)
#: a byline's label alone ("By") or a byline on its own ("von Katja Belousova") is this short
_SHORT_TEXT_XPATH = etree.XPath("//body//text()[string-length(normalize-space()) <= 60]")
_BY_LABELS = frozenset({"by", "por", "von", "par", "door", "di"})


def _by_texts(short: list[Any]) -> list[Any]:
    """Text nodes that are a byline's opening label alone ("By", "Por", "Von", any case)."""
    return [t for t in short if t.strip().casefold() in _BY_LABELS]


#: meta keys that carry author names, in the order they are trusted
_AUTHOR_META_KEYS = ("author", "article:author", "og:article:author", "parsely-author",
                     "sailthru.author", "cxenseparse:author", "dc.creator", "dcterms.creator",
                     "byl")


#: other meta keys naming the author ("articleAuthor", "author_name"), not its page or picture
_AUTHOR_META_KEY_RE = re.compile(r"author(?:s|_?name)?$")
_NOT_AUTHOR_META_KEY_RE = re.compile(r"url|link|image|img|photo|email|twitter|facebook|fb:")
#: meta keys that write a person "Family, Given" by convention (Dublin Core, Highwire)
_FAMILY_FIRST_META_KEYS = frozenset({"citation_author", "dc.creator", "dcterms.creator"})


def _meta_authors(data: StructuredData) -> list[str]:
    """Author values of the page's meta tags: the known keys in the order they are trusted,
    then any other key that names an author; "Family, Given" turned round where that is
    the key's convention."""
    keys = [*_AUTHOR_META_KEYS, *sorted(
        k for k in data.meta if k not in _AUTHOR_META_KEYS and _AUTHOR_META_KEY_RE.search(k)
        and not _NOT_AUTHOR_META_KEY_RE.search(k))]
    values = []
    for key in keys:
        for value in data.all(key):
            match = _FAMILY_GIVEN_RE.match(value.strip())
            if key in _FAMILY_FIRST_META_KEYS and match and not _SPLIT_WORDS_RE.search(value):
                value = f"{match.group('given')} {match.group('family')}"
            values.append(value)
    return values


#: a byline inside a form or a comment thread is a commenter's, or a field label
_NOT_ARTICLE_BYLINE_RE = re.compile(r"comment|respond|reply|discussion", re.I)


def _shape(el: etree._Element) -> tuple[Any, ...]:
    """What the elements of one list of authors share: tag, class words (without the BEM
    modifiers a list puts on some of its items: "author-list__item--hide-small-screen"),
    ``rel`` and ``itemprop``."""
    words = frozenset(w for w in (el.get("class") or "").split() if "--" not in w)
    return el.tag, words, el.get("rel"), el.get("itemprop")


#: how far up a teaser card may wrap a byline
_TEASER_LEVELS = 6


def _in_teaser(el: etree._Element) -> bool:
    """``el`` is inside a teaser card (another article's byline), or a comment or a form."""
    for level, node in enumerate((el, *el.iterancestors())):
        if level > _TEASER_LEVELS:
            return False
        value = f"{node.get('class') or ''} {node.get('id') or ''}"
        if node.tag == "form" or _TEASER_CLASS_RE.search(value) or _NOT_ARTICLE_BYLINE_RE.search(
                value):
            return True
    return False


#: the label, then two to four words of a name, each capitalised but for a particle
_LABELLED_NAME_RE = re.compile(
    r"^(?:(?P<verb>[^\W\d_]+)\s+(?=by\s))?(?:by|von|par|por|door)\s+"
    r"((?:(?:van|von|de|der|den|da|di|du|del|la|le|bin|al)\s+)?"
    r"[^\W\d_][\w'’.-]*(?:\s+(?:(?:van|von|de|der|den|da|di|du|del|la|le|bin|al)\s+)?"
    r"[^\W\d_][\w'’.-]*){1,3})$", re.IGNORECASE)


def _labelled_names(short: list[Any]) -> list[str]:
    """The first short text of the page written "By First Last" or "Written by First Last"
    (no byline class around it), outside teaser cards and comments; never a credit for a
    picture ("Photo by ...")."""
    for node in [t for t in short if _LABEL_START_RE.match(t)][:10]:
        match = _LABELLED_NAME_RE.match(clean_text(node))
        if not match or not all(w[0].isupper() for w in match.group(2).split()
                                if w.casefold() not in _NAME_PARTICLES):
            continue
        verb = match.group("verb")
        if verb and (not verb[0].isupper() or _NOT_WRITTEN_BY_RE.match(verb)):
            continue  # "Photo by ...": a credit; a lower-case word: a sentence
        parent = node.getparent()
        if parent is not None and not _in_teaser(parent):
            return [match.group(2)]
    return []


#: the label, or a word and "by": "Written by Ann Lee" (not so in German, where a noun and
#: "von" start a phrase: "Sets von Lego Star Wars")
_LABEL_START_RE = re.compile(r"\s*(?:[^\W\d_]+\s+(?=by\s))?(?:by|von|par|por|door)\s",
                             re.IGNORECASE)
#: the word before "by" of a credit for something else than the text
_NOT_WRITTEN_BY_RE = re.compile(
    r"(?:photo|foto|bild|image|picture|illustration|graphic|grafik|video|film|edited)",
    re.IGNORECASE)
_NAME_PARTICLES = frozenset("van von de der den da di du del la le bin al".split())
#: a link to an author's page: /author/ann-lee, /autor/radek-nohl-1, /auteurs/...
_AUTHOR_LINKS = etree.XPath(
    '//a[contains(@href, "/author") or contains(@href, "/autor") or contains(@href, "/auteur")]')
_AUTHOR_PATH_RE = re.compile(r"/(?:author|autor|auteur)[a-z]*/[^/?#]+", re.IGNORECASE)


def _author_links(tree: etree._Element) -> list[str]:
    """The names of the first links to author pages outside teaser cards and comments: the
    first and those beside it (two levels up)."""
    for link in _AUTHOR_LINKS(tree)[:20]:
        text = clean_text("".join(link.itertext()))
        if not _AUTHOR_PATH_RE.search(link.get("href") or "") or not 0 < len(text) <= 60 \
                or " " not in text or _in_teaser(link):
            continue
        block = _ancestor(link, 2)
        names = [clean_text("".join(a.itertext())) for a in block.iter("a")
                 if _AUTHOR_PATH_RE.search(a.get("href") or "")] if block is not None else []
        return [n for n in names if 0 < len(n) <= 60] or [text]
    return []


#: a short paragraph set right, where some sites sign the article below its last line
_RIGHT_ALIGNED = etree.XPath(
    '//p[contains(translate(@style, " ", ""), "text-align:right")]')


def _signature(tree: etree._Element) -> list[str]:
    """The name signing the article: a right-aligned paragraph, all in bold, of two to four
    capitalised words ("<p style='text-align:right;'><strong>Lê Phương</strong></p>"), the
    last such of the page outside teaser cards."""
    for p in reversed(_RIGHT_ALIGNED(tree)[-5:]):
        text = clean_text("".join(p.itertext()))
        bold = " ".join(clean_text("".join(b.itertext())) for b in p.iter("strong", "b"))
        words = text.split()
        if bold == text and 2 <= len(words) <= 4 and len(text) <= 40 and all(
                w[0].isupper() for w in words) and not _in_teaser(p):
            return [text]
    return []


#: the article's first date below its headline: the byline is written beside it
_DATE_AFTER_HEADLINE = etree.XPath("(//h1)[1]/following::time[position() <= 3]")
#: the texts read back from that date for the name: labels and separators are passed over
_BEFORE_DATE = etree.XPath("preceding::text()[normalize-space()][position() <= 4]")
#: a name shown without a label or class: two to four words, each capitalised but for a
#: particle, letters only ("Abdul Adhim Kamouss", "Fouzia Van Der Fort")
_BARE_NAME_RE = re.compile(r"^[^\W\d_][\w'’.-]*(?:\s+[^\W\d_][\w'’.-]*){1,3}$")
_NOT_BYLINE_ANCESTORS = frozenset({"h1", "h2", "h3", "nav", "figcaption", "figure", "button",
                                   "label", "script", "style", "title"})


def _name_beside_date(tree: etree._Element) -> list[str]:
    """The name written just before the article's date, below its headline, where no class,
    label or link says it is the byline ("<span>Abdul Adhim Kamouss</span><time>17.05.2026,
    19:06 Uhr</time>", "Fouzia Van Der Fort | Published <time>...</time>"): read back from the
    first ``<time>`` after the first ``<h1>``, one-word texts (a label, a separator) passed
    over, the first text of several words is the name when it is shaped as one."""
    for time_el in _DATE_AFTER_HEADLINE(tree)[:1]:
        for node in reversed(_BEFORE_DATE(time_el)):
            text = clean_text(str(node))
            parent = node.getparent()
            if parent is None or any(a.tag in _NOT_BYLINE_ANCESTORS or _BREADCRUMB_CLASS_RE.search(
                    a.get("class") or "") for a in (parent, *parent.iterancestors())):
                return []
            if " " not in text:
                continue  # "Published", "|", "Von": a label or a separator
            if len(text) <= _MAX_BARE_NAME and _BARE_NAME_RE.match(text) and all(
                    w[0].isupper() or w.casefold() in _NAME_PARTICLES for w in text.split()):
                return [text]
            return []
    return []


_MAX_BARE_NAME = 40
_BREADCRUMB_CLASS_RE = re.compile(r"breadcrumb|caption|credit|copyright", re.I)


def _first_byline(elements: list[etree._Element], people: Any) -> list[str]:
    """The texts of the article's byline: the first of ``elements`` (byline elements in page
    order, innermost) that names a person, with the elements of its shape (tag, class, rel,
    itemprop) in the same parent (one per author: "By <a rel=author>A</a> and <a rel=author>B</a>").

    A one-word text ("Artikel", "News", "Redakteur": a label or a role) gives way to a name
    of several words in the same byline block; a byline whose names sit in child elements
    with nothing between them is read child by child; teaser cards' bylines are skipped."""
    candidates = []
    for el in elements:
        if _TEASER_CLASS_RE.search(f"{el.get('class') or ''} {_parent_class(el)}"):
            continue
        if any(a.tag == "form" or _NOT_ARTICLE_BYLINE_RE.search(
                f"{a.get('class') or ''} {a.get('id') or ''}") for a in el.iterancestors()):
            continue
        texts = _names_texts(el, people)
        if texts:
            candidates.append((el, texts))
    for index, (el, texts) in enumerate(candidates):
        if any(" " in name for name in people(texts)):
            return texts
        # one word only: a fuller name in the same byline block is the author
        block = _ancestor(el, _BLOCK_LEVELS)
        for other, other_texts in candidates[index + 1:]:
            if block is not None and block in other.iterancestors() and any(
                    " " in name for name in people(other_texts)):
                return other_texts
        return texts
    return []


#: a byline this many levels up holds its label, its names and their roles
_BLOCK_LEVELS = 3
#: a teaser card's byline is another article's
_TEASER_CLASS_RE = re.compile(r"(?:^|[\s_-])(?:card|teaser)(?:$|[\s_-])", re.I)


def _parent_class(el: etree._Element) -> str:
    parent = el.getparent()
    return (parent.get("class") or "") if parent is not None else ""


def _ancestor(el: etree._Element, levels: int) -> etree._Element | None:
    for _ in range(levels):
        parent = el.getparent()
        if parent is None:
            break
        el = parent
    return el


def _names_texts(el: etree._Element, people: Any) -> list[str]:
    """The byline texts of ``el`` (and of the same-shaped elements beside it, or one level
    further up when each sits in a wrapper of its own) that name a person; its child
    elements one by one when its whole text does not ("<span>A B</span><span>C D</span>"
    read as one name of four words).

    >>> from lxml import html as lxml_html
    >>> block = lxml_html.fromstring('<div><div class="author-item"><span class="author-name">'
    ...     'Ann Lee</span></div><div class="author-item"><span class="author-name">Bo Chan'
    ...     '</span></div></div>')
    >>> _names_texts(block.find(".//span"), clean_authors)
    ['Ann Lee', 'Bo Chan']
    """
    text = _byline_text(el)
    if 0 < len(text) <= 120 and people([text]):
        parent = el.getparent()
        if parent is None:
            return [text]
        shape = _shape(el)
        # its like in the same byline block: beside it, or each in a wrapper of its own
        # ("<div class=author-item><span class=author-name>A</span></div><div ...>B")
        members = [el]
        for level in range(1, _BLOCK_LEVELS):
            block = _ancestor(el, level)
            if block is None:
                break
            members = [sib for sib in block.iter(el.tag) if _shape(sib) == shape]
            if len(members) > 1 or level == _BLOCK_LEVELS - 1:
                break
        group = [_byline_text(sib) for sib in members]
        return [t for t in group if 0 < len(t) <= 120]
    children = [_byline_text(child) for child in el.iterdescendants(etree.Element)
                if len(child) == 0]
    children = [t for t in children if 0 < len(t) <= 60]
    if len(children) >= 2 and len(people(children)) >= 2:
        return children
    return []


def _byline_elements(tree: etree._Element) -> list[etree._Element]:
    """Elements that hold a byline, in page order: by ``rel``/``itemprop`` (one of its
    words), class or ``id``, or an element named for it (``<author>``, ``<author-name>``).

    >>> from lxml import html as lxml_html
    >>> page = lxml_html.fromstring('<div><span id="author-name">Ann Lee</span><span id="author-bio">'
    ...     'Writes</span><span itemprop="author name">Bo Chan</span><author>Cy Wu</author></div>')
    >>> [el.text for el in _byline_elements(page)]
    ['Ann Lee', 'Bo Chan', 'Cy Wu']
    >>> page = lxml_html.fromstring('<div><p class="article__writer">Di Ng</p><div id="writerProfile">'
    ...     '<a class="author-profile" href="/p/ed">Ed Fox</a> Desk <button>Follow</button></div></div>')
    >>> [el.text for el in _byline_elements(page)]
    ['Di Ng', 'Ed Fox']
    """
    ordered = []
    for el in tree.iter(etree.Element):  # one walk, in page order
        value = el.get("class")
        if value:
            byline = _BYLINE_CLASSES.get(value)
            if byline is None:
                if len(_BYLINE_CLASSES) > _BYLINE_CLASSES_MAX:
                    _BYLINE_CLASSES.clear()
                byline = _BYLINE_CLASSES[value] = _byline_class(value)
            if byline and (el.tag == "a" or not _PROFILE_RE.search(value)):
                # an author's profile block (photo, name, desk, bio, a follow button) is no
                # byline; a link to the profile is
                ordered.append(el)
                continue
        tag, id_ = el.tag, el.get("id")
        if el.get("rel") == "author" or "author" in (el.get("itemprop") or "").split() or (
                tag == "author" or ("-" in tag and ("author" in tag or "byline" in tag))) or (
                id_ and _byline_class(id_) and (tag == "a" or not _PROFILE_RE.search(id_))):
            ordered.append(el)
    return ordered


def _byline_class(value: str) -> bool:
    """A class value of a byline element: a byline's (not its date's), the ``author`` class,
    an author's name or link, or a class word of :data:`_BYLINE_CLASS_RE` that is not a
    part holding something else (:data:`_NOT_NAMES_CLASS_RE`)."""
    return (("byline" in value and "date" not in value)
            or "author" in value.split()
            or "author-name" in value or "author-link" in value
            or bool(_BYLINE_CLASS_RE.search(value) and not _NOT_NAMES_CLASS_RE.search(value)))


#: an author's profile block ("writerProfile", "author-profile"): its link holds the name
_PROFILE_RE = re.compile(r"profile", re.I)


#: whether a class value names a byline element (pages of a site repeat their class names)
_BYLINE_CLASSES: dict[str, bool] = {}
_BYLINE_CLASSES_MAX = 65536


#: where the names of a byline end: a digit, a weekday, a separator, "Updated"/"Published"
_BYLINE_END_RE = re.compile(
    r"\d|\s(?:on\s+)?(?:mon|tue|wed|thu|fri|sat|sun)[a-z]*\b|\s[|•·]\s|\s(?:updated|published|"
    r"posted|follow|about)\b", re.IGNORECASE)
_DESK_WORDS = frozenset({"staff", "desk", "team", "newsroom", "editors", "reporters", "staff reporter"})
#: a plausible name is short and has no sentence punctuation
_MAX_NAME_LEN = 60


def _all_desks(names: list[str]) -> bool:
    """Every name is a desk ("Staff", "Science X staff", "Newsroom"), not a person."""
    return all(name.casefold() in _DESK_WORDS or name.casefold().rsplit(" ", 1)[-1] in _DESK_WORDS
               for name in names)


def _one(value: str) -> list[str]:
    """Split one byline string into cleaned names."""
    text = clean_text(value)
    if not text or text.startswith(("http://", "https://")):
        return []
    match = _EMAIL_NAME_RE.match(text) or _NAME_EMAIL_RE.match(text)
    if match:
        text = match.group("name")
    if _CREDIT_RE.search(text):
        return []
    text = _PAREN_RE.sub("", _LABEL_RE.sub("", _BY_RE.sub("", text)))
    # an academic or courtesy title's full stop does not end a name: "Dr. Max Kolter"
    text = _TITLE_ABBREVIATION_RE.sub("\\1.\x00", text)
    names = []
    for part in _SPLIT_RE.split(text):
        part = part.replace("\x00", " ")
        part = _BY_RE.sub("", _EMAIL_RE.sub("", part)).strip(" .,;:-–—|()[]")
        # "Kommentar von" / "Analysis by": the label of names held by the next element
        part = _TRAILING_BY_RE.sub("", part)
        # "Ann Lee in London", "Jan Roth aus Berlin": where the author wrote from
        part = _FROM_PLACE_RE.sub(r"\g<name>", part)
        if (not part or _HANDLE_RE.match(part) or len(part) > _MAX_NAME_LEN
                or _CREDIT_RE.search(part) or _BY_WORD_RE.match(part)):
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
    # "Carrie Arnold Contributing Writer" beside "Carrie Arnold" is the same person and a role
    return [name for key, name in seen.items()
            if not any(key.startswith(other + " ") for other in seen if other != key)]


def _person_name(props: dict[str, Any]) -> str | None:
    """A Person's name: ``name``, else ``givenName`` + ``familyName``; "Family, Given" (one
    comma between one or two words each) turned round."""
    name = props.get("name")
    if isinstance(name, list):
        name = name[0] if name else None
    if not isinstance(name, str) or not name.strip():
        parts = [props.get(k) for k in ("givenName", "additionalName", "familyName")]
        name = " ".join(p.strip() for p in parts if isinstance(p, str) and p.strip())
        return name or None
    match = _FAMILY_GIVEN_RE.match(name.strip())
    if match and not _SPLIT_WORDS_RE.search(name):
        return f"{match.group('given')} {match.group('family')}"
    return name


#: "Brazil, Rachel": a family name, a comma, given names (a Person node's single name)
_FAMILY_GIVEN_RE = re.compile(r"^(?P<family>[^\W\d_][\w'-]*(?: [\w'-]+)?), "
                              r"(?P<given>[^\W\d_][\w.'-]*(?: [\w.'-]+)?)$")
_SPLIT_WORDS_RE = re.compile(r"\b(?:and|und|et)\b|&|;", re.I)


def _names_in(value: Any) -> list[str]:
    """Names in a JSON-LD / microdata author value (string, Person, list of either).

    An author typed as an organisation (``Organization``, ``NewsMediaOrganization``...) names
    no person and is left out.

    >>> _names_in([{"@type": "Person", "givenName": "Anna Giulia", "familyName": "Fink"},
    ...            {"@type": "Person", "name": "Brazil, Rachel"}, {"@type": "Organization", "name": "X"}])
    ['Anna Giulia Fink', 'Rachel Brazil']
    """
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        if any("organization" in t or "corporation" in t for t in types_of(value)):
            return []
        props = value.get("properties", value)
        name = _person_name(props) if isinstance(props, dict) else None
        return [name] if name else []
    if isinstance(value, list):
        return [n for item in value for n in _names_in(item)]
    return []


def _organisations_in(value: Any) -> list[str]:
    """The names of the organisations in a JSON-LD / microdata author value."""
    if isinstance(value, list):
        return [n for item in value for n in _organisations_in(item)]
    if isinstance(value, dict) and any("organization" in t for t in types_of(value)):
        props = value.get("properties", value)
        name = props.get("name") if isinstance(props, dict) else None
        return [name] if isinstance(name, str) and name.strip() else []
    return []


def _key(text: str) -> str:
    return "".join(ch for ch in text.casefold() if ch.isalnum())


def site_names(tree: etree._Element, data: StructuredData) -> list[str]:
    """The publication's names: og:site_name, application-name, the JSON-LD publisher, and
    the last part of a ``<title>`` written "Headline | Site"."""
    names = [data.first("og:site_name"), data.first("application-name")]
    publisher = data.resolve(data.article.get("publisher"))
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
        words = [w for w in re.split(r"[\W_]+", site) if w]
        if len(words) >= 2 and name.isupper() and key == "".join(w[0] for w in words).casefold():
            # "LTO" for "Legal Tribune Online"
            return True
        if name.casefold().startswith(site.casefold() + " "):
            # "Circuit Daily Staff" is the desk byline the site credits; "CNN Business" is not
            return name[len(site):].strip().casefold() not in _DESK_WORDS
        if " " not in name.strip() and key in {_key(w) for w in site.split()}:
            return True
    return False


def _byline_text(el: etree._Element) -> str:
    """A byline element's names part: its text without the parts classed as a role, a bio or
    a date ("<span class=author-function>Editor</span>"), up to the first date, time, weekday
    or separator ("By Ann Lee | March 3" -> "By Ann Lee")."""
    text = clean_text(" ".join(_text_without_roles(el)))
    match = _BYLINE_END_RE.search(text)
    return text[: match.start()].strip() if match else text


#: elements that sit inside a line of text: no space is read around them ("Molly Woo<span>d</span>")
_INLINE_TAGS = frozenset({"a", "span", "em", "strong", "b", "i", "u", "small", "sup", "sub",
                          "mark", "abbr", "font"})


def _text_without_roles(el: etree._Element) -> list[str]:
    """The text of ``el`` in pieces joined by spaces: inline elements stay glued to the text
    around them, block elements are apart, descendants classed as not names are left out."""
    if not any(child.tag not in _INLINE_TAGS or _NOT_NAMES_CLASS_RE.search(child.get("class")
               or "") for child in el.iterdescendants(etree.Element)):
        return ["".join(el.itertext())]
    texts = [el.text or ""]
    for child in el:
        if not isinstance(child.tag, str):
            texts.append(child.tail or "")
            continue
        if not _NOT_NAMES_CLASS_RE.search(child.get("class") or ""):
            inner = " ".join(_text_without_roles(child))
            if child.tag in _INLINE_TAGS:
                texts[-1] += inner
            else:
                texts.append(inner)
        if child.tag in _INLINE_TAGS:
            texts[-1] += child.tail or ""
        else:
            texts.append(child.tail or "")
    return texts


def _leaf_most(elements: list[etree._Element]) -> list[etree._Element]:
    """``elements`` without those that contain another of them with text (an empty
    decoration inside a name link does not make the link a container)."""
    chosen = set(elements)
    return [el for el in elements
            if not any(d in chosen and (d.text or len(d)) for d in el.iterdescendants()
                       if d is not el)]


def _codes_only(names: list[str]) -> bool:
    """The names of a byline are single words, one of them in lower case: an editor's code
    ("red", "obe") and credits, not a person's name.

    >>> _codes_only(["red", "Agenturen"]), _codes_only(["Sukarno"]), _codes_only(["Ann Lee", "red"])
    (True, False, False)
    """
    return all(" " not in n for n in names) and any(n[:1].islower() for n in names)


def find_authors(
    tree: etree._Element,
    data: StructuredData,
    rules: SiteRules | None = None,
) -> list[str]:
    """Author names from the first layer that names a person (the publication itself, as
    an organisation author or under its own name, does not count). When no layer names a
    person, the organisation the page declares as its author (JSON-LD, meta), if any."""
    if rules is not None:
        found = clean_authors(rules.values(tree, "authors"))
        if found:
            return found
    sites = site_names(tree, data)

    def people(values: Iterable[str]) -> list[str]:
        return [n for n in clean_authors(values) if not is_site_name(n, sites)]

    desks: list[str] = []
    for raw in (data.resolve(data.article.get("author")), data.microdata_article.get("author")):
        found = people(_names_in(raw))
        if found and not _all_desks(found):
            # an agency or the publication listed beside the persons is credited with them
            # ("author": [{"@type": "Person", ...}, {"@type": "Organization", "name": "dpa"}])
            return clean_authors([*found, *_organisations_in(raw)])
        desks = desks or found
    meta = _meta_authors(data)
    found = people(meta)
    if found and not _all_desks(found):
        return found
    desks = desks or found
    bylines = _leaf_most(_byline_elements(tree)[:40])[:12]
    found = people(_first_byline(bylines, people))
    if found and _codes_only(found):
        # "red, ORF.at/Agenturen": an editor's code and a credit, no person; the
        # organisation the page declares as its author is the credit to give
        declared_orgs = clean_authors(_organisations_in(data.resolve(data.article.get("author"))))
        if declared_orgs:
            return declared_orgs[:1]
    if found or desks:
        # a desk declared ("Science X staff") gives way to the byline the reader sees
        return found or desks
    # a "By <a>Name</a>" line with no byline class
    short = _SHORT_TEXT_XPATH(tree)
    for node in _by_texts(short)[:3]:
        parent = node.getparent()
        if parent is None or _in_teaser(parent):
            continue
        if node.is_tail:
            parent = parent.getparent() if parent.getparent() is not None else parent
        links = [clean_text("".join(a.itertext())) for a in parent.iter("a")]
        text = ", ".join(t for t in links if t) if links else _byline_text(parent)
        found = people([text] if 0 < len(text) <= 120 else [])
        if found:
            return found
    found = (people(_labelled_names(short)) or people(_author_links(tree))
             or people(_signature(tree)))
    if found:
        return found
    # no person anywhere: the publication, when the page itself declares it as the author
    declared = [*(n for n in meta if is_site_name(clean_text(n), sites)),
                *_organisations_in(data.resolve(data.article.get("author"))),
                *(n for n in _names_in(data.resolve(data.article.get("author")))
                  if is_site_name(clean_text(n), sites))]
    found = clean_authors(declared)[:1]
    if not found:
        # the byline credits the publication itself ("Von BR24 Redaktion", "sportschau.de")
        site_keys = {_key(site) for site in sites}
        found = [n for n in clean_authors(_first_byline(bylines, clean_authors))
                 if _key(n) in site_keys][:1]
    # last, a name shaped as one right before the article's date, with no byline markup
    return found or people(_name_beside_date(tree)) or people(_script_author(tree))


#: an author given by key in a script's object literal or JSON (an analytics data layer):
#: "author": "Ann Lee", 'author_name': 'Ann Lee', "authors": ["Ann Lee", "Bo Chan"]
_SCRIPT_AUTHOR_RE = re.compile(
    r"""["'](?:author(?:_?name)?|authors)["']\s*:\s*(\[[^\]\[{}]{0,600}\]|["'][^"'\\<>{}]{3,60}["'])""",
    re.IGNORECASE)
_SCRIPT_STRING_RE = re.compile(r"""["']([^"'\\<>{}]{3,60})["']""")
_SCRIPTS = etree.XPath("//script[not(@type) or contains(@type, 'javascript') or contains(@type, 'json')]"
                       "/text()", smart_strings=False)
_SCRIPT_READ_MAX = 200_000


def _script_author(tree: etree._Element) -> list[str]:
    """The names a page's scripts give by an author key (a data layer's ``"author"``), for a
    page that names its author nowhere else: the longest such list, when every other value
    shaped as a name (two to four words of letters) is in it -- scripts that name other
    authors too hold other articles (a related-stories list), and which is the page's is
    unknown.

    >>> from aggregator.extraction.dom import parse_html
    >>> _script_author(parse_html('<script>dataLayer.push({"pageType": "article", '
    ...     '"author": "Ann Lee", "authors": ["Ann Lee", "Bo Chan"]})</script>'))
    ['Ann Lee', 'Bo Chan']
    >>> _script_author(parse_html('<script>var page = {"author": "Ann Lee", "related": '
    ...     '[{"authorName": "Cy Wu"}]}</script>'))
    []
    """
    lists: list[list[str]] = []
    for text in _SCRIPTS(tree):
        if len(text) > _SCRIPT_READ_MAX or "author" not in text.casefold():
            continue
        for match in _SCRIPT_AUTHOR_RE.finditer(text):
            names = [clean_text(v) for v in _SCRIPT_STRING_RE.findall(match.group(1))]
            names = [n for n in names if _BARE_NAME_RE.match(n) and len(n) <= _MAX_BARE_NAME]
            if names:
                lists.append(names)
    if not lists:
        return []
    longest = max(lists, key=len)
    keys = {n.casefold() for n in longest}
    if all(n.casefold() in keys for names in lists for n in names):
        return longest
    return []
