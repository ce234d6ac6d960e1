"""``aggregator serve`` for real: a subprocess on 127.0.0.1 port 0, spoken to with
http.client and raw sockets (which send the path exactly as written)."""

from __future__ import annotations

import gzip
import os
import signal
import socket
from collections.abc import Iterator
from email.utils import formatdate, parsedate_to_datetime

import feedparser
import pytest

from tests.serve.conftest import (
    Served, Site, fill_store, make_article, publish, start_serve, stop_serve)


@pytest.fixture(scope="module")
def traps(site: Site) -> Site:
    """A secret outside the feeds folder, and symlinks inside it pointing out (and one in)."""
    (site.root / "secret.txt").write_text("TOP-SECRET", "utf-8")
    os.symlink(site.root / "secret.txt", site.feeds / "leak.txt")
    os.symlink(site.root, site.feeds / "up")
    os.symlink(site.feeds / "alpha.rss", site.feeds / "alias.rss")
    (site.feeds / "emptydir").mkdir()
    return site


def raw_get(served: Served, target: bytes, method: bytes = b"GET") -> tuple[int, bytes]:
    """Send one request line byte for byte; return the status code and the whole answer."""
    with socket.create_connection((served.host, served.port), timeout=10) as sock:
        sock.sendall(method + b" " + target + b" HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                     b"Connection: close\r\n\r\n")
        chunks = []
        while chunk := sock.recv(65536):
            chunks.append(chunk)
    answer = b"".join(chunks)
    return int(answer.split(b" ", 2)[1]), answer


def test_get_feed_with_validators(served: Served) -> None:
    resp, body = served.request("GET", "/all.rss")
    assert resp.status == 200
    assert resp.getheader("Content-Type") == "application/rss+xml; charset=utf-8"
    assert int(resp.getheader("Content-Length")) == len(body)
    etag = resp.getheader("ETag")
    assert etag.startswith('"') and etag.endswith('"') and not etag.startswith("W/")
    assert parsedate_to_datetime(resp.getheader("Last-Modified")).tzinfo is not None
    assert resp.getheader("Cache-Control") == "public, max-age=300"
    assert "Accept-Encoding" in resp.getheader("Vary")
    assert body == (served.feeds / "all.rss").read_bytes()
    parsed = feedparser.parse(body)
    assert not parsed.bozo and len(parsed.entries) == 13


@pytest.mark.parametrize("name, media_type", [
    ("all.rss", "application/rss+xml"),
    ("all.atom", "application/atom+xml"),
    ("all.json", "application/feed+json"),
    ("feeds.opml", "text/x-opml"),
    ("index.html", "text/html"),
    ("", "text/html"),
    ("alpha.html", "text/html"),
    ("style.css", "text/css"),
])
def test_media_types(served: Served, name: str, media_type: str) -> None:
    resp, body = served.request("GET", "/" + name)
    assert resp.status == 200 and body
    assert resp.getheader("Content-Type").split(";")[0] == media_type
    assert resp.getheader("X-Content-Type-Options") == "nosniff"


def test_browser_gets_xml_type_reader_gets_feed_type(served: Served) -> None:
    browser = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
    resp, body = served.request("GET", "/all.atom", {"Accept": browser})
    assert resp.getheader("Content-Type").startswith("application/xml")
    assert "Accept" in resp.getheader("Vary")
    reader = "application/atom+xml,application/rss+xml,application/xml;q=0.9,*/*;q=0.1"
    resp2, body2 = served.request("GET", "/all.atom", {"Accept": reader})
    assert resp2.getheader("Content-Type").startswith("application/atom+xml")
    assert body == body2 and resp.getheader("ETag") == resp2.getheader("ETag")


def test_conditional_get_round_trip(traps: Site, served: Served) -> None:
    first, body = served.request("GET", "/alpha.rss")
    etag, last_modified = first.getheader("ETag"), first.getheader("Last-Modified")
    assert first.status == 200

    by_etag, empty = served.request("GET", "/alpha.rss", {"If-None-Match": etag})
    assert by_etag.status == 304 and empty == b""
    assert by_etag.getheader("ETag") == etag
    assert by_etag.getheader("Cache-Control") and by_etag.getheader("Vary")

    by_date, empty = served.request("GET", "/alpha.rss", {"If-Modified-Since": last_modified})
    assert by_date.status == 304 and empty == b""

    older = formatdate(parsedate_to_datetime(last_modified).timestamp() - 3600, usegmt=True)
    stale, again = served.request("GET", "/alpha.rss", {"If-Modified-Since": older})
    assert stale.status == 200 and again == body

    # If-None-Match wins over a matching If-Modified-Since (RFC 9110 13.2.2)
    mismatch, again = served.request("GET", "/alpha.rss", {
        "If-None-Match": '"something-else"', "If-Modified-Since": last_modified})
    assert mismatch.status == 200 and again == body

    # publish again from the store with one more article: the feed file is replaced
    fill_store(traps.db, [make_article("alpha", 8)])
    publish(traps.db, traps.config, traps.feeds)
    changed, new_body = served.request("GET", "/alpha.rss", {"If-None-Match": etag})
    assert changed.status == 200
    assert changed.getheader("ETag") != etag
    titles = [e.title for e in feedparser.parse(new_body).entries]
    assert titles[0] == "Alpha story number 8" and len(titles) == 8
    # ... and the new ETag validates in turn
    again304, _ = served.request("GET", "/alpha.rss", {"If-None-Match": changed.getheader("ETag")})
    assert again304.status == 304


def test_gzip(served: Served) -> None:
    plain, body = served.request("GET", "/all.atom")
    zipped, zbody = served.request("GET", "/all.atom", {"Accept-Encoding": "gzip, br"})
    assert zipped.status == 200 and zipped.getheader("Content-Encoding") == "gzip"
    assert gzip.decompress(zbody) == body and len(zbody) < len(body) / 2
    assert int(zipped.getheader("Content-Length")) == len(zbody)
    assert "Accept-Encoding" in zipped.getheader("Vary")
    assert zipped.getheader("ETag") != plain.getheader("ETag")
    assert plain.getheader("Content-Encoding") is None
    refused, rbody = served.request("GET", "/all.atom", {"Accept-Encoding": "gzip;q=0"})
    assert refused.getheader("Content-Encoding") is None and rbody == body
    # each variant validates only against its own ETag
    hit, _ = served.request("GET", "/all.atom", {"Accept-Encoding": "gzip",
                                                 "If-None-Match": zipped.getheader("ETag")})
    assert hit.status == 304 and hit.getheader("ETag") == zipped.getheader("ETag")
    miss, _ = served.request("GET", "/all.atom", {"If-None-Match": zipped.getheader("ETag")})
    assert miss.status == 200


def test_head(served: Served) -> None:
    get, body = served.request("GET", "/all.json", {"Accept-Encoding": "gzip"})
    head, empty = served.request("HEAD", "/all.json", {"Accept-Encoding": "gzip"})
    assert head.status == 200 and empty == b""
    for name in ("Content-Type", "Content-Length", "ETag", "Last-Modified", "Content-Encoding",
                 "Cache-Control", "Vary"):
        assert head.getheader(name) == get.getheader(name), name
    assert int(head.getheader("Content-Length")) == len(body)


@pytest.mark.parametrize("method", ["POST", "PUT", "DELETE", "PATCH", "OPTIONS", "TRACE"])
def test_other_methods_405(served: Served, method: str) -> None:
    resp, _ = served.request(method, "/all.rss")
    assert resp.status == 405
    assert resp.getheader("Allow") == "GET, HEAD"


@pytest.mark.parametrize("target", [
    b"/../secret.txt", b"/../../../../etc/passwd",
    b"/%2e%2e/secret.txt", b"/%2e%2e%2fsecret.txt", b"/%2E%2E/%2E%2E/etc/passwd",
    b"/%252e%252e/secret.txt", b"/%252e%252e%252fsecret.txt",
    b"/..\\secret.txt", b"/%5c..%5csecret.txt", b"/%2e%2e%5csecret.txt",
    b"/all.rss%00", b"/secret.txt%00.rss",
    b"/leak.txt", b"/up/secret.txt", b"/up/",
    b"//etc/passwd", b"/etc/passwd", b"etc/passwd", b"http://127.0.0.1/../secret.txt",
    b"/.all.rss.tmp", b"/emptydir/", b"/emptydir",
])
def test_traversal_refused(traps: Site, served: Served, target: bytes) -> None:
    status, answer = raw_get(served, target)
    assert status in (400, 404), answer[:200]
    assert b"TOP-SECRET" not in answer and b"root:" not in answer


def test_symlink_inside_the_folder_is_served(traps: Site, served: Served) -> None:
    status, answer = raw_get(served, b"/alias.rss")
    assert status == 200 and b"<rss" in answer


def test_no_directory_listing(served: Served) -> None:
    (served.feeds / "topics").mkdir(exist_ok=True)
    (served.feeds / "topics" / "ai.rss").write_bytes(b"<rss/>")
    status, answer = raw_get(served, b"/topics/")
    assert status == 404 and b"ai.rss" not in answer
    (served.feeds / "topics" / "index.html").write_bytes(b"<p>topics</p>")
    status, answer = raw_get(served, b"/topics/")
    assert status == 200 and answer.endswith(b"<p>topics</p>")
    status, answer = raw_get(served, b"/topics")
    assert status == 301 and b"Location: /topics/\r\n" in answer


@pytest.fixture
def lone_server(site: Site) -> Iterator[Served]:
    server = start_serve(site.feeds, cwd=site.root)
    yield server
    if server.process.poll() is None:
        server.process.kill()
        server.process.wait()


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
def test_clean_shutdown(lone_server: Served, sig: signal.Signals) -> None:
    resp, _ = lone_server.request("GET", "/")
    assert resp.status == 200
    lone_server.process.send_signal(sig)
    assert lone_server.process.wait(timeout=10) == 0
    assert lone_server.process.stdout.read().strip() == "stopped"
    assert "Traceback" not in lone_server.process.stderr.read()
    with pytest.raises(OSError):
        socket.create_connection((lone_server.host, lone_server.port), timeout=2).close()


def test_port_in_use_is_a_clear_error(served: Served, site: Site) -> None:
    from tests.serve.conftest import aggregator_env
    import subprocess
    import sys

    result = subprocess.run(
        [sys.executable, "-m", "aggregator.cli", "serve", "--feeds-dir", str(site.feeds),
         "--port", str(served.port)], capture_output=True, text=True, timeout=30,
        env=aggregator_env(), cwd=site.root)
    assert result.returncode == 1
    assert f"cannot listen on 127.0.0.1:{served.port}" in result.stderr


def test_stop_returns_zero(site: Site) -> None:
    server = start_serve(site.feeds, cwd=site.root)
    assert stop_serve(server) == 0


def test_keep_alive_small_responses_are_not_delayed(served: Served) -> None:
    """Headers and body are separate writes; with Nagle's algorithm on, each gzip answer
    waited ~40 ms for the client's delayed ACK (measured: 44 ms; now ~0.4 ms)."""
    import time

    conn = served.connection()
    try:
        started = time.perf_counter()
        for _ in range(20):
            conn.request("GET", "/all.rss", headers={"Accept-Encoding": "gzip"})
            resp = conn.getresponse()
            assert resp.status == 200 and resp.read()
        elapsed = time.perf_counter() - started
    finally:
        conn.close()
    assert elapsed < 0.4, f"20 keep-alive requests took {elapsed:.3f}s"


@pytest.mark.parametrize("head", [
    b"Content-Length: 58\r\n",                           # a body on a GET
    b"Transfer-Encoding: chunked\r\n",                   # chunked: never read
    b"Content-Length: 5\r\nTransfer-Encoding: chunked\r\n",  # both: ambiguous
    b"Content-Length: 5\r\nContent-Length: 58\r\n",      # two lengths
    b"Content-Length: -1\r\n", b"Content-Length: 1e3\r\n",  # not one whole number
])
def test_a_request_body_is_refused_and_never_read_as_the_next_request(
        served: Served, head: bytes) -> None:
    """The body is a second request: had the server read on, it would answer it (desync)."""
    smuggled = b"GET /secret.txt HTTP/1.1\r\nHost: x\r\n\r\n"
    chunk = b"3a\r\n" + smuggled + b"\r\n0\r\n\r\n" if b"chunked" in head else smuggled
    with socket.create_connection((served.host, served.port), timeout=10) as sock:
        sock.sendall(b"GET /all.rss HTTP/1.1\r\nHost: x\r\n" + head + b"\r\n" + chunk)
        answer = b""
        while chunk := sock.recv(65536):  # the server closes the connection after its answer
            answer += chunk
    assert answer.startswith(b"HTTP/1.0 400") or answer.startswith(b"HTTP/1.1 400"), answer[:80]
    assert answer.count(b"HTTP/1.") == 1  # one answer: the body was not parsed as a request


def test_post_with_a_body_gets_405_and_the_connection_closes(served: Served) -> None:
    with socket.create_connection((served.host, served.port), timeout=10) as sock:
        sock.sendall(b"POST /all.rss HTTP/1.1\r\nHost: x\r\nContent-Length: 38\r\n\r\n"
                     b"GET /all.atom HTTP/1.1\r\nHost: x\r\n\r\n")
        answer = b""
        while chunk := sock.recv(65536):
            answer += chunk
    assert b" 405 " in answer.split(b"\r\n", 1)[0] and answer.count(b"HTTP/1.") == 1
