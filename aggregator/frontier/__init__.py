"""A shared frontier on Redis: one crawl run spread over any number of processes.

``aggregator crawl --redis URL`` is the run's *coordinator*: it takes the coordinator lease
(one coordinator per Redis), announces a run, seeds each source's start requests into the
shared queues once, waits until the run is over, merges the workers' statistics into each
source's run record and publishes the feeds. ``aggregator worker --redis URL`` processes (on
any machine that reaches Redis and the store) join the announced run, take requests from the
queues, fetch, extract and store, and exit when the run is over.

What lives in Redis, under ``aggregator:`` (:class:`Keys`):

* per source of a run, the request queue (scrapy-redis's ``PriorityQueue``, a sorted set) and
  the dupefilter (a set of fingerprints of our canonical URL and the method), so every URL is
  fetched once per run across all workers (:mod:`aggregator.frontier.scheduler`);
* per worker, a heartbeat hash with an expiry (busy or idle, host, pid): a request is taken
  from a queue and its worker marked busy in one step, so "queues empty and no live worker
  busy" means the run is over (:mod:`aggregator.frontier.run`);
* per domain, a global delay slot and a concurrency semaphore
  (:mod:`aggregator.frontier.politeness`);
* the run's merged statistics, per source.

The store (the articles, the incremental state, the story signatures, the run records) is the
one the crawl opens -- SQLite in the data folder for processes on one machine, or a database
server. Nothing else is shared: a worker killed mid-crawl loses the requests it held for this
run only; their URLs were not marked done in the store, so the next run fetches them.
"""

from __future__ import annotations

import json
import os
import socket
import time
import uuid
from dataclasses import dataclass, field
from typing import Any

import redis
from scrapy.exceptions import NotConfigured

#: how long the coordinator lease lasts unless refreshed (seconds); a killed coordinator's
#: lease expires, and the next one may start
LEASE_TTL = 15.0
PREFIX = "aggregator"

#: the errors of a Redis that cannot be reached or stopped answering
REDIS_ERRORS = (redis.ConnectionError, redis.TimeoutError)


class FrontierError(RuntimeError):
    """The shared frontier cannot be used: the message names the Redis URL and why."""


def redacted(url: str) -> str:
    """The Redis URL without its password, for messages.

    >>> redacted("redis://:secret@cache.example:6379/0")
    'redis://:***@cache.example:6379/0'
    >>> redacted("redis://127.0.0.1:6380")
    'redis://127.0.0.1:6380'
    """
    scheme, sep, rest = url.partition("://")
    auth, at, host = rest.rpartition("@")
    if not at:
        return url
    user, colon, _ = auth.partition(":")
    return f"{scheme}{sep}{user}{':***' if colon else ''}@{host}"


def connect(url: str) -> "redis.Redis[bytes]":
    """A client of the Redis at ``url`` that answered a PING; :class:`FrontierError` naming
    the URL if it does not."""
    if not url.startswith(("redis://", "rediss://", "unix://")):
        raise FrontierError(f"{redacted(url)}: not a Redis URL (redis://HOST:PORT/DB)")
    # short timeouts: an outage stops the crawl with a clear error instead of hanging it
    client: "redis.Redis[bytes]" = redis.Redis.from_url(
        url, socket_timeout=10, socket_connect_timeout=5)
    try:
        client.ping()
    except REDIS_ERRORS as exc:
        raise FrontierError(f"Redis at {redacted(url)} unreachable: {exc}") from exc
    return client


@dataclass(frozen=True)
class Keys:
    """The Redis keys of run ``run`` (see the module)."""

    run: int

    #: the run being crawled now (its number), deleted when it is done
    CURRENT = f"{PREFIX}:current"
    #: the coordinator lease: "host pid token", with an expiry
    COORDINATOR = f"{PREFIX}:coordinator"
    RUNS = f"{PREFIX}:runs"

    @property
    def info(self) -> str:
        """Hash: sources (JSON list), state (crawling, over, done), coordinator, started."""
        return f"{PREFIX}:run:{self.run}"

    def queue(self, source: str) -> str:
        return f"{PREFIX}:run:{self.run}:{source}:requests"

    def seen(self, source: str) -> str:
        return f"{PREFIX}:run:{self.run}:{source}:seen"

    def stats(self, source: str) -> str:
        """Hash: the workers' numeric statistics of ``source``, summed (or their maximum)."""
        return f"{PREFIX}:run:{self.run}:{source}:stats"

    def stat_lists(self, source: str) -> str:
        """Hash: ``worker/stat`` -> JSON list, the workers' list-valued statistics."""
        return f"{PREFIX}:run:{self.run}:{source}:lists"

    def reported(self, source: str) -> str:
        """Set: the workers whose statistics of ``source`` are in :meth:`stats`."""
        return f"{PREFIX}:run:{self.run}:{source}:reported"

    @property
    def workers(self) -> str:
        """Set: every worker that joined the run."""
        return f"{PREFIX}:run:{self.run}:workers"

    def worker(self, worker_id: str) -> str:
        """Hash with an expiry: busy (0/1), host, pid, pages; gone when the worker died."""
        return f"{PREFIX}:run:{self.run}:worker:{worker_id}"


def source_of(crawler: Any) -> str:
    """The source the crawler crawls (``AGGREGATOR_SOURCE``, set by the news spider)."""
    name = crawler.settings.get("AGGREGATOR_SOURCE")
    if not name:
        raise NotConfigured("the shared frontier needs the news spider (a source per crawler)")
    return str(name)


