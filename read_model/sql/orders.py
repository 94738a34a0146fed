"""Orders and their lines: version-guarded writes and the order queries."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

from psycopg import Cursor
from psycopg.rows import class_row
from psycopg_pool import ConnectionPool

from read_model.paging import Page, PageRequest
from read_model.sql.rows import columns, fetch_page


@dataclass(frozen=True, slots=True)
class LineView:
    product_id: UUID
    title: str
    quantity: int
    unit_price: Decimal

    @property
    def line_total(self) -> Decimal:
        return self.unit_price * self.quantity


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
class OrderView:
    id: UUID
    user_id: UUID
    store_id: UUID
    status: str
    total_items: int
    total_price: Decimal
    created_at: datetime
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


def add_order(cur: Cursor[Any], order: OrderView, version: int) -> None:
    """Insert a placed order with its lines; a redelivery changes nothing."""
    cur.execute(
        "INSERT INTO orders (id, user_id, store_id, status, total_items, total_price,"
        " created_at, updated_at, version) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s)"
        " ON CONFLICT (id) DO NOTHING RETURNING id",
        (
            order.id,
            order.user_id,
            order.store_id,
            order.status,
            order.total_items,
            order.total_price,
            order.created_at,
            order.updated_at,
            version,
        ),
    )
    if cur.fetchone() is None:
        return
    cur.executemany(
        "INSERT INTO order_lines (order_id, position, product_id, title, quantity,"
        " unit_price) VALUES (%s, %s, %s, %s, %s, %s)",
        [
            (order.id, n, line.product_id, line.title, line.quantity, line.unit_price)
            for n, line in enumerate(order.items)
        ],
    )


def set_status(
    cur: Cursor[Any],
    order_id: UUID,
    version: int,
    status: str,
    at: datetime,
    shortfalls: list[dict[str, Any]] | None = None,
) -> None:
    cur.execute(
        "UPDATE orders SET status = %s, updated_at = %s, version = %s,"
        " shortfalls = coalesce(%s::jsonb, shortfalls) WHERE id = %s AND version < %s",
        (
            status,
            at,
            version,
            json.dumps(shortfalls) if shortfalls is not None else None,
            order_id,
            version,
        ),
    )


def schedule_delivery(
    cur: Cursor[Any], order_id: UUID, version: int, address: str, slot_start: datetime, at: datetime
) -> None:
    """Book or move the order's delivery, if this version is newer."""
    cur.execute(
        "UPDATE orders SET delivery_address = %s, delivery_slot_start = %s, updated_at = %s,"
        " version = %s WHERE id = %s AND version < %s",
        (address, slot_start, at, version, order_id, version),
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
