"""Dates to UTC: an aware date is converted (its offset kept in ``source_offset``); a naive
one is read in the source's configured time zone; implausible dates are flagged, not trusted
(see :mod:`aggregator.normalize.dates`)."""

from __future__ import annotations

from aggregator.pipelines.normalize import DatesPipeline

__all__ = ["DatesPipeline"]
