"""Cached product pages and order details over HTTP: hits, invalidation, access, Redis down."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from api.main import create_app
from bazaar.settings import Settings
from bazaar.wiring import Container, build
from read_model.positions import slowest
from tests.conftest import JWT_SECRET
from tests.http_driver import (
    Session,
    a_stocked_product,
    after,
    an_admin,
    assert_error,
    place,
    position_in,
    register,
    set_status,
)
from tests.stacks import free_port, serving
from tests.waiting import poll_until

pytestmark = pytest.mark.integration
A_LONG_SALE = {
    "price": "8.00",
    "starts_at": "2020-01-01T00:00:00Z",
    "ends_at": "2099-01-01T00:00:00Z",
}


@dataclass(frozen=True)
class Store:
    """A fresh store with a mug (10.00) in stock, and a customer's confirmed order of one."""

    owner: Session
    customer: Session
    store_id: str
    mug: str
    order_id: str
    placed: httpx.Response


@pytest.fixture
def store(client: httpx.Client) -> Store:
    shelf, customer = a_stocked_product(client, 10, price="10.00", title="Mug"), register(client)
    owner, store_id, mug = shelf.owner, shelf.store_id, shelf.product_id
    placed = place(client, customer, store_id, {mug: 1})
    assert placed.status_code == 201, placed.text
    return Store(owner, customer, store_id, mug, placed.json()["id"], placed)


def settled(container: Container, response: httpx.Response) -> httpx.Response:
    """Once the cache's projection and the SQL ones applied `response`'s write: no
    invalidation is on its way, and what a reader loads from SQL may be kept."""
    position, name = position_in(response), container.shop.name
    poll_until(lambda: (container.query_cache.position(name) or 0) >= position)
    poll_until(lambda: slowest(container.pool, ["catalogue", "orders"], name) >= position)
    return response


def products_of(
    client: httpx.Client, store: Store, since: httpx.Response | None = None
) -> httpx.Response:
    headers = after(since) if since is not None else {}
    response = client.get("/api/products", params={"store_id": store.store_id}, headers=headers)
    assert response.status_code == 200, response.text
    return response


def titles(response: httpx.Response) -> list[str]:
    return [product["title"] for product in response.json()["results"]]


def the_order(
    client: httpx.Client, who: Session, order_id: str, since: httpx.Response | None = None
) -> httpx.Response:
    headers = {**who.auth, **(after(since) if since is not None else {})}
    return client.get(f"/api/orders/{order_id}", headers=headers)


class TestProductPages:
    def test_a_read_after_the_first_hits(
        self, client: httpx.Client, container: Container, store: Store
    ) -> None:
        settled(container, store.placed)

        first, second = products_of(client, store), products_of(client, store)

        assert (first.headers["X-Cache"], second.headers["X-Cache"]) == ("MISS", "HIT")
        assert second.json() == first.json()

    def test_a_hit_shows_whether_a_flash_sale_runs_as_of_the_read(
        self, client: httpx.Client, container: Container, store: Store
    ) -> None:
        settled(container, change_a_product(client, store, "put_on_sale"))
        products_of(client, store)

        hit = products_of(client, store)

        assert hit.headers["X-Cache"] == "HIT"
        assert hit.json()["results"][0]["flash_sale"]["active"] is True

    @pytest.mark.parametrize("change", ["listed", "revised", "delisted", "put_on_sale"])
    def test_a_product_change_shows_on_the_next_read_after_it(
        self, client: httpx.Client, container: Container, store: Store, change: str
    ) -> None:
        settled(container, store.placed)
        products_of(client, store)
        assert products_of(client, store).headers["X-Cache"] == "HIT"

        written = change_a_product(client, store, change)
        changed = products_of(client, store, since=written)

        assert changed.headers["X-Cache"] == "MISS"
        assert summary(changed) == EXPECTED[change]

    def test_the_changed_page_is_cached_again(
        self, client: httpx.Client, container: Container, store: Store
    ) -> None:
        written = settled(container, change_a_product(client, store, "revised"))
        products_of(client, store, since=written)

        again = products_of(client, store, since=written)

        assert (again.headers["X-Cache"], titles(again)) == ("HIT", ["Big mug"])


def change_a_product(client: httpx.Client, store: Store, change: str) -> httpx.Response:
    auth, path = store.owner.auth, f"/api/products/{store.mug}"
    if change == "listed":
        body = {"store_id": store.store_id, "title": "Bowl", "price": "5.00", "category": "x"}
        return client.post("/api/products", json=body, headers=auth)
    if change == "revised":
        return client.patch(path, json={"title": "Big mug", "price": "12.00"}, headers=auth)
    if change == "delisted":
        return client.delete(path, headers=auth)
    return client.put(f"{path}/flash-sale", json=A_LONG_SALE, headers=auth)


def summary(response: httpx.Response) -> list[tuple[str, str, Any]]:
    return [
        (p["title"], p["price"], p["flash_sale"] and p["flash_sale"]["price"])
        for p in response.json()["results"]
    ]


