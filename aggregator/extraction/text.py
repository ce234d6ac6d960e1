"""Small text helpers shared by the extraction layers.

>>> clean_text("  Hello\\n   world \\u00a0 ")
'Hello world'
>>> len(content_hash("Hello world"))
64
"""

from __future__ import annotations

import hashlib
import re
import unicodedata

_SPACE_RE = re.compile(r"\s+")


def _mark_ranges() -> str:
    """The combining marks of the Basic Multilingual Plane (Unicode categories Mn, Mc, Me) as
    the ranges of a regex character class."""
    marks = [c for c in range(0x10000) if unicodedata.category(chr(c))[0] == "M"]
    ranges, start, last = [], marks[0], marks[0]
    for code in marks[1:]:
        if code != last + 1:
            ranges.append((start, last))
            start = code
        last = code
    ranges.append((start, last))
    return "".join(chr(a) if a == b else f"{chr(a)}-{chr(b)}" for a, b in ranges)


#: combining marks: Python's ``\w`` leaves them out, so a Devanagari, Bengali or Thai word,
#: whose vowel signs are marks, falls apart at each sign ("भारत" into "भ" and "रत")
_MARKS = _mark_ranges()
#: a word, its combining marks included
WORD_RE = re.compile(rf"[\w{_MARKS}]+")
#: a word of four or more letters (marks included, digits and "_" not)
LONG_WORD_RE = re.compile(rf"(?:[^\W\d_]|[{_MARKS}]){{4,}}")


def words(text: str) -> list[str]:
    """The words of ``text``, a word's combining marks kept inside it.

    >>> words("भारत में नई चिप"), words("naïve café, 2024")
    (['भारत', 'में', 'नई', 'चिप'], ['naïve', 'café', '2024'])
    """
    return WORD_RE.findall(text)


def clean_text(value: str | None) -> str:
    """Collapse runs of whitespace (including no-break spaces) into one space and strip."""
    if not value:
        return ""
    # str.split() splits on exactly the characters of \s (str.isspace), five times faster
    return " ".join(value.split())


def normalise_for_hash(text: str) -> str:
    """The form of ``body_text`` that :func:`content_hash` hashes.

    NFC-normalised, whitespace collapsed per paragraph, paragraphs joined by one newline, so
    a change of markup that keeps the words keeps the hash.
    """
    text = unicodedata.normalize("NFC", text)
    paragraphs = (clean_text(p) for p in text.split("\n"))
    return "\n".join(p for p in paragraphs if p)


def content_hash(body_text: str) -> str:
    """SHA-256 hex digest of the normalised body text."""
    return hashlib.sha256(normalise_for_hash(body_text).encode("utf-8")).hexdigest()
