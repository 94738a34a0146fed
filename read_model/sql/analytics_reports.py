"""Sales analytics queries: periods, top products, categories, lost demand, stock turnover.

They read the analytics projection's rollups, joined with the catalogue's products for
titles and categories (and the store's stock for low stock): never the orders themselves.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Literal, TypeVar
from uuid import UUID

from psycopg.rows import class_row
from psycopg_pool import ConnectionPool

R = TypeVar("R")
Granularity = Literal["day", "week", "month"]
BIGGEST_LOSSES = 100


@dataclass(frozen=True, slots=True)
class Window:
    """Which rollup rows a query reads: one store (or all) and days from `start` to `end`."""

    store_id: UUID | None = None
    start: date | None = None
    end: date | None = None

    def where(self, alias: str) -> tuple[str, dict[str, Any]]:
        terms = ["true"]
        if self.store_id is not None:
            terms.append(f"{alias}.store_id = %(store)s")
        if self.start is not None:
            terms.append(f"{alias}.day >= %(start)s")
        if self.end is not None:
            terms.append(f"{alias}.day <= %(end)s")
        params = {"store": self.store_id, "start": self.start, "end": self.end}
        return " AND ".join(terms), params


@dataclass(frozen=True, slots=True)
class SalesPeriod:
    """One period's standing sales net of refunds, with its cancellations, completed
    deliveries and refunds."""

    period: date
    revenue: Decimal
    orders: int
    units: int
    cancelled_orders: int
    cancelled_value: Decimal
    completed_orders: int
    refunded: Decimal


@dataclass(frozen=True, slots=True)
class ProductSales:
    product_id: UUID
    title: str
    units: int
    revenue: Decimal
    returned_units: int

    @property
    def return_rate(self) -> float:
        """Units received back over units sold, in the window."""
        return round(self.returned_units / self.units, 4) if self.units else 0.0


@dataclass(frozen=True, slots=True)
class CategoryRevenue:
    category: str
    revenue: Decimal


@dataclass(frozen=True, slots=True)
class LostProduct:
    product_id: UUID
    title: str
    orders: int
    units: int
    shortfall: int
    value: Decimal


@dataclass(frozen=True, slots=True)
class LostDemand:
    units: int = 0
    shortfall: int = 0
    value: Decimal = Decimal("0.00")
    by_product: list[LostProduct] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class Turnover:
    """Shipped units over the time-weighted average on-hand stock since the item opened."""

    product_id: UUID
    title: str
    on_hand: int
    shipped: int
    average_on_hand: float | None
    turnover: float | None


SUMS = (
    "sum(revenue) AS revenue, sum(orders) AS orders, sum(units) AS units,"
    " sum(cancelled_orders) AS cancelled_orders, sum(cancelled_value) AS cancelled_value,"
    " sum(completed_orders) AS completed_orders, sum(refunded) AS refunded"
)
"""A period's figures, summed over its days (null when it has none)."""
FIGURES = (
    "coalesce(s.revenue, 0) AS revenue, coalesce(s.orders, 0)::int AS orders,"
    " coalesce(s.units, 0)::int AS units,"
    " coalesce(s.cancelled_orders, 0)::int AS cancelled_orders,"
    " coalesce(s.cancelled_value, 0) AS cancelled_value,"
    " coalesce(s.completed_orders, 0)::int AS completed_orders,"
    " coalesce(s.refunded, 0) AS refunded"
)
"""The same as a `SalesPeriod`'s columns, zero for a period without days."""


def sales(pool: ConnectionPool, window: Window, granularity: Granularity) -> list[SalesPeriod]:
    """Every period from `window.start` to `window.end` (both set), empty ones as zeros."""
    where, params = window.where("s")
    query = (
        f"WITH s AS (SELECT date_trunc(%(unit)s, s.day::timestamp) AS period, {SUMS}"
        f" FROM sales_daily s WHERE {where} GROUP BY 1)"
        f" SELECT p.period::date AS period, {FIGURES}"
        " FROM generate_series(date_trunc(%(unit)s, %(start)s::timestamp), %(end)s::timestamp,"
        " ('1 ' || %(unit)s)::interval) AS p(period) LEFT JOIN s USING (period) ORDER BY 1"
    )
    return _fetch(pool, SalesPeriod, query, {**params, "unit": granularity})


