"""Projections driven by hand on real Postgres and Redis: redelivery, disorder, ignored batches.

The module has a database and a Redis server of its own, so no runner moves its positions.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID, uuid4

import pytest
import redis
from eventsourcing.persistence import Tracking
from psycopg import Cursor
from psycopg.abc import Params, Query

from bazaar.wiring import Container
from projections.base import Projection, SqlProjection
from projections.sagas.base import Saga, SagaProjection
from projections.subscriptions import RedisSubscription, SqlSubscription
from read_model.paging import PageRequest
from read_model.sql.catalogue import get_store
from read_model.sql.inventory import store_inventory
from tests.builders import (
    a_product_in,
    a_store_in,
    an_admin,
    an_artisan,
    an_old_store_registration,
    an_order_for,
    an_order_request,
    stock_of,
)
from tests.stacks import a_stack_of_its_own
from write_model.commands import (
    Actor,
    ChangeOrderStatus,
    ReviseProduct,
    ScheduleDelivery,
    SetFlashSale,
)
from write_model.inventory import StockItem
from write_model.orders import InsufficientStockError, Order
from write_model.shop import Shop

pytestmark = pytest.mark.integration

Delivery = list[tuple[int, Any]]
SQL_VIEWS = {
    "catalogue": "SELECT id, title, price, category, delisted, version, flash_price,"
    " flash_starts_at, flash_ends_at FROM products WHERE store_id = %s ORDER BY id",
    "stock": "SELECT id, product_id, on_hand, reserved, version FROM stock"
    " WHERE store_id = %s ORDER BY id",
    "orders": "SELECT o.id, o.status, o.total_items, o.total_price, o.shortfalls, o.version,"
    " o.delivery_address, o.delivery_slot_start,"
    " l.position, l.product_id, l.quantity, l.unit_price FROM orders o"
    " LEFT JOIN order_lines l ON l.order_id = o.id WHERE o.store_id = %s"
    " ORDER BY o.id, l.position",
    "analytics": "WITH s AS (SELECT %s::uuid AS id) SELECT"
    " (SELECT array_agg(a::text ORDER BY a.id) FROM analytics_orders a, s WHERE a.store_id = s.id),"
    " (SELECT array_agg(l::text ORDER BY l.order_id, l.product_id) FROM analytics_order_lines l"
    " JOIN analytics_orders a ON a.id = l.order_id, s WHERE a.store_id = s.id),"
    " (SELECT array_agg(d::text ORDER BY d.day) FROM sales_daily d, s WHERE d.store_id = s.id),"
    " (SELECT array_agg(p::text ORDER BY p.day, p.product_id) FROM product_sales_daily p, s"
    " WHERE p.store_id = s.id),"
    " (SELECT array_agg(x::text ORDER BY x.day, x.product_id) FROM lost_demand_daily x, s"
    " WHERE x.store_id = s.id),"
    " (SELECT array_agg(t::text ORDER BY t.item_id) FROM stock_turnover t, s"
    " WHERE t.store_id = s.id)",
    "stock_alerts": "SELECT 'alert', id::text, product_id::text, available::text,"
    " threshold::text, opened_at::text, resolved_at::text FROM stock_alerts WHERE store_id = %s"
    " UNION ALL SELECT 'level', item_id::text, product_id::text, available::text,"
    " version::text, NULL, NULL FROM alert_levels WHERE store_id = %s"
    " UNION ALL SELECT 'job', key, payload::text, NULL, NULL, NULL, NULL FROM saga_jobs"
    " WHERE saga = 'low_stock_email' AND payload->>'store_id' = %s::text ORDER BY 1, 2",
}
FORGET = {
    "stock": ["DELETE FROM stock WHERE store_id = %(store)s"],
    "orders": ["DELETE FROM orders WHERE store_id = %(store)s"],
    "analytics": [
        "DELETE FROM analytics_order_lines WHERE order_id IN"
        " (SELECT id FROM analytics_orders WHERE store_id = %(store)s)",
        *(
            f"DELETE FROM {table} WHERE store_id = %(store)s"
            for table in (
                "analytics_orders",
                "sales_daily",
                "product_sales_daily",
                "lost_demand_daily",
                "stock_turnover",
            )
        ),
    ],
    "stock_alerts": [
        "DELETE FROM stock_alerts WHERE store_id = %(store)s",
        "DELETE FROM alert_levels WHERE store_id = %(store)s",
        "DELETE FROM saga_jobs WHERE saga = 'low_stock_email'"
        " AND payload->>'store_id' = %(store)s::text",
    ],
}


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Container]:
    with a_stack_of_its_own(tmp_path_factory.mktemp("redis")) as container:
        yield container


@pytest.fixture
def shop(stack: Container) -> Shop:
    return stack.shop


@pytest.fixture
def projections(stack: Container) -> dict[str, Projection]:
    return {p.name: p for p in stack.projections}


@dataclass(frozen=True)
class BusyStore:
    """A store with some history, and the log position just before it began."""

    store_id: UUID
    product_ids: tuple[UUID, ...]
    since: int


def a_busy_store(shop: Shop) -> BusyStore:
    """Stock received, a price revised, orders confirmed, booked for delivery twice, shipped,
    cancelled and rejected; stock low, restocked and low again; a product delisted, one put
    on sale, one on sale then not."""
    since = shop.recorder.max_notification_id() or 0
    owner, admin = an_artisan(), an_admin()
    store_id = a_store_in(shop, owner)
    mug = a_product_in(shop, store_id, owner, price="10.00", title="Mug")
    bowl = a_product_in(shop, store_id, owner, price="5.00", title="Bowl")
    vase = a_product_in(shop, store_id, owner, price="30.00", title="Vase")
    for product_id, quantity in ((mug, 5), (bowl, 4), (vase, 2)):
        stock_of(shop, store_id, product_id, owner, quantity)
    shop.revise_product(ReviseProduct(product_id=bowl, price=Decimal("6.00")), owner)
    booked = an_order_for(shop, store_id, uuid4(), {mug: 2, bowl: 1})
    for address in ("1 Rua Augusta", "2 Rua Augusta"):
        shop.schedule_delivery(a_booking(booked.id, address), owner, now=datetime.now(UTC))
    shipped = an_order_for(shop, store_id, uuid4(), {mug: 1})
    for status in ("processing", "shipped"):
        shop.change_order_status(ChangeOrderStatus(order_id=shipped.id, status=status), owner)
    cancelled = an_order_for(shop, store_id, uuid4(), {bowl: 2})
    shop.change_order_status(ChangeOrderStatus(order_id=cancelled.id, status="cancelled"), admin)
    stock_of(shop, store_id, bowl, owner, 5)  # resolves the bowl's low-stock alert...
    stock_of(shop, store_id, bowl, owner, -6)  # ...low again within the hour: no new alert
    with pytest.raises(InsufficientStockError):
        shop.place_order(an_order_request(store_id, uuid4(), {vase: 3}))
    shop.delist_product(vase, owner)
    now = datetime.now(UTC)
    for product_id in (mug, bowl):
        shop.set_flash_sale(a_sale(product_id, now), owner, now)
    shop.cancel_flash_sale(bowl, owner, now)
    return BusyStore(store_id, (mug, bowl, vase), since)


def a_sale(product_id: UUID, now: datetime) -> SetFlashSale:
    """4.00 off, from an hour ago to an hour from now."""
    hour = timedelta(hours=1)
    return SetFlashSale(
        product_id=product_id, price=Decimal("4.00"), starts_at=now - hour, ends_at=now + hour
    )


def a_booking(order_id: UUID, address: str) -> ScheduleDelivery:
    """A delivery at 10:00 UTC two days from now: open in a store on the default hours."""
    day = datetime.now(UTC) + timedelta(days=2)
    slot_start = day.replace(hour=10, minute=0, second=0, microsecond=0)
    return ScheduleDelivery(order_id=order_id, address=address, slot_start=slot_start)


def events_for(shop: Shop, projection: Projection, since: int) -> Delivery:
    """The projection's events after `since`, with their positions, as the runner selects them."""
    notifications = shop.recorder.select_notifications(
        start=since + 1, limit=10_000, topics=projection.topics
    )
    return [(n.id, shop.mapper.to_domain_event(n)) for n in notifications]


