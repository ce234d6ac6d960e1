"""Run ``aggregator crawl`` in a subprocess on a timer while serving; never two at once.

One background thread runs a crawl, waits for it to end, then waits the interval (from
the start of the previous crawl) before the next; a crawl that overruns the interval is
followed at once by the next, never overlapped.
"""

from __future__ import annotations

import logging
import re
import subprocess
import sys
import threading
import time

logger = logging.getLogger(__name__)

_DURATION_RE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([smhd]?)\s*$")
_UNITS = {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_duration(value: str) -> float:
    """``"30m"`` -> 1800.0; units s, m, h, d (seconds when none).

    >>> parse_duration("1.5h")
    5400.0
    """
    match = _DURATION_RE.match(value.lower())
    if not match or float(match.group(1)) <= 0:
        raise ValueError(f"{value!r}: expected a positive duration such as 90s, 30m, 2h or 1d")
    return float(match.group(1)) * _UNITS[match.group(2)]


class CrawlTimer:
    """Start ``command`` now and then every ``interval`` seconds, one at a time."""

    def __init__(self, command: list[str], interval: float) -> None:
        self.command = command
        self.interval = interval
        self.runs = 0
        self._stop = threading.Event()
        self._process: subprocess.Popen | None = None
        self._lock = threading.Lock()
        self._finished = threading.Condition()
        self._thread = threading.Thread(target=self._loop, name="crawl-timer", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def _loop(self) -> None:
        while not self._stop.is_set():
            started = time.monotonic()
            self._run_once()
            self._stop.wait(max(0.0, self.interval - (time.monotonic() - started)))

    def _run_once(self) -> None:
        with self._lock:
            if self._stop.is_set():
                return
            print("crawl started", flush=True)
            started = time.monotonic()
            try:
                self._process = subprocess.Popen(self.command, stdout=subprocess.DEVNULL,
                                                 stderr=subprocess.PIPE, text=True)
            except OSError as exc:
                logger.error("Could not start the crawl %s: %s", self.command, exc)
                return
        _, stderr = self._process.communicate()
        code = self._process.returncode
        with self._finished:
            self.runs += 1
            self._finished.notify_all()
        if code != 0 and not self._stop.is_set():
            logger.warning("The crawl exited with %s: %s", code, stderr.strip()[-2000:])
        print(f"crawl finished (exit {code}) in {time.monotonic() - started:.1f}s", flush=True)

    def wait_runs(self, count: int, timeout: float) -> bool:
        """Block until ``count`` crawls have finished (or ``timeout``); whether they had."""
        with self._finished:
            return self._finished.wait_for(lambda: self.runs >= count, timeout=timeout)

    def stop(self, timeout: float = 30) -> None:
        """Stop the timer and end a crawl in progress (SIGTERM, then SIGKILL)."""
        with self._lock:
            self._stop.set()
            process = self._process
        if process is not None and process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                process.kill()
        if self._thread.is_alive():
            self._thread.join(timeout=timeout)


def crawl_command(config: str, data_dir: str, feeds_dir: str, routes: list[str],
                  store: str | None = None) -> list[str]:
    """The ``aggregator crawl`` command line that the timer runs."""
    cmd = [sys.executable, "-m", "aggregator.cli", "crawl", "--data-dir", data_dir,
           "--feeds-dir", feeds_dir]
    if store:
        cmd += ["--store", store]
    if config:
        cmd += ["--config", config]
    for route in routes:
        cmd += ["--route", route]
    return cmd
