"""/api/ready names each dependency that does not answer: Postgres, Redis, the Kafka broker."""

from __future__ import annotations

import socket
from collections.abc import Iterator

import httpx
import pytest

from api.main import create_app
from tests.stacks import a_built_stack, a_fresh_database, free_port, serving

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def database_url() -> Iterator[str]:
    with a_fresh_database() as url:
        yield url


def readiness(database_url: str, redis_url: str, **settings: str) -> httpx.Response:
    with (
        a_built_stack(database_url, redis_url, **settings) as container,
        serving(create_app(container.api_services("r" * 40))) as url,
    ):
        return httpx.get(f"{url}/api/ready")


def test_a_broker_that_does_not_answer_makes_the_service_unready(
    database_url: str, redis_url: str
) -> None:
    answer = readiness(database_url, redis_url, kafka_bootstrap=f"127.0.0.1:{free_port()}")

    assert answer.status_code == 503
    assert answer.json()["details"] == {"down": ["kafka"]}


def test_any_answering_broker_of_the_list_will_do(database_url: str, redis_url: str) -> None:
    with socket.create_server(("127.0.0.1", 0)) as broker:
        listening = f"127.0.0.1:{broker.getsockname()[1]}"
        bootstrap = f"127.0.0.1:{free_port()},{listening}"
        answer = readiness(database_url, redis_url, kafka_bootstrap=bootstrap)

    assert answer.status_code == 200, answer.text
    assert answer.json()["checks"] == ["kafka", "postgres", "redis"]


def test_a_dead_redis_is_named(database_url: str) -> None:
    answer = readiness(database_url, f"redis://127.0.0.1:{free_port()}/0")

    assert answer.status_code == 503
    assert answer.json()["details"] == {"down": ["redis"]}
