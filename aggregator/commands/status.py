"""``aggregator status``: each source's last run, last success, field coverage, and
warnings when a source stopped yielding articles or its coverage dropped (a redesign).

Exit status: 0 when every source is healthy; 1 on a warning: a source's last run failed or
was interrupted (killed: no crawl holds the data folder's lock), a source never succeeded
(or, with --config, never ran), its coverage dropped, articles were lost to errors, or feed
entries were rejected; 2 on a bad config or when there is no store; 4 for a broken store.
``--json`` prints the same as one JSON object.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any

from aggregator.commands.common import add_store, help_text, store_url
from aggregator.commands.common import add_redis
from aggregator.config import ConfigError, load_config
from aggregator.frontier import (REDIS_ERRORS, FrontierError, RunInfo, connect, current_run,
                                 redacted, run_lines)
from aggregator.health import COVERAGE_FIELDS, RunSummary, drift_warnings, summarise
from aggregator.publishing import REJECTED_COUNT_KEY, rejected
from aggregator.runlock import crawl_holder
from aggregator.store import Store, open_store, sqlite_file

#: runs per source read to judge drift
HISTORY = 20
#: exit status of a warning, and of a bad config or a missing store
EXIT_WARNING = 1
EXIT_USAGE = 2


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("status", help="health of each source's crawls",
                                   description=help_text(__doc__))
    parser.add_argument("--data-dir", default="data",
                        help="folder of the SQLite store (default: ./data)")
    parser.add_argument("--config", default=None,
                        help="also list this config's sources that never ran (TOML or 'demo')")
    parser.add_argument("--json", action="store_true",
                        help="print one JSON object (sources, runs, warnings) instead of text")
    add_store(parser)
    add_redis(parser, "also show the shared frontier's run: its workers and queue depth")
    parser.set_defaults(func=run)


def _when(when: datetime | None) -> str:
    return when.strftime("%Y-%m-%d %H:%M UTC") if when is not None else "never"


def _iso(when: datetime | None) -> str | None:
    return when.isoformat() if when is not None else None


@dataclass
class SourceHealth:
    """What ``status`` says of one source: its runs (newest first) judged."""

    name: str
    runs: list[RunSummary]
    #: pid of the crawl holding the data folder's lock, if one runs now
    running: int | None = None
    warnings: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        last, success = self.last, self.last_success
        if last is None:
            self.warnings.append("never crawled")
            return
        if self.state == "interrupted":
            self.warnings.append("the last run was interrupted (killed before it finished)")
        elif self.state == "failed":
            self.warnings.append(f"the last run failed: {last.error}")
        if success is None and self.state != "running":
            self.warnings.append("never crawled successfully")
        self.warnings.extend(drift_warnings(self.runs))

    @property
    def last(self) -> RunSummary | None:
        return self.runs[0] if self.runs else None

    @property
    def last_success(self) -> RunSummary | None:
        return next((r for r in self.runs if r.ok), None)

    @property
    def state(self) -> str:
        """never crawled, running, interrupted, failed or ok: the last run's outcome."""
        last = self.last
        if last is None:
            return "never crawled"
        if last.interrupted:
            return "running" if self.running is not None else "interrupted"
        return "ok" if last.ok else "failed"

    @property
    def healthy(self) -> bool:
        return not self.warnings

    def lines(self) -> list[str]:
        last = self.last
        if last is None:
            return [f"{self.name}: never crawled"]
        success = self.last_success
        lines = [f"{self.name}: last run {_when(last.started)}: {self._run_line(last)}",
                 f"  last success {_when(success.started if success else None)}"]
        if last.errors:
            lines.append("  errors: " + ", ".join(f"{k} {v}"
                                                 for k, v in sorted(last.errors.items())))
        if last.backing_off:
            lines.append(f"  failing URLs not retried yet (back-off): {last.backing_off}")
        if last.dropped:
            lines.append("  dropped: " + ", ".join(f"{k} {v}"
                                                  for k, v in sorted(last.dropped.items())))
        measured = next((r for r in self.runs if r.coverage), None)
        if measured is not None:
            cov = "  ".join(f"{f} {measured.coverage.get(f, 0.0):.0%}" for f in COVERAGE_FIELDS)
            lines.append(f"  coverage ({measured.extracted} articles, run of"
                         f" {_when(measured.started)}): {cov}")
        # the state line says it already
        lines.extend(f"  WARNING: {w}" for w in self.warnings
                     if not w.startswith(("the last run failed", "the last run was interrupted")))
        return lines

    def _run_line(self, run: RunSummary) -> str:
        state = {"running": f"RUNNING (pid {self.running})",
                 "interrupted": "INTERRUPTED (killed before it finished)",
                 "failed": f"FAILED: {run.error}"}.get(self.state, "ok")
        # unchanged: parsed again and equal, or confirmed without parsing (as the crawl's summary)
        return (f"{state}; {run.pages} pages, {run.bytes / 1024:,.0f} KiB, {run.seconds:.1f}s;"
                f" articles new {run.new}, updated {run.updated},"
                f" unchanged {run.unchanged + run.confirmed} (not re-parsed {run.confirmed}),"
                f" dropped {sum(run.dropped.values())}; errors {sum(run.errors.values())}")

    def as_dict(self) -> dict[str, Any]:
        last, success = self.last, self.last_success
        return {
            "name": self.name, "state": self.state, "healthy": self.healthy,
            "warnings": self.warnings,
            "last_run": None if last is None else _run_dict(last),
            "last_success": _iso(success.started) if success else None,
        }


