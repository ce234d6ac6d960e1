"""A real PostgreSQL server for the tests, from the Debian ``postgresql`` package.

:func:`start_postgres` runs ``initdb`` into a fresh temporary folder and starts ``postgres``
on a free loopback port with its socket in that folder; it returns once the server has
logged that it accepts connections (read from its log as it is written, no sleeping) and a
connection succeeded. :func:`stop_postgres` stops it by its PID and removes the folder.

As root (initdb refuses root) the server runs as the ``postgres`` user the Debian package
creates. Its cluster collates with ICU ``en-US`` on purpose: the store must order text
bytewise (as SQLite does) whatever the database's locale.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

INSTALL_HINT = ("PostgreSQL is not installed: `apt-get install postgresql` (Debian; "
                "`bash scripts/test.sh` does it), or put its bin folder (initdb, postgres) on "
                "PATH")
#: the superuser initdb creates (trust authentication, loopback only)
SUPERUSER = "aggregator"
READY = "database system is ready to accept connections"


@dataclass
class RunningPostgres:
    process: subprocess.Popen[str]
    folder: Path
    port: int
    log: Path

    @property
    def pid(self) -> int:
        return self.process.pid

    def url(self, database: str = "postgres") -> str:
        return f"postgresql://{SUPERUSER}@127.0.0.1:{self.port}/{database}"


def postgres_bin() -> Path | None:
    """The folder of ``initdb`` and ``postgres``: Debian's newest, else PATH's."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"),
                   key=lambda p: int(Path(p).parent.parent.name)
                   if Path(p).parent.parent.name.isdigit() else 0)
    if found:
        return Path(found[-1]).parent
    initdb = shutil.which("initdb")
    return Path(initdb).parent if initdb else None


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _as_user() -> dict[str, Any]:
    """Popen arguments that drop root to the ``postgres`` user (initdb refuses root)."""
    if os.geteuid() != 0:
        return {}
    try:
        user = pwd.getpwnam("postgres")
    except KeyError:
        raise RuntimeError("running as root and there is no `postgres` user to run "
                           "PostgreSQL as: " + INSTALL_HINT) from None
    return {"user": user.pw_uid, "group": user.pw_gid, "extra_groups": []}


def start_postgres(attempts: int = 3) -> RunningPostgres:
    """initdb and start a private server (see the module); raises ``RuntimeError`` with
    what went wrong, or how to install PostgreSQL."""
    bindir = postgres_bin()
    if bindir is None:
        raise RuntimeError(INSTALL_HINT)
    drop = _as_user()
    folder = Path(tempfile.mkdtemp(prefix="aggregator-pg-"))
    if drop:
        os.chown(folder, drop["user"], drop["group"])
    data = folder / "data"
    init = subprocess.run(
        [str(bindir / "initdb"), "-D", str(data), "-U", SUPERUSER, "-A", "trust", "-E", "UTF8",
         "--no-sync", "--locale-provider=icu", "--icu-locale=en-US", "--locale=C.UTF-8"],
        capture_output=True, text=True, cwd=folder, **drop)
    if init.returncode != 0:
        shutil.rmtree(folder, ignore_errors=True)
        raise RuntimeError(f"initdb failed ({init.returncode}): {init.stderr.strip()}")
    last_error = ""
    for _ in range(attempts):  # another process may take the free port before we bind it
        port = _free_port()
        log = folder / f"postgres-{port}.log"
        proc = subprocess.Popen(
            [str(bindir / "postgres"), "-D", str(data), "-p", str(port), "-k", str(folder),
             "-c", "listen_addresses=127.0.0.1", "-c", "fsync=off",
             "-c", "synchronous_commit=off", "-c", "full_page_writes=off",
             "-c", "max_connections=60", "-c", "shared_buffers=32MB"],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, cwd=folder, **drop)
        lines = _read_until_ready(proc, log)
        if lines is None:
            return _connected(RunningPostgres(proc, folder, port, log))
        proc.wait(timeout=30)
        last_error = "\n".join(lines[-5:])
    shutil.rmtree(folder, ignore_errors=True)
    raise RuntimeError(f"postgres did not start: {last_error}")


def _read_until_ready(proc: subprocess.Popen[str], log: Path) -> list[str] | None:
    """Read the server's log until it is ready (None; the rest of the log then goes to
    ``log`` from a thread) or it exits (the lines it wrote)."""
    assert proc.stderr is not None
    lines: list[str] = []
    for line in proc.stderr:
        lines.append(line.rstrip())
        if READY in line:
            break
    else:
        return lines
    log.write_text("\n".join(lines) + "\n")

    def drain() -> None:
        assert proc.stderr is not None
        with log.open("a") as out:
            for rest in proc.stderr:
                out.write(rest)

    threading.Thread(target=drain, daemon=True).start()
    return None


def _connected(server: RunningPostgres) -> RunningPostgres:
    import psycopg

    with psycopg.connect(server.url(), connect_timeout=10) as conn:
        conn.execute("SELECT 1")
    return server


def stop_postgres(server: RunningPostgres) -> None:
    """Stop the server by its PID (fast shutdown) and remove its folder."""
    if server.process.poll() is None:
        os.kill(server.pid, signal.SIGINT)
        try:
            server.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.kill(server.pid, signal.SIGKILL)
            server.process.wait(timeout=30)
    shutil.rmtree(server.folder, ignore_errors=True)


def create_database(server: RunningPostgres, name: str) -> str:
    """A new, empty database on ``server``; its URL."""
    import psycopg

    with psycopg.connect(server.url(), autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')  # type: ignore[arg-type]
    return server.url(name)


def drop_database(server: RunningPostgres, name: str) -> None:
    import psycopg

    with psycopg.connect(server.url(), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')  # type: ignore[arg-type]
