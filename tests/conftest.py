"""Shared fixtures: a real HTTP server for the demo sites on 127.0.0.1 (port 0), a real
PostgreSQL server (one per session, a fresh database per test), and a runner for the real
``aggregator`` command in a subprocess."""

from __future__ import annotations

import itertools
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from aggregator.demo import site_root
from aggregator.store import Store, open_store
from tests.helpers.postgres import (RunningPostgres, create_database, drop_database,
                                    start_postgres, stop_postgres)

REPO = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"


@dataclass
class RunningServer:
    url: str
    hostport: str
    root: Path
    log: Path
    process: subprocess.Popen

    def routes(self) -> list[str]:
        """``--route`` arguments sending every host of the site folder to this server."""
        hosts = sorted(p.name for p in self.root.iterdir() if p.is_dir() and "." in p.name)
        return [arg for host in hosts for arg in ("--route", f"{host}={self.hostport}")]

    def requests(self) -> list[dict]:
        """Every request the server answered so far."""
        if not self.log.exists():
            return []
        return [json.loads(line) for line in self.log.read_text().splitlines() if line]


def start_server(root: Path, log: Path) -> RunningServer:
    """Start the site server as a subprocess; return once it accepts connections
    (it prints its URL only after binding)."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "aggregator.demo.server", "--root", str(root), "--port", "0",
         "--log", str(log)],
        stdout=subprocess.PIPE, text=True, cwd=REPO)
    assert proc.stdout is not None
    url = proc.stdout.readline().strip()
    if not url.startswith("http://127.0.0.1:"):
        proc.kill()
        raise RuntimeError(f"site server did not start: {url!r}")
    return RunningServer(url=url, hostport=url.removeprefix("http://"), root=root, log=log,
                         process=proc)


def stop_server(server: RunningServer) -> None:
    server.process.terminate()
    try:
        server.process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        server.process.kill()


@pytest.fixture
def site_copy(tmp_path: Path) -> Path:
    """A private, editable copy of the demo sites."""
    dest = tmp_path / "site"
    shutil.copytree(site_root(), dest)
    return dest


@pytest.fixture
def demo_server(tmp_path: Path) -> Iterator[RunningServer]:
    """The bundled demo sites, served read-only."""
    server = start_server(site_root(), tmp_path / "requests.log")
    yield server
    stop_server(server)


@pytest.fixture
def copy_server(site_copy: Path, tmp_path: Path) -> Iterator[RunningServer]:
    """An editable copy of the demo sites, served."""
    server = start_server(site_copy, tmp_path / "requests.log")
    yield server
    stop_server(server)


@dataclass
class DemoCrawl:
    """One real crawl of the bundled demo sites, shared by the tests that only read it."""

    result: subprocess.CompletedProcess
    data_dir: Path
    feeds_dir: Path
    requests: list[dict]  # what the site server answered, one dict per request


@pytest.fixture(scope="session")
def demo_crawl(tmp_path_factory: pytest.TempPathFactory) -> DemoCrawl:
    """``aggregator crawl --config demo`` against the demo sites served on 127.0.0.1.
    Read it, never change it: other test modules share it."""
    tmp = tmp_path_factory.mktemp("demo-crawl")
    server = start_server(site_root(), tmp / "requests.log")
    try:
        result = run_aggregator("crawl", "--config", "demo", *server.routes(),
                                "--data-dir", str(tmp / "data"), "--feeds-dir", str(tmp / "feeds"),
                                cwd=tmp)
    finally:
        stop_server(server)
    return DemoCrawl(result=result, data_dir=tmp / "data", feeds_dir=tmp / "feeds",
                     requests=server.requests())


def run_aggregator(*args: str, cwd: Path, timeout: float = 300,
                   env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    """Run the real ``aggregator`` command line in a subprocess (one reactor per crawl),
    with ``env`` added to the environment."""
    env = {**os.environ, **(env or {})}
    env["PYTHONPATH"] = str(REPO) + os.pathsep + env.get("PYTHONPATH", "")
    return subprocess.run([sys.executable, "-m", "aggregator.cli", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=timeout)


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[RunningPostgres]:
    """One real PostgreSQL server for the session (Debian's, on a free loopback port, data in
    a temporary folder); fails, saying how to install it, when PostgreSQL is missing."""
    try:
        server = start_postgres()
    except RuntimeError as exc:
        pytest.fail(str(exc), pytrace=False)
    yield server
    stop_postgres(server)


_DATABASES = itertools.count(1)


@pytest.fixture
def postgres_url(postgres_server: RunningPostgres) -> Iterator[str]:
    """The URL of a new, empty database on the session's server, dropped after the test."""
    name = f"test_{os.getpid()}_{next(_DATABASES)}"
    url = create_database(postgres_server, name)
    yield url
    drop_database(postgres_server, name)


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """The URL of a new, empty store on each backend: an SQLite file, a PostgreSQL
    database."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'store' / 'aggregator.sqlite3'}"
    return str(request.getfixturevalue("postgres_url"))


@pytest.fixture
def store(store_url: str, tmp_path: Path) -> Iterator[Store]:
    """A new store on each backend (see ``store_url``), open for writing."""
    opened = open_store(tmp_path, url=store_url)
    yield opened
    opened.close()


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The tests marked ``slow`` (real crawls in a subprocess, a browser) run one after the
    other on one pytest-xdist worker (``--dist loadgroup``, setup.cfg) while the others share
    the rest: several of them time a crawl against its server (a kill mid-crawl, a browser's
    restarts, workers of the shared frontier) and are not meant to share the CPU with each
    other."""
    for item in items:
        if item.get_closest_marker("slow") is not None:
            item.add_marker(pytest.mark.xdist_group("slow"))
