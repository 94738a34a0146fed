"""The catalogue over HTTP: list, read, filter, order, revise and delist products."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest

from tests.http_driver import Session, a_product, a_store, after, assert_error, register

pytestmark = pytest.mark.integration


def post_product(
    client: httpx.Client, who: Session, store_id: str, **fields: Any
) -> httpx.Response:
    body = {"store_id": store_id, "title": "Mug", "price": "10.00", "category": "ceramics"}
    return client.post("/api/products", json={**body, **fields}, headers=who.auth)


def products(client: httpx.Client, since: httpx.Response, **params: Any) -> list[dict[str, Any]]:
    response = client.get("/api/products", params=params, headers=after(since))
    assert response.status_code == 200, response.text
    return list(response.json()["results"])


@pytest.fixture
def owner(client: httpx.Client) -> Session:
    return register(client, "artisan")


@pytest.fixture
def store(client: httpx.Client, owner: Session) -> dict[str, Any]:
    return a_store(client, owner)


class TestListProduct:
    def test_answers_201_with_the_product_priced_as_a_string(
        self, client: httpx.Client, owner: Session, store: dict[str, Any]
    ) -> None:
        response = post_product(client, owner, store["id"], price="35", description="Big")

        assert response.status_code == 201, response.text
        product = response.json()
        assert set(product) == {
            "id",
            "store_id",
            "title",
            "description",
            "price",
            "category",
            "flash_sale",
            "created_at",
        }
        assert (product["store_id"], product["price"]) == (store["id"], "35.00")
        assert "X-Event-Position" in response.headers

    @pytest.mark.parametrize("price", ["0", "-1.00", "1.005"])
    def test_refuses_a_price_that_is_not_positive_whole_cents(
        self, client: httpx.Client, owner: Session, store: dict[str, Any], price: str
    ) -> None:
        response = post_product(client, owner, store["id"], price=price)

        assert_error(response, 400)

    def test_refuses_someone_who_does_not_own_the_store(
        self, client: httpx.Client, store: dict[str, Any]
    ) -> None:
        stranger = register(client, "artisan")

        response = post_product(client, stranger, store["id"])

        assert_error(response, 403, "forbidden")


class TestGetProduct:
    def test_returns_the_product(
        self, client: httpx.Client, owner: Session, store: dict[str, Any]
    ) -> None:
        created = post_product(client, owner, store["id"])

        response = client.get(f"/api/products/{created.json()['id']}", headers=after(created))

        assert response.status_code == 200, response.text
        assert response.json() == created.json()

    def test_answers_404_for_an_unknown_product(self, client: httpx.Client) -> None:
        response = client.get(f"/api/products/{uuid.uuid4()}")

        assert_error(response, 404, "product_not_found")


class TestListProducts:
    @pytest.fixture
    def shelf(
        self, client: httpx.Client, owner: Session, store: dict[str, Any]
    ) -> tuple[str, httpx.Response]:
        """Three products in a fresh store: Bowl 5.00, Cup 20.00 (glass), Ash tray 12.50."""
        post_product(client, owner, store["id"], title="Bowl", price="5.00")
        post_product(client, owner, store["id"], title="Cup", price="20.00", category="glass")
        last = post_product(client, owner, store["id"], title="ash tray", price="12.50")
        return store["id"], last

    def titles(self, client: httpx.Client, shelf: tuple[str, Any], **params: Any) -> list[str]:
        store_id, last = shelf
        return [p["title"] for p in products(client, last, store_id=store_id, **params)]

    def test_filters_by_store(self, client: httpx.Client, shelf: tuple[str, Any]) -> None:
        assert sorted(self.titles(client, shelf)) == ["Bowl", "Cup", "ash tray"]

    def test_filters_by_category(self, client: httpx.Client, shelf: tuple[str, Any]) -> None:
        assert self.titles(client, shelf, category="glass") == ["Cup"]

    def test_filters_by_price_range(self, client: httpx.Client, shelf: tuple[str, Any]) -> None:
        titles = self.titles(client, shelf, min_price="6", max_price="20.00", sort="price")

        assert titles == ["ash tray", "Cup"]

    @pytest.mark.parametrize(
        ("sort", "expected"),
        [
            ("price", ["Bowl", "ash tray", "Cup"]),
            ("-price", ["Cup", "ash tray", "Bowl"]),
            ("title", ["ash tray", "Bowl", "Cup"]),
            ("-title", ["Cup", "Bowl", "ash tray"]),
            ("newest", ["ash tray", "Cup", "Bowl"]),
        ],
    )
    def test_orders_by_the_requested_key(
        self, client: httpx.Client, shelf: tuple[str, Any], sort: str, expected: list[str]
    ) -> None:
        assert self.titles(client, shelf, sort=sort) == expected

    def test_still_takes_the_old_name_of_sort(
        self, client: httpx.Client, shelf: tuple[str, Any]
    ) -> None:
        assert self.titles(client, shelf, ordering="-title") == ["Cup", "Bowl", "ash tray"]

    def test_answers_a_paginated_envelope(
        self, client: httpx.Client, shelf: tuple[str, Any]
    ) -> None:
        store_id, last = shelf

        response = client.get(
            "/api/products", params={"store_id": store_id, "page_size": 2}, headers=after(last)
        )

        body = response.json()
        assert (body["count"], body["page"], body["page_size"]) == (3, 1, 2)
        assert len(body["results"]) == 2

    def test_refuses_a_page_size_over_100(self, client: httpx.Client) -> None:
        response = client.get("/api/products", params={"page_size": 101})

        assert_error(response, 400, "validation_error")

    def test_refuses_a_min_price_above_the_max_price(self, client: httpx.Client) -> None:
        response = client.get("/api/products", params={"min_price": "20", "max_price": "10"})

        assert_error(response, 400, "validation_error")

    def test_refuses_an_unknown_ordering(self, client: httpx.Client) -> None:
        response = client.get("/api/products", params={"ordering": "popularity"})

        assert_error(response, 400, "validation_error")


class TestReviseProduct:
    def test_put_replaces_every_field(
        self, client: httpx.Client, owner: Session, store: dict[str, Any]
    ) -> None:
        product = a_product(client, owner, store["id"])
        revision = {"title": "Jug", "description": "Tall", "price": "12.00", "category": "jugs"}

        response = client.put(f"/api/products/{product['id']}", json=revision, headers=owner.auth)

        assert response.status_code == 200, response.text
        seen = client.get(f"/api/products/{product['id']}", headers=after(response)).json()
        assert {key: seen[key] for key in revision} == revision

    def test_put_refuses_a_partial_body(
        self, client: httpx.Client, owner: Session, store: dict[str, Any]
    ) -> None:
        product = a_product(client, owner, store["id"])

        response = client.put(
            f"/api/products/{product['id']}", json={"title": "Jug"}, headers=owner.auth
        )

        assert_error(response, 400, "validation_error")

    def test_patch_changes_only_the_given_fields(
        self, client: httpx.Client, owner: Session, store: dict[str, Any]
    ) -> None:
        product = a_product(client, owner, store["id"], title="Mug", price="10.00")

        response = client.patch(
            f"/api/products/{product['id']}", json={"price": "11.50"}, headers=owner.auth
        )

        assert response.status_code == 200, response.text
        seen = client.get(f"/api/products/{product['id']}", headers=after(response)).json()
        assert (seen["title"], seen["price"]) == ("Mug", "11.50")

    def test_patch_refuses_a_zero_price(
        self, client: httpx.Client, owner: Session, store: dict[str, Any]
    ) -> None:
        product = a_product(client, owner, store["id"])

        response = client.patch(
            f"/api/products/{product['id']}", json={"price": "0"}, headers=owner.auth
        )

        assert_error(response, 400)

    def test_refuses_someone_who_does_not_own_the_store(
        self, client: httpx.Client, owner: Session, store: dict[str, Any]
    ) -> None:
        product = a_product(client, owner, store["id"])
        stranger = register(client, "artisan")

        response = client.patch(
            f"/api/products/{product['id']}", json={"title": "Mine"}, headers=stranger.auth
        )

        assert_error(response, 403, "forbidden")


class TestDelistProduct:
    def test_a_delisted_product_is_gone(
        self, client: httpx.Client, owner: Session, store: dict[str, Any]
    ) -> None:
        product = a_product(client, owner, store["id"])

        response = client.delete(f"/api/products/{product['id']}", headers=owner.auth)

        assert response.status_code == 204, response.text
        gone = client.get(f"/api/products/{product['id']}", headers=after(response))
        assert_error(gone, 404, "product_not_found")
        assert products(client, response, store_id=store["id"]) == []

    def test_refuses_an_anonymous_caller(
        self, client: httpx.Client, owner: Session, store: dict[str, Any]
    ) -> None:
        product = a_product(client, owner, store["id"])

        response = client.delete(f"/api/products/{product['id']}")

        assert_error(response, 401)

    def test_refuses_someone_who_does_not_own_the_store(
        self, client: httpx.Client, owner: Session, store: dict[str, Any]
    ) -> None:
        product = a_product(client, owner, store["id"])
        stranger = register(client, "artisan")

        response = client.delete(f"/api/products/{product['id']}", headers=stranger.auth)

        assert_error(response, 403, "forbidden")


class TestCategories:
    def test_lists_the_categories_of_listed_products(
        self, client: httpx.Client, owner: Session, store: dict[str, Any]
    ) -> None:
        category = f"cat-{uuid.uuid4().hex[:8]}"
        created = post_product(client, owner, store["id"], category=category)

        response = client.get("/api/categories", headers=after(created))

        assert response.status_code == 200, response.text
        assert category in response.json()
        assert response.json() == sorted(response.json())
