"""Stores over HTTP: create, read, find nearby, inventory and the store's orders."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest

from bazaar.wiring import Container
from tests.http_driver import (
    a_product,
    a_store,
    adjust,
    after,
    an_admin,
    assert_error,
    available,
    open_store,
    place,
    receive,
    register,
)

pytestmark = pytest.mark.integration
# A spot in the Atlantic, so no other test's store is ever near it.
HOME = (40.0, -30.0)
KM_PER_DEGREE_OF_LATITUDE = 111.2


def a_city() -> str:
    return f"City-{uuid.uuid4().hex[:8]}"


def north_of_home(km: float) -> dict[str, float]:
    return {"lat": HOME[0] + km / KM_PER_DEGREE_OF_LATITUDE, "lng": HOME[1]}


class TestCreateStore:
    def test_makes_the_caller_the_owner_of_a_store_with_the_defaults(
        self, client: httpx.Client
    ) -> None:
        owner = register(client, "artisan")

        response = client.post(
            "/api/stores",
            json={"name": "Kiln", "city": "Porto", "lat": 41.15, "lng": -8.61},
            headers=owner.auth,
        )

        assert response.status_code == 201, response.text
        store = response.json()
        assert store["owner_id"] == owner.user_id
        assert store["delivery_radius_km"] == 10
        assert store["low_stock_threshold"] == 3
        assert "X-Event-Position" in response.headers

    def test_refuses_a_latitude_off_the_globe(self, client: httpx.Client) -> None:
        owner = register(client, "artisan")

        response = client.post(
            "/api/stores",
            json={"name": "Kiln", "city": "Porto", "lat": 91, "lng": -8.61},
            headers=owner.auth,
        )

        assert_error(response, 400, "validation_error")

    def test_refuses_an_anonymous_caller(self, client: httpx.Client) -> None:
        response = client.post(
            "/api/stores", json={"name": "Kiln", "city": "Porto", "lat": 41.15, "lng": -8.61}
        )

        assert_error(response, 401)

    def test_opens_nine_to_six_utc_by_default(self, client: httpx.Client) -> None:
        store = a_store(client, register(client, "artisan"))

        assert (store["timezone"], store["opens_at"], store["closes_at"]) == ("UTC", 9, 18)

    def test_keeps_the_opening_hours_it_is_given(self, client: httpx.Client) -> None:
        hours = {"timezone": "America/New_York", "opens_at": 7, "closes_at": 24}

        created = open_store(client, register(client, "artisan"), **hours)

        shown = client.get(f"/api/stores/{created.json()['id']}", headers=after(created)).json()
        assert {key: shown[key] for key in hours} == hours
        assert shown == created.json()

    @pytest.mark.parametrize(
        "hours",
        [
            {"timezone": "Mars/Olympus_Mons"},
            {"opens_at": 18, "closes_at": 9},
            {"opens_at": 12, "closes_at": 12},
        ],
        ids=["unknown timezone", "closes before it opens", "closes as it opens"],
    )
    def test_refuses_impossible_opening_hours(
        self, client: httpx.Client, hours: dict[str, Any]
    ) -> None:
        body = {"name": "Kiln", "city": "Porto", "lat": 41.15, "lng": -8.61, **hours}

        response = client.post("/api/stores", json=body, headers=register(client, "artisan").auth)

        assert_error(response, 400, "invalid_opening_hours")

    @pytest.mark.parametrize(
        "hours",
        [{"opens_at": 24}, {"opens_at": -1}, {"closes_at": 0}, {"closes_at": 25}, {"timezone": ""}],
        ids=["opens at 24", "opens at -1", "closes at 0", "closes at 25", "empty timezone"],
    )
    def test_refuses_hours_off_the_clock(self, client: httpx.Client, hours: dict[str, Any]) -> None:
        body = {"name": "Kiln", "city": "Porto", "lat": 41.15, "lng": -8.61, **hours}

        response = client.post("/api/stores", json=body, headers=register(client, "artisan").auth)

        assert_error(response, 400, "validation_error")

    def test_lets_a_customer_open_a_store(self, client: httpx.Client) -> None:
        customer = register(client)

        response = open_store(client, customer)

        assert response.json()["owner_id"] == customer.user_id


class TestGetStore:
    def test_returns_the_store(self, client: httpx.Client) -> None:
        owner = register(client, "artisan")
        created = open_store(client, owner)

        response = client.get(f"/api/stores/{created.json()['id']}", headers=after(created))

        assert response.status_code == 200, response.text
        assert response.json() == created.json()

    def test_answers_404_for_an_unknown_store(self, client: httpx.Client) -> None:
        response = client.get(f"/api/stores/{uuid.uuid4()}")

        assert_error(response, 404, "store_not_found")


class TestTaxRate:
    def test_a_store_charges_no_tax_unless_its_owner_sets_a_rate(
        self, client: httpx.Client
    ) -> None:
        store = a_store(client, register(client, "artisan"))

        assert store["tax_rate"] is None

    def test_keeps_the_rate_it_was_registered_with(self, client: httpx.Client) -> None:
        created = open_store(client, register(client, "artisan"), tax_rate="5.5")

        shown = client.get(f"/api/stores/{created.json()['id']}", headers=after(created)).json()
        assert shown["tax_rate"] == created.json()["tax_rate"] == "5.5"

    def test_the_owner_removes_a_rate_they_set(self, client: httpx.Client) -> None:
        owner = register(client, "artisan")
        url = f"/api/stores/{a_store(client, owner)['id']}/tax-rate"

        set_to_20 = client.put(url, json={"tax_rate": 20}, headers=owner.auth)
        removed = client.put(url, json={"tax_rate": None}, headers=owner.auth)

        assert set_to_20.status_code == 200, set_to_20.text
        assert set_to_20.json()["tax_rate"] == "20"
        shown = client.get(url.removesuffix("/tax-rate"), headers=after(removed)).json()
        assert (removed.json()["tax_rate"], shown["tax_rate"]) == (None, None)

    def test_an_admin_sets_any_store_s_rate(
        self, client: httpx.Client, container: Container
    ) -> None:
        store = a_store(client, register(client, "artisan"))
        admin = an_admin(client, container.accounts)

        response = client.put(
            f"/api/stores/{store['id']}/tax-rate", json={"tax_rate": "7.7"}, headers=admin.auth
        )

        assert response.json()["tax_rate"] == "7.7"

    def test_another_user_may_not_set_it(self, client: httpx.Client) -> None:
        store = a_store(client, register(client, "artisan"))

        response = client.put(
            f"/api/stores/{store['id']}/tax-rate",
            json={"tax_rate": "20"},
            headers=register(client, "artisan").auth,
        )

        assert_error(response, 403, "forbidden")

    def test_an_unknown_store_is_a_404(self, client: httpx.Client) -> None:
        response = client.put(
            f"/api/stores/{uuid.uuid4()}/tax-rate",
            json={"tax_rate": "20"},
            headers=register(client, "artisan").auth,
        )

        assert_error(response, 404, "store_not_found")

    @pytest.mark.parametrize("rate", ["-1", "100.5", "5.555", "twenty", True])
    def test_refuses_a_rate_that_is_no_percentage(self, client: httpx.Client, rate: Any) -> None:
        owner = register(client, "artisan")
        url = f"/api/stores/{a_store(client, owner)['id']}/tax-rate"

        response = client.put(url, json={"tax_rate": rate}, headers=owner.auth)

        assert_error(response, 400, "validation_error")


class TestListStores:
    def test_filters_by_city(self, client: httpx.Client) -> None:
        owner, city = register(client, "artisan"), a_city()
        mine = a_store(client, owner, city=city)
        last = open_store(client, owner, city=a_city())

        response = client.get("/api/stores", params={"city": city}, headers=after(last))

        assert response.status_code == 200, response.text
        assert [s["id"] for s in response.json()["results"]] == [mine["id"]]
        assert response.json()["count"] == 1

    def test_filters_by_owner(self, client: httpx.Client) -> None:
        owner, other = register(client, "artisan"), register(client, "artisan")
        mine = a_store(client, owner)
        a_store(client, other)
        last = open_store(client, owner, name="Zebra Shop")

        response = client.get(
            "/api/stores", params={"owner_id": owner.user_id}, headers=after(last)
        )

        assert [s["id"] for s in response.json()["results"]] == [mine["id"], last.json()["id"]]

    def test_near_keeps_stores_within_the_default_10_km(self, client: httpx.Client) -> None:
        owner = register(client, "artisan")
        close = a_store(client, owner, **north_of_home(5))
        far = open_store(client, owner, **north_of_home(50))

        response = client.get(
            "/api/stores",
            params={"near": f"{HOME[0]},{HOME[1]}", "page_size": 100},
            headers=after(far),
        )

        ids = [s["id"] for s in response.json()["results"]]
        assert close["id"] in ids
        assert far.json()["id"] not in ids

    def test_refuses_a_malformed_near(self, client: httpx.Client) -> None:
        response = client.get("/api/stores", params={"near": "lisbon"})

        assert_error(response, 400, "validation_error")

    def test_refuses_a_near_latitude_off_the_globe(self, client: httpx.Client) -> None:
        response = client.get("/api/stores", params={"near": "95,10"})

        assert_error(response, 400, "validation_error")


class TestInventory:
    def test_lists_available_stock_by_title_with_a_cache_header(self, client: httpx.Client) -> None:
        owner = register(client, "artisan")
        store = a_store(client, owner)
        vase = a_product(client, owner, store["id"], title="Vase")
        bowl = a_product(client, owner, store["id"], title="Bowl")
        receive(client, owner, store["id"], vase["id"], 4)
        last = receive(client, owner, store["id"], bowl["id"], 2)

        response = client.get(f"/api/stores/{store['id']}/inventory", headers=after(last))

        assert response.status_code == 200, response.text
        assert response.headers["X-Cache"] in {"HIT", "MISS"}
        assert [(line["title"], line["quantity"]) for line in response.json()["results"]] == [
            ("Bowl", 2),
            ("Vase", 4),
        ]
        assert set(response.json()["results"][0]) == {
            "product_id",
            "title",
            "price",
            "category",
            "quantity",
        }

    def test_pages_the_inventory_by_title(self, client: httpx.Client) -> None:
        owner = register(client, "artisan")
        store = a_store(client, owner)
        for title in ("Vase", "Bowl", "Jug"):
            product = a_product(client, owner, store["id"], title=title)
            last = receive(client, owner, store["id"], product["id"], 1)

        response = client.get(
            f"/api/stores/{store['id']}/inventory",
            params={"page": 2, "page_size": 2},
            headers=after(last),
        )

        body = response.json()
        assert (body["count"], body["page"], body["page_size"]) == (3, 2, 2)
        assert [line["title"] for line in body["results"]] == ["Vase"]

    def test_receiving_answers_the_new_stock_levels(self, client: httpx.Client) -> None:
        owner = register(client, "artisan")
        store = a_store(client, owner)
        mug = a_product(client, owner, store["id"])

        response = receive(client, owner, store["id"], mug["id"], 5)

        assert response.json()["on_hand"] == 5
        assert response.json()["available"] == 5
        assert "X-Event-Position" in response.headers

    def test_a_negative_adjustment_lowers_what_is_available(self, client: httpx.Client) -> None:
        owner = register(client, "artisan")
        store = a_store(client, owner)
        mug = a_product(client, owner, store["id"])
        receive(client, owner, store["id"], mug["id"], 5)

        response = adjust(client, owner, store["id"], mug["id"], -2, reason="breakage")

        assert response.status_code == 201, response.text
        assert available(client, store["id"], response) == {mug["id"]: 3}

    def test_refuses_an_adjustment_below_what_is_available(self, client: httpx.Client) -> None:
        owner = register(client, "artisan")
        store = a_store(client, owner)
        mug = a_product(client, owner, store["id"])
        receive(client, owner, store["id"], mug["id"], 2)

        response = adjust(client, owner, store["id"], mug["id"], -3)

        assert_error(response, 400, "negative_stock")

    def test_refuses_stock_from_someone_who_does_not_own_the_store(
        self, client: httpx.Client
    ) -> None:
        owner, stranger = register(client, "artisan"), register(client, "artisan")
        store = a_store(client, owner)
        mug = a_product(client, owner, store["id"])

        response = adjust(client, stranger, store["id"], mug["id"], 5, reason="received")

        assert_error(response, 403, "forbidden")

    def test_lets_an_admin_receive_stock_in_any_store(
        self, client: httpx.Client, container: Container
    ) -> None:
        owner = register(client, "artisan")
        store = a_store(client, owner)
        mug = a_product(client, owner, store["id"])

        response = adjust(client, an_admin(client, container.accounts), store["id"], mug["id"], 2)

        assert response.status_code == 201, response.text

    def test_a_revised_product_shows_its_revision(self, client: httpx.Client) -> None:
        owner = register(client, "artisan")
        store = a_store(client, owner)
        mug = a_product(client, owner, store["id"], title="Mug", price="10.00")
        receive(client, owner, store["id"], mug["id"], 2)
        revised = client.patch(
            f"/api/products/{mug['id']}", json={"title": "Cup", "price": "12.5"}, headers=owner.auth
        )

        response = client.get(f"/api/stores/{store['id']}/inventory", headers=after(revised))

        assert [(line["title"], line["price"]) for line in response.json()["results"]] == [
            ("Cup", "12.50")
        ]

    def test_a_delisted_product_leaves_the_inventory(self, client: httpx.Client) -> None:
        owner = register(client, "artisan")
        store = a_store(client, owner)
        mug = a_product(client, owner, store["id"], title="Mug")
        bowl = a_product(client, owner, store["id"], title="Bowl")
        receive(client, owner, store["id"], mug["id"], 2)
        receive(client, owner, store["id"], bowl["id"], 2)

        delisted = client.delete(f"/api/products/{bowl['id']}", headers=owner.auth)

        assert available(client, store["id"], delisted) == {mug["id"]: 2}

    def test_answers_404_for_an_unknown_store(self, client: httpx.Client) -> None:
        response = client.get(f"/api/stores/{uuid.uuid4()}/inventory")

        assert_error(response, 404, "store_not_found")


class TestStoreOrders:
    def test_lists_the_stores_orders_with_totals_for_its_owner(self, client: httpx.Client) -> None:
        owner, customer = register(client, "artisan"), register(client)
        store = a_store(client, owner)
        mug = a_product(client, owner, store["id"], price="10.00")
        receive(client, owner, store["id"], mug["id"], 5)
        placed = place(client, customer, store["id"], {mug["id"]: 3})

        response = client.get(
            f"/api/stores/{store['id']}/orders", headers={**owner.auth, **after(placed)}
        )

        assert response.status_code == 200, response.text
        [order] = response.json()["results"]
        assert order["id"] == placed.json()["id"]
        assert (order["total_items"], order["total_price"]) == (3, "30.00")

    def test_refuses_a_stranger(self, client: httpx.Client) -> None:
        owner, stranger = register(client, "artisan"), register(client, "artisan")
        created = open_store(client, owner)

        response = client.get(
            f"/api/stores/{created.json()['id']}/orders",
            headers={**stranger.auth, **after(created)},
        )

        assert_error(response, 403, "forbidden")

    def test_an_admin_sees_any_stores_orders(
        self, client: httpx.Client, container: Container
    ) -> None:
        created = open_store(client, register(client, "artisan"))
        admin = an_admin(client, container.accounts)

        response = client.get(
            f"/api/stores/{created.json()['id']}/orders", headers={**admin.auth, **after(created)}
        )

        assert response.status_code == 200, response.text
        assert response.json()["count"] == 0
