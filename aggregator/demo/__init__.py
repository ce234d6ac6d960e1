"""The bundled offline demo: made-up tech-news sites and the server that serves them.

:func:`served_demo_sites` serves them on 127.0.0.1 for the length of a crawl, as ``aggregator
demo`` and ``aggregator crawl --config demo`` do.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from importlib import resources
from pathlib import Path


def site_root() -> Path:
    """The folder holding one sub-folder per demo host (``bytewire.example`` ...)."""
    return Path(str(resources.files("aggregator").joinpath("demo", "site")))


@contextmanager
def served_demo_sites() -> Iterator[tuple[dict[str, str], str]]:
    """Serve the demo sites on 127.0.0.1 (a free port) in a thread; yield the routes (demo
    host -> ``127.0.0.1:port``) and the server's URL; stop the server on exit."""
    from aggregator.demo.server import SiteServer

    server = SiteServer(site_root())
    server.start_in_thread()
    try:
        yield {host: server.hostport for host in server.hosts()}, server.url
    finally:
        server.shutdown()
        server.server_close()
