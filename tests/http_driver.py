"""Prose helpers that drive the API over HTTP as a shop owner or a customer would."""

from __future__ import annotations

import io
import uuid
from dataclasses import dataclass
from typing import Any

import httpx
from pypdf import PdfReader

from tests.waiting import poll_until


@dataclass(frozen=True)
class Session:
    """A signed-in user: their id, role and bearer header."""

    user_id: str
    role: str
    access: str
    refresh: str

    @property
    def auth(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.access}"}


def register(
    client: httpx.Client, role: str = "customer", password: str = "s3cret-pass"
) -> Session:
    name = f"u{uuid.uuid4().hex[:12]}"
    response = client.post(
        "/api/auth/register",
        json={"email": f"{name}@example.com", "username": name, "password": password, "role": role},
    )
    assert response.status_code == 201, response.text
    body = response.json()
    return Session(body["user"]["id"], body["user"]["role"], body["access"], body["refresh"])


def after(response: httpx.Response) -> dict[str, str]:
    """Headers for a read that must see what `response`'s command wrote."""
    return {"X-Min-Position": response.headers["X-Event-Position"]}


def position_in(response: httpx.Response, log: str = "shop") -> int:
    """The position in `log`'s event log that the answer's X-Event-Position token names."""
    named, _, number = response.headers["X-Event-Position"].rpartition(".")
    assert named == log, response.headers["X-Event-Position"]
    return int(number)


def a_store(client: httpx.Client, owner: Session, **fields: Any) -> dict[str, Any]:
    body = {"name": "Corner Shop", "city": "Lisbon", "lat": 38.71, "lng": -9.14, **fields}
    response = client.post("/api/stores", json=body, headers=owner.auth)
    assert response.status_code == 201, response.text
    return dict(response.json())


def a_product(
    client: httpx.Client, owner: Session, store_id: str, price: str = "10.00", **fields: Any
) -> dict[str, Any]:
    body = {"store_id": store_id, "title": "Mug", "price": price, "category": "ceramics", **fields}
    response = client.post("/api/products", json=body, headers=owner.auth)
    assert response.status_code == 201, response.text
    return dict(response.json())


def receive(
    client: httpx.Client, owner: Session, store_id: str, product_id: str, quantity: int
) -> httpx.Response:
    response = client.post(
        f"/api/stores/{store_id}/inventory",
        json={"product_id": product_id, "quantity": quantity},
        headers=owner.auth,
    )
    assert response.status_code == 201, response.text
    return response


@dataclass(frozen=True)
class Shelf:
    """A new artisan's store with one product in stock."""

    owner: Session
    store_id: str
    product_id: str
    stocked: httpx.Response
    """The answer to receiving the stock: a read after it sees the product in stock."""


def a_stocked_product(
    client: httpx.Client,
    quantity: int = 10,
    store_fields: dict[str, Any] | None = None,
    **product_fields: Any,
) -> Shelf:
    """A new artisan lists a product (`product_fields`) in a new store of theirs
    (`store_fields`) and receives `quantity` of it."""
    owner = register(client, "artisan")
    store_id = a_store(client, owner, **(store_fields or {}))["id"]
    product_id = a_product(client, owner, store_id, **product_fields)["id"]
    stocked = receive(client, owner, store_id, product_id, quantity)
    return Shelf(owner, store_id, product_id, stocked)


def place(
    client: httpx.Client,
    customer: Session,
    store_id: str,
    quantities: dict[str, int],
    **headers: str,
) -> httpx.Response:
    items = [{"product_id": pid, "quantity": qty} for pid, qty in quantities.items()]
    return client.post(
        "/api/orders",
        json={"store_id": store_id, "items": items},
        headers={**customer.auth, **headers},
    )


def assert_error(response: httpx.Response, status: int, code: str | None = None) -> dict[str, Any]:
    """The contract's error envelope, with the expected status (and code)."""
    assert response.status_code == status, response.text
    body = dict(response.json())
    assert set(body) == {"error", "message", "trace_id", "details"}, body
    assert body["message"] and body["trace_id"]
    if code is not None:
        assert body["error"] == code, body
    return body


def sign_in(client: httpx.Client, login: str, password: str) -> Session:
    """Log in by e-mail or username (whichever `login` looks like)."""
    field = "email" if "@" in login else "username"
    response = client.post("/api/auth/login", json={field: login, "password": password})
    assert response.status_code == 200, response.text
    body = response.json()
    return Session(body["user"]["id"], body["user"]["role"], body["access"], body["refresh"])


def an_admin(client: httpx.Client, accounts: Any, password: str = "admin-pass-1") -> Session:
    """A fresh admin made through `accounts.ensure_admin`, signed in over HTTP."""
    name = f"a{uuid.uuid4().hex[:12]}"
    accounts.ensure_admin(f"{name}@example.com", password, username=name)
    return sign_in(client, f"{name}@example.com", password)


def adjust(
    client: httpx.Client,
    who: Session,
    store_id: str,
    product_id: str,
    quantity: int,
    reason: str = "recount",
) -> httpx.Response:
    """Post a stock change and return the response, whatever it is."""
    return client.post(
        f"/api/stores/{store_id}/inventory",
        json={"product_id": product_id, "quantity": quantity, "reason": reason},
        headers=who.auth,
    )


def available(client: httpx.Client, store_id: str, since: httpx.Response) -> dict[str, int]:
    """The store's available quantity per product id, as of `since`'s write."""
    response = client.get(f"/api/stores/{store_id}/inventory", headers=after(since))
    assert response.status_code == 200, response.text
    return {line["product_id"]: line["quantity"] for line in response.json()["results"]}


def set_status(client: httpx.Client, who: Session, order_id: str, status: str) -> httpx.Response:
    return client.patch(f"/api/orders/{order_id}", json={"status": status}, headers=who.auth)


def open_store(client: httpx.Client, owner: Session, **fields: Any) -> httpx.Response:
    """Like `a_store`, but the 201 response itself, for `after(...)`."""
    body = {"name": "Corner Shop", "city": "Lisbon", "lat": 38.71, "lng": -9.14, **fields}
    response = client.post("/api/stores", json=body, headers=owner.auth)
    assert response.status_code == 201, response.text
    return response


def metric(client: httpx.Client, name: str, **labels: str) -> float:
    """The value `/metrics` shows for one sample (0 while it has never been counted)."""
    wanted = ",".join(f'{key}="{value}"' for key, value in sorted(labels.items()))
    for line in client.get("/metrics").text.splitlines():
        sample, _, value = line.rpartition(" ")
        if sample.split("{")[0] == name and sample.endswith(f"{{{wanted}}}"):
            return float(value)
    return 0.0


def pdf_text(client: httpx.Client, who: Session, url: str) -> str:
    """The text of the PDF at `url`, once a saga has made it, as `who` reads it."""
    answer = poll_until(lambda: (r := client.get(url, headers=who.auth)).is_success and r, 15)
    assert answer.headers["content-type"] == "application/pdf"
    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(answer.content)).pages)
