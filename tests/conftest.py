"""Real-service fixtures: a fresh Postgres database per run, a Redis db, the API on a free port."""

from __future__ import annotations

import os
import threading
import uuid
from collections.abc import Iterator

import httpx
import pytest
import redis
import uvicorn

from api.main import create_app
from bazaar.settings import Settings
from bazaar.wiring import Container, build, migrate
from streams.runner import InProcessRunner
from tests.stacks import a_fresh_database, free_port
from tests.waiting import poll_until

TEST_REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
JWT_SECRET = "test-only-secret-" + uuid.uuid4().hex


@pytest.fixture(scope="session")
def database_url() -> Iterator[str]:
    """A database of its own for this run, dropped afterwards."""
    with a_fresh_database() as url:
        yield url


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
