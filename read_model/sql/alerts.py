"""Low-stock alerts per store and product: opened at the threshold, resolved by restocking."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from psycopg import Cursor
from psycopg.rows import class_row
from psycopg_pool import ConnectionPool


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


@dataclass(frozen=True, slots=True)
class LevelChange:
    store_id: UUID
    product_id: UUID
    before: int
    after: int
    threshold: int


def set_threshold(cur: Cursor[Any], store_id: UUID, threshold: int) -> None:
    cur.execute(
        "INSERT INTO alert_thresholds (store_id, threshold) VALUES (%s, %s)"
        " ON CONFLICT (store_id) DO UPDATE SET threshold = EXCLUDED.threshold",
        (store_id, threshold),
    )


def open_level(cur: Cursor[Any], item_id: UUID, store_id: UUID, product_id: UUID) -> None:
    cur.execute(
        "INSERT INTO alert_levels (item_id, store_id, product_id, available, version)"
        " VALUES (%s, %s, %s, 0, 1) ON CONFLICT (item_id) DO NOTHING",
        (item_id, store_id, product_id),
    )


def change_level(cur: Cursor[Any], item_id: UUID, version: int, delta: int) -> LevelChange | None:
    """Apply a change of availability unless this version was applied already."""
    cur.execute(
        "UPDATE alert_levels l SET available = l.available + %s, version = %s"
        " WHERE l.item_id = %s AND l.version < %s"
        " RETURNING l.store_id, l.product_id, l.available - %s, l.available,"
        " COALESCE((SELECT threshold FROM alert_thresholds t WHERE t.store_id = l.store_id), %s)",
        (delta, version, item_id, version, delta, DEFAULT_THRESHOLD),
    )
    row = cur.fetchone()
    return LevelChange(*row) if row else None


def opened_since(cur: Cursor[Any], change: LevelChange, since: datetime) -> bool:
    """Whether an alert for this product was opened at or after `since` (open or not)."""
    cur.execute(
        "SELECT 1 FROM stock_alerts WHERE store_id = %s AND product_id = %s AND opened_at >= %s",
        (change.store_id, change.product_id, since),
    )
    return cur.fetchone() is not None


def open_alert(cur: Cursor[Any], alert_id: UUID, change: LevelChange, at: datetime) -> bool:
    """Open an alert unless one is open for the product; True if this one was opened."""
    cur.execute(
        "INSERT INTO stock_alerts (id, store_id, product_id, available, threshold, opened_at)"
        " VALUES (%s, %s, %s, %s, %s, %s) ON CONFLICT DO NOTHING",
        (alert_id, change.store_id, change.product_id, change.after, change.threshold, at),
    )
    return bool(cur.rowcount)


def follow_open_alert(cur: Cursor[Any], change: LevelChange, at: datetime) -> None:
    """The open alert shows the latest availability; above the threshold it is resolved."""
    resolved = change.after > change.threshold
    cur.execute(
        "UPDATE stock_alerts SET available = %s,"
        " resolved_at = CASE WHEN %s THEN %s::timestamptz END"
        " WHERE store_id = %s AND product_id = %s AND resolved_at IS NULL",
        (change.after, resolved, at, change.store_id, change.product_id),
    )
