"""``aggregator status``: each source's last run, last success, field coverage, and
warnings when a source stopped yielding articles or its coverage dropped (a redesign).

Exit status: 0 when every source looks healthy, 1 when there is a warning or a failed
last run, 2 on a bad config.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from aggregator.commands.common import help_text
from aggregator.config import ConfigError, load_config
from aggregator.health import COVERAGE_FIELDS, RunSummary, drift_warnings, summarise
from aggregator.store import DB_FILENAME, open_store

#: runs per source read to judge drift
HISTORY = 20


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("status", help="health of each source's crawls",
                                   description=help_text(__doc__))
    parser.add_argument("--data-dir", default="data",
                        help="folder of the SQLite store (default: ./data)")
    parser.add_argument("--config", default=None,
                        help="also list this config's sources that never ran (TOML or 'demo')")
    parser.set_defaults(func=run)


def _when(run: RunSummary | None) -> str:
    if run is None or run.started is None:
        return "never"
    return run.started.strftime("%Y-%m-%d %H:%M UTC")


def _run_line(run: RunSummary) -> str:
    if run.interrupted:
        state = "INTERRUPTED (killed, or still running)"
    else:
        state = "ok" if run.ok else f"FAILED: {run.error}"
    errors = sum(run.errors.values())
    dropped = sum(run.dropped.values())
    return (f"{state}; {run.pages} pages, {run.bytes / 1024:,.0f} KiB, {run.seconds:.1f}s;"
            f" articles new {run.new}, updated {run.updated}, unchanged {run.unchanged},"
            f" not re-parsed {run.confirmed}, dropped {dropped}; errors {errors}")


def source_status(name: str, runs: list[RunSummary]) -> tuple[list[str], bool]:
    """The lines for one source (runs newest first) and whether it is healthy."""
    if not runs:
        return [f"{name}: never crawled"], True
    last = runs[0]
    success = next((r for r in runs if r.ok), None)
    lines = [f"{name}: last run {_when(last)}: {_run_line(last)}",
             f"  last success {_when(success)}"]
    if last.errors:
        lines.append("  errors: " + ", ".join(f"{k} {v}" for k, v in sorted(last.errors.items())))
    if last.backing_off:
        lines.append(f"  failing URLs not retried yet (back-off): {last.backing_off}")
    if last.dropped:
        lines.append("  dropped: " + ", ".join(f"{k} {v}" for k, v in sorted(last.dropped.items())))
    measured = next((r for r in runs if r.coverage), None)
    if measured is not None:
        cov = "  ".join(f"{f} {measured.coverage.get(f, 0.0):.0%}" for f in COVERAGE_FIELDS)
        lines.append(f"  coverage ({measured.extracted} articles, run of {_when(measured)}): {cov}")
    warnings = drift_warnings(runs)
    lines.extend(f"  WARNING: {w}" for w in warnings)
    finished = next((r for r in runs if not r.interrupted), None)
    healthy = not warnings and (finished is None or bool(finished.ok))
    return lines, healthy


def run(args: argparse.Namespace) -> int:
    names: list[str] = []
    if args.config is not None:
        try:
            names = [s.name for s in load_config(args.config or None).sources]
        except ConfigError as exc:
            print(f"aggregator status: {exc}", file=sys.stderr)
            return 2
    if not (Path(args.data_dir) / DB_FILENAME).exists():
        print(f"aggregator status: no store in {args.data_dir} yet (run aggregator crawl)")
        return 1 if names else 0
    store = open_store(args.data_dir, read_only=True)
    try:
        for name in store.run_sources():
            if name not in names:
                names.append(name)
        healthy = True
        for name in names:
            runs = [summarise(r) for r in store.runs(name, limit=HISTORY)]
            lines, ok = source_status(name, runs)
            healthy = healthy and ok
            print("\n".join(lines))
    finally:
        store.close()
    return 0 if healthy else 1
