"""Render a feed in one of the registered formats (:data:`aggregator.exporters.model.FORMATS`):
RSS 2.0 and Atom 1.0 (:mod:`.rss_atom`), JSON Feed 1.1 (:mod:`.jsonfeed`)."""

from __future__ import annotations

from collections.abc import Callable

from aggregator.exporters.jsonfeed import render_json_feed
from aggregator.exporters.model import FORMATS, FeedSpec
from aggregator.exporters.rss_atom import render_atom, render_rss

#: format -> its renderer
RENDERERS: dict[str, Callable[[FeedSpec], bytes]] = {
    "rss": render_rss, "atom": render_atom, "json": render_json_feed}


def render(spec: FeedSpec, fmt: str) -> bytes:
    """The bytes of ``spec`` in one format: "rss", "atom" or "json"."""
    if fmt not in RENDERERS:
        raise ValueError(f"unknown feed format {fmt!r} (known: {', '.join(FORMATS)})")
    return RENDERERS[fmt](spec)
