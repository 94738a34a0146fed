"""Reservations: units held for a checkout, ordered, released, or expired at their time."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from uuid import UUID, uuid4

import pytest

from tests.builders import (
    a_customer,
    a_hold_request,
    a_product_in,
    a_shop,
    a_store_in,
    an_admin,
    an_artisan,
    stock_of,
)
from write_model.commands import (
    Actor,
    ChangeOrderStatus,
    PlaceReservedOrder,
    ReviseProduct,
    SetTaxRate,
)
from write_model.inventory import StockItem
from write_model.orders import IdempotencyKeyReusedError, InsufficientStockError
from write_model.reservations import (
    InvalidHoldError,
    Reservation,
    ReservationNotFoundError,
    ReservationNotHeldError,
)

pytestmark = pytest.mark.unit
NOW = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)


class Counter:
    """One store with 5 mugs at 10.00, and a customer."""

    def __init__(self) -> None:
        self.shop = a_shop()
        self.owner, self.customer = an_artisan(), a_customer()
        self.store = a_store_in(self.shop, self.owner)
        self.mug = a_product_in(self.shop, self.store, self.owner, price="10.00")
        stock_of(self.shop, self.store, self.mug, self.owner, 5)

    def hold(self, quantity: int, minutes: int = 15, who: Actor | None = None) -> Reservation:
        who = who or self.customer
        request = a_hold_request(self.store, who.user_id, {self.mug: quantity}, minutes)
        reservation: Reservation = self.shop.reserve_stock(request, NOW).aggregate
        return reservation

    def order_from(self, reservation_id: UUID, at: datetime = NOW, order_id: UUID | None = None):
        cmd = PlaceReservedOrder(
            order_id=order_id or uuid4(),
            user_id=self.customer.user_id,
            reservation_id=reservation_id,
        )
        return self.shop.place_reserved_order(cmd, at).aggregate

    def stock(self) -> StockItem:
        item: StockItem = self.shop.repository.get(StockItem.create_id(self.store, self.mug))
        return item

    def reservation(self, reservation_id: UUID) -> Reservation:
        return self.shop.visible_reservation(reservation_id, self.customer)


@pytest.fixture
def counter() -> Counter:
    return Counter()


class TestHolding:
    def test_holds_the_units_until_the_minutes_run_out(self, counter: Counter) -> None:
        held = counter.hold(2, minutes=10)

        assert (held.status, held.expires_at) == ("held", NOW + timedelta(minutes=10))
        assert (counter.stock().available, counter.stock().reserved) == (3, 2)
        assert held.lines[0].unit_price == Decimal("10.00")

    def test_refuses_short_stock_holding_nothing(self, counter: Counter) -> None:
        with pytest.raises(InsufficientStockError) as refused:
            counter.hold(6)

        assert refused.value.details == {
            "shortfalls": [{"product_id": str(counter.mug), "requested": 6, "available": 5}]
        }
        assert counter.stock().available == 5

    def test_held_units_are_taken_for_the_next_hold(self, counter: Counter) -> None:
        counter.hold(4)

        with pytest.raises(InsufficientStockError):
            counter.hold(2, who=a_customer())

    @pytest.mark.parametrize("minutes", [0, 61])
    def test_refuses_minutes_out_of_bounds(self, counter: Counter, minutes: int) -> None:
        with pytest.raises(InvalidHoldError):
            counter.hold(1, minutes=minutes)

    def test_a_repeated_id_returns_the_first_hold(self, counter: Counter) -> None:
        request = a_hold_request(counter.store, counter.customer.user_id, {counter.mug: 5})
        first = counter.shop.reserve_stock(request, NOW).aggregate

        again = counter.shop.reserve_stock(request, NOW).aggregate

        assert again.id == first.id
        assert counter.stock().reserved == 5

    def test_a_repeated_id_for_other_items_is_refused(self, counter: Counter) -> None:
        request = a_hold_request(counter.store, counter.customer.user_id, {counter.mug: 1})
        counter.shop.reserve_stock(request, NOW)
        other = a_hold_request(
            counter.store,
            counter.customer.user_id,
            {counter.mug: 2},
            reservation_id=request.reservation_id,
        )

        with pytest.raises(IdempotencyKeyReusedError):
            counter.shop.reserve_stock(other, NOW)

    def test_is_hidden_from_all_but_its_customer_or_an_admin(self, counter: Counter) -> None:
        held = counter.hold(1)

        assert counter.shop.visible_reservation(held.id, an_admin()).id == held.id
        with pytest.raises(ReservationNotFoundError):
            counter.shop.visible_reservation(held.id, a_customer())


class TestOrdering:
    def test_orders_the_held_units_at_the_prices_of_the_hold(self, counter: Counter) -> None:
        held = counter.hold(2)
        counter.shop.revise_product(
            ReviseProduct(product_id=counter.mug, price=Decimal("12.00")), counter.owner
        )

        order = counter.order_from(held.id, NOW + timedelta(minutes=5))

        assert (order.status, order.total_price) == ("confirmed", Decimal("20.00"))
        assert counter.reservation(held.id).status == "converted"
        assert (counter.stock().on_hand, counter.stock().reserved) == (5, 2)

    def test_the_order_is_taxed_at_the_store_s_rate_when_it_is_ordered(
        self, counter: Counter
    ) -> None:
        held = counter.hold(1)
        counter.shop.set_tax_rate(
            SetTaxRate(store_id=counter.store, tax_rate=Decimal("20")), counter.owner
        )

        order = counter.order_from(held.id)

        assert order.tax_rate == Decimal("20")

    def test_cancelling_the_order_gives_the_units_back(self, counter: Counter) -> None:
        order = counter.order_from(counter.hold(2).id)

        counter.shop.change_order_status(
            ChangeOrderStatus(order_id=order.id, status="cancelled"), counter.customer
        )

        assert counter.stock().available == 5

    def test_a_repeated_order_id_returns_the_first_order(self, counter: Counter) -> None:
        held, order_id = counter.hold(2), uuid4()
        first = counter.order_from(held.id, order_id=order_id)

        assert counter.order_from(held.id, order_id=order_id).id == first.id

    @pytest.mark.parametrize("ended", ["converted", "released", "expired"])
    def test_refuses_a_reservation_that_holds_nothing_any_more(
        self, counter: Counter, ended: str
    ) -> None:
        held = counter.hold(2)
        if ended == "converted":
            counter.order_from(held.id)
        elif ended == "released":
            counter.shop.release_reservation(held.id, counter.customer)
        else:
            counter.shop.expire_reservation(held.id, held.expires_at)

        with pytest.raises(ReservationNotHeldError) as refused:
            counter.order_from(held.id)

        assert refused.value.details == {"status": ended}

    def test_refuses_a_hold_whose_time_ran_out_before_its_expiry_was_recorded(
        self, counter: Counter
    ) -> None:
        held = counter.hold(2, minutes=1)

        with pytest.raises(ReservationNotHeldError) as refused:
            counter.order_from(held.id, NOW + timedelta(minutes=1))

        assert refused.value.details == {"status": "expired"}

    def test_another_customer_finds_no_reservation(self, counter: Counter) -> None:
        held = counter.hold(1, who=a_customer())

        with pytest.raises(ReservationNotFoundError):
            counter.order_from(held.id)


class TestEnding:
    def test_releasing_gives_the_units_back_once(self, counter: Counter) -> None:
        held = counter.hold(3)

        counter.shop.release_reservation(held.id, counter.customer)
        counter.shop.release_reservation(held.id, counter.customer)

        assert counter.reservation(held.id).status == "released"
        assert counter.stock().available == 5

    def test_releasing_an_ordered_reservation_leaves_the_order_its_units(
        self, counter: Counter
    ) -> None:
        held = counter.hold(3)
        counter.order_from(held.id)

        counter.shop.release_reservation(held.id, counter.customer)

        assert (counter.reservation(held.id).status, counter.stock().available) == ("converted", 2)

    def test_expires_no_sooner_than_its_time(self, counter: Counter) -> None:
        held = counter.hold(3, minutes=5)

        counter.shop.expire_reservation(held.id, held.expires_at - timedelta(seconds=1))
        assert counter.reservation(held.id).status == "held"

        counter.shop.expire_reservation(held.id, held.expires_at)
        counter.shop.expire_reservation(held.id, held.expires_at + timedelta(seconds=1))

        assert counter.reservation(held.id).status == "expired"
        assert counter.stock().available == 5

    def test_an_ordered_reservation_never_expires(self, counter: Counter) -> None:
        held = counter.hold(3)
        counter.order_from(held.id)

        counter.shop.expire_reservation(held.id, held.expires_at + timedelta(hours=1))

        assert (counter.reservation(held.id).status, counter.stock().available) == ("converted", 2)
