"""The in-process runner on real Postgres and a Redis of its own: catch-up, resume, supervision."""

from __future__ import annotations

from collections.abc import Iterator
from uuid import UUID, uuid4

import pytest

from bazaar.wiring import Container
from streams.runner import InProcessRunner
from tests.builders import a_product_in, a_store_in, an_artisan, an_order_for, stock_of
from tests.stacks import (
    RedisServer,
    a_built_stack,
    a_fresh_database,
    a_redis_server,
)
from tests.waiting import poll_until
from write_model.inventory import StockItem

pytestmark = pytest.mark.integration

SQL_PROJECTIONS = ("catalogue", "stock", "orders")


@pytest.fixture(scope="module")
def redis_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RedisServer]:
    with a_redis_server(tmp_path_factory.mktemp("redis")) as server:
        yield server


@pytest.fixture(scope="module")
def container(redis_server: RedisServer) -> Iterator[Container]:
    with a_fresh_database() as url, a_built_stack(url, redis_server.url) as container:
        yield container


@pytest.fixture
def store(container: Container) -> tuple[UUID, UUID]:
    """A store with one product, 100 in stock: (store id, product id)."""
    owner = an_artisan()
    store_id = a_store_in(container.shop, owner)
    product_id = a_product_in(container.shop, store_id, owner)
    stock_of(container.shop, store_id, product_id, owner, 100)
    return store_id, product_id


@pytest.fixture
def running(container: Container) -> Iterator[InProcessRunner]:
    runner = container.runner()
    runner.start()
    yield runner
    runner.stop()


def orders_of_one_mug(container: Container, store: tuple[UUID, UUID], count: int) -> list[UUID]:
    store_id, product_id = store
    return [
        an_order_for(container.shop, store_id, uuid4(), {product_id: 1}).id for _ in range(count)
    ]


def reached_head(container: Container, names: tuple[str, ...] | None = None) -> bool:
    head = container.shop.recorder.max_notification_id() or 0
    chosen = [p for p in container.projections if names is None or p.name in names]
    return all(p.position(container.shop.name) >= head for p in chosen)


def wait_until_caught_up(container: Container, names: tuple[str, ...] | None = None) -> None:
    poll_until(lambda: reached_head(container, names), timeout=20)


def projected_order_ids(container: Container, store_id: UUID) -> list[UUID]:
    with container.pool.connection() as conn:
        rows = conn.execute("SELECT id FROM orders WHERE store_id = %s", (store_id,))
        return [row[0] for row in rows.fetchall()]


def stock_everywhere(container: Container, store: tuple[UUID, UUID]) -> dict[str, int]:
    """Available quantity in the event store, the SQL read model and the Redis cache."""
    store_id, product_id = store
    item = container.shop.repository.get(StockItem.create_id(store_id, product_id))
    with container.pool.connection() as conn:
        row = conn.execute(
            "SELECT on_hand - reserved FROM stock WHERE store_id = %s AND product_id = %s",
            (store_id, product_id),
        ).fetchone()
    cached = container.inventory_cache.store_inventory(store_id)
    return {
        "event store": item.available,
        "sql": row[0] if row else -1,
        "redis": cached[0].quantity if cached else -1,
    }


class TestCatchingUp:
    def test_every_projection_reaches_the_head_of_the_log(
        self, container: Container, store: tuple[UUID, UUID], running: InProcessRunner
    ) -> None:
        placed = orders_of_one_mug(container, store, 5)

        wait_until_caught_up(container)

        assert sorted(projected_order_ids(container, store[0])) == sorted(placed)
        assert set(stock_everywhere(container, store).values()) == {95}


class TestResuming:
    def test_a_new_runner_resumes_where_the_stopped_one_left_off(
        self, container: Container, store: tuple[UUID, UUID]
    ) -> None:
        first = container.runner()
        first.start()
        try:
            before = orders_of_one_mug(container, store, 4)
            wait_until_caught_up(container)
        finally:
            first.stop()
        meanwhile = orders_of_one_mug(container, store, 6)
        assert not reached_head(container)

        second = container.runner()
        second.start()
        try:
            wait_until_caught_up(container)
        finally:
            second.stop()

        projected = projected_order_ids(container, store[0])
        assert sorted(projected) == sorted(before + meanwhile)
        assert set(stock_everywhere(container, store).values()) == {90}


class TestSupervision:
    def test_redis_being_down_holds_up_only_the_redis_views(
        self,
        container: Container,
        store: tuple[UUID, UUID],
        redis_server: RedisServer,
        running: InProcessRunner,
    ) -> None:
        wait_until_caught_up(container)
        redis_server.stop()
        try:
            placed = orders_of_one_mug(container, store, 3)
            wait_until_caught_up(container, SQL_PROJECTIONS)
        finally:
            redis_server.start()

        wait_until_caught_up(container)

        assert set(placed) <= set(projected_order_ids(container, store[0]))
        assert set(stock_everywhere(container, store).values()) == {97}
