"""The Redis query cache on a real Redis: hits, invalidation, and reads racing the projection.

SQL is stood in for by a fake that answers with a position and a value, and can let the
projection apply a batch while "reading" (the race a real reader meets between its SQL
query and its store). Every test has a key prefix of its own.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any, Generic, TypeVar
from uuid import UUID, uuid4

import pytest
import redis
from eventsourcing.persistence import Tracking
from redis.backoff import NoBackoff
from redis.retry import Retry

from projections.query_cache import QueryCacheProjection
from read_model.paging import Page, PageRequest
from read_model.redis.cache import PAUSE_SECONDS, Cached, QueryCache
from read_model.sql.catalogue import ProductFilter, ProductView
from read_model.sql.orders import OrderView
from tests.builders import (
    a_product_in,
    a_shop,
    a_store_in,
    an_artisan,
    an_order_for,
    stock_of,
)
from tests.stacks import free_port
from write_model.commands import ChangeOrderStatus, ReviseProduct
from write_model.shop import Shop

pytestmark = pytest.mark.integration

T = TypeVar("T")
EVERYTHING = ProductFilter()
FIRST = PageRequest()


@dataclass
class FakeSql(Generic[T]):
    """Stands in for a SQL read model: its position, its answer, how often it was asked, and
    what happens elsewhere while it answers."""

    position: int
    value: T
    meanwhile: Callable[[], None] = lambda: None
    asked: int = field(default=0)

    def __call__(self) -> tuple[int, T]:
        self.asked += 1
        self.meanwhile()
        return self.position, self.value


@pytest.fixture
def client(redis_url: str) -> Iterator[redis.Redis]:
    with redis.Redis.from_url(redis_url) as connected:
        yield connected


@pytest.fixture
def cache(client: redis.Redis) -> QueryCache:
    return QueryCache(client, application="shop", prefix=f"qc_{uuid.uuid4().hex[:12]}")


def a_batch(
    cache: QueryCache, position: int, products: bool = False, orders: tuple[OrderView, ...] = ()
) -> None:
    """The projection applying a batch that ends at `position`."""
    with cache.session(Tracking("shop", position)) as batch:
        if products:
            cache.products_changed(batch)
        for order in orders:
            cache.order_changed(batch, order.id, order.version)


def a_page(*titles: str) -> Page[ProductView]:
    now = datetime.now(UTC)
    products = [
        ProductView(uuid4(), uuid4(), title, "", Decimal("10.00"), "pottery", now)
        for title in titles
    ]
    return Page(len(products), 1, 20, products)


def an_order(version: int, status: str = "confirmed", order_id: UUID | None = None) -> OrderView:
    now = datetime.now(UTC)
    return OrderView(
        id=order_id or uuid4(),
        user_id=uuid4(),
        store_id=uuid4(),
        status=status,
        total_items=1,
        total_price=Decimal("10.00"),
        created_at=now,
        updated_at=now,
        version=version,
    )


def read_page(
    cache: QueryCache, sql: FakeSql[Page[ProductView]], target: int | None = None
) -> Cached[Page[ProductView]]:
    """The first page of every product, through the cache."""
    return cache.product_page(EVERYTHING, FIRST, target, sql)


class TestProductPages:
    def test_a_read_after_a_miss_hits(self, cache: QueryCache) -> None:
        a_batch(cache, 10, products=True)
        sql = FakeSql(10, a_page("Mug"))

        first, second = read_page(cache, sql), read_page(cache, sql)

        assert (first.hit, second.hit, sql.asked) == (False, True, 1)
        assert second.value == sql.value

    def test_other_filters_are_other_pages(self, cache: QueryCache) -> None:
        a_batch(cache, 10, products=True)
        read_page(cache, FakeSql(10, a_page("Mug")))
        bowls = FakeSql(10, a_page("Bowl"))

        found = cache.product_page(ProductFilter(category="bowls"), FIRST, None, bowls)

        assert (found.hit, found.value) == (False, bowls.value)

    def test_a_product_change_makes_the_next_read_miss(self, cache: QueryCache) -> None:
        a_batch(cache, 10, products=True)
        read_page(cache, FakeSql(10, a_page("Mug")))

        a_batch(cache, 11, products=True)
        found = read_page(cache, FakeSql(11, a_page("Mug", "Bowl")))

        assert not found.hit and len(found.value.results) == 2

    def test_a_batch_without_product_changes_keeps_the_pages(self, cache: QueryCache) -> None:
        a_batch(cache, 10, products=True)
        read_page(cache, FakeSql(10, a_page("Mug")))

        a_batch(cache, 11, orders=(an_order(1),))

        assert read_page(cache, FakeSql(11, a_page("Other"))).hit

    def test_a_page_from_sql_behind_the_last_change_is_not_kept(self, cache: QueryCache) -> None:
        a_batch(cache, 10, products=True)
        read_page(cache, FakeSql(9, a_page("Old mug")))

        found = read_page(cache, FakeSql(10, a_page("Mug")))

        assert (found.hit, found.value.results[0].title) == (False, "Mug")

    def test_a_page_read_before_a_change_landed_is_not_served_after_it(
        self, cache: QueryCache
    ) -> None:
        a_batch(cache, 10, products=True)
        racing = FakeSql(10, a_page("Old mug"), meanwhile=lambda: a_batch(cache, 11, True))
        read_page(cache, racing)

        found = read_page(cache, FakeSql(11, a_page("Mug")))

        assert (found.hit, found.value.results[0].title) == (False, "Mug")

    def test_a_redelivered_older_change_keeps_the_pages(self, cache: QueryCache) -> None:
        a_batch(cache, 10, products=True)
        read_page(cache, FakeSql(10, a_page("Mug")))

        a_batch(cache, 8, products=True)

        assert read_page(cache, FakeSql(10, a_page("Other"))).hit

    def test_a_hit_waits_for_the_position_to_reach_the_target(self, cache: QueryCache) -> None:
        a_batch(cache, 10, products=True)
        read_page(cache, FakeSql(10, a_page("Mug")))
        sql = FakeSql(12, a_page("Mug", "Bowl"))

        found = read_page(cache, sql, target=12)

        assert (found.hit, sql.asked) == (False, 1)

    def test_a_hit_answers_a_target_the_position_reached(self, cache: QueryCache) -> None:
        a_batch(cache, 10, products=True)
        read_page(cache, FakeSql(10, a_page("Mug")))
        a_batch(cache, 12)

        assert read_page(cache, FakeSql(12, a_page("Other")), target=12).hit

    def test_nothing_is_kept_before_the_projection_has_a_position(self, cache: QueryCache) -> None:
        read_page(cache, FakeSql(10, a_page("Mug")))

        assert not read_page(cache, FakeSql(10, a_page("Mug"))).hit

    def test_after_a_flush_every_change_up_to_the_position_counts(
        self, cache: QueryCache, client: redis.Redis
    ) -> None:
        a_batch(cache, 10, products=True)
        client.delete(f"{cache.prefix}:products:changed")
        read_page(cache, FakeSql(9, a_page("Old mug")))

        assert not read_page(cache, FakeSql(10, a_page("Mug"))).hit


class TestOrders:
    def test_a_read_after_a_miss_hits(self, cache: QueryCache) -> None:
        order = an_order(2)
        a_batch(cache, 10, orders=(order,))
        sql = FakeSql(10, order)

        first, second = cache.order(order.id, None, sql), cache.order(order.id, None, sql)

        assert (first.hit, second.hit, sql.asked) == (False, True, 1)
        assert second.value == order

    def test_an_order_event_makes_the_next_read_miss(self, cache: QueryCache) -> None:
        order = an_order(2)
        a_batch(cache, 10, orders=(order,))
        cache.order(order.id, None, FakeSql(10, order))
        shipped = an_order(3, "shipped", order.id)

        a_batch(cache, 11, orders=(shipped,))
        found = cache.order(order.id, None, FakeSql(11, shipped))

        assert (found.hit, found.value) == (False, shipped)

    def test_a_redelivered_older_event_keeps_the_cached_view(self, cache: QueryCache) -> None:
        order = an_order(3)
        a_batch(cache, 10, orders=(order,))
        cache.order(order.id, None, FakeSql(10, order))

        a_batch(cache, 11, orders=(an_order(2, order_id=order.id),))

        assert cache.order(order.id, None, FakeSql(11, order)).hit

    def test_a_view_older_than_the_projection_has_seen_is_not_kept(self, cache: QueryCache) -> None:
        order = an_order(3, "shipped")
        a_batch(cache, 10, orders=(order,))
        cache.order(order.id, None, FakeSql(10, an_order(2, order_id=order.id)))

        found = cache.order(order.id, None, FakeSql(10, order))

        assert (found.hit, found.value) == (False, order)

    def test_a_view_read_before_an_event_landed_is_not_served_after_it(
        self, cache: QueryCache
    ) -> None:
        order = an_order(2)
        shipped = an_order(3, "shipped", order.id)
        a_batch(cache, 10, orders=(order,))
        racing = FakeSql(10, order, meanwhile=lambda: a_batch(cache, 11, orders=(shipped,)))
        cache.order(order.id, None, racing)

        found = cache.order(order.id, None, FakeSql(11, shipped))

        assert (found.hit, found.value.status if found.value else None) == (False, "shipped")

    def test_without_a_floor_a_view_from_sql_behind_the_cache_is_not_kept(
        self, cache: QueryCache
    ) -> None:
        order = an_order(2)
        a_batch(cache, 10)
        cache.order(order.id, None, FakeSql(9, order))

        assert not cache.order(order.id, None, FakeSql(10, order)).hit

    def test_without_a_floor_a_view_from_sql_level_with_the_cache_is_kept(
        self, cache: QueryCache
    ) -> None:
        order = an_order(2)
        a_batch(cache, 10)
        cache.order(order.id, None, FakeSql(10, order))

        assert cache.order(order.id, None, FakeSql(10, order)).hit

    def test_a_hit_waits_for_the_position_to_reach_the_target(self, cache: QueryCache) -> None:
        order = an_order(2)
        a_batch(cache, 10, orders=(order,))
        cache.order(order.id, None, FakeSql(10, order))
        sql = FakeSql(11, order)

        found = cache.order(order.id, 11, sql)

        assert (found.hit, sql.asked) == (False, 1)

    def test_an_unknown_order_is_not_kept(self, cache: QueryCache) -> None:
        a_batch(cache, 10)
        missing = FakeSql[OrderView | None](10, None)

        cache.order(uuid4(), None, missing)
        found = cache.order(uuid4(), None, missing)

        assert (found.hit, found.value, missing.asked) == (False, None, 2)


class CountingRedis(redis.Redis):
    """A real client, at a port nobody serves, that counts the commands it tries to send."""

    sent = 0

    def execute_command(self, *args: Any, **options: Any) -> Any:
        self.sent += 1
        return super().execute_command(*args, **options)


class TestRedisDown:
    @pytest.fixture
    def nobody(self) -> Iterator[CountingRedis]:
        client = CountingRedis(port=free_port(), retry=Retry(NoBackoff(), 0))
        yield client
        client.close()

    @pytest.fixture
    def clock(self) -> list[float]:
        return [1000.0]

    @pytest.fixture
    def cache(self, nobody: CountingRedis, clock: list[float]) -> QueryCache:
        return QueryCache(nobody, application="shop", clock=lambda: clock[0])

    def test_a_product_page_is_read_from_sql(self, cache: QueryCache) -> None:
        sql = FakeSql(10, a_page("Mug"))

        found = read_page(cache, sql, target=10)

        assert (found.hit, found.value, sql.asked) == (False, sql.value, 1)

    def test_an_order_is_read_from_sql(self, cache: QueryCache) -> None:
        order = an_order(2)

        found = cache.order(order.id, None, FakeSql(10, order))

        assert (found.hit, found.value) == (False, order)

    def test_after_a_failure_queries_leave_redis_alone_for_a_while(
        self, cache: QueryCache, nobody: CountingRedis
    ) -> None:
        read_page(cache, FakeSql(10, a_page("Mug")))
        tried = nobody.sent

        found = read_page(cache, FakeSql(10, a_page("Mug")))

        assert (found.hit, nobody.sent) == (False, tried)

    def test_queries_try_redis_again_after_the_pause(
        self, cache: QueryCache, nobody: CountingRedis, clock: list[float]
    ) -> None:
        read_page(cache, FakeSql(10, a_page("Mug")))
        tried = nobody.sent

        clock[0] += PAUSE_SECONDS
        read_page(cache, FakeSql(10, a_page("Mug")))

        assert nobody.sent > tried

    def test_the_projection_fails_so_the_runner_retries_it(self, cache: QueryCache) -> None:
        with pytest.raises(redis.ConnectionError):
            a_batch(cache, 10, products=True)


class TestTheProjection:
    """Events of an in-memory shop, applied by the projection to the real Redis."""

    @pytest.fixture
    def shop(self) -> Shop:
        return a_shop()

    @pytest.fixture
    def projection(self, cache: QueryCache) -> QueryCacheProjection:
        return QueryCacheProjection(cache)

    def test_a_product_event_makes_cached_pages_miss(
        self, cache: QueryCache, shop: Shop, projection: QueryCacheProjection
    ) -> None:
        owner = an_artisan()
        mug = a_product_in(shop, a_store_in(shop, owner), owner)
        project(shop, projection)
        read_page(cache, FakeSql(head(shop), a_page("Mug")))

        shop.revise_product(ReviseProduct(product_id=mug, title="Big mug"), owner)
        project(shop, projection)

        assert not read_page(cache, FakeSql(head(shop), a_page("Big mug"))).hit

    def test_a_stock_event_keeps_cached_pages(
        self, cache: QueryCache, shop: Shop, projection: QueryCacheProjection
    ) -> None:
        owner = an_artisan()
        store_id = a_store_in(shop, owner)
        mug = a_product_in(shop, store_id, owner)
        project(shop, projection)
        read_page(cache, FakeSql(head(shop), a_page("Mug")))

        stock_of(shop, store_id, mug, owner, 5)
        project(shop, projection)

        assert read_page(cache, FakeSql(head(shop), a_page("Mug"))).hit

    def test_an_order_event_makes_the_cached_order_miss(
        self, cache: QueryCache, shop: Shop, projection: QueryCacheProjection
    ) -> None:
        owner = an_artisan()
        store_id = a_store_in(shop, owner)
        mug = a_product_in(shop, store_id, owner)
        stock_of(shop, store_id, mug, owner, 5)
        order = an_order_for(shop, store_id, uuid4(), {mug: 1})
        project(shop, projection)
        cache.order(order.id, None, FakeSql(head(shop), an_order(order.version, order_id=order.id)))

        shop.change_order_status(ChangeOrderStatus(order_id=order.id, status="processing"), owner)
        project(shop, projection)

        assert not cache.order(order.id, None, FakeSql(head(shop), an_order(2))).hit


def head(shop: Shop) -> int:
    return shop.recorder.max_notification_id() or 0


def project(shop: Shop, projection: QueryCacheProjection) -> None:
    """Apply every event of the projection's topics after its position, in one batch."""
    start = projection.position(shop.name) + 1
    notifications = shop.recorder.select_notifications(
        start=start, limit=10_000, topics=projection.topics
    )
    with projection.session(Tracking(shop.name, head(shop))) as batch:
        for notification in notifications:
            projection.apply(shop.mapper.to_domain_event(notification), batch)
