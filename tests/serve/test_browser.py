"""A real browser (Debian's headless Chromium) loads the served index page and the
feeds through their XSL stylesheet; the rendered DOM is checked and screenshots are kept."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import lxml.html
import pytest

from tests.serve.conftest import HOSTILE_TITLE, Served, Site, keep_artifact

#: a real crawl in a subprocess or a browser: left out of the fast subset (-m "not slow")
pytestmark = pytest.mark.slow

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]
#: what each browser run does: (name, page, extra arguments)
RUNS = [
    ("index-dom", "", ["--dump-dom"]),
    ("rss-dom", "alpha.rss", ["--dump-dom"]),
    ("atom-dom", "all.atom", ["--dump-dom"]),
    ("index-desktop", "", ["--screenshot={png}", "--window-size=1280,1600"]),
    ("index-phone", "", ["--screenshot={png}", "--window-size=390,1400"]),
    ("feed-desktop", "all.atom", ["--screenshot={png}", "--window-size=1280,1600"]),
]


@pytest.fixture(scope="module")
def browser(served: Served, tmp_path_factory: pytest.TempPathFactory,
            ) -> Iterator[tuple[dict[str, str], dict[str, Path]]]:
    """Run every browser job at once (each with its own profile); return DOMs and PNGs."""
    tmp = tmp_path_factory.mktemp("chromium")
    procs = {}
    shots = {}
    for name, page, extra in RUNS:
        png = tmp / f"serve-{name}.png"
        args = [a.format(png=png) for a in extra]
        if any(a.startswith("--screenshot") for a in args):
            shots[name] = png
        procs[name] = subprocess.Popen(
            [CHROMIUM, *FLAGS, f"--user-data-dir={tmp / ('profile-' + name)}", *args,
             served.url + page],
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, cwd=tmp)
    doms = {}
    try:
        for name, proc in procs.items():
            out, _ = proc.communicate(timeout=90)
            assert proc.returncode == 0, f"chromium {name} exited {proc.returncode}"
            doms[name] = out
    finally:
        for proc in procs.values():
            if proc.poll() is None:
                proc.kill()
                proc.wait()
    for png in shots.values():
        keep_artifact(png)
    yield doms, shots


def test_index_page_renders(site: Site, browser: tuple[dict[str, str], dict[str, Path]]) -> None:
    doms, _ = browser
    doc = lxml.html.fromstring(doms["index-dom"])
    text = doc.text_content()
    for title in ("All articles", "Alpha <News>", "Beta Daily", "Alpha story number 7",
                  HOSTILE_TITLE):
        assert title in text, title
    assert not doc.cssselect("script") and not doc.cssselect("b")
    assert len(doc.cssselect('link[rel="alternate"]')) == 9


@pytest.mark.parametrize("dom, feed_title, titles", [
    ("rss-dom", "Alpha <News>", [f"Alpha story number {n}" for n in range(7, 0, -1)]),
    ("atom-dom", "All articles", ["Alpha story number 7", HOSTILE_TITLE, "Beta story number 1"]),
])
def test_feed_renders_through_the_stylesheet(browser: tuple[dict[str, str], dict[str, Path]],
                                             dom: str, feed_title: str,
                                             titles: list[str]) -> None:
    doms, _ = browser
    doc = lxml.html.fromstring(doms[dom])
    assert doc.findtext(".//h1") == feed_title  # the XSLT ran: raw XML has no <h1>
    shown = [a.text_content() for a in doc.cssselect(".entry h2 a")]
    for title in titles:
        assert title in shown
    assert not doc.cssselect("script") and not doc.cssselect("b")


def test_screenshots_saved(browser: tuple[dict[str, str], dict[str, Path]]) -> None:
    _, shots = browser
    for name, png in shots.items():
        data = png.read_bytes()
        assert data.startswith(b"\x89PNG\r\n\x1a\n") and len(data) > 10_000, name
