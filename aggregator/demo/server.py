"""A small static HTTP server for sites laid out as ``<root>/<host name>/<path>``.

It answers requests for several made-up host names at once: a request line with an
absolute URI (``GET http://bytewire.example/ HTTP/1.1``, as a client talking to a
proxy sends) or a ``Host`` header picks the folder. Conditional requests
(ETag / Last-Modified) get 304s, as real news sites give.

A host folder may hold two rule files, in the spirit of Netlify's: ``_redirects``, one
rule a line, ``FROM TO [STATUS]`` (``#`` starts a comment; ``FROM`` is a path, or a path
prefix ending in ``*`` whose rest replaces ``:splat`` in ``TO``; ``STATUS`` defaults to
301): a 3xx status redirects to ``TO`` (a path or an absolute URL), any other serves the
file at path ``TO`` with that status (200: a rewrite). ``_headers``: a path at the start
of a line, then indented ``Name: value`` lines, sent with that path's responses (a
``Content-Type`` there replaces the guessed one). Test sites use them for error pages,
redirects, wrong content types and generated URL spaces; the rule files are not served.

Run it alone: ``python -m aggregator.demo.server --root DIR --port 0`` prints
``http://127.0.0.1:PORT`` on one line once it accepts connections.
"""

from __future__ import annotations

import argparse
import json
import logging
import posixpath
import sys
import threading
import time
from dataclasses import dataclass
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit

from aggregator.demo import site_root
from aggregator.serve.caching import FileCache, not_modified
from aggregator.serve.media import media_type

logger = logging.getLogger(__name__)

#: the per-host rule files (see the module docstring); never served themselves
RULE_FILES = ("_redirects", "_headers")


@dataclass(frozen=True)
class Rule:
    """One ``_redirects`` line."""

    source: str
    target: str
    status: int

    def match(self, path: str) -> str | None:
        """The target for ``path``, or None when the rule does not apply."""
        if self.source.endswith("*"):
            prefix = self.source[:-1]
            if path.startswith(prefix):
                return self.target.replace(":splat", path[len(prefix):])
            return None
        return self.target if path == self.source else None


def parse_redirects(text: str) -> list[Rule]:
    """The rules of a ``_redirects`` file.

    >>> [(r.source, r.target, r.status)
    ...  for r in parse_redirects("/old /new\\n/api/* /v2/:splat 200  # rewrite\\n")]
    [('/old', '/new', 301), ('/api/*', '/v2/:splat', 200)]
    """
    rules = []
    for number, line in enumerate(text.splitlines(), start=1):
        fields = line.split("#", 1)[0].split()
        if not fields:
            continue
        if len(fields) not in (2, 3) or (len(fields) == 3 and not fields[2].isdigit()):
            raise ValueError(f"_redirects line {number}: expected FROM TO [STATUS]: {line!r}")
        rules.append(Rule(fields[0], fields[1], int(fields[2]) if len(fields) == 3 else 301))
    return rules


def parse_headers(text: str) -> dict[str, dict[str, str]]:
    """The headers of a ``_headers`` file, by path.

    >>> parse_headers("/raw\\n  Content-Type: text/html; charset=utf-8\\n")
    {'/raw': {'Content-Type': 'text/html; charset=utf-8'}}
    """
    out: dict[str, dict[str, str]] = {}
    current: dict[str, str] | None = None
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        if not line[0].isspace():
            current = out.setdefault(line.strip(), {})
        elif current is not None and ":" in line:
            name, value = line.split(":", 1)
            current[name.strip()] = value.strip()
        else:
            raise ValueError(f"_headers line {number}: expected a path or 'Name: value': {line!r}")
    return out


