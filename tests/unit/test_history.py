"""Audit replay on the in-memory event store: an order's history, and the order as it was.

Integration tests rerun these classes on Postgres by subclassing them with another `env`.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from uuid import UUID, uuid4

import pytest
from eventsourcing.domain import Aggregate

from tests.builders import (
    a_customer,
    a_product_in,
    an_admin,
    an_order_for,
    an_order_request,
    stock_of,
)
from tests.unit.test_shop import ShopTests
from write_model.audit import InvalidAsOfError, InvalidVersionError, VersionNotFoundError
from write_model.commands import Actor, ChangeOrderStatus, ScheduleDelivery
from write_model.orders import InsufficientStockError, OrderNotFoundError
from write_model.shop import Shop

pytestmark = pytest.mark.unit

NOW = datetime(2030, 1, 1, 8, tzinfo=UTC)
TEN, ELEVEN = datetime(2030, 1, 2, 10, tzinfo=UTC), datetime(2030, 1, 2, 11, tzinfo=UTC)
JOURNEY = [
    (1, "Placed"),
    (2, "Confirmed"),
    (3, "DeliveryScheduled"),
    (4, "StatusChanged"),
    (5, "DeliveryScheduled"),
    (6, "StatusChanged"),
    (7, "StatusChanged"),
]
"""The delivered order: booked for 10:00 by the customer, moved to 11:00 by the owner."""


def booked(shop: Shop, order_id: UUID, by: Actor, slot: datetime) -> None:
    cmd = ScheduleDelivery(order_id=order_id, address="1 Rue de la Paix, Lyon", slot_start=slot)
    shop.schedule_delivery(cmd, by, now=NOW)


def moved(shop: Shop, order_id: UUID, by: Actor, *statuses: str) -> None:
    for status in statuses:
        shop.change_order_status(ChangeOrderStatus(order_id=order_id, status=status), by)


def stored_events(shop: Shop, order_id: UUID) -> list[Aggregate.Event]:
    return [event for event in shop.events.get(order_id) if isinstance(event, Aggregate.Event)]


def midpoint(earlier: datetime, later: datetime) -> datetime:
    return earlier + (later - earlier) / 2


class HistoryTests(ShopTests):
    """A store with a mug in stock, and a customer whose order went through `JOURNEY`."""

    @pytest.fixture
    def customer(self) -> Actor:
        return a_customer()

    @pytest.fixture
    def mug(self, shop: Shop, store_id: UUID, owner: Actor) -> UUID:
        product_id = a_product_in(shop, store_id, owner, price="12.5", title="Mug")
        stock_of(shop, store_id, product_id, owner, 10)
        return product_id

    @pytest.fixture
    def delivered(
        self, shop: Shop, store_id: UUID, owner: Actor, customer: Actor, mug: UUID
    ) -> UUID:
        order = an_order_for(shop, store_id, customer.user_id, {mug: 2})
        booked(shop, order.id, customer, TEN)
        moved(shop, order.id, owner, "processing")
        booked(shop, order.id, owner, ELEVEN)
        moved(shop, order.id, owner, "shipped", "delivered")
        return order.id


class TestOrderHistory(HistoryTests):
    def test_lists_every_event_of_the_order_oldest_first(
        self, shop: Shop, customer: Actor, delivered: UUID
    ) -> None:
        history = shop.audit.order_history(delivered, customer)

        assert [(r.version, r.type) for r in history] == JOURNEY
        statuses = [r.data["status"] for r in history if r.type == "StatusChanged"]
        assert statuses == ["processing", "shipped", "delivered"]

    def test_times_each_event_as_the_event_store_recorded_it(
        self, shop: Shop, customer: Actor, delivered: UUID
    ) -> None:
        history = shop.audit.order_history(delivered, customer)

        assert [r.at for r in history] == [e.timestamp for e in stored_events(shop, delivered)]
        assert all(r.at.utcoffset() == timedelta(0) for r in history)

    def test_credits_each_event_to_who_did_it(
        self, shop: Shop, owner: Actor, customer: Actor, delivered: UUID
    ) -> None:
        history = shop.audit.order_history(delivered, customer)

        assert [r.by for r in history] == [customer.user_id] * 3 + [owner.user_id] * 4

    def test_gives_the_placed_lines_as_objects_of_text(
        self, shop: Shop, store_id: UUID, customer: Actor, mug: UUID, delivered: UUID
    ) -> None:
        placed = shop.audit.order_history(delivered, customer)[0]

        assert placed.data == {
            "user_id": str(customer.user_id),
            "store_id": str(store_id),
            "lines": [
                {"product_id": str(mug), "title": "Mug", "quantity": 2, "unit_price": "12.50"}
            ],
            "tax_rate": None,
        }

    def test_keeps_only_the_events_own_fields(
        self, shop: Shop, owner: Actor, customer: Actor, delivered: UUID
    ) -> None:
        history = shop.audit.order_history(delivered, customer)

        assert history[1].data == {}
        assert history[3].data == {"status": "processing", "by": str(owner.user_id)}

    def test_renders_an_event_it_has_no_code_for_from_its_fields(
        self, shop: Shop, owner: Actor, customer: Actor, delivered: UUID
    ) -> None:
        rescheduled = shop.audit.order_history(delivered, customer)[4]

        assert rescheduled.data == {
            "address": "1 Rue de la Paix, Lyon",
            "slot_start": "2030-01-02T11:00:00+00:00",
            "by": str(owner.user_id),
        }

    def test_credits_a_cancellation_to_the_customer_who_cancelled(
        self, shop: Shop, store_id: UUID, customer: Actor, mug: UUID
    ) -> None:
        order = an_order_for(shop, store_id, customer.user_id, {mug: 1})
        moved(shop, order.id, customer, "cancelled")

        cancelled = shop.audit.order_history(order.id, customer)[-1]

        assert (cancelled.version, cancelled.type) == (3, "StatusChanged")
        assert (cancelled.by, cancelled.data["status"]) == (customer.user_id, "cancelled")

    def test_lists_a_rejection_with_its_shortfalls(
        self, shop: Shop, store_id: UUID, customer: Actor, mug: UUID
    ) -> None:
        request = an_order_request(store_id, customer.user_id, {mug: 11})
        with pytest.raises(InsufficientStockError):
            shop.place_order(request)

        rejected = shop.audit.order_history(request.order_id, customer)[-1]

        assert (rejected.version, rejected.type, rejected.by) == (2, "Rejected", customer.user_id)
        assert rejected.data == {
            "reason": "insufficient_stock",
            "shortfalls": [{"product_id": str(mug), "requested": 11, "available": 10}],
        }

    @pytest.mark.parametrize("reader", ["owner", "admin"])
    def test_shows_the_store_owner_the_history_an_admin_sees(
        self, shop: Shop, owner: Actor, customer: Actor, delivered: UUID, reader: str
    ) -> None:
        actor = owner if reader == "owner" else an_admin()

        history = shop.audit.order_history(delivered, actor)

        assert history == shop.audit.order_history(delivered, customer)

    def test_hides_the_order_from_anyone_else(self, shop: Shop, delivered: UUID) -> None:
        with pytest.raises(OrderNotFoundError):
            shop.audit.order_history(delivered, a_customer())

    def test_an_id_that_is_no_order_is_not_found(self, shop: Shop, store_id: UUID) -> None:
        with pytest.raises(OrderNotFoundError):
            shop.audit.order_history(store_id, an_admin())


class TestOrderAsOf(HistoryTests):
    def test_replays_the_order_as_it_was_at_a_version(
        self, shop: Shop, customer: Actor, delivered: UUID
    ) -> None:
        order = shop.audit.order_as_of(delivered, customer, version=3)

        assert (order.version, order.status) == (3, "confirmed")
        assert order.delivery is not None
        assert order.delivery.slot_start == TEN

    def test_a_time_between_two_events_gives_the_state_after_the_earlier_one(
        self, shop: Shop, customer: Actor, delivered: UUID
    ) -> None:
        events = stored_events(shop, delivered)
        rescheduled, shipped = events[4].timestamp, events[5].timestamp
        assert rescheduled < midpoint(rescheduled, shipped) < shipped

        order = shop.audit.order_as_of(delivered, customer, at=midpoint(rescheduled, shipped))

        assert (order.version, order.status) == (5, "processing")
        assert order.delivery is not None
        assert order.delivery.slot_start == ELEVEN

    def test_a_time_in_another_offset_means_the_same_moment(
        self, shop: Shop, customer: Actor, delivered: UUID
    ) -> None:
        events = stored_events(shop, delivered)
        between = midpoint(events[4].timestamp, events[5].timestamp)
        in_lisbon_summer = between.astimezone(timezone(timedelta(hours=1)))

        order = shop.audit.order_as_of(delivered, customer, at=in_lisbon_summer)

        assert order.version == 5

    def test_a_time_exactly_at_an_event_includes_it(
        self, shop: Shop, customer: Actor, delivered: UUID
    ) -> None:
        shipped_at = stored_events(shop, delivered)[5].timestamp

        order = shop.audit.order_as_of(delivered, customer, at=shipped_at)

        assert (order.version, order.status) == (6, "shipped")

    def test_a_time_after_the_last_event_gives_the_order_as_it_is(
        self, shop: Shop, customer: Actor, delivered: UUID
    ) -> None:
        later = stored_events(shop, delivered)[-1].timestamp + timedelta(days=1)

        order = shop.audit.order_as_of(delivered, customer, at=later)

        assert (order.version, order.status) == (7, "delivered")

    def test_a_time_before_the_order_existed_is_not_found(
        self, shop: Shop, customer: Actor, delivered: UUID
    ) -> None:
        before = stored_events(shop, delivered)[0].timestamp - timedelta(microseconds=1)

        with pytest.raises(OrderNotFoundError):
            shop.audit.order_as_of(delivered, customer, at=before)

    def test_refuses_a_time_without_a_utc_offset(
        self, shop: Shop, customer: Actor, delivered: UUID
    ) -> None:
        naive = stored_events(shop, delivered)[2].timestamp.replace(tzinfo=None)

        with pytest.raises(InvalidAsOfError):
            shop.audit.order_as_of(delivered, customer, at=naive)

    @pytest.mark.parametrize("version", [0, -1])
    def test_refuses_a_version_below_one(
        self, shop: Shop, customer: Actor, delivered: UUID, version: int
    ) -> None:
        with pytest.raises(InvalidVersionError):
            shop.audit.order_as_of(delivered, customer, version=version)

    def test_a_version_the_order_has_not_reached_is_not_found(
        self, shop: Shop, customer: Actor, delivered: UUID
    ) -> None:
        with pytest.raises(VersionNotFoundError) as refused:
            shop.audit.order_as_of(delivered, customer, version=8)

        assert refused.value.details == {"current_version": 7}

    def test_refuses_a_version_with_a_time(
        self, shop: Shop, customer: Actor, delivered: UUID
    ) -> None:
        with pytest.raises(InvalidAsOfError):
            shop.audit.order_as_of(delivered, customer, version=2, at=NOW)

    def test_without_a_version_or_time_gives_the_order_as_it_is(
        self, shop: Shop, customer: Actor, delivered: UUID
    ) -> None:
        order = shop.audit.order_as_of(delivered, customer)

        assert (order.version, order.status) == (7, "delivered")

    def test_replaying_leaves_the_current_order_untouched(
        self, shop: Shop, customer: Actor, delivered: UUID
    ) -> None:
        shop.audit.order_as_of(delivered, customer, version=1)

        assert shop.get_order(delivered).status == "delivered"

    def test_hides_the_order_from_anyone_else(self, shop: Shop, delivered: UUID) -> None:
        with pytest.raises(OrderNotFoundError):
            shop.audit.order_as_of(delivered, a_customer(), version=1)

    def test_an_unknown_order_is_not_found(self, shop: Shop) -> None:
        with pytest.raises(OrderNotFoundError):
            shop.audit.order_as_of(uuid4(), an_admin(), version=1)
