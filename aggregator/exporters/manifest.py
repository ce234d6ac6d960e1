"""What the publisher wrote into a feeds folder, so it can remove its own files once they
stand for nothing (a source or topic taken out of the config) and never anyone else's.

``.aggregator-manifest`` (hidden: ``aggregator serve`` never serves it; JSON, but no
``.json`` suffix, so that nothing globbing ``*.json`` takes it for a feed) maps each
file name the publisher wrote to the SHA-256 of its bytes. A file is removed only when
the last publish listed it, this one does not, and its bytes are still the ones written:
a file edited or replaced by hand since is kept (and logged). :data:`LEGACY_FILES` names
files that versions without a manifest wrote, by their exact bytes.

>>> stale({"a.rss": "1", "b.rss": "2"}, {"a.rss"})
['b.rss']
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Iterable
from pathlib import Path

from aggregator.exporters.atomic import write_atomic

logger = logging.getLogger(__name__)

MANIFEST = ".aggregator-manifest"
#: files older versions wrote, with their bytes' SHA-256: feed.xsl, the XSLT view of the
#: feeds that per-feed HTML pages replaced
LEGACY_FILES = {"feed.xsl": "4cdfe5f0e4945824edee33bed35ff9588b01c24703d2fb0236b84a241388a04f"}


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def read_manifest(feeds_dir: Path) -> dict[str, str]:
    """The files the last publish wrote (name -> SHA-256); {} when there is no readable
    manifest (then nothing but :data:`LEGACY_FILES` is ever removed)."""
    path = Path(feeds_dir) / MANIFEST
    try:
        data = json.loads(path.read_bytes())
    except FileNotFoundError:
        return {}
    except (OSError, ValueError) as exc:
        logger.warning("Ignoring the unreadable manifest %s: %s", path, exc)
        return {}
    files = data.get("files") if isinstance(data, dict) else None
    if not isinstance(files, dict):
        logger.warning("Ignoring the manifest %s: no 'files' table", path)
        return {}
    return {k: v for k, v in files.items() if isinstance(k, str) and isinstance(v, str)}


def file_digests(feeds_dir: Path, names: Iterable[str]) -> dict[str, str]:
    """name -> SHA-256 of the files of ``names`` that exist in ``feeds_dir``."""
    out = {}
    for name in names:
        try:
            out[name] = digest((Path(feeds_dir) / name).read_bytes())
        except OSError:
            continue
    return out


def write_manifest(feeds_dir: Path, files: dict[str, str]) -> None:
    """Record ``files`` (sorted: an unchanged folder leaves the manifest untouched)."""
    data = json.dumps({"files": dict(sorted(files.items()))}, indent=1) + "\n"
    write_atomic(Path(feeds_dir) / MANIFEST, data.encode("utf-8"))


def stale(previous: dict[str, str], current: Iterable[str]) -> list[str]:
    """The names ``previous`` lists and ``current`` does not, sorted."""
    return sorted(set(previous) - set(current))


def remove_stale(feeds_dir: Path, previous: dict[str, str], current: Iterable[str]) -> list[Path]:
    """Remove the files of ``previous`` (and :data:`LEGACY_FILES`) that ``current`` no
    longer lists and that still hold the bytes written; return the removed paths."""
    feeds_dir = Path(feeds_dir)
    known = {**LEGACY_FILES, **previous}
    removed = []
    for name in stale(known, current):
        path = feeds_dir / name
        # a plain file name of the folder's top level, and a regular file (no symlink)
        if "/" in name or "\\" in name or name.startswith(".") or not path.is_file() \
                or path.is_symlink():
            continue
        try:
            if digest(path.read_bytes()) != known[name]:
                if name in previous:
                    logger.warning("Kept %s: no feed writes it any more, but it changed since"
                                   " it was written", path)
                continue
            path.unlink()
        except OSError as exc:
            logger.warning("Could not remove the stale file %s: %s", path, exc)
            continue
        logger.info("Removed %s: no feed writes it any more", path)
        removed.append(path)
    return removed