def _run_dict(run: RunSummary) -> dict[str, Any]:
    return {
        "started": _iso(run.started), "finished": _iso(run.finished), "ok": run.ok,
        "error": run.error or None, "pages": run.pages, "bytes": run.bytes,
        "seconds": round(run.seconds, 3), "new": run.new, "updated": run.updated,
        "unchanged": run.unchanged + run.confirmed, "not_reparsed": run.confirmed,
        "dropped": run.dropped, "errors": run.errors, "backing_off": run.backing_off,
        "coverage": {k: round(v, 4) for k, v in run.coverage.items()},
        "coverage_articles": run.extracted,
    }


def feed_rejections(store: Store) -> dict[str, Any] | None:
    """What the last publish after a crawl rejected: ``{"published": iso, "rejected": n,
    "entries": [...]}``, from the newest run that recorded a publish; None if none did."""
    for record in store.runs(limit=HISTORY):
        stats = record.get("stats") or {}
        if REJECTED_COUNT_KEY in stats:
            count, entries = rejected(stats)
            return {"published": record.get("finished"), "rejected": count, "entries": entries}
    return None


def _frontier(url: str) -> tuple[RunInfo | None, str]:
    """The shared frontier's current run (None between runs), or why it can't be read."""
    if not url:
        return None, ""
    try:
        client = connect(url)
        try:
            return current_run(client), ""
        finally:
            client.close()
    except FrontierError as exc:
        return None, str(exc)
    except REDIS_ERRORS as exc:
        return None, f"Redis at {redacted(url)} unreachable: {exc}"


def run(args: argparse.Namespace) -> int:
    names: list[str] = []
    if args.config is not None:
        try:
            config = load_config(args.config or None)
            names = [s.name for s in config.sources]
            url = store_url(args, config)
        except ConfigError as exc:
            print(f"aggregator status: {exc}", file=sys.stderr)
            return EXIT_USAGE
    else:
        url = store_url(args)
    db = sqlite_file(args.data_dir, url)
    if db is not None and not db.exists():
        print(f"aggregator status: no store at {db} (crawl first, or pass --data-dir)",
              file=sys.stderr)
        return EXIT_USAGE
    running = crawl_holder(args.data_dir)
    store = open_store(args.data_dir, read_only=True, url=url)
    try:
        for name in store.run_sources():
            if name not in names:
                names.append(name)
        sources = [SourceHealth(name, [summarise(r) for r in store.runs(name, limit=HISTORY)],
                                running) for name in names]
        feeds = feed_rejections(store)
    finally:
        store.close()
    feed_warning = bool(feeds and feeds["rejected"])
    healthy = all(s.healthy for s in sources) and not feed_warning
    frontier, frontier_error = _frontier(args.redis)
    healthy = healthy and not frontier_error
    if args.json:
        print(json.dumps({"store": str(db), "healthy": healthy, "crawl_running": running,
                          "sources": [s.as_dict() for s in sources], "feeds": feeds,
                          "frontier": asdict(frontier) if frontier else None,
                          "frontier_error": frontier_error or None},
                         indent=2, ensure_ascii=False))
    else:
        if args.redis:
            print("\n".join([f"frontier: {frontier_error}"] if frontier_error
                            else run_lines(frontier)))
        for source in sources:
            print("\n".join(source.lines()))
        if feeds is not None and feeds["rejected"]:
            print(f"feeds (published {feeds['published']}): WARNING: {feeds['rejected']}"
                  " entries rejected (not in any feed):")
            print("\n".join(f"  {line}" for line in feeds["entries"]))
        if running is not None:
            print(f"a crawl is running now (pid {running})")
    return 0 if healthy else EXIT_WARNING
