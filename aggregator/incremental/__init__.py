"""Incremental crawling: each run does only the new work.

The store's ``url_state`` table (:class:`aggregator.state.UrlState`) remembers every URL a
crawl fetched. With it three components of the crawl -- :class:`CrawlState` (an extension:
the bookkeeping, one per crawler), the downloader middleware of
:mod:`aggregator.incremental.downloader` (validators out, 304 / same body in) and the spider
middleware of :mod:`aggregator.incremental.spider` (what is requested at all, and the replay
of what is not) --

* send conditional requests (``If-None-Match`` / ``If-Modified-Since``) for feeds,
  sitemaps and listing pages, and do not parse them again on a 304 or an unchanged
  body (sha1) -- they *replay* the links stored for them instead;
* do not request a known article at all when the feed or sitemap date says it has not
  changed since it was last fetched -- the date is at or after our last fetch, or differs
  from the one the same feed / sitemap listed it with last time (``UrlState.listed``: a
  site whose clock lags, or that back-dates its edits, still brings the article back) --
  or when it is older than the refresh age
  (``AGGREGATOR_REFRESH_AGE`` hours / the source's ``refresh_hours``); a recent article is
  re-checked with a conditional request, so a 304 costs a few hundred bytes;
* resume a killed run: a URL's state is written only when its work is done, so the next
  run fetches what was in flight and replays the links of what was finished.

Why the store and not Scrapy's HTTP cache (``HTTPCACHE_POLICY = RFC2616Policy``): the cache
keeps a second copy of every body on disk, serves ``max-age``-fresh pages without asking
the site (a news home page says ``max-age=60``, we want to see new stories), and knows
nothing of sitemap dates, articles or the links a page led to. The URL state is one row
per URL, in the same SQLite file as the articles, and survives a SIGKILL.
"""

from __future__ import annotations

import hashlib
import logging
from datetime import datetime, timedelta, timezone, tzinfo
from typing import Any
from zoneinfo import ZoneInfo

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem, IgnoreRequest, NotConfigured
from scrapy.http import Response
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.python.failure import Failure

from aggregator.crawlerrors import request_failed
from aggregator.crawlsettings import crawl_source
from aggregator.crawlstore import store_of
from aggregator.items import Article
from aggregator.state import ARTICLE, DROPPED, UrlState
from aggregator.store import CrawlStateStore

logger = logging.getLogger(__name__)

#: decisions for a discovered URL
FETCH, REVALIDATE, SKIP = "fetch", "revalidate", "skip"

STATS = "aggregator/incremental/"
#: listed dates written at once (see CrawlState._save_late_listed)
LISTED_BATCH = 1000
#: a URL whose fetch failed waits this long before the next try, doubled after each failure
#: in a row, up to MAX_FAILURE_BACKOFF
FAILURE_BACKOFF = timedelta(hours=1)
MAX_FAILURE_BACKOFF = timedelta(days=7)


def body_hash(body: bytes) -> str:
    return hashlib.sha1(body).hexdigest()


def _aware(when: datetime, tz: tzinfo) -> datetime:
    return when if when.tzinfo is not None else when.replace(tzinfo=tz)


