"""Audit replay over HTTP and in the terminal: an order's history, and the order as it was."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from bazaar.cli import main
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
from tests.waiting import poll_until

pytestmark = pytest.mark.integration

JOURNEY = [
    (1, "Placed"),
    (2, "Confirmed"),
    (3, "DeliveryScheduled"),
    (4, "StatusChanged"),
    (5, "DeliveryScheduled"),
    (6, "StatusChanged"),
    (7, "ShipmentNotified"),
    (8, "StatusChanged"),
]
ADDRESS = "1 Rua Augusta, Lisbon"


@dataclass(frozen=True)
class Delivered:
    """Two mugs at 12.50 taken through `JOURNEY`: delivery booked, moved, shipped, delivered."""

    owner: Session
    customer: Session
    order_id: str
    mug: str
    slots: tuple[datetime, datetime]
    delivered: httpx.Response


def tomorrow_at(hour: int) -> datetime:
    """An hourly slot inside the default opening hours (09-18 UTC), always in the future."""
    return (datetime.now(UTC) + timedelta(days=1)).replace(
        hour=hour, minute=0, second=0, microsecond=0
    )


def succeeded(response: httpx.Response) -> httpx.Response:
    assert response.status_code in (200, 201), response.text
    return response


def book(client: httpx.Client, who: Session, order_id: str, slot: datetime) -> httpx.Response:
    body = {"address": ADDRESS, "slot_start": slot.isoformat()}
    return succeeded(client.put(f"/api/orders/{order_id}/delivery", json=body, headers=who.auth))


@pytest.fixture
def delivered(client: httpx.Client) -> Delivered:
    shelf, customer = a_stocked_product(client, 5, price="12.50", title="Mug"), register(client)
    owner, mug = shelf.owner, shelf.product_id
    order_id = succeeded(place(client, customer, shelf.store_id, {mug: 2})).json()["id"]
    slots = tomorrow_at(10), tomorrow_at(11)
    book(client, customer, order_id, slots[0])
    succeeded(set_status(client, owner, order_id, "processing"))
    book(client, owner, order_id, slots[1])
    succeeded(set_status(client, owner, order_id, "shipped"))
    poll_until(lambda: events_of(client, owner, order_id)[-1]["type"] == "ShipmentNotified")
    last = succeeded(set_status(client, owner, order_id, "delivered"))
    return Delivered(owner, customer, order_id, mug, slots, last)


def history(client: httpx.Client, who: Session, order_id: str) -> httpx.Response:
    return client.get(f"/api/orders/{order_id}/history", headers=who.auth)


def events_of(client: httpx.Client, who: Session, order_id: str) -> list[dict[str, Any]]:
    response = history(client, who, order_id)
    assert response.status_code == 200, response.text
    return list(response.json())


def as_of(client: httpx.Client, who: Session, order_id: str, **params: Any) -> httpx.Response:
    return client.get(f"/api/orders/{order_id}", params=params, headers=who.auth)


def moment(at: str) -> datetime:
    return datetime.fromisoformat(at)


def when(at: str) -> str:
    """How the terminal shows a time the API gave."""
    return f"{moment(at):%Y-%m-%d %H:%M:%S.%f} UTC"


class TestOrderHistory:
    def test_the_customer_reads_every_event_oldest_first(
        self, client: httpx.Client, delivered: Delivered
    ) -> None:
        events = events_of(client, delivered.customer, delivered.order_id)

        assert [(e["version"], e["type"]) for e in events] == JOURNEY
        statuses = [e["data"]["status"] for e in events if e["type"] == "StatusChanged"]
        assert statuses == ["processing", "shipped", "delivered"]

    def test_says_who_did_each_thing_when_in_utc(
        self, client: httpx.Client, delivered: Delivered
    ) -> None:
        events = events_of(client, delivered.customer, delivered.order_id)

        customer, owner = delivered.customer.user_id, delivered.owner.user_id
        assert [e["by"] for e in events] == [customer] * 3 + [owner] * 3 + [None, owner]
        assert all(moment(e["at"]).utcoffset() == timedelta(0) for e in events)
        assert [moment(e["at"]) for e in events] == sorted(moment(e["at"]) for e in events)

    def test_gives_the_placed_lines_as_json_strings(
        self, client: httpx.Client, delivered: Delivered
    ) -> None:
        placed = events_of(client, delivered.customer, delivered.order_id)[0]

        assert placed["data"]["user_id"] == delivered.customer.user_id
        assert placed["data"]["lines"] == [
            {"product_id": delivered.mug, "title": "Mug", "quantity": 2, "unit_price": "12.50"}
        ]

    def test_gives_a_delivery_booking_as_its_own_fields(
        self, client: httpx.Client, delivered: Delivered
    ) -> None:
        moved = events_of(client, delivered.customer, delivered.order_id)[4]

        assert moved["data"] == {
            "address": ADDRESS,
            "slot_start": delivered.slots[1].isoformat(),
            "by": delivered.owner.user_id,
        }

    def test_the_store_owner_reads_the_history_an_admin_reads(
        self, client: httpx.Client, container: Container, delivered: Delivered
    ) -> None:
        admin = an_admin(client, container.accounts)

        seen = [events_of(client, who, delivered.order_id) for who in (delivered.owner, admin)]

        assert seen == [events_of(client, delivered.customer, delivered.order_id)] * 2

    def test_a_stranger_is_told_the_order_does_not_exist(
        self, client: httpx.Client, delivered: Delivered
    ) -> None:
        response = history(client, register(client), delivered.order_id)

        assert_error(response, 404, "order_not_found")

    def test_an_unknown_order_is_not_found(self, client: httpx.Client) -> None:
        response = history(client, register(client), "00000000-0000-0000-0000-000000000001")

        assert_error(response, 404, "order_not_found")


class TestOrderAsOf:
    def test_as_of_a_version_returns_the_order_as_it_was_then(
        self, client: httpx.Client, delivered: Delivered
    ) -> None:
        response = as_of(client, delivered.customer, delivered.order_id, as_of_version=3)

        assert response.status_code == 200, response.text
        order = response.json()
        assert (order["status"], order["total_price"]) == ("confirmed", "25.00")
        assert moment(order["delivery"]["slot_start"]) == delivered.slots[0]

    def test_as_of_a_time_between_two_events_returns_the_earlier_state(
        self, client: httpx.Client, delivered: Delivered
    ) -> None:
        events = events_of(client, delivered.customer, delivered.order_id)
        moved, shipped = moment(events[4]["at"]), moment(events[5]["at"])
        between = moved + (shipped - moved) / 2
        assert moved < between < shipped

        response = as_of(client, delivered.owner, delivered.order_id, as_of=between.isoformat())

        assert response.status_code == 200, response.text
        order = response.json()
        assert order["status"] == "processing"
        assert moment(order["delivery"]["slot_start"]) == delivered.slots[1]

    def test_without_as_of_the_order_is_read_as_it_is_now(
        self, client: httpx.Client, delivered: Delivered
    ) -> None:
        response = client.get(
            f"/api/orders/{delivered.order_id}",
            headers={**delivered.customer.auth, **after(delivered.delivered)},
        )

        assert response.json()["status"] == "delivered"

    @pytest.mark.parametrize("version", [0, -2])
    def test_a_version_below_one_is_a_bad_request(
        self, client: httpx.Client, delivered: Delivered, version: int
    ) -> None:
        response = as_of(client, delivered.customer, delivered.order_id, as_of_version=version)

        assert_error(response, 400, "invalid_version")

    def test_a_version_the_order_has_not_reached_is_not_found(
        self, client: httpx.Client, delivered: Delivered
    ) -> None:
        response = as_of(client, delivered.customer, delivered.order_id, as_of_version=9)

        body = assert_error(response, 404, "version_not_found")
        assert body["details"] == {"current_version": 8}

    def test_a_time_before_the_order_existed_is_not_found(
        self, client: httpx.Client, delivered: Delivered
    ) -> None:
        response = as_of(
            client, delivered.customer, delivered.order_id, as_of="2000-01-01T00:00:00Z"
        )

        assert_error(response, 404, "order_not_found")

    def test_a_time_without_a_utc_offset_is_a_bad_request(
        self, client: httpx.Client, delivered: Delivered
    ) -> None:
        response = as_of(
            client, delivered.customer, delivered.order_id, as_of="2030-01-01T00:00:00"
        )

        assert_error(response, 400, "invalid_as_of")

    def test_a_version_with_a_time_is_a_bad_request(
        self, client: httpx.Client, delivered: Delivered
    ) -> None:
        response = as_of(
            client,
            delivered.customer,
            delivered.order_id,
            as_of_version=2,
            as_of="2030-01-01T00:00:00Z",
        )

        assert_error(response, 400, "invalid_as_of")

    def test_a_time_that_is_no_time_is_a_bad_request(
        self, client: httpx.Client, delivered: Delivered
    ) -> None:
        response = as_of(client, delivered.customer, delivered.order_id, as_of="yesterday")

        assert_error(response, 400, "validation_error")

    def test_a_stranger_is_told_the_order_does_not_exist(
        self, client: httpx.Client, delivered: Delivered
    ) -> None:
        response = as_of(client, register(client), delivered.order_id, as_of_version=1)

        assert_error(response, 404, "order_not_found")


def booking_lines(slot: datetime, by: str) -> list[str]:
    return [f"    address: {ADDRESS}", f"    slot_start: {slot.isoformat()}", f"    by: {by}"]


@pytest.mark.usefixtures("cli_environment")
class TestAuditCommand:
    def test_prints_one_block_per_event(
        self, client: httpx.Client, delivered: Delivered, capsys: pytest.CaptureFixture[str]
    ) -> None:
        events = events_of(client, delivered.customer, delivered.order_id)

        main(["audit", "order", delivered.order_id])

        blocks = capsys.readouterr().out.strip().split("\n\n")
        assert blocks[0] == f"Order {delivered.order_id}: 8 events, oldest first"
        headings = [block.splitlines()[0] for block in blocks[1:]]
        assert headings == [
            f"#{e['version']}  {when(e['at'])}  {e['type']}  by {e['by'] or 'the system'}"
            for e in events
        ]
        assert blocks[1].splitlines()[1:] == [
            f"    user_id: {delivered.customer.user_id}",
            f"    store_id: {events[0]['data']['store_id']}",
            "    lines:",
            f"      - product_id: {delivered.mug}",
            "        title: Mug",
            "        quantity: 2",
            "        unit_price: 12.50",
            "    tax_rate: (none)",
        ]
        assert blocks[2].splitlines()[1:] == ["    (no data)"]
        customer, owner = delivered.customer.user_id, delivered.owner.user_id
        assert [block.splitlines()[1:] for block in blocks[3:]] == [
            booking_lines(delivered.slots[0], customer),
            ["    status: processing", f"    by: {owner}"],
            booking_lines(delivered.slots[1], owner),
            ["    status: shipped", f"    by: {owner}"],
            ["    (no data)"],
            ["    status: delivered", f"    by: {owner}"],
        ]

    def test_an_unknown_order_exits_with_a_message(self) -> None:
        with pytest.raises(SystemExit) as exited:
            main(["audit", "order", "00000000-0000-0000-0000-000000000001"])

        assert "does not exist" in str(exited.value.code)
