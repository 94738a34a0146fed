"""Side effects of orders seen from outside: e-mails in the SMTP sink, invoices, webhook calls."""

from __future__ import annotations

import io
import re
from typing import Any

import httpx
import pytest
from pypdf import PdfReader

from tests.fakes import SmtpSink, Webhook
from tests.http_driver import (
    Session,
    a_product,
    a_store,
    after,
    an_admin,
    assert_error,
    pdf_text,
    place,
    receive,
    register,
    set_status,
)
from tests.waiting import poll_until


@pytest.fixture
def shop(client: httpx.Client) -> dict[str, Any]:
    owner = register(client, role="artisan")
    store = a_store(client, owner, name="Clay & Kiln")
    mug = a_product(client, owner, store["id"], price="12.50", title="Glazed mug")
    bowl = a_product(client, owner, store["id"], price="7.25", title="Rice bowl")
    for product in (mug, bowl):
        receive(client, owner, store["id"], product["id"], 50)
    return {"owner": owner, "store": store, "mug": mug, "bowl": bowl}


def an_order(client: httpx.Client, shop: dict[str, Any], customer: Session) -> dict[str, Any]:
    quantities = {shop["mug"]["id"]: 2, shop["bowl"]["id"]: 1}
    response = place(client, customer, shop["store"]["id"], quantities)
    assert response.status_code == 201, response.text
    return dict(response.json())


def email_of(client: httpx.Client, who: Session) -> str:
    return str(client.get("/api/auth/me", headers=who.auth).json()["email"])


def test_a_confirmed_order_mails_the_customer_once(
    client: httpx.Client, shop: dict[str, Any], smtp_sink: SmtpSink
) -> None:
    customer = register(client)
    order = an_order(client, shop, customer)

    (mail,) = poll_until(lambda: smtp_sink.about(order["id"]))
    assert mail["To"] == email_of(client, customer)
    assert "Clay & Kiln" in mail["Subject"]
    body = mail.get_payload(decode=True).decode()
    assert "2 x Glazed mug" in body and "25.00" in body
    assert "1 x Rice bowl" in body and "Total: 32.25" in body


def test_a_rejected_order_mails_nothing(
    client: httpx.Client, shop: dict[str, Any], smtp_sink: SmtpSink
) -> None:
    customer = register(client)
    rejected = place(client, customer, shop["store"]["id"], {shop["mug"]["id"]: 999})
    order_id = assert_error(rejected, 400, "insufficient_stock")["details"]["order_id"]
    confirmed = an_order(client, shop, customer)

    poll_until(lambda: smtp_sink.about(confirmed["id"]))
    assert smtp_sink.about(order_id) == []
    assert len(smtp_sink.to(email_of(client, customer))) == 1


def test_the_invoice_lists_what_was_ordered_for_those_who_may_see_it(
    client: httpx.Client, shop: dict[str, Any]
) -> None:
    customer = register(client)
    order = an_order(client, shop, customer)
    url = f"/api/orders/{order['id']}/invoice.pdf"

    answer = poll_until(lambda: (r := client.get(url, headers=customer.auth)).is_success and r)
    assert answer.headers["content-type"] == "application/pdf"
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(answer.content)).pages)
    assert "Clay & Kiln" in text and order["id"] in text
    assert "Glazed mug" in text and "12.50" in text and "25.00" in text
    assert "Rice bowl" in text and "7.25" in text and "32.25" in text
    assert client.get(url, headers=shop["owner"].auth).status_code == 200
    assert_error(client.get(url, headers=register(client).auth), 404)
    assert_error(client.get(url), 401)


def test_a_store_s_invoices_are_numbered_one_after_another(
    client: httpx.Client, shop: dict[str, Any]
) -> None:
    customer = register(client)
    owner = register(client, "artisan")
    store = a_store(client, owner)["id"]
    jug = a_product(client, owner, store, price="9.00", title="Jug")["id"]
    receive(client, owner, store, jug, 5)
    orders = [place(client, customer, store, {jug: 1}).json()["id"] for _ in range(3)]

    def invoice_text(order_id: str) -> str:
        url = f"/api/orders/{order_id}/invoice.pdf"
        answer = poll_until(lambda: (r := client.get(url, headers=customer.auth)).is_success and r)
        return "".join(page.extract_text() for page in PdfReader(io.BytesIO(answer.content)).pages)

    texts = [invoice_text(order_id) for order_id in orders]

    numbers = sorted(int(re.search(r"Invoice no\. (\d+)", text)[1]) for text in texts)
    assert numbers == [1, 2, 3]
    assert all("Total\nEUR 9.00" in text for text in texts)


