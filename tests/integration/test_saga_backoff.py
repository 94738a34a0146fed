"""The executor on real Postgres waits as a saga's own backoff cap says, not longer."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from psycopg_pool import ConnectionPool

from projections.sagas.base import RetryLater
from read_model.sql import saga_jobs
from streams.saga_executor import SagaExecutor
from tests.stacks import a_built_stack, a_fresh_database
from tests.waiting import poll_until

pytestmark = pytest.mark.integration
FIRST_WAIT_S = 200.0
"""The executor's first wait: far longer than any test waits."""


class FailingSaga:
    """Every job fails for now; `max_backoff_s`, when given, is the saga's own cap."""

    topics: tuple[str, ...] = ()
    max_attempts = 5

    def __init__(self, max_backoff_s: float | None = None) -> None:
        self.name = f"failing_{uuid.uuid4().hex[:8]}"
        self.performed = 0
        if max_backoff_s is not None:
            self.max_backoff_s = max_backoff_s

    def jobs(self, event: Any) -> list[Any]:
        return []

    def perform(self, payload: dict[str, Any]) -> str:
        self.performed += 1
        raise RetryLater("not yet")

    def give_up(self, payload: dict[str, Any], error: str) -> None:
        """Nothing to record: this saga is about waiting."""


@pytest.fixture(scope="module")
def pool(redis_url: str) -> Iterator[ConnectionPool]:
    with a_fresh_database() as url, a_built_stack(url, redis_url) as container:
        yield container.pool


def a_failed_job(pool: ConnectionPool, saga: FailingSaga) -> SagaExecutor:
    """A job of `saga` tried once by an executor whose own first wait is FIRST_WAIT_S."""
    with pool.connection() as conn, conn.cursor() as cur:
        saga_jobs.enqueue(cur, saga.name, [saga_jobs.Job("the-job")])
    executor = SagaExecutor(pool, [saga], backoff_s=FIRST_WAIT_S)
    assert executor.run_once()
    return executor


def test_a_job_of_a_saga_with_its_own_cap_is_retried_within_that_cap(
    pool: ConnectionPool,
) -> None:
    saga = FailingSaga(max_backoff_s=1.0)

    executor = a_failed_job(pool, saga)

    wait = saga_jobs.seconds_to_next(pool, [saga.name])
    assert wait is not None and wait <= 1.0
    poll_until(executor.run_once)
    assert saga.performed == 2


def test_a_job_of_a_saga_without_a_cap_waits_the_executors_backoff(
    pool: ConnectionPool,
) -> None:
    saga = FailingSaga()

    a_failed_job(pool, saga)

    wait = saga_jobs.seconds_to_next(pool, [saga.name])
    assert wait is not None and wait > FIRST_WAIT_S / 2
    assert saga.performed == 1


def test_a_job_with_a_due_time_falls_due_then_not_when_recorded(pool: ConnectionPool) -> None:
    saga = FailingSaga()
    due_at = datetime.now(UTC) + timedelta(seconds=0.5)
    with pool.connection() as conn, conn.cursor() as cur:
        saga_jobs.enqueue(cur, saga.name, [saga_jobs.Job("the-job", due_at=due_at)])
        executor = SagaExecutor(pool, [saga])
        assert not executor.run_once()

    poll_until(executor.run_once)

    assert datetime.now(UTC) >= due_at
