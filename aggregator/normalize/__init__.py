"""Normalisation: everything between "extracted" and "stored", as pure functions.

The item pipelines (``aggregator.pipelines``) and ``aggregator extract`` apply the same steps,
in the same order, through this package:

=========  =====================================================================
step       what it does
=========  =====================================================================
urls       canonical URL (declared rel=canonical/og:url when same-site and sane)
text       title, summary, body text, tags, caption: NFC, junk characters out
dates      UTC, ``source_offset`` kept, future / pre-1990 dates flagged and dropped
authors    bylines split into person names
html       body HTML sanitised (nh3 allow-list), URLs absolute, lazy images
links      suggested links absolute, canonical, de-duplicated, renumbered
=========  =====================================================================

Each ``apply_<step>(article, options)`` changes ``article`` in place and returns the names of
the events it saw (the pipelines count them); :func:`normalize_article` applies them all to a
copy. Dedup and storing are not per-article steps: see :mod:`.dedup` and the store.

>>> from datetime import datetime, timezone
>>> a = Article(url="https://Ex.com/a?utm_source=x", title=" Hi&#8217;s ",
...             body_text="Body\\u200b text", authors=["By ANN LEE and Bo Chan"],
...             published=datetime(2023, 4, 12, 9, 30), body_html='<p onclick="x">Body</p>',
...             fetched_at=datetime(2024, 1, 1, tzinfo=timezone.utc))
>>> n = normalize_article(a, timezone="Asia/Hong_Kong")
>>> n.canonical_url, n.title, n.body_text, n.authors
('https://ex.com/a', 'Hi’s', 'Body text', ['Ann Lee', 'Bo Chan'])
>>> n.published.isoformat(), n.source_offset, n.body_html
('2023-04-12T01:30:00+00:00', '+08:00', '<p>Body</p>')
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from aggregator.extraction.text import content_hash
from aggregator.items import Article
from aggregator.urls import choose_canonical, join, split

from .authors import split_authors
from .dates import DEFAULT_FUTURE_TOLERANCE, normalize_dates
from .html import sanitize_html
from .links import normalize_related
from .text import cap, clean_body_text, clean_text

__all__ = ["NormalizeOptions", "STEPS", "normalize_article", "apply_urls", "apply_text",
           "apply_dates", "apply_authors", "apply_html", "apply_links"]


@dataclass
class NormalizeOptions:
    """What the steps need to know beyond the article."""

    #: the source's time zone, for naive dates (``Source.timezone``)
    timezone: str = "UTC"
    #: query parameters stripped on top of the built-in tracking list
    tracking_params: tuple[str, ...] = ()
    #: how far past the fetch time a date may lie before it is distrusted
    future_tolerance: timedelta = DEFAULT_FUTURE_TOLERANCE
    #: "now" for the future-date check; default: the article's ``fetched_at``, else the clock
    now: datetime | None = None
    extra: dict[str, object] = field(default_factory=dict)


def apply_urls(article: Article, options: NormalizeOptions) -> list[str]:
    """The article's canonical URL, by the one policy of :mod:`aggregator.urls`."""
    declared = article.canonical_url.strip() if article.canonical_url else ""
    article.canonical_url = choose_canonical(article.url, declared or None,
                                             options.tracking_params)
    if not declared:
        return ["own"]
    own = choose_canonical(article.url, None, options.tracking_params)
    if article.canonical_url == own:
        # the declared URL was the page's own, or it was not same-site/sane and was ignored
        same = choose_canonical(declared, None, options.tracking_params) == own
        return ["declared_same" if same else "declared_rejected"]
    return ["declared"]


#: the longest a text field may be (characters): longer ones are cut at a word and the
#: article flagged "capped_<field>" (a 100 KB <title> is an attack or a bug, not a title)
MAX_LENGTHS = {"title": 300, "summary": 1000, "tag": 100, "caption": 500, "credit": 200,
               "author": 100}


def _capped(article: Article, field: str, text: str) -> str:
    text, cut = cap(text, MAX_LENGTHS[field])
    if cut and f"capped_{field}" not in article.flags:
        article.flags.append(f"capped_{field}")
    return text


