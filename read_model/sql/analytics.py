"""Sales analytics storage: what the analytics projection writes (queries: `analytics_reports`).

Every counter moves only behind a version guard on the aggregate the event belongs to (the
order, the stock item): a redelivered event finds the guard already past it and books
nothing, so the counters stay exact under at-least-once delivery and rebuild the same.
Writes read only rows of the event's own aggregate (an order's lines), never a product's:
titles and categories are joined in when asked, so events of different aggregates may
arrive in any order (Kafka partitions) and build the same rows.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any, NamedTuple
from uuid import UUID

from psycopg import Cursor

VIEW = "analytics"
"""The name the view is tracked under: runners, rebuilds and read-your-writes waits use it."""


class Line(NamedTuple):
    product_id: UUID
    quantity: int
    unit_price: Decimal


class Loss(NamedTuple):
    """A line the store could not serve: all `requested` units are lost, `available` were there."""

    product_id: UUID
    requested: int
    available: int


class PlacedOrder(NamedTuple):
    """A placed order, or an asked return: a store's lines that later events book."""

    id: UUID
    store_id: UUID
    lines: list[Line]


class Move(NamedTuple):
    """An order's last move in a batch, and its confirmation if the batch holds one."""

    order_id: UUID
    version: int
    status: str
    confirmed_version: int | None = None
    sold_on: date | None = None


class Before(NamedTuple):
    """An order as it was before a batch moved it: its events newer than `version` book."""

    store_id: UUID
    version: int
    sold_on: date | None


def add_orders(cur: Cursor[Any], placed: Sequence[PlacedOrder]) -> None:
    """Keep placed orders' lines (their later events book them); a redelivery changes nothing."""
    _add_with_lines(
        cur,
        placed,
        ("analytics_orders (id, store_id, status, version)", "id, store_id, 'placed', 1"),
        ("analytics_order_lines", "order_id"),
    )


def add_returns(cur: Cursor[Any], asked: Sequence[PlacedOrder]) -> None:
    """Keep asked returns' lines (their receipt books them); a redelivery changes nothing."""
    _add_with_lines(
        cur,
        asked,
        ("analytics_returns (id, store_id)", "id, store_id"),
        ("analytics_return_lines", "return_id"),
    )


def _add_with_lines(
    cur: Cursor[Any],
    added: Sequence[PlacedOrder],
    parents: tuple[str, str],
    lines: tuple[str, str],
) -> None:
    """Insert the new ones into `parents` (the table and its columns, what they take from
    id and store_id) and, in the same statement, their lines into `lines` (the table, its
    owner column): one already there keeps its own, and nothing comes back to decide that."""
    (into, values), (table, owner) = parents, lines
    rows = [(order.id, line) for order in added for line in order.lines]
    cur.execute(
        f"WITH new AS (INSERT INTO {into} SELECT {values}"
        " FROM unnest(%b::uuid[], %b::uuid[]) AS o(id, store_id)"
        " ON CONFLICT (id) DO NOTHING RETURNING id)"
        f" INSERT INTO {table} ({owner}, product_id, quantity, unit_price)"
        " SELECT l.* FROM unnest(%b::uuid[], %b::uuid[], %b::int[], %s::numeric[])"
        " AS l(owner, product_id, quantity, unit_price) JOIN new ON new.id = l.owner",
        (
            [order.id for order in added],
            [order.store_id for order in added],
            [order_id for order_id, _ in rows],
            [line.product_id for _, line in rows],
            [line.quantity for _, line in rows],
            [line.unit_price for _, line in rows],
        ),
    )


def receive_returns(cur: Cursor[Any], return_ids: Sequence[UUID]) -> list[PlacedOrder]:
    """Mark these returns received; those not received before, with their store and lines
    (a redelivered receipt is left out: it has nothing to book)."""
    cur.execute(
        "WITH newly AS (UPDATE analytics_returns SET received = true"
        " WHERE id = ANY(%b) AND NOT received RETURNING id, store_id)"
        " SELECT n.id, n.store_id, l.product_id, l.quantity, l.unit_price FROM newly n"
        " JOIN analytics_return_lines l ON l.return_id = n.id",
        (list(return_ids),),
    )
    found: dict[UUID, PlacedOrder] = {}
    for return_id, store_id, product_id, quantity, unit_price in cur.fetchall():
        found.setdefault(return_id, PlacedOrder(return_id, store_id, [])).lines.append(
            Line(product_id, quantity, unit_price)
        )
    return list(found.values())


