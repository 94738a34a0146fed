"""Orders over HTTP: placing, idempotency, reading, who sees what, and the lifecycle."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from bazaar.wiring import Container
from tests.http_driver import (
    Session,
    a_product,
    a_store,
    after,
    an_admin,
    assert_error,
    available,
    place,
    receive,
    register,
    set_status,
)

pytestmark = pytest.mark.integration


@dataclass(frozen=True)
class Shop:
    """A fresh store with a mug (10.00) and a bowl (5.00), ten of each in stock."""

    owner: Session
    customer: Session
    store_id: str
    mug: str
    bowl: str
    stocked: httpx.Response


@pytest.fixture
def shop(client: httpx.Client) -> Shop:
    owner, customer = register(client, "artisan"), register(client)
    store = a_store(client, owner)
    mug = a_product(client, owner, store["id"], price="10.00", title="Mug")
    bowl = a_product(client, owner, store["id"], price="5.00", title="Bowl")
    receive(client, owner, store["id"], mug["id"], 10)
    stocked = receive(client, owner, store["id"], bowl["id"], 10)
    return Shop(owner, customer, store["id"], mug["id"], bowl["id"], stocked)


def post_order(
    client: httpx.Client, who: Session, store_id: str, items: list[dict[str, Any]], **headers: str
) -> httpx.Response:
    return client.post(
        "/api/orders", json={"store_id": store_id, "items": items}, headers={**who.auth, **headers}
    )


def confirmed(client: httpx.Client, shop: Shop, quantities: dict[str, int]) -> httpx.Response:
    placed = place(client, shop.customer, shop.store_id, quantities)
    assert placed.status_code == 201, placed.text
    return placed


def order_of(client: httpx.Client, who: Session, placed: httpx.Response) -> httpx.Response:
    return client.get(f"/api/orders/{placed.json()['id']}", headers={**who.auth, **after(placed)})


class TestPlaceOrder:
    def test_totals_the_order_over_its_lines(self, client: httpx.Client, shop: Shop) -> None:
        placed = place(client, shop.customer, shop.store_id, {shop.mug: 2, shop.bowl: 3})

        assert placed.status_code == 201, placed.text
        order = placed.json()
        assert (order["status"], order["total_price"]) == ("confirmed", "35.00")
        assert order["user_id"] == shop.customer.user_id
        assert [(i["quantity"], i["unit_price"], i["line_total"]) for i in order["items"]] == [
            (2, "10.00", "20.00"),
            (3, "5.00", "15.00"),
        ]
        assert "X-Event-Position" in placed.headers

    def test_merges_duplicate_lines_into_one(self, client: httpx.Client, shop: Shop) -> None:
        items = [{"product_id": shop.mug, "quantity": 1}, {"product_id": shop.mug, "quantity": 2}]

        placed = post_order(client, shop.customer, shop.store_id, items)

        assert placed.status_code == 201, placed.text
        assert [(i["product_id"], i["quantity"]) for i in placed.json()["items"]] == [(shop.mug, 3)]

    def test_accepts_quantity_requested_as_an_alias(self, client: httpx.Client, shop: Shop) -> None:
        items = [{"product_id": shop.mug, "quantity_requested": 2}]

        placed = post_order(client, shop.customer, shop.store_id, items)

        assert placed.status_code == 201, placed.text
        assert placed.json()["items"][0]["quantity"] == 2

    @pytest.mark.parametrize(
        "items",
        [[], [{"quantity": 0}], [{"quantity": 1001}]],
        ids=["no items", "quantity 0", "quantity 1001"],
    )
    def test_refuses_impossible_lines(
        self, client: httpx.Client, shop: Shop, items: list[dict[str, Any]]
    ) -> None:
        lines = [{"product_id": shop.mug, **item} for item in items]

        response = post_order(client, shop.customer, shop.store_id, lines)

        assert_error(response, 400)

    def test_refuses_more_than_100_lines(self, client: httpx.Client, shop: Shop) -> None:
        lines = [{"product_id": str(uuid.uuid4()), "quantity": 1} for _ in range(101)]

        response = post_order(client, shop.customer, shop.store_id, lines)

        assert_error(response, 400)

    def test_refuses_an_unknown_product(self, client: httpx.Client, shop: Shop) -> None:
        response = place(client, shop.customer, shop.store_id, {str(uuid.uuid4()): 1})

        assert_error(response, 400, "unknown_product")

    def test_answers_404_for_an_unknown_store(self, client: httpx.Client, shop: Shop) -> None:
        response = place(client, shop.customer, str(uuid.uuid4()), {shop.mug: 1})

        assert_error(response, 404, "store_not_found")

    def test_refuses_a_total_below_the_minimum(self, client: httpx.Client) -> None:
        owner, customer = register(client, "artisan"), register(client)
        store = a_store(client, owner)
        sweet = a_product(client, owner, store["id"], price="0.50")
        receive(client, owner, store["id"], sweet["id"], 5)

        response = place(client, customer, store["id"], {sweet["id"]: 1})

        assert_error(response, 400, "order_total_too_low")

    def test_refuses_without_a_token(self, client: httpx.Client, shop: Shop) -> None:
        items = [{"product_id": shop.mug, "quantity": 1}]

        response = client.post("/api/orders", json={"store_id": shop.store_id, "items": items})

        assert_error(response, 401, "unauthenticated")

    def test_refuses_a_malformed_json_body(self, client: httpx.Client, shop: Shop) -> None:
        response = client.post(
            "/api/orders",
            content=b'{"store_id": ',
            headers={**shop.customer.auth, "Content-Type": "application/json"},
        )

        assert_error(response, 400, "validation_error")

    def test_answers_on_the_trailing_slash_path_without_redirect(
        self, client: httpx.Client, shop: Shop
    ) -> None:
        items = [{"product_id": shop.mug, "quantity": 1}]

        response = client.post(
            "/api/orders/",
            json={"store_id": shop.store_id, "items": items},
            headers=shop.customer.auth,
        )

        assert response.status_code == 201, response.text


class TestShortfall:
    def test_a_product_not_stocked_counts_as_none_available(self, client: httpx.Client) -> None:
        owner, customer = register(client, "artisan"), register(client)
        store = a_store(client, owner)
        mug = a_product(client, owner, store["id"])

        refused = place(client, customer, store["id"], {mug["id"]: 1})

        body = assert_error(refused, 400, "insufficient_stock")
        assert body["details"]["shortfalls"] == [
            {"product_id": mug["id"], "requested": 1, "available": 0}
        ]
        mine = client.get("/api/orders", headers={**customer.auth, **after(refused)}).json()
        assert [(o["id"], o["status"]) for o in mine["results"]] == [
            (body["details"]["order_id"], "rejected")
        ]

    def test_one_short_line_reserves_nothing_for_the_others(
        self, client: httpx.Client, shop: Shop
    ) -> None:
        refused = place(client, shop.customer, shop.store_id, {shop.mug: 2, shop.bowl: 11})

        body = assert_error(refused, 400, "insufficient_stock")
        assert [s["product_id"] for s in body["details"]["shortfalls"]] == [shop.bowl]
        assert available(client, shop.store_id, refused) == {shop.mug: 10, shop.bowl: 10}


class TestIdempotencyKey:
    def test_a_repeat_answers_the_first_order_reserving_nothing_more(
        self, client: httpx.Client, shop: Shop
    ) -> None:
        key = {"Idempotency-Key": uuid.uuid4().hex}
        first = place(client, shop.customer, shop.store_id, {shop.mug: 2}, **key)

        again = place(client, shop.customer, shop.store_id, {shop.mug: 2}, **key)

        assert (first.status_code, again.status_code) == (201, 201)
        assert again.json()["id"] == first.json()["id"]
        assert available(client, shop.store_id, again)[shop.mug] == 8

    def test_the_same_key_with_another_body_is_a_conflict(
        self, client: httpx.Client, shop: Shop
    ) -> None:
        key = {"Idempotency-Key": uuid.uuid4().hex}
        place(client, shop.customer, shop.store_id, {shop.mug: 2}, **key)

        again = place(client, shop.customer, shop.store_id, {shop.mug: 3}, **key)

        assert_error(again, 409, "idempotency_key_reused")


class TestMyOrders:
    def test_lists_only_the_callers_orders_newest_first(
        self, client: httpx.Client, shop: Shop
    ) -> None:
        first = confirmed(client, shop, {shop.mug: 1})
        second = confirmed(client, shop, {shop.bowl: 1})
        place(client, register(client), shop.store_id, {shop.mug: 1})

        response = client.get("/api/orders", headers={**shop.customer.auth, **after(second)})

        ids = [o["id"] for o in response.json()["results"]]
        assert ids == [second.json()["id"], first.json()["id"]]

    def test_pages_through_the_orders(self, client: httpx.Client, shop: Shop) -> None:
        first = confirmed(client, shop, {shop.mug: 1})
        second = confirmed(client, shop, {shop.bowl: 1})

        response = client.get(
            "/api/orders",
            params={"page": 2, "page_size": 1},
            headers={**shop.customer.auth, **after(second)},
        )

        body = response.json()
        assert (body["count"], body["page"], body["page_size"]) == (2, 2, 1)
        assert [o["id"] for o in body["results"]] == [first.json()["id"]]

    def test_refuses_without_a_token(self, client: httpx.Client) -> None:
        response = client.get("/api/orders")

        assert_error(response, 401, "unauthenticated")


class TestGetOrder:
    def test_the_customer_sees_their_order(self, client: httpx.Client, shop: Shop) -> None:
        placed = confirmed(client, shop, {shop.mug: 2, shop.bowl: 3})

        response = order_of(client, shop.customer, placed)

        assert response.status_code == 200, response.text
        assert response.json() == placed.json()

    def test_another_customer_gets_404(self, client: httpx.Client, shop: Shop) -> None:
        placed = confirmed(client, shop, {shop.mug: 1})

        response = order_of(client, register(client), placed)

        assert_error(response, 404, "order_not_found")

    def test_the_store_owner_sees_it(self, client: httpx.Client, shop: Shop) -> None:
        placed = confirmed(client, shop, {shop.mug: 1})

        response = order_of(client, shop.owner, placed)

        assert response.status_code == 200, response.text

    def test_an_admin_sees_it(self, client: httpx.Client, shop: Shop, container: Container) -> None:
        placed = confirmed(client, shop, {shop.mug: 1})

        response = order_of(client, an_admin(client, container.accounts), placed)

        assert response.status_code == 200, response.text

    def test_an_unknown_order_is_404(self, client: httpx.Client, shop: Shop) -> None:
        response = client.get(f"/api/orders/{uuid.uuid4()}", headers=shop.customer.auth)

        assert_error(response, 404, "order_not_found")


class TestChangeStatus:
    def test_the_store_owner_moves_an_order_through_to_delivered(
        self, client: httpx.Client, shop: Shop
    ) -> None:
        placed = confirmed(client, shop, {shop.mug: 1})
        order_id = placed.json()["id"]

        steps = [set_status(client, shop.owner, order_id, s) for s in ("processing", "shipped")]
        delivered = set_status(client, shop.owner, order_id, "delivered")

        assert [r.status_code for r in (*steps, delivered)] == [200, 200, 200]
        assert order_of(client, shop.customer, delivered).json()["status"] == "delivered"

    def test_a_customer_s_cancellation_gives_the_stock_back(
        self, client: httpx.Client, shop: Shop
    ) -> None:
        placed = confirmed(client, shop, {shop.mug: 4})

        cancelled = set_status(client, shop.customer, placed.json()["id"], "cancelled")

        assert cancelled.status_code == 200, cancelled.text
        assert cancelled.json()["status"] == "cancelled"
        assert available(client, shop.store_id, cancelled)[shop.mug] == 10

    def test_the_customer_may_not_move_it_forward(self, client: httpx.Client, shop: Shop) -> None:
        placed = confirmed(client, shop, {shop.mug: 1})

        response = set_status(client, shop.customer, placed.json()["id"], "processing")

        assert_error(response, 403, "forbidden")

    def test_a_delivered_order_cannot_be_cancelled(self, client: httpx.Client, shop: Shop) -> None:
        order_id = confirmed(client, shop, {shop.mug: 1}).json()["id"]
        for status in ("processing", "shipped", "delivered"):
            set_status(client, shop.owner, order_id, status)

        response = set_status(client, shop.customer, order_id, "cancelled")

        assert_error(response, 409, "illegal_transition")

    def test_the_customer_may_cancel_while_processing(
        self, client: httpx.Client, shop: Shop
    ) -> None:
        order_id = confirmed(client, shop, {shop.mug: 3}).json()["id"]
        set_status(client, shop.owner, order_id, "processing")

        cancelled = set_status(client, shop.customer, order_id, "cancelled")

        assert cancelled.status_code == 200, cancelled.text
        assert available(client, shop.store_id, cancelled)[shop.mug] == 10

    def test_the_store_owner_may_not_cancel(self, client: httpx.Client, shop: Shop) -> None:
        placed = confirmed(client, shop, {shop.mug: 1})

        response = set_status(client, shop.owner, placed.json()["id"], "cancelled")

        assert_error(response, 403, "forbidden")

    def test_an_admin_may_cancel(
        self, client: httpx.Client, shop: Shop, container: Container
    ) -> None:
        placed = confirmed(client, shop, {shop.mug: 1})
        admin = an_admin(client, container.accounts)

        response = set_status(client, admin, placed.json()["id"], "cancelled")

        assert response.status_code == 200, response.text

    def test_shipping_keeps_the_stock_taken(self, client: httpx.Client, shop: Shop) -> None:
        order_id = confirmed(client, shop, {shop.mug: 3}).json()["id"]
        set_status(client, shop.owner, order_id, "processing")

        shipped = set_status(client, shop.owner, order_id, "shipped")

        assert available(client, shop.store_id, shipped)[shop.mug] == 7

    def test_refuses_an_unknown_status(self, client: httpx.Client, shop: Shop) -> None:
        placed = confirmed(client, shop, {shop.mug: 1})

        response = set_status(client, shop.owner, placed.json()["id"], "lost")

        assert_error(response, 400, "validation_error")

    def test_another_customer_gets_404(self, client: httpx.Client, shop: Shop) -> None:
        placed = confirmed(client, shop, {shop.mug: 1})

        response = set_status(client, register(client), placed.json()["id"], "cancelled")

        assert_error(response, 404, "order_not_found")
