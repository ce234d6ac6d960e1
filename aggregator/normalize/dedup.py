"""Near-duplicate bodies: MinHash signatures over word shingles, candidates by LSH bands.

The same story published by several sources (syndicated or press-release copies with small
edits) has bodies whose word 3-shingles overlap far more than two different stories do.
A signature is 128 64-bit values (1 KiB), stored as a blob so grouping works across runs.

>>> a = "The chip maker said on Tuesday that it would build a new plant in Ohio " * 4
>>> b = a.replace("Tuesday", "Wednesday")
>>> sa, sb = signature(a), signature(b)
>>> round(similarity(sa, sb), 1) >= 0.7
True
>>> index = StoryIndex()
>>> index.add("https://a.example/1", sa, "a")
>>> index.best_match(sb, source="b")[0]
'https://a.example/1'
>>> index.best_match(sb, source="a") is None  # one source's two articles are two stories
True
>>> signature("Too short.") is None
True

A candidate found by its signature is confirmed on the articles' *own* text: paragraphs a
source repeats on other articles (a disclaimer, a newsletter plug) are left out of both
sides before the exact comparison, so two articles sharing long boilerplate stay two.

>>> plug = "Subscribe to our newsletter for the week's chip news in your inbox every Friday."
>>> keys = paragraph_keys(plug + "\\n\\nShort.")
>>> len(keys), keys[0] == paragraph_keys(plug.upper())[0]  # short paragraphs have no key
(1, True)
>>> own_text(plug + "\\n\\nThe board met.", set(keys))
'The board met.'
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Iterable, Set

import numpy as np
from datasketch import LeanMinHash, MinHash

NUM_PERM = 128
SEED = 1
#: datasketch's hashing scheme; part of what a stored signature means, so fixed here
SCHEME = "affine32"
SHINGLE_WORDS = 3
#: bodies shorter than this many words are not compared: too little text to tell copies apart
MIN_WORDS = 25
DEFAULT_THRESHOLD = 0.5

_WORD_RE = re.compile(r"\w+")
#: the MinHash every signature is computed in (then copied out as a LeanMinHash)
_TEMPLATE = MinHash(num_perm=NUM_PERM, seed=SEED, scheme=SCHEME)


def words_of(text: str) -> list[str]:
    """Lower-cased words of ``text`` (NFKC-folded, so typographic variants compare equal)."""
    return _WORD_RE.findall(unicodedata.normalize("NFKC", text).casefold())


def shingles(text: str, k: int = SHINGLE_WORDS) -> set[bytes]:
    """The set of ``k``-word shingles of ``text``, UTF-8 encoded."""
    return _shingles_of(words_of(text), k)


def _shingles_of(words: list[str], k: int = SHINGLE_WORDS) -> set[bytes]:
    if len(words) < k:
        return {" ".join(words).encode("utf-8")} if words else set()
    return {" ".join(words[i:i + k]).encode("utf-8") for i in range(len(words) - k + 1)}


def signature(text: str, *, min_words: int = MIN_WORDS) -> LeanMinHash | None:
    """The MinHash signature of a body; ``None`` when it has fewer than ``min_words`` words."""
    return _signature_of(words_of(text), min_words)


def signature_and_keys(text: str, *, min_words: int = MIN_WORDS
                       ) -> tuple[LeanMinHash | None, list[int]]:
    """``(signature(text), paragraph_keys(text))`` from one reading of the body's words: a
    paragraph's words are never joined to the next one's ("\\n\\n" is no word), so the
    body's words are its paragraphs' words, one after the other.

    >>> body = "The chip maker said on Tuesday that it would build a new plant. " * 3
    >>> sig, keys = signature_and_keys(body + "\\n\\n" + body)
    >>> keys == paragraph_keys(body + "\\n\\n" + body), sig == signature(body + "\\n\\n" + body)
    (True, True)
    """
    paragraphs = [words_of(paragraph) for paragraph in text.split("\n\n")]
    words = [word for own in paragraphs for word in own]
    return _signature_of(words, min_words), _keys_of(paragraphs)


def _signature_of(words: list[str], min_words: int) -> LeanMinHash | None:
    if len(words) < min_words:
        return None
    _TEMPLATE.clear()  # one MinHash, reused
    _TEMPLATE.update_batch(list(_shingles_of(words)))
    return LeanMinHash(_TEMPLATE)


def to_blob(sig: LeanMinHash) -> bytes:
    """The signature as bytes for the store (little-endian uint64 values)."""
    return np.asarray(sig.hashvalues, dtype="<u8").tobytes()


def from_blob(blob: bytes) -> LeanMinHash:
    """A signature read back from :func:`to_blob` bytes."""
    values = np.frombuffer(blob, dtype="<u8").astype(np.uint64)
    if len(values) != NUM_PERM:
        raise ValueError(f"a MinHash signature has {NUM_PERM} values, got {len(values)}")
    return LeanMinHash(seed=SEED, hashvalues=values, scheme=SCHEME)


def similarity(a: LeanMinHash, b: LeanMinHash) -> float:
    """Estimated Jaccard similarity of the two bodies' shingle sets."""
    return float(a.jaccard(b))


#: paragraphs shorter than this many words are not keyed: too common to mean boilerplate
PARAGRAPH_MIN_WORDS = 8


def _paragraph_key(paragraph: str) -> int | None:
    words = words_of(paragraph)
    if len(words) < PARAGRAPH_MIN_WORDS:
        return None
    return _key_of(words)


