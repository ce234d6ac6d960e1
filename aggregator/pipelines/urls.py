"""Give every article its canonical URL (see :mod:`aggregator.urls`)."""

from __future__ import annotations

from aggregator.pipelines.normalize import CanonicalUrlPipeline

__all__ = ["CanonicalUrlPipeline"]
