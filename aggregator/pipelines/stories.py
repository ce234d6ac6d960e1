"""One story once: the copies of a story published by several sources (syndicated or
press-release copies with small edits) are grouped into one story in the store.

:class:`StoryGrouper` is the store pipeline's helper (:mod:`aggregator.pipelines.store`):
before an article is stored it decides the article's story (:meth:`StoryGrouper.place`) --
its body's MinHash signature is compared with the signatures of the stored articles that
share one of its LSH bands (:func:`aggregator.normalize.dedup.band_keys`; the store keeps and
indexes them, ``Store.story_candidates``) -- and the store writes the article and its story
in one transaction; then :meth:`StoryGrouper.settle` looks once more for what other crawlers
stored meanwhile. Crawlers of several sources running at once -- and earlier runs -- see each
other's articles, and a crawler's memory does not grow with the store.

A signature only proposes candidates. A candidate is confirmed on the two articles' own
text (:meth:`StoryGrouper.confirm`): the paragraphs that an article outside the story
also has -- a disclaimer, a newsletter plug, a network's shared footer -- are left out of
both bodies and what remains must still reach the threshold, exactly. When a later article
shows a paragraph to be boilerplate after a join, the story is confirmed again
(:meth:`StoryGrouper.recheck`) and a copy that no longer holds leaves it. So articles that
share long boilerplate are never folded into one story (and never hidden from a mixed
feed as "copies"); at most :data:`CONFIRM_CANDIDATES` candidates are checked.

Stats: ``aggregator/stories/{new,joined,kept,unchanged,too_short,not_confirmed,split,banded}``
and ``aggregator/stories/microseconds`` (time spent, for the cost per article).
"""

from __future__ import annotations

import logging
import time
from typing import Any

from scrapy.settings import BaseSettings
from scrapy.statscollectors import StatsCollector

from aggregator.items import Article, StoryPlace
from aggregator.normalize import dedup
from aggregator.store import Store

logger = logging.getLogger(__name__)

#: the most similar candidates confirmed on their own text, per article
CONFIRM_CANDIDATES = 5
#: signatures given their LSH bands per store query when a crawl opens an older store
BAND_BATCH = 500


