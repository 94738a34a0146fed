"""DDL of the read models; applying it twice changes nothing.

Read-model SQL names tables without a schema: connections choose it with `search_path`,
so the same code writes the live schema `read` or a schema being rebuilt.
"""

from __future__ import annotations

from psycopg import sql
from psycopg_pool import ConnectionPool

LIVE_SCHEMA = "read"
TRIGRAM_SCHEMA = "public"
"""Where pg_trgm lives: one schema for the database, so rebuild schemas see it too."""
SEARCH_VECTOR = (
    "setweight(to_tsvector('english', title), 'A')"
    " || setweight(to_tsvector('english', category), 'B')"
    " || setweight(to_tsvector('english', description), 'C')"
)
"""Products' full-text document: a title match weighs most, then category, then description."""

DDL = f"""
CREATE EXTENSION IF NOT EXISTS pg_trgm WITH SCHEMA {TRIGRAM_SCHEMA};

CREATE TABLE IF NOT EXISTS tracking (
    projection text NOT NULL,
    application text NOT NULL,
    position bigint NOT NULL,
    PRIMARY KEY (projection, application)
);

CREATE TABLE IF NOT EXISTS stores (
    id uuid PRIMARY KEY,
    name text NOT NULL,
    owner_id uuid NOT NULL,
    city text NOT NULL,
    lat double precision NOT NULL,
    lng double precision NOT NULL,
    delivery_radius_km double precision NOT NULL,
    low_stock_threshold integer NOT NULL,
    timezone text NOT NULL DEFAULT 'UTC',
    opens_at integer NOT NULL DEFAULT 9,
    closes_at integer NOT NULL DEFAULT 18,
    created_at timestamptz NOT NULL,
    version integer NOT NULL
);
ALTER TABLE stores ADD COLUMN IF NOT EXISTS timezone text NOT NULL DEFAULT 'UTC';
ALTER TABLE stores ADD COLUMN IF NOT EXISTS opens_at integer NOT NULL DEFAULT 9;
ALTER TABLE stores ADD COLUMN IF NOT EXISTS closes_at integer NOT NULL DEFAULT 18;
CREATE INDEX IF NOT EXISTS stores_city ON stores (lower(city));

CREATE TABLE IF NOT EXISTS products (
    id uuid PRIMARY KEY,
    store_id uuid NOT NULL,
    title text NOT NULL,
    description text NOT NULL,
    price numeric(12, 2) NOT NULL,
    category text NOT NULL,
    delisted boolean NOT NULL DEFAULT false,
    created_at timestamptz NOT NULL,
    version integer NOT NULL,
    search tsvector GENERATED ALWAYS AS ({SEARCH_VECTOR}) STORED
);
ALTER TABLE products ADD COLUMN IF NOT EXISTS
    search tsvector GENERATED ALWAYS AS ({SEARCH_VECTOR}) STORED;
ALTER TABLE products ADD COLUMN IF NOT EXISTS flash_price numeric(12, 2);
ALTER TABLE products ADD COLUMN IF NOT EXISTS flash_starts_at timestamptz;
ALTER TABLE products ADD COLUMN IF NOT EXISTS flash_ends_at timestamptz;
CREATE INDEX IF NOT EXISTS products_category ON products (category) WHERE NOT delisted;
CREATE INDEX IF NOT EXISTS products_store ON products (store_id) WHERE NOT delisted;
CREATE INDEX IF NOT EXISTS products_search ON products USING gin (search) WHERE NOT delisted;
CREATE INDEX IF NOT EXISTS products_title_trigrams
    ON products USING gin (title {TRIGRAM_SCHEMA}.gin_trgm_ops) WHERE NOT delisted;

CREATE TABLE IF NOT EXISTS stock (
    id uuid PRIMARY KEY,
    store_id uuid NOT NULL,
    product_id uuid NOT NULL,
    on_hand integer NOT NULL,
    reserved integer NOT NULL,
    version integer NOT NULL
);
CREATE UNIQUE INDEX IF NOT EXISTS stock_store_product ON stock (store_id, product_id);

CREATE TABLE IF NOT EXISTS orders (
    id uuid PRIMARY KEY,
    user_id uuid NOT NULL,
    store_id uuid NOT NULL,
    status text NOT NULL,
    total_items integer NOT NULL,
    total_price numeric(12, 2) NOT NULL,
    shortfalls jsonb NOT NULL DEFAULT '[]',
    delivery_address text,
    delivery_slot_start timestamptz,
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL,
    version integer NOT NULL
);
ALTER TABLE orders ADD COLUMN IF NOT EXISTS delivery_address text;
ALTER TABLE orders ADD COLUMN IF NOT EXISTS delivery_slot_start timestamptz;
CREATE INDEX IF NOT EXISTS orders_user ON orders (user_id, created_at DESC);
CREATE INDEX IF NOT EXISTS orders_store ON orders (store_id, created_at DESC);
CREATE INDEX IF NOT EXISTS orders_status ON orders (status, created_at DESC);

CREATE TABLE IF NOT EXISTS order_lines (
    order_id uuid NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
    position integer NOT NULL,
    product_id uuid NOT NULL,
    title text NOT NULL,
    quantity integer NOT NULL,
    unit_price numeric(12, 2) NOT NULL,
    PRIMARY KEY (order_id, position)
);
"""


def migrate(pool: ConnectionPool, schema: str = LIVE_SCHEMA) -> None:
    """Create the read-model tables in `schema` (the live one, or one being rebuilt)."""
    with pool.connection() as conn, conn.transaction():
        conn.execute(sql.SQL("CREATE SCHEMA IF NOT EXISTS {}").format(sql.Identifier(schema)))
        conn.execute(sql.SQL("SET LOCAL search_path TO {}").format(sql.Identifier(schema)))
        conn.execute(DDL)
