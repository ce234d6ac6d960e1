"""The bundled offline demo: made-up tech-news sites and the server that serves them."""

from importlib import resources
from pathlib import Path


def site_root() -> Path:
    """The folder holding one sub-folder per demo host (``bytewire.example`` ...)."""
    return Path(str(resources.files("aggregator").joinpath("demo", "site")))
