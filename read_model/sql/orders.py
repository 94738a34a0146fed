"""Orders and their lines: version-guarded writes and the order queries."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any, NamedTuple
from uuid import UUID

from psycopg import Cursor
from psycopg.rows import class_row
from psycopg_pool import ConnectionPool

from read_model.paging import Page, PageRequest
from read_model.sql.rows import columns, fetch_page

VIEW = "orders"
"""The name the view is tracked under: runners, rebuilds and read-your-writes waits use it."""


@dataclass(frozen=True, slots=True)
class LineView:
    product_id: UUID
    title: str
    quantity: int
    unit_price: Decimal

    @property
    def line_total(self) -> Decimal:
        return self.unit_price * self.quantity


NumberedLine = tuple[UUID, int, LineView]
"""A line of an order or a return: whose it is, its position there, the line."""


LINES = (
    " SELECT l.* FROM unnest(%b::uuid[], %b::int[], %b::uuid[], %b::text[], %b::int[],"
    " %s::numeric[]) AS l(owner, position, product_id, title, quantity, unit_price)"
)
"""Numbered lines as rows, their parameters `line_columns`."""


def line_columns(lines: Sequence[NumberedLine]) -> tuple[list[Any], ...]:
    return (
        [owner_id for owner_id, _, _ in lines],
        [n for _, n, _ in lines],
        [line.product_id for _, _, line in lines],
        [line.title for _, _, line in lines],
        [line.quantity for _, _, line in lines],
        [line.unit_price for _, _, line in lines],
    )


def insert_lines(cur: Cursor[Any], table: str, owner: str, lines: Sequence[NumberedLine]) -> None:
    """Insert lines into `table` (`order_lines`, `return_lines`), keyed by its `owner` column."""
    cur.execute(
        f"INSERT INTO {table} ({owner}, position, product_id, title, quantity, unit_price)" + LINES,
        line_columns(lines),
    )


@dataclass(frozen=True, slots=True)
class OrderSummary:
    id: UUID
    user_id: UUID
    store_id: UUID
    status: str
    total_items: int
    total_price: Decimal
    created_at: datetime


@dataclass(frozen=True, slots=True)
class OrderView(OrderSummary):
    """An order as its page shows it: the summary, its lines, delivery and version."""

    updated_at: datetime
    shortfalls: list[dict[str, Any]] = field(default_factory=list)
    items: list[LineView] = field(default_factory=list)
    delivery_address: str | None = None
    delivery_slot_start: datetime | None = None
    """Null until a delivery is booked; its status follows the order's."""
    version: int = 0
    """The order's version this view shows: caches compare it to tell newer from older."""


@dataclass(frozen=True, slots=True)
class OrderFilter:
    user_id: UUID | None = None
    store_id: UUID | None = None
    status: str | None = None


class OrderChange(NamedTuple):
    """What an order's events of one batch set, folded: None keeps the row's value.

    `placed` is the whole order when its placement is among them; then the change holds
    the order's history from its first version, and may write every column.
    """

    id: UUID
    version: int
    updated_at: datetime
    placed: OrderView | None = None
    status: str | None = None
    shortfalls: list[dict[str, Any]] | None = None
    delivery_address: str | None = None
    delivery_slot_start: datetime | None = None

    def then(self, later: OrderChange) -> OrderChange:
        """This change followed by a later one of the same order."""
        return OrderChange(
            id=self.id,
            version=later.version,
            updated_at=later.updated_at,
            placed=self.placed or later.placed,
            status=later.status or self.status,
            shortfalls=self.shortfalls if later.shortfalls is None else later.shortfalls,
            delivery_address=later.delivery_address or self.delivery_address,
            delivery_slot_start=later.delivery_slot_start or self.delivery_slot_start,
        )


def write_changes(cur: Cursor[Any], changes: Sequence[OrderChange]) -> None:
    """Upsert placed orders with their lines, update the others: one statement each. A row
    keeps its newest version: a change no newer than the row changes nothing."""
    if placed := [change for change in changes if change.placed is not None]:
        _upsert_placed(cur, placed)
    if moved := [change for change in changes if change.placed is None]:
        _update(cur, moved)


