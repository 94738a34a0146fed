"""Returns of one order asked at once from two processes: never more back than delivered."""

from __future__ import annotations

from collections.abc import Iterator
from uuid import UUID

import pytest

from tests.builders import (
    a_customer,
    a_product_in,
    a_store_in,
    an_artisan,
    an_order_for,
    stock_of,
)
from tests.integration.crowd import at_once, two_shop_processes
from write_model.commands import ChangeOrderStatus, OrderItem, RequestReturn
from write_model.returns import ReturnExceedsDeliveredError
from write_model.shop import Shop

pytestmark = pytest.mark.integration
ROUNDS = 10


@pytest.fixture
def two_shops(event_store_env: dict[str, str]) -> Iterator[tuple[Shop, Shop]]:
    with two_shop_processes(event_store_env) as shops:
        yield shops


def test_two_returns_of_the_last_units_at_once_take_them_back_once(
    two_shops: tuple[Shop, Shop],
) -> None:
    first, second = two_shops
    owner, customer = an_artisan(), a_customer()
    store = a_store_in(first, owner)
    mug = a_product_in(first, store, owner)
    stock_of(first, store, mug, owner, 2 * ROUNDS)

    for _ in range(ROUNDS):
        order = an_order_for(first, store, customer.user_id, {mug: 2})
        for status in ("processing", "shipped", "delivered"):
            first.change_order_status(ChangeOrderStatus(order_id=order.id, status=status), owner)
        ask = RequestReturn(
            order_id=order.id, items=(OrderItem(product_id=mug, quantity=2),), reason="Spare."
        )
        second.returns_of(order.id)  # warm, as a process that served this order before

        outcomes = at_once(
            lambda s=first, a=ask: s.request_return(a, customer),
            lambda s=second, a=ask: s.request_return(a, customer),
        )

        refused = [o for o in outcomes if isinstance(o, ReturnExceedsDeliveredError)]
        assert len(refused) == 1, outcomes
        assert returned_units(first, order.id) == 2


def returned_units(shop: Shop, order_id: UUID) -> int:
    return sum(line.quantity for r in shop.returns_of(order_id) for line in r.lines)