EXPECTED: dict[str, list[tuple[str, str, Any]]] = {
    "listed": [("Bowl", "5.00", None), ("Mug", "10.00", None)],
    "revised": [("Big mug", "12.00", None)],
    "delisted": [],
    "put_on_sale": [("Mug", "10.00", "8.00")],
}


class TestOrderDetails:
    def test_a_read_after_the_first_hits(
        self, client: httpx.Client, container: Container, store: Store
    ) -> None:
        settled(container, store.placed)

        first = the_order(client, store.customer, store.order_id, since=store.placed)
        second = the_order(client, store.customer, store.order_id)

        assert (first.headers["X-Cache"], second.headers["X-Cache"]) == ("MISS", "HIT")
        assert second.json() == first.json() == store.placed.json()

    def test_a_status_change_shows_on_the_next_read_after_it(
        self, client: httpx.Client, container: Container, store: Store
    ) -> None:
        the_order(client, store.customer, store.order_id, since=settled(container, store.placed))

        moved = set_status(client, store.owner, store.order_id, "processing")
        read = the_order(client, store.customer, store.order_id, since=moved)

        assert (read.headers["X-Cache"], read.json()["status"]) == ("MISS", "processing")

    def test_the_changed_order_is_cached_again(
        self, client: httpx.Client, container: Container, store: Store
    ) -> None:
        moved = settled(container, set_status(client, store.owner, store.order_id, "processing"))
        the_order(client, store.customer, store.order_id, since=moved)

        again = the_order(client, store.customer, store.order_id, since=moved)

        assert (again.headers["X-Cache"], again.json()["status"]) == ("HIT", "processing")

    def test_a_cached_order_is_still_hidden_from_a_stranger(
        self, client: httpx.Client, container: Container, store: Store
    ) -> None:
        settled(container, store.placed)
        the_order(client, store.customer, store.order_id)

        response = the_order(client, register(client), store.order_id)

        assert_error(response, 404, "order_not_found")

    @pytest.mark.parametrize("who", ["owner", "admin"])
    def test_a_cached_order_is_shown_to_whoever_may_see_it(
        self, client: httpx.Client, container: Container, store: Store, who: str
    ) -> None:
        settled(container, store.placed)
        the_order(client, store.customer, store.order_id)
        reader = store.owner if who == "owner" else an_admin(client, container.accounts)

        response = the_order(client, reader, store.order_id)

        assert (response.status_code, response.headers["X-Cache"]) == (200, "HIT")


@pytest.fixture(scope="module")
def without_redis(settings: Settings, server: str) -> Iterator[str]:
    """A second API on the same database, its Redis URL pointing where nothing listens.

    The session's runner (on the real Redis) keeps the read models; this API only reads.
    """
    nowhere = f"redis://127.0.0.1:{free_port()}/0"
    changed = settings.model_copy(update={"redis_url": nowhere, "postgres_pool_size": 2})
    built = build(changed)
    with serving(create_app(built.api_services(JWT_SECRET))) as url:
        yield url
    built.close()


@pytest.fixture
def downstairs(without_redis: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=without_redis, timeout=60) as http:
        yield http


class TestWithRedisDown:
    def test_every_read_answers_from_postgres(
        self, client: httpx.Client, downstairs: httpx.Client, store: Store
    ) -> None:
        since = after(store.placed)
        reads = [
            downstairs.get("/api/products", params={"store_id": store.store_id}, headers=since),
            downstairs.get(
                f"/api/orders/{store.order_id}", headers={**store.customer.auth, **since}
            ),
            downstairs.get(f"/api/stores/{store.store_id}/inventory", headers=since),
            downstairs.get(f"/api/products/{store.mug}/recommendations", headers=since),
            downstairs.get(f"/api/products/{store.mug}", headers=since),
        ]

        assert [r.status_code for r in reads] == [200] * len(reads), [r.text for r in reads]
        assert [r.headers.get("X-Cache") for r in reads[:3]] == ["MISS"] * 3
        assert titles(reads[0]) == ["Mug"]
        assert reads[1].json() == store.placed.json()
        assert reads[2].json()["results"][0]["quantity"] == 9

    def test_commands_still_work(self, downstairs: httpx.Client, store: Store) -> None:
        sale = downstairs.put(
            f"/api/products/{store.mug}/flash-sale", json=A_LONG_SALE, headers=store.owner.auth
        )
        placed = place(downstairs, store.customer, store.store_id, {store.mug: 1})

        assert (sale.status_code, placed.status_code) == (200, 201), placed.text
        assert placed.json()["items"][0]["unit_price"] == "8.00"
        read = downstairs.get(
            f"/api/orders/{placed.json()['id']}", headers={**store.customer.auth, **after(placed)}
        )
        assert (read.status_code, read.json()["status"]) == (200, "confirmed")
