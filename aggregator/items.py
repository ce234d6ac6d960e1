"""The typed items that flow from spiders through pipelines into the store.

Pipelines and exporters read them through :class:`itemadapter.ItemAdapter`, so a
dataclass is all an item needs to be.

>>> a = Article(url="https://example.com/a", title="Hello")
>>> a.canonical_url == ""
True
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


@dataclass
class LeadImage:
    """The article's lead image: where it is, what it shows, who made it."""

    url: str
    caption: str = ""
    credit: str = ""


@dataclass
class RelatedLink:
    """One link of a "Suggested Articles" / related block, in page order."""

    url: str
    title: str = ""
    position: int = 0
    internal: bool = True
    #: canonical URL of an article already in the store, when the link points at one
    article_url: str | None = None


@dataclass(frozen=True)
class StoryPlace:
    """Where an article goes among the stories (:mod:`aggregator.pipelines.stories`),
    decided before it is stored and written with it, in the same transaction."""

    #: the story to join; None keeps the article's own story (a new one when it has none)
    story_id: int | None
    #: the body's MinHash signature (None: too short to compare) and its LSH band keys
    signature: bytes | None
    bands: tuple[int, ...] = ()
    #: the keys of the body's paragraphs, the evidence of boilerplate for later comparisons
    paragraphs: tuple[int, ...] = ()


@dataclass(frozen=True)
class PageLinks:
    """What a crawl learns from one page about its source's template (see
    :mod:`aggregator.template`): the URLs the page links to and the signatures of its link
    blocks. Taken off the article by the spider; never stored or exported."""

    links: frozenset[str] = frozenset()
    blocks: frozenset[str] = frozenset()


@dataclass
class Article:
    """One article as extracted from one page.

    Datetimes are timezone-aware (UTC once normalised); ``None`` means "not found",
    never "now".
    """

    url: str
    title: str = ""
    canonical_url: str = ""
    source: str = ""
    summary: str = ""
    authors: list[str] = field(default_factory=list)
    published: datetime | None = None
    modified: datetime | None = None
    #: where each date came from, e.g. {"published": "jsonld", "modified": "meta"}
    date_sources: dict[str, str] = field(default_factory=dict)
    #: the offset the source wrote its dates in, e.g. "+08:00", kept after conversion to UTC
    source_offset: str | None = None
    body_text: str = ""
    body_html: str = ""
    image: LeadImage | None = None
    tags: list[str] = field(default_factory=list)
    language: str | None = None
    related: list[RelatedLink] = field(default_factory=list)
    fetched_at: datetime | None = None
    content_hash: str = ""
    #: flags raised by normalisation, e.g. ["published_in_future"]
    flags: list[str] = field(default_factory=list)
    #: the page's links and link blocks, for the crawl's template statistics (transient)
    page_links: PageLinks | None = field(default=None, repr=False, compare=False)


@dataclass
class PageInfo:
    """What extraction says about a page that is not an article (index, section, tag)."""

    url: str
    kind: str  # "index", "section", "tag", "author", "empty", ...
    reason: str = ""
