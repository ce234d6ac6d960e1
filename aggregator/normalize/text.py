"""Text clean-up shared by every field: Unicode NFC, whitespace collapsed, zero-width and
XML-forbidden characters removed, UTF-8-read-as-cp1252 mojibake repaired, entities decoded once.

Typographic characters (curly quotes, dashes, ellipses) are kept exactly as written, including
unbalanced quotes: a reader's text is not ours to "fix".

>>> clean_text("  Caf\\u0065\\u0301\\u200b  au\\x00\\n lait ")
'Café au lait'
>>> clean_text("AT&amp;T &#8217;s “deal”", decode_entities=True)
'AT&T ’s “deal”'
>>> clean_text("&amp;amp;", decode_entities=True)  # decoded once, never twice
'&amp;'
>>> clean_body_text("One\\u00a0 two\\n\\n\\n  Three\\u2028four ")
'One two\\n\\nThree four'
"""

from __future__ import annotations

import html
import re
import unicodedata

#: characters XML 1.0 forbids (C0 controls but tab/LF/CR, surrogates, U+FFFE/U+FFFF), C1
#: controls, and invisible format characters that only break search and dedup
_FORBIDDEN_RE = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x84\x86-\x9f\ud800-\udfff\ufffe\uffff"
    "\u200b\u200c\u200d\u2060\ufeff\u00ad\u180e\u2061-\u2064\u206a-\u206f]"
)
#: every whitespace character (incl. NBSP, U+2028/2029 and U+0085) as one space
_SPACE_RE = re.compile(r"[\s\u0085\u2028\u2029]+")
#: a complete entity reference: named, decimal or hex, with its semicolon (so "AT&T" and
#: "R&D" are left alone)
_ENTITY_RE = re.compile(r"&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")
#: what UTF-8 looks like when it was read as cp1252 / Latin-1 ("â€™" for "’", "Ã©" for "é")
_MOJIBAKE_RE = re.compile("(?:â€|Ã[\u0080-\u00bf]|Â[\u00a0-\u00bf])")


def remove_forbidden(text: str) -> str:
    """``text`` without XML 1.0-forbidden, C1 control and zero-width characters."""
    return _FORBIDDEN_RE.sub("", text)


def decode_entities(text: str) -> str:
    """Decode the complete HTML entity references in ``text``, once.

    ``&amp;amp;`` becomes ``&amp;``, not ``&``: one level of escaping is undone, because the
    HTML parser already undid the first one when the text was read from the page.
    """
    if "&" not in text:
        return text
    return _ENTITY_RE.sub(lambda m: html.unescape(m.group(0)), text)


def fix_mojibake(text: str) -> str:
    """Repair UTF-8 text that was decoded as cp1252 ("donâ€™t" -> "don’t").

    Only when the text carries the tell-tale sequences and the whole string round-trips;
    otherwise ``text`` is returned unchanged.
    """
    if not _MOJIBAKE_RE.search(text):
        return text
    try:
        return _as_cp1252_bytes(text).decode("utf-8")
    except UnicodeError:
        return text


def _as_cp1252_bytes(text: str) -> bytes:
    """``text`` encoded the way a browser decoded it: cp1252, with the five bytes cp1252
    leaves undefined (0x81, 0x8D, 0x8F, 0x90, 0x9D) passed through as C1 characters."""
    out = bytearray()
    for char in text:
        try:
            out += char.encode("cp1252")
        except UnicodeEncodeError:
            if ord(char) > 0xFF:
                raise
            out.append(ord(char))
    return bytes(out)


def _prepare(value: str, decode: bool) -> str:
    text = fix_mojibake(unicodedata.normalize("NFC", value))
    if decode:
        text = decode_entities(text)
    # NFC again: a decoded entity or a repaired sequence may compose with its neighbour
    return remove_forbidden(unicodedata.normalize("NFC", text))


#: markup written as text ("<img src=x onerror=...>", "</script>", "<!-- -->"): a text field
#: holds text, so tags are stripped (not escaped: readers unescape titles a varying number of
#: times)
_MARKUP_RE = re.compile(r"<!--.*?(?:-->|$)|<[/!?]?[A-Za-z][^<>]*(?:>|$)", re.DOTALL)


def strip_markup(text: str) -> str:
    """``text`` without anything shaped like a tag or a comment.

    >>> strip_markup("Chipmaker <img src=x onerror=alert(1)> unveils <b>roadmap</b>")
    'Chipmaker  unveils roadmap'
    >>> strip_markup("a < b and c > d, x<3")
    'a < b and c > d, x<3'
    """
    if "<" not in text:
        return text
    previous = None
    while previous != text:  # "<scr<script>ipt>" leaves "<script>" after one pass
        previous, text = text, _MARKUP_RE.sub("", text)
    return text


def clean_text(value: str | None, *, decode_entities: bool = False) -> str:
    """One line of clean text: NFC, forbidden characters out, markup stripped, whitespace
    collapsed. Every text field of an article passes through it.

    ``decode_entities`` decodes entity references left in the text once -- for metadata
    (titles, captions, names from JSON-LD or ``<meta>``), which CMSs often escape twice.

    >>> clean_text("&lt;script&gt;alert(3)&lt;/script&gt; Chips", decode_entities=True)
    'alert(3) Chips'
    """
    if not value:
        return ""
    return _SPACE_RE.sub(" ", strip_markup(_prepare(value, decode_entities))).strip()


#: an ASCII letter or digit: every cleaning step keeps one (NFC composes it at most, the
#: mojibake repair and the markup stripping never touch it outside a tag)
_ASCII_ALNUM_RE = re.compile(r"[A-Za-z0-9]")


def has_text(value: str | None) -> bool:
    """Whether :func:`clean_text` would leave anything of ``value``, without cleaning a long
    text that plainly has some: an ASCII letter or digit before the first ``<`` survives
    every step (markup is only ever stripped from a ``<`` on). Other texts are cleaned.

    >>> has_text("Chips <b>"), has_text("<b>Chips</b>"), has_text("\u200b <!-- x -->")
    (True, True, False)
    """
    if not value:
        return False
    end = value.find("<")
    if _ASCII_ALNUM_RE.search(value, 0, end if end >= 0 else len(value)):
        return True
    return bool(clean_text(value))


def cap(text: str, limit: int) -> tuple[str, bool]:
    """``text`` cut to at most ``limit`` characters at a word boundary (with "…"), and
    whether it was cut.

    >>> cap("one two three four", 12)
    ('one two…', True)
    >>> cap("short", 12)
    ('short', False)
    """
    if len(text) <= limit:
        return text, False
    cut = text[: limit - 1]
    if " " in cut[limit // 2:]:
        cut = cut.rsplit(" ", 1)[0]
    return cut.rstrip(" ,;:-–—") + "…", True


def clean_body_text(value: str | None) -> str:
    """Paragraphs of clean text separated by one blank line.

    The body comes from the page's DOM, where the parser has already decoded every entity:
    a literal ``&amp;`` in it is what the reader sees, so entities are *not* decoded again.
    """
    if not value:
        return ""
    text = _prepare(value, False)
    paragraphs = (_SPACE_RE.sub(" ", p).strip() for p in re.split(r"\n\s*\n|\r\n\s*\r\n", text))
    return "\n\n".join(p for p in paragraphs if p)
