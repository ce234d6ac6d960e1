"""What the store remembers of each URL a crawl fetched: the crawl state that makes
the next run incremental and a killed run resumable.

A URL's state is written only once the URL's work is done (a feed or listing once its
links are known, an article once the pipelines stored or dropped it), so a run killed
at any moment leaves every URL either done or unknown, never half done.

>>> s = UrlState(url="https://ex.com/a/", source="ex", kind="article")
>>> s.is_leaf, s.links
(True, [])
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

#: kinds of URL state
FEED, SITEMAP, PAGE, ARTICLE, DROPPED = "feed", "sitemap", "page", "article", "dropped"


@dataclass
class UrlState:
    """One fetched URL (the canonical request URL, as discovery produced it)."""

    url: str
    source: str
    #: feed | sitemap | page (home, section, tag ... listings) | article | dropped
    kind: str
    etag: str | None = None
    last_modified: str | None = None
    #: sha1 of the response body: an unchanged body is not extracted again
    body_hash: str = ""
    #: the article's publication date (for the refresh age)
    published: datetime | None = None
    #: what the URL led to, replayed when it is unchanged: for a feed or sitemap
    #: ``{"kind": ..., "entries": [[url, iso date or null], ...]}``; for a listing page
    #: ``{"links": [...], "next": [...]}``; for an article its suggested links ``[url, ...]``
    links: Any = field(default_factory=list)
    first_seen: datetime | None = None
    #: last time the server gave us this URL (200 or 304)
    last_seen: datetime | None = None
    #: last time its body changed
    last_changed: datetime | None = None
    #: the date each feed or sitemap listed it with when last seen: ``{listing URL: ISO
    #: date}``; a listed date that *differs* from it (newer or not) means "changed"
    listed: dict[str, str] = field(default_factory=dict)

    @property
    def is_leaf(self) -> bool:
        """An article page (stored or dropped): re-fetched only when it may have changed."""
        return self.kind in (ARTICLE, DROPPED)
