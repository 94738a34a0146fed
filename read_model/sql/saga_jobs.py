"""Saga jobs: recorded once per (saga, key), claimed with a lease, done, retried or parked.

Workers claim with `FOR UPDATE SKIP LOCKED`, so any number of executors (threads,
processes, hosts) share the table without doing one job twice at a time. A claim holds a
lease: `next_attempt_at` moves to the lease's end, so a worker that dies mid-job leaves it
`running` until then, and another takes it over. One partial index on `next_attempt_at`
serves every claim however many finished jobs the table keeps.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from psycopg import Cursor
from psycopg.rows import class_row
from psycopg.types.json import Jsonb
from psycopg_pool import ConnectionPool

from read_model.sql.safe_text import safe_text

CHANNEL = "saga_jobs"
"""NOTIFY channel that wakes executors when a job is recorded or requeued."""


@dataclass(frozen=True, slots=True)
class SagaJob:
    id: int
    saga: str
    key: str
    payload: dict[str, Any]
    status: str
    attempts: int
    last_error: str | None
    outcome: str | None
    created_at: datetime
    updated_at: datetime


WAITING = "status IN ('pending', 'running')"
"""Jobs to do, now or once their time comes: the partial index `saga_jobs_due` covers them."""
COLUMNS = "id, saga, key, payload, status, attempts, last_error, outcome, created_at, updated_at"


@dataclass(frozen=True, slots=True)
class Job:
    """Work an event asks a saga for, before it is recorded."""

    key: str
    """Unique per saga: the same event replayed asks for the same job, recorded once."""
    payload: dict[str, Any] = field(default_factory=dict)
    delay_s: float = 0.0
    due_at: datetime | None = None
    """When set, the job falls due then (however late it is recorded), not after `delay_s`."""


def enqueue(cur: Cursor[Any], saga: str, jobs: Sequence[Job]) -> None:
    """Record jobs in the caller's transaction with one statement, which also notifies the
    executors when it added any; a (saga, key) recorded before, or earlier in `jobs`,
    changes nothing."""
    cur.execute(
        "WITH added AS (INSERT INTO saga_jobs (saga, key, payload, next_attempt_at)"
        " SELECT %s, key, payload, coalesce(due_at, now() + make_interval(secs => delay_s))"
        " FROM unnest(%b::text[], %b::jsonb[], %s::float8[], %b::timestamptz[]) WITH ORDINALITY"
        " AS j(key, payload, delay_s, due_at, n) ORDER BY n"
        " ON CONFLICT (saga, key) DO NOTHING RETURNING 1)"
        f" SELECT pg_notify('{CHANNEL}', '') WHERE EXISTS (SELECT FROM added)",
        (
            saga,
            [job.key for job in jobs],
            [Jsonb(job.payload) for job in jobs],
            [job.delay_s for job in jobs],
            [job.due_at for job in jobs],
        ),
    )


def claim(pool: ConnectionPool, sagas: Sequence[str], lease_s: float) -> SagaJob | None:
    """Take the most overdue job of these sagas (or one whose worker's lease ran out)."""
    with pool.connection() as conn, conn.cursor(row_factory=class_row(SagaJob)) as cur:
        cur.execute(
            "UPDATE saga_jobs SET status = 'running', attempts = attempts + 1,"
            " next_attempt_at = now() + make_interval(secs => %s), updated_at = now()"
            f" WHERE id = (SELECT id FROM saga_jobs WHERE {WAITING} AND saga = ANY(%s)"
            " AND next_attempt_at <= now() ORDER BY next_attempt_at LIMIT 1"
            f" FOR UPDATE SKIP LOCKED) RETURNING {COLUMNS}",
            (lease_s, list(sagas)),
        )
        return cur.fetchone()


def seconds_to_next(pool: ConnectionPool, sagas: Sequence[str]) -> float | None:
    """How long until the next job of these sagas falls due (None: nothing waits)."""
    with pool.connection() as conn:
        row = conn.execute(
            "SELECT EXTRACT(EPOCH FROM min(next_attempt_at) - now()) FROM saga_jobs"
            f" WHERE {WAITING} AND saga = ANY(%s)",
            (list(sagas),),
        ).fetchone()
    return None if row is None or row[0] is None else max(0.0, float(row[0]))


def done(pool: ConnectionPool, job_id: int, outcome: str) -> None:
    _finish(pool, job_id, "status = 'done', outcome = %s, last_error = NULL", (outcome,))


def retry_later(pool: ConnectionPool, job_id: int, error: str, delay_s: float) -> None:
    _finish(
        pool,
        job_id,
        "status = 'pending', last_error = %s, next_attempt_at = now() + make_interval(secs => %s)",
        (safe_text(error), delay_s),
    )


def park(pool: ConnectionPool, job_id: int, error: str) -> None:
    _finish(pool, job_id, "status = 'parked', last_error = %s", (safe_text(error),))


def _finish(pool: ConnectionPool, job_id: int, assignments: str, params: tuple[Any, ...]) -> None:
    with pool.connection() as conn:
        conn.execute(
            f"UPDATE saga_jobs SET {assignments}, updated_at = now() WHERE id = %s",
            (*params, job_id),
        )


def parked(pool: ConnectionPool) -> list[SagaJob]:
    """Jobs that gave up, oldest first: what an operator should look at."""
    with pool.connection() as conn, conn.cursor(row_factory=class_row(SagaJob)) as cur:
        cur.execute(f"SELECT {COLUMNS} FROM saga_jobs WHERE status = 'parked' ORDER BY updated_at")
        return cur.fetchall()


def requeue(pool: ConnectionPool, job_id: int) -> bool:
    """Give a parked job a fresh set of attempts now; False if no such parked job."""
    with pool.connection() as conn:
        cur = conn.execute(
            "UPDATE saga_jobs SET status = 'pending', attempts = 0, next_attempt_at = now(),"
            " updated_at = now() WHERE id = %s AND status = 'parked'",
            (job_id,),
        )
        if cur.rowcount:
            conn.execute(f"NOTIFY {CHANNEL}")
        return bool(cur.rowcount)


def counts(pool: ConnectionPool) -> dict[tuple[str, str], int]:
    """How many jobs each saga has in each state: `due` (pending, not tried yet), `retrying`
    (pending after a failure), `running`, `done`, `parked`."""
    with pool.connection() as conn:
        rows = conn.execute(
            "SELECT saga, CASE WHEN status = 'pending' AND attempts > 0 THEN 'retrying'"
            " WHEN status = 'pending' THEN 'due' ELSE status END, count(*)"
            " FROM saga_jobs GROUP BY 1, 2"
        ).fetchall()
    return {(saga, state): int(n) for saga, state, n in rows}


def jobs_of(pool: ConnectionPool, saga: str) -> list[SagaJob]:
    """Every job of one saga, oldest first (operations and tests)."""
    with pool.connection() as conn, conn.cursor(row_factory=class_row(SagaJob)) as cur:
        cur.execute(f"SELECT {COLUMNS} FROM saga_jobs WHERE saga = %s ORDER BY id", (saga,))
        return cur.fetchall()
