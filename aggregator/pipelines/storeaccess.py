"""Pipelines that read or write the store hold their own connection for the spider's run."""

from __future__ import annotations

from typing import Any

from aggregator.pipelines.normalize import NormalizeStepPipeline
from aggregator.store import Store, open_store


class UsesStore:
    """Mixin: opens the store (``AGGREGATOR_DATA_DIR``) when the spider opens, closes it
    after. Put it before the pipeline base class."""

    store: Store | None = None
    settings: Any

    def open_spider(self, spider: Any = None) -> None:
        self.store = open_store(self.settings.get("AGGREGATOR_DATA_DIR"))

    def close_spider(self, spider: Any = None) -> None:
        if self.store is not None:
            self.store.close()
            self.store = None


class StoreBackedPipeline(UsesStore, NormalizeStepPipeline):
    """A normalisation step that needs the store (e.g. to resolve links)."""
