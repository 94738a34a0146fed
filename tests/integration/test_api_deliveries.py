"""Delivery slots over HTTP: who books them, which slots a store offers, and their status."""

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
    a_stocked_product,
    after,
    an_admin,
    assert_error,
    place,
    register,
    set_status,
)

pytestmark = pytest.mark.integration
ADDRESS = "1 Rua Augusta, Lisbon"


@dataclass(frozen=True)
class Placed:
    """A confirmed order of a mug at a store open 09:00-18:00 UTC (the defaults)."""

    owner: Session
    customer: Session
    order_id: str
    response: httpx.Response


def an_order_at(client: httpx.Client, **store_fields: Any) -> Placed:
    shelf, customer = a_stocked_product(client, 5, store_fields), register(client)
    placed = place(client, customer, shelf.store_id, {shelf.product_id: 1})
    assert placed.status_code == 201, placed.text
    return Placed(shelf.owner, customer, placed.json()["id"], placed)


@pytest.fixture
def placed(client: httpx.Client) -> Placed:
    return an_order_at(client)


def a_slot(hour: int = 10, days: int = 2, minute: int = 0) -> str:
    """`hour`:`minute` UTC, `days` from today, as the API writes times."""
    day = datetime.now(UTC) + timedelta(days=days)
    return day.replace(hour=hour, minute=minute, second=0, microsecond=0).isoformat()


def book(
    client: httpx.Client, who: Session, order_id: str, slot_start: str, address: str = ADDRESS
) -> httpx.Response:
    return client.put(
        f"/api/orders/{order_id}/delivery",
        json={"address": address, "slot_start": slot_start},
        headers=who.auth,
    )


def delivery_of(client: httpx.Client, who: Session, order_id: str, since: httpx.Response) -> Any:
    response = client.get(f"/api/orders/{order_id}", headers={**who.auth, **after(since)})
    assert response.status_code == 200, response.text
    return response.json()["delivery"]


