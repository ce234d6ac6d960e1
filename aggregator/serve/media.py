"""The one media-type table of the project's HTTP servers (``aggregator serve`` and the demo
sites' server).

>>> media_type(Path("all.json")), media_type(Path("photo.JPG")), media_type(Path("x.bin"))
('application/feed+json; charset=utf-8', 'image/jpeg', 'application/octet-stream')
"""

from __future__ import annotations

from pathlib import Path

#: media types by file extension; anything else is application/octet-stream
MEDIA_TYPES = {
    ".rss": "application/rss+xml; charset=utf-8",
    ".atom": "application/atom+xml; charset=utf-8",
    # a .json file the project serves is a JSON Feed (the demo sites have no other)
    ".json": "application/feed+json; charset=utf-8",
    ".opml": "text/x-opml; charset=utf-8",
    ".html": "text/html; charset=utf-8",
    ".xsl": "text/xsl; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".xml": "application/xml; charset=utf-8",
    ".txt": "text/plain; charset=utf-8",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".gif": "image/gif",
    ".webp": "image/webp",
    ".svg": "image/svg+xml",
    ".ico": "image/x-icon",
    ".gz": "application/gzip",
}
#: types worth compressing (images and archives are already compressed)
COMPRESSIBLE = frozenset(ext for ext, kind in MEDIA_TYPES.items()
                         if not kind.startswith("image/") or ext == ".svg") - {".gz"}


def media_type(path: Path) -> str:
    return MEDIA_TYPES.get(path.suffix.lower(), "application/octet-stream")
