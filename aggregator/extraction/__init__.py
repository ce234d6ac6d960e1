"""Extraction: any news page in, a faithful :class:`~aggregator.items.Article` out.

Layers, each usable alone:

1. :mod:`.structured` -- JSON-LD, microdata, OpenGraph, meta (through extruct);
2. :mod:`.rules` -- per-site selectors from the sources config;
3. :mod:`.body` -- the generic main-text extractor (trafilatura, two modes compared).

Around them: :mod:`.decode` (bytes to text), :mod:`.dom` (parsing), :mod:`.pagekind` (article or
listing), :mod:`.related` (suggested links), :mod:`.boilerplate`, and one module per field
(:mod:`.fields`, :mod:`.authors`, :mod:`.dates`, :mod:`.images`).

The package's names are loaded when first used (:func:`extract` from :mod:`.page`), so that
importing one small module of it (:mod:`.text`, :mod:`.rules`) does not load trafilatura and
extruct -- the commands that only read the store start in a tenth of a second.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .page import extract as extract
    from .rules import SiteRules as SiteRules

__all__ = ["SiteRules", "extract"]


def __getattr__(name: str) -> Any:
    if name == "extract":
        from .page import extract
        return extract
    if name == "SiteRules":
        from .rules import SiteRules
        return SiteRules
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