class StoryGrouper:
    """Decides each article's story against the store (see the module)."""

    def __init__(self, settings: BaseSettings, stats: StatsCollector | None) -> None:
        self.threshold = settings.getfloat("AGGREGATOR_STORY_THRESHOLD", dedup.DEFAULT_THRESHOLD)
        self.stats = stats
        self.store: Store | None = None
        #: the store's lock token when the last article's look-up began (Store.lock_token)
        self._looked_up_under: int | None = None

    def count(self, event: str, n: int = 1) -> None:
        if self.stats is not None:
            self.stats.inc_value(f"aggregator/stories/{event}", n)

    def open(self, store: Store) -> None:
        """Work on ``store`` from now on; give its older signatures their bands."""
        self.store = store
        self.band_stored()

    def band_stored(self) -> None:
        """Give the LSH bands to signatures stored before the store kept them (once)."""
        assert self.store is not None
        while batch := self.store.unbanded_signatures(BAND_BATCH):
            for url, blob in batch:
                self.store.set_bands(url, self.bands_of(url, blob))
                self.count("banded")

    def candidates(self, key: str, sig: Any, bands: list[int], source: str
                   ) -> list[tuple[tuple[str, float], int | None]]:
        """Stored articles of other sources whose signature reaches the threshold against
        ``sig``, most similar first, as ``((url, similarity), story)``."""
        assert self.store is not None
        found = self.store.story_candidates(bands, source, key, dedup.MAX_CANDIDATES)
        stories = {url: story for url, story, _ in found}
        signatures = []
        for url, _, blob in found:
            try:
                signatures.append((url, dedup.from_blob(blob)))
            except ValueError as exc:
                logger.warning("%s: stored MinHash signature unusable: %s", url, exc)
                self.count("bad_signature")
        return [(match, stories[match[0]])
                for match in dedup.ranked(signatures, sig, self.threshold)]

    def place(self, article: Article) -> tuple[StoryPlace | None, str]:
        """Where ``article`` goes among the stories (None: where it is, unchanged), and the
        event to count once it is stored."""
        assert self.store is not None
        started = time.perf_counter()
        try:
            return self._place(article)
        finally:
            self.count("microseconds", int((time.perf_counter() - started) * 1e6))

    def _place(self, article: Article) -> tuple[StoryPlace | None, str]:
        assert self.store is not None
        self._looked_up_under = self.store.lock_token()
        key = article.canonical_url or article.url
        current_story, current_blob = self.store.story_state(key) or (None, None)
        sig, paragraph_keys = dedup.signature_and_keys(article.body_text)
        blob = dedup.to_blob(sig) if sig is not None else None
        if current_story is not None and blob == current_blob:
            return None, "unchanged"
        # boilerplate evidence for later comparisons, short bodies included
        keys = tuple(paragraph_keys)
        self.recheck(key, keys)
        if sig is None:
            return StoryPlace(current_story, None, (), keys), "too_short"
        bands = dedup.band_keys(sig)
        match, target = self.find_copy(key, article, sig, bands)
        place = StoryPlace(target if target is not None else current_story, blob, tuple(bands),
                           keys)
        if match is not None and target is not None and target != current_story:
            logger.info("%s is a copy of %s (similarity %.2f): story %d", key, match[0],
                        match[1], target)
            return place, "joined"
        return place, "kept" if current_story is not None else "new"

    def settle(self, article: Article, place: StoryPlace | None, event: str) -> None:
        """After ``article`` is stored where :meth:`place` said: join a copy another crawler
        stored meanwhile; count ``event``."""
        assert self.store is not None
        started = time.perf_counter()
        try:
            token, self._looked_up_under = self._looked_up_under, None
            # a look-up and a write that held the lock throughout let no copy in between
            late_possible = token is None or self.store.lock_token() != token
            if late_possible and place is not None and event == "new" \
                    and place.signature is not None:
                event = self.join_late_copy(article.canonical_url or article.url, article, place)
            self.count(event)
        finally:
            self.count("microseconds", int((time.perf_counter() - started) * 1e6))

    def join_late_copy(self, key: str, article: Article, place: StoryPlace) -> str:
        """A copy stored by another crawler between our look-up and our write (two workers
        on two copies at once): the later writer sees the earlier one now, and the article
        joins the older story -- both crawlers agree which."""
        assert self.store is not None and place.signature is not None
        story = self.store.story_of(key)
        late, late_story = self.find_copy(key, article, dedup.from_blob(place.signature),
                                          list(place.bands))
        if late is None or late_story is None or story is None or late_story >= story:
            return "new"
        self.store.set_story(key, late_story, place.signature, place.bands)
        logger.info("%s is a copy of %s (similarity %.2f): story %d", key, late[0], late[1],
                    late_story)
        return "joined"

    def find_copy(self, key: str, article: Article, sig: Any, bands: list[int]
                  ) -> tuple[tuple[str, float] | None, int | None]:
        """The most similar stored article of another source confirmed as a copy of
        ``article`` (see :meth:`confirm`) and its story; ``(None, None)`` when none is."""
        for candidate, story in self.candidates(key, sig, bands, article.source
                                                )[:CONFIRM_CANDIDATES]:
            if story is None:
                continue
            if self.confirm(key, article.body_text, candidate[0], story):
                return candidate, story
            self.count("not_confirmed")
        return None, None

    def recheck(self, key: str, keys: tuple[int, ...]) -> None:
        """Confirm again the stories of several copies that share a paragraph with the
        article ``key`` about to be stored (its paragraph ``keys``): that paragraph may be
        boilerplate no article outside the story had when they were joined (two sources'
        first articles under one network notice). A copy no longer confirmed against the
        story's first copy leaves it for a story of its own."""
        assert self.store is not None
        for story in self.store.stories_sharing(list(keys), key):
            members = self.store.story_members(story)
            for member in members[1:]:
                stored = self.store.get_article(member)
                state = self.store.story_state(member)
                if stored is None or state is None:
                    continue
                if not self.confirm(member, stored.body_text, members[0], story,
                                    pending=(key, frozenset(keys))):
                    own = self.store.set_story(member, None, state[1], self.bands_of(member, state[1]))
                    logger.info("%s is no copy of %s after all (shared boilerplate): story %d",
                                member, members[0], own)
                    self.count("split")

    def bands_of(self, url: str, blob: bytes | None) -> list[int]:
        """The LSH bands of ``url``'s stored signature (none for a short body, or for an
        unusable blob, which is logged and counted)."""
        try:
            return dedup.band_keys(dedup.from_blob(blob)) if blob is not None else []
        except ValueError as exc:
            logger.warning("%s: stored MinHash signature unusable: %s", url, exc)
            self.count("bad_signature")
            return []

    def confirm(self, key: str, text: str, other: str, story: int,
                pending: tuple[str, frozenset[int]] | None = None) -> bool:
        """Whether the article ``key`` (body ``text``) is a copy of the stored article
        ``other`` of ``story``: their bodies, without the paragraphs some article outside
        the story also has, are still similar (exact Jaccard of shingles >= threshold).
        ``pending`` is an article about to be stored and its paragraph keys: outside the
        story, it counts as the others do."""
        assert self.store is not None
        stored = self.store.get_article(other)
        if stored is None:
            return False
        keys = list(dict.fromkeys([*dedup.paragraph_keys(text),
                                   *dedup.paragraph_keys(stored.body_text)]))
        members = [*self.store.story_members(story), key]
        boilerplate = self.store.paragraphs_elsewhere(keys, members)
        if pending is not None and pending[0] not in members:
            boilerplate |= pending[1].intersection(keys)
        mine, theirs = (dedup.own_text(t, boilerplate) for t in (text, stored.body_text))
        if min(len(dedup.words_of(mine)), len(dedup.words_of(theirs))) < dedup.MIN_WORDS:
            return False
        return dedup.exact_similarity(mine, theirs) >= self.threshold
