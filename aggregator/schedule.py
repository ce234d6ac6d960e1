"""Run ``aggregator crawl`` on a timer with jitter, never two at once.

Each crawl runs in its own subprocess (a Twisted reactor can't be restarted), which takes
the data folder's crawl lock (:mod:`aggregator.runlock`): a crawl started by cron or by
hand while the scheduler's one runs is refused, and the other way round. The scheduler
itself holds ``schedule.lock`` in the data folder, so two schedulers can't run on one
store. Both locks are ``flock``s: the OS drops them when their holder dies.
"""

from __future__ import annotations

import logging
import random
import re
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path

from aggregator.runlock import EXIT_LOCKED, file_lock

logger = logging.getLogger(__name__)

SCHEDULE_LOCK = "schedule.lock"
_PART_RE = re.compile(r"(\d+(?:\.\d+)?)\s*([smhd]?)", re.I)
_UNITS = {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_duration(value: str) -> float:
    """Seconds in ``"30m"``, ``"1h30m"``, ``"90s"``, ``"2h"``, ``"1d"`` or ``"45"`` (seconds).

    >>> parse_duration("1h30m"), parse_duration("5m"), parse_duration("0.5s")
    (5400.0, 300.0, 0.5)
    """
    text = value.strip().lower().replace(" ", "")
    pos, total = 0, 0.0
    while pos < len(text):
        match = _PART_RE.match(text, pos)
        if not match:
            raise ValueError(f"{value!r}: expected a duration such as 90s, 30m, 1h30m or 1d")
        total += float(match.group(1)) * _UNITS[match.group(2)]
        pos = match.end()
    if not text:
        raise ValueError(f"{value!r}: expected a duration such as 90s, 30m, 1h30m or 1d")
    return total


def next_delay(every: float, jitter: float, rng: random.Random) -> float:
    """Seconds from one crawl's start to the next: ``every`` give or take ``jitter``."""
    return max(0.0, every + rng.uniform(-jitter, jitter)) if jitter else every


@dataclass
class RunOutcome:
    number: int
    returncode: int
    seconds: float


def schedule_lock(data_dir: str | Path) -> AbstractContextManager[Path]:
    """Hold ``<data dir>/schedule.lock`` or raise :class:`CrawlLocked`."""
    return file_lock(Path(data_dir) / SCHEDULE_LOCK, "scheduler")


def crawl_command(crawl_args: list[str]) -> list[str]:
    """The ``aggregator crawl`` command line run by the scheduler."""
    return [sys.executable, "-m", "aggregator.cli", "crawl", *crawl_args]


class Scheduler:
    """Start a crawl now and then every ``every`` seconds (± ``jitter``), measured from
    the start of the previous one; a crawl that overruns is followed at once, never
    overlapped. ``stop`` (a :class:`threading.Event`) ends the loop between crawls."""

    def __init__(self, command: list[str], every: float, jitter: float = 0.0,
                 max_runs: int = 0, *, rng: random.Random | None = None,
                 stop: threading.Event | None = None,
                 report: Callable[[str], None] = print) -> None:
        self.command = command
        self.every = every
        self.jitter = jitter
        self.max_runs = max_runs
        self.rng = rng or random.Random()
        self.stop = stop or threading.Event()
        self.report = report

    def run_once(self, number: int) -> RunOutcome:
        started = time.monotonic()
        self.report(f"run {number}: {time.strftime('%Y-%m-%d %H:%M:%S')} starting")
        returncode = subprocess.call(self.command)  # its output goes to ours
        seconds = time.monotonic() - started
        if returncode == EXIT_LOCKED:
            self.report(f"run {number}: skipped, another crawl holds the lock")
        else:
            self.report(f"run {number}: exit status {returncode} after {seconds:.0f}s")
        return RunOutcome(number, returncode, seconds)

    def loop(self) -> list[RunOutcome]:
        outcomes: list[RunOutcome] = []
        number = 0
        while not self.stop.is_set():
            number += 1
            started = time.monotonic()
            outcomes.append(self.run_once(number))
            if self.max_runs and number >= self.max_runs:
                break
            wait = next_delay(self.every, self.jitter, self.rng) - (time.monotonic() - started)
            if wait > 0:
                self.report(f"next run in {wait:.0f}s")
                if self.stop.wait(wait):
                    break
        return outcomes
