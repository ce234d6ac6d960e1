"""Fixtures for the feed server tests: a real SQLite store filled with articles (some with
hostile titles), feeds published from it with the real publisher, and a real
``aggregator serve`` subprocess on 127.0.0.1 port 0."""

from __future__ import annotations

import http.client
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from aggregator.config import Config, load_config
from aggregator.exporters.publish import publish_feeds
from aggregator.items import Article, LeadImage, RelatedLink
from aggregator.store.sqlite import SQLiteStore
from tests.conftest import REPO

HOSTILE_TITLE = '<script>alert("x")</script> & <b>bold</b> "quoted" title'
BASE = datetime(2024, 3, 1, 8, 0, tzinfo=timezone.utc)

CONFIG_TOML = """
[aggregator]
feed_limit = 100

[[sources]]
name = "alpha"
title = "Alpha <News>"
home = "http://alpha.example/"

[[sources]]
name = "beta"
title = "Beta Daily"
home = "http://beta.example/"
"""


def make_article(source: str, n: int, title: str | None = None) -> Article:
    url = f"http://{source}.example/2024/03/story-{n}/"
    return Article(
        url=url, canonical_url=url, source=source,
        title=title or f"{source.title()} story number {n}",
        summary=f"Summary of {source} story {n}.",
        authors=[f"Writer {n}"],
        published=BASE + timedelta(hours=n),
        body_text=f"First paragraph of story {n}.\n\nSecond paragraph of story {n}.",
        body_html=f"<p>First paragraph of story {n}.</p><p>Second paragraph of story {n}.</p>",
        image=LeadImage(url=f"http://{source}.example/img/{n}.jpg", caption=f"Picture {n}"),
        tags=["tech"], fetched_at=BASE + timedelta(hours=n, minutes=5),
        related=[RelatedLink(url=f"http://{source}.example/2024/03/story-{n + 1}/",
                             title=f"Next {source} story {n + 1}", position=1)],
        content_hash=f"{source}-{n}",
    )


def fill_store(db: Path, articles: list[Article]) -> None:
    store = SQLiteStore(db)
    try:
        for article in articles:
            store.save_article(article)
    finally:
        store.close()


def publish(db: Path, config: Config, feeds_dir: Path) -> list[Path]:
    store = SQLiteStore(db)
    try:
        return publish_feeds(store, config, feeds_dir)
    finally:
        store.close()


@dataclass
class Site:
    """A published feeds folder and the store and config it came from."""

    root: Path
    feeds: Path
    db: Path
    config: Config
    articles: list[Article]


def build_site(root: Path, feeds_url: str = "") -> Site:
    """Fill a store and publish its feeds into ``root/feeds`` (``feeds_url``: where they
    are served, which makes the OPML's links absolute)."""
    config_path = root / "sources.toml"
    options = f'feeds_url = "{feeds_url}"\n' if feeds_url else ""
    config_path.write_text(CONFIG_TOML.replace("[aggregator]\n", "[aggregator]\n" + options),
                           "utf-8")
    config = load_config(str(config_path))
    articles = [make_article("alpha", n) for n in range(1, 8)]
    articles += [make_article("beta", n) for n in range(1, 6)]
    articles.append(make_article("beta", 6, title=HOSTILE_TITLE))
    db = root / "data" / "aggregator.sqlite3"
    db.parent.mkdir(parents=True)
    fill_store(db, articles)
    feeds = root / "feeds"
    publish(db, config, feeds)
    return Site(root=root, feeds=feeds, db=db, config=config, articles=articles)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Site:
    return build_site(tmp_path_factory.mktemp("site"))


@dataclass
class Served:
    url: str
    host: str
    port: int
    process: subprocess.Popen
    feeds: Path

    def connection(self) -> http.client.HTTPConnection:
        return http.client.HTTPConnection(self.host, self.port, timeout=10)

    def request(self, method: str, path: str, headers: dict[str, str] | None = None,
                ) -> tuple[http.client.HTTPResponse, bytes]:
        """One request with the path sent exactly as given (http.client does not normalise)."""
        conn = self.connection()
        try:
            conn.request(method, path, headers=headers or {})
            resp = conn.getresponse()
            return resp, resp.read()
        finally:
            conn.close()


def aggregator_env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(REPO) + os.pathsep + env.get("PYTHONPATH", "")
    return env


def start_serve(feeds: Path, *extra: str, cwd: Path) -> Served:
    """``aggregator serve --port 0`` in a subprocess; returns once it printed its URL
    (it prints only after binding, so no waiting is needed)."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "aggregator.cli", "serve", "--feeds-dir", str(feeds),
         "--host", "127.0.0.1", "--port", "0", *extra],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=cwd, env=aggregator_env())
    assert proc.stdout is not None
    line = proc.stdout.readline().strip()
    if " at http://127.0.0.1:" not in line:
        proc.kill()
        raise RuntimeError(f"aggregator serve did not start: {line!r} {proc.stderr.read()!r}")
    url = line.rsplit(" at ", 1)[1]
    hostport = url.removeprefix("http://").rstrip("/")
    host, port = hostport.rsplit(":", 1)
    return Served(url=url, host=host, port=int(port), process=proc, feeds=feeds)


def stop_serve(served: Served) -> int:
    served.process.terminate()
    try:
        return served.process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        served.process.kill()
        raise


@pytest.fixture(scope="module")
def served(site: Site) -> Iterator[Served]:
    server = start_serve(site.feeds, cwd=site.root)
    yield server
    stop_serve(server)


def artifacts_dir() -> Path | None:
    """Where screenshots are copied when AGGREGATOR_TEST_ARTIFACTS is set."""
    if not os.environ.get("AGGREGATOR_TEST_ARTIFACTS"):
        return None
    dest = REPO / "test-artifacts"
    dest.mkdir(exist_ok=True)
    return dest


def keep_artifact(path: Path) -> None:
    dest = artifacts_dir()
    if dest is not None:
        shutil.copy2(path, dest / path.name)
