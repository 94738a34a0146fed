"""Stores and products: version-guarded writes (in the caller's transaction) and queries."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any, Protocol
from uuid import UUID

from psycopg import Cursor
from psycopg.rows import class_row
from psycopg_pool import ConnectionPool

from read_model.paging import Page, PageRequest
from read_model.sql.rows import columns, fetch_page, values
from read_model.sql.schema import TITLE_WORDS

VIEW = "catalogue"
"""The name the view is tracked under: runners, rebuilds and read-your-writes waits use it."""

EARTH_RADIUS_KM = 6371.0
PRODUCT_ORDERINGS = {
    "price": "price ASC, id",
    "-price": "price DESC, id",
    "title": "lower(title) ASC, id",
    "-title": "lower(title) DESC, id",
    "newest": "created_at DESC, id",
}


@dataclass(frozen=True, slots=True)
class StoreView:
    id: UUID
    name: str
    owner_id: UUID
    city: str
    lat: float
    lng: float
    delivery_radius_km: float
    low_stock_threshold: int
    timezone: str
    opens_at: int
    closes_at: int
    created_at: datetime
    tax_rate: Decimal | None = None
    """The percentage of sales tax its prices include; None: it charges none."""


@dataclass(frozen=True, slots=True)
class FlashSaleView:
    price: Decimal
    starts_at: datetime
    ends_at: datetime

    def is_on(self, now: datetime) -> bool:
        """Whether the sale runs at `now`; no event marks its end, so it is judged on reading."""
        return self.starts_at <= now < self.ends_at


@dataclass(frozen=True, slots=True)
class ProductView:
    id: UUID
    store_id: UUID
    title: str
    description: str
    price: Decimal
    category: str
    created_at: datetime
    flash_price: Decimal | None = None
    flash_starts_at: datetime | None = None
    flash_ends_at: datetime | None = None

    @property
    def flash_sale(self) -> FlashSaleView | None:
        """The last sale set, whether running, to come or over; None if none or cancelled."""
        if self.flash_price is None or self.flash_starts_at is None or self.flash_ends_at is None:
            return None
        return FlashSaleView(self.flash_price, self.flash_starts_at, self.flash_ends_at)


@dataclass(frozen=True, slots=True)
class ProductFilter:
    category: str | None = None
    min_price: Decimal | None = None
    max_price: Decimal | None = None
    store_id: UUID | None = None
    ordering: str = "newest"


class ProductCriteria(Protocol):
    """The filters the catalogue listing and the search share (read, never set)."""

    @property
    def category(self) -> str | None: ...
    @property
    def min_price(self) -> Decimal | None: ...
    @property
    def max_price(self) -> Decimal | None: ...
    @property
    def store_id(self) -> UUID | None: ...


LISTED_BY_STORE = "store_id = %(store_id)s"


def listed_products_matching(
    f: ProductCriteria, of_store: str = LISTED_BY_STORE
) -> tuple[list[str], dict[str, Any]]:
    """WHERE conditions (on `products`) and their parameters for listed products matching `f`;
    `of_store` says which belong to `f.store_id`."""
    where = ["NOT delisted"]
    if f.category:
        where.append("category = %(category)s")
    if f.min_price is not None:
        where.append("price >= %(min_price)s")
    if f.max_price is not None:
        where.append("price <= %(max_price)s")
    if f.store_id:
        where.append(of_store)
    params = {k: getattr(f, k) for k in ("category", "min_price", "max_price", "store_id")}
    return where, params


def add_store(cur: Cursor[Any], store: StoreView, version: int) -> None:
    row = (*values(store), version)
    cur.execute(
        f"INSERT INTO stores ({columns(StoreView)}, version)"
        f" VALUES ({', '.join(['%s'] * len(row))}) ON CONFLICT (id) DO NOTHING",
        row,
    )


def set_tax_rate(cur: Cursor[Any], store_id: UUID, version: int, rate: Decimal | None) -> None:
    cur.execute(
        "UPDATE stores SET tax_rate = %s, version = %s WHERE id = %s AND version < %s",
        (rate, version, store_id, version),
    )


def add_product(cur: Cursor[Any], product: ProductView, version: int) -> None:
    row = (*values(product), version)
    cur.execute(
        f"INSERT INTO products ({columns(ProductView)}, version)"
        f" VALUES ({', '.join(['%s'] * len(row))}) ON CONFLICT (id) DO NOTHING",
        row,
    )
    _learn_words(cur, product.title)


def revise_product(cur: Cursor[Any], version: int, **fields: Any) -> None:
    """Set id's title, description, price and category if this version is newer."""
    cur.execute(
        "UPDATE products SET title = %(title)s, description = %(description)s,"
        " price = %(price)s, category = %(category)s, version = %(version)s"
        " WHERE id = %(id)s AND version < %(version)s",
        {**fields, "version": version},
    )
    _learn_words(cur, fields["title"])


