"""Every order status transition, for every kind of caller, over HTTP; and what it does to stock."""

from __future__ import annotations

from dataclasses import dataclass
from itertools import product

import httpx
import pytest

from bazaar.wiring import Container
from read_model import positions
from tests.http_driver import (
    Session,
    a_product,
    a_store,
    an_admin,
    place,
    position_in,
    receive,
    register,
    set_status,
)
from tests.lifecycle import ALLOWED, PATHS, STATUSES, allowed_from
from write_model.inventory import StockItem

pytestmark = pytest.mark.integration
ROLES = ("customer", "owner", "admin", "stranger")


@dataclass(frozen=True)
class Cast:
    """The people around one store: its owner, a customer, an admin and a stranger."""

    owner: Session
    customer: Session
    admin: Session
    stranger: Session
    store_id: str
    product_id: str
    unstocked_id: str


@pytest.fixture(scope="module")
def cast(server: str, container: Container) -> Cast:
    with httpx.Client(base_url=server, timeout=30) as client:
        owner, customer = register(client, "artisan"), register(client)
        store = a_store(client, owner)
        mug = a_product(client, owner, store["id"])
        receive(client, owner, store["id"], mug["id"], 100_000)
        bowl = a_product(client, owner, store["id"], title="Bowl")
        admin, stranger = an_admin(client, container.accounts), register(client)
    return Cast(owner, customer, admin, stranger, store["id"], mug["id"], bowl["id"])


def an_order_in(client: httpx.Client, cast: Cast, status: str) -> str:
    """A new order of the customer's, moved to `status` by those allowed to."""
    product_id = cast.unstocked_id if status == "rejected" else cast.product_id
    placed = place(client, cast.customer, cast.store_id, {product_id: 1})
    order_id = str(placed.json().get("id") or placed.json()["details"]["order_id"])
    for step in PATHS.get(status, ()):
        mover = cast.customer if step == "cancelled" else cast.owner
        assert set_status(client, mover, order_id, step).status_code == 200
    return order_id


def expected_status(role: str, current: str, target: str) -> int:
    """What the contract says: strangers never see it; the rest may act within their rights."""
    if role == "stranger":
        return 404
    if target == current:
        return 200
    if (current, target) not in ALLOWED:
        return 409
    may = role == "admin" or (role == "customer") == (target == "cancelled")
    return 200 if may else 403


@pytest.mark.parametrize(("current", "target", "role"), list(product(STATUSES, STATUSES, ROLES)))
def test_a_status_change_answers_what_the_contract_says_for_the_caller(
    client: httpx.Client, cast: Cast, current: str, target: str, role: str
) -> None:
    order_id = an_order_in(client, cast, current)

    answer = set_status(client, getattr(cast, role), order_id, target)

    assert answer.status_code == expected_status(role, current, target), answer.text
    if answer.status_code == 409:
        assert sorted(answer.json()["details"]["allowed"]) == sorted(allowed_from(current))


class TestStock:
    @pytest.mark.parametrize(
        ("status", "on_hand_change", "reserved_change"),
        [("cancelled", 0, 0), ("shipped", -1, 0), ("processing", 0, 1)],
    )
    def test_the_read_model_shows_the_event_store_s_stock_after_a_change(
        self,
        client: httpx.Client,
        container: Container,
        cast: Cast,
        status: str,
        on_hand_change: int,
        reserved_change: int,
    ) -> None:
        on_hand, reserved = in_event_store(container, cast)

        order_id = an_order_in(client, cast, status)

        settled = set_status(client, cast.admin, order_id, status)
        head = position_in(settled)
        assert positions.wait_for(container.pool, ["stock"], container.shop.name, head, 10)
        expected = (on_hand + on_hand_change, reserved + reserved_change)
        assert in_event_store(container, cast) == expected
        assert in_read_model(container, cast) == expected


def in_event_store(container: Container, cast: Cast) -> tuple[int, int]:
    item = container.shop.repository.get(StockItem.create_id(cast.store_id, cast.product_id))
    return item.on_hand, item.reserved


def in_read_model(container: Container, cast: Cast) -> tuple[int, int]:
    with container.pool.connection() as conn:
        row = conn.execute(
            "SELECT on_hand, reserved FROM stock WHERE store_id = %s AND product_id = %s",
            (cast.store_id, cast.product_id),
        ).fetchone()
    assert row is not None
    return int(row[0]), int(row[1])