def as_instant(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


class TestScheduleDelivery:
    def test_the_customer_sees_the_slot_they_booked(
        self, client: httpx.Client, placed: Placed
    ) -> None:
        slot = a_slot(10)

        booked = book(client, placed.customer, placed.order_id, slot)

        assert booked.status_code == 200, booked.text
        assert "X-Event-Position" in booked.headers
        delivery = booked.json()["delivery"]
        assert (delivery["address"], delivery["status"]) == (ADDRESS, "scheduled")
        assert as_instant(delivery["slot_start"]) == as_instant(slot)
        assert delivery_of(client, placed.customer, placed.order_id, booked) == delivery

    def test_the_store_owner_books_a_slot(self, client: httpx.Client, placed: Placed) -> None:
        booked = book(client, placed.owner, placed.order_id, a_slot(17))

        assert booked.status_code == 200, booked.text
        assert booked.json()["delivery"]["status"] == "scheduled"

    def test_an_admin_books_a_slot(
        self, client: httpx.Client, placed: Placed, container: Container
    ) -> None:
        booked = book(client, an_admin(client, container.accounts), placed.order_id, a_slot(9))

        assert booked.status_code == 200, booked.text

    def test_an_order_without_a_booking_shows_no_delivery(
        self, client: httpx.Client, placed: Placed
    ) -> None:
        delivery = delivery_of(client, placed.customer, placed.order_id, placed.response)

        assert delivery is None

    def test_rescheduling_replaces_the_slot(self, client: httpx.Client, placed: Placed) -> None:
        book(client, placed.customer, placed.order_id, a_slot(10))

        moved = book(client, placed.customer, placed.order_id, a_slot(15, days=3), "2 Rua Nova")

        delivery = delivery_of(client, placed.owner, placed.order_id, moved)
        assert delivery["address"] == "2 Rua Nova"
        assert as_instant(delivery["slot_start"]) == as_instant(a_slot(15, days=3))

    def test_the_status_follows_the_order_to_its_door(
        self, client: httpx.Client, placed: Placed
    ) -> None:
        book(client, placed.customer, placed.order_id, a_slot(10))
        set_status(client, placed.owner, placed.order_id, "processing")

        shipped = set_status(client, placed.owner, placed.order_id, "shipped")
        on_the_road = delivery_of(client, placed.customer, placed.order_id, shipped)
        delivered = set_status(client, placed.owner, placed.order_id, "delivered")

        assert shipped.json()["delivery"]["status"] == "out_for_delivery"
        assert on_the_road["status"] == "out_for_delivery"
        assert delivered.json()["delivery"]["status"] == "delivered"
        assert delivery_of(client, placed.customer, placed.order_id, delivered)["status"] == (
            "delivered"
        )

    def test_opening_hours_are_the_stores_local_time(self, client: httpx.Client) -> None:
        kolkata = an_order_at(client, timezone="Asia/Kolkata", opens_at=9, closes_at=18)

        booked = book(client, kolkata.customer, kolkata.order_id, a_slot(3, minute=30))

        assert booked.status_code == 200, booked.text


class TestScheduleDeliveryRefusals:
    def test_a_stranger_gets_404(self, client: httpx.Client, placed: Placed) -> None:
        response = book(client, register(client), placed.order_id, a_slot(10))

        assert_error(response, 404, "order_not_found")

    def test_an_unknown_order_is_404(self, client: httpx.Client, placed: Placed) -> None:
        response = book(client, placed.customer, str(uuid.uuid4()), a_slot(10))

        assert_error(response, 404, "order_not_found")

    def test_refuses_without_a_token(self, client: httpx.Client, placed: Placed) -> None:
        response = client.put(
            f"/api/orders/{placed.order_id}/delivery",
            json={"address": ADDRESS, "slot_start": a_slot(10)},
        )

        assert_error(response, 401, "unauthenticated")

    def test_refuses_a_slot_in_the_past(self, client: httpx.Client, placed: Placed) -> None:
        response = book(client, placed.customer, placed.order_id, a_slot(10, days=-1))

        assert_error(response, 400, "invalid_delivery_slot")

    @pytest.mark.parametrize("hour", [8, 18, 23])
    def test_refuses_a_slot_outside_opening_hours(
        self, client: httpx.Client, placed: Placed, hour: int
    ) -> None:
        response = book(client, placed.customer, placed.order_id, a_slot(hour))

        assert_error(response, 400, "invalid_delivery_slot")

    def test_refuses_a_slot_not_on_the_hour(self, client: httpx.Client, placed: Placed) -> None:
        response = book(client, placed.customer, placed.order_id, a_slot(10, minute=30))

        assert_error(response, 400, "invalid_delivery_slot")

    def test_refuses_a_shipped_order(self, client: httpx.Client, placed: Placed) -> None:
        for status in ("processing", "shipped"):
            set_status(client, placed.owner, placed.order_id, status)

        response = book(client, placed.customer, placed.order_id, a_slot(10))

        assert_error(response, 409, "delivery_not_allowed")

    @pytest.mark.parametrize(
        "body",
        [
            {"slot_start": "2031-01-01T10:00:00Z"},
            {"address": "", "slot_start": "2031-01-01T10:00:00Z"},
            {"address": ADDRESS},
            {"address": ADDRESS, "slot_start": "next tuesday"},
            {"address": ADDRESS, "slot_start": "2031-01-01T10:00:00"},
            {"address": ADDRESS, "slot_start": "2031-01-01T10:00:00Z", "tip": 5},
        ],
        ids=["no address", "empty address", "no slot", "not a time", "no offset", "unknown field"],
    )
    def test_refuses_bad_input(
        self, client: httpx.Client, placed: Placed, body: dict[str, Any]
    ) -> None:
        response = client.put(
            f"/api/orders/{placed.order_id}/delivery", json=body, headers=placed.customer.auth
        )

        assert_error(response, 400, "validation_error")
