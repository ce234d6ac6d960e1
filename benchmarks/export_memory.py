"""Memory of ``aggregator export`` against store size: the export streams, so its peak
memory should not grow with the number of articles.

Inserts N synthetic articles straight through the store (``SQLiteStore.save_article``),
then exports them as JSONL, JSON and CSV (with links) in a fresh subprocess per run and
reports its peak RSS (``ru_maxrss``) and the tracemalloc peak of the export itself.
Its times include tracemalloc's overhead (several times slower): they are not the export's
speed. Without it, ``aggregator export`` writes about 12,000 articles/s as JSONL (20,000 in
1.7 s wall, start-up included; JSON encoding, row decoding and datetime formatting are most
of it, the per-article links query about 10%).

    .venv/bin/python benchmarks/export_memory.py            # 1,000 vs 100,000
    .venv/bin/python benchmarks/export_memory.py 1000 10000
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

CHILD = r"""
import argparse, io, json, resource, sys, tracemalloc
from aggregator.commands import export
args = argparse.Namespace(format=sys.argv[2], since=None, until=None, source=None,
                          output=sys.argv[3], data_dir=sys.argv[1])
tracemalloc.start()
code = export.run(args)
traced = tracemalloc.get_traced_memory()[1]
print(json.dumps({"code": code, "tracemalloc_peak": traced,
                  "max_rss_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}))
"""


def fill(data_dir: Path, count: int) -> float:
    from aggregator.store.sqlite import SQLiteStore
    from tests.exporters.synthetic import make_article

    store = SQLiteStore(data_dir / "aggregator.sqlite3")
    started = time.perf_counter()
    for i in range(count):
        store.save_article(make_article(i, "alpha" if i % 2 else "beta",
                                        body_text=f"Paragraph {i}. " * 60))
    store.close()
    return time.perf_counter() - started


def measure(data_dir: Path, fmt: str) -> dict:
    out = data_dir / f"out.{fmt}"
    started = time.perf_counter()
    result = subprocess.run([sys.executable, "-c", CHILD, str(data_dir), fmt, str(out)],
                            cwd=REPO, capture_output=True, text=True, check=True)
    figures = json.loads(result.stdout.strip().splitlines()[-1])
    figures["seconds"] = time.perf_counter() - started
    figures["bytes"] = out.stat().st_size
    return figures


def main(sizes: list[int]) -> None:
    rows = {}
    with tempfile.TemporaryDirectory() as tmp:
        for size in sizes:
            data_dir = Path(tmp) / str(size)
            data_dir.mkdir()
            fill_seconds = fill(data_dir, size)
            print(f"{size:>7} articles inserted in {fill_seconds:.1f}s"
                  " (export times below are under tracemalloc)")
            for fmt in ("jsonl", "json", "csv"):
                rows[(size, fmt)] = figures = measure(data_dir, fmt)
                print(f"{size:>7} {fmt:<5} {figures['seconds']:6.1f}s  "
                      f"{figures['bytes'] / 1e6:8.1f} MB out  peak RSS "
                      f"{figures['max_rss_kb'] / 1024:6.1f} MiB  tracemalloc peak "
                      f"{figures['tracemalloc_peak'] / 1024:8.1f} KiB")
    small, large = sizes[0], sizes[-1]
    for fmt in ("jsonl", "json", "csv"):
        a, b = rows[(small, fmt)], rows[(large, fmt)]
        print(f"{fmt:<5} {large}/{small} articles: peak RSS ratio "
              f"{b['max_rss_kb'] / a['max_rss_kb']:.2f}, tracemalloc peak ratio "
              f"{b['tracemalloc_peak'] / a['tracemalloc_peak']:.2f}")


if __name__ == "__main__":
    main([int(n) for n in sys.argv[1:]] or [1000, 100_000])
