"""``aggregator schedule``: run ``aggregator crawl`` every interval, with jitter, never
two at once. Options after the schedule's own go to ``aggregator crawl`` unchanged, e.g.

    aggregator schedule --every 30m --jitter 5m -- --config sources.toml --data-dir data
"""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from types import FrameType

from aggregator.commands.common import help_text, whole_number
from aggregator.runlock import EXIT_LOCKED, CrawlLocked
from aggregator.schedule import Scheduler, crawl_command, parse_duration, schedule_lock


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "schedule", help="run crawls on a timer, one at a time", description=help_text(__doc__),
        formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--every", required=True, metavar="DURATION",
                        help="time from one crawl's start to the next, e.g. 30m, 1h, 1h30m")
    parser.add_argument("--jitter", default="0", metavar="DURATION",
                        help="add or remove up to this much at random each time (default: 0)")
    parser.add_argument("--max-runs", type=whole_number(0), default=0, metavar="N",
                        help="stop after N crawls (default: run until stopped)")
    parser.add_argument("crawl_args", nargs=argparse.REMAINDER, metavar="CRAWL OPTIONS",
                        help="options of aggregator crawl (--config, --source, --route, "
                             "--data-dir, --feeds-dir, -v)")
    parser.set_defaults(func=run)


def _data_dir(crawl_args: list[str]) -> str:
    """The --data-dir the crawls will use (crawl's default: ./data)."""
    for i, arg in enumerate(crawl_args):
        if arg == "--data-dir" and i + 1 < len(crawl_args):
            return crawl_args[i + 1]
        if arg.startswith("--data-dir="):
            return arg.split("=", 1)[1]
    return "data"


def run(args: argparse.Namespace) -> int:
    try:
        every = parse_duration(args.every)
        jitter = parse_duration(args.jitter)
    except ValueError as exc:
        print(f"aggregator schedule: {exc}", file=sys.stderr)
        return 2
    if every <= 0 or jitter >= every:
        print("aggregator schedule: --every must be > 0 and --jitter smaller than it",
              file=sys.stderr)
        return 2
    crawl_args = [a for a in args.crawl_args if a != "--"]
    stop = threading.Event()

    def on_signal(signum: int, frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    try:
        with schedule_lock(_data_dir(crawl_args)):
            scheduler = Scheduler(crawl_command(crawl_args), every, jitter, args.max_runs,
                                  stop=stop, report=lambda line: print(line, flush=True))
            outcomes = scheduler.loop()
    except CrawlLocked as exc:
        print(f"aggregator schedule: {exc}", file=sys.stderr)
        return EXIT_LOCKED
    failed = [o for o in outcomes if o.returncode not in (0, EXIT_LOCKED)]
    return 1 if failed else 0
