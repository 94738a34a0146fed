"""Order aggregate: placement outcomes, totals and the lifecycle an order may move through."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from itertools import product
from uuid import uuid4

import pytest

from tests.lifecycle import ALLOWED, PATHS, STATUSES
from write_model.delivery import (
    Delivery,
    DeliveryNotAllowedError,
    InvalidDeliveryAddressError,
    InvalidDeliverySlotError,
    OpeningHours,
)
from write_model.orders import IllegalTransitionError, Order, OrderLine, Shortfall

pytestmark = pytest.mark.unit

FORBIDDEN = sorted(
    (old, new)
    for old, new in product(STATUSES, STATUSES)
    if old != new and (old, new) not in ALLOWED
)


def a_line(quantity: int = 1, unit_price: str = "10.00") -> OrderLine:
    return OrderLine(
        product_id=uuid4(), title="Mug", quantity=quantity, unit_price=Decimal(unit_price)
    )


def a_placed_order(*lines: OrderLine) -> Order:
    return Order(
        id=uuid4(), user_id=uuid4(), store_id=uuid4(), lines=lines or (a_line(),), tax_rate=None
    )


def an_order_that_is(status: str) -> Order:
    """Walk a fresh order along the lifecycle to `status`."""
    order = a_placed_order()
    if status == "rejected":
        order.reject("insufficient_stock", ())
    else:
        order.confirm()
        for step in PATHS[status]:
            order.change_status(step, by=uuid4())
    order.collect_events()
    return order


def event_types(order: Order) -> list[type]:
    return [type(e) for e in order.collect_events()]


class TestPlace:
    def test_a_placed_order_awaits_a_decision_on_its_lines(self) -> None:
        line = a_line(quantity=2)

        order = a_placed_order(line)

        assert order.lines == (line,)
        assert order.status == "placed"

    def test_totals_every_line(self) -> None:
        order = a_placed_order(a_line(2, "10.00"), a_line(3, "5.00"))

        totals = (order.total_price, order.total_items)

        assert totals == (Decimal("35.00"), 5)


class TestConfirm:
    def test_records_the_order_as_confirmed(self) -> None:
        order = a_placed_order()

        order.confirm()

        assert order.status == "confirmed"
        assert event_types(order) == [Order.Placed, Order.Confirmed]


class TestReject:
    def test_records_why_it_was_rejected(self) -> None:
        order = a_placed_order()
        short = Shortfall(product_id=uuid4(), requested=3, available=1)

        order.reject("insufficient_stock", (short,))

        assert order.status == "rejected"
        assert order.shortfalls == (short,)
        rejected = order.collect_events()[-1]
        assert (type(rejected), rejected.reason) == (Order.Rejected, "insufficient_stock")


class TestChangeStatus:
    @pytest.mark.parametrize(("old", "new"), sorted(ALLOWED))
    def test_moves_along_an_allowed_transition(self, old: str, new: str) -> None:
        order, by = an_order_that_is(old), uuid4()

        changed = order.change_status(new, by=by)

        assert changed
        assert order.status == new
        assert [(type(e), e.status, e.by) for e in order.collect_events()] == [
            (Order.StatusChanged, new, by)
        ]

    @pytest.mark.parametrize(("old", "new"), FORBIDDEN)
    def test_refuses_a_forbidden_transition(self, old: str, new: str) -> None:
        order = an_order_that_is(old)

        with pytest.raises(IllegalTransitionError):
            order.change_status(new, by=uuid4())

        assert order.status == old
        assert event_types(order) == []

    @pytest.mark.parametrize("status", STATUSES)
    def test_repeating_the_current_status_records_nothing(self, status: str) -> None:
        order = an_order_that_is(status)

        changed = order.change_status(status, by=uuid4())

        assert not changed
        assert event_types(order) == []

    def test_refuses_an_unknown_status(self) -> None:
        order = an_order_that_is("confirmed")

        with pytest.raises(IllegalTransitionError):
            order.change_status("lost", by=uuid4())

    def test_names_the_allowed_statuses_when_refusing(self) -> None:
        order = an_order_that_is("confirmed")

        with pytest.raises(IllegalTransitionError) as refused:
            order.change_status("delivered", by=uuid4())

        assert refused.value.details == {
            "status": "confirmed",
            "allowed": ["processing", "cancelled"],
        }


NOW = datetime(2030, 7, 1, 8, 30, tzinfo=UTC)
TEN_AM = datetime(2030, 7, 2, 10, tzinfo=UTC)
NOON = datetime(2030, 7, 2, 12, tzinfo=UTC)
NINE_TO_SIX_UTC = OpeningHours()
NINE_TO_SIX_IN_NEW_YORK = OpeningHours(timezone="America/New_York")


def book(
    order: Order,
    slot_start: datetime = TEN_AM,
    address: str = "1 Rua Augusta, Lisbon",
    hours: OpeningHours = NINE_TO_SIX_UTC,
) -> bool:
    return order.schedule_delivery(
        address=address, slot_start=slot_start, hours=hours, now=NOW, by=uuid4()
    )


class TestScheduleDelivery:
    def test_a_new_order_has_no_delivery(self) -> None:
        order = an_order_that_is("confirmed")

        assert order.delivery is None

    @pytest.mark.parametrize("status", ["confirmed", "processing"])
    def test_books_a_delivery_while_the_store_has_the_order(self, status: str) -> None:
        order, by = an_order_that_is(status), uuid4()

        booked = order.schedule_delivery(
            address="1 Rua Augusta", slot_start=TEN_AM, hours=NINE_TO_SIX_UTC, now=NOW, by=by
        )

        assert booked
        assert order.delivery == Delivery(address="1 Rua Augusta", slot_start=TEN_AM)
        [scheduled] = order.collect_events()
        assert (type(scheduled), scheduled.slot_start, scheduled.by) == (
            Order.DeliveryScheduled,
            TEN_AM,
            by,
        )

    def test_rescheduling_replaces_the_booked_slot(self) -> None:
        order = an_order_that_is("confirmed")
        book(order, TEN_AM)

        book(order, NOON)

        assert order.delivery is not None
        assert order.delivery.slot_start == NOON
        assert event_types(order) == [Order.DeliveryScheduled, Order.DeliveryScheduled]

    def test_the_same_booking_again_records_nothing(self) -> None:
        order = an_order_that_is("confirmed")
        book(order)
        order.collect_events()

        booked = book(order)

        assert not booked
        assert event_types(order) == []

    @pytest.mark.parametrize("status", ["shipped", "delivered", "cancelled", "rejected"])
    def test_refuses_an_order_the_store_no_longer_has(self, status: str) -> None:
        order = an_order_that_is(status)

        with pytest.raises(DeliveryNotAllowedError):
            book(order)

        assert order.delivery is None
        assert event_types(order) == []

    @pytest.mark.parametrize(
        "slot_start",
        [
            datetime(2030, 7, 1, 8, tzinfo=UTC),  # before now
            datetime(2030, 7, 2, 8, tzinfo=UTC),  # before opening
            datetime(2030, 7, 2, 18, tzinfo=UTC),  # at closing
            datetime(2030, 7, 2, 10, 15, tzinfo=UTC),  # not on the hour
        ],
        ids=["past", "before opening", "at closing", "not on the hour"],
    )
    def test_refuses_a_slot_the_store_does_not_offer(self, slot_start: datetime) -> None:
        order = an_order_that_is("confirmed")

        with pytest.raises(InvalidDeliverySlotError):
            book(order, slot_start)

        assert event_types(order) == []

    def test_reads_the_opening_hours_in_the_stores_timezone(self) -> None:
        order = an_order_that_is("confirmed")
        nine_am_in_new_york = datetime(2030, 7, 2, 13, tzinfo=UTC)

        book(order, nine_am_in_new_york, hours=NINE_TO_SIX_IN_NEW_YORK)

        assert order.delivery is not None
        assert order.delivery.slot_start == nine_am_in_new_york

    def test_refuses_an_hour_open_in_utc_but_closed_in_the_stores_timezone(self) -> None:
        order = an_order_that_is("confirmed")

        with pytest.raises(InvalidDeliverySlotError):
            book(order, TEN_AM, hours=NINE_TO_SIX_IN_NEW_YORK)  # 06:00 in New York

    @pytest.mark.parametrize("address", ["", "   "])
    def test_refuses_a_blank_address(self, address: str) -> None:
        order = an_order_that_is("confirmed")

        with pytest.raises(InvalidDeliveryAddressError):
            book(order, address=address)