def deliver(shop: Shop, projection: Projection, delivery: Delivery) -> None:
    """Each event in a batch of its own, as a runner catching up one event at a time would."""
    for position, event in delivery:
        with projection.session(Tracking(shop.name, position)) as session:
            projection.apply(event, session)


def deliver_in_one_batch(shop: Shop, projection: Projection, events: Sequence[Any]) -> None:
    position = shop.recorder.max_notification_id() or 0
    with projection.session(Tracking(shop.name, position)) as session:
        for event in events:
            projection.apply(event, session)


def deliver_all(shop: Shop, projections: dict[str, Projection], since: int) -> None:
    for projection in projections.values():
        deliver(shop, projection, events_for(shop, projection, since))


def deliver_all_twice_in_one_batch(
    shop: Shop, projections: dict[str, Projection], since: int
) -> None:
    for projection in projections.values():
        events = [event for _, event in events_for(shop, projection, since)]
        deliver_in_one_batch(shop, projection, [e for event in events for e in (event, event)])


def view_of(stack: Container, name: str, store_id: UUID) -> Any:
    """What projection `name` shows of the store: SQL rows, the Redis inventory, or the whole
    suggest index (it is not kept per store)."""
    if name == "inventory_cache":
        return stack.inventory_cache.store_inventory(store_id)
    if name == "suggest":
        return suggest_index_of(stack)
    query = SQL_VIEWS[name]
    with stack.pool.connection() as conn:
        return conn.execute(query, (store_id,) * query.count("%s")).fetchall()


