"""Returns and their lines in SQL: version-guarded rows, listed per order and per store."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

from psycopg import Cursor
from psycopg.rows import class_row
from psycopg_pool import ConnectionPool

from read_model.paging import Page, PageRequest
from read_model.sql.orders import LineView, insert_lines
from read_model.sql.rows import columns, fetch_page

VIEW = "returns"
"""The name the view is tracked under: runners, rebuilds and read-your-writes waits use it."""


@dataclass(frozen=True, slots=True)
class ReturnRow:
    id: UUID
    order_id: UUID
    store_id: UUID
    user_id: UUID
    status: str
    reason: str
    refusal: str | None
    refund_amount: Decimal
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class ReturnView(ReturnRow):
    lines: list[LineView] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class Settled:
    """A return's last status in a batch, at its version."""

    id: UUID
    version: int
    status: str
    refusal: str | None
    updated_at: datetime


def add_requested(cur: Cursor[Any], requested: Sequence[ReturnView]) -> None:
    """New rows at version 1 with their lines; a return already there stays as it is."""
    cur.execute(
        "WITH added AS (INSERT INTO returns (id, order_id, store_id, user_id, status, reason,"
        " refund_amount, created_at, updated_at, version) SELECT id, order_id, store_id, user_id,"
        " 'requested', reason, refund, at, at, 1 FROM unnest(%b::uuid[], %b::uuid[], %b::uuid[],"
        " %b::uuid[], %b::text[], %s::numeric[], %b::timestamptz[])"
        " AS r(id, order_id, store_id, user_id, reason, refund, at)"
        " ON CONFLICT (id) DO NOTHING RETURNING id) SELECT id FROM added",
        (
            [r.id for r in requested],
            [r.order_id for r in requested],
            [r.store_id for r in requested],
            [r.user_id for r in requested],
            [r.reason for r in requested],
            [r.refund_amount for r in requested],
            [r.created_at for r in requested],
        ),
    )
    added = {row[0] for row in cur.fetchall()}
    lines = [(r.id, n, line) for r in requested if r.id in added for n, line in enumerate(r.lines)]
    if lines:
        insert_lines(cur, "return_lines", "return_id", lines)


def settle(cur: Cursor[Any], settled: Sequence[Settled]) -> None:
    """Move each row to its newer status; a change no newer than the row changes nothing."""
    cur.execute(
        "UPDATE returns r SET status = s.status, refusal = s.refusal, updated_at = s.updated_at,"
        " version = s.version FROM unnest(%b::uuid[], %b::int[], %b::text[], %b::text[],"
        " %b::timestamptz[]) AS s(id, version, status, refusal, updated_at)"
        " WHERE r.id = s.id AND r.version < s.version",
        (
            [s.id for s in settled],
            [s.version for s in settled],
            [s.status for s in settled],
            [s.refusal for s in settled],
            [s.updated_at for s in settled],
        ),
    )


def returns_of_order(pool: ConnectionPool, order_id: UUID) -> list[ReturnView]:
    """The order's returns, oldest first, with their lines."""
    with pool.connection() as conn, conn.cursor(row_factory=class_row(ReturnRow)) as cur:
        cur.execute(
            f"SELECT {columns(ReturnRow)} FROM returns WHERE order_id = %s ORDER BY created_at, id",
            (order_id,),
        )
        return _with_lines(pool, cur.fetchall())


def store_returns(
    pool: ConnectionPool, store_id: UUID, status: str | None, page: PageRequest
) -> Page[ReturnView]:
    """A page of the store's returns, newest first, optionally of one status."""
    where = "store_id = %(store)s" + (" AND status = %(status)s" if status else "")
    found = fetch_page(
        pool,
        ReturnRow,
        f"FROM (SELECT {columns(ReturnRow)} FROM returns WHERE {where}) found",
        "created_at DESC, id",
        {"store": store_id, "status": status},
        page,
    )
    return Page(found.count, found.page, found.page_size, _with_lines(pool, found.results))


def _with_lines(pool: ConnectionPool, found: list[ReturnRow]) -> list[ReturnView]:
    if not found:
        return []
    with pool.connection() as conn:
        rows = conn.execute(
            "SELECT return_id, product_id, title, quantity, unit_price FROM return_lines"
            " WHERE return_id = ANY(%s) ORDER BY return_id, position",
            ([r.id for r in found],),
        ).fetchall()
    lines: dict[UUID, list[LineView]] = {}
    for return_id, *line in rows:
        lines.setdefault(return_id, []).append(LineView(*line))
    return [ReturnView(**_fields(r), lines=lines.get(r.id, [])) for r in found]


def _fields(row: ReturnRow) -> dict[str, Any]:
    return {name: getattr(row, name) for name in ReturnRow.__dataclass_fields__}
