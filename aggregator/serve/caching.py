"""HTTP caching for files that change only by being replaced: strong validators,
conditional requests (RFC 9110 section 13) and gzip variants, memoised per file version.

A file version is identified by its ``stat`` (inode, size, mtime in ns); feeds are
written atomically (temp file and rename), so a new version is a new inode and a
reader never sees half a file. The ETag is a hash of the bytes, so it survives a
restart and stays the same when a publish rewrites identical bytes.
"""

from __future__ import annotations

import gzip
import hashlib
import os
import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from email.utils import formatdate, parsedate_to_datetime
from pathlib import Path

#: below this size gzip saves too little to be worth a variant
GZIP_MIN_BYTES = 256


@dataclass
class Representation:
    """One file version's bytes and validators; the gzip variant is made on first use."""

    body: bytes
    etag: str
    mtime: float
    _gzip: bytes | None = field(default=None, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @property
    def last_modified(self) -> str:
        return formatdate(int(self.mtime), usegmt=True)

    @property
    def gzip_etag(self) -> str:
        """The gzip variant's own strong ETag: a different representation, a different tag."""
        return self.etag[:-1] + '-gzip"'

    def gzipped(self) -> bytes:
        with self._lock:
            if self._gzip is None:
                # mtime=0: the same bytes give the same gzip bytes, whatever the clock
                self._gzip = gzip.compress(self.body, compresslevel=6, mtime=0)
            return self._gzip


class FileCache:
    """Representations of recently served files, keyed by path and revalidated by ``stat``."""

    def __init__(self, max_entries: int = 256) -> None:
        self.max_entries = max_entries
        self._entries: OrderedDict[Path, tuple[tuple[int, int, int], Representation]] = (
            OrderedDict())
        self._lock = threading.Lock()

    def get(self, path: Path) -> Representation:
        """The current representation of ``path`` (read and hashed only when it changed)."""
        st = os.stat(path)
        key = (st.st_ino, st.st_size, st.st_mtime_ns)
        with self._lock:
            hit = self._entries.get(path)
            if hit is not None and hit[0] == key:
                self._entries.move_to_end(path)
                return hit[1]
        body = path.read_bytes()
        digest = hashlib.blake2b(body, digest_size=12).hexdigest()
        rep = Representation(body=body, etag=f'"{digest}"', mtime=st.st_mtime)
        with self._lock:
            self._entries[path] = (key, rep)
            self._entries.move_to_end(path)
            while len(self._entries) > self.max_entries:
                self._entries.popitem(last=False)
        return rep


def accepts_gzip(accept_encoding: str | None) -> bool:
    """Whether an ``Accept-Encoding`` value allows gzip (``gzip;q=0`` refuses it;
    ``*`` allows it unless gzip is listed with q=0)."""
    if not accept_encoding:
        return False
    star = False
    for part in accept_encoding.split(","):
        coding, _, params = part.strip().partition(";")
        coding = coding.strip().lower()
        q = 1.0
        for param in params.split(";"):
            name, _, value = param.strip().partition("=")
            if name.strip().lower() == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        if coding in ("gzip", "x-gzip"):
            return q > 0
        if coding == "*":
            star = q > 0
    return star


def _etags(header: str) -> list[str]:
    """The entity tags of an ``If-None-Match`` list, weak prefixes dropped (weak comparison)."""
    tags = []
    for raw in header.split(","):
        tag = raw.strip()
        if tag.startswith("W/"):
            tag = tag[2:]
        if tag:
            tags.append(tag)
    return tags


def not_modified(etag: str, mtime: float, if_none_match: str | None,
                 if_modified_since: str | None) -> bool:
    """Whether a GET/HEAD may be answered 304. ``If-None-Match`` takes precedence: when it
    is present, ``If-Modified-Since`` is ignored (RFC 9110 section 13.2.2)."""
    if if_none_match is not None:
        tags = _etags(if_none_match)
        return "*" in tags or etag in tags
    if if_modified_since:
        try:
            since = parsedate_to_datetime(if_modified_since)
        except (TypeError, ValueError, IndexError):
            return False  # an invalid date is ignored
        if since is None or since.tzinfo is None:
            return False
        return int(mtime) <= since.timestamp()
    return False