def test_the_invoice_of_a_taxed_order_splits_out_the_tax(
    client: httpx.Client, shop: dict[str, Any]
) -> None:
    customer = register(client)
    url = f"/api/stores/{shop['store']['id']}/tax-rate"
    assert client.put(url, json={"tax_rate": "20"}, headers=shop["owner"].auth).is_success
    order = an_order(client, shop, customer)
    client.put(url, json={"tax_rate": "5.5"}, headers=shop["owner"].auth)

    text = pdf_text(client, customer, f"/api/orders/{order['id']}/invoice.pdf")

    assert "Net\nEUR 26.87" in text
    assert "Tax 20%\nEUR 5.38" in text
    assert "Total\nEUR 32.25" in text


def test_an_untaxed_order_s_invoice_has_no_tax_line(
    client: httpx.Client, shop: dict[str, Any]
) -> None:
    order = an_order(client, shop, customer := register(client))

    text = pdf_text(client, customer, f"/api/orders/{order['id']}/invoice.pdf")

    assert "Total\nEUR 32.25" in text
    assert "Tax" not in text and "Net" not in text


def test_a_rejected_order_never_gets_an_invoice(client: httpx.Client, shop: dict[str, Any]) -> None:
    customer = register(client)
    rejected = place(client, customer, shop["store"]["id"], {shop["mug"]["id"]: 999})
    order_id = assert_error(rejected, 400)["details"]["order_id"]
    answer = client.get(f"/api/orders/{order_id}/invoice.pdf", headers=customer.auth)
    assert_error(answer, 404, "invoice_not_ready")


def test_a_cancelled_order_gets_a_credit_note_for_its_invoice_s_full_amount(
    client: httpx.Client, shop: dict[str, Any]
) -> None:
    customer = register(client)
    url = f"/api/stores/{shop['store']['id']}/tax-rate"
    client.put(url, json={"tax_rate": "20"}, headers=shop["owner"].auth)
    order = an_order(client, shop, customer)
    invoice = pdf_text(client, customer, f"/api/orders/{order['id']}/invoice.pdf")

    assert set_status(client, customer, order["id"], "cancelled").status_code == 200

    note = pdf_text(client, customer, f"/api/orders/{order['id']}/credit-note.pdf")
    assert "Credit note no. 1" in note and "invoice no. 1" in note and order["id"] in note
    assert "Glazed mug" in note and "Rice bowl" in note
    assert "Net\nEUR 26.87" in note and "Tax 20%\nEUR 5.38" in note
    assert "Refund\nEUR 32.25" in note
    after_cancelling = pdf_text(client, customer, f"/api/orders/{order['id']}/invoice.pdf")
    assert after_cancelling == invoice and "Invoice no. 1" in invoice


def test_a_cancelled_order_s_credit_note_is_for_those_who_may_see_the_order(
    client: httpx.Client, shop: dict[str, Any]
) -> None:
    customer = register(client)
    order = an_order(client, shop, customer)
    set_status(client, customer, order["id"], "cancelled")
    url = f"/api/orders/{order['id']}/credit-note.pdf"

    assert "Credit note no. 1" in pdf_text(client, shop["owner"], url)
    assert_error(client.get(url, headers=register(client).auth), 404, "order_not_found")
    assert_error(client.get(url), 401)


def test_an_order_that_goes_on_has_no_credit_note(
    client: httpx.Client, shop: dict[str, Any]
) -> None:
    customer = register(client)
    order = an_order(client, shop, customer)
    set_status(client, shop["owner"], order["id"], "processing")
    pdf_text(client, customer, f"/api/orders/{order['id']}/invoice.pdf")

    answer = client.get(f"/api/orders/{order['id']}/credit-note.pdf", headers=customer.auth)

    assert_error(answer, 404, "credit_note_not_ready")


def test_a_cancelled_order_mails_the_customer_once(
    client: httpx.Client, shop: dict[str, Any], smtp_sink: SmtpSink
) -> None:
    customer = register(client)
    order = an_order(client, shop, customer)

    set_status(client, customer, order["id"], "cancelled")

    message_id = f"<order-{order['id']}-cancelled@bazaar>"
    (mail,) = poll_until(lambda: [m for m in smtp_sink.messages if m["Message-ID"] == message_id])
    assert mail["To"] == email_of(client, customer)
    assert "cancelled" in mail["Subject"]
    assert "Refund: 32.25" in mail.get_payload(decode=True).decode()


def history_types(client: httpx.Client, who: Session, order_id: str) -> list[str]:
    events = client.get(f"/api/orders/{order_id}/history", headers=who.auth).json()
    return [event["type"] for event in events]


def ship(client: httpx.Client, shop: dict[str, Any], order_id: str) -> None:
    for status in ("processing", "shipped"):
        assert set_status(client, shop["owner"], order_id, status).status_code == 200