def apply_text(article: Article, options: NormalizeOptions) -> list[str]:
    """Clean every text field; count the ones that changed."""
    events = []
    before = (article.title, article.summary, article.body_text)
    article.title = _capped(article, "title", clean_text(article.title, decode_entities=True))
    article.summary = _capped(article, "summary",
                              clean_text(article.summary, decode_entities=True))
    article.body_text = clean_body_text(article.body_text)
    for name, old, new in zip(("title", "summary", "body"), before,
                              (article.title, article.summary, article.body_text)):
        if old != new:
            events.append(f"{name}_changed")
    tags, seen = [], set()
    for tag in article.tags:
        cleaned = _capped(article, "tag", clean_text(tag, decode_entities=True)) \
            if isinstance(tag, str) else ""
        if cleaned and cleaned.casefold() not in seen:
            seen.add(cleaned.casefold())
            tags.append(cleaned)
    article.tags = tags
    if article.image is not None:
        article.image.caption = _capped(article, "caption",
                                        clean_text(article.image.caption, decode_entities=True))
        article.image.credit = _capped(article, "credit",
                                       clean_text(article.image.credit, decode_entities=True))
        image_url = join(article.url, (article.image.url or "").strip())
        if split(image_url).scheme in ("http", "https"):
            article.image.url = image_url
        else:
            article.image = None
            events.append("image_dropped")
    if article.language:
        article.language = clean_text(article.language).lower() or None
    hashed = content_hash(article.body_text) if article.body_text else ""
    if hashed != article.content_hash:
        article.content_hash = hashed
    return events or ["clean"]


def apply_dates(article: Article, options: NormalizeOptions) -> list[str]:
    """Dates in UTC, the source offset kept, implausible ones flagged and dropped."""
    result = normalize_dates(article.published, article.modified, zone=options.timezone,
                             now=options.now or article.fetched_at,
                             future_tolerance=options.future_tolerance)
    had_published = article.published is not None
    article.published, article.modified = result.published, result.modified
    article.source_offset = result.source_offset
    for flag in result.flags:
        if flag not in article.flags:
            article.flags.append(flag)
    for name in ("published", "modified"):
        if name in result.distrusted and name in article.date_sources:
            article.date_sources[name + "_distrusted"] = article.date_sources.pop(name)
    events = [f"{name}_distrusted_{why}" for name, why in result.distrusted.items()]
    if article.published is not None:
        events.append("published")
    elif had_published and "published" not in result.distrusted:
        events.append("published_unparseable")
    else:
        events.append("published_missing")
    return events


def apply_authors(article: Article, options: NormalizeOptions) -> list[str]:
    """Bylines split and cleaned into person names."""
    before = list(article.authors)
    article.authors = [_capped(article, "author", name) for name in split_authors(before)]
    if not article.authors:
        return ["none"]
    return ["changed" if article.authors != before else "kept"]


def apply_html(article: Article, options: NormalizeOptions) -> list[str]:
    """The body HTML sanitised, its URLs made absolute against the final page URL."""
    if not article.body_html:
        return ["empty"]
    before = article.body_html
    article.body_html = sanitize_html(before, article.url)
    return ["sanitised" if article.body_html != before else "clean"]


def apply_links(article: Article, options: NormalizeOptions) -> list[str]:
    """Suggested links cleaned; renumbered 1..n."""
    before = len(article.related)
    article.related = normalize_related(article.related, article.url,
                                        canonical=article.canonical_url,
                                        tracking_params=options.tracking_params)
    events = ["kept"] * len(article.related)
    events += ["removed"] * (before - len(article.related))
    events += ["internal"] * sum(1 for link in article.related if link.internal)
    events += ["external"] * sum(1 for link in article.related if not link.internal)
    return events


Step = Callable[[Article, NormalizeOptions], list[str]]
#: the per-article steps, in pipeline order
STEPS: list[tuple[str, Step]] = [
    ("urls", apply_urls),
    ("text", apply_text),
    ("dates", apply_dates),
    ("authors", apply_authors),
    ("html", apply_html),
    ("links", apply_links),
]


def normalize_article(article: Article, *, timezone: str = "UTC",
                      tracking_params: Iterable[str] = (), now: datetime | None = None,
                      future_tolerance: timedelta = DEFAULT_FUTURE_TOLERANCE) -> Article:
    """A normalised copy of ``article``: every per-article step, in pipeline order.

    Apply it once, to what extraction returned: entity references left in metadata are
    decoded exactly once.
    """
    result = copy.deepcopy(article)
    options = NormalizeOptions(timezone=timezone or "UTC", tracking_params=tuple(tracking_params),
                               now=now, future_tolerance=future_tolerance)
    for _name, step in STEPS:
        step(result, options)
    return result
