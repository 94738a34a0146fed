"""Returns: units of a delivered order sent back within the window, received or refused."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from uuid import UUID, uuid4

import pytest

from tests.builders import (
    a_customer,
    a_product_in,
    a_shop,
    a_store_in,
    an_admin,
    an_artisan,
    an_order_for,
    stock_of,
)
from write_model.commands import ChangeOrderStatus, ChangeReturnStatus, OrderItem, RequestReturn
from write_model.errors import PermissionDeniedError
from write_model.inventory import StockItem
from write_model.orders import Order, OrderNotFoundError
from write_model.returns import (
    IllegalReturnTransitionError,
    InvalidReturnError,
    OrderNotDeliveredError,
    OrderReturn,
    ReturnExceedsDeliveredError,
    ReturnNotFoundError,
    ReturnWindowClosedError,
)

pytestmark = pytest.mark.unit


class Delivered:
    """3 mugs at 10.00 and a bowl at 4.00, ordered from a store of 5 each and delivered."""

    def __init__(self, deliver: bool = True) -> None:
        self.shop = a_shop()
        self.owner, self.customer = an_artisan(), a_customer()
        self.store = a_store_in(self.shop, self.owner)
        self.mug = a_product_in(self.shop, self.store, self.owner, price="10.00", title="Mug")
        self.bowl = a_product_in(self.shop, self.store, self.owner, price="4.00", title="Bowl")
        for product in (self.mug, self.bowl):
            stock_of(self.shop, self.store, product, self.owner, 5)
        placed = an_order_for(
            self.shop, self.store, self.customer.user_id, {self.mug: 3, self.bowl: 1}
        )
        self.order_id = placed.id
        moves = ("processing", "shipped", "delivered") if deliver else ("processing",)
        for status in moves:
            self.shop.change_order_status(
                ChangeOrderStatus(order_id=placed.id, status=status), self.owner
            )

    @property
    def order(self) -> Order:
        return self.shop.get_order(self.order_id)

    def ask(self, items: dict[UUID, int], days_after: float = 1, who=None) -> OrderReturn:
        delivered_at = self.order.delivered_at or self.order.created_on
        cmd = RequestReturn(
            order_id=self.order_id,
            items=tuple(OrderItem(product_id=p, quantity=q) for p, q in items.items()),
            reason="Chipped.",
        )
        now = delivered_at + timedelta(days=days_after)
        returned: OrderReturn = self.shop.request_return(cmd, who or self.customer, now).aggregate
        return returned

    def settle(
        self, return_id: UUID, status: str, reason: str | None = None, who=None
    ) -> OrderReturn:
        cmd = ChangeReturnStatus(return_id=return_id, status=status, reason=reason)
        settled: OrderReturn = self.shop.change_return_status(cmd, who or self.owner).aggregate
        return settled

    def on_hand(self, product: UUID) -> int:
        item: StockItem = self.shop.repository.get(StockItem.create_id(self.store, product))
        return item.on_hand


@pytest.fixture
def delivered() -> Delivered:
    return Delivered()


class TestRequesting:
    def test_records_the_units_at_the_prices_paid(self, delivered: Delivered) -> None:
        asked = delivered.ask({delivered.mug: 2})

        assert (asked.status, asked.order_id, asked.refund_amount) == (
            "requested",
            delivered.order_id,
            Decimal("20.00"),
        )
        assert delivered.shop.returns_of(delivered.order_id) == [asked]

    def test_partial_returns_add_up_to_no_more_than_was_delivered(
        self, delivered: Delivered
    ) -> None:
        delivered.ask({delivered.mug: 2})
        delivered.ask({delivered.mug: 1, delivered.bowl: 1})

        with pytest.raises(ReturnExceedsDeliveredError) as refused:
            delivered.ask({delivered.mug: 1})

        assert refused.value.details == {
            "lines": [{"product_id": str(delivered.mug), "requested": 1, "returnable": 0}]
        }

    def test_a_refused_return_gives_its_units_back_to_return(self, delivered: Delivered) -> None:
        first = delivered.ask({delivered.mug: 3})
        delivered.settle(first.id, "refused", "Not ours.")

        assert delivered.ask({delivered.mug: 3}).status == "requested"

    def test_refuses_a_product_the_order_does_not_have(self, delivered: Delivered) -> None:
        with pytest.raises(ReturnExceedsDeliveredError):
            delivered.ask({uuid4(): 1})

    def test_is_open_only_for_the_window_after_delivery(self, delivered: Delivered) -> None:
        assert delivered.ask({delivered.mug: 1}, days_after=30).status == "requested"

        with pytest.raises(ReturnWindowClosedError):
            delivered.ask({delivered.mug: 1}, days_after=30.001)

    def test_refuses_an_order_not_delivered(self) -> None:
        processing = Delivered(deliver=False)

        with pytest.raises(OrderNotDeliveredError) as refused:
            processing.ask({processing.mug: 1})

        assert refused.value.details == {"status": "processing"}

    def test_only_the_customer_returns(self, delivered: Delivered) -> None:
        with pytest.raises(PermissionDeniedError):
            delivered.ask({delivered.mug: 1}, who=delivered.owner)
        with pytest.raises(OrderNotFoundError):
            delivered.ask({delivered.mug: 1}, who=a_customer())


class TestSettling:
    def test_receiving_puts_the_units_back_on_the_shelf(self, delivered: Delivered) -> None:
        asked = delivered.ask({delivered.mug: 2})

        received = delivered.settle(asked.id, "received")

        assert received.status == "received"
        assert delivered.on_hand(delivered.mug) == 5 - 3 + 2

    def test_receiving_twice_puts_them_back_once(self, delivered: Delivered) -> None:
        asked = delivered.ask({delivered.mug: 2})
        delivered.settle(asked.id, "received")

        delivered.settle(asked.id, "received")

        assert delivered.on_hand(delivered.mug) == 4

    def test_a_refusal_records_its_reason_leaving_the_stock(self, delivered: Delivered) -> None:
        asked = delivered.ask({delivered.mug: 2})

        refused = delivered.settle(asked.id, "refused", "Used.")

        assert (refused.status, refused.refusal) == ("refused", "Used.")
        assert delivered.on_hand(delivered.mug) == 2

    def test_a_refusal_needs_a_reason(self, delivered: Delivered) -> None:
        asked = delivered.ask({delivered.mug: 2})

        with pytest.raises(InvalidReturnError):
            delivered.settle(asked.id, "refused", "  ")

    @pytest.mark.parametrize(("first", "then"), [("received", "refused"), ("refused", "received")])
    def test_a_settled_return_moves_no_further(
        self, delivered: Delivered, first: str, then: str
    ) -> None:
        asked = delivered.ask({delivered.mug: 1})
        delivered.settle(asked.id, first, "Because.")

        with pytest.raises(IllegalReturnTransitionError) as refused:
            delivered.settle(asked.id, then, "Because.")

        assert refused.value.details == {"status": first, "allowed": []}

    def test_only_the_store_s_owner_or_an_admin_settles(self, delivered: Delivered) -> None:
        asked = delivered.ask({delivered.mug: 1})

        with pytest.raises(PermissionDeniedError):
            delivered.settle(asked.id, "received", who=delivered.customer)
        with pytest.raises(ReturnNotFoundError):
            delivered.settle(asked.id, "received", who=an_artisan())
        assert delivered.settle(asked.id, "received", who=an_admin()).status == "received"
