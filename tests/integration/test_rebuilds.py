"""Rebuilding and verifying read models on real Postgres while the runner and writers go on."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any
from uuid import UUID, uuid4

import pytest

from bazaar.wiring import Container
from projections.catalogue import CatalogueProjection
from projections.registry import SQL_PROJECTIONS
from read_model import positions
from streams.runner import InProcessRunner
from tests.builders import (
    a_product_in,
    a_store_in,
    an_admin,
    an_artisan,
    an_order_for,
    stock_of,
)
from tests.stacks import a_stack_of_its_own
from write_model.commands import ChangeOrderStatus

pytestmark = pytest.mark.integration
PRODUCTS = 20


@pytest.fixture(scope="module")
def container(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Container]:
    with a_stack_of_its_own(tmp_path_factory.mktemp("redis")) as built:
        yield built


@pytest.fixture(scope="module")
def running(container: Container) -> Iterator[InProcessRunner]:
    runner = container.runner()
    runner.start()
    yield runner
    runner.stop()


@pytest.fixture(scope="module")
def shop_floor(container: Container, running: InProcessRunner) -> tuple[UUID, list[UUID]]:
    """A store with stocked products and a few thousand events of orders, some moved on."""
    owner = an_artisan()
    store_id = a_store_in(container.shop, owner)
    products = [
        a_product_in(container.shop, store_id, owner, title=f"P{n}") for n in range(PRODUCTS)
    ]
    for product_id in products:
        stock_of(container.shop, store_id, product_id, owner, 10_000)
    place_orders(container, store_id, products, 600)
    caught_up(container)
    return store_id, products


def place_orders(container: Container, store_id: UUID, products: list[UUID], count: int) -> None:
    for n in range(count):
        lines = {products[n % PRODUCTS]: 1, products[(n + 7) % PRODUCTS]: 2}
        order = an_order_for(container.shop, store_id, uuid4(), lines)
        if n % 5 == 0:
            cancel = ChangeOrderStatus(order_id=order.id, status="cancelled")
            container.shop.change_order_status(cancel, an_admin())


def caught_up(container: Container) -> None:
    names = [kind.name for kind in SQL_PROJECTIONS]
    head = container.shop.position()
    assert positions.wait_for(container.pool, names, container.shop.name, head, timeout=60)


def rows(container: Container, table: str) -> list[tuple[Any, ...]]:
    with container.pool.connection() as conn:
        return sorted(conn.execute(f"SELECT * FROM {table}").fetchall(), key=str)


class TestVerify:
    def test_finds_no_difference_when_the_live_models_are_right(
        self, container: Container, shop_floor: tuple[UUID, list[UUID]]
    ) -> None:
        rebuilder = container.rebuilder()

        found = {kind.name: rebuilder.verify([kind]) for kind in SQL_PROJECTIONS}

        assert found == {kind.name: {} for kind in SQL_PROJECTIONS}
        assert {"catalogue", "stock", "orders", "analytics", "stock_alerts"} <= set(found)
        assert rebuilder.verify(SQL_PROJECTIONS) == {}

    def test_reports_a_row_changed_behind_the_projections_back(
        self, container: Container, shop_floor: tuple[UUID, list[UUID]]
    ) -> None:
        _store_id, products = shop_floor
        with container.pool.connection() as conn:
            conn.execute(
                "UPDATE stock SET on_hand = on_hand + 1 WHERE product_id = %s", (products[0],)
            )

        found = container.rebuilder().verify(SQL_PROJECTIONS)

        assert list(found) == ["stock"]
        assert len(found["stock"]["extra"]) == len(found["stock"]["missing"]) == 1
        container.rebuilder().rebuild([SQL_PROJECTIONS[1]])


class TestRebuild:
    def test_a_rebuild_gives_tables_identical_to_the_live_ones(
        self, container: Container, shop_floor: tuple[UUID, list[UUID]]
    ) -> None:
        tables = [table for kind in SQL_PROJECTIONS for table in kind.tables]
        before = {table: rows(container, table) for table in tables}

        for kind in SQL_PROJECTIONS:
            container.rebuilder().rebuild([kind])
        alone = {table: rows(container, table) for table in tables}
        together = container.rebuilder().rebuild(SQL_PROJECTIONS)

        assert alone == before
        assert {table: rows(container, table) for table in tables} == before
        assert together.events == container.shop.position()

    def test_a_rebuilt_table_goes_live_analyzed(
        self, container: Container, shop_floor: tuple[UUID, list[UUID]]
    ) -> None:
        container.rebuilder().rebuild([CatalogueProjection])

        with container.pool.connection() as conn:
            row = conn.execute(
                "SELECT last_analyze IS NOT NULL AND last_vacuum IS NOT NULL"
                " FROM pg_stat_user_tables WHERE relid = 'products'::regclass"
            ).fetchone()
        assert row == (True,)

    def test_a_rebuild_while_orders_are_placed_loses_nothing(
        self, container: Container, shop_floor: tuple[UUID, list[UUID]]
    ) -> None:
        store_id, products = shop_floor
        writer = threading.Thread(target=place_orders, args=(container, store_id, products, 300))

        writer.start()
        container.rebuilder().rebuild(SQL_PROJECTIONS[:2])
        for kind in SQL_PROJECTIONS[2:]:
            container.rebuilder().rebuild([kind])
        writer.join()
        caught_up(container)

        assert container.rebuilder().verify(SQL_PROJECTIONS) == {}
        with container.pool.connection() as conn:
            count = conn.execute("SELECT count(*) FROM orders").fetchone()
        assert count == (900,)


class TestInventoryCache:
    def test_a_rebuilt_cache_takes_over_agreeing_with_sql(
        self, container: Container, shop_floor: tuple[UUID, list[UUID]]
    ) -> None:
        store_id, _ = shop_floor
        before = container.inventory_cache.store_inventory(store_id)
        container.redis.delete(f"inv:{store_id}:qty")

        done = container.rebuild_cache()

        assert done.events > 0
        assert container.inventory_cache.store_inventory(store_id) == before
        assert container.rebuilder().verify_cache(container.inventory_cache) == {}

    def test_verify_reports_a_store_whose_cached_listing_drifted(
        self, container: Container, shop_floor: tuple[UUID, list[UUID]]
    ) -> None:
        store_id, products = shop_floor
        container.redis.hincrby(f"inv:{store_id}:qty", str(products[3]), 5)

        found = container.rebuilder().verify_cache(container.inventory_cache)

        assert list(found) == [str(store_id)]
        container.rebuild_cache()