def _learn_words(cur: Cursor[Any], title: str) -> None:
    """Keep the title's words in `title_words`, where a misspelt query finds them."""
    cur.execute(
        f"INSERT INTO title_words SELECT DISTINCT word FROM {TITLE_WORDS.format(title='%s')}"
        " AS word WHERE word <> '' ON CONFLICT DO NOTHING",
        (title,),
    )


def delist_product(cur: Cursor[Any], product_id: UUID, version: int) -> None:
    cur.execute(
        "UPDATE products SET delisted = true, version = %s WHERE id = %s AND version < %s",
        (version, product_id, version),
    )


def set_flash_sale(
    cur: Cursor[Any], product_id: UUID, version: int, sale: FlashSaleView | None
) -> None:
    """Set (None: clear) the product's flash sale if this version is newer."""
    price, starts_at, ends_at = (sale.price, sale.starts_at, sale.ends_at) if sale else (None,) * 3
    cur.execute(
        "UPDATE products SET flash_price = %s, flash_starts_at = %s, flash_ends_at = %s,"
        " version = %s WHERE id = %s AND version < %s",
        (price, starts_at, ends_at, version, product_id, version),
    )


def totals(pool: ConnectionPool) -> tuple[int, int]:
    """How many stores there are, and how many products are listed."""
    with pool.connection() as conn:
        row = conn.execute(
            "SELECT (SELECT count(*) FROM stores),"
            " (SELECT count(*) FROM products WHERE NOT delisted)"
        ).fetchone()
    return (int(row[0]), int(row[1])) if row else (0, 0)


def get_store(pool: ConnectionPool, store_id: UUID) -> StoreView | None:
    with pool.connection() as conn, conn.cursor(row_factory=class_row(StoreView)) as cur:
        cur.execute(f"SELECT {columns(StoreView)} FROM stores WHERE id = %s", (store_id,))
        return cur.fetchone()


def list_stores(
    pool: ConnectionPool,
    page: PageRequest,
    city: str | None = None,
    near: tuple[float, float] | None = None,
    radius_km: float = 10.0,
    owner_id: UUID | None = None,
) -> Page[StoreView]:
    """Stores by name; `near` keeps those within `radius_km` (great-circle distance)."""
    where, params = ["true"], {"city": city, "radius": radius_km, "owner": owner_id}
    if owner_id:
        where.append("owner_id = %(owner)s")
    if city:
        where.append("lower(city) = lower(%(city)s)")
    if near:
        params.update(lat=near[0], lng=near[1])
        where.append(f"{distance_km_sql()} <= %(radius)s")
    sql = f"FROM stores WHERE {' AND '.join(where)}"
    return fetch_page(pool, StoreView, sql, "lower(name), id", params, page)


def get_product(pool: ConnectionPool, product_id: UUID) -> ProductView | None:
    with pool.connection() as conn, conn.cursor(row_factory=class_row(ProductView)) as cur:
        cur.execute(
            f"SELECT {columns(ProductView)} FROM products WHERE id = %s AND NOT delisted",
            (product_id,),
        )
        return cur.fetchone()


def list_products(pool: ConnectionPool, page: PageRequest, f: ProductFilter) -> Page[ProductView]:
    where, params = listed_products_matching(f)
    sql = f"FROM products WHERE {' AND '.join(where)}"
    return fetch_page(pool, ProductView, sql, PRODUCT_ORDERINGS[f.ordering], params, page)


def recommendations(
    pool: ConnectionPool, product: ProductView, now: datetime, limit: int
) -> list[ProductView]:
    """Other listed products of its category: those on a flash sale at `now` first, then
    the newest. The time is a parameter, so the order is decided as of the caller's clock."""
    with pool.connection() as conn, conn.cursor(row_factory=class_row(ProductView)) as cur:
        cur.execute(
            f"SELECT {columns(ProductView)} FROM products"
            " WHERE category = %(category)s AND id <> %(id)s AND NOT delisted"
            " ORDER BY (flash_starts_at <= %(now)s AND %(now)s < flash_ends_at) IS TRUE DESC,"
            " created_at DESC, id LIMIT %(limit)s",
            {"category": product.category, "id": product.id, "now": now, "limit": limit},
        )
        return cur.fetchall()


def categories(pool: ConnectionPool) -> list[str]:
    with pool.connection() as conn:
        rows = conn.execute(
            "SELECT DISTINCT category FROM products WHERE NOT delisted ORDER BY category"
        ).fetchall()
    return [row[0] for row in rows]


def distance_km_sql() -> str:
    """Great-circle distance (km) from %(lat)s,%(lng)s to a row's lat/lng, as SQL."""
    return (
        f"{EARTH_RADIUS_KM} * 2 * asin(sqrt(power(sin(radians(lat - %(lat)s) / 2), 2)"
        " + cos(radians(%(lat)s)) * cos(radians(lat))"
        " * power(sin(radians(lng - %(lng)s) / 2), 2)))"
    )
