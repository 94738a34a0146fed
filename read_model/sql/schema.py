"""DDL of the `read` schema; applying it twice changes nothing."""

from __future__ import annotations

from psycopg_pool import ConnectionPool

DDL = """
CREATE SCHEMA IF NOT EXISTS read;

CREATE TABLE IF NOT EXISTS read.tracking (
    projection text NOT NULL,
    application text NOT NULL,
    position bigint NOT NULL,
    PRIMARY KEY (projection, application)
);

CREATE TABLE IF NOT EXISTS read.stores (
    id uuid PRIMARY KEY,
    name text NOT NULL,
    owner_id uuid NOT NULL,
    city text NOT NULL,
    lat double precision NOT NULL,
    lng double precision NOT NULL,
    delivery_radius_km double precision NOT NULL,
    low_stock_threshold integer NOT NULL,
    created_at timestamptz NOT NULL,
    version integer NOT NULL
);
CREATE INDEX IF NOT EXISTS stores_city ON read.stores (lower(city));

CREATE TABLE IF NOT EXISTS read.products (
    id uuid PRIMARY KEY,
    store_id uuid NOT NULL,
    title text NOT NULL,
    description text NOT NULL,
    price numeric(12, 2) NOT NULL,
    category text NOT NULL,
    delisted boolean NOT NULL DEFAULT false,
    created_at timestamptz NOT NULL,
    version integer NOT NULL
);
CREATE INDEX IF NOT EXISTS products_category ON read.products (category) WHERE NOT delisted;
CREATE INDEX IF NOT EXISTS products_store ON read.products (store_id) WHERE NOT delisted;

CREATE TABLE IF NOT EXISTS read.stock (
    id uuid PRIMARY KEY,
    store_id uuid NOT NULL,
    product_id uuid NOT NULL,
    on_hand integer NOT NULL,
    reserved integer NOT NULL,
    version integer NOT NULL
);
CREATE UNIQUE INDEX IF NOT EXISTS stock_store_product ON read.stock (store_id, product_id);

CREATE TABLE IF NOT EXISTS read.orders (
    id uuid PRIMARY KEY,
    user_id uuid NOT NULL,
    store_id uuid NOT NULL,
    status text NOT NULL,
    total_items integer NOT NULL,
    total_price numeric(12, 2) NOT NULL,
    shortfalls jsonb NOT NULL DEFAULT '[]',
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL,
    version integer NOT NULL
);
CREATE INDEX IF NOT EXISTS orders_user ON read.orders (user_id, created_at DESC);
CREATE INDEX IF NOT EXISTS orders_store ON read.orders (store_id, created_at DESC);
CREATE INDEX IF NOT EXISTS orders_status ON read.orders (status, created_at DESC);

CREATE TABLE IF NOT EXISTS read.order_lines (
    order_id uuid NOT NULL REFERENCES read.orders (id) ON DELETE CASCADE,
    position integer NOT NULL,
    product_id uuid NOT NULL,
    title text NOT NULL,
    quantity integer NOT NULL,
    unit_price numeric(12, 2) NOT NULL,
    PRIMARY KEY (order_id, position)
);
"""


def migrate(pool: ConnectionPool) -> None:
    """Create the read schema."""
    with pool.connection() as conn, conn.transaction():
        conn.execute(DDL)
