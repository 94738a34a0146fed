"""HTTP journeys through the whole stack."""

from __future__ import annotations

import httpx
import pytest

from tests.http_driver import a_product, a_store, after, assert_error, place, receive, register

pytestmark = pytest.mark.e2e


def test_a_customer_follows_an_order_they_placed(client: httpx.Client) -> None:
    owner, customer = register(client, "artisan"), register(client)
    store = a_store(client, owner)
    mug = a_product(client, owner, store["id"], price="10.00", title="Mug")
    bowl = a_product(client, owner, store["id"], price="5.00", title="Bowl")
    receive(client, owner, store["id"], mug["id"], 10)
    receive(client, owner, store["id"], bowl["id"], 10)

    placed = place(client, customer, store["id"], {mug["id"]: 2, bowl["id"]: 3})

    assert placed.status_code == 201, placed.text
    assert placed.json()["status"] == "confirmed"
    assert placed.json()["total_price"] == "35.00"
    seen = client.get(
        f"/api/orders/{placed.json()['id']}", headers={**customer.auth, **after(placed)}
    )
    assert seen.json()["total_price"] == "35.00"
    inventory = client.get(f"/api/stores/{store['id']}/inventory", headers=after(placed)).json()[
        "results"
    ]
    assert [(line["title"], line["quantity"]) for line in inventory] == [("Bowl", 7), ("Mug", 8)]


def test_a_shortfall_is_recorded_as_a_rejected_order(client: httpx.Client) -> None:
    owner, customer = register(client, "artisan"), register(client)
    store = a_store(client, owner)
    mug = a_product(client, owner, store["id"])
    receive(client, owner, store["id"], mug["id"], 1)

    refused = place(client, customer, store["id"], {mug["id"]: 2})

    body = assert_error(refused, 400, "insufficient_stock")
    assert body["details"]["shortfalls"] == [
        {"product_id": mug["id"], "requested": 2, "available": 1}
    ]
    orders = client.get("/api/orders", headers={**customer.auth, **after(refused)}).json()
    assert [o["status"] for o in orders["results"]] == ["rejected"]
