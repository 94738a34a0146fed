"""The SQL inventory listing: read in order from its own index, and filled in on upgrade."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from psycopg import Connection, sql

from bazaar.wiring import Container
from read_model.sql.inventory import LINES, InventoryLine
from read_model.sql.rows import columns
from read_model.sql.schema import migrate

pytestmark = pytest.mark.integration


@pytest.fixture
def schema(container: Container) -> Iterator[str]:
    """A read-model schema of its own, dropped afterwards."""
    name = f"listing_{uuid.uuid4().hex[:8]}"
    migrate(container.pool, name)
    yield name
    with container.pool.connection() as conn:
        conn.execute(sql.SQL("DROP SCHEMA {} CASCADE").format(sql.Identifier(name)))


def in_schema(conn: Connection[Any], schema: str) -> None:
    """For the rest of the transaction."""
    conn.execute(sql.SQL("SET LOCAL search_path TO {}").format(sql.Identifier(schema)))


def test_a_page_of_a_large_store_is_read_in_order_from_the_listing_index(
    container: Container, schema: str
) -> None:
    store = uuid.uuid4()
    with container.pool.connection() as conn, conn.transaction():
        in_schema(conn, schema)
        conn.execute(
            "INSERT INTO stock SELECT gen_random_uuid(), %s, gen_random_uuid(), 5, 0, 1,"
            " 'Mug ' || n, 9.50, 'pottery', true FROM generate_series(1, 5000) n",
            [store],
        )
        conn.execute("ANALYZE stock")
        plan = conn.execute(
            f"EXPLAIN SELECT {columns(InventoryLine)} {LINES}"
            " ORDER BY lower(title), product_id LIMIT 20",
            {"store": store},
        ).fetchall()

    shown = "\n".join(row[0] for row in plan)
    assert "stock_listing" in shown
    assert "Sort" not in shown


def test_stock_written_before_its_listing_columns_is_filled_from_the_catalogue(
    container: Container, schema: str
) -> None:
    store, product, delisted = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    with container.pool.connection() as conn, conn.transaction():
        in_schema(conn, schema)
        for pid, title, gone in ((product, "Jug", False), (delisted, "Vase", True)):
            conn.execute(
                "INSERT INTO products (id, store_id, title, description, price, category,"
                " delisted, created_at, version) VALUES (%s, %s, %s, '', 12.00, 'pottery', %s,"
                " now(), 2)",
                [pid, store, title, gone],
            )
            conn.execute(
                "INSERT INTO stock (id, store_id, product_id, on_hand, reserved, version)"
                " VALUES (gen_random_uuid(), %s, %s, 3, 1, 2)",
                [store, pid],
            )
        conn.execute("DELETE FROM stock_products")
        conn.execute("UPDATE stock SET title = NULL, price = NULL, category = NULL")

    migrate(container.pool, schema)

    with container.pool.connection() as conn, conn.transaction():
        in_schema(conn, schema)
        lines = conn.execute(
            f"SELECT {columns(InventoryLine)} {LINES} ORDER BY lower(title)", {"store": store}
        ).fetchall()
    assert [(title, quantity) for _, title, _, _, quantity in lines] == [("Jug", 2)]