def totals(pool: ConnectionPool, window: Window) -> SalesPeriod:
    """The whole window as one period (dated at its start)."""
    where, params = window.where("s")
    query = (
        f"WITH s AS (SELECT {SUMS} FROM sales_daily s WHERE {where})"
        f" SELECT %(start)s::date AS period, {FIGURES} FROM s"
    )
    return _fetch(pool, SalesPeriod, query, params)[0]


def top_products(pool: ConnectionPool, window: Window, limit: int) -> list[ProductSales]:
    """Products by standing revenue in the window, biggest first (ties by id)."""
    where, params = window.where("d")
    query = (
        "SELECT d.product_id, coalesce(p.title, '') AS title, sum(d.units)::int AS units,"
        " sum(d.revenue) AS revenue, sum(d.returned_units)::int AS returned_units"
        " FROM product_sales_daily d"
        f" LEFT JOIN products p ON p.id = d.product_id WHERE {where}"
        " GROUP BY d.product_id, p.title HAVING sum(d.units) > 0"
        " ORDER BY revenue DESC, d.product_id LIMIT %(limit)s"
    )
    return _fetch(pool, ProductSales, query, {**params, "limit": limit})


def category_revenue(pool: ConnectionPool, window: Window) -> list[CategoryRevenue]:
    """Standing revenue per category (the products' current one) in the window, biggest first."""
    where, params = window.where("d")
    query = (
        "SELECT p.category, sum(d.revenue) AS revenue FROM product_sales_daily d"
        f" JOIN products p ON p.id = d.product_id WHERE {where}"
        " GROUP BY p.category HAVING sum(d.units) > 0 ORDER BY revenue DESC, p.category"
    )
    return _fetch(pool, CategoryRevenue, query, params)


def lost_demand(pool: ConnectionPool, window: Window) -> LostDemand:
    """Totals of the window's lost demand, and its `BIGGEST_LOSSES` biggest products by value."""
    where, params = window.where("d")
    query = (
        "SELECT d.product_id, coalesce(p.title, '') AS title, sum(d.orders)::int AS orders,"
        " sum(d.units)::int AS units, sum(d.shortfall)::int AS shortfall, sum(d.value) AS value"
        f" FROM lost_demand_daily d LEFT JOIN products p ON p.id = d.product_id"
        f" WHERE {where} GROUP BY d.product_id, p.title ORDER BY value DESC, d.product_id"
    )
    products = _fetch(pool, LostProduct, query, params)
    return LostDemand(
        units=sum(p.units for p in products),
        shortfall=sum(p.shortfall for p in products),
        value=sum((p.value for p in products), Decimal("0.00")),
        by_product=products[:BIGGEST_LOSSES],
    )


def low_stock_count(pool: ConnectionPool, store_id: UUID) -> int:
    """How many listed products have available stock at or below the store's threshold."""
    with pool.connection() as conn:
        row = conn.execute(
            "SELECT count(*) FROM stock s JOIN stores st ON st.id = s.store_id"
            " JOIN products p ON p.id = s.product_id WHERE s.store_id = %s AND NOT p.delisted"
            " AND s.on_hand - s.reserved <= st.low_stock_threshold",
            (store_id,),
        ).fetchone()
    return int(row[0]) if row else 0


def stock_turnover(pool: ConnectionPool, store_id: UUID, now: datetime) -> list[Turnover]:
    """Each stock item of the store, fastest-turning first, as of `now`."""
    query = (
        "WITH t AS (SELECT product_id, on_hand, shipped,"
        " (unit_seconds + on_hand * extract(epoch FROM %(now)s - changed_at))"
        " / nullif(extract(epoch FROM %(now)s - opened_at), 0) AS average"
        " FROM stock_turnover WHERE store_id = %(store)s)"
        " SELECT t.product_id, coalesce(p.title, '') AS title, t.on_hand, t.shipped,"
        " round(t.average, 2)::float AS average_on_hand,"
        " round(t.shipped / nullif(t.average, 0), 3)::float AS turnover"
        " FROM t LEFT JOIN products p ON p.id = t.product_id"
        " ORDER BY turnover DESC NULLS LAST, t.product_id"
    )
    return _fetch(pool, Turnover, query, {"store": store_id, "now": now})


def _fetch(pool: ConnectionPool, kind: type[R], query: str, params: dict[str, Any]) -> list[R]:
    with pool.connection() as conn, conn.cursor(row_factory=class_row(kind)) as cur:
        cur.execute(query, params)
        return cur.fetchall()
