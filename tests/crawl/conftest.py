"""Helpers of the crawl tests: a generated site served on 127.0.0.1, crawled by the real
``aggregator crawl`` in a subprocess, read back from the real SQLite file."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

from tests.conftest import REPO, RunningServer, run_aggregator, start_server, stop_server
from tests.crawl.sitegen import SiteSpec, config_text, write_site


def start_slow_server(root: Path, log: Path, delay: float) -> RunningServer:
    """The site server answering each request after ``delay`` seconds."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "aggregator.demo.server", "--root", str(root), "--port", "0",
         "--log", str(log), "--delay", str(delay)],
        stdout=subprocess.PIPE, text=True, cwd=REPO)
    assert proc.stdout is not None
    url = proc.stdout.readline().strip()
    assert url.startswith("http://127.0.0.1:"), url
    return RunningServer(url=url, hostport=url.removeprefix("http://"), root=root, log=log,
                         process=proc)


@dataclass
class GenSite:
    """A generated site in a tmp folder, its server, config and data folder."""

    tmp: Path
    spec: SiteSpec
    server: RunningServer
    options: dict = field(default_factory=dict)

    @property
    def config(self) -> Path:
        return self.tmp / "sources.toml"

    @property
    def data_dir(self) -> Path:
        return self.tmp / "data"

    def write(self, **changes: object) -> list[str]:
        for key, value in changes.items():
            setattr(self.spec, key, value)
        return write_site(self.server.root, self.spec)

    def write_config(self, prefix: str = "", **options: object) -> None:
        self.config.write_text(prefix + config_text(self.spec, **{**self.options, **options}))

    def crawl_args(self) -> list[str]:
        return ["crawl", "--config", str(self.config), "--route",
                f"{self.spec.host}={self.server.hostport}", "--data-dir", str(self.data_dir),
                "--feeds-dir", str(self.tmp / "feeds")]

    def crawl(self, *extra: str, env: dict | None = None) -> subprocess.CompletedProcess:
        return run_aggregator(*self.crawl_args(), *extra, cwd=self.tmp)

    def query(self, sql: str, *params: object) -> list[tuple]:
        with sqlite3.connect(self.data_dir / "aggregator.sqlite3") as conn:
            return conn.execute(sql, params).fetchall()

    def last_stats(self) -> dict:
        import json

        rows = self.query("SELECT stats FROM runs ORDER BY id DESC LIMIT 1")
        return json.loads(rows[0][0])

    def log_mark(self) -> int:
        return len(self.server.requests())


def make_site(tmp: Path, spec: SiteSpec | None = None, delay: float = 0.0,
              **options: object) -> GenSite:
    """The generated site written to ``tmp/site``, served (each answer ``delay`` seconds
    late, for tests that act mid-crawl), with its config written."""
    spec = spec or SiteSpec()
    root = tmp / "site"
    write_site(root, spec)
    server = (start_slow_server(root, tmp / "requests.log", delay) if delay
              else start_server(root, tmp / "requests.log"))
    site = GenSite(tmp=tmp, spec=spec, server=server, options=dict(options))
    site.write_config()
    return site


def close_site(site: GenSite) -> None:
    stop_server(site.server)