class _Handler(BaseHTTPRequestHandler):
    server: "SiteServer"
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - stdlib name
        logger.debug("%s " + format, self.address_string(), *args)

    def _target(self) -> tuple[str, str]:
        parts = urlsplit(self.path)
        if parts.scheme and parts.netloc:  # absolute URI: we are asked as a proxy
            return (parts.hostname or "").lower(), parts.path or "/"
        host = urlsplit("//" + (self.headers.get("Host") or "")).hostname or ""
        return host.lower(), parts.path or "/"

    def _resolve(self, host: str, path: str) -> Path | None:
        root = self.server.root
        if not host or "/" in host or host.startswith("."):
            return None
        clean = posixpath.normpath(unquote(path))
        if "\\" in clean or "\x00" in clean:
            return None
        base = (root / host).resolve()
        candidate = (base / clean.lstrip("/")).resolve()
        if base != candidate and base not in candidate.parents:
            return None
        if candidate.is_dir():
            candidate = candidate / "index.html"
        return candidate if candidate.is_file() else None

    def do_HEAD(self) -> None:  # noqa: N802 - stdlib name
        self._serve(head=True)

    def do_GET(self) -> None:  # noqa: N802 - stdlib name
        self._serve(head=False)

    def _serve(self, head: bool) -> None:
        if self.server.delay:  # a slow site, for tests that stop a crawl half-way
            time.sleep(self.server.delay)
        host, path = self._target()
        status, served = HTTPStatus.OK, path
        for rule in self.server.rules(host):
            target = rule.match(path)
            if target is None:
                continue
            if 300 <= rule.status < 400:
                self._send(rule.status, b"", None, host, path, head, {"Location": target})
                return
            status, served = rule.status, target
            break
        file = self._resolve(host, served)
        if file is None or file.name in RULE_FILES:
            self._send(HTTPStatus.NOT_FOUND, b"not found\n", "text/plain", host, path, head)
            return
        rep = self.server.files.get(file)
        headers = {"ETag": rep.etag, "Last-Modified": rep.last_modified,
                   "Cache-Control": "max-age=60"}
        if status == HTTPStatus.OK and not_modified(rep.etag, rep.mtime,
                                                    self.headers.get("If-None-Match"),
                                                    self.headers.get("If-Modified-Since")):
            self._send(HTTPStatus.NOT_MODIFIED, b"", None, host, path, head, headers)
            return
        extra = self.server.headers_for(host, path)
        ctype = extra.pop("Content-Type", media_type(file))
        self._send(status, rep.body, ctype, host, path, head, {**headers, **extra})

    def _send(self, status: int, body: bytes, ctype: str | None, host: str, path: str,
              head: bool, headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        if ctype:
            self.send_header("Content-Type", ctype)
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if not head and status != HTTPStatus.NOT_MODIFIED:
            try:
                self.wfile.write(body)
            except (BrokenPipeError, ConnectionResetError):  # the client gave up (size cap)
                self.close_connection = True
        self.server.record(self.command, host, path, int(status), 0 if head else len(body),
                           agent=self.headers.get("User-Agent") or "")


class SiteServer(ThreadingHTTPServer):
    """The server; ``log`` (if given) gets one JSON line per request served."""

    daemon_threads = True

    def __init__(self, root: Path, host: str = "127.0.0.1", port: int = 0,
                 log: Path | None = None, delay: float = 0.0) -> None:
        self.root = Path(root).resolve()
        #: seconds to wait before answering each request
        self.delay = delay
        #: the files' bytes and validators, the same HTTP caching core as `aggregator serve`
        self.files = FileCache()
        self._log = open(log, "a", encoding="utf-8") if log else None  # noqa: SIM115
        self._lock = threading.Lock()
        super().__init__((host, port), _Handler)

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        return f"http://{host}:{port}"

    @property
    def hostport(self) -> str:
        host, port = self.server_address[:2]
        return f"{host}:{port}"

    def _rule_file(self, host: str, name: str) -> str:
        if not host or "/" in host or host.startswith("."):
            return ""
        try:
            return (self.root / host / name).read_text(encoding="utf-8")
        except FileNotFoundError:
            return ""

    def rules(self, host: str) -> list[Rule]:
        """The host's ``_redirects`` rules (read on each request: test sites edit them)."""
        return parse_redirects(self._rule_file(host, "_redirects"))

    def headers_for(self, host: str, path: str) -> dict[str, str]:
        """Extra headers of ``path`` from the host's ``_headers`` file."""
        return dict(parse_headers(self._rule_file(host, "_headers")).get(path, {}))

    def hosts(self) -> list[str]:
        """The host names this server has a folder for."""
        return sorted(p.name for p in self.root.iterdir() if p.is_dir() and "." in p.name)

    def record(self, method: str, host: str, path: str, status: int, size: int,
               agent: str = "") -> None:
        if self._log is None:
            return
        line = json.dumps({"method": method, "host": host, "path": path, "status": status,
                           "bytes": size, "agent": agent})
        with self._lock:
            self._log.write(line + "\n")
            self._log.flush()

    def start_in_thread(self) -> threading.Thread:
        thread = threading.Thread(target=self.serve_forever, name="site-server", daemon=True)
        thread.start()
        return thread

    def server_close(self) -> None:
        super().server_close()
        if self._log is not None:
            self._log.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", type=Path, default=None, help="site folder (default: the demo)")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--log", type=Path, default=None, help="append a JSON line per request")
    parser.add_argument("--delay", type=float, default=0.0, metavar="SECONDS",
                        help="wait this long before answering each request (a slow site)")
    args = parser.parse_args(argv)
    server = SiteServer(args.root or site_root(), args.host, args.port, args.log, args.delay)
    print(server.url, flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
