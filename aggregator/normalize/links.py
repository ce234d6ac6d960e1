"""Suggested / related links: absolute, canonical, tracking-free, de-duplicated, the
article's own URL dropped, titles cleaned, renumbered 1..n in page order, marked internal
(same site as the article) or external.

>>> from aggregator.items import RelatedLink
>>> links = [RelatedLink("/b?utm_source=x", " B &amp; co "), RelatedLink("/a#top", "Self"),
...          RelatedLink("https://other.org/c", "C"), RelatedLink("/b", "B again")]
>>> [(l.position, l.url, l.title, l.internal) for l in
...  normalize_related(links, "https://ex.com/a")]
[(1, 'https://ex.com/b', 'B & co', True), (2, 'https://other.org/c', 'C', False)]
"""

from __future__ import annotations

from collections.abc import Iterable

from aggregator.items import RelatedLink
from aggregator.urls import canonical_url, join, same_site, split

from .text import cap, clean_text


#: a suggested link's title is cut (at a word) to this many characters
MAX_LINK_TITLE = 300


def same_link_key(url: str) -> str:
    """What makes two canonical URLs one link: the path without its trailing slash
    ("/a" and "/a/" are one page on every site that serves both).

    >>> same_link_key("https://ex.com/a/") == same_link_key("https://ex.com/a")
    True
    """
    parts = split(url)
    return parts._replace(path=parts.path.rstrip("/") or "/").geturl()


def normalize_related(links: Iterable[RelatedLink], article_url: str, *,
                      canonical: str = "", tracking_params: Iterable[str] = ()) -> list[RelatedLink]:
    """The cleaned list of ``links`` of the article at ``article_url`` (its final URL, which
    relative links are resolved against) whose canonical URL is ``canonical``."""
    extra = tuple(tracking_params)
    own = {canonical_url(article_url, extra)}
    if canonical:
        own.add(canonical_url(canonical, extra))
    own_keys = {same_link_key(u) for u in own}
    seen: set[str] = set()
    out: list[RelatedLink] = []
    ordered = sorted(enumerate(links), key=lambda il: (il[1].position or il[0] + 1, il[0]))
    for _, link in ordered:
        if not link.url or not link.url.strip():
            continue
        absolute = join(article_url, link.url.strip())
        parts = split(absolute)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            continue
        url = canonical_url(absolute, extra)
        key = same_link_key(url)
        if key in own_keys or key in seen:
            continue
        seen.add(key)
        out.append(RelatedLink(
            url=url,
            title=cap(clean_text(link.title, decode_entities=True), MAX_LINK_TITLE)[0],
            position=len(out) + 1,
            internal=same_site(url, article_url),
            article_url=link.article_url,
        ))
    return out
