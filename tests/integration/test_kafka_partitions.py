"""Partition feeds on the real subscriptions: each event applied once however often and in
whatever batches it arrives, and positions that mean what they mean in process.

The module has a database and a Redis server of its own, so no runner moves its positions.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from bazaar.wiring import Container
from projections.base import SqlProjection, topics_of
from projections.registry import SQL_PROJECTIONS
from projections.subscriptions import SqlSubscription, Subscription
from read_model.sql.failures import ProjectionFailures
from streams.codec import delivery
from streams.partitions import PartitionFeed, Received
from streams.relay import messages
from tests.builders import a_product_in, a_store_in, an_artisan, an_order_for, stock_of
from tests.stacks import a_stack_of_its_own
from write_model.catalogue import Store
from write_model.shop import Shop

pytestmark = pytest.mark.integration
PARTITIONS = 4


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Container]:
    with a_stack_of_its_own(tmp_path_factory.mktemp("redis")) as container:
        yield container


def some_trade(shop: Shop) -> None:
    """A store with six products in stock, and orders of them."""
    owner = an_artisan()
    store = a_store_in(shop, owner)
    for n in range(6):
        product = a_product_in(shop, store, owner, title=f"Mug {n}")
        stock_of(shop, store, product, owner, 5)
        an_order_for(shop, store, owner.user_id, {product: 2})


def relayed(shop: Shop, since: int, batch_size: int) -> list[Received]:
    """What the workers receive when the relay publishes the log after `since` in batches."""
    log = shop.recorder.select_notifications(since + 1, 10_000)
    received = []
    for start in range(0, len(log), batch_size):
        batch = log[start : start + batch_size]
        for partition, n, headers in messages(batch, batch[-1].id, PARTITIONS):
            received.append((partition, delivery(dict(headers), n.state if n else None)))
    return received


def feeds(stack: Container) -> list[PartitionFeed]:
    """A feed per subscription of the shop's log, as a worker's agents hold them."""
    (shop, subscriptions), _ = stack.event_logs()
    return [PartitionFeed(shop, s, PARTITIONS) for s in subscriptions]


def assert_same_as_in_process(stack: Container) -> None:
    rebuilder = stack.rebuilder()
    assert rebuilder.verify(SQL_PROJECTIONS) == {}
    assert rebuilder.verify_cache(stack.inventory_cache) == {}


def test_an_event_delivered_again_is_applied_once(stack: Container) -> None:
    shop = stack.shop
    since = shop.position()
    some_trade(shop)
    received = relayed(shop, since, batch_size=5)

    for feed in feeds(stack):
        feed.apply(received[:7])
        feed.apply(received)
        feed.apply(relayed(shop, since, batch_size=3))

    assert_same_as_in_process(stack)


def test_the_log_position_is_reached_only_when_every_partition_has_it(
    stack: Container,
) -> None:
    shop = stack.shop
    since = shop.position()
    some_trade(shop)
    received = relayed(shop, since, batch_size=1000)
    head = shop.position()

    for feed in feeds(stack):
        subscription: Subscription = feed.subscription
        feed.apply([r for r in received if r[0] != 2])
        partial = subscription.position(shop.name)
        feed.apply([r for r in received if r[0] == 2])

        assert partial < head, subscription.name
        assert subscription.position(shop.name) == head
        logs = [f"{shop.name}#{p}" for p in range(PARTITIONS)]
        assert set(subscription.positions(logs).values()) == {head}


class RefusingOnce(SqlProjection):
    """Refuses its first batch, as a view whose store is down would; applies afterwards."""

    name = "refusing_once"
    topics = topics_of(Store.Registered)
    refused = False

    def apply(self, event: Any, cur: Any) -> None:
        if not self.refused:
            self.refused = True
            raise RuntimeError("store unavailable")


def test_a_failed_batch_stays_recorded_until_one_applies(
    stack: Container,
) -> None:
    shop = stack.shop
    since = shop.position()
    some_trade(shop)
    failures = ProjectionFailures(stack.pool)
    subscription = SqlSubscription("refusing", stack.pool, [RefusingOnce(stack.pool)])
    feed = PartitionFeed(shop, subscription, PARTITIONS, failures)
    received = relayed(shop, since, batch_size=1000)

    with pytest.raises(Exception, match="store unavailable"):
        feed.apply(received)
    (recorded,) = [f for f in failures.current() if f.projection == "refusing"]
    feed.apply(received)

    assert recorded.application == shop.name
    assert recorded.error == "ViewFailedError: refusing_once: RuntimeError: store unavailable"
    assert [f for f in failures.current() if f.projection == "refusing"] == []
    assert subscription.position(shop.name) == shop.position()
