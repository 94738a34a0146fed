"""A database and a Redis of a test module's own, apart from the session's (positions, `inv:*`)."""

from __future__ import annotations

import os
import socket
import subprocess
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import psycopg
import redis
import uvicorn
from starlette.types import ASGIApp

from bazaar.dev_kafka import BAZAAR, environment
from bazaar.settings import Settings
from bazaar.wiring import Container, build, migrate
from tests.waiting import poll_until

SERVER_URL = os.environ.get("TEST_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
TEST_REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
"""The Redis db the run may use (and empty): every test that needs the shared Redis takes this."""


@contextmanager
def a_fresh_database() -> Iterator[str]:
    """A new, empty database, dropped (connections and all) on exit."""
    name = f"bazaar_own_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(SERVER_URL, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield urlunsplit(urlsplit(SERVER_URL)._replace(path=f"/{name}"))
    finally:
        with psycopg.connect(SERVER_URL, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


TEST_POOL_SIZE = 2
"""Each test stack's pools, and so each process it starts: 2 x 2 + 4 connections at most.

The suite must fit beside other clients in a Postgres of the default 100 connections: the
session's stack, one module's stack and the processes it starts (relay and two workers, or
the documented topology, which keeps the default sizes it is about) stay within 60 at once.
"""


def settings_for(database_url: str, redis_url: str, **overrides: Any) -> Settings:
    """Test settings for these servers, with the test stacks' small pools."""
    chosen = {
        "bazaar_env": "test",
        "database_url": database_url,
        "redis_url": redis_url,
        "jwt_secret": "x" * 40,
        "password_hash_memory_kib": 8192,
        "password_hash_time_cost": 1,
        "saga_backoff_s": 0.05,
        "postgres_pool_size": TEST_POOL_SIZE,
        **overrides,
    }
    return Settings(_env_file=None, **chosen)


@contextmanager
def a_built_stack(database_url: str, redis_url: str, **overrides: Any) -> Iterator[Container]:
    """Tables created, then every part built on these servers (and settings); closed on exit."""
    settings = settings_for(database_url, redis_url, **overrides)
    migrate(settings)
    container = build(settings)
    try:
        yield container
    finally:
        container.close()


@contextmanager
def a_stack_of_its_own(directory: Path) -> Iterator[Container]:
    """A built stack on a new database and a Redis server of its own (its data in
    `directory`): no runner moves its positions, so a test drives its views by hand."""
    with (
        a_redis_server(directory) as redis_server,
        a_fresh_database() as database_url,
        a_built_stack(database_url, redis_server.url) as container,
    ):
        yield container


@contextmanager
def serving(app: ASGIApp) -> Iterator[str]:
    """`app` served by uvicorn on a free loopback port, in a thread; its base URL."""
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=free_port(), log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    poll_until(lambda: server.started)
    try:
        yield f"http://127.0.0.1:{server.config.port}"
    finally:
        server.should_exit = True
        thread.join(timeout=5)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class RedisServer:
    """A redis-server process on a free port that a test may kill and start again.

    It saves its data on a clean shutdown and reloads it on start, like a restarted server.
    """

    def __init__(self, directory: Path, binary: str = "redis-server") -> None:
        self.directory = directory
        self.binary = binary
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                self.binary,
                *("--port", str(self.port), "--bind", "127.0.0.1", "--dir", str(self.directory)),
                *("--save", "3600", "1", "--appendonly", "no", "--protected-mode", "no"),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        poll_until(self.answers)

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=10)
            self.process = None

    def answers(self) -> bool:
        client = redis.Redis(port=self.port, socket_connect_timeout=0.2)
        try:
            return bool(client.ping())
        except redis.ConnectionError:
            return False
        finally:
            client.close()


@contextmanager
def a_redis_server(directory: Path, binary: str = "redis-server") -> Iterator[RedisServer]:
    server = RedisServer(directory, binary)
    server.start()
    try:
        yield server
    finally:
        server.stop()


class BazaarProcesses:
    """`bazaar` commands (relay, worker, api, runner, ...) a test starts, kills and restarts,
    working in its log directory (a Faust worker keeps its data there, not in the checkout)."""

    def __init__(self, settings: Settings, logs: Path) -> None:
        self.env = {**os.environ, **environment(settings)}
        self.logs = logs
        self.running: list[subprocess.Popen[bytes]] = []

    def start(self, *command: str) -> subprocess.Popen[bytes]:
        with (self.logs / f"{command[0]}.log").open("ab") as log:
            process = subprocess.Popen(
                [*BAZAAR, *command],
                env=self.env,
                cwd=self.logs,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=log,
            )
        self.running.append(process)
        return process

    def kill(self, process: subprocess.Popen[bytes]) -> None:
        """Gone at once, as in a crash: nothing flushed, nothing committed on the way out."""
        process.kill()
        process.wait(timeout=10)
        self.running.remove(process)

    def keep(self, *commands: str) -> None:
        """Exactly these commands running, one process each (`keep("relay", "worker")`):
        extras stopped, missing ones started, whatever a test before killed or added."""
        wanted = list(commands)
        for process in list(self.running):
            if process.poll() is None and process.args[-1] in wanted:
                wanted.remove(process.args[-1])
            else:
                self.stop(process)
        for command in wanted:
            self.start(command)

    def stop(self, process: subprocess.Popen[bytes]) -> None:
        """Stopped as by an operator: it finishes what it holds and leaves its group."""
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        self.running.remove(process)

    def stop_all(self) -> None:
        for process in self.running:
            process.terminate()
        for process in self.running:
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        self.running.clear()


CONNECTION_BUDGET = 40
"""What one whole stack (API, runner or relay and workers, saga executor) may hold of a
Postgres whose default 100 connections other clients share too."""


@dataclass
class ConnectionPeak:
    peak: int = 0
    by_process: dict[str, int] = field(default_factory=dict)
    """The peak of each process, by the name it gives its connections (`bazaar worker 42`)."""


def connected(database_url: str, command: str) -> bool:
    """Whether a `bazaar <command>` process holds a connection to this database now."""
    name = urlsplit(database_url).path.lstrip("/")
    with psycopg.connect(SERVER_URL, autocommit=True) as conn:
        row = conn.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = %s AND application_name LIKE %s",
            (name, f"bazaar {command} %"),
        ).fetchone()
    return bool(row and row[0])


@contextmanager
def peak_connections(database_url: str) -> Iterator[ConnectionPeak]:
    """The most connections to this database at any moment of the block (sampled often)."""
    name = urlsplit(database_url).path.lstrip("/")
    seen, done = ConnectionPeak(), threading.Event()

    def sample() -> None:
        with psycopg.connect(SERVER_URL, autocommit=True) as conn:
            while not done.wait(0.02):
                rows = conn.execute(
                    "SELECT application_name, count(*) FROM pg_stat_activity"
                    " WHERE datname = %s GROUP BY application_name",
                    (name,),
                ).fetchall()
                seen.peak = max(seen.peak, sum(int(count) for _, count in rows))
                for process, count in rows:
                    seen.by_process[process] = max(seen.by_process.get(process, 0), int(count))

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    try:
        yield seen
    finally:
        done.set()
        sampler.join(timeout=5)
