"""Parallel requests over HTTP: placements never oversell, registrations never duplicate a user."""

from __future__ import annotations

import uuid
from collections import Counter
from dataclasses import dataclass
from uuid import UUID

import httpx
import pytest

from bazaar.wiring import Container
from read_model.positions import wait_for
from read_model.sql.inventory import store_inventory
from tests.http_driver import Session, a_product, a_store, place, receive, register
from tests.integration.crowd import Answer, all_at_once
from write_model.inventory import StockItem

pytestmark = pytest.mark.integration

CUSTOMERS = 50
MUGS = 10


@dataclass(frozen=True)
class Race:
    """Fifty customers, each ordering one of a store's ten mugs at the same moment."""

    owner: Session
    store_id: str
    mug_id: str
    answers: list[Answer]

    @property
    def last_position(self) -> int:
        return max(answer.position or 0 for answer in self.answers)

    def read_after(self) -> dict[str, str]:
        return {**self.owner.auth, "X-Min-Position": str(self.last_position)}


@pytest.fixture(scope="module")
def race(server: str) -> Race:
    with httpx.Client(base_url=server, timeout=30) as http:
        owner = register(http, role="artisan")
        store_id = a_store(http, owner)["id"]
        mug_id = a_product(http, owner, store_id)["id"]
        receive(http, owner, store_id, mug_id, MUGS)
    customers = all_at_once(server, CUSTOMERS, lambda http, _: register(http))
    answers = all_at_once(
        server,
        CUSTOMERS,
        lambda http, n: Answer.of(place(http, customers[n], store_id, {mug_id: 1})),
    )
    return Race(owner, store_id, mug_id, answers)


class TestNoOversell:
    def test_exactly_as_many_orders_are_accepted_as_there_are_mugs(self, race: Race) -> None:
        statuses = Counter(answer.status for answer in race.answers)

        assert statuses == {201: MUGS, 400: CUSTOMERS - MUGS}

    def test_every_refusal_is_for_insufficient_stock(self, race: Race) -> None:
        refusals = [answer.body["error"] for answer in race.answers if answer.status == 400]

        assert set(refusals) == {"insufficient_stock"}

    def test_the_stock_item_reserves_exactly_the_mugs_on_hand(
        self, race: Race, container: Container
    ) -> None:
        item_id = StockItem.create_id(UUID(race.store_id), UUID(race.mug_id))

        item = container.shop.repository.get(item_id)

        assert (item.on_hand, item.reserved, item.available) == (MUGS, MUGS, 0)

    def test_the_sql_stock_shows_none_left(self, race: Race, container: Container) -> None:
        assert wait_for(container.pool, ["stock"], container.shop.name, race.last_position, 10)

        lines = store_inventory(container.pool, UUID(race.store_id))

        assert [line.quantity for line in lines] == [0]

    def test_the_inventory_endpoint_shows_none_left(self, race: Race, client: httpx.Client) -> None:
        response = client.get(f"/api/stores/{race.store_id}/inventory", headers=race.read_after())

        assert [line["quantity"] for line in response.json()["results"]] == [0]

    def test_the_store_lists_each_order_as_its_placement_decided(
        self, race: Race, client: httpx.Client
    ) -> None:
        response = client.get(
            f"/api/stores/{race.store_id}/orders",
            params={"page_size": 100},
            headers=race.read_after(),
        )

        statuses = Counter(order["status"] for order in response.json()["results"])
        assert statuses == {"confirmed": MUGS, "rejected": CUSTOMERS - MUGS}


def registration(email: str, username: str) -> dict[str, str]:
    return {"email": email, "username": username, "password": "s3cret-pass"}


class TestParallelRegistration:
    def test_only_one_of_ten_registrations_of_an_email_succeeds(self, server: str) -> None:
        email = f"race-{uuid.uuid4().hex[:8]}@example.com"

        answers = all_at_once(
            server,
            10,
            lambda http, n: Answer.of(
                http.post("/api/auth/register", json=registration(email, f"racer{n}{email[5:13]}"))
            ),
        )

        assert Counter(answer.status for answer in answers) == {201: 1, 400: 9}
        assert {a.body["error"] for a in answers if a.status == 400} == {"account_exists"}

    def test_only_one_of_ten_registrations_of_a_username_succeeds(self, server: str) -> None:
        username = f"racer{uuid.uuid4().hex[:8]}"

        answers = all_at_once(
            server,
            10,
            lambda http, n: Answer.of(
                http.post(
                    "/api/auth/register",
                    json=registration(f"{username}-{n}@example.com", username),
                )
            ),
        )

        assert Counter(answer.status for answer in answers) == {201: 1, 400: 9}
        assert {a.body["error"] for a in answers if a.status == 400} == {"account_exists"}