def _key_of(words: list[str]) -> int:
    digest = hashlib.blake2b(" ".join(words).encode("utf-8"), digest_size=8).digest()
    return int.from_bytes(digest, "little", signed=True)  # fits an SQL INTEGER


def paragraph_keys(text: str) -> list[int]:
    """A 64-bit key for each paragraph of a body (paragraphs are separated by blank lines)
    of at least :data:`PARAGRAPH_MIN_WORDS` words, in order and without repeats; case,
    punctuation and spacing do not change a key."""
    return _keys_of(words_of(paragraph) for paragraph in text.split("\n\n"))


def _keys_of(paragraphs: Iterable[list[str]]) -> list[int]:
    """The keys of the paragraphs (their words) long enough to have one, in order, once."""
    keys: list[int] = []
    for words in paragraphs:
        if len(words) >= PARAGRAPH_MIN_WORDS:
            key = _key_of(words)
            if key not in keys:
                keys.append(key)
    return keys


def own_text(text: str, boilerplate: Set[int]) -> str:
    """``text`` without its paragraphs whose key is in ``boilerplate``."""
    return "\n\n".join(p for p in text.split("\n\n") if _paragraph_key(p) not in boilerplate)


def exact_similarity(a: str, b: str) -> float:
    """Jaccard similarity of the two texts' shingle sets (what a signature estimates).

    >>> exact_similarity("one two three four", "one two three five")
    0.3333333333333333
    """
    sa, sb = shingles(a), shingles(b)
    return len(sa & sb) / len(sa | sb) if sa and sb else 0.0


#: at most this many candidates are compared for one article (a band that holds a whole
#: site -- templated pages -- must not make grouping quadratic)
MAX_CANDIDATES = 100
#: LSH banding of a signature: BANDS bands of ROWS values (what datasketch's MinHashLSH picks
#: for a 0.5 threshold over 128 values): two bodies with similarity 0.5 share a band with
#: probability 0.55, with 0.7 with 0.99. Part of what a stored band key means, so fixed here:
#: a story threshold below 0.5 finds fewer of its pairs.
BANDS, ROWS = 25, 5


def band_keys(sig: LeanMinHash) -> list[int]:
    """One 64-bit key per LSH band of ``sig``: two signatures are candidates (possibly the
    same story) when they share a key. Keys fit an SQL INTEGER, so the store indexes them
    and a crawler needs no index in memory.

    >>> a = signature("The chip maker said on Tuesday that it would build a new plant " * 4)
    >>> b = signature("The chip maker said on Friday that it would build a new plant " * 4)
    >>> len(band_keys(a)), bool(set(band_keys(a)) & set(band_keys(b)))
    (25, True)
    """
    values = np.asarray(sig.hashvalues, dtype="<u8")
    keys = []
    for band in range(BANDS):
        chunk = values[band * ROWS:(band + 1) * ROWS].tobytes()
        digest = hashlib.blake2b(chunk, digest_size=8, person=b"band%04d" % band).digest()
        keys.append(int.from_bytes(digest, "little", signed=True))
    return keys


class StoryIndex:
    """An in-memory index of signatures by key (an article's canonical URL) through their
    :func:`band_keys`, as the store indexes them for a crawl: for benchmarks and tests of the
    grouping alone. A story groups copies *across* sources, so an article is compared with the
    other sources' articles only."""

    def __init__(self, threshold: float = DEFAULT_THRESHOLD) -> None:
        self.threshold = threshold
        self.by_band: dict[int, set[str]] = {}
        self.signatures: dict[str, tuple[str, LeanMinHash, list[int]]] = {}

    def __len__(self) -> int:
        return len(self.signatures)

    def add(self, key: str, sig: LeanMinHash, source: str = "") -> None:
        """Index ``sig`` under ``key`` (an article of ``source``), replacing the key's
        previous signature."""
        self.discard(key)
        bands = band_keys(sig)
        self.signatures[key] = (source, sig, bands)
        for band in bands:
            self.by_band.setdefault(band, set()).add(key)

    def discard(self, key: str) -> None:
        known = self.signatures.pop(key, None)
        for band in known[2] if known is not None else ():
            self.by_band[band].discard(key)

    def best_match(self, sig: LeanMinHash, exclude: Iterable[str] = (),
                   source: str | None = None) -> tuple[str, float] | None:
        """The indexed key of a source other than ``source`` most similar to ``sig`` at or
        above the threshold (of at most :data:`MAX_CANDIDATES` candidates), or None."""
        skip = set(exclude)
        found = sorted({key for band in band_keys(sig) for key in self.by_band.get(band, ())
                        if key not in skip and self.signatures[key][0] != source})
        found = ranked([(key, self.signatures[key][1]) for key in found], sig, self.threshold)
        return found[0] if found else None


def ranked(candidates: list[tuple[str, LeanMinHash]], sig: LeanMinHash,
           threshold: float) -> list[tuple[str, float]]:
    """Of the first :data:`MAX_CANDIDATES` ``(key, signature)`` candidates, those reaching
    ``threshold`` estimated similarity to ``sig`` as ``(key, similarity)``, most similar
    first."""
    scored = [(key, similarity(sig, other)) for key, other in candidates[:MAX_CANDIDATES]]
    return sorted((ks for ks in scored if ks[1] >= threshold), key=lambda ks: (-ks[1], ks[0]))
