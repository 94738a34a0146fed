"""Reservations over HTTP: hold, read, release, order, expire, and count them."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from bazaar.cli import main
from bazaar.wiring import Container
from tests.builders import a_hold_request
from tests.http_driver import (
    Session,
    a_stocked_product,
    after,
    an_admin,
    assert_error,
    available,
    register,
)
from tests.waiting import poll_until
from write_model.commands import Actor

pytestmark = pytest.mark.integration


@dataclass(frozen=True)
class Counter:
    """A store with 5 mugs at 10.00, and a customer."""

    owner: Session
    customer: Session
    store: str
    mug: str
    since: httpx.Response


@pytest.fixture
def counter(client: httpx.Client) -> Counter:
    shelf, customer = a_stocked_product(client, 5, price="10.00"), register(client)
    return Counter(shelf.owner, customer, shelf.store_id, shelf.product_id, shelf.stocked)


def hold(
    client: httpx.Client, who: Session, store: str, items: dict[str, int], **fields: Any
) -> httpx.Response:
    body = {
        "store_id": store,
        "items": [{"product_id": pid, "quantity": qty} for pid, qty in items.items()],
        **fields,
    }
    return client.post("/api/reservations", json=body, headers=who.auth)


def held(client: httpx.Client, counter: Counter, quantity: int, **fields: Any) -> dict[str, Any]:
    response = hold(client, counter.customer, counter.store, {counter.mug: quantity}, **fields)
    assert response.status_code == 201, response.text
    return dict(response.json())


def order_from(client: httpx.Client, who: Session, reservation_id: str) -> httpx.Response:
    return client.post("/api/orders", json={"reservation_id": reservation_id}, headers=who.auth)


class TestHolding:
    def test_holds_the_units_for_the_minutes_asked(
        self, client: httpx.Client, counter: Counter
    ) -> None:
        before = datetime.now(UTC)
        response = hold(client, counter.customer, counter.store, {counter.mug: 2}, minutes=10)

        assert response.status_code == 201, response.text
        body = response.json()
        assert response.headers["Location"] == f"/api/reservations/{body['id']}"
        assert (body["status"], body["store_id"], body["total_price"]) == (
            "held",
            counter.store,
            "20.00",
        )
        expires_at = datetime.fromisoformat(body["expires_at"])
        assert (
            before + timedelta(minutes=10)
            <= expires_at
            <= datetime.now(UTC) + timedelta(minutes=10)
        )
        assert available(client, counter.store, response) == {counter.mug: 3}

    def test_holds_for_fifteen_minutes_unless_told(
        self, client: httpx.Client, counter: Counter
    ) -> None:
        body = held(client, counter, 1)

        made = datetime.fromisoformat(body["created_at"])
        assert datetime.fromisoformat(body["expires_at"]) - made == pytest.approx(
            timedelta(minutes=15), abs=timedelta(seconds=1)
        )

    def test_held_units_are_not_in_stock_for_a_store_search(
        self, client: httpx.Client, counter: Counter
    ) -> None:
        response = hold(client, counter.customer, counter.store, {counter.mug: 5})

        found = client.get(
            "/api/search/products",
            params={"store_id": counter.store, "in_stock": "true"},
            headers=after(response),
        )

        assert counter.mug not in [hit["id"] for hit in found.json()["results"]]

    def test_another_order_cannot_take_held_units(
        self, client: httpx.Client, counter: Counter
    ) -> None:
        held(client, counter, 4)

        response = client.post(
            "/api/orders",
            json={"store_id": counter.store, "items": [{"product_id": counter.mug, "quantity": 2}]},
            headers=register(client).auth,
        )

        assert_error(response, 400, "insufficient_stock")
        assert response.json()["details"]["shortfalls"][0]["available"] == 1

    def test_refuses_short_stock_holding_nothing(
        self, client: httpx.Client, counter: Counter
    ) -> None:
        response = hold(client, counter.customer, counter.store, {counter.mug: 6})

        assert_error(response, 400, "insufficient_stock")
        assert response.json()["details"]["shortfalls"] == [
            {"product_id": counter.mug, "requested": 6, "available": 5}
        ]
        assert available(client, counter.store, counter.since) == {counter.mug: 5}

    @pytest.mark.parametrize("minutes", [0, 61, "5"])
    def test_refuses_minutes_out_of_bounds(
        self, client: httpx.Client, counter: Counter, minutes: object
    ) -> None:
        response = hold(client, counter.customer, counter.store, {counter.mug: 1}, minutes=minutes)

        assert_error(response, 400, "validation_error")

    def test_the_same_idempotency_key_holds_once(
        self, client: httpx.Client, counter: Counter
    ) -> None:
        body = {"store_id": counter.store, "items": [{"product_id": counter.mug, "quantity": 3}]}
        headers = {**counter.customer.auth, "Idempotency-Key": "checkout-1"}

        first = client.post("/api/reservations", json=body, headers=headers)
        again = client.post("/api/reservations", json=body, headers=headers)

        assert first.json()["id"] == again.json()["id"]
        assert available(client, counter.store, again) == {counter.mug: 2}

    def test_needs_a_signed_in_user(self, client: httpx.Client, counter: Counter) -> None:
        response = client.post(
            "/api/reservations",
            json={"store_id": counter.store, "items": [{"product_id": counter.mug, "quantity": 1}]},
        )

        assert_error(response, 401)


class TestReading:
    def test_only_its_customer_or_an_admin_finds_it(
        self, client: httpx.Client, counter: Counter, container: Container
    ) -> None:
        reservation = held(client, counter, 1)
        url = f"/api/reservations/{reservation['id']}"

        mine = client.get(url, headers=counter.customer.auth)
        admins = client.get(url, headers=an_admin(client, container.accounts).auth)
        strangers = client.get(url, headers=register(client).auth)

        assert mine.json() == reservation
        assert admins.status_code == 200
        assert_error(strangers, 404, "reservation_not_found")

    def test_its_history_lists_every_event(self, client: httpx.Client, counter: Counter) -> None:
        reservation = held(client, counter, 2)
        order_from(client, counter.customer, reservation["id"])

        response = client.get(
            f"/api/reservations/{reservation['id']}/history", headers=counter.customer.auth
        )

        assert [(e["type"], e["by"]) for e in response.json()] == [
            ("Made", counter.customer.user_id),
            ("Converted", counter.customer.user_id),
        ]


class TestReleasing:
    def test_releasing_gives_the_units_back_once(
        self, client: httpx.Client, counter: Counter
    ) -> None:
        reservation = held(client, counter, 3)
        url = f"/api/reservations/{reservation['id']}"

        first = client.delete(url, headers=counter.customer.auth)
        again = client.delete(url, headers=counter.customer.auth)

        assert (first.status_code, again.status_code) == (204, 204)
        assert client.get(url, headers=counter.customer.auth).json()["status"] == "released"
        assert available(client, counter.store, again) == {counter.mug: 5}

    def test_a_stranger_cannot_release_it(self, client: httpx.Client, counter: Counter) -> None:
        reservation = held(client, counter, 3)

        response = client.delete(
            f"/api/reservations/{reservation['id']}", headers=register(client).auth
        )

        assert_error(response, 404, "reservation_not_found")


class TestOrdering:
    def test_orders_the_held_units_at_the_prices_of_the_hold(
        self, client: httpx.Client, counter: Counter
    ) -> None:
        reservation = held(client, counter, 2)
        client.patch(
            f"/api/products/{counter.mug}", json={"price": "15.00"}, headers=counter.owner.auth
        )

        response = order_from(client, counter.customer, reservation["id"])

        assert response.status_code == 201, response.text
        order = response.json()
        assert (order["status"], order["total_price"], order["store_id"]) == (
            "confirmed",
            "20.00",
            counter.store,
        )
        got = client.get(f"/api/reservations/{reservation['id']}", headers=counter.customer.auth)
        assert (got.json()["status"], got.json()["order_id"]) == ("converted", order["id"])
        assert available(client, counter.store, response) == {counter.mug: 3}

    def test_refuses_an_ordered_reservation_with_its_status(
        self, client: httpx.Client, counter: Counter
    ) -> None:
        reservation = held(client, counter, 2)
        order_from(client, counter.customer, reservation["id"])

        response = order_from(client, counter.customer, reservation["id"])

        assert_error(response, 409, "reservation_not_held")
        assert response.json()["details"] == {"status": "converted"}

    def test_refuses_a_released_reservation(self, client: httpx.Client, counter: Counter) -> None:
        reservation = held(client, counter, 2)
        client.delete(f"/api/reservations/{reservation['id']}", headers=counter.customer.auth)

        response = order_from(client, counter.customer, reservation["id"])

        assert_error(response, 409, "reservation_not_held")
        assert response.json()["details"] == {"status": "released"}

    def test_another_customer_finds_no_reservation(
        self, client: httpx.Client, counter: Counter
    ) -> None:
        reservation = held(client, counter, 2)

        response = order_from(client, register(client), reservation["id"])

        assert_error(response, 404, "reservation_not_found")

    @pytest.mark.parametrize(
        "extra", [{"store_id": "s"}, {"items": [{"product_id": "p", "quantity": 1}]}]
    )
    def test_refuses_a_reservation_with_lines_beside_it(
        self, client: httpx.Client, counter: Counter, extra: dict[str, Any]
    ) -> None:
        body = {"reservation_id": str(uuid.uuid4()), **extra}
        body = {k: counter.store if v == "s" else v for k, v in body.items()}

        response = client.post("/api/orders", json=body, headers=counter.customer.auth)

        assert_error(response, 400, "validation_error")

    def test_refuses_an_order_with_neither_lines_nor_reservation(
        self, client: httpx.Client, counter: Counter
    ) -> None:
        response = client.post(
            "/api/orders", json={"store_id": counter.store}, headers=counter.customer.auth
        )

        assert_error(response, 400, "validation_error")


def a_hold_running_out(container: Container, counter: Counter, quantity: int, in_s: float) -> str:
    """A hold made through the shop as if `minutes` ago, so that it ends `in_s` from now."""
    customer = Actor(user_id=uuid.UUID(counter.customer.user_id), role="customer")
    request = a_hold_request(
        uuid.UUID(counter.store), customer.user_id, {uuid.UUID(counter.mug): quantity}, minutes=1
    )
    made_at = datetime.now(UTC) - timedelta(minutes=1) + timedelta(seconds=in_s)
    container.shop.reserve_stock(request, made_at)
    return str(request.reservation_id)


class TestExpiry:
    def test_an_expired_hold_is_over(
        self, client: httpx.Client, counter: Counter, container: Container
    ) -> None:
        reservation_id = a_hold_running_out(container, counter, 4, in_s=0.5)
        url = f"/api/reservations/{reservation_id}"

        poll_until(
            lambda: client.get(url, headers=counter.customer.auth).json()["status"] == "expired",
            timeout=15,
        )

        # The reservation's view and the cached listing follow the log in two subscriptions
        # (SQL, Redis): the listing may show the release a moment after the reservation.
        poll_until(lambda: available(client, counter.store, counter.since) == {counter.mug: 5})
        assert_error(
            order_from(client, counter.customer, reservation_id), 409, "reservation_not_held"
        )

    def test_a_hold_past_its_time_cannot_be_ordered_even_before_its_expiry_is_recorded(
        self, client: httpx.Client, counter: Counter, container: Container
    ) -> None:
        reservation_id = a_hold_running_out(container, counter, 1, in_s=-5)

        response = order_from(client, counter.customer, reservation_id)

        assert_error(response, 409, "reservation_not_held")
        assert response.json()["details"] == {"status": "expired"}


class TestCounting:
    def test_analytics_count_holds_per_day_by_how_they_ended(
        self, client: httpx.Client, counter: Counter, container: Container
    ) -> None:
        ordered, released = held(client, counter, 1), held(client, counter, 1)
        held(client, counter, 1)
        order_from(client, counter.customer, ordered["id"])
        last = client.delete(f"/api/reservations/{released['id']}", headers=counter.customer.auth)

        response = client.get(
            "/api/analytics/reservations",
            params={"store_id": counter.store},
            headers={**counter.owner.auth, **after(last)},
        )

        assert response.status_code == 200, response.text
        assert response.json() == [
            {
                "day": datetime.now(UTC).date().isoformat(),
                "made": 3,
                "converted": 1,
                "expired": 0,
                "released": 1,
                "held": 1,
                "conversion_rate": 0.5,
            }
        ]

    def test_the_dashboard_shows_the_month_s_conversion(
        self, client: httpx.Client, counter: Counter
    ) -> None:
        ordered = held(client, counter, 1)
        last = order_from(client, counter.customer, ordered["id"])

        response = client.get(
            f"/api/stores/{counter.store}/dashboard", headers={**counter.owner.auth, **after(last)}
        )

        assert response.json()["reservations"] == {
            "made": 1,
            "converted": 1,
            "expired": 0,
            "released": 0,
            "held": 0,
            "conversion_rate": 1.0,
        }

    def test_only_the_store_s_owner_sees_its_figures(
        self, client: httpx.Client, counter: Counter
    ) -> None:
        response = client.get(
            "/api/analytics/reservations",
            params={"store_id": counter.store},
            headers=register(client, "artisan").auth,
        )

        assert_error(response, 403, "forbidden")


@pytest.mark.usefixtures("cli_environment")
class TestAuditCommand:
    def test_prints_a_reservation_s_events(
        self, client: httpx.Client, counter: Counter, capsys: pytest.CaptureFixture[str]
    ) -> None:
        reservation = held(client, counter, 2)
        client.delete(f"/api/reservations/{reservation['id']}", headers=counter.customer.auth)

        main(["audit", "reservation", reservation["id"]])

        blocks = capsys.readouterr().out.strip().split("\n\n")
        assert blocks[0] == f"Reservation {reservation['id']}: 2 events, oldest first"
        assert [block.splitlines()[0].split("  ")[2] for block in blocks[1:]] == [
            "Made",
            "Released",
        ]
