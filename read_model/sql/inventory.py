"""Stock per store and product in SQL: version-guarded deltas and the inventory listing."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, NamedTuple
from uuid import UUID

from psycopg import Cursor
from psycopg.rows import class_row
from psycopg_pool import ConnectionPool

from read_model.paging import Page, PageRequest
from read_model.sql.catalogue import distance_km_sql
from read_model.sql.rows import columns, fetch_page

VIEW = "stock"
"""The name the view is tracked under: runners, rebuilds and read-your-writes waits use it."""


@dataclass(frozen=True, slots=True)
class InventoryLine:
    product_id: UUID
    title: str
    price: Decimal
    category: str
    quantity: int


@dataclass(frozen=True, slots=True)
class Availability:
    """A store that has a product to order: how many, and how far it is when asked from a spot."""

    store_id: UUID
    store_name: str
    city: str
    quantity: int
    distance_km: float | None


class StockChange(NamedTuple):
    """A stock item's event as deltas, applied only if `version` is newer than the row's."""

    item_id: UUID
    version: int
    on_hand: int = 0
    reserved: int = 0


class Listing(NamedTuple):
    """What a product's listed or revised event says the listing shows, at `version`."""

    product_id: UUID
    version: int
    title: str
    price: Decimal
    category: str


def open_stock(cur: Cursor[Any], opened: Sequence[tuple[UUID, UUID, UUID]]) -> None:
    """Open stock rows (item, store, product) at version 1, showing the product as known;
    an open row stays as it is."""
    cur.execute(
        "INSERT INTO stock (id, store_id, product_id, on_hand, reserved, version,"
        " title, price, category, listed)"
        " SELECT o.id, o.store_id, o.product_id, 0, 0, 1, p.title, p.price, p.category,"
        " coalesce(p.listed, false)"
        " FROM unnest(%b::uuid[], %b::uuid[], %b::uuid[]) AS o(id, store_id, product_id)"
        " LEFT JOIN stock_products p ON p.id = o.product_id"
        " ON CONFLICT (id) DO NOTHING",
        [list(column) for column in zip(*opened, strict=True)],
    )


def change_products(
    cur: Cursor[Any], listings: Sequence[Listing], delisted: Sequence[tuple[UUID, int]]
) -> None:
    """Keep what each product shows (its newest listing, then delisted (product, version)
    ones off the listing), each only if newer than what is kept; then show it on every
    stock row of the product."""
    if listings:
        newest = {listing.product_id: listing for listing in sorted(listings, key=_version)}
        cur.execute(
            "INSERT INTO stock_products (id, version, title, price, category, listed)"
            " SELECT *, true FROM unnest(%b::uuid[], %b::int[], %b::text[], %b::numeric[],"
            " %b::text[]) ON CONFLICT (id) DO UPDATE SET title = excluded.title,"
            " price = excluded.price, category = excluded.category, listed = true,"
            " version = excluded.version WHERE stock_products.version < excluded.version",
            [list(column) for column in zip(*map(_row, newest.values()), strict=True)],
        )
    if delisted:
        cur.execute(
            "UPDATE stock_products p SET listed = false, version = d.version"
            " FROM unnest(%b::uuid[], %b::int[]) AS d(id, version)"
            " WHERE p.id = d.id AND p.version < d.version",
            [list(column) for column in zip(*delisted, strict=True)],
        )
    cur.execute(
        "UPDATE stock s SET title = p.title, price = p.price, category = p.category,"
        " listed = p.listed FROM stock_products p WHERE p.id = ANY(%b::uuid[])"
        " AND s.product_id = p.id",
        [list({listing.product_id for listing in listings} | {pid for pid, _ in delisted})],
    )


def _version(listing: Listing) -> int:
    return listing.version


def _row(listing: Listing) -> tuple[UUID, int, str, Decimal, str]:
    return listing.product_id, listing.version, listing.title, listing.price, listing.category


def apply_stock(cur: Cursor[Any], changes: Sequence[StockChange]) -> None:
    """Add each item's changes newer than its row's version, and move the row to the newest.

    One change per (item, version): a row that has reached a version has applied every
    earlier one, so adding exactly those newer than it is what applying them one by one does.
    """
    cur.execute(
        "UPDATE stock s SET on_hand = s.on_hand + d.on_hand, reserved = s.reserved + d.reserved,"
        " version = d.version FROM (SELECT c.id, sum(c.on_hand) AS on_hand,"
        " sum(c.reserved) AS reserved, max(c.version) AS version"
        " FROM unnest(%b::uuid[], %b::int[], %b::int[], %b::int[])"
        " AS c(id, version, on_hand, reserved)"
        " JOIN stock was ON was.id = c.id WHERE c.version > was.version GROUP BY c.id) d"
        " WHERE s.id = d.id",
        (
            [c.item_id for c in changes],
            [c.version for c in changes],
            [c.on_hand for c in changes],
            [c.reserved for c in changes],
        ),
    )


LINES = (
    "FROM (SELECT product_id, title, price, category, on_hand - reserved AS quantity"
    " FROM stock WHERE store_id = %(store)s AND listed) lines"
)


def inventory_page(pool: ConnectionPool, store_id: UUID, page: PageRequest) -> Page[InventoryLine]:
    """A page of `store_inventory`, in its order, with the count of all its lines: the page
    stops at its last line, read in order from the listing's index."""
    return fetch_page(
        pool, InventoryLine, LINES, "lower(title), product_id", {"store": store_id}, page
    )


def store_inventory(pool: ConnectionPool, store_id: UUID) -> list[InventoryLine]:
    """Listed products the store keeps, by title; quantity is what is available to order."""
    with pool.connection() as conn, conn.cursor(row_factory=class_row(InventoryLine)) as cur:
        cur.execute(
            f"SELECT {columns(InventoryLine)} {LINES} ORDER BY lower(title), product_id",
            {"store": store_id},
        )
        return cur.fetchall()


AVAILABILITY_LIMIT = 100


def availability(
    pool: ConnectionPool, product_id: UUID, near: tuple[float, float] | None, radius_km: float
) -> list[Availability]:
    """The stores with the product available, nearest first within `radius_km` of `near`
    (without it: most first), at most `AVAILABILITY_LIMIT`."""
    distance = distance_km_sql() if near else "NULL::float8"
    within = f"AND {distance} <= %(radius)s" if near else ""
    order = "distance_km, quantity DESC" if near else "quantity DESC, store_name"
    lat, lng = near or (0.0, 0.0)
    with pool.connection() as conn, conn.cursor(row_factory=class_row(Availability)) as cur:
        cur.execute(
            f"SELECT {columns(Availability)} FROM (SELECT st.id AS store_id,"
            " st.name AS store_name, st.city, s.on_hand - s.reserved AS quantity,"
            f" {distance} AS distance_km FROM stock s JOIN stores st ON st.id = s.store_id"
            f" WHERE s.product_id = %(product)s AND s.on_hand > s.reserved {within}) found"
            f" ORDER BY {order}, store_id LIMIT {AVAILABILITY_LIMIT}",
            {"product": product_id, "lat": lat, "lng": lng, "radius": radius_km},
        )
        return cur.fetchall()


def stocking_stores(pool: ConnectionPool) -> list[UUID]:
    """Every store that has stock rows, for comparing listings store by store."""
    with pool.connection() as conn:
        return [row[0] for row in conn.execute("SELECT DISTINCT store_id FROM stock").fetchall()]
