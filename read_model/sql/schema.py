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
TITLE_WORDS = "regexp_split_to_table(lower({title}), '[^[:alnum:]]+')"
"""The words of a title (or of a query), as search spells them: lower case, letters and digits."""

DDL = f"""
CREATE EXTENSION IF NOT EXISTS pg_trgm WITH SCHEMA {TRIGRAM_SCHEMA};

CREATE TABLE IF NOT EXISTS tracking (
    projection text NOT NULL,
    application text NOT NULL,
    position bigint NOT NULL,
    PRIMARY KEY (projection, application)
);

CREATE TABLE IF NOT EXISTS projection_failures (
    projection text NOT NULL,
    application text NOT NULL,
    position bigint NOT NULL,
    event_position bigint,
    event_topic text,
    error text NOT NULL,
    attempts integer NOT NULL DEFAULT 1,
    first_failed_at timestamptz NOT NULL DEFAULT now(),
    failed_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (projection, application)
);

CREATE TABLE IF NOT EXISTS relay_positions (
    application text PRIMARY KEY,
    position bigint NOT NULL
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
ALTER TABLE stores ADD COLUMN IF NOT EXISTS tax_rate numeric(5, 2);
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
    search tsvector GENERATED ALWAYS AS ({SEARCH_VECTOR}) STORED,
    title_search tsvector GENERATED ALWAYS AS (to_tsvector('english', title)) STORED
);
ALTER TABLE products ADD COLUMN IF NOT EXISTS
    search tsvector GENERATED ALWAYS AS ({SEARCH_VECTOR}) STORED;
-- The title's words alone: search ranks title matches first without filtering `search`.
ALTER TABLE products ADD COLUMN IF NOT EXISTS
    title_search tsvector GENERATED ALWAYS AS (to_tsvector('english', title)) STORED;
ALTER TABLE products ADD COLUMN IF NOT EXISTS flash_price numeric(12, 2);
ALTER TABLE products ADD COLUMN IF NOT EXISTS flash_starts_at timestamptz;
ALTER TABLE products ADD COLUMN IF NOT EXISTS flash_ends_at timestamptz;
CREATE INDEX IF NOT EXISTS products_category ON products (category) WHERE NOT delisted;
CREATE INDEX IF NOT EXISTS products_store ON products (store_id) WHERE NOT delisted;
CREATE INDEX IF NOT EXISTS products_search ON products USING gin (search) WHERE NOT delisted;
CREATE INDEX IF NOT EXISTS products_title_prefix
    ON products (lower(title) text_pattern_ops) WHERE NOT delisted;
CREATE INDEX IF NOT EXISTS products_title_trigrams
    ON products USING gin (title {TRIGRAM_SCHEMA}.gin_trgm_ops) WHERE NOT delisted;

CREATE TABLE IF NOT EXISTS title_words (word text PRIMARY KEY);
CREATE INDEX IF NOT EXISTS title_words_trigrams
    ON title_words USING gin (word {TRIGRAM_SCHEMA}.gin_trgm_ops);
INSERT INTO title_words SELECT DISTINCT word FROM products, {TITLE_WORDS.format(title="title")}
    AS word WHERE word <> '' AND NOT EXISTS (SELECT FROM title_words) ON CONFLICT DO NOTHING;

CREATE TABLE IF NOT EXISTS stock (
    id uuid PRIMARY KEY,
    store_id uuid NOT NULL,
    product_id uuid NOT NULL,
    on_hand integer NOT NULL,
    reserved integer NOT NULL,
    version integer NOT NULL
);
CREATE UNIQUE INDEX IF NOT EXISTS stock_store_product ON stock (store_id, product_id);
CREATE INDEX IF NOT EXISTS stock_product ON stock (product_id);
-- What a store's listing shows of each product, on its stock row: a page is read in the
-- listing's order from one index, where joining the products table sorted every line.
-- `stock_products` holds the same per product, for the rows opened after its listing.
ALTER TABLE stock ADD COLUMN IF NOT EXISTS title text;
ALTER TABLE stock ADD COLUMN IF NOT EXISTS price numeric(12, 2);
ALTER TABLE stock ADD COLUMN IF NOT EXISTS category text;
ALTER TABLE stock ADD COLUMN IF NOT EXISTS listed boolean NOT NULL DEFAULT false;
CREATE INDEX IF NOT EXISTS stock_listing ON stock (store_id, lower(title), product_id)
    WHERE listed;
CREATE TABLE IF NOT EXISTS stock_products (
    id uuid PRIMARY KEY,
    title text NOT NULL,
    price numeric(12, 2) NOT NULL,
    category text NOT NULL,
    listed boolean NOT NULL,
    version integer NOT NULL
);
-- Stock written before the listing was on its rows: filled once from the catalogue (only
-- while `stock_products` is empty, so later migrations touch no row).
WITH copied AS (
    INSERT INTO stock_products SELECT id, title, price, category, NOT delisted, version
        FROM products WHERE NOT EXISTS (SELECT FROM stock_products) RETURNING *
)
UPDATE stock s SET title = p.title, price = p.price, category = p.category, listed = p.listed
    FROM copied p WHERE p.id = s.product_id;

CREATE TABLE IF NOT EXISTS reservations (
    id uuid PRIMARY KEY,
    user_id uuid NOT NULL,
    store_id uuid NOT NULL,
    status text NOT NULL,
    total_price numeric(12, 2) NOT NULL,
    order_id uuid,
    expires_at timestamptz NOT NULL,
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL,
    version integer NOT NULL
);
CREATE INDEX IF NOT EXISTS reservations_store ON reservations (store_id, created_at);

CREATE TABLE IF NOT EXISTS returns (
    id uuid PRIMARY KEY,
    order_id uuid NOT NULL,
    store_id uuid NOT NULL,
    user_id uuid NOT NULL,
    status text NOT NULL,
    reason text NOT NULL,
    refusal text,
    refund_amount numeric(12, 2) NOT NULL,
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL,
    version integer NOT NULL
);
CREATE INDEX IF NOT EXISTS returns_order ON returns (order_id, created_at);
CREATE INDEX IF NOT EXISTS returns_store ON returns (store_id, created_at DESC);

CREATE TABLE IF NOT EXISTS return_lines (
    return_id uuid NOT NULL REFERENCES returns (id) ON DELETE CASCADE,
    position integer NOT NULL,
    product_id uuid NOT NULL,
    title text NOT NULL,
    quantity integer NOT NULL,
    unit_price numeric(12, 2) NOT NULL,
    PRIMARY KEY (return_id, position)
);

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

CREATE TABLE IF NOT EXISTS stock_alerts (
    id uuid PRIMARY KEY,
    store_id uuid NOT NULL,
    product_id uuid NOT NULL,
    available integer NOT NULL,
    threshold integer NOT NULL,
    opened_at timestamptz NOT NULL,
    resolved_at timestamptz
);
CREATE UNIQUE INDEX IF NOT EXISTS stock_alerts_open ON stock_alerts (store_id, product_id)
    WHERE resolved_at IS NULL;
CREATE INDEX IF NOT EXISTS stock_alerts_product ON stock_alerts (store_id, product_id, opened_at);

CREATE TABLE IF NOT EXISTS alert_levels (
    item_id uuid PRIMARY KEY,
    store_id uuid NOT NULL,
    product_id uuid NOT NULL,
    available integer NOT NULL,
    version integer NOT NULL
);

CREATE TABLE IF NOT EXISTS alert_thresholds (
    store_id uuid PRIMARY KEY,
    threshold integer NOT NULL
);

CREATE TABLE IF NOT EXISTS saga_jobs (
    id bigserial PRIMARY KEY,
    saga text NOT NULL,
    key text NOT NULL,
    payload jsonb NOT NULL,
    status text NOT NULL DEFAULT 'pending',
    attempts integer NOT NULL DEFAULT 0,
    next_attempt_at timestamptz NOT NULL DEFAULT now(),
    last_error text,
    outcome text,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (saga, key)
);
CREATE INDEX IF NOT EXISTS saga_jobs_due ON saga_jobs (next_attempt_at)
    WHERE status IN ('pending', 'running');

CREATE TABLE IF NOT EXISTS sent_emails (
    message_id text PRIMARY KEY,
    recipient text NOT NULL,
    subject text NOT NULL,
    body text NOT NULL,
    transport text NOT NULL,
    sent_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE IF NOT EXISTS invoices (
    order_id uuid PRIMARY KEY,
    pdf bytea NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);

ALTER TABLE invoices ADD COLUMN IF NOT EXISTS store_id uuid;
ALTER TABLE invoices ADD COLUMN IF NOT EXISTS number integer;
CREATE UNIQUE INDEX IF NOT EXISTS invoices_number ON invoices (store_id, number);

CREATE TABLE IF NOT EXISTS invoice_numbers (
    store_id uuid PRIMARY KEY,
    last integer NOT NULL
);

CREATE TABLE IF NOT EXISTS credit_notes (
    return_id uuid PRIMARY KEY,
    pdf bytea NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);

ALTER TABLE credit_notes ADD COLUMN IF NOT EXISTS store_id uuid;
ALTER TABLE credit_notes ADD COLUMN IF NOT EXISTS number integer;
CREATE UNIQUE INDEX IF NOT EXISTS credit_notes_number ON credit_notes (store_id, number);

CREATE TABLE IF NOT EXISTS credit_note_numbers (
    store_id uuid PRIMARY KEY,
    last integer NOT NULL
);

CREATE TABLE IF NOT EXISTS cancellation_credit_notes (
    order_id uuid PRIMARY KEY,
    store_id uuid NOT NULL,
    number integer NOT NULL,
    pdf bytea NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX IF NOT EXISTS cancellation_credit_notes_number
    ON cancellation_credit_notes (store_id, number);

CREATE TABLE IF NOT EXISTS analytics_orders (
    id uuid PRIMARY KEY,
    store_id uuid NOT NULL,
    status text NOT NULL,
    sold_on date,
    version integer NOT NULL
);

CREATE TABLE IF NOT EXISTS analytics_order_lines (
    order_id uuid NOT NULL,
    product_id uuid NOT NULL,
    quantity integer NOT NULL,
    unit_price numeric(12, 2) NOT NULL,
    PRIMARY KEY (order_id, product_id)
);

CREATE TABLE IF NOT EXISTS sales_daily (
    store_id uuid NOT NULL,
    day date NOT NULL,
    orders integer NOT NULL DEFAULT 0,
    units integer NOT NULL DEFAULT 0,
    revenue numeric(14, 2) NOT NULL DEFAULT 0,
    cancelled_orders integer NOT NULL DEFAULT 0,
    cancelled_units integer NOT NULL DEFAULT 0,
    cancelled_value numeric(14, 2) NOT NULL DEFAULT 0,
    completed_orders integer NOT NULL DEFAULT 0,
    PRIMARY KEY (store_id, day)
);
ALTER TABLE sales_daily ADD COLUMN IF NOT EXISTS refunded numeric(14, 2) NOT NULL DEFAULT 0;
ALTER TABLE sales_daily ADD COLUMN IF NOT EXISTS returned_units integer NOT NULL DEFAULT 0;
CREATE INDEX IF NOT EXISTS sales_daily_day ON sales_daily (day);

CREATE TABLE IF NOT EXISTS product_sales_daily (
    store_id uuid NOT NULL,
    day date NOT NULL,
    product_id uuid NOT NULL,
    units integer NOT NULL,
    revenue numeric(14, 2) NOT NULL,
    PRIMARY KEY (store_id, day, product_id)
);
ALTER TABLE product_sales_daily ADD COLUMN IF NOT EXISTS returned_units integer NOT NULL DEFAULT 0;
CREATE INDEX IF NOT EXISTS product_sales_daily_day ON product_sales_daily (day);

CREATE TABLE IF NOT EXISTS analytics_returns (
    id uuid PRIMARY KEY,
    store_id uuid NOT NULL,
    received boolean NOT NULL DEFAULT false
);

CREATE TABLE IF NOT EXISTS analytics_return_lines (
    return_id uuid NOT NULL,
    product_id uuid NOT NULL,
    quantity integer NOT NULL,
    unit_price numeric(12, 2) NOT NULL,
    PRIMARY KEY (return_id, product_id)
);

CREATE TABLE IF NOT EXISTS lost_demand_daily (
    store_id uuid NOT NULL,
    day date NOT NULL,
    product_id uuid NOT NULL,
    orders integer NOT NULL,
    units integer NOT NULL,
    shortfall integer NOT NULL,
    value numeric(14, 2) NOT NULL,
    PRIMARY KEY (store_id, day, product_id)
);

CREATE TABLE IF NOT EXISTS stock_turnover (
    item_id uuid PRIMARY KEY,
    store_id uuid NOT NULL,
    product_id uuid NOT NULL,
    on_hand integer NOT NULL,
    shipped integer NOT NULL,
    opened_at timestamptz NOT NULL,
    changed_at timestamptz NOT NULL,
    unit_seconds numeric NOT NULL,
    version integer NOT NULL
);
CREATE INDEX IF NOT EXISTS stock_turnover_store ON stock_turnover (store_id);

CREATE TABLE IF NOT EXISTS cards (
    id uuid PRIMARY KEY,
    user_id uuid NOT NULL,
    color text NOT NULL,
    status text NOT NULL,
    provider_card_id text,
    last4 text,
    expiration_date date,
    failure_reason text,
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL,
    version integer NOT NULL
);
CREATE INDEX IF NOT EXISTS cards_user ON cards (user_id, created_at);
"""


def migrate(pool: ConnectionPool, schema: str = LIVE_SCHEMA) -> None:
    """Create the read-model tables in `schema` (the live one, or one being rebuilt)."""
    with pool.connection() as conn, conn.transaction():
        conn.execute(sql.SQL("CREATE SCHEMA IF NOT EXISTS {}").format(sql.Identifier(schema)))
        conn.execute(sql.SQL("SET LOCAL search_path TO {}").format(sql.Identifier(schema)))
        conn.execute(DDL)
