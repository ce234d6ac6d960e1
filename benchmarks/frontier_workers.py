"""Pages/s of a run on the shared frontier with 1 and 2 workers, against one process.

Run by hand (never a timed test; needs ``nginx`` and ``redis-server`` on the PATH, Debian's
nginx-light and redis-server)::

    .venv/bin/python benchmarks/frontier_workers.py [--articles 10000] [--workers 1 2]

The generated site of benchmarks/crawl_vs_trafilatura.py (same spec, same speed settings: no
delay, 16 requests per domain at once) is served by nginx on 127.0.0.1. Crawled, each into a
fresh SQLite store in its own data folder:

- **single**: ``aggregator crawl`` alone, one process (the comparison);
- **frontier, N workers**: a fresh ``redis-server``, ``aggregator crawl --redis`` (the
  coordinator) and N ``aggregator worker`` processes.

Printed per crawl: pages served (nginx's log), wall seconds of the coordinator, pages/s, the
CPU seconds of the workers (their own rusage, the store's SQLite work included: it runs
inside them), of the coordinator, and of redis-server (from /proc), Redis's share of all of
it, and the peak RSS of each worker (``wait4``).
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "benchmarks"))

from crawl_vs_trafilatura import SPEED, _served, _start_nginx  # noqa: E402

from tests.crawl.sitegen import SiteSpec, config_text, write_site  # noqa: E402
from tests.helpers.redis import start_redis, stop_redis  # noqa: E402


@dataclass
class Result:
    name: str
    pages: int
    seconds: float
    worker_cpu: float
    coordinator_cpu: float
    redis_cpu: float
    worker_rss_mb: list[float] = field(default_factory=list)
    #: CPU seconds of the PostgreSQL server's processes (0 with SQLite: it runs in the workers)
    db_cpu: float = 0.0

    def line(self) -> str:
        total = self.worker_cpu + self.coordinator_cpu + self.redis_cpu + self.db_cpu
        share = f"{100 * self.redis_cpu / total:.1f}%" if total else "-"
        db_share = f"{100 * self.db_cpu / total:.1f}%" if total and self.db_cpu else "-"
        rss = "/".join(f"{r:.0f}" for r in self.worker_rss_mb)
        return (f"{self.name:<22} {self.pages:>6} {self.seconds:>8.1f} "
                f"{self.pages / self.seconds:>8.1f} {self.worker_cpu:>9.1f} "
                f"{self.coordinator_cpu:>8.1f} {self.redis_cpu:>7.2f} {share:>7} "
                f"{self.db_cpu:>7.1f} {db_share:>6} {rss:>12}")


def _proc_cpu(pid: int) -> float:
    """CPU seconds (user + system) of a running process, from /proc."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _tree_cpu(root: int) -> float:
    """CPU seconds of ``root`` and of its children that are running (a PostgreSQL server:
    the postmaster and its backends; exited backends are counted in the postmaster's
    children times, fields 13-14)."""
    total = 0.0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        pid, ppid = int(stat.parent.name), int(fields[1])
        if pid == root:
            total += sum(int(f) for f in fields[11:15]) / os.sysconf("SC_CLK_TCK")
        elif ppid == root:
            total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return total


def _wait(proc: subprocess.Popen[bytes]) -> tuple[float, float]:
    """CPU seconds and peak RSS (MB) of a child, once it exits (non-zero: an error)."""
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise RuntimeError(f"{proc.args[3:5]} exited {proc.returncode}")
    return usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024


