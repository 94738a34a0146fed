"""Sales analytics storage: what the analytics projection writes (queries: `analytics_reports`).

Every counter moves only behind a version guard on the aggregate the event belongs to (the
order, the stock item): a redelivered event finds the guard already past it and books
nothing, so the counters stay exact under at-least-once delivery and rebuild the same.
Writes read only rows of the event's own aggregate (an order's lines), never a product's:
titles and categories are joined in when asked, so events of different aggregates may
arrive in any order (Kafka partitions) and build the same rows.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

from psycopg import Cursor


@dataclass(frozen=True, slots=True)
class Line:
    product_id: UUID
    quantity: int
    unit_price: Decimal


@dataclass(frozen=True, slots=True)
class Loss:
    """A line the store could not serve: all `requested` units are lost, `available` were there."""

    product_id: UUID
    requested: int
    available: int


@dataclass(frozen=True, slots=True)
class Moved:
    """An order that moved to a newer version: its store and the day its sale was booked."""

    store_id: UUID
    sold_on: date | None


def add_order(cur: Cursor[Any], order_id: UUID, store_id: UUID, lines: list[Line]) -> None:
    """Keep a placed order's lines: its later events book them."""
    cur.execute(
        "INSERT INTO analytics_orders (id, store_id, status, version)"
        " VALUES (%s, %s, 'placed', 1) ON CONFLICT (id) DO NOTHING RETURNING id",
        (order_id, store_id),
    )
    if cur.fetchone() is None:
        return
    cur.executemany(
        "INSERT INTO analytics_order_lines (order_id, product_id, quantity, unit_price)"
        " VALUES (%s, %s, %s, %s)",
        [(order_id, line.product_id, line.quantity, line.unit_price) for line in lines],
    )


def move(
    cur: Cursor[Any], order_id: UUID, version: int, status: str, sold_on: date | None = None
) -> Moved | None:
    """Take the order to `version`; None when it is there already (nothing to book)."""
    cur.execute(
        "UPDATE analytics_orders SET status = %s, version = %s,"
        " sold_on = coalesce(%s, sold_on) WHERE id = %s AND version < %s"
        " RETURNING store_id, sold_on",
        (status, version, sold_on, order_id, version),
    )
    row = cur.fetchone()
    return Moved(row[0], row[1]) if row else None


def book_sale(cur: Cursor[Any], order_id: UUID, store_id: UUID, day: date, sign: int) -> None:
    """Add (sign 1) or take back (sign -1) the order's revenue, orders and units on `day`."""
    params = {"order": order_id, "store": store_id, "day": day, "sign": sign}
    cur.execute(
        "INSERT INTO sales_daily (store_id, day, orders, units, revenue)"
        " SELECT %(store)s, %(day)s, %(sign)s, %(sign)s * sum(quantity),"
        " %(sign)s * sum(quantity * unit_price) FROM analytics_order_lines"
        " WHERE order_id = %(order)s"
        " ON CONFLICT (store_id, day) DO UPDATE SET orders = sales_daily.orders + EXCLUDED.orders,"
        " units = sales_daily.units + EXCLUDED.units,"
        " revenue = sales_daily.revenue + EXCLUDED.revenue",
        params,
    )
    cur.execute(
        "INSERT INTO product_sales_daily (store_id, day, product_id, units, revenue)"
        " SELECT %(store)s, %(day)s, product_id, %(sign)s * quantity,"
        " %(sign)s * quantity * unit_price FROM analytics_order_lines WHERE order_id = %(order)s"
        " ON CONFLICT (store_id, day, product_id) DO UPDATE"
        " SET units = product_sales_daily.units + EXCLUDED.units,"
        " revenue = product_sales_daily.revenue + EXCLUDED.revenue",
        params,
    )


def book_cancellation(cur: Cursor[Any], order_id: UUID, store_id: UUID, day: date) -> None:
    """Count the order, its units and value as cancelled on `day` (the day it was cancelled)."""
    cur.execute(
        "INSERT INTO sales_daily (store_id, day, cancelled_orders, cancelled_units,"
        " cancelled_value) SELECT %s, %s, 1, sum(quantity), sum(quantity * unit_price)"
        " FROM analytics_order_lines WHERE order_id = %s"
        " ON CONFLICT (store_id, day) DO UPDATE"
        " SET cancelled_orders = sales_daily.cancelled_orders + 1,"
        " cancelled_units = sales_daily.cancelled_units + EXCLUDED.cancelled_units,"
        " cancelled_value = sales_daily.cancelled_value + EXCLUDED.cancelled_value",
        (store_id, day, order_id),
    )


def book_completion(cur: Cursor[Any], store_id: UUID, day: date) -> None:
    cur.execute(
        "INSERT INTO sales_daily (store_id, day, completed_orders) VALUES (%s, %s, 1)"
        " ON CONFLICT (store_id, day) DO UPDATE"
        " SET completed_orders = sales_daily.completed_orders + 1",
        (store_id, day),
    )


def book_lost_demand(
    cur: Cursor[Any], order_id: UUID, store_id: UUID, day: date, losses: list[Loss]
) -> None:
    """Each short line's requested units, valued at the order's unit price, as lost on `day`."""
    cur.executemany(
        "INSERT INTO lost_demand_daily (store_id, day, product_id, orders, units, shortfall,"
        " value) SELECT %s, %s, product_id, 1, %s, %s, %s * unit_price"
        " FROM analytics_order_lines WHERE order_id = %s AND product_id = %s"
        " ON CONFLICT (store_id, day, product_id) DO UPDATE"
        " SET orders = lost_demand_daily.orders + 1,"
        " units = lost_demand_daily.units + EXCLUDED.units,"
        " shortfall = lost_demand_daily.shortfall + EXCLUDED.shortfall,"
        " value = lost_demand_daily.value + EXCLUDED.value",
        [
            (
                store_id,
                day,
                x.requested,
                x.requested - x.available,
                x.requested,
                order_id,
                x.product_id,
            )
            for x in losses
        ],
    )


def open_item(
    cur: Cursor[Any], item_id: UUID, store_id: UUID, product_id: UUID, at: datetime
) -> None:
    cur.execute(
        "INSERT INTO stock_turnover (item_id, store_id, product_id, on_hand, shipped,"
        " opened_at, changed_at, unit_seconds, version) VALUES (%s, %s, %s, 0, 0, %s, %s, 0, 1)"
        " ON CONFLICT (item_id) DO NOTHING",
        (item_id, store_id, product_id, at, at),
    )


def move_stock(
    cur: Cursor[Any], item_id: UUID, version: int, at: datetime, on_hand: int, shipped: int
) -> None:
    """Change on-hand stock at `at`, first adding the stock held since the last change."""
    cur.execute(
        "UPDATE stock_turnover SET unit_seconds = unit_seconds"
        " + on_hand * extract(epoch FROM %(at)s - changed_at),"
        " on_hand = on_hand + %(on_hand)s, shipped = shipped + %(shipped)s,"
        " changed_at = %(at)s, version = %(version)s"
        " WHERE item_id = %(item)s AND version < %(version)s",
        {"at": at, "on_hand": on_hand, "shipped": shipped, "version": version, "item": item_id},
    )
