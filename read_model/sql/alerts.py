"""Low-stock alerts per store and product: opened at the threshold, resolved by restocking."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from uuid import UUID

from psycopg import Cursor
from psycopg.rows import class_row
from psycopg_pool import ConnectionPool

VIEW = "stock_alerts"
"""The name the view is tracked under: runners, rebuilds and read-your-writes waits use it."""


@dataclass(frozen=True, slots=True)
class StockAlert:
    product_id: UUID
    title: str
    available: int
    threshold: int
    opened_at: datetime


def open_alerts(pool: ConnectionPool, store_id: UUID) -> list[StockAlert]:
    """The store's unresolved alerts, newest first, with the product's current availability."""
    with pool.connection() as conn, conn.cursor(row_factory=class_row(StockAlert)) as cur:
        cur.execute(
            "SELECT a.product_id, p.title, a.available, a.threshold, a.opened_at"
            " FROM stock_alerts a JOIN products p ON p.id = a.product_id"
            " WHERE a.store_id = %s AND a.resolved_at IS NULL ORDER BY a.opened_at DESC",
            (store_id,),
        )
        return cur.fetchall()


DEFAULT_THRESHOLD = 3
Shelf = tuple[UUID, UUID]
"""A product in a store: what an alert is about."""


@dataclass(slots=True)
class Level:
    """What a stock item has available, as of `version`, and its store's threshold."""

    item_id: UUID
    store_id: UUID
    product_id: UUID
    available: int
    version: int
    threshold: int

    @property
    def shelf(self) -> Shelf:
        return (self.store_id, self.product_id)


@dataclass(slots=True)
class Alert:
    id: UUID
    store_id: UUID
    product_id: UUID
    available: int
    threshold: int
    opened_at: datetime
    resolved_at: datetime | None = None


def set_thresholds(cur: Cursor[Any], thresholds: Sequence[tuple[UUID, int]]) -> None:
    cur.execute(
        "INSERT INTO alert_thresholds (store_id, threshold)"
        " SELECT * FROM unnest(%b::uuid[], %b::int[])"
        " ON CONFLICT (store_id) DO UPDATE SET threshold = EXCLUDED.threshold",
        [list(column) for column in zip(*thresholds, strict=True)],
    )


def open_levels(cur: Cursor[Any], opened: Sequence[tuple[UUID, UUID, UUID]]) -> None:
    """Levels (item, store, product) at 0, version 1; an open level stays as it is."""
    cur.execute(
        "INSERT INTO alert_levels (item_id, store_id, product_id, available, version)"
        " SELECT id, store_id, product_id, 0, 1"
        " FROM unnest(%b::uuid[], %b::uuid[], %b::uuid[]) AS o(id, store_id, product_id)"
        " ON CONFLICT (item_id) DO NOTHING",
        [list(column) for column in zip(*opened, strict=True)],
    )


def levels(cur: Cursor[Any], item_ids: Collection[UUID]) -> dict[UUID, Level]:
    cur.execute(
        "SELECT l.item_id, l.store_id, l.product_id, l.available, l.version,"
        " COALESCE(t.threshold, %s) FROM alert_levels l"
        " LEFT JOIN alert_thresholds t ON t.store_id = l.store_id WHERE l.item_id = ANY(%b)",
        (DEFAULT_THRESHOLD, list(item_ids)),
    )
    return {row[0]: Level(*row) for row in cur.fetchall()}


def save_levels(cur: Cursor[Any], changed: Iterable[Level]) -> None:
    rows = [(level.item_id, level.available, level.version) for level in changed]
    cur.execute(
        "UPDATE alert_levels l SET available = c.available, version = c.version"
        " FROM unnest(%b::uuid[], %b::int[], %b::int[]) AS c(id, available, version)"
        " WHERE l.item_id = c.id AND l.version < c.version",
        [list(column) for column in zip(*rows, strict=True)],
    )


@dataclass
class AlertBook:
    """The alerts of some shelves, changed in memory through a batch and saved at its end."""

    open: dict[Shelf, Alert]
    last_opened: dict[Shelf, datetime]
    kept: set[UUID] = field(default_factory=set)
    """The ids of the open alerts as loaded: saved by update, the others by insert."""
    changed: dict[UUID, Alert] = field(default_factory=dict)

    @classmethod
    def load(cls, cur: Cursor[Any], shelves: Collection[Shelf]) -> AlertBook:
        """Each shelf's open alert and when its latest alert opened."""
        stores, products = ([s for s, _ in shelves], [p for _, p in shelves])
        cur.execute(
            "SELECT a.id, a.store_id, a.product_id, a.available, a.threshold, a.opened_at,"
            " a.resolved_at FROM unnest(%b::uuid[], %b::uuid[]) AS s(store_id, product_id)"
            " CROSS JOIN LATERAL (SELECT * FROM stock_alerts a"
            " WHERE a.store_id = s.store_id AND a.product_id = s.product_id"
            " ORDER BY a.resolved_at IS NULL DESC, a.opened_at DESC LIMIT 1) a",
            (stores, products),
        )
        found = [Alert(*row) for row in cur.fetchall()]
        open_ = {(a.store_id, a.product_id): a for a in found if a.resolved_at is None}
        last = {(a.store_id, a.product_id): a.opened_at for a in found}
        return cls(open_, last, kept={a.id for a in open_.values()})

    def follow(self, shelf: Shelf, available: int, threshold: int, at: datetime) -> None:
        """The open alert shows the latest availability; above the threshold it is resolved."""
        alert = self.open.get(shelf)
        if alert is None:
            return
        alert.available = available
        if available > threshold:
            alert.resolved_at = at
            del self.open[shelf]
        self.changed[alert.id] = alert

    def opened_since(self, shelf: Shelf, since: datetime) -> bool:
        last = self.last_opened.get(shelf)
        return last is not None and last >= since

    def open_alert(
        self, alert_id: UUID, shelf: Shelf, available: int, threshold: int, at: datetime
    ) -> bool:
        """Open an alert unless one is open for the shelf; True if this one was opened."""
        if shelf in self.open:
            return False
        alert = Alert(alert_id, *shelf, available, threshold, at)
        self.open[shelf] = self.changed[alert_id] = alert
        self.last_opened[shelf] = max(at, self.last_opened.get(shelf, at))
        return True

    def save(self, cur: Cursor[Any]) -> None:
        """Update the alerts that were open, then insert the new ones (in that order, so a
        shelf's resolved alert makes room for its new open one)."""
        kept = [a for a in self.changed.values() if a.id in self.kept]
        new = [a for a in self.changed.values() if a.id not in self.kept]
        if kept:
            cur.execute(
                "UPDATE stock_alerts a SET available = c.available, resolved_at = c.resolved_at"
                " FROM unnest(%b::uuid[], %b::int[], %b::timestamptz[])"
                " AS c(id, available, resolved_at) WHERE a.id = c.id",
                (
                    [a.id for a in kept],
                    [a.available for a in kept],
                    [a.resolved_at for a in kept],
                ),
            )
        if new:
            columns = ("id", "store_id", "product_id", "available", "threshold", "opened_at")
            cur.execute(
                "INSERT INTO stock_alerts (id, store_id, product_id, available, threshold,"
                " opened_at, resolved_at) SELECT * FROM unnest(%b::uuid[], %b::uuid[],"
                " %b::uuid[], %b::int[], %b::int[], %b::timestamptz[], %b::timestamptz[])"
                " ON CONFLICT DO NOTHING",
                [[getattr(a, c) for a in new] for c in (*columns, "resolved_at")],
            )
