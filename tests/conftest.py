"""Real-service fixtures: a fresh Postgres database per run, a Redis db, the API on a free port."""

from __future__ import annotations

import os
import socket
import threading
import uuid
from collections.abc import Iterator
from urllib.parse import urlsplit, urlunsplit

import httpx
import psycopg
import pytest
import redis
import uvicorn

from api.main import create_app
from bazaar.settings import Settings
from bazaar.wiring import Container, build, migrate
from streams.runner import InProcessRunner
from tests.waiting import poll_until

TEST_DATABASE_URL = os.environ.get(
    "TEST_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
)
TEST_REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
JWT_SECRET = "test-only-secret-" + uuid.uuid4().hex


def _with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{name}"))


@pytest.fixture(scope="session")
def database_url() -> Iterator[str]:
    """A database of its own for this run, dropped afterwards."""
    name = f"bazaar_test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(TEST_DATABASE_URL, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    yield _with_database(TEST_DATABASE_URL, name)
    with psycopg.connect(TEST_DATABASE_URL, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session")
def redis_url() -> str:
    redis.Redis.from_url(TEST_REDIS_URL).flushdb()
    return TEST_REDIS_URL


@pytest.fixture(scope="session")
def settings(database_url: str, redis_url: str) -> Settings:
    return Settings(
        bazaar_env="test",
        database_url=database_url,
        redis_url=redis_url,
        jwt_secret=JWT_SECRET,
        read_wait_timeout_s=10.0,
        password_hash_memory_kib=8192,
        password_hash_time_cost=1,
        _env_file=None,
    )


@pytest.fixture(scope="session")
def container(settings: Settings) -> Iterator[Container]:
    migrate(settings)
    built = build(settings)
    yield built
    built.close()


@pytest.fixture(scope="session")
def event_store_env(settings: Settings) -> dict[str, str]:
    """The eventsourcing settings of this run's database, for application-level suites."""
    return settings.event_store_env(create_tables=True)


@pytest.fixture(scope="session")
def runner(container: Container) -> Iterator[InProcessRunner]:
    started = container.runner()
    started.start()
    yield started
    started.stop()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="session")
def server(container: Container, runner: InProcessRunner) -> Iterator[str]:
    """The API served by uvicorn on a loopback port, with the projections running."""
    port = free_port()
    app = create_app(container.api_services(JWT_SECRET))
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning")
    instance = uvicorn.Server(config)
    thread = threading.Thread(target=instance.run, daemon=True)
    thread.start()
    poll_until(lambda: instance.started)
    yield f"http://127.0.0.1:{port}"
    instance.should_exit = True
    thread.join(timeout=5)


@pytest.fixture
def client(server: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server, timeout=30) as http:
        yield http