def all_views_of(stack: Container, store_id: UUID) -> dict[str, Any]:
    names = (*SQL_VIEWS, "inventory_cache", "suggest")
    return {name: view_of(stack, name, store_id) for name in names}


def suggest_index_of(stack: Container) -> dict[str, Any]:
    """Every key of the suggest index but its positions, as plain data."""
    hashes = {name: stack.redis.hgetall(f"sug:{name}") for name in ("refs", "products", "versions")}
    sets = {name: stack.redis.zrange(f"sug:{name}", 0, -1) for name in ("titles", "words")}
    return {**hashes, **sets}


def redis_quantities(stack: Container, store_id: UUID) -> dict[bytes, bytes]:
    return dict(stack.redis.hgetall(f"inv:{store_id}:qty"))


def stock_items(shop: Shop, busy: BusyStore) -> dict[UUID, StockItem]:
    return {
        pid: shop.repository.get(StockItem.create_id(busy.store_id, pid))
        for pid in busy.product_ids
    }


class TestRedelivery:
    def test_redelivering_every_event_changes_no_read_model(
        self, stack: Container, shop: Shop, projections: dict[str, Projection]
    ) -> None:
        busy = a_busy_store(shop)
        deliver_all(shop, projections, busy.since)
        first = all_views_of(stack, busy.store_id)

        deliver_all(shop, projections, busy.since)

        assert all_views_of(stack, busy.store_id) == first


