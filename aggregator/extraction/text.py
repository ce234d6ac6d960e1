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
