"""One crawl at a time per data folder.

``fcntl.flock`` on ``<data dir>/crawl.lock``: the OS releases the lock when the holder
exits, however it exits (a crash, SIGKILL), so a stale lock can never block the next run.
The file holds the holder's pid, for the message. :func:`file_lock` is the one lock
behind both this and the scheduler's ``schedule.lock`` (:mod:`aggregator.schedule`).

>>> import tempfile
>>> d = tempfile.mkdtemp()
>>> with crawl_lock(d):
...     try:
...         with crawl_lock(d):
...             pass
...     except CrawlLocked as exc:
...         print("held")
held
"""

from __future__ import annotations

import contextlib
import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

LOCK_FILENAME = "crawl.lock"
#: exit status of `aggregator crawl` when another crawl holds the lock
EXIT_LOCKED = 3


class CrawlLocked(RuntimeError):
    """Another process holds a data folder's lock; the message names the file and pid."""


@contextmanager
def file_lock(path: str | Path, what: str) -> Iterator[Path]:
    """Hold an exclusive ``flock`` on ``path`` (created, with its folder, if missing) for
    the ``with`` block, writing our pid into it; raise :class:`CrawlLocked` at once —
    ``"PATH: another WHAT is running (pid N)"`` — if another process holds it."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 32, 0).decode("ascii", "replace").strip() or "?"
            raise CrawlLocked(f"{path}: another {what} is running (pid {holder})") from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode("ascii"), 0)
        try:
            yield path
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


def crawl_holder(data_dir: str | Path) -> int | None:
    """The pid of the crawl holding ``data_dir``'s lock, or None when no crawl runs (a run
    recorded as unfinished was then killed). Opens the file read-only and creates nothing,
    so it works on a read-only data folder."""
    try:
        fd = os.open(Path(data_dir) / LOCK_FILENAME, os.O_RDONLY)
    except OSError:
        return None
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 32, 0).decode("ascii", "replace").strip()
            return int(holder) if holder.isdigit() else -1
        fcntl.flock(fd, fcntl.LOCK_UN)
        return None
    finally:
        os.close(fd)


def crawl_lock(data_dir: str | Path) -> contextlib.AbstractContextManager[Path]:
    """Hold the crawl lock of ``data_dir`` for the ``with`` block, or raise
    :class:`CrawlLocked` at once if another process holds it."""
    return file_lock(Path(data_dir) / LOCK_FILENAME, "crawl")
