"""Returns over HTTP: asked by the customer, settled by the store, refunded and counted."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from bazaar.wiring import Container
from tests.fakes import SmtpSink
from tests.http_driver import (
    Session,
    a_product,
    a_store,
    after,
    an_admin,
    assert_error,
    available,
    pdf_text,
    place,
    receive,
    register,
)
from tests.waiting import poll_until

pytestmark = pytest.mark.integration


@dataclass(frozen=True)
class Delivered:
    """3 mugs at 10.00 and a bowl at 4.00, ordered from a store of 5 each, delivered."""

    owner: Session
    customer: Session
    store: str
    mug: str
    bowl: str
    order_id: str
    since: httpx.Response


@pytest.fixture
def delivered(client: httpx.Client) -> Delivered:
    owner, customer = register(client, "artisan"), register(client)
    store = a_store(client, owner)["id"]
    mug = a_product(client, owner, store, price="10.00", title="Mug")["id"]
    bowl = a_product(client, owner, store, price="4.00", title="Bowl")["id"]
    receive(client, owner, store, mug, 5)
    receive(client, owner, store, bowl, 5)
    placed = place(client, customer, store, {mug: 3, bowl: 1})
    order_id = placed.json()["id"]
    for status in ("processing", "shipped", "delivered"):
        moved = client.patch(f"/api/orders/{order_id}", json={"status": status}, headers=owner.auth)
        assert moved.status_code == 200, moved.text
    return Delivered(owner, customer, store, mug, bowl, order_id, moved)


def ask(
    client: httpx.Client,
    who: Session,
    order_id: str,
    items: dict[str, int],
    reason: str = "Chipped.",
) -> httpx.Response:
    body = {
        "items": [{"product_id": pid, "quantity": qty} for pid, qty in items.items()],
        "reason": reason,
    }
    return client.post(f"/api/orders/{order_id}/returns", json=body, headers=who.auth)


def settle(
    client: httpx.Client, who: Session, return_id: str, status: str, **fields: Any
) -> httpx.Response:
    return client.patch(
        f"/api/returns/{return_id}", json={"status": status, **fields}, headers=who.auth
    )


class TestAsking:
    def test_answers_the_return_with_its_refund(
        self, client: httpx.Client, delivered: Delivered
    ) -> None:
        response = ask(client, delivered.customer, delivered.order_id, {delivered.mug: 2})

        assert response.status_code == 201, response.text
        body = response.json()
        assert response.headers["Location"] == f"/api/returns/{body['id']}"
        assert (body["status"], body["order_id"], body["refund_amount"]) == (
            "requested",
            delivered.order_id,
            "20.00",
        )
        assert [(i["product_id"], i["quantity"], i["unit_price"]) for i in body["items"]] == [
            (delivered.mug, 2, "10.00")
        ]

    def test_never_takes_back_more_than_was_delivered(
        self, client: httpx.Client, delivered: Delivered
    ) -> None:
        ask(client, delivered.customer, delivered.order_id, {delivered.mug: 2})

        response = ask(client, delivered.customer, delivered.order_id, {delivered.mug: 2})

        assert_error(response, 400, "return_exceeds_delivered")
        assert response.json()["details"]["lines"] == [
            {"product_id": delivered.mug, "requested": 2, "returnable": 1}
        ]

    def test_refuses_an_order_not_yet_delivered(self, client: httpx.Client) -> None:
        owner, customer = register(client, "artisan"), register(client)
        store = a_store(client, owner)["id"]
        mug = a_product(client, owner, store)["id"]
        receive(client, owner, store, mug, 2)
        order_id = place(client, customer, store, {mug: 1}).json()["id"]

        response = ask(client, customer, order_id, {mug: 1})

        assert_error(response, 409, "order_not_delivered")

    def test_only_the_customer_asks(self, client: httpx.Client, delivered: Delivered) -> None:
        by_owner = ask(client, delivered.owner, delivered.order_id, {delivered.mug: 1})
        by_stranger = ask(client, register(client), delivered.order_id, {delivered.mug: 1})

        assert_error(by_owner, 403, "forbidden")
        assert_error(by_stranger, 404, "order_not_found")

    @pytest.mark.parametrize(
        "body",
        [
            {"items": [], "reason": "x"},
            {"reason": "x"},
            {
                "items": [{"product_id": "00000000-0000-0000-0000-000000000001", "quantity": 1}],
                "reason": "",
            },
        ],
    )
    def test_refuses_a_malformed_return(
        self, client: httpx.Client, delivered: Delivered, body: dict[str, Any]
    ) -> None:
        response = client.post(
            f"/api/orders/{delivered.order_id}/returns", json=body, headers=delivered.customer.auth
        )

        assert_error(response, 400, "validation_error")


class TestSettling:
    def test_receiving_puts_the_units_back_on_the_shelf(
        self, client: httpx.Client, delivered: Delivered
    ) -> None:
        asked = ask(client, delivered.customer, delivered.order_id, {delivered.mug: 2}).json()

        response = settle(client, delivered.owner, asked["id"], "received")

        assert response.status_code == 200, response.text
        assert response.json()["status"] == "received"
        assert available(client, delivered.store, response)[delivered.mug] == 4

    def test_refusing_records_the_reason(self, client: httpx.Client, delivered: Delivered) -> None:
        asked = ask(client, delivered.customer, delivered.order_id, {delivered.mug: 2}).json()

        response = settle(client, delivered.owner, asked["id"], "refused", reason="Used.")

        assert (response.json()["status"], response.json()["refusal"]) == ("refused", "Used.")
        assert available(client, delivered.store, response)[delivered.mug] == 2

    def test_a_refusal_without_a_reason_is_refused(
        self, client: httpx.Client, delivered: Delivered
    ) -> None:
        asked = ask(client, delivered.customer, delivered.order_id, {delivered.mug: 2}).json()

        assert_error(settle(client, delivered.owner, asked["id"], "refused"), 400, "invalid_return")

    def test_a_settled_return_answers_409_with_the_moves_allowed(
        self, client: httpx.Client, delivered: Delivered
    ) -> None:
        asked = ask(client, delivered.customer, delivered.order_id, {delivered.mug: 1}).json()
        settle(client, delivered.owner, asked["id"], "received")

        response = settle(client, delivered.owner, asked["id"], "refused", reason="Late.")

        assert_error(response, 409, "illegal_transition")
        assert response.json()["details"] == {"status": "received", "allowed": []}

    def test_only_the_store_s_owner_or_an_admin_settles(
        self, client: httpx.Client, delivered: Delivered, container: Container
    ) -> None:
        asked = ask(client, delivered.customer, delivered.order_id, {delivered.mug: 1}).json()

        by_customer = settle(client, delivered.customer, asked["id"], "received")
        by_stranger = settle(client, register(client, "artisan"), asked["id"], "received")
        by_admin = settle(client, an_admin(client, container.accounts), asked["id"], "received")

        assert_error(by_customer, 403, "forbidden")
        assert_error(by_stranger, 404, "return_not_found")
        assert by_admin.status_code == 200


class TestListing:
    def test_the_order_lists_its_returns(self, client: httpx.Client, delivered: Delivered) -> None:
        first = ask(client, delivered.customer, delivered.order_id, {delivered.mug: 1}).json()
        second = ask(client, delivered.customer, delivered.order_id, {delivered.bowl: 1})

        response = client.get(
            f"/api/orders/{delivered.order_id}/returns",
            headers={**delivered.customer.auth, **after(second)},
        )

        assert [r["id"] for r in response.json()] == [first["id"], second.json()["id"]]

    def test_the_store_lists_its_returns_by_status(
        self, client: httpx.Client, delivered: Delivered
    ) -> None:
        kept = ask(client, delivered.customer, delivered.order_id, {delivered.mug: 1}).json()
        other = ask(client, delivered.customer, delivered.order_id, {delivered.bowl: 1}).json()
        last = settle(client, delivered.owner, other["id"], "received")

        response = client.get(
            f"/api/stores/{delivered.store}/returns",
            params={"status": "requested"},
            headers={**delivered.owner.auth, **after(last)},
        )

        body = response.json()
        assert (body["count"], [r["id"] for r in body["results"]]) == (1, [kept["id"]])

    def test_another_owner_may_not_list_the_store_s_returns(
        self, client: httpx.Client, delivered: Delivered
    ) -> None:
        response = client.get(
            f"/api/stores/{delivered.store}/returns", headers=register(client, "artisan").auth
        )

        assert_error(response, 403, "forbidden")


class TestRefund:
    def test_a_received_return_settles_the_refund_once(
        self, client: httpx.Client, delivered: Delivered, smtp_sink: SmtpSink
    ) -> None:
        asked = ask(client, delivered.customer, delivered.order_id, {delivered.mug: 2}).json()
        settle(client, delivered.owner, asked["id"], "received")
        settle(client, delivered.owner, asked["id"], "received")
        url = f"/api/returns/{asked['id']}/credit-note.pdf"

        note = poll_until(
            lambda: (
                (r := client.get(url, headers=delivered.customer.auth)).status_code == 200 and r
            ),
            timeout=15,
        )
        message_id = f"<return-{asked['id']}-received@bazaar>"
        mails = poll_until(
            lambda: [m for m in smtp_sink.messages if m["Message-ID"] == message_id], timeout=15
        )

        assert note.headers["content-type"] == "application/pdf"
        assert note.content.startswith(b"%PDF")
        assert len(mails) == 1
        assert "Refund: 20.00" in mails[0].get_payload(decode=True).decode()

    def test_a_store_numbers_its_credit_notes_apart_from_its_invoices(
        self, client: httpx.Client, delivered: Delivered
    ) -> None:
        invoice = pdf_text(
            client, delivered.customer, f"/api/orders/{delivered.order_id}/invoice.pdf"
        )
        returns = [
            ask(client, delivered.customer, delivered.order_id, {product: 1}).json()["id"]
            for product in (delivered.mug, delivered.bowl)
        ]
        for return_id in returns:
            settle(client, delivered.owner, return_id, "received")

        notes = [
            pdf_text(client, delivered.customer, f"/api/returns/{return_id}/credit-note.pdf")
            for return_id in returns
        ]

        assert "Invoice no. 1" in invoice
        numbers = sorted(int(re.search(r"Credit note no\. (\d+)", note)[1]) for note in notes)
        assert numbers == [1, 2]
        assert all("invoice no. 1" in note for note in notes)
        assert "Refund\nEUR 4.00" in notes[1]

    def test_no_credit_note_before_the_return_is_received(
        self, client: httpx.Client, delivered: Delivered
    ) -> None:
        asked = ask(client, delivered.customer, delivered.order_id, {delivered.mug: 2}).json()

        response = client.get(
            f"/api/returns/{asked['id']}/credit-note.pdf", headers=delivered.customer.auth
        )

        assert_error(response, 404, "credit_note_not_ready")


class TestAnalytics:
    def test_the_figures_take_refunds_into_account(
        self, client: httpx.Client, delivered: Delivered
    ) -> None:
        asked = ask(client, delivered.customer, delivered.order_id, {delivered.mug: 2}).json()
        last = settle(client, delivered.owner, asked["id"], "received")
        read = {**delivered.owner.auth, **after(last)}
        scope = {"store_id": delivered.store}

        (day,) = client.get(
            "/api/analytics/sales", params={**scope, "from": today(), "to": today()}, headers=read
        ).json()
        top = client.get("/api/analytics/top-products", params=scope, headers=read).json()

        assert (day["revenue"], day["refunded"], day["units"]) == ("14.00", "20.00", 4)
        mug = next(p for p in top if p["product_id"] == delivered.mug)
        assert (mug["units"], mug["returned_units"], mug["return_rate"]) == (3, 2, 0.6667)

    def test_a_refused_return_refunds_nothing(
        self, client: httpx.Client, delivered: Delivered
    ) -> None:
        asked = ask(client, delivered.customer, delivered.order_id, {delivered.mug: 2}).json()
        last = settle(client, delivered.owner, asked["id"], "refused", reason="Used.")

        (day,) = client.get(
            "/api/analytics/sales",
            params={"store_id": delivered.store, "from": today(), "to": today()},
            headers={**delivered.owner.auth, **after(last)},
        ).json()

        assert (day["revenue"], day["refunded"]) == ("34.00", "0.00")


def today() -> str:
    return datetime.now(UTC).date().isoformat()
