"""How far each projection has read each event log, and waiting for read-your-writes."""

from __future__ import annotations

import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from eventsourcing.persistence import Tracking
from psycopg import Connection, Cursor
from psycopg_pool import ConnectionPool

from read_model.sql.safe_text import write_safely

POLL_SECONDS = 0.005


def advance(cur: Cursor[Any], projections: Sequence[str], application: str, position: int) -> None:
    """Record `position` for these projections in the caller's transaction; never moves back."""
    advance_all(cur, projections, [Tracking(application, position)])


def advance_all(
    cur: Cursor[Any], projections: Sequence[str], trackings: Sequence[Tracking]
) -> None:
    """Record each tracking's position (several logs, or Kafka partitions) for these
    projections in the caller's transaction, with one statement; never moves back."""
    cur.execute(
        "INSERT INTO tracking (projection, application, position) "
        "SELECT name, t.application, t.position FROM unnest(%b::text[]) AS name"
        " CROSS JOIN unnest(%b::text[], %b::bigint[]) AS t(application, position) "
        "ON CONFLICT (projection, application) DO UPDATE SET position = EXCLUDED.position "
        "WHERE tracking.position < EXCLUDED.position",
        (
            list(projections),
            [t.application_name for t in trackings],
            [t.notification_id for t in trackings],
        ),
    )


def settle(
    cur: Cursor[Any], projections: Sequence[str], application: str, logs: Sequence[str]
) -> None:
    """Raise each projection's position in `application` to the lowest of its positions in
    `logs` (the log's Kafka partitions), once it has one in each; never moves back.

    Called last in a batch's transaction: the lock is held to its commit, so whichever
    transaction commits last has seen every other's positions (see `streams.partitions`).
    """
    cur.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", (f"settle {application}",))
    cur.execute(
        "INSERT INTO tracking (projection, application, position) "
        "SELECT projection, %s, min(position) FROM tracking "
        "WHERE projection = ANY(%b) AND application = ANY(%b) "
        "GROUP BY projection HAVING count(*) = %s "
        "ON CONFLICT (projection, application) DO UPDATE SET position = EXCLUDED.position "
        "WHERE tracking.position < EXCLUDED.position",
        (application, list(projections), list(logs), len(logs)),
    )


def position(pool: ConnectionPool, projection: str, application: str) -> int:
    """The last position this projection applied (0 before the first event)."""
    with pool.connection() as conn:
        return position_on(conn, projection, application)


def position_on(conn: Connection[Any], projection: str, application: str) -> int:
    """The same, read on the caller's connection (inside its transaction)."""
    row = conn.execute(
        "SELECT position FROM tracking WHERE projection = %s AND application = %s",
        (projection, application),
    ).fetchone()
    return int(row[0]) if row else 0


def slowest(pool: ConnectionPool, projections: Sequence[str], application: str) -> int:
    """The lowest position among `projections`: what every one of them has reached."""
    return slowest_in(pool, projections, [application])[application]


def slowest_in(
    pool: ConnectionPool, projections: Sequence[str], logs: Sequence[str]
) -> dict[str, int]:
    """The same for each of `logs` (a log and its Kafka partitions), in one query."""
    with pool.connection() as conn:
        rows = conn.execute(
            "SELECT projection, application, position FROM tracking "
            "WHERE application = ANY(%b) AND projection = ANY(%b)",
            (list(logs), list(projections)),
        ).fetchall()
    reached = {(name, log): int(pos) for name, log, pos in rows}
    return {log: min(reached.get((name, log), 0) for name in projections) for log in logs}


def wait_for(
    pool: ConnectionPool,
    projections: Sequence[str],
    application: str,
    target: int,
    timeout: float,
) -> bool:
    """Block until every projection reached `target`; False when `timeout` passes first."""
    deadline = time.monotonic() + timeout
    while slowest(pool, projections, application) < target:
        if time.monotonic() >= deadline:
            return False
        time.sleep(POLL_SECONDS)
    return True


@dataclass(frozen=True, slots=True)
class Partitioned:
    """A log fed by Kafka partitions, each tracked as a log of its own (`shop#3`): a batch
    also raises the plain position (`shop`) to the slowest of them (`streams.partitions`)."""

    application: str
    logs: tuple[str, ...]


@contextmanager
def tracked(
    pool: ConnectionPool,
    projections: Sequence[str],
    trackings: Sequence[Tracking],
    partitioned: Partitioned | None = None,
) -> Iterator[Cursor[Any]]:
    """A cursor whose writes commit in one transaction with these projections' new
    positions (and, from Kafka, the settled plain one); text it writes is made safe (see
    `read_model.sql.safe_text`), results come in binary.

    Fed from the event store (not `partitioned`), the commit does not wait for the disk: a
    crash may lose the last batches, but with their positions, and the runner reads them
    from the log again. Fed from Kafka, whose offsets move on once a batch is
    acknowledged, it waits.
    """
    with pool.connection() as conn, conn.transaction(), conn.cursor(binary=True) as cur:
        if partitioned is None:
            cur.execute("SET LOCAL synchronous_commit = off")
        write_safely(cur)
        yield cur
        advance_all(cur, projections, trackings)
        if partitioned is not None:
            settle(cur, projections, partitioned.application, partitioned.logs)


def partition_log(application: str, partition: int) -> str:
    """The name a projection tracks one Kafka partition of `application`'s log under."""
    return f"{application}#{partition}"


@contextmanager
def serialised(pool: ConnectionPool, name: str) -> Iterator[None]:
    """Holds a Postgres advisory lock on `name` (every process) until the block ends."""
    with pool.connection() as conn, conn.transaction():
        conn.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", (name,))
        yield


def relayed(pool: ConnectionPool, application: str) -> int:
    """The last position of `application`'s log the relay has published (0 before any)."""
    with pool.connection() as conn:
        row = conn.execute(
            "SELECT position FROM relay_positions WHERE application = %s", (application,)
        ).fetchone()
    return int(row[0]) if row else 0


def record_relayed(pool: ConnectionPool, application: str, position: int) -> None:
    """Record that everything up to `position` is published; never moves back."""
    with pool.connection() as conn:
        conn.execute(
            "INSERT INTO relay_positions (application, position) VALUES (%s, %s) "
            "ON CONFLICT (application) DO UPDATE SET position = EXCLUDED.position "
            "WHERE relay_positions.position < EXCLUDED.position",
            (application, position),
        )


def reached_in(pool: ConnectionPool, applications: Sequence[str]) -> dict[tuple[str, str], int]:
    """Every projection's position in each of these logs, keyed by (projection, application)."""
    with pool.connection() as conn:
        rows = conn.execute(
            "SELECT projection, application, position FROM tracking WHERE application = ANY(%b)",
            (list(applications),),
        ).fetchall()
    return {(name, app): int(pos) for name, app, pos in rows}