class CrawlState:
    """The crawl state of one source's crawl: an extension (``EXTENSIONS``), one per crawler,
    which the incremental middlewares share (:meth:`of`). It connects to the signals that end
    a URL's work: an article's state is written once the pipelines stored or dropped it, a
    failed fetch is remembered for the back-off, the listed dates are saved at close.

    ``AGGREGATOR_INCREMENTAL = False`` keeps the bookkeeping but fetches everything.
    """

    def __init__(self, crawler: Crawler, source: str, *, refresh_age: timedelta,
                 tz: tzinfo = timezone.utc, enabled: bool = True) -> None:
        self.crawler = crawler
        self.source = source
        self.refresh_age = refresh_age
        self.tz = tz
        self.enabled = enabled
        self._store: CrawlStateStore | None = None
        #: several processes share the run (aggregator.frontier): see hand_over
        self.shared = False
        #: known URLs not requested this run (skipped articles, sitemaps skipped by date)
        self.skipped: set[str] = set()
        #: listed dates found this run that neither went with a request (its meta
        #: ``listed``) nor were written with the URL's state: url -> {listing: ISO date}.
        #: Entries leave as soon as they are handed on, so it stays small however many URLs
        #: the feeds and sitemaps list (a 100,000-URL sitemap does not keep 100,000 here).
        self._listed_now: dict[str, dict[str, str]] = {}
        #: the size of _listed_now at which the dates of URLs done are written
        self._flush_at = LISTED_BATCH * 10

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> "CrawlState":
        """The state of the crawler's source (``AGGREGATOR_SOURCE``, set by the news spider);
        its ``refresh_hours`` win over ``AGGREGATOR_REFRESH_AGE``, its ``timezone`` dates the
        undated sitemap and feed dates."""
        settings = crawler.settings
        src = crawl_source(settings)
        if src is None:
            raise NotConfigured  # not a crawl of a source (no news spider)
        hours = src.refresh_hours if src.refresh_hours is not None else settings.getfloat(
            "AGGREGATOR_REFRESH_AGE", 24.0)
        state = cls(crawler, src.name, refresh_age=timedelta(hours=max(hours, 0.0)),
                    tz=ZoneInfo(src.timezone),
                    enabled=settings.getbool("AGGREGATOR_INCREMENTAL", True))
        state.shared = bool(settings.get("AGGREGATOR_REDIS_URL"))
        crawler.signals.connect(state.item_scraped, signal=signals.item_scraped)
        crawler.signals.connect(state.item_dropped, signal=signals.item_dropped)
        crawler.signals.connect(state.spider_closed, signal=signals.spider_closed)
        crawler.signals.connect(state.request_failed, signal=request_failed)
        return state

    @classmethod
    def of(cls, crawler: Crawler) -> "CrawlState":
        """The crawler's :class:`CrawlState` extension; ``NotConfigured`` (the component asking
        is switched off) when the crawler has none: not a crawl of a source, or a project whose
        ``EXTENSIONS`` leave it out."""
        state = crawler.get_extension(cls)
        if state is None:
            raise NotConfigured("incremental crawling needs the extension "
                                "aggregator.incremental.CrawlState in EXTENSIONS")
        return state

    @property
    def store(self) -> CrawlStateStore:
        """The crawler's store (taken on first use, from :mod:`aggregator.crawlstore`)."""
        if self._store is None:
            self._store = store_of(self.crawler)
        return self._store

    def spider_closed(self, spider: object = None) -> None:
        self._save_late_listed(final=True)

    def _save_late_listed(self, final: bool = False) -> None:
        """Write the listed dates found this run that are not stored yet -- those of a URL
        skipped this run, or listed again after its state was written (here, or by another
        process on the shared frontier, :mod:`aggregator.frontier`) -- a batch of
        :data:`LISTED_BATCH` URLs per transaction, and forget them. At close (``final``),
        a URL whose fetch failed, or that was not fetched, is not done: it keeps its old
        dates, so the next run still sees the change; before, its dates are kept here."""
        started = self.crawler.stats.get_value("start_time")
        if started is not None:  # the store keeps whole seconds: a fetch in our first
            started = started.replace(microsecond=0)  # second is this run's too
        urls = list(self._listed_now)
        for at in range(0, len(urls), LISTED_BATCH):
            changed = {}
            for url in urls[at:at + LISTED_BATCH]:
                state = self.store.url_state(url)
                done = state is not None and (url in self.skipped or (
                    started is not None and state.last_seen is not None
                    and state.last_seen >= started))
                if not done and not final:
                    continue
                dates = self._listed_now.pop(url)
                if done and state is not None and {**state.listed, **dates} != state.listed:
                    changed[url] = dates
            if changed:
                self.store.save_listed(changed)
        self._flush_at = len(self._listed_now) + LISTED_BATCH * 10

    def mark_skipped(self, url: str, state: UrlState) -> None:
        """``url`` (known) is not requested this run."""
        self.skipped.add(url)
        dates = self._listed_now.get(url)
        if dates is not None and {**state.listed, **dates} == state.listed:
            del self._listed_now[url]  # nothing new to write at close

    def unskip(self, url: str) -> None:
        """A later feed or sitemap date says the skipped ``url`` changed: it is requested."""
        self.skipped.discard(url)

    def _inc(self, key: str, n: int = 1) -> None:
        assert self.crawler.stats is not None
        self.crawler.stats.inc_value(STATS + key, n)

    # --- failing URLs: exponential back-off ------------------------------------------------
    def request_failed(self, failure: Failure) -> None:
        """A fetch failed (an HTTP error after retries, too large, a timeout...): remember it,
        so the next runs wait before asking again (:meth:`backing_off`)."""
        request = getattr(failure, "request", None)
        if request is None or not self.enabled:
            return
        if isinstance(failure.value, IgnoreRequest) and not isinstance(failure.value, HttpError):
            return  # refused by us (robots.txt, an off-site redirect): nothing failed there
        url = (request.meta.get("redirect_urls") or [request.meta.get("state_url") or request.url])[0]
        response = getattr(failure.value, "response", None)
        kind = f"http_{response.status}" if response is not None else type(failure.value).__name__
        size = len(response.body) if response is not None else int(
            request.meta.get("download_size", 0) or 0)
        self.store.note_failure(url, self.source, kind, size)

    def backing_off(self, url: str, now: datetime | None = None) -> bool:
        """Whether ``url`` failed lately and is not asked for this run: after ``n`` failures
        in a row it waits ``FAILURE_BACKOFF * 2**(n-1)``, at most ``MAX_FAILURE_BACKOFF``."""
        if not self.enabled:
            return False
        known = self.store.failure_of(url)
        if known is None:
            return False
        failures, when = known
        wait = min(FAILURE_BACKOFF * 2 ** max(failures - 1, 0), MAX_FAILURE_BACKOFF)
        if (now or datetime.now(timezone.utc)) - when < wait:
            self._inc("skipped_failing")
            return True
        return False

    # --- before a request ---------------------------------------------------------
    def lookup(self, url: str) -> UrlState | None:
        return self.store.url_state(url)

    def note_listed(self, url: str, state: UrlState | None, listing: str | None,
                    updated: datetime | None) -> bool:
        """Remember that the feed or sitemap ``listing`` lists ``url`` dated ``updated``;
        True if that date differs from the one ``listing`` gave it last time."""
        if listing is None or updated is None:
            return False
        date = updated.isoformat()
        self._listed_now.setdefault(url, {})[listing] = date
        if len(self._listed_now) >= self._flush_at:  # URLs listed again after their work:
            self._save_late_listed()  # their dates are written now, not all kept to the end
        if state is None:
            return False
        before = state.listed.get(listing)
        if before is None or before == date or not self.enabled:
            return False
        self._inc("changed_listing")
        return True

    def hand_over(self, url: str) -> dict[str, str]:
        """The listed dates found so far this run for ``url``, for its request's meta (they
        travel with it through the disk queue); :meth:`take_carried` takes them back. On the
        shared frontier a copy stays here until the URL is done: the request may be dropped
        as one another process already queued, and the dates go with that one's state."""
        if self.shared:
            return dict(self._listed_now.get(url, {}))
        return self._listed_now.pop(url, {})

    def take_carried(self, url: str, meta: dict[str, Any]) -> None:
        """Add the listed dates the request carried (:meth:`hand_over`)."""
        carried = meta.get("listed")
        if carried:
            mine = self._listed_now.setdefault(url, {})
            for listing, date in carried.items():
                mine.setdefault(listing, date)

    def listed_of(self, url: str, previous: UrlState | None) -> dict[str, str]:
        """The listed dates to store for ``url``: the stored ones, updated by this run's,
        which are then no longer kept here (a later listing is written at close)."""
        merged = dict(previous.listed) if previous is not None else {}
        merged.update(self._listed_now.pop(url, {}))
        return merged

    def decide(self, state: UrlState | None, updated: datetime | None = None,
               now: datetime | None = None, relisted: bool = False) -> str:
        """Whether to fetch a discovered URL, fetch it conditionally, or skip it (and
        replay its stored links): see the module docstring. ``relisted``: its feed or
        sitemap date differs from last time (:meth:`note_listed`)."""
        if state is None or not self.enabled:
            return FETCH
        if not state.is_leaf or relisted:
            return REVALIDATE
        now = now or datetime.now(timezone.utc)
        if self.changed_since_seen(state, updated):
            return REVALIDATE
        born = state.published or state.first_seen or now
        if self.refresh_age and now - born <= self.refresh_age:
            self._inc("refreshed")
            return REVALIDATE
        self._inc("skipped_by_date" if updated is not None else "skipped_not_recent")
        return SKIP

    def changed_since_seen(self, state: UrlState | None, updated: datetime | None) -> bool:
        """Whether a feed/sitemap date says the URL changed after we last fetched it (a
        date equal to it counts as changed: dates are often rounded to the second)."""
        if state is None or updated is None or state.last_seen is None:
            return False
        if _aware(updated, self.tz) >= state.last_seen:
            self._inc("changed_by_date")
            return True
        return False

    def aware(self, when: datetime) -> datetime:
        """``when``, in the source's timezone if it has none."""
        return _aware(when, self.tz)

    def conditional_headers(self, state: UrlState | None) -> dict[str, str]:
        if state is None or not self.enabled:
            return {}
        headers = {}
        if state.etag:
            headers["If-None-Match"] = state.etag
        if state.last_modified:
            headers["If-Modified-Since"] = state.last_modified
        if headers:
            self._inc("conditional")
        return headers

    # --- after a response -----------------------------------------------------------
    def unchanged(self, response: Response, state: UrlState | None,
                  meta: dict[str, Any]) -> bool:
        """Whether the response says the URL is as we last saw it (a 304, or the same
        body); confirms it in the store if so. ``meta``: its request's (a response is tied
        to its request only once it leaves the downloader)."""
        if state is None:
            return False
        if response.status == 304:
            how = "not_modified"
        elif self.enabled and state.body_hash and body_hash(response.body) == state.body_hash:
            how = "same_body"
        else:
            return False
        self._inc(how)
        self.take_carried(state.url, meta)
        if state.is_leaf:  # a known article confirmed unchanged (for health)
            self._inc("leaf_" + how)
        listed = self.listed_of(state.url, state)
        self.store.touch_url_state(state.url, listed=listed if listed != state.listed else None)
        return True

    def record(self, url: str, response: Response, kind: str, links: Any,
               published: datetime | None = None, previous: UrlState | None = None) -> None:
        """Remember a fetched URL whose work is done (and forget its failures)."""
        if previous is not None and previous.kind == ARTICLE and kind not in (ARTICLE, DROPPED):
            # was an article, now is not: a redesign the extraction no longer understands
            self._inc("lost_articles")
        now = datetime.now(timezone.utc)
        self.take_carried(url, response.meta)
        # a rendered page is remembered by the body the site served (aggregator.rendering):
        # the next run's plain request is compared with that
        new_hash = response.meta.get("render_body_hash") or body_hash(response.body)
        listed = self.listed_of(url, previous)
        self.store.save_url_state(UrlState(
            url=url, source=self.source, kind=kind,
            etag=_header(response, b"ETag"), last_modified=_header(response, b"Last-Modified"),
            body_hash=new_hash, published=published, links=links, last_seen=now,
            listed=listed,
        ), changed=previous is None or previous.body_hash != new_hash)
        self.store.clear_failure(url)

    # --- signals: an article's state is written once the pipelines are done with it ---
    def item_scraped(self, item: Any, response: Response, spider: Any = None) -> None:
        if isinstance(item, Article) and response is not None:
            self._record_item(item, response, ARTICLE)

    def item_dropped(self, item: Any, response: Response, exception: DropItem,
                     spider: Any = None) -> None:
        if isinstance(item, Article) and response is not None:
            self._record_item(item, response, DROPPED)

    def _record_item(self, item: Article, response: Response, kind: str) -> None:
        url = response.meta.get("state_url") or response.url
        self.record(url, response, kind, [link.url for link in item.related],
                    published=item.published, previous=response.meta.get("state"))


def _header(response: Response, name: bytes) -> str | None:
    value = response.headers.get(name)
    return value.decode("latin-1") if value else None
