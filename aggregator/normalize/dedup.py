"""Near-duplicate bodies: MinHash signatures over word shingles, grouped with MinHashLSH.

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
from datasketch import LeanMinHash, MinHash, MinHashLSH

NUM_PERM = 128
SEED = 1
#: datasketch's hashing scheme; part of what a stored signature means, so fixed here
SCHEME = "affine32"
SHINGLE_WORDS = 3
#: bodies shorter than this many words are not compared: too little text to tell copies apart
MIN_WORDS = 25
DEFAULT_THRESHOLD = 0.5

_WORD_RE = re.compile(r"\w+")
_TEMPLATE = MinHash(num_perm=NUM_PERM, seed=SEED, scheme=SCHEME)


def words_of(text: str) -> list[str]:
    """Lower-cased words of ``text`` (NFKC-folded, so typographic variants compare equal)."""
    return _WORD_RE.findall(unicodedata.normalize("NFKC", text).casefold())


def shingles(text: str, k: int = SHINGLE_WORDS) -> set[bytes]:
    """The set of ``k``-word shingles of ``text``, UTF-8 encoded."""
    words = words_of(text)
    if len(words) < k:
        return {" ".join(words).encode("utf-8")} if words else set()
    return {" ".join(words[i:i + k]).encode("utf-8") for i in range(len(words) - k + 1)}


def signature(text: str, *, min_words: int = MIN_WORDS) -> LeanMinHash | None:
    """The MinHash signature of a body; ``None`` when it has fewer than ``min_words`` words."""
    if len(words_of(text)) < min_words:
        return None
    mh = MinHash(num_perm=NUM_PERM, seed=SEED, permutations=_TEMPLATE.permutations, scheme=SCHEME)
    mh.update_batch(list(shingles(text)))
    return LeanMinHash(mh)


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
    digest = hashlib.blake2b(" ".join(words).encode("utf-8"), digest_size=8).digest()
    return int.from_bytes(digest, "little", signed=True)  # fits an SQL INTEGER


def paragraph_keys(text: str) -> list[int]:
    """A 64-bit key for each paragraph of a body (paragraphs are separated by blank lines)
    of at least :data:`PARAGRAPH_MIN_WORDS` words, in order and without repeats; case,
    punctuation and spacing do not change a key."""
    keys: list[int] = []
    for paragraph in text.split("\n\n"):
        key = _paragraph_key(paragraph)
        if key is not None and key not in keys:
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


#: at most this many LSH candidates are compared for one article (a bucket that holds a
#: whole site -- templated pages -- must not make grouping quadratic)
MAX_CANDIDATES = 100


class StoryIndex:
    """An in-memory LSH index of signatures by key (an article's canonical URL), one LSH per
    source: a story groups copies *across* sources, so an article is compared with the other
    sources' articles only -- two articles of one source are two articles, however much
    boilerplate they share."""

    def __init__(self, threshold: float = DEFAULT_THRESHOLD) -> None:
        self.threshold = threshold
        self.by_source: dict[str, MinHashLSH] = {}
        self.signatures: dict[str, tuple[str, LeanMinHash]] = {}

    def __len__(self) -> int:
        return len(self.signatures)

    def add(self, key: str, sig: LeanMinHash, source: str = "") -> None:
        """Index ``sig`` under ``key`` (an article of ``source``), replacing the key's
        previous signature."""
        self.discard(key)
        self.signatures[key] = (source, sig)
        lsh = self.by_source.get(source)
        if lsh is None:
            lsh = self.by_source[source] = MinHashLSH(threshold=self.threshold, num_perm=NUM_PERM)
        lsh.insert(key, sig)

    def discard(self, key: str) -> None:
        known = self.signatures.pop(key, None)
        if known is not None:
            self.by_source[known[0]].remove(key)

    def matches(self, sig: LeanMinHash, exclude: Iterable[str] = (),
                source: str | None = None) -> list[tuple[str, float]]:
        """Indexed keys of sources other than ``source`` (all, when None) whose estimated
        similarity to ``sig`` reaches the threshold, most similar first; at most
        :data:`MAX_CANDIDATES` candidates are compared."""
        skip = set(exclude)
        found = []
        compared = 0
        for src in sorted(self.by_source):
            if source is not None and src == source:
                continue
            for key in sorted(self.by_source[src].query(sig)):
                if key in skip:
                    continue
                if compared >= MAX_CANDIDATES:
                    break
                compared += 1
                score = similarity(sig, self.signatures[key][1])
                if score >= self.threshold:
                    found.append((key, score))
        found.sort(key=lambda ks: (-ks[1], ks[0]))
        return found

    def best_match(self, sig: LeanMinHash, exclude: Iterable[str] = (),
                   source: str | None = None) -> tuple[str, float] | None:
        found = self.matches(sig, exclude, source)
        return found[0] if found else None
