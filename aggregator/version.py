"""The installed version of the project."""

from __future__ import annotations

from importlib import metadata


def version() -> str:
    """The package's version (``0.1.0``), or ``0.1`` when run from a checkout not installed."""
    try:
        return metadata.version("aggregator")
    except metadata.PackageNotFoundError:
        return "0.1"
