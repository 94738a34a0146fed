"""Partition feeds: each event applied once however often it arrives; positions mean the same."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from eventsourcing.persistence import Tracking

from bazaar.wiring import Container
from read_model.sql.failures import ProjectionFailures
from streams.codec import delivery
from streams.partitions import PartitionFeed, Received
from streams.relay import messages
from tests.builders import a_product_in, a_shop, a_store_in, an_artisan, stock_of
from write_model.shop import Shop

pytestmark = pytest.mark.integration
PARTITIONS = 4


class CountingProjection:
    """Counts how often each event is applied; keeps its positions in memory."""

    name = "counting"

    def __init__(self, shop: Shop) -> None:
        self.topics = tuple({n.topic for n in shop.recorder.select_notifications(1, 1000)})
        self.applied: Counter[tuple[Any, int]] = Counter()
        self.positions: dict[str, int] = {}

    @contextmanager
    def session(self, tracking: Tracking) -> Iterator[None]:
        yield
        self.positions[tracking.application_name] = tracking.notification_id

    def apply(self, event: Any, session: None) -> None:
        self.applied[(event.originator_id, event.originator_version)] += 1

    def position(self, application: str) -> int:
        return self.positions.get(application, 0)


def a_busy_shop() -> Shop:
    shop, owner = a_shop(), an_artisan()
    store = a_store_in(shop, owner)
    for n in range(6):
        product = a_product_in(shop, store, owner, title=f"Mug {n}")
        stock_of(shop, store, product, owner, 5)
    return shop


def relayed(shop: Shop, batch_size: int) -> list[Received]:
    """What the workers receive when the relay publishes the whole log in batches."""
    log = shop.recorder.select_notifications(1, 1000)
    received = []
    for start in range(0, len(log), batch_size):
        batch = log[start : start + batch_size]
        for partition, n, headers in messages(batch, batch[-1].id, PARTITIONS):
            received.append((partition, delivery(dict(headers), n.state if n else None)))
    return received


def test_redelivered_and_republished_events_are_applied_once(container: Container) -> None:
    shop = a_busy_shop()
    projection = CountingProjection(shop)
    feed = PartitionFeed(shop, projection, PARTITIONS, container.pool)
    received = relayed(shop, batch_size=5)

    feed.apply(received[:7])
    feed.apply(received)
    feed.apply(relayed(shop, batch_size=3))

    assert set(projection.applied.values()) == {1}
    assert len(projection.applied) == len(shop.recorder.select_notifications(1, 1000))


def test_the_log_position_is_reached_only_when_every_partition_has_it(
    container: Container,
) -> None:
    shop = a_busy_shop()
    projection = CountingProjection(shop)
    feed = PartitionFeed(shop, projection, PARTITIONS, container.pool)
    received = relayed(shop, batch_size=1000)
    head = shop.recorder.max_notification_id()

    feed.apply([r for r in received if r[0] != 2])
    partial = projection.position(shop.name)
    feed.apply([r for r in received if r[0] == 2])

    assert partial == 0
    assert projection.position(shop.name) == head
    assert all(projection.position(f"{shop.name}#{p}") == head for p in range(PARTITIONS))


class RefusingOnce(CountingProjection):
    """Refuses its first batch, as a view whose store is down would; applies afterwards."""

    name = "refusing_once"
    refused = False

    def apply(self, event: Any, session: None) -> None:
        if not self.refused:
            self.refused = True
            raise RuntimeError("store unavailable")
        super().apply(event, session)


def test_a_batch_that_fails_is_recorded_and_the_next_that_applies_clears_it(
    container: Container,
) -> None:
    shop = a_busy_shop()
    failures = ProjectionFailures(container.pool)
    feed = PartitionFeed(shop, RefusingOnce(shop), PARTITIONS, container.pool, failures)
    received = relayed(shop, batch_size=1000)

    with pytest.raises(RuntimeError):
        feed.apply(received)
    (recorded,) = [f for f in failures.current() if f.projection == "refusing_once"]
    feed.apply(received)

    assert recorded.application == shop.name
    assert recorded.error == "RuntimeError: store unavailable"
    assert [f for f in failures.current() if f.projection == "refusing_once"] == []
