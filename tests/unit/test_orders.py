"""Order aggregate: placement outcomes, totals and the lifecycle an order may move through."""

from __future__ import annotations

from decimal import Decimal
from itertools import product
from uuid import uuid4

import pytest

from write_model.orders import NEXT_STATUSES, IllegalTransitionError, Order, OrderLine, Shortfall

pytestmark = pytest.mark.unit

# The lifecycle as DESIGN.md states it, written out rather than read from NEXT_STATUSES.
STATUSES = ("confirmed", "processing", "shipped", "delivered", "cancelled", "rejected")
ALLOWED = {
    ("confirmed", "processing"),
    ("confirmed", "cancelled"),
    ("processing", "shipped"),
    ("processing", "cancelled"),
    ("shipped", "delivered"),
}
FORBIDDEN = sorted(
    (old, new)
    for old, new in product(STATUSES, STATUSES)
    if old != new and (old, new) not in ALLOWED
)
PATHS = {
    "confirmed": (),
    "processing": ("processing",),
    "shipped": ("processing", "shipped"),
    "delivered": ("processing", "shipped", "delivered"),
    "cancelled": ("cancelled",),
}


def a_line(quantity: int = 1, unit_price: str = "10.00") -> OrderLine:
    return OrderLine(
        product_id=uuid4(), title="Mug", quantity=quantity, unit_price=Decimal(unit_price)
    )


def a_placed_order(*lines: OrderLine) -> Order:
    return Order(id=uuid4(), user_id=uuid4(), store_id=uuid4(), lines=lines or (a_line(),))


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
    def test_keeps_the_lines_and_awaits_a_decision(self) -> None:
        line = a_line(quantity=2)

        order = a_placed_order(line)

        assert order.lines == (line,)
        assert order.status == "placed"

    def test_totals_price_and_items_over_every_line(self) -> None:
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
    def test_records_the_reason_and_shortfalls(self) -> None:
        order = a_placed_order()
        short = Shortfall(product_id=uuid4(), requested=3, available=1)

        order.reject("insufficient_stock", (short,))

        assert order.status == "rejected"
        assert order.shortfalls == (short,)
        rejected = order.collect_events()[-1]
        assert (type(rejected), rejected.reason) == (Order.Rejected, "insufficient_stock")


class TestChangeStatus:
    def test_lifecycle_table_matches_the_design(self) -> None:
        table = {(old, new) for old, news in NEXT_STATUSES.items() for new in news}

        assert table == ALLOWED

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