def crawl(tmp: Path, name: str, spec: SiteSpec, port: int, log: Path, env: dict[str, str],
          workers: int, postgres: object | None = None) -> Result:
    config = tmp / f"{name}.toml"
    config.write_text(config_text(spec, name="bench", follow_related=1, max_section_pages=100000,
                                  settings=SPEED))
    common = ["--config", str(config), "--route", f"{spec.host}=127.0.0.1:{port}",
              "--data-dir", str(tmp / f"{name}-data"), "--feeds-dir", str(tmp / f"{name}-feeds")]
    db_pid = 0
    if postgres is not None:
        from tests.helpers.postgres import create_database

        common += ["--store", create_database(postgres, name.replace("-", "_"))]
        db_pid = postgres.pid  # type: ignore[attr-defined]
    db_before = _tree_cpu(db_pid) if db_pid else 0.0
    cli = [sys.executable, "-m", "aggregator.cli"]
    mark = len(log.read_text().splitlines()) if log.exists() else 0
    redis = start_redis() if workers else None
    try:
        extra = ["--redis", redis.url] if redis else []
        procs = [subprocess.Popen([*cli, "worker", *common, *extra], cwd=tmp, env=env,
                                  stdout=subprocess.DEVNULL) for _ in range(workers)]
        redis_before = _proc_cpu(redis.pid) if redis else 0.0
        started = time.perf_counter()
        coordinator = subprocess.Popen([*cli, "crawl", *common, *extra], cwd=tmp, env=env,
                                       stdout=subprocess.DEVNULL)
        coordinator_cpu, rss = _wait(coordinator)
        seconds = time.perf_counter() - started
        redis_cpu = _proc_cpu(redis.pid) - redis_before if redis else 0.0
        measured = [_wait(p) for p in procs]
    finally:
        if redis:
            stop_redis(redis)
    pages, _ = _served(log, mark)
    db_cpu = _tree_cpu(db_pid) - db_before if db_pid else 0.0
    if not workers:  # the one process is the worker
        return Result(name, pages, seconds, coordinator_cpu, 0.0, 0.0, [rss], db_cpu)
    return Result(name, pages, seconds, sum(c for c, _ in measured), coordinator_cpu, redis_cpu,
                  [r for _, r in measured], db_cpu)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=10_000)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--stores", nargs="+", default=["sqlite"],
                        choices=("sqlite", "postgresql"),
                        help="postgresql: a private server started here (Debian's postgresql)")
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="frontier-workers-"))
    tmp.chmod(0o755)  # nginx's worker runs as another user when started by root
    env = dict(os.environ, PYTHONPATH=str(REPO))
    spec = SiteSpec(host="bench.example", articles=args.articles, per_page=20, feed_items=20)
    write_site(tmp / "site", spec)
    nginx, port = _start_nginx(tmp, tmp / "site")
    log = tmp / "access.log"
    results = []
    postgres = None
    try:
        for store in args.stores:
            if store == "postgresql" and postgres is None:
                from tests.helpers.postgres import start_postgres

                postgres = start_postgres()
            db = postgres if store == "postgresql" else None
            results.append(crawl(tmp, f"{store}-single", spec, port, log, env, 0, db))
            for n in args.workers:
                results.append(crawl(tmp, f"{store}-frontier-{n}", spec, port, log, env, n, db))
    finally:
        nginx.send_signal(signal.SIGQUIT)
        nginx.wait(timeout=30)
        if postgres is not None:
            from tests.helpers.postgres import stop_postgres

            stop_postgres(postgres)
    print(f"site: {args.articles} articles served by nginx; {os.cpu_count()} cores")
    print(f"{'crawl':<22} {'pages':>6} {'seconds':>8} {'pages/s':>8} {'CPU wrk s':>9} "
          f"{'CPU crd':>8} {'CPU rds':>7} {'redis%':>7} {'CPU db':>7} {'db%':>6} "
          f"{'peak MB/wrk':>12}")
    for result in results:
        print(result.line())
    for store in args.stores:
        base = next((r for r in results if r.name == f"{store}-frontier-1"), None)
        for result in results:
            if (base is not None and result.name.startswith(f"{store}-frontier-")
                    and result is not base):
                ratio = (result.pages / result.seconds) / (base.pages / base.seconds)
                print(f"{result.name}: {ratio:.2f}x the pages/s of {base.name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