class TestOlderEventsAfterNewerOnes:
    @pytest.mark.parametrize(
        "name",
        ["catalogue", "stock", "orders", "inventory_cache", "suggest"],
    )
    def test_an_older_event_after_a_newer_one_is_skipped(
        self, stack: Container, shop: Shop, projections: dict[str, Projection], name: str
    ) -> None:
        busy = a_busy_store(shop)
        delivery = events_for(shop, projections[name], busy.since)
        deliver(shop, projections[name], delivery)
        current = view_of(stack, name, busy.store_id)

        deliver(shop, projections[name], delivery[::-1])

        assert view_of(stack, name, busy.store_id) == current

    def test_an_older_stock_event_after_a_newer_one_leaves_the_cached_quantity(
        self, stack: Container, shop: Shop, projections: dict[str, Projection]
    ) -> None:
        busy = a_busy_store(shop)
        delivery = events_for(shop, projections["inventory_cache"], busy.since)
        deliver(shop, projections["inventory_cache"], delivery)
        current = redis_quantities(stack, busy.store_id)

        deliver(shop, projections["inventory_cache"], delivery[::-1])

        assert redis_quantities(stack, busy.store_id) == current


def a_rejected_order(shop: Shop, owner: Actor, store_id: UUID, product_id: UUID) -> None:
    with pytest.raises(InsufficientStockError):
        shop.place_order(an_order_request(store_id, uuid4(), {product_id: 1}))


def a_stock_delivery(shop: Shop, owner: Actor, store_id: UUID, product_id: UUID) -> None:
    stock_of(shop, store_id, product_id, owner, 5)


def a_price_revision(shop: Shop, owner: Actor, store_id: UUID, product_id: UUID) -> None:
    shop.revise_product(ReviseProduct(product_id=product_id, price=Decimal("11.00")), owner)


class TestPositions:
    @pytest.mark.parametrize(
        ("name", "happening"),
        [
            ("catalogue", a_rejected_order),
            ("stock", a_rejected_order),
            ("inventory_cache", a_rejected_order),
            ("suggest", a_rejected_order),
            ("orders", a_price_revision),
            ("query_cache", a_stock_delivery),
        ],
    )
    def test_a_batch_the_projection_ignores_still_advances_its_position(
        self,
        shop: Shop,
        projections: dict[str, Projection],
        name: str,
        happening: Callable[[Shop, Actor, UUID, UUID], None],
    ) -> None:
        owner = an_artisan()
        store_id = a_store_in(shop, owner)
        mug = a_product_in(shop, store_id, owner)
        since = shop.recorder.max_notification_id() or 0
        happening(shop, owner, store_id, mug)
        assert events_for(shop, projections[name], since) == []

        deliver_in_one_batch(shop, projections[name], [])

        assert projections[name].position(shop.name) == shop.recorder.max_notification_id()

    @pytest.mark.parametrize("name", ["catalogue", "stock", "orders"])
    def test_a_redelivered_older_batch_leaves_the_position_where_it_was(
        self, shop: Shop, projections: dict[str, Projection], name: str
    ) -> None:
        busy = a_busy_store(shop)
        delivery = events_for(shop, projections[name], busy.since)
        deliver(shop, projections[name], delivery)
        reached = projections[name].position(shop.name)

        deliver(shop, projections[name], delivery[:1])

        assert projections[name].position(shop.name) == reached


