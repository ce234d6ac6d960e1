"""Turn the bytes a server sent into text, or say why they are not an HTML page.

The charset comes from, in order: a byte-order mark, UTF-8 when the bytes are valid UTF-8, the
HTTP header's ``encoding``, a ``<meta charset>`` (or ``http-equiv``) in the first bytes, then
windows-1252 (what browsers assume for legacy pages). Decoding never raises.

>>> decode_body(b'<meta charset="latin-1"><p>caf\\xe9</p>', None).text[-8:]
'café</p>'
>>> decode_body(b"\\x89PNG\\r\\n\\x1a\\n....", None).problem
'binary content (PNG image)'
"""

from __future__ import annotations

import codecs
import logging
import re
from dataclasses import dataclass

logger = logging.getLogger(__name__)

#: how far into the document a <meta charset> is looked for (the HTML spec says 1024)
_PRESCAN_BYTES = 4096
_META_CHARSET_RE = re.compile(
    rb"""<meta[^>]+charset\s*=\s*["']?\s*([a-zA-Z0-9_:.+-]+)""", re.IGNORECASE
)
_BOMS = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_MAGIC = (
    (b"\x89PNG", "PNG image"),
    (b"\xff\xd8\xff", "JPEG image"),
    (b"GIF8", "GIF image"),
    (b"%PDF", "PDF document"),
    (b"PK\x03\x04", "ZIP archive"),
    (b"\x1f\x8b", "gzip data"),
    (b"RIFF", "RIFF media"),
    (b"\x00\x00\x01\x00", "icon"),
    (b"OggS", "Ogg media"),
    (b"wOFF", "web font"),
)


@dataclass
class Decoded:
    """The decoded text, the charset used, and a problem when the bytes are not HTML text."""

    text: str
    encoding: str
    problem: str = ""


def _codec(name: str | None) -> str | None:
    """The Python codec name for a charset label, or None if unknown."""
    if not name:
        return None
    label = name.strip().strip("\"'").lower()
    # the HTML spec maps these labels to windows-1252, a superset that never fails on text
    if label in ("iso-8859-1", "latin-1", "latin1", "ascii", "us-ascii", "iso8859-1"):
        label = "windows-1252"
    try:
        return codecs.lookup(label).name
    except LookupError:
        return None


def _binary_problem(head: bytes) -> str:
    for magic, what in _MAGIC:
        if head.startswith(magic):
            return f"binary content ({what})"
    if not head:
        return ""
    controls = sum(1 for b in head if b < 9 or 13 < b < 32)
    if b"\x00" in head and not head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "binary content (NUL bytes)"
    if controls > len(head) * 0.1:
        return "binary content (control bytes)"
    return ""


def _try(body: bytes, codec: str | None) -> str | None:
    if not codec:
        return None
    try:
        return body.decode(codec)
    except (UnicodeDecodeError, LookupError):
        return None


def decode_body(body: bytes | str, encoding: str | None = None) -> Decoded:
    """Decode ``body`` with the best charset; ``problem`` is set for binary or empty input."""
    if isinstance(body, str):
        problem = "" if body.strip() else "empty body"
        return Decoded(body, "unicode", problem)
    if not body.strip():
        return Decoded("", "", "empty body")
    head = body[:1024]
    for bom, codec in _BOMS:
        if body.startswith(bom):
            return Decoded(body[len(bom):].decode(codec, errors="replace"), codec)
    problem = _binary_problem(head)
    if problem:
        return Decoded("", "", problem)
    # bytes that are valid UTF-8 are UTF-8 whatever a header says: a legacy 8-bit page is
    # almost never valid UTF-8 by accident, while "charset=iso-8859-1" on UTF-8 is common
    text = _try(body, "utf-8")
    if text is not None:
        return Decoded(text, "utf-8")
    candidates = [_codec(encoding)]
    match = _META_CHARSET_RE.search(body[:_PRESCAN_BYTES])
    if match:
        candidates.append(_codec(match.group(1).decode("ascii", errors="replace")))
    for codec in candidates:
        # a UTF-16 label on a page that is plainly ASCII-compatible is a lie: skip it
        if codec and codec.startswith("utf-16"):
            continue
        text = _try(body, codec)
        if text is not None:
            return Decoded(text, codec or "utf-8")
    logger.debug("no charset decodes the body cleanly; falling back to windows-1252")
    return Decoded(body.decode("windows-1252", errors="replace"), "windows-1252")
