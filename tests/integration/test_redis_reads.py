"""The API's cached reads: each a single round trip to Redis, position included."""

from __future__ import annotations

import uuid
from decimal import Decimal
from functools import partial
from typing import Any, ClassVar

import pytest
import redis
from eventsourcing.persistence import Tracking

from read_model.paging import PageRequest
from read_model.redis.inventory import InventoryCache
from read_model.redis.suggest import SuggestIndex

pytestmark = pytest.mark.integration
LOG = "Shop"


class CountedConnection(redis.Connection):
    """Counts what it sends: one count per command, or per pipeline, sent."""

    sent: ClassVar[int] = 0

    def send_packed_command(self, command: Any, check_health: bool = True) -> None:
        CountedConnection.sent += 1
        super().send_packed_command(command, check_health)


@pytest.fixture
def counted(redis_url: str) -> redis.Redis:
    pool = redis.ConnectionPool.from_url(redis_url, connection_class=CountedConnection)
    return redis.Redis(connection_pool=pool)


def round_trips_of(read: Any) -> tuple[int, Any]:
    read()  # the first call of a script also loads it
    CountedConnection.sent = 0
    answer = read()
    return CountedConnection.sent, answer


class TestInventoryPage:
    @pytest.fixture
    def cache(self, counted: redis.Redis) -> tuple[InventoryCache, uuid.UUID]:
        """A store stocking three products, the cache at position 7."""
        cache, store = InventoryCache(counted, prefix=f"inv-{uuid.uuid4().hex}"), uuid.uuid4()
        with cache.session(Tracking(LOG, 7)) as pipe:
            for n in range(3):
                product, item = uuid.uuid4(), uuid.uuid4()
                cache.put_product(pipe, product, 1, (f"Mug {n}", Decimal("9.50"), "pottery"))
                cache.open_stock(pipe, item, store, product)
                cache.apply_stock(pipe, item, 2, n + 1)
        return cache, store

    def test_a_fresh_page_is_one_round_trip(self, cache: tuple[InventoryCache, uuid.UUID]) -> None:
        inventory, store = cache
        read = partial(inventory.stocked_page, store, PageRequest(page=1, page_size=2))

        trips, page = round_trips_of(lambda: inventory.fresh(LOG, 7, read))

        assert trips == 1
        assert page is not None
        assert (page.count, [(line.title, line.quantity) for line in page.results]) == (
            3,
            [("Mug 0", 1), ("Mug 1", 2)],
        )

    def test_a_page_behind_the_wanted_position_is_not_fresh(
        self, cache: tuple[InventoryCache, uuid.UUID]
    ) -> None:
        inventory, store = cache
        read = partial(inventory.stocked_page, store, PageRequest(page=1, page_size=2))

        assert inventory.fresh(LOG, 8, read) is None


class TestSuggestions:
    @pytest.fixture
    def index(self, counted: redis.Redis) -> SuggestIndex:
        """Two titles, the index at position 3."""
        index = SuggestIndex(counted, prefix=f"sug-{uuid.uuid4().hex}")
        with index.session(Tracking(LOG, 3)) as pipe:
            index.put_title(pipe, uuid.uuid4(), 1, "Blue bowl")
            index.put_title(pipe, uuid.uuid4(), 1, "Bowl of olives")
        return index

    def test_fresh_suggestions_are_one_round_trip(self, index: SuggestIndex) -> None:
        read = partial(index.suggestions, "bow", 10)

        trips, titles = round_trips_of(lambda: index.fresh(LOG, 3, read))

        assert (trips, titles) == (1, ["Bowl of olives", "Blue bowl"])

    def test_suggestions_without_a_position_are_not_fresh(self, counted: redis.Redis) -> None:
        empty = SuggestIndex(counted, prefix=f"sug-{uuid.uuid4().hex}")

        assert empty.fresh(LOG, None, partial(empty.suggestions, "bow", 10)) is None


class TestWrites:
    def test_a_batch_of_scripted_writes_is_one_round_trip(self, counted: redis.Redis) -> None:
        cache, store = InventoryCache(counted, prefix=f"inv-{uuid.uuid4().hex}"), uuid.uuid4()
        product, item = uuid.uuid4(), uuid.uuid4()
        with cache.session(Tracking(LOG, 1)) as pipe:
            cache.put_product(pipe, product, 1, ("Mug", Decimal("9.50"), "pottery"))
        CountedConnection.sent = 0

        with cache.session(Tracking(LOG, 2)) as pipe:
            cache.open_stock(pipe, item, store, product)
            cache.apply_stock(pipe, item, 2, 4)
            cache.settle(pipe, LOG, [f"{LOG}#0"])

        assert CountedConnection.sent == 1
        assert [(line.title, line.quantity) for line in cache.store_inventory(store)] == [
            ("Mug", 4)
        ]