class TestAgreementWithTheEventStore:
    """Every event arrives twice within one batch, and the counts still come out right."""

    def test_sql_stock_agrees_with_the_stock_items(
        self, stack: Container, shop: Shop, projections: dict[str, Projection]
    ) -> None:
        busy = a_busy_store(shop)

        deliver_all_twice_in_one_batch(shop, projections, busy.since)

        rows = {row[1]: (row[2], row[3]) for row in view_of(stack, "stock", busy.store_id)}
        items = stock_items(shop, busy)
        assert rows == {pid: (item.on_hand, item.reserved) for pid, item in items.items()}

    def test_redis_inventory_agrees_with_the_stock_items_of_listed_products(
        self, stack: Container, shop: Shop, projections: dict[str, Projection]
    ) -> None:
        busy = a_busy_store(shop)
        mug, bowl, _delisted_vase = busy.product_ids

        deliver_all_twice_in_one_batch(shop, projections, busy.since)

        cached = stack.inventory_cache.store_inventory(busy.store_id)
        items = stock_items(shop, busy)
        quantities = {line.product_id: line.quantity for line in cached}
        assert quantities == {mug: items[mug].available, bowl: items[bowl].available}

    def test_the_redis_inventory_listing_agrees_with_the_sql_one(
        self, stack: Container, shop: Shop, projections: dict[str, Projection]
    ) -> None:
        busy = a_busy_store(shop)

        deliver_all_twice_in_one_batch(shop, projections, busy.since)

        cached = stack.inventory_cache.store_inventory(busy.store_id)
        assert store_inventory(stack.pool, busy.store_id) == cached

    def test_a_renamed_product_moves_alike_in_both_listings(
        self, stack: Container, shop: Shop, projections: dict[str, Projection]
    ) -> None:
        since, owner = shop.recorder.max_notification_id() or 0, an_artisan()
        store_id = a_store_in(shop, owner)
        apple, mango, pear = (a_product_in(shop, store_id, owner, title=t) for t in "AMP")
        for product_id in (apple, mango, pear):
            stock_of(shop, store_id, product_id, owner, 1)
        shop.revise_product(ReviseProduct(product_id=apple, title="Zucchini"), owner)

        deliver_all(shop, projections, since)

        cached = stack.inventory_cache.store_inventory(store_id)
        assert [line.product_id for line in cached] == [mango, pear, apple]
        assert store_inventory(stack.pool, store_id) == cached
        page = stack.inventory_cache.page(store_id, PageRequest(page=2, page_size=1))[1]
        assert (page.count, page.results) == (3, cached[1:2])

    def test_each_order_keeps_its_lines_once(
        self, stack: Container, shop: Shop, projections: dict[str, Projection]
    ) -> None:
        busy = a_busy_store(shop)

        deliver_all_twice_in_one_batch(shop, projections, busy.since)

        with stack.pool.connection() as conn:
            lines = conn.execute(
                "SELECT count(*) FROM order_lines l JOIN orders o ON o.id = l.order_id"
                " WHERE o.store_id = %s",
                (busy.store_id,),
            ).fetchone()
        assert lines == (5,)


class TestSuggestIndex:
    def test_suggests_each_listed_product_under_its_latest_title_when_events_come_twice(
        self, stack: Container, shop: Shop, projections: dict[str, Projection]
    ) -> None:
        since, owner, word = shop.recorder.max_notification_id() or 0, an_artisan(), uuid4().hex
        store_id = a_store_in(shop, owner)
        renamed = a_product_in(shop, store_id, owner, title=f"Jug {word}")
        shop.revise_product(ReviseProduct(product_id=renamed, title=f"Pitcher {word}"), owner)
        shop.delist_product(a_product_in(shop, store_id, owner, title=f"Vase {word}"), owner)
        a_product_in(shop, store_id, owner, title=f"Bowl {word}")

        deliver_all_twice_in_one_batch(shop, {"suggest": projections["suggest"]}, since)

        assert stack.suggest_index.suggestions(word, 10)[1] == [f"Bowl {word}", f"Pitcher {word}"]

    def test_keeps_a_title_two_products_share_until_the_second_is_delisted(
        self, stack: Container, shop: Shop, projections: dict[str, Projection]
    ) -> None:
        since, owner, word = shop.recorder.max_notification_id() or 0, an_artisan(), uuid4().hex
        store_id = a_store_in(shop, owner)
        first, second = (a_product_in(shop, store_id, owner, title=word) for _ in range(2))
        shop.delist_product(first, owner)
        deliver(shop, projections["suggest"], events_for(shop, projections["suggest"], since))
        shown = stack.suggest_index.suggestions(word, 10)[1]

        shop.delist_product(second, owner)
        deliver(shop, projections["suggest"], events_for(shop, projections["suggest"], since))

        assert (shown, stack.suggest_index.suggestions(word, 10)[1]) == ([word], [])


