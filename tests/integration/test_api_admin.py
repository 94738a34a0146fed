"""The admin's view of every order over HTTP: filters, order, pages, and who is refused."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from bazaar.wiring import Container
from tests.http_driver import (
    Session,
    a_stocked_product,
    after,
    an_admin,
    assert_error,
    place,
    register,
    set_status,
)

pytestmark = pytest.mark.integration


@dataclass(frozen=True)
class Marketplace:
    """Two customers' orders at a fresh store (oldest first), the last one cancelled."""

    admin: Session
    owner: Session
    alice: Session
    bob: Session
    store_id: str
    order_ids: tuple[str, ...]
    last: httpx.Response


@pytest.fixture
def market(client: httpx.Client, container: Container) -> Marketplace:
    shelf, alice, bob = a_stocked_product(client), register(client), register(client)
    orders = [
        place(client, who, shelf.store_id, {shelf.product_id: 1}) for who in (alice, bob, alice)
    ]
    cancelled = set_status(client, alice, orders[-1].json()["id"], "cancelled")
    ids = tuple(o.json()["id"] for o in orders)
    return Marketplace(
        an_admin(client, container.accounts),
        shelf.owner,
        alice,
        bob,
        shelf.store_id,
        ids,
        cancelled,
    )


def admin_orders(client: httpx.Client, market: Marketplace, **params: Any) -> dict[str, Any]:
    response = client.get(
        "/api/admin/orders", params=params, headers={**market.admin.auth, **after(market.last)}
    )
    assert response.status_code == 200, response.text
    return dict(response.json())


def ids_of(page: dict[str, Any]) -> list[str]:
    return [order["id"] for order in page["results"]]


class TestAdminOrders:
    def test_lists_a_stores_orders_newest_first(
        self, client: httpx.Client, market: Marketplace
    ) -> None:
        page = admin_orders(client, market, store_id=market.store_id)

        assert ids_of(page) == list(reversed(market.order_ids))
        assert page["count"] == 3
        assert set(page["results"][0]) == {
            "id",
            "store_id",
            "user_id",
            "status",
            "created_at",
            "total_items",
            "total_price",
        }

    def test_filters_by_status(self, client: httpx.Client, market: Marketplace) -> None:
        page = admin_orders(client, market, store_id=market.store_id, status="cancelled")

        assert ids_of(page) == [market.order_ids[-1]]

    def test_filters_by_customer(self, client: httpx.Client, market: Marketplace) -> None:
        page = admin_orders(client, market, user_id=market.bob.user_id)

        assert ids_of(page) == [market.order_ids[1]]

    def test_combines_the_filters(self, client: httpx.Client, market: Marketplace) -> None:
        page = admin_orders(
            client,
            market,
            store_id=market.store_id,
            user_id=market.alice.user_id,
            status="confirmed",
        )

        assert ids_of(page) == [market.order_ids[0]]

    def test_pages_through_the_orders(self, client: httpx.Client, market: Marketplace) -> None:
        page = admin_orders(client, market, store_id=market.store_id, page=2, page_size=2)

        assert (page["count"], page["page"], page["page_size"]) == (3, 2, 2)
        assert ids_of(page) == [market.order_ids[0]]

    def test_sees_orders_of_every_store(self, client: httpx.Client, market: Marketplace) -> None:
        page = admin_orders(client, market, page_size=100)

        assert page["count"] >= 3

    @pytest.mark.parametrize(
        "params",
        [{"status": "lost"}, {"user_id": "me"}, {"store_id": "42"}, {"page_size": 101}],
        ids=["unknown status", "user_id not a uuid", "store_id not a uuid", "page too big"],
    )
    def test_refuses_bad_filters(
        self, client: httpx.Client, market: Marketplace, params: dict[str, Any]
    ) -> None:
        response = client.get("/api/admin/orders", params=params, headers=market.admin.auth)

        assert_error(response, 400, "validation_error")


class TestAdminOrdersRefusals:
    @pytest.mark.parametrize("role", ["customer", "artisan"])
    def test_refuses_anyone_but_an_admin(self, client: httpx.Client, role: str) -> None:
        response = client.get("/api/admin/orders", headers=register(client, role).auth)

        assert_error(response, 403, "forbidden")

    def test_refuses_without_a_token(self, client: httpx.Client) -> None:
        response = client.get("/api/admin/orders")

        assert_error(response, 401, "unauthenticated")
