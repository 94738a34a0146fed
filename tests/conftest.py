"""Real-service fixtures: a fresh Postgres database per run, a Redis db, the API on a free port."""

from __future__ import annotations

import logging
import threading
import uuid
from collections.abc import Iterator

import httpx
import pytest
import redis
import uvicorn

from api.main import create_app
from bazaar import wiring
from bazaar.settings import Settings
from bazaar.wiring import Container, build, migrate
from streams.runner import InProcessRunner
from tests.card_provider import ProviderControl, a_card_provider
from tests.fakes import SmtpSink, Webhook, a_webhook, an_smtp_sink
from tests.stacks import TEST_POOL_SIZE, TEST_REDIS_URL, a_fresh_database, free_port
from tests.waiting import poll_until

JWT_SECRET = "test-only-secret-" + uuid.uuid4().hex
CARD_PROVIDER_TIMEOUT_S = 0.5


@pytest.fixture(autouse=True)
def restored_logging() -> Iterator[None]:
    """A test that runs the CLI sets up logging to its captured output; undo it afterwards."""
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)


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
def smtp_sink() -> Iterator[SmtpSink]:
    """Where the service's e-mail goes: a real SMTP server on loopback."""
    with an_smtp_sink() as sink:
        yield sink


@pytest.fixture(scope="session")
def webhook() -> Iterator[Webhook]:
    """The shipping partner's webhook: a real HTTP server on loopback."""
    with a_webhook() as hook:
        yield hook


@pytest.fixture(scope="session")
def card_provider() -> Iterator[ProviderControl]:
    """The card provider: the bundled fake, a real HTTP server on loopback."""
    with a_card_provider() as provider:
        yield provider


@pytest.fixture(scope="session")
def settings(
    database_url: str,
    redis_url: str,
    smtp_sink: SmtpSink,
    webhook: Webhook,
    card_provider: ProviderControl,
) -> Settings:
    return Settings(
        bazaar_env="test",
        database_url=database_url,
        redis_url=redis_url,
        jwt_secret=JWT_SECRET,
        read_wait_timeout_s=10.0,
        password_hash_memory_kib=8192,
        password_hash_time_cost=1,
        smtp_url=smtp_sink.url,
        shipping_webhook_url=webhook.url,
        saga_backoff_s=0.05,
        postgres_pool_size=TEST_POOL_SIZE,
        card_provider_url=card_provider.url,
        card_provider_timeout_s=CARD_PROVIDER_TIMEOUT_S,
        _env_file=None,
    )


@pytest.fixture
def cli_environment(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    """`bazaar` commands a test runs in this process (`main([...])`) reach this run's servers."""
    monkeypatch.setenv("DATABASE_URL", settings.database_url or "")
    monkeypatch.setenv("REDIS_URL", settings.redis_url or "")
    monkeypatch.setenv("JWT_SECRET", "z" * 40)
    monkeypatch.setenv("LOG_LEVEL", "WARNING")


@pytest.fixture(scope="session")
def container(settings: Settings) -> Iterator[Container]:
    migrate(settings)
    built = build(settings)
    yield built
    built.close()


@pytest.fixture(scope="session")
def event_store_env(settings: Settings) -> dict[str, str]:
    """The eventsourcing settings of this run's database, for application-level suites."""
    return wiring.event_store_env(settings, create_tables=True)


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