class TestEventsOfAnOlderVersion:
    def test_a_v1_store_registration_shows_the_default_opening_hours(
        self, stack: Container, shop: Shop, projections: dict[str, Projection]
    ) -> None:
        since = shop.recorder.max_notification_id() or 0
        old = an_old_store_registration(shop, an_artisan())
        shop.recorder.insert_events([old])

        deliver(shop, projections["catalogue"], events_for(shop, projections["catalogue"], since))

        store = get_store(stack.pool, old.originator_id)
        assert store is not None
        assert (store.timezone, store.opens_at, store.closes_at) == ("UTC", 9, 18)

    def test_a_v2_store_registration_shows_the_store_as_it_was_registered(
        self, stack: Container, shop: Shop, projections: dict[str, Projection]
    ) -> None:
        since = shop.recorder.max_notification_id() or 0
        old = an_old_store_registration(shop, an_artisan(), version=2)
        shop.recorder.insert_events([old])

        deliver(shop, projections["catalogue"], events_for(shop, projections["catalogue"], since))

        store = get_store(stack.pool, old.originator_id)
        assert store is not None
        assert (store.city, store.lat, store.lng, store.delivery_radius_km) == (
            "Lyon",
            45.76,
            4.84,
            10.0,
        )
        assert (store.timezone, store.opens_at, store.closes_at) == ("Asia/Tokyo", 6, 23)


class CountingCursor(Cursor[Any]):
    """A cursor that counts the statements it sends (each parameter set of an executemany)
    and keeps their text."""

    statements = 0
    sent: tuple[str, ...] = ()

    def execute(
        self,
        query: Query,
        params: Params | None = None,
        *,
        prepare: bool | None = None,
        binary: bool | None = None,
    ) -> CountingCursor:
        self.statements += 1
        self.sent = (*self.sent, str(query))
        return super().execute(query, params, prepare=prepare, binary=binary)

    def executemany(
        self, query: Query, params_seq: Iterable[Params], *, returning: bool = False
    ) -> None:
        params = list(params_seq)
        self.statements += len(params)
        super().executemany(query, params, returning=returning)


def deliver_as_one_batch(shop: Shop, view: Projection, delivery: Delivery) -> None:
    """The events in one batch of the view's own subscription, as a rebuild feeds them."""
    assert isinstance(view, SqlProjection)
    subscription = SqlSubscription(view.name, view.pool, [view])
    with subscription.session(Tracking(shop.name, delivery[-1][0])) as batch:
        for _, event in delivery:
            subscription.apply(event, batch)


def forget_the_store_in(stack: Container, name: str, store_id: UUID) -> None:
    """The view's rows of the store gone, as if it had never seen the store's events."""
    with stack.pool.connection() as conn:
        for statement in FORGET[name]:
            conn.execute(statement, {"store": store_id})


def built_then_forgotten(
    stack: Container, shop: Shop, projection: Projection, name: str
) -> tuple[BusyStore, Delivery, Any]:
    """A busy store's events delivered one at a time; the store, that delivery and the rows
    it built, which the view then forgets."""
    busy = a_busy_store(shop)
    delivery = events_for(shop, projection, busy.since)
    deliver(shop, projection, delivery)
    expected = view_of(stack, name, busy.store_id)
    forget_the_store_in(stack, name, busy.store_id)
    return busy, delivery, expected


def statements_to_apply(stack: Container, view: Projection, delivery: Delivery) -> int:
    assert isinstance(view, SqlProjection)
    with stack.pool.connection() as conn, CountingCursor(conn) as cur:
        view.apply_batch([event for _, event in delivery], cur)
        return cur.statements


