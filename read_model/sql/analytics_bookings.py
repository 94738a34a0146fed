"""A batch's sales bookings, summed in memory per row they change: one upsert per table.

An upsert may change each row once, so bookings of the same (store, day[, product]) are
added up first. Each booking counts the order's kept lines, as the per-order rule says
(`projections.analytics`).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, fields
from datetime import date
from decimal import Decimal
from typing import Any
from uuid import UUID

from psycopg import Cursor

from read_model.sql.analytics import Line, Loss


@dataclass(slots=True)
class SalesDay:
    orders: int = 0
    units: int = 0
    revenue: Decimal = Decimal(0)
    cancelled_orders: int = 0
    cancelled_units: int = 0
    cancelled_value: Decimal = Decimal(0)
    completed_orders: int = 0
    refunded: Decimal = Decimal(0)
    returned_units: int = 0


@dataclass(slots=True)
class ProductDay:
    units: int = 0
    revenue: Decimal = Decimal(0)
    returned_units: int = 0


@dataclass(slots=True)
class LostDay:
    orders: int = 0
    units: int = 0
    shortfall: int = 0
    value: Decimal = Decimal(0)


Day = tuple[UUID, date]
ProductKey = tuple[UUID, date, UUID]


class Bookings:
    """What a batch adds to each sales row, given the lines of the orders it books."""

    def __init__(self, lines: dict[UUID, list[Line]]) -> None:
        self.lines = lines
        self.sales: defaultdict[Day, SalesDay] = defaultdict(SalesDay)
        self.products: defaultdict[ProductKey, ProductDay] = defaultdict(ProductDay)
        self.lost: defaultdict[ProductKey, LostDay] = defaultdict(LostDay)

    def sale(self, order_id: UUID, store_id: UUID, day: date, sign: int) -> None:
        """Add (sign 1) or take back (sign -1) the order's revenue, orders and units on `day`."""
        row = self.sales[store_id, day]
        row.orders += sign
        for line in self.lines[order_id]:
            row.units += sign * line.quantity
            row.revenue += sign * line.quantity * line.unit_price
            product = self.products[store_id, day, line.product_id]
            product.units += sign * line.quantity
            product.revenue += sign * line.quantity * line.unit_price

    def cancellation(self, order_id: UUID, store_id: UUID, day: date) -> None:
        row = self.sales[store_id, day]
        row.cancelled_orders += 1
        for line in self.lines[order_id]:
            row.cancelled_units += line.quantity
            row.cancelled_value += line.quantity * line.unit_price

    def refund(self, store_id: UUID, day: date, lines: list[Line]) -> None:
        """A received return takes its refund off the revenue of `day` (units sold stay)."""
        row = self.sales[store_id, day]
        for line in lines:
            value = line.quantity * line.unit_price
            row.revenue -= value
            row.refunded += value
            row.returned_units += line.quantity
            product = self.products[store_id, day, line.product_id]
            product.revenue -= value
            product.returned_units += line.quantity

    def completion(self, store_id: UUID, day: date) -> None:
        self.sales[store_id, day].completed_orders += 1

    def lost_demand(self, order_id: UUID, store_id: UUID, day: date, losses: list[Loss]) -> None:
        """Each short line: its requested units, and the units it was short of valued at the
        order's unit price (what the store could not sell); a loss of a product the order has
        no line of counts nothing."""
        prices = {line.product_id: line.unit_price for line in self.lines[order_id]}
        for loss in losses:
            if loss.product_id in prices:
                row = self.lost[store_id, day, loss.product_id]
                row.orders += 1
                row.units += loss.requested
                row.shortfall += loss.requested - loss.available
                row.value += (loss.requested - loss.available) * prices[loss.product_id]


def write_bookings(cur: Cursor[Any], bookings: Bookings) -> None:
    _add(cur, "sales_daily", ("store_id", "day"), bookings.sales)
    _add(cur, "product_sales_daily", ("store_id", "day", "product_id"), bookings.products)
    _add(cur, "lost_demand_daily", ("store_id", "day", "product_id"), bookings.lost)


KEY_TYPES = {"store_id": "%b::uuid[]", "day": "%b::date[]", "product_id": "%b::uuid[]"}
COUNT_TYPES = {"int": "%b::int[]", "Decimal": "%s::numeric[]"}
"""How each column's values are sent: in binary where a column's values all share one
Python type (decoding text arrays costs several times more), money as text (a sum may be
a Decimal or a plain 0)."""


def _add(cur: Cursor[Any], table: str, key: tuple[str, ...], rows: dict[Any, Any]) -> None:
    """Add each row's figures to the table's row of its key, creating it if need be."""
    if not rows:
        return
    counts = fields(next(iter(rows.values())))
    names = [f.name for f in counts]
    columns = [*key, *names]
    values = [(*k, *[getattr(v, name) for name in names]) for k, v in rows.items()]
    types = [KEY_TYPES[c] for c in key] + [COUNT_TYPES[str(f.type)] for f in counts]
    arrays = ", ".join(types)
    sets = ", ".join(f"{name} = {table}.{name} + EXCLUDED.{name}" for name in names)
    cur.execute(
        f"INSERT INTO {table} ({', '.join(columns)}) SELECT * FROM unnest({arrays})"
        f" ON CONFLICT ({', '.join(key)}) DO UPDATE SET {sets}",
        [list(column) for column in zip(*values, strict=True)],
    )
