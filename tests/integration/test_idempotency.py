"""Ten parallel retries of one order (same Idempotency-Key) place it once and answer alike."""

from __future__ import annotations

import uuid
from collections import Counter
from dataclasses import dataclass
from uuid import UUID

import httpx
import pytest

from bazaar.wiring import Container
from tests.http_driver import Session, a_product, a_store, place, receive, register
from tests.integration.crowd import Answer, all_at_once
from write_model.inventory import StockItem
from write_model.orders import Order

pytestmark = pytest.mark.integration

RETRIES = 10


@dataclass(frozen=True)
class Retried:
    """One customer's order for two mugs (of five), sent ten times at once with one key."""

    customer: Session
    store_id: str
    mug_id: str
    answers: list[Answer]

    @property
    def order_id(self) -> UUID:
        return UUID(self.answers[0].body["id"])

    def read_after(self) -> dict[str, str]:
        last = max(answer.position or 0 for answer in self.answers)
        return {**self.customer.auth, "X-Min-Position": str(last)}


@pytest.fixture(scope="module")
def retried(server: str) -> Retried:
    with httpx.Client(base_url=server, timeout=30) as http:
        owner = register(http, role="artisan")
        store_id = a_store(http, owner)["id"]
        mug_id = a_product(http, owner, store_id)["id"]
        receive(http, owner, store_id, mug_id, 5)
        customer = register(http)
    key = {"Idempotency-Key": uuid.uuid4().hex}
    answers = all_at_once(
        server,
        RETRIES,
        lambda http, _: Answer.of(place(http, customer, store_id, {mug_id: 2}, **key)),
    )
    return Retried(customer, store_id, mug_id, answers)


class TestParallelRetriesOfOneOrder:
    def test_every_retry_is_accepted(self, retried: Retried) -> None:
        assert Counter(answer.status for answer in retried.answers) == {201: RETRIES}

    def test_every_retry_answers_with_the_same_order(self, retried: Retried) -> None:
        assert {answer.body["id"] for answer in retried.answers} == {str(retried.order_id)}

    def test_the_stock_is_reserved_once(self, retried: Retried, container: Container) -> None:
        item_id = StockItem.create_id(UUID(retried.store_id), UUID(retried.mug_id))

        item = container.shop.repository.get(item_id)

        assert (item.reserved, item.available) == (2, 3)

    def test_the_order_is_recorded_once(self, retried: Retried, container: Container) -> None:
        events = container.shop.events.get(retried.order_id)

        assert [type(event) for event in events] == [Order.Placed, Order.Confirmed]

    def test_the_customer_sees_one_order(self, retried: Retried, client: httpx.Client) -> None:
        response = client.get("/api/orders", headers=retried.read_after())

        assert [order["id"] for order in response.json()["results"]] == [str(retried.order_id)]
