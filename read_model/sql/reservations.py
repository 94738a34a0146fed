"""Reservations in SQL: one version-guarded row each, and their conversion per store and day."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any, TypeVar
from uuid import UUID

from psycopg import Cursor
from psycopg.rows import class_row
from psycopg_pool import ConnectionPool

from read_model.sql.rows import columns

EARLIEST, LATEST = date(1970, 1, 1), date(2999, 12, 30)
VIEW = "reservations"
"""The name the view is tracked under: runners, rebuilds and read-your-writes waits use it."""


@dataclass(frozen=True, slots=True)
class Made:
    id: UUID
    user_id: UUID
    store_id: UUID
    total_price: Decimal
    expires_at: datetime
    created_at: datetime


@dataclass(frozen=True, slots=True)
class Settled:
    """A reservation's last status in a batch, at its version."""

    id: UUID
    version: int
    status: str
    order_id: UUID | None
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class ReservationCounts:
    """Holds made, by what became of them (so far)."""

    made: int
    converted: int
    expired: int
    released: int
    held: int

    @property
    def conversion_rate(self) -> float | None:
        """Converted over the holds that ended; None while none has."""
        ended = self.converted + self.expired + self.released
        return round(self.converted / ended, 4) if ended else None


@dataclass(frozen=True, slots=True)
class ReservationDay(ReservationCounts):
    """The holds made on one UTC day."""

    day: date


COUNTS = (
    "count(*) AS made, count(*) FILTER (WHERE status = 'converted') AS converted,"
    " count(*) FILTER (WHERE status = 'expired') AS expired,"
    " count(*) FILTER (WHERE status = 'released') AS released,"
    " count(*) FILTER (WHERE status = 'held') AS held FROM reservations"
    " WHERE (%(store)s::uuid IS NULL OR store_id = %(store)s)"
    " AND created_at >= %(after)s AND created_at < %(before)s"
)


def add_made(cur: Cursor[Any], made: Sequence[Made]) -> None:
    """New rows at version 1, held; a row already there stays as it is."""
    cur.execute(
        "INSERT INTO reservations (id, user_id, store_id, status, total_price, expires_at,"
        " created_at, updated_at, version) SELECT id, user_id, store_id, 'held', total,"
        " expires_at, created_at, created_at, 1 FROM unnest(%b::uuid[], %b::uuid[],"
        " %b::uuid[], %s::numeric[], %b::timestamptz[], %b::timestamptz[])"
        " AS m(id, user_id, store_id, total, expires_at, created_at)"
        " ON CONFLICT (id) DO NOTHING",
        (
            [m.id for m in made],
            [m.user_id for m in made],
            [m.store_id for m in made],
            [m.total_price for m in made],
            [m.expires_at for m in made],
            [m.created_at for m in made],
        ),
    )


def settle(cur: Cursor[Any], settled: Sequence[Settled]) -> None:
    """Move each row to its newer status; a change no newer than the row changes nothing."""
    cur.execute(
        "UPDATE reservations r SET status = s.status, order_id = coalesce(s.order_id, r.order_id),"
        " updated_at = s.updated_at, version = s.version FROM unnest(%b::uuid[], %b::int[],"
        " %b::text[], %b::uuid[], %b::timestamptz[])"
        " AS s(id, version, status, order_id, updated_at)"
        " WHERE r.id = s.id AND r.version < s.version",
        (
            [s.id for s in settled],
            [s.version for s in settled],
            [s.status for s in settled],
            [s.order_id for s in settled],
            [s.updated_at for s in settled],
        ),
    )


def by_day(
    pool: ConnectionPool, store_id: UUID | None, start: date | None, end: date | None
) -> list[ReservationDay]:
    """Per UTC day holds were made on (at one store, or all), from `start` to `end` included."""
    query = (
        f"SELECT {columns(ReservationDay)} FROM (SELECT"
        f" (created_at AT TIME ZONE 'UTC')::date AS day, {COUNTS} GROUP BY 1) days ORDER BY day"
    )
    return _fetch(pool, ReservationDay, query, store_id, start, end)


def totals(
    pool: ConnectionPool, store_id: UUID, start: date | None, end: date | None
) -> ReservationCounts:
    """The holds made at the store from `start` to `end` included."""
    query = f"SELECT {COUNTS}"
    return _fetch(pool, ReservationCounts, query, store_id, start, end)[0]


R = TypeVar("R")


def _fetch(
    pool: ConnectionPool,
    kind: type[R],
    query: str,
    store_id: UUID | None,
    start: date | None,
    end: date | None,
) -> list[R]:
    after, before = _midnight(start, EARLIEST), _midnight(end, LATEST, 1)
    with pool.connection() as conn, conn.cursor(row_factory=class_row(kind)) as cur:
        cur.execute(query, {"store": store_id, "after": after, "before": before})
        return cur.fetchall()


def _midnight(day: date | None, default: date, days_later: int = 0) -> datetime:
    return datetime.combine((day or default) + timedelta(days=days_later), time(), UTC)