def worker_id() -> str:
    """``host:pid:random``: unique across machines and restarts."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


# --- the coordinator's side ---------------------------------------------------------------

_RELEASE = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
"""
_REFRESH = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 0
"""


class CoordinatorBusy(RuntimeError):
    """Another coordinator holds the lease; the message names it."""


def take_lease(client: "redis.Redis[bytes]", url: str) -> str:
    """Take the coordinator lease, or raise :class:`CoordinatorBusy` naming its holder.
    Returns the lease's token (its value)."""
    token = f"{socket.gethostname()} {os.getpid()} {uuid.uuid4().hex[:8]}"
    if not client.set(Keys.COORDINATOR, token, nx=True, px=int(LEASE_TTL * 1000)):
        holder = (client.get(Keys.COORDINATOR) or b"? ?").decode("utf-8", "replace").split()
        raise CoordinatorBusy(f"Redis at {redacted(url)}: another coordinator is running"
                              f" (pid {holder[1] if len(holder) > 1 else '?'} on {holder[0]})")
    return token


def refresh_lease(client: "redis.Redis[bytes]", token: str) -> bool:
    """Extend the lease; False if it was lost (expired, and maybe taken by another)."""
    return bool(client.eval(_REFRESH, 1, Keys.COORDINATOR, token, int(LEASE_TTL * 1000)))


def release_lease(client: "redis.Redis[bytes]", token: str) -> None:
    client.eval(_RELEASE, 1, Keys.COORDINATOR, token)


def announce_run(client: "redis.Redis[bytes]", sources: list[str], token: str) -> int:
    """Open a new run of ``sources`` for the workers to join; its number."""
    run = int(client.incr(Keys.RUNS))
    keys = Keys(run)
    with client.pipeline() as pipe:
        pipe.hset(keys.info, mapping={"sources": json.dumps(sources), "state": "crawling",
                                      "coordinator": token, "started": str(time.time())})
        pipe.set(Keys.CURRENT, run)
        pipe.execute()
    return run


def finish_run(client: "redis.Redis[bytes]", run: int, sources: list[str]) -> None:
    """The run is done: drop its queues and dupefilters, keep its record a day."""
    keys = Keys(run)
    with client.pipeline() as pipe:
        pipe.hset(keys.info, "state", "done")
        for source in sources:
            pipe.delete(keys.queue(source), keys.seen(source))
            for key in (keys.stats(source), keys.stat_lists(source), keys.reported(source)):
                pipe.expire(key, 86400)
        pipe.expire(keys.info, 86400)
        pipe.expire(keys.workers, 86400)
        pipe.execute()
    if client.get(Keys.CURRENT) == str(run).encode():
        client.delete(Keys.CURRENT)


# --- what `aggregator status` shows ------------------------------------------------------

@dataclass
class WorkerInfo:
    worker: str
    busy: bool
    pages: int
    alive: bool


@dataclass
class RunInfo:
    """The current run as Redis holds it."""

    run: int
    state: str
    sources: list[str]
    #: requests waiting, per source
    queued: dict[str, int] = field(default_factory=dict)
    #: URLs seen (scheduled once) this run, per source
    seen: dict[str, int] = field(default_factory=dict)
    workers: list[WorkerInfo] = field(default_factory=list)


def current_run(client: "redis.Redis[bytes]") -> RunInfo | None:
    """The run being crawled, with its queue depths and workers; None between runs."""
    raw = client.get(Keys.CURRENT)
    if raw is None:
        return None
    keys = Keys(int(raw))
    info = {k.decode(): v.decode() for k, v in client.hgetall(keys.info).items()}
    sources = json.loads(info.get("sources", "[]"))
    run = RunInfo(run=keys.run, state=info.get("state", "?"), sources=sources)
    for source in sources:
        run.queued[source] = int(client.zcard(keys.queue(source)))
        run.seen[source] = int(client.scard(keys.seen(source)))
    for wid in sorted(m.decode() for m in client.smembers(keys.workers)):
        state = {k.decode(): v.decode() for k, v in client.hgetall(keys.worker(wid)).items()}
        run.workers.append(WorkerInfo(worker=wid, busy=state.get("busy") == "1",
                                      pages=int(state.get("pages", 0) or 0), alive=bool(state)))
    return run


def run_lines(run: RunInfo | None) -> list[str]:
    """What ``aggregator status --redis`` prints of the current run."""
    if run is None:
        return ["frontier: no run in progress"]
    queued = ", ".join(f"{s} {run.queued[s]} queued / {run.seen[s]} seen" for s in run.sources)
    lines = [f"frontier: run {run.run} {run.state}: {queued}"]
    alive = [w for w in run.workers if w.alive]
    lines.append(f"  workers: {len(alive)} alive ({sum(w.busy for w in alive)} busy),"
                 f" {len(run.workers) - len(alive)} gone")
    lines.extend(f"  {w.worker}: {'busy' if w.busy else 'idle' if w.alive else 'gone'},"
                 f" {w.pages} requests taken" for w in run.workers)
    return lines


def wait_for_run(client: "redis.Redis[bytes]", timeout: float, poll: float = 0.2
                 ) -> tuple[int, list[str]] | None:
    """The number and sources of the run being crawled, waiting up to ``timeout`` seconds
    for a coordinator to announce one (None if none did). Used before a worker's reactor
    starts, so a plain sleep between polls blocks nothing."""
    deadline = time.monotonic() + timeout
    while True:
        raw = client.get(Keys.CURRENT)
        if raw is not None:
            keys = Keys(int(raw))
            info = client.hmget(keys.info, ["sources", "state"])
            if info[0] is not None and info[1] == b"crawling":
                return keys.run, json.loads(info[0])
        if time.monotonic() >= deadline:
            return None
        time.sleep(poll)


def dumps_stat(value: Any) -> str:
    return json.dumps(value, default=str)
