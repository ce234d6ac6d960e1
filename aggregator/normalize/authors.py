"""Bylines to a list of person names.

Handles "By A and B", "A, B & C", "By Jane Doe, Senior Editor", e-mail forms
("jdoe@x.com (Jane Doe)", "Jane Doe <jdoe@x.com>"), all-caps names, duplicates, and drops what
is not a person name ("and", bare e-mail addresses, URLs, job titles after a name).

A desk byline ("Staff", "Staff Reporter", "Circuit Daily Staff") is what the publisher credits
when no person is named: it is kept, cleaned, but only when the bylines name no person. A news
agency ("Reuters", "Associated Press", "dpa") is credited as an author beside the persons: it
took part in writing the article (Fundus' convention too). Account names ("admin", "jdadmin")
are never kept.

>>> split_authors(["By JANE DOE and John O'BRIEN", "jane doe", "Staff Reporter"])
['Jane Doe', "John O'Brien"]
>>> split_authors(["By STAFF REPORTER"])
['Staff Reporter']
>>> split_authors(["A. Lee, B. Chan & C. Wong"])
['A. Lee', 'B. Chan', 'C. Wong']
>>> split_authors(["By Jane Doe, Senior Editor", "jdoe@x.com (Jane Doe)"])
['Jane Doe']
>>> split_authors(["By DANICA KIRKA and JILL LAWLESS", "Associated Press"]), split_authors(["PTI"])
(['Danica Kirka', 'Jill Lawless', 'Associated Press'], ['PTI'])
>>> split_authors(["Analysis by Chris Cillizza"]), split_authors(["Text: Ann Lee"]), split_authors(["jdadmin"])
(['Chris Cillizza'], ['Ann Lee'], [])
>>> split_authors(["sportschau.de"]), split_authors(["SID"]), split_authors(["Ann Lee, dpa"])
(['sportschau.de'], ['SID'], ['Ann Lee', 'dpa'])
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from .text import clean_text

_PREFIX_RE = re.compile(
    r"^(?:(?:written|words|posted|reported|reporting|story|text|published|compiled|edited|editing|"
    r"additional reporting|photos?|pictures?|video|illustrations?|analysis|opinion|commentary|"
    r"review|interview)\s+)?"
    r"(?:by|por|von|par|door)[:\s]+", re.IGNORECASE)
#: a one-word label before the names: "Author:", "Text:", "Autor:", "Текст:"
_LABEL_RE = re.compile(r"^[^\W\d_]{2,15}\s*:\s*")
#: news agencies credited in bylines: authors beside the persons named
_AGENCIES = frozenset({
    "associated press", "ap", "reuters", "afp", "agence france-presse", "agence france presse",
    "pti", "press trust of india", "ians", "dpa", "efe", "ansa", "xinhua", "upi", "aap", "kyodo",
    "yonhap", "bloomberg", "tass", "anadolu", "bernama", "cna",
})
#: account names that are no one's name
_ACCOUNT_RE = re.compile(r"^\S*(?:admin|webmaster|wpengine)\S*$", re.IGNORECASE)
_EMAIL = r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+"
_EMAIL_PAREN_RE = re.compile(rf"^\s*(?:mailto:)?{_EMAIL}\s*\((?P<name>[^)]*)\)\s*$")
_NAME_ANGLE_RE = re.compile(rf"^\s*(?P<name>[^<]*?)\s*<\s*(?:mailto:)?{_EMAIL}\s*>\s*$")
_EMAIL_RE = re.compile(rf"(?:mailto:)?{_EMAIL}")
_SEPARATOR_RE = re.compile(r"\s*(?:,|;|\||/|&|\+|\band\b|\bund\b|\bet\b|\bwith\b)\s*",
                           re.IGNORECASE)
_URL_RE = re.compile(r"^(?:https?://|www\.)", re.IGNORECASE)
_URL_ANYWHERE_RE = re.compile(r"(?:https?://|www\.)\S*", re.IGNORECASE)
_HANDLE_RE = re.compile(r"^@\w+$")
#: words that make a byline part a job title or a desk, not a person
_ROLE_WORDS = frozenset("""
    editor editors editorial reporter reporters correspondent correspondents writer writers
    staff contributor contributors contributing columnist analyst producer chief senior deputy
    associate managing executive director manager founder ceo cto journalist journalists
    desk team newsroom bureau admin administrator photographer photos photo agency agencies
    wire wires intern freelance freelancer guest author authors news service services
    press release correspondence special technology tech business science
