"""Flash sales and recommendations over HTTP: who may set a sale, what orders pay, what is shown."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from bazaar.wiring import Container
from tests.http_driver import (
    Session,
    a_product,
    a_stocked_product,
    after,
    an_admin,
    assert_error,
    place,
    register,
)

pytestmark = pytest.mark.integration


@dataclass(frozen=True)
class Listing:
    """A store whose owner lists a mug at 10.00, ten in stock."""

    owner: Session
    store_id: str
    mug: str


@pytest.fixture
def listing(client: httpx.Client) -> Listing:
    shelf = a_stocked_product(client, 10, price="10.00", title="Mug")
    return Listing(shelf.owner, shelf.store_id, shelf.product_id)


def at(minutes: float) -> str:
    """An ISO time `minutes` from now (negative: ago), with its UTC offset."""
    return (datetime.now(UTC) + timedelta(minutes=minutes)).isoformat()


def put_sale(
    client: httpx.Client,
    who: Session,
    product_id: str,
    price: str = "7.50",
    starts_at: str | None = None,
    ends_at: str | None = None,
) -> httpx.Response:
    """A sale from a minute ago (so an order now falls inside it) to an hour from now."""
    body = {"price": price, "starts_at": starts_at or at(-1), "ends_at": ends_at or at(60)}
    return client.put(f"/api/products/{product_id}/flash-sale", json=body, headers=who.auth)


def on_sale(client: httpx.Client, who: Session, product_id: str, **times: str) -> httpx.Response:
    response = put_sale(client, who, product_id, **times)
    assert response.status_code == 200, response.text
    return response


class TestSetFlashSale:
    def test_the_owner_puts_a_product_on_sale_now_running(
        self, client: httpx.Client, listing: Listing
    ) -> None:
        response = put_sale(client, listing.owner, listing.mug)

        assert response.status_code == 200, response.text
        sale = response.json()["flash_sale"]
        assert (sale["price"], sale["active"]) == ("7.50", True)
        assert "X-Event-Position" in response.headers

    def test_the_product_shows_the_sale_once_projected(
        self, client: httpx.Client, listing: Listing
    ) -> None:
        response = on_sale(client, listing.owner, listing.mug)

        shown = client.get(f"/api/products/{listing.mug}", headers=after(response))

        assert shown.json()["flash_sale"] == response.json()["flash_sale"]

    def test_a_sale_to_come_is_shown_inactive(self, client: httpx.Client, listing: Listing) -> None:
        response = on_sale(client, listing.owner, listing.mug, starts_at=at(30), ends_at=at(90))

        assert response.json()["flash_sale"]["active"] is False

    def test_lets_an_admin_set_a_sale(
        self, client: httpx.Client, container: Container, listing: Listing
    ) -> None:
        response = put_sale(client, an_admin(client, container.accounts), listing.mug)

        assert response.status_code == 200, response.text

    def test_refuses_someone_who_does_not_own_the_store(
        self, client: httpx.Client, listing: Listing
    ) -> None:
        response = put_sale(client, register(client, "artisan"), listing.mug)

        assert_error(response, 403, "forbidden")

    def test_answers_404_for_an_unknown_product(
        self, client: httpx.Client, listing: Listing
    ) -> None:
        response = put_sale(client, listing.owner, str(uuid.uuid4()))

        assert_error(response, 404, "product_not_found")

    def test_refuses_an_anonymous_caller(self, client: httpx.Client, listing: Listing) -> None:
        response = client.put(f"/api/products/{listing.mug}/flash-sale", json={})

        assert_error(response, 401)

    @pytest.mark.parametrize(
        ("fields", "code"),
        [
            ({"price": "10.00"}, "invalid_flash_sale"),
            ({"price": "0"}, "validation_error"),
            ({"price": "7.505"}, "validation_error"),
            ({"starts_at": "2030-01-01T10:00:00"}, "validation_error"),
            ({"starts_at": at(60), "ends_at": at(30)}, "invalid_flash_sale"),
            ({"starts_at": at(-60), "ends_at": at(-1)}, "invalid_flash_sale"),
        ],
    )
    def test_refuses_a_sale_that_breaks_a_rule(
        self, client: httpx.Client, listing: Listing, fields: dict[str, str], code: str
    ) -> None:
        response = put_sale(client, listing.owner, listing.mug, **fields)

        assert_error(response, 400, code)


class TestOrdersDuringAFlashSale:
    def test_an_order_placed_inside_the_window_pays_the_flash_price(
        self, client: httpx.Client, listing: Listing
    ) -> None:
        on_sale(client, listing.owner, listing.mug, price="7.50")

        response = place(client, register(client), listing.store_id, {listing.mug: 2})

        assert response.status_code == 201, response.text
        line = response.json()["items"][0]
        assert (line["unit_price"], line["line_total"]) == ("7.50", "15.00")
        assert response.json()["total_price"] == "15.00"

    def test_an_order_before_the_window_pays_the_regular_price(
        self, client: httpx.Client, listing: Listing
    ) -> None:
        on_sale(client, listing.owner, listing.mug, starts_at=at(30), ends_at=at(90))

        response = place(client, register(client), listing.store_id, {listing.mug: 1})

        assert response.json()["items"][0]["unit_price"] == "10.00"

    def test_an_order_after_the_sale_is_cancelled_pays_the_regular_price(
        self, client: httpx.Client, listing: Listing
    ) -> None:
        on_sale(client, listing.owner, listing.mug)
        cancelled = client.delete(
            f"/api/products/{listing.mug}/flash-sale", headers=listing.owner.auth
        )

        response = place(client, register(client), listing.store_id, {listing.mug: 1})

        assert cancelled.status_code == 204
        assert response.json()["items"][0]["unit_price"] == "10.00"
        shown = client.get(f"/api/products/{listing.mug}", headers=after(cancelled))
        assert shown.json()["flash_sale"] is None


@dataclass(frozen=True)
class Category:
    """Four products of one fresh category, oldest first, then one of another category."""

    owner: Session
    ids: list[str]
    listed: httpx.Response


@pytest.fixture
def category(client: httpx.Client, listing: Listing) -> Category:
    name = f"lamps-{uuid.uuid4().hex[:8]}"
    ids = [
        a_product(client, listing.owner, listing.store_id, title=f"Lamp {n}", category=name)["id"]
        for n in range(4)
    ]
    body = {"store_id": listing.store_id, "title": "Shade", "price": "9.00", "category": "misc"}
    listed = client.post("/api/products", json=body, headers=listing.owner.auth)
    assert listed.status_code == 201, listed.text
    return Category(listing.owner, ids, listed)


def recommended(
    client: httpx.Client, product_id: str, since: httpx.Response | None = None, **params: Any
) -> list[str]:
    headers = after(since) if since is not None else {}
    response = client.get(
        f"/api/products/{product_id}/recommendations", params=params, headers=headers
    )
    assert response.status_code == 200, response.text
    return [product["id"] for product in response.json()]


class TestRecommendations:
    def test_recommends_the_others_of_its_category_newest_first(
        self, client: httpx.Client, category: Category
    ) -> None:
        first, second, third, fourth = category.ids

        found = recommended(client, first, category.listed)

        assert found == [fourth, third, second]

    def test_puts_products_on_a_running_flash_sale_first(
        self, client: httpx.Client, category: Category
    ) -> None:
        first, second, third, fourth = category.ids
        on_sale(client, category.owner, second)
        settled = on_sale(client, category.owner, third, starts_at=at(30), ends_at=at(90))

        found = recommended(client, first, settled)

        assert found == [second, fourth, third]

    def test_never_recommends_the_product_itself(
        self, client: httpx.Client, category: Category
    ) -> None:
        _, second, *_ = category.ids
        settled = on_sale(client, category.owner, second)

        assert second not in recommended(client, second, settled)

    def test_leaves_out_delisted_products(self, client: httpx.Client, category: Category) -> None:
        first, second, third, fourth = category.ids
        delisted = client.delete(f"/api/products/{fourth}", headers=category.owner.auth)

        assert recommended(client, first, delisted) == [third, second]

    def test_recommends_at_most_the_limit(self, client: httpx.Client, category: Category) -> None:
        first, _, third, fourth = category.ids

        assert recommended(client, first, category.listed, limit=2) == [fourth, third]

    @pytest.mark.parametrize("limit", [0, 21, "many"])
    def test_refuses_a_limit_outside_one_to_twenty(
        self, client: httpx.Client, category: Category, limit: object
    ) -> None:
        response = client.get(
            f"/api/products/{category.ids[0]}/recommendations", params={"limit": limit}
        )

        assert_error(response, 400, "validation_error")

    def test_answers_404_for_an_unknown_product(self, client: httpx.Client) -> None:
        response = client.get(f"/api/products/{uuid.uuid4()}/recommendations")

        assert_error(response, 404, "product_not_found")