def test_a_shipped_order_is_announced_once_with_an_idempotency_key(
    client: httpx.Client, shop: dict[str, Any], webhook: Webhook
) -> None:
    customer = register(client)
    order = an_order(client, shop, customer)
    ship(client, shop, order["id"])

    poll_until(lambda: "ShipmentNotified" in history_types(client, customer, order["id"]))
    (call,) = webhook.calls_about(order["id"])
    assert call["body"] == {
        "order_id": order["id"],
        "user_id": customer.user_id,
        "status": "shipped",
        "total_price": "32.25",
    }
    assert call["idempotency_key"] == f"shipment-{order['id']}"
    assert set_status(client, shop["owner"], order["id"], "delivered").status_code == 200
    assert len(webhook.calls_about(order["id"])) == 1


def test_the_webhook_is_retried_until_it_answers(
    client: httpx.Client, shop: dict[str, Any], webhook: Webhook
) -> None:
    customer = register(client)
    order = an_order(client, shop, customer)
    webhook.fail(order["id"], times=2)
    ship(client, shop, order["id"])

    poll_until(lambda: "ShipmentNotified" in history_types(client, customer, order["id"]))
    assert len(webhook.calls_about(order["id"])) == 3
    assert "ShipmentNotificationFailed" not in history_types(client, customer, order["id"])


def test_a_webhook_failing_past_three_retries_is_parked_for_an_operator(
    client: httpx.Client, shop: dict[str, Any], webhook: Webhook, container: Any
) -> None:
    admin = an_admin(client, container.accounts)
    customer = register(client)
    order = an_order(client, shop, customer)
    webhook.fail(order["id"])
    ship(client, shop, order["id"])

    poll_until(lambda: "ShipmentNotificationFailed" in history_types(client, customer, order["id"]))
    assert len(webhook.calls_about(order["id"])) == 4
    # The failure is recorded on the order first, then the job is parked: wait for both.
    (job,) = poll_until(
        lambda: [
            job
            for job in client.get("/api/admin/sagas/failed", headers=admin.auth).json()["results"]
            if job["key"] == order["id"]
        ]
    )
    assert job["saga"] == "shipping_webhook" and job["attempts"] == 4
    assert "500" in job["last_error"]

    webhook.fail(order["id"], times=0)
    retried = client.post(f"/api/admin/sagas/failed/{job['id']}/retry", headers=admin.auth)
    assert retried.status_code == 202
    poll_until(lambda: "ShipmentNotified" in history_types(client, customer, order["id"]))
    assert len(webhook.calls_about(order["id"])) == 5
    assert_error(client.post(f"/api/admin/sagas/failed/{job['id']}/retry", headers=admin.auth), 404)


def test_parked_jobs_are_for_admins_only(client: httpx.Client) -> None:
    assert_error(client.get("/api/admin/sagas/failed", headers=register(client).auth), 403)
    assert_error(client.get("/api/admin/sagas/failed"), 401)


def alerts(
    client: httpx.Client, who: Session, store_id: str, since: httpx.Response | None = None
) -> list[dict[str, Any]]:
    wait = after(since) if since is not None else {}
    response = client.get(f"/api/stores/{store_id}/alerts", headers={**who.auth, **wait})
    assert response.status_code == 200, response.text
    return list(response.json())


def test_a_store_running_low_is_told_once_an_hour_until_restocked(
    client: httpx.Client, smtp_sink: SmtpSink
) -> None:
    owner = register(client, role="artisan")
    store = a_store(client, owner, name="Tea Corner")
    tea = a_product(client, owner, store["id"], title="Sencha tin")
    receive(client, owner, store["id"], tea["id"], 5)
    customer = register(client)

    first = place(client, customer, store["id"], {tea["id"]: 1})
    assert alerts(client, owner, store["id"], since=first) == []
    place(client, customer, store["id"], {tea["id"]: 1})
    (alert,) = poll_until(lambda: alerts(client, owner, store["id"]))
    assert (alert["product_id"], alert["title"]) == (tea["id"], "Sencha tin")
    assert (alert["available"], alert["threshold"]) == (3, 3)
    owner_email = email_of(client, owner)
    (mail,) = poll_until(lambda: smtp_sink.to(owner_email))
    assert mail["Subject"] == "Low stock at Tea Corner: Sencha tin"
    assert "down to 3 available" in mail.get_payload(decode=True).decode()

    place(client, customer, store["id"], {tea["id"]: 2})
    poll_until(lambda: alerts(client, owner, store["id"])[0]["available"] == 1)
    receive(client, owner, store["id"], tea["id"], 10)
    poll_until(lambda: alerts(client, owner, store["id"]) == [])
    place(client, customer, store["id"], {tea["id"]: 9})
    last = place(client, customer, store["id"], {tea["id"]: 1})
    assert last.status_code == 201
    assert alerts(client, owner, store["id"], since=last) == []
    assert len(smtp_sink.to(owner_email)) == 1


def test_alerts_are_for_the_owner_or_an_admin(client: httpx.Client, shop: dict[str, Any]) -> None:
    url = f"/api/stores/{shop['store']['id']}/alerts"
    assert client.get(url, headers=shop["owner"].auth).status_code == 200
    assert_error(client.get(url, headers=register(client).auth), 403)
    assert_error(client.get(url), 401)
