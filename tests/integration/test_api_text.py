"""Over HTTP: text with control characters and loosely typed numbers are a 400 naming the field."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from tests.http_driver import (
    Session,
    a_product,
    a_store,
    after,
    assert_error,
    place,
    receive,
    register,
)

pytestmark = pytest.mark.integration
NUL = "\x00"


def fields_named(response: httpx.Response) -> list[str]:
    """The fields a 400 validation_error names."""
    body = assert_error(response, 400, "validation_error")
    return [problem["field"] for problem in body["details"]]


def a_slot() -> str:
    day = datetime.now(UTC) + timedelta(days=2)
    return day.replace(hour=10, minute=0, second=0, microsecond=0).isoformat()


@pytest.fixture
def owner(client: httpx.Client) -> Session:
    return register(client, "artisan")


@pytest.fixture
def store(client: httpx.Client, owner: Session) -> dict[str, Any]:
    return a_store(client, owner)


@pytest.fixture
def mug(client: httpx.Client, owner: Session, store: dict[str, Any]) -> dict[str, Any]:
    product = a_product(client, owner, store["id"])
    receive(client, owner, store["id"], product["id"], 10)
    return product


class TestControlCharactersInBodies:
    def test_a_delivery_address_with_a_nul_books_nothing(
        self, client: httpx.Client, store: dict[str, Any], mug: dict[str, Any]
    ) -> None:
        customer = register(client)
        order = place(client, customer, store["id"], {mug["id"]: 1}).json()

        answer = client.put(
            f"/api/orders/{order['id']}/delivery",
            json={"address": f"Rua {NUL} 1", "slot_start": a_slot()},
            headers=customer.auth,
        )

        assert fields_named(answer) == ["address"]
        history = client.get(f"/api/orders/{order['id']}/history", headers=customer.auth)
        assert "DeliveryScheduled" not in [event["type"] for event in history.json()]

    def test_line_breaks_in_a_delivery_address_are_kept(
        self, client: httpx.Client, store: dict[str, Any], mug: dict[str, Any]
    ) -> None:
        customer = register(client)
        order = place(client, customer, store["id"], {mug["id"]: 1}).json()

        answer = client.put(
            f"/api/orders/{order['id']}/delivery",
            json={"address": "Rua Augusta 1\n2nd floor", "slot_start": a_slot()},
            headers=customer.auth,
        )

        assert answer.status_code == 200, answer.text
        assert answer.json()["delivery"]["address"] == "Rua Augusta 1\n2nd floor"

    @pytest.mark.parametrize("field", ["name", "city"])
    def test_a_store_name_or_city_with_a_nul_is_refused(
        self, client: httpx.Client, owner: Session, field: str
    ) -> None:
        body = {"name": "Corner", "city": "Lisbon", "lat": 38.7, "lng": -9.1, field: f"x{NUL}y"}

        answer = client.post("/api/stores", json=body, headers=owner.auth)

        assert fields_named(answer) == [field]

    def test_a_product_title_with_an_escape_sequence_is_refused(
        self, client: httpx.Client, owner: Session, store: dict[str, Any]
    ) -> None:
        body = {"store_id": store["id"], "title": "\x1b[2J", "price": "5.00", "category": "mugs"}

        answer = client.post("/api/products", json=body, headers=owner.auth)

        assert fields_named(answer) == ["title"]

    def test_a_title_revision_with_a_nul_is_refused(
        self, client: httpx.Client, owner: Session, mug: dict[str, Any]
    ) -> None:
        answer = client.patch(
            f"/api/products/{mug['id']}", json={"title": f"Mug{NUL}"}, headers=owner.auth
        )

        assert fields_named(answer) == ["title"]

    def test_a_title_with_a_newline_is_refused_but_a_description_may_have_one(
        self, client: httpx.Client, owner: Session, mug: dict[str, Any]
    ) -> None:
        title = client.patch(
            f"/api/products/{mug['id']}", json={"title": "Mug\nBig"}, headers=owner.auth
        )
        description = client.patch(
            f"/api/products/{mug['id']}", json={"description": "Big.\nBlue."}, headers=owner.auth
        )

        assert fields_named(title) == ["title"]
        assert description.json()["description"] == "Big.\nBlue."

    def test_a_stock_reason_with_a_control_character_is_refused(
        self, client: httpx.Client, owner: Session, store: dict[str, Any], mug: dict[str, Any]
    ) -> None:
        answer = client.post(
            f"/api/stores/{store['id']}/inventory",
            json={"product_id": mug["id"], "quantity": -1, "reason": "broken\x07"},
            headers=owner.auth,
        )

        assert fields_named(answer) == ["reason"]

    def test_a_username_with_a_nul_is_refused(self, client: httpx.Client) -> None:
        answer = client.post(
            "/api/auth/register",
            json={"email": "nul@example.com", "username": f"ann{NUL}", "password": "s3cret-pass"},
        )

        assert fields_named(answer) == ["username"]


class TestControlCharactersInQueriesAndHeaders:
    @pytest.mark.parametrize(
        ("path", "parameter"),
        [
            ("/api/search/products", "q"),
            ("/api/search/products", "category"),
            ("/api/products", "category"),
            ("/api/stores", "city"),
            ("/api/search/suggest", "q"),
        ],
    )
    def test_a_query_parameter_with_a_nul_is_refused(
        self, client: httpx.Client, path: str, parameter: str
    ) -> None:
        signed_in = register(client).auth  # suggest counts per client: a fresh one has room

        answer = client.get(path, params={parameter: f"mug{NUL}s"}, headers=signed_in)

        assert fields_named(answer) == [f"query.{parameter}"]

    def test_an_idempotency_key_with_a_tab_places_no_order(
        self, client: httpx.Client, store: dict[str, Any], mug: dict[str, Any]
    ) -> None:
        customer = register(client)

        answer = place(client, customer, store["id"], {mug["id"]: 1}, **{"Idempotency-Key": "a\tb"})

        assert fields_named(answer) == ["header.idempotency-key"]
        mine = client.get("/api/orders", headers=customer.auth)
        assert mine.json()["count"] == 0


class TestStrictTypes:
    @pytest.mark.parametrize("quantity", ["2", True, 2.5])
    def test_a_quantity_must_be_a_whole_json_number(
        self, client: httpx.Client, store: dict[str, Any], mug: dict[str, Any], quantity: Any
    ) -> None:
        customer = register(client)
        items = [{"product_id": mug["id"], "quantity": quantity}]

        answer = client.post(
            "/api/orders", json={"store_id": store["id"], "items": items}, headers=customer.auth
        )

        assert fields_named(answer) == ["items.0.quantity"]

    def test_a_price_may_be_a_string_but_not_a_boolean(
        self, client: httpx.Client, owner: Session, store: dict[str, Any]
    ) -> None:
        body = {"store_id": store["id"], "title": "Bowl", "category": "bowls"}

        as_string = client.post("/api/products", json={**body, "price": "7.50"}, headers=owner.auth)
        as_boolean = client.post("/api/products", json={**body, "price": True}, headers=owner.auth)

        assert as_string.status_code == 201, as_string.text
        assert fields_named(as_boolean) == ["price"]

    def test_coordinates_are_numbers_not_strings(
        self, client: httpx.Client, owner: Session
    ) -> None:
        body = {"name": "Corner", "city": "Lisbon", "lat": "38.7", "lng": -9}

        answer = client.post("/api/stores", json=body, headers=owner.auth)

        assert fields_named(answer) == ["lat"]

    def test_a_stock_quantity_as_a_string_is_refused(
        self, client: httpx.Client, owner: Session, store: dict[str, Any], mug: dict[str, Any]
    ) -> None:
        answer = client.post(
            f"/api/stores/{store['id']}/inventory",
            json={"product_id": mug["id"], "quantity": "5"},
            headers=owner.auth,
        )

        assert fields_named(answer) == ["quantity"]

    def test_other_fields_still_come_as_json_strings(
        self, client: httpx.Client, store: dict[str, Any], mug: dict[str, Any]
    ) -> None:
        customer = register(client)
        placed = place(client, customer, store["id"], {mug["id"]: 1})

        booked = client.put(
            f"/api/orders/{placed.json()['id']}/delivery",
            json={"address": "Rua 1", "slot_start": a_slot()},
            headers={**customer.auth, **after(placed)},
        )

        assert placed.status_code == 201, placed.text
        assert booked.status_code == 200, booked.text
