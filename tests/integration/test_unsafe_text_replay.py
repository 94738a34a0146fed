"""Events with a NUL already in the log (recorded before the text rule) never stop a read model.

The events are saved through the shop application directly, the way they were recorded
before the rule existed; the read models store the NUL as U+FFFD and go on.
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from uuid import UUID, uuid4

import httpx
import pytest

from api.main import create_app
from bazaar.wiring import Container
from tests.builders import LYON
from tests.http_driver import Session, a_store, after, place, receive, register
from tests.stacks import (
    a_stack_of_its_own,
    serving,
)
from write_model.catalogue import Product, Store
from write_model.delivery import OpeningHours

pytestmark = pytest.mark.integration
NUL, REPLACEMENT = "\x00", "\ufffd"


@pytest.fixture(scope="module")
def container(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Container]:
    """A stack of its own (Redis too: it keeps positions): the read models it stops are its own."""
    with a_stack_of_its_own(tmp_path_factory.mktemp("redis")) as built:
        runner = built.runner()
        runner.start()
        yield built
        runner.stop()


@pytest.fixture(scope="module")
def client(container: Container) -> Iterator[httpx.Client]:
    app = create_app(container.api_services("t" * 40))
    with serving(app) as url, httpx.Client(base_url=url, timeout=30) as http:
        yield http


def a_product_titled_before_the_rule(container: Container, store_id: str, title: str) -> UUID:
    product = Product(
        id=uuid4(),
        store_id=UUID(store_id),
        title=title,
        description=f"{title}\n{NUL}",
        price=Decimal("12.00"),
        category=f"pottery{NUL}",
    )
    container.shop.save(product)
    return product.id


def an_order(client: httpx.Client, customer: Session, store_id: str, product_id: str) -> str:
    placed = place(client, customer, store_id, {product_id: 1})
    assert placed.status_code == 201, placed.text
    seen = client.get(
        f"/api/orders/{placed.json()['id']}", headers={**customer.auth, **after(placed)}
    )
    assert seen.status_code == 200, seen.text
    return str(placed.json()["id"])


def test_a_store_named_with_a_nul_is_shown_with_a_replacement_character(
    container: Container, client: httpx.Client
) -> None:
    owner = register(client, "artisan")
    store = Store(
        id=uuid4(),
        name=f"Clay{NUL}Kiln",
        owner_id=UUID(owner.user_id),
        location=LYON,
        low_stock_threshold=3,
        opening_hours=OpeningHours(),
    )
    container.shop.save(store)
    later = a_store(client, owner, name="After")

    shown = client.get(
        f"/api/stores/{store.id}", headers={"X-Min-Position": str(container.shop.position())}
    )

    assert shown.json()["name"] == f"Clay{REPLACEMENT}Kiln"
    assert client.get(f"/api/stores/{later['id']}").status_code == 200


def test_a_product_titled_with_a_nul_keeps_no_order_from_being_read(
    container: Container, client: httpx.Client
) -> None:
    owner, customer = register(client, "artisan"), register(client)
    store_id = a_store(client, owner)["id"]
    product_id = str(a_product_titled_before_the_rule(container, store_id, f"Mug{NUL}"))
    receive(client, owner, store_id, product_id, 10)

    first = an_order(client, customer, store_id, product_id)
    shown = client.get(f"/api/orders/{first}", headers=customer.auth).json()
    product = client.get(f"/api/products/{product_id}").json()

    assert shown["items"][0]["title"] == f"Mug{REPLACEMENT}"
    assert (product["title"], product["category"]) == (f"Mug{REPLACEMENT}", f"pottery{REPLACEMENT}")


def test_a_delivery_address_with_a_nul_does_not_stop_the_orders_read_model(
    container: Container, client: httpx.Client
) -> None:
    owner, customer = register(client, "artisan"), register(client)
    store_id = a_store(client, owner)["id"]
    product_id = str(a_product_titled_before_the_rule(container, store_id, "Bowl"))
    receive(client, owner, store_id, product_id, 10)
    first = an_order(client, customer, store_id, product_id)
    order = container.shop.get_order(UUID(first))
    slot = order.created_on.replace(microsecond=0)
    order._schedule_delivery(address=f"Rua {NUL} 1", slot_start=slot, by=UUID(customer.user_id))
    container.shop.save(order)

    later = an_order(client, customer, store_id, product_id)
    shown = client.get(f"/api/orders/{first}", headers=customer.auth).json()

    assert shown["delivery"]["address"] == f"Rua {REPLACEMENT} 1"
    assert client.get(f"/api/orders/{later}", headers=customer.auth).status_code == 200