""".split())
#: whole bylines that name no person
_GENERIC = frozenset({"staff", "admin", "administrator", "editor", "editors", "anonymous",
                      "unknown", "guest", "author", "newsroom", "team", "and", "by", "the"})
_SUFFIXES = frozenset({"jr", "jr.", "sr", "sr.", "ii", "iii", "iv", "phd", "ph.d.", "md"})


def _is_role(part: str) -> bool:
    words = [w.strip(".").lower() for w in part.split()]
    return bool(words) and (part.lower() in _GENERIC or all(w in _ROLE_WORDS or w in ("of", "at",
            "the", "for", "&") for w in words) or (len(words) >= 2 and words[0] in _ROLE_WORDS
            and words[-1] in _ROLE_WORDS))


#: a publication named by its domain, and a one-word acronym: kept as written
_DOMAIN_RE = re.compile(r"^[\w-]+(?:\.[\w-]+)*\.[^\W\d_]{2,}$")
_ACRONYM_RE = re.compile(r"^[A-Z]{2,4}$")


def _fix_case_word(word: str) -> str:
    if len(word) <= 1 or not word.isupper() or word.lower() in _SUFFIXES:
        return word
    if len(word.strip(".")) <= 2 and word.endswith("."):  # initials: "J."
        return word
    # O'BRIEN -> O'Brien, SMITH-JONES -> Smith-Jones
    return re.sub(r"[^\W\d_]+", lambda m: m.group(0).capitalize(), word.lower())


def fix_case(name: str) -> str:
    """An all-caps or all-lower-case name in title case; in a mixed-case name, only words of
    three or more capitals ("John O'BRIEN" -> "John O'Brien"). A domain ("sportschau.de")
    and a one-word acronym ("SID", "NTV") stay as written."""
    letters = [c for c in name if c.isalpha()]
    if not letters or _DOMAIN_RE.match(name) or _ACRONYM_RE.match(name):
        return name
    if all(c.isupper() for c in letters):
        return " ".join(_fix_case_word(w) for w in name.split())
    if all(c.islower() for c in letters):
        return " ".join(_fix_case_word(w.upper()) for w in name.split())
    return " ".join(_fix_case_word(w) if sum(c.isalpha() for c in w) >= 3 else w
                    for w in name.split())


def _names_of(byline: str) -> tuple[list[str], list[str]]:
    """(person names, desk bylines) of one byline."""
    text = clean_text(byline, decode_entities=True)
    match = _EMAIL_PAREN_RE.match(text) or _NAME_ANGLE_RE.match(text)
    if match:
        text = match.group("name")
    text = _URL_ANYWHERE_RE.sub(" ", _EMAIL_RE.sub(" ", text))
    text = _PREFIX_RE.sub("", _LABEL_RE.sub("", text.strip(" -–—:")))
    names: list[str] = []
    desks: list[str] = []
    for part in _SEPARATOR_RE.split(text):
        part = _PREFIX_RE.sub("", part.strip(" -–—:()[]\"'“”")).strip(" ,")
        if part.lower() in _SUFFIXES and names:  # "John Smith, Jr."
            names[-1] = f"{names[-1]} {part}"
            continue
        if part.endswith(".") and part.split()[-1].lower() not in _SUFFIXES \
                and len(part.split()[-1]) > 2:
            part = part.rstrip(".")
        if not part or _URL_RE.match(part) or _HANDLE_RE.match(part):
            continue
        if not any(c.isalpha() for c in part) or len(part) > 80:
            continue
        if part.lower() in ("and", "by", "the", "unknown", "anonymous") or _ACCOUNT_RE.match(part):
            continue
        if part.lower() in _AGENCIES:
            # "dpa" is written in lower case by the agency itself; "reuters" is a slip
            names.append(part if part.isupper() or len(part) <= 3 else fix_case(part))
        elif _is_role(part) or _is_desk(part):
            desks.append(fix_case(part))
        else:
            names.append(fix_case(part))
    return names, desks


def _is_desk(part: str) -> bool:
    """"Circuit Daily Staff", "Reuters Staff": a publication's name plus a desk word."""
    words = [w.strip(".").lower() for w in part.split()]
    return len(words) >= 2 and words[-1] in ("staff", "desk", "team", "newsroom", "editors")


def _dedupe(values: Iterable[str]) -> list[str]:
    seen: set[str] = set()
    out: list[str] = []
    for value in values:
        key = value.casefold()
        if key not in seen:
            seen.add(key)
            out.append(value)
    return out


def split_authors(bylines: Iterable[str]) -> list[str]:
    """The person names in ``bylines``, split, cleaned, de-duplicated (case-insensitively,
    first spelling kept), in order; the desk bylines when no person is named."""
    names: list[str] = []
    desks: list[str] = []
    for byline in bylines:
        if not isinstance(byline, str):
            continue
        found, desk = _names_of(byline)
        names.extend(found)
        desks.extend(desk)
    return _dedupe(names) if names else _dedupe(desks)
