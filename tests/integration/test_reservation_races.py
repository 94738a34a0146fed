"""Reservations under contention on Postgres: the last units, and expiry against conversion."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from datetime import timedelta
from functools import partial
from uuid import UUID, uuid4

import httpx
import pytest

from tests.builders import (
    a_customer,
    a_hold_request,
    a_product_in,
    a_store_in,
    an_artisan,
    stock_of,
)
from tests.http_driver import Session, a_product, a_store, receive, register
from tests.integration.crowd import Answer, all_at_once, at_once, two_shop_processes
from write_model.commands import PlaceReservedOrder
from write_model.inventory import StockItem
from write_model.reservations import Reservation
from write_model.shop import Shop

pytestmark = pytest.mark.integration
CUSTOMERS, MUGS, ROUNDS = 30, 10, 20


def hold_one(server: str, customers: list[Session], store: str, mug: str) -> list[Answer]:
    def hold(http: httpx.Client, n: int) -> Answer:
        body = {"store_id": store, "items": [{"product_id": mug, "quantity": 1}]}
        return Answer.of(http.post("/api/reservations", json=body, headers=customers[n].auth))

    return all_at_once(server, CUSTOMERS, hold)


def test_reservations_racing_for_the_last_units_hold_each_unit_once(server: str) -> None:
    with httpx.Client(base_url=server, timeout=30) as http:
        owner = register(http, "artisan")
        store = a_store(http, owner)["id"]
        mug = a_product(http, owner, store)["id"]
        receive(http, owner, store, mug, MUGS)
    customers = all_at_once(server, CUSTOMERS, lambda http, _: register(http))

    answers = hold_one(server, customers, store, mug)

    assert Counter(a.status for a in answers) == {201: MUGS, 400: CUSTOMERS - MUGS}
    assert {a.body["error"] for a in answers if a.status == 400} == {"insufficient_stock"}


@pytest.fixture
def two_shops(event_store_env: dict[str, str]) -> Iterator[tuple[Shop, Shop]]:
    with two_shop_processes(event_store_env) as shops:
        yield shops


def test_expiry_racing_conversion_ends_each_reservation_once(
    two_shops: tuple[Shop, Shop],
) -> None:
    ordering, expiring = two_shops
    owner, customer = an_artisan(), a_customer()
    store = a_store_in(ordering, owner)
    mug = a_product_in(ordering, store, owner)
    stock_of(ordering, store, mug, owner, ROUNDS)
    ends = Counter[str]()

    for _ in range(ROUNDS):
        request = a_hold_request(store, customer.user_id, {mug: 1}, minutes=1)
        held: Reservation = ordering.reserve_stock(request).aggregate
        order = PlaceReservedOrder(
            order_id=uuid4(), user_id=customer.user_id, reservation_id=held.id
        )
        just_in_time = held.expires_at - timedelta(milliseconds=1)
        expiring.expire_reservation(held.id, just_in_time)  # not due: loads it, as a warm cache
        at_once(
            partial(ordering.place_reserved_order, order, just_in_time),
            partial(expiring.expire_reservation, held.id, held.expires_at),
        )
        ends[final_status(ordering, held.id)] += 1

    assert sum(ends.values()) == ROUNDS and set(ends) <= {"converted", "expired"}
    item = ordering.repository.get(StockItem.create_id(store, mug))
    assert (item.on_hand, item.reserved) == (ROUNDS, ends["converted"])


def final_status(shop: Shop, reservation_id: UUID) -> str:
    """The reservation's one ending, checked against its events: never two."""
    kinds = [type(e) for e in shop.events.get(reservation_id)]
    endings = [k for k in kinds if k in (Reservation.Converted, Reservation.Expired)]
    assert len(endings) == 1, kinds
    return "converted" if endings[0] is Reservation.Converted else "expired"
