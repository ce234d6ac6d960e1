"""A real Redis server for the tests, from the Debian ``redis-server`` package.

:func:`start_redis` starts ``redis-server`` on a free loopback port with its data in a fresh
temporary folder (no snapshots, no append-only file) and returns once a PING is answered,
polled over a connection in a bounded loop; :func:`stop_redis` stops it by its PID.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

INSTALL_HINT = ("redis-server is not installed: `apt-get install redis-server` (Debian; "
                "`bash scripts/test.sh` does it), or put redis-server on PATH")


@dataclass
class RunningRedis:
    process: subprocess.Popen[bytes]
    folder: Path
    port: int

    @property
    def pid(self) -> int:
        return self.process.pid

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _answers_ping(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1) as conn:
            conn.sendall(b"PING\r\n")
            return conn.recv(16).startswith(b"+PONG")
    except OSError:
        return False


def start_redis(timeout: float = 20.0) -> RunningRedis:
    """A new ``redis-server`` (see the module); RuntimeError saying how to install it when
    it is missing, or with its log when it does not come up."""
    binary = shutil.which("redis-server")
    if binary is None:
        raise RuntimeError(INSTALL_HINT)
    folder = Path(tempfile.mkdtemp(prefix="aggregator-redis-"))
    port = _free_port()
    log = folder / "redis.log"
    process = subprocess.Popen(
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--dir", str(folder),
         "--save", "", "--appendonly", "no", "--daemonize", "no", "--logfile", str(log)],
        stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + timeout
    while not _answers_ping(port):
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            process.wait()
            text = log.read_text(errors="replace") if log.exists() else ""
            shutil.rmtree(folder, ignore_errors=True)
            raise RuntimeError(f"redis-server on port {port} did not start:\n{text[-2000:]}")
        # poll again on the next connection attempt: the loop is bounded by the deadline
    return RunningRedis(process=process, folder=folder, port=port)


def stop_redis(server: RunningRedis) -> None:
    """Stop the server by its PID and remove its folder."""
    server.process.terminate()
    try:
        server.process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        server.process.kill()
        server.process.wait()
    shutil.rmtree(server.folder, ignore_errors=True)
