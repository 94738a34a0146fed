"""/api/ready names each dependency that does not answer: Postgres, Redis, the Kafka broker."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from api.main import create_app
from tests.stacks import a_built_stack, a_fresh_database, a_redis_server, free_port, serving

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def database_url() -> Iterator[str]:
    with a_fresh_database() as url:
        yield url


def readiness(
    database_url: str, redis_url: str, headers: dict[str, str] | None = None, **settings: str
) -> httpx.Response:
    with (
        a_built_stack(database_url, redis_url, **settings) as container,
        serving(create_app(container.api_services("r" * 40))) as url,
    ):
        return httpx.get(f"{url}/api/ready", headers=headers)


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


class TestWithRedisStopped:
    def test_the_answer_carries_the_request_id_sent(
        self, database_url: str, tmp_path: Path
    ) -> None:
        with a_redis_server(tmp_path) as redis_server:
            url = redis_server.url
            redis_server.stop()

            answer = readiness(database_url, url, headers={"X-Request-ID": "ready-check-7"})

        assert answer.status_code == 503
        assert answer.json()["trace_id"] == "ready-check-7"

    def test_without_a_request_id_the_answer_carries_the_one_made(
        self, database_url: str, tmp_path: Path
    ) -> None:
        with a_redis_server(tmp_path) as redis_server:
            url = redis_server.url
            redis_server.stop()

            answer = readiness(database_url, url)

        assert answer.json()["trace_id"] == answer.headers["X-Request-ID"] != ""