def some_orders(shop: Shop, count: int) -> UUID:
    """`count` placed and confirmed orders of one product in a new store; the store."""
    owner = an_artisan()
    store_id = a_store_in(shop, owner)
    mug = a_product_in(shop, store_id, owner)
    stock_of(shop, store_id, mug, owner, count)
    for _ in range(count):
        an_order_for(shop, store_id, uuid4(), {mug: 1})
    return store_id


BATCHED_VIEWS = ["stock", "orders", "analytics", "stock_alerts"]


class TestOneBatch:
    """Each aggregate's events of a batch (placed, confirmed, booked, shipped; received,
    reserved...) fold into one change per view, and the rows come out as one event at a
    time would leave them."""

    @pytest.mark.parametrize("name", BATCHED_VIEWS)
    def test_one_batch_builds_the_rows_that_one_event_at_a_time_builds(
        self, stack: Container, shop: Shop, projections: dict[str, Projection], name: str
    ) -> None:
        busy, delivery, expected = built_then_forgotten(stack, shop, projections[name], name)

        deliver_as_one_batch(shop, projections[name], delivery)

        assert view_of(stack, name, busy.store_id) == expected

    @pytest.mark.parametrize("name", BATCHED_VIEWS)
    def test_a_batch_holding_each_event_twice_builds_the_rows_of_each_event_once(
        self, stack: Container, shop: Shop, projections: dict[str, Projection], name: str
    ) -> None:
        busy, delivery, expected = built_then_forgotten(stack, shop, projections[name], name)

        deliver_as_one_batch(shop, projections[name], [d for d in delivery for d in (d, d)])

        assert view_of(stack, name, busy.store_id) == expected

    @pytest.mark.parametrize("name", BATCHED_VIEWS)
    def test_a_redelivered_batch_changes_no_row(
        self, stack: Container, shop: Shop, projections: dict[str, Projection], name: str
    ) -> None:
        busy = a_busy_store(shop)
        delivery = events_for(shop, projections[name], busy.since)
        deliver_as_one_batch(shop, projections[name], delivery)
        first = view_of(stack, name, busy.store_id)

        deliver_as_one_batch(shop, projections[name], delivery)

        assert view_of(stack, name, busy.store_id) == first

    @pytest.mark.parametrize("name", BATCHED_VIEWS)
    def test_a_batch_reaching_back_before_the_rows_ends_where_one_event_at_a_time_does(
        self, stack: Container, shop: Shop, projections: dict[str, Projection], name: str
    ) -> None:
        busy, delivery, expected = built_then_forgotten(stack, shop, projections[name], name)
        deliver(shop, projections[name], delivery[: len(delivery) // 2])

        deliver_as_one_batch(shop, projections[name], delivery)

        assert view_of(stack, name, busy.store_id) == expected

    def test_following_many_new_orders_costs_one_statement(
        self, stack: Container, shop: Shop, projections: dict[str, Projection]
    ) -> None:
        delivery = events_of_new_orders(shop, projections["orders"], 20)

        statements = statements_to_apply(stack, projections["orders"], delivery)

        assert statements == 1

    def test_booking_many_orders_costs_the_statements_of_one(
        self, stack: Container, shop: Shop, projections: dict[str, Projection]
    ) -> None:
        one = orders_of(events_of_new_orders(shop, projections["analytics"], 1))
        many = orders_of(events_of_new_orders(shop, projections["analytics"], 20))

        costs = [statements_to_apply(stack, projections["analytics"], d) for d in (one, many)]

        assert costs[1] == costs[0]

    def test_orders_new_in_one_batch_are_booked_without_reading_back(
        self, stack: Container, shop: Shop, projections: dict[str, Projection]
    ) -> None:
        delivery = orders_of(events_of_new_orders(shop, projections["analytics"], 5))

        with stack.pool.connection() as conn, CountingCursor(conn) as cur:
            projections["analytics"].apply_batch([event for _, event in delivery], cur)
            sent = cur.sent

        assert [q for q in sent if q.lstrip().startswith("SELECT")] == []

    def test_reserving_stock_for_many_orders_costs_the_statements_of_one(
        self, stack: Container, shop: Shop, projections: dict[str, Projection]
    ) -> None:
        one = events_of_new_orders(shop, projections["stock"], 1)
        many = events_of_new_orders(shop, projections["stock"], 20)

        costs = [statements_to_apply(stack, projections["stock"], d) for d in (one, many)]

        assert costs[1] == costs[0]

    def test_in_one_batch_a_shelf_ends_with_the_alerts_its_stock_calls_for(
        self, stack: Container, shop: Shop, projections: dict[str, Projection]
    ) -> None:
        busy = a_busy_store(shop)
        mug, bowl, _vase = busy.product_ids

        deliver_as_one_batch(
            shop,
            projections["stock_alerts"],
            events_for(shop, projections["stock_alerts"], busy.since),
        )

        with stack.pool.connection() as conn:
            found = conn.execute(
                "SELECT product_id, available, resolved_at IS NULL FROM stock_alerts"
                " WHERE store_id = %s",
                (busy.store_id,),
            ).fetchall()
        assert sorted(found) == sorted([(mug, 2, True), (bowl, 8, False)])

    def test_following_many_orders_down_to_the_threshold_costs_the_statements_of_one(
        self, stack: Container, shop: Shop, projections: dict[str, Projection]
    ) -> None:
        one = events_of_new_orders(shop, projections["stock_alerts"], 1)
        many = events_of_new_orders(shop, projections["stock_alerts"], 20)

        costs = [statements_to_apply(stack, projections["stock_alerts"], d) for d in (one, many)]

        assert costs[1] == costs[0]

    def test_many_confirmed_orders_record_their_saga_jobs_with_one_statement(
        self, stack: Container, shop: Shop, projections: dict[str, Projection]
    ) -> None:
        saga = SagaProjection(stack.pool, confirmation_email_of(stack, shop))
        delivery = events_of_new_orders(shop, saga, 20)

        statements = statements_to_apply(stack, saga, delivery)

        assert statements == 1


def transactions_run(client: redis.Redis) -> int:
    """How many MULTI/EXEC blocks Redis has executed so far."""
    stats = client.info("commandstats")
    return int(stats.get("cmdstat_exec", {}).get("calls", 0))


class TestTheRedisSubscription:
    def test_a_batch_writes_the_redis_views_with_their_position_in_one_transaction(
        self, stack: Container, shop: Shop
    ) -> None:
        busy = a_busy_store(shop)
        (_, subscriptions), _ = stack.event_logs()
        (redis_views,) = [s for s in subscriptions if isinstance(s, RedisSubscription)]
        delivery = events_for(shop, redis_views, busy.since)
        before = transactions_run(stack.redis)

        with redis_views.session(Tracking(shop.name, delivery[-1][0])) as session:
            for _, event in delivery:
                redis_views.apply(event, session)

        assert transactions_run(stack.redis) == before + 1
        assert {view.position(shop.name) for view in redis_views.views} == {delivery[-1][0]}
        assert {line.title for line in stack.inventory_cache.store_inventory(busy.store_id)} == {
            "Mug",
            "Bowl",
        }


def confirmation_email_of(stack: Container, shop: Shop) -> Saga:
    return next(saga for saga in stack.sagas[shop.name] if saga.name == "confirmation_email")


def orders_of(delivery: Delivery) -> Delivery:
    return [
        (position, event)
        for position, event in delivery
        if isinstance(event, Order.Placed | Order.Confirmed)
    ]


def events_of_new_orders(shop: Shop, projection: Projection, count: int) -> Delivery:
    """Place `count` orders; the events of theirs that `projection` takes."""
    since = shop.recorder.max_notification_id() or 0
    some_orders(shop, count)
    return events_for(shop, projection, since)