def _upsert_placed(cur: Cursor[Any], changes: list[OrderChange]) -> None:
    """In the same statement, the lines of the orders it inserts: an order already there
    has its lines, and nothing comes back to decide that."""
    views = [change.placed for change in changes if change.placed is not None]
    lines = [(view.id, n, line) for view in views for n, line in enumerate(view.items)]
    cur.execute(
        "WITH upserted AS (INSERT INTO orders (id, user_id, store_id, status, total_items,"
        " total_price, shortfalls, delivery_address, delivery_slot_start, created_at,"
        " updated_at, version)"
        " SELECT * FROM unnest(%b::uuid[], %b::uuid[], %b::uuid[], %b::text[], %b::int[],"
        " %s::numeric[], %b::jsonb[], %b::text[], %b::timestamptz[], %b::timestamptz[],"
        " %b::timestamptz[], %b::int[])"
        " ON CONFLICT (id) DO UPDATE SET status = EXCLUDED.status,"
        " shortfalls = EXCLUDED.shortfalls, delivery_address = EXCLUDED.delivery_address,"
        " delivery_slot_start = EXCLUDED.delivery_slot_start,"
        " updated_at = EXCLUDED.updated_at, version = EXCLUDED.version"
        " WHERE orders.version < EXCLUDED.version RETURNING id, xmax = 0 AS inserted)"
        " INSERT INTO order_lines (order_id, position, product_id, title, quantity, unit_price)"
        + LINES
        + " JOIN upserted ON upserted.id = l.owner AND upserted.inserted",
        (
            [c.id for c in changes],
            [v.user_id for v in views],
            [v.store_id for v in views],
            [c.status or "placed" for c in changes],
            [v.total_items for v in views],
            [v.total_price for v in views],
            [json.dumps(c.shortfalls) if c.shortfalls else "[]" for c in changes],
            [c.delivery_address for c in changes],
            [c.delivery_slot_start for c in changes],
            [v.created_at for v in views],
            [c.updated_at for c in changes],
            [c.version for c in changes],
            *line_columns(lines),
        ),
    )


def _update(cur: Cursor[Any], changes: list[OrderChange]) -> None:
    """Orders placed in an earlier batch: set what the change sets, if it is newer."""
    cur.execute(
        "UPDATE orders o SET status = coalesce(c.status, o.status),"
        " shortfalls = coalesce(c.shortfalls, o.shortfalls),"
        " delivery_address = coalesce(c.address, o.delivery_address),"
        " delivery_slot_start = coalesce(c.slot_start, o.delivery_slot_start),"
        " updated_at = c.updated_at, version = c.version"
        " FROM unnest(%b::uuid[], %b::int[], %b::timestamptz[], %b::text[], %b::jsonb[],"
        " %b::text[], %b::timestamptz[])"
        " AS c(id, version, updated_at, status, shortfalls, address, slot_start)"
        " WHERE o.id = c.id AND o.version < c.version",
        (
            [c.id for c in changes],
            [c.version for c in changes],
            [c.updated_at for c in changes],
            [c.status for c in changes],
            [None if c.shortfalls is None else json.dumps(c.shortfalls) for c in changes],
            [c.delivery_address for c in changes],
            [c.delivery_slot_start for c in changes],
        ),
    )


def get_order(pool: ConnectionPool, order_id: UUID) -> OrderView | None:
    """One order with its lines, in the order they were placed."""
    with pool.connection() as conn:
        with conn.cursor(row_factory=class_row(OrderView)) as cur:
            cur.execute(
                "SELECT id, user_id, store_id, status, total_items, total_price, created_at,"
                " updated_at, shortfalls, delivery_address, delivery_slot_start, version"
                " FROM orders WHERE id = %s",
                (order_id,),
            )
            order = cur.fetchone()
        if order is None:
            return None
        with conn.cursor(row_factory=class_row(LineView)) as cur:
            cur.execute(
                f"SELECT {columns(LineView)} FROM order_lines"
                " WHERE order_id = %s ORDER BY position",
                (order_id,),
            )
            order.items.extend(cur.fetchall())
    return order


def list_orders(pool: ConnectionPool, page: PageRequest, f: OrderFilter) -> Page[OrderSummary]:
    """Newest first, filtered by customer, store and status."""
    where = ["true"]
    if f.user_id:
        where.append("user_id = %(user_id)s")
    if f.store_id:
        where.append("store_id = %(store_id)s")
    if f.status:
        where.append("status = %(status)s")
    params = {"user_id": f.user_id, "store_id": f.store_id, "status": f.status}
    sql = f"FROM orders WHERE {' AND '.join(where)}"
    return fetch_page(pool, OrderSummary, sql, "created_at DESC, id", params, page)
