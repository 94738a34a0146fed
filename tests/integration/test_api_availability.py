"""One product on the shelves of several stores: stocking, ordering and finding it over HTTP."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest

from bazaar.wiring import Container
from tests.http_driver import (
    Session,
    a_product,
    a_store,
    adjust,
    after,
    an_admin,
    assert_error,
    available,
    place,
    receive,
    register,
)

pytestmark = pytest.mark.integration
# A spot in the Pacific, so no other test's store is ever near it.
SPOT = (-20.0, -140.0)


def a_store_north_of_spot(
    client: httpx.Client, owner: Session, km: float, **fields: Any
) -> dict[str, Any]:
    return a_store(client, owner, lat=SPOT[0] + km / 111.2, lng=SPOT[1], **fields)


class TestStockingElsewhere:
    def test_an_owner_stocks_their_product_in_each_of_their_stores(
        self, client: httpx.Client
    ) -> None:
        owner = register(client, "artisan")
        home, branch = a_store(client, owner), a_store(client, owner, name="Branch")
        mug = a_product(client, owner, home["id"])

        response = receive(client, owner, branch["id"], mug["id"], 4)

        assert response.status_code == 201, response.text
        assert available(client, branch["id"], response) == {mug["id"]: 4}

    def test_refuses_a_store_of_another_owner(self, client: httpx.Client) -> None:
        owner, other = register(client, "artisan"), register(client, "artisan")
        mug = a_product(client, owner, a_store(client, owner)["id"])

        response = adjust(client, other, a_store(client, other)["id"], mug["id"], 4)

        assert_error(response, 403, "forbidden")

    def test_an_admin_stocks_any_product_anywhere(
        self, client: httpx.Client, container: Container
    ) -> None:
        owner, other = register(client, "artisan"), register(client, "artisan")
        mug = a_product(client, owner, a_store(client, owner)["id"])
        elsewhere = a_store(client, other)

        response = receive(
            client, an_admin(client, container.accounts), elsewhere["id"], mug["id"], 2
        )

        assert available(client, elsewhere["id"], response) == {mug["id"]: 2}

    def test_refuses_an_unknown_product(self, client: httpx.Client) -> None:
        owner = register(client, "artisan")

        response = adjust(client, owner, a_store(client, owner)["id"], str(uuid.uuid4()), 4)

        assert_error(response, 404, "product_not_found")


class TestOrderingElsewhere:
    def test_orders_a_product_from_a_branch_that_stocks_it(self, client: httpx.Client) -> None:
        owner, customer = register(client, "artisan"), register(client)
        home, branch = a_store(client, owner), a_store(client, owner, name="Branch")
        mug = a_product(client, owner, home["id"])
        receive(client, owner, branch["id"], mug["id"], 3)

        response = place(client, customer, branch["id"], {mug["id"]: 2})

        assert response.status_code == 201, response.text
        assert available(client, branch["id"], response) == {mug["id"]: 1}

    def test_a_store_without_the_product_is_short_of_every_unit(self, client: httpx.Client) -> None:
        owner, other, customer = (
            register(client, "artisan"),
            register(client, "artisan"),
            register(client),
        )
        mug = a_product(client, owner, a_store(client, owner)["id"])
        elsewhere = a_store(client, other)

        response = place(client, customer, elsewhere["id"], {mug["id"]: 2})

        assert_error(response, 400, "insufficient_stock")
        assert response.json()["details"]["shortfalls"] == [
            {"product_id": mug["id"], "requested": 2, "available": 0}
        ]


class TestAvailability:
    def test_lists_the_stores_that_have_it_nearest_first(self, client: httpx.Client) -> None:
        owner = register(client, "artisan")
        far = a_store_north_of_spot(client, owner, 8, name="Far", city="Papeete")
        near = a_store_north_of_spot(client, owner, 2, name="Near", city="Faaa")
        empty = a_store_north_of_spot(client, owner, 1, name="Empty")
        beyond = a_store_north_of_spot(client, owner, 50, name="Beyond")
        mug = a_product(client, owner, far["id"])
        for store, quantity in ((far, 9), (near, 1), (beyond, 5)):
            last = receive(client, owner, store["id"], mug["id"], quantity)
        receive(client, owner, empty["id"], mug["id"], 1)
        last = place(client, register(client), empty["id"], {mug["id"]: 1})

        response = client.get(
            f"/api/products/{mug['id']}/availability",
            params={"near": f"{SPOT[0]},{SPOT[1]}", "radius_km": 10},
            headers=after(last),
        )

        assert response.status_code == 200, response.text
        found = response.json()
        assert [(s["store_name"], s["city"], s["quantity"]) for s in found] == [
            ("Near", "Faaa", 1),
            ("Far", "Papeete", 9),
        ]
        assert found[0]["store_id"] == near["id"]
        assert found[0]["distance_km"] == pytest.approx(2, abs=0.05)

    def test_without_a_spot_lists_the_most_first(self, client: httpx.Client) -> None:
        owner = register(client, "artisan")
        home, branch = a_store(client, owner, name="Home"), a_store(client, owner, name="Branch")
        mug = a_product(client, owner, home["id"])
        receive(client, owner, home["id"], mug["id"], 2)
        last = receive(client, owner, branch["id"], mug["id"], 7)

        response = client.get(f"/api/products/{mug['id']}/availability", headers=after(last))

        assert [(s["store_name"], s["quantity"], s["distance_km"]) for s in response.json()] == [
            ("Branch", 7, None),
            ("Home", 2, None),
        ]

    def test_answers_404_for_an_unknown_product(self, client: httpx.Client) -> None:
        response = client.get(f"/api/products/{uuid.uuid4()}/availability")

        assert_error(response, 404, "product_not_found")

    def test_refuses_a_spot_off_the_globe(self, client: httpx.Client) -> None:
        owner = register(client, "artisan")
        mug = a_product(client, owner, a_store(client, owner)["id"])

        response = client.get(f"/api/products/{mug['id']}/availability", params={"near": "91,0"})

        assert_error(response, 400, "validation_error")


class TestSearchingElsewhere:
    def test_a_store_s_search_finds_what_it_stocks_with_its_quantity(
        self, client: httpx.Client
    ) -> None:
        owner = register(client, "artisan")
        home, branch = a_store(client, owner), a_store(client, owner, name="Branch")
        word = f"jug{uuid.uuid4().hex[:8]}"
        jug = a_product(client, owner, home["id"], title=f"Jug {word}")
        last = receive(client, owner, branch["id"], jug["id"], 6)

        response = client.get(
            "/api/search/products",
            params={"q": word, "store_id": branch["id"]},
            headers=after(last),
        )

        assert [(h["id"], h["quantity"]) for h in response.json()["results"]] == [(jug["id"], 6)]

    def test_a_search_near_a_spot_finds_what_its_stores_stock(self, client: httpx.Client) -> None:
        owner = register(client, "artisan")
        far = a_store_north_of_spot(client, owner, 500)
        near = a_store_north_of_spot(client, owner, 1)
        word = f"jug{uuid.uuid4().hex[:8]}"
        jug = a_product(client, owner, far["id"], title=f"Jug {word}")
        last = receive(client, owner, near["id"], jug["id"], 1)

        response = client.get(
            "/api/search/products",
            params={"q": word, "near": f"{SPOT[0]},{SPOT[1]}", "radius_km": 5},
            headers=after(last),
        )

        assert [h["id"] for h in response.json()["results"]] == [jug["id"]]