def move_orders(cur: Cursor[Any], moves: Sequence[Move]) -> dict[UUID, Before]:
    """Take each order to its move's version; what the orders that moved were before.

    An order already there (a redelivery) is left out: it has nothing to book.
    """
    cur.execute(
        "UPDATE analytics_orders a SET status = m.status, version = m.version,"
        " sold_on = CASE WHEN m.confirmed_version > old.version THEN m.sold_on"
        " ELSE old.sold_on END"
        " FROM unnest(%b::uuid[], %b::int[], %b::text[], %b::int[], %b::date[])"
        " AS m(id, version, status, confirmed_version, sold_on),"
        " (SELECT id, version, sold_on FROM analytics_orders WHERE id = ANY(%b) FOR UPDATE) old"
        " WHERE a.id = m.id AND old.id = m.id AND old.version < m.version"
        " RETURNING a.id, a.store_id, old.version, old.sold_on",
        (
            [m.order_id for m in moves],
            [m.version for m in moves],
            [m.status for m in moves],
            [m.confirmed_version for m in moves],
            [m.sold_on for m in moves],
            [m.order_id for m in moves],
        ),
    )
    return {row[0]: Before(row[1], row[2], row[3]) for row in cur.fetchall()}


def lines_of(cur: Cursor[Any], order_ids: Collection[UUID]) -> dict[UUID, list[Line]]:
    """The kept lines of these orders: what their bookings count."""
    found: dict[UUID, list[Line]] = {order_id: [] for order_id in order_ids}
    if order_ids:
        cur.execute(
            "SELECT order_id, product_id, quantity, unit_price FROM analytics_order_lines"
            " WHERE order_id = ANY(%b)",
            (list(order_ids),),
        )
        for order_id, product_id, quantity, unit_price in cur.fetchall():
            found[order_id].append(Line(product_id, quantity, unit_price))
    return found


def open_item(
    cur: Cursor[Any], item_id: UUID, store_id: UUID, product_id: UUID, at: datetime
) -> None:
    cur.execute(
        "INSERT INTO stock_turnover (item_id, store_id, product_id, on_hand, shipped,"
        " opened_at, changed_at, unit_seconds, version) VALUES (%s, %s, %s, 0, 0, %s, %s, 0, 1)"
        " ON CONFLICT (item_id) DO NOTHING",
        (item_id, store_id, product_id, at, at),
    )


class StockMove(NamedTuple):
    """A change of an item's on-hand stock at `at` (and of its units shipped)."""

    item_id: UUID
    version: int
    at: datetime
    on_hand: int
    shipped: int


def move_stock(cur: Cursor[Any], moves: Sequence[StockMove]) -> None:
    """Apply each item's moves newer than its row, in version order, with one statement:
    each move first adds the stock held since the previous one (or the row's last change).
    One move per (item, version); unit-seconds are exact numerics, so summing the steps is
    adding them one by one."""
    cur.execute(
        "WITH m AS (SELECT m.*, was.on_hand AS was_on_hand, was.changed_at AS was_at"
        " FROM unnest(%b::uuid[], %b::int[], %b::timestamptz[], %b::int[], %b::int[])"
        " AS m(item_id, version, at, on_hand, shipped)"
        " JOIN stock_turnover was ON was.item_id = m.item_id WHERE m.version > was.version),"
        " steps AS (SELECT item_id, version, at, on_hand, shipped,"
        " was_on_hand + coalesce(sum(on_hand) OVER (PARTITION BY item_id ORDER BY version"
        " ROWS BETWEEN UNBOUNDED PRECEDING"
        " AND 1 PRECEDING), 0) AS held, coalesce(lag(at) OVER (PARTITION BY item_id"
        " ORDER BY version), was_at) AS since FROM m),"
        " d AS (SELECT item_id, sum(held * extract(epoch FROM at - since)) AS unit_seconds,"
        " sum(on_hand) AS on_hand, sum(shipped) AS shipped, max(version) AS version,"
        " (array_agg(at ORDER BY version DESC))[1] AS changed_at FROM steps GROUP BY item_id)"
        " UPDATE stock_turnover s SET unit_seconds = s.unit_seconds + d.unit_seconds,"
        " on_hand = s.on_hand + d.on_hand, shipped = s.shipped + d.shipped,"
        " changed_at = d.changed_at, version = d.version FROM d WHERE s.item_id = d.item_id",
        (
            [m.item_id for m in moves],
            [m.version for m in moves],
            [m.at for m in moves],
            [m.on_hand for m in moves],
            [m.shipped for m in moves],
        ),
    )
