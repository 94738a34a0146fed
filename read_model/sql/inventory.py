"""Stock per store and product in SQL: version-guarded deltas and the inventory listing."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from uuid import UUID

from psycopg import Cursor
from psycopg.rows import class_row
from psycopg_pool import ConnectionPool


@dataclass(frozen=True, slots=True)
class InventoryLine:
    product_id: UUID
    title: str
    price: Decimal
    category: str
    quantity: int


@dataclass(frozen=True, slots=True)
class StockChange:
    """A stock item's event as deltas, applied only if `version` is newer than the row's."""

    item_id: UUID
    version: int
    on_hand: int = 0
    reserved: int = 0


def open_stock(cur: Cursor[Any], item_id: UUID, store_id: UUID, product_id: UUID) -> None:
    cur.execute(
        "INSERT INTO stock (id, store_id, product_id, on_hand, reserved, version)"
        " VALUES (%s, %s, %s, 0, 0, 1) ON CONFLICT (id) DO NOTHING",
        (item_id, store_id, product_id),
    )


def apply_stock(cur: Cursor[Any], change: StockChange) -> None:
    cur.execute(
        "UPDATE stock SET on_hand = on_hand + %s, reserved = reserved + %s, version = %s"
        " WHERE id = %s AND version < %s",
        (change.on_hand, change.reserved, change.version, change.item_id, change.version),
    )


def store_inventory(pool: ConnectionPool, store_id: UUID) -> list[InventoryLine]:
    """Listed products the store keeps, by title; quantity is what is available to order."""
    with pool.connection() as conn, conn.cursor(row_factory=class_row(InventoryLine)) as cur:
        cur.execute(
            "SELECT p.id AS product_id, p.title, p.price, p.category,"
            " s.on_hand - s.reserved AS quantity"
            " FROM stock s JOIN products p ON p.id = s.product_id"
            " WHERE s.store_id = %s AND NOT p.delisted ORDER BY lower(p.title), p.id",
            (store_id,),
        )
        return cur.fetchall()


def stocking_stores(pool: ConnectionPool) -> list[UUID]:
    """Every store that has stock rows, for comparing listings store by store."""
    with pool.connection() as conn:
        return [row[0] for row in conn.execute("SELECT DISTINCT store_id FROM stock").fetchall()]
