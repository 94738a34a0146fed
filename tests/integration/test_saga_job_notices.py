"""Recording saga jobs notifies the executors at commit, once, and only when a job is new."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
from psycopg_pool import ConnectionPool

from read_model.sql import saga_jobs
from tests.stacks import a_built_stack, a_fresh_database

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def pool(redis_url: str) -> Iterator[ConnectionPool]:
    with a_fresh_database() as url, a_built_stack(url, redis_url) as container:
        yield container.pool


def notices_of(pool: ConnectionPool, recorded: list[list[str]]) -> int:
    """The NOTIFYs a listener gets while each list of job keys is recorded in a transaction."""
    with pool.connection() as listener:
        listener.execute(f"LISTEN {saga_jobs.CHANNEL}")
        listener.commit()
        for keys in recorded:
            with pool.connection() as conn, conn.transaction(), conn.cursor() as cur:
                saga_jobs.enqueue(cur, "noticed", [saga_jobs.Job(key) for key in keys])
        notices = list(listener.notifies(timeout=0.5))
        listener.execute(f"UNLISTEN {saga_jobs.CHANNEL}")
    return len(notices)


def test_new_jobs_notify_once_per_transaction(pool: ConnectionPool) -> None:
    keys = [uuid.uuid4().hex for _ in range(3)]

    assert notices_of(pool, [keys, [uuid.uuid4().hex]]) == 2


def test_jobs_recorded_before_notify_nobody(pool: ConnectionPool) -> None:
    keys = [uuid.uuid4().hex for _ in range(3)]
    notices_of(pool, [keys])

    assert notices_of(pool, [keys]) == 0


def test_an_empty_batch_notifies_nobody(pool: ConnectionPool) -> None:
    assert notices_of(pool, [[]]) == 0
