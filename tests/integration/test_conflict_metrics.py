"""Version conflicts between two processes are decided again, and counted for operators."""

from __future__ import annotations

import pytest
from prometheus_client import REGISTRY

from tests.builders import a_customer, a_product_in, a_store_in, an_artisan, an_order_for, stock_of
from tests.integration.crowd import at_once
from tests.stacks import a_built_stack
from write_model.orders import Order

pytestmark = pytest.mark.integration
ROUNDS = 10


def conflicts(gave_up: str) -> float:
    sample = "bazaar_command_conflicts_total"
    return REGISTRY.get_sample_value(sample, {"log": "shop", "gave_up": gave_up}) or 0.0


def test_every_retry_of_orders_racing_from_two_processes_is_counted(
    database_url: str, redis_url: str
) -> None:
    with (
        a_built_stack(database_url, redis_url) as first,
        a_built_stack(database_url, redis_url) as second,
    ):
        owner, customer = an_artisan(), a_customer()
        store = a_store_in(first.shop, owner)
        mug = a_product_in(first.shop, store, owner)
        stock_of(first.shop, store, mug, owner, 2 * ROUNDS)
        retried = conflicts(gave_up="no")

        placed = [
            outcome
            for _ in range(ROUNDS)
            for outcome in at_once(
                lambda: an_order_for(first.shop, store, customer.user_id, {mug: 1}),
                lambda: an_order_for(second.shop, store, customer.user_id, {mug: 1}),
            )
        ]

    assert all(isinstance(order, Order) for order in placed), placed
    assert conflicts(gave_up="no") > retried, "two processes saving one item at once conflict"
