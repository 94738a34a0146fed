"""Product search over HTTP: full text, typos, filters, sorting, stock, and Redis being down.

Each run's products carry a random word (`TOKEN`), and tests that care about relevance
filter by one of this module's stores, so other tests' products never interfere.
"""

from __future__ import annotations

import random
import string
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from api.main import create_app
from bazaar.settings import Settings
from bazaar.wiring import build
from tests.http_driver import Session, a_store, adjust, after, assert_error, receive, register
from tests.stacks import free_port, serving

pytestmark = pytest.mark.integration
TOKEN = "qx" + "".join(random.choices(string.ascii_lowercase, k=8))
# A spot in the South Pacific, so no other test's store is ever near it.
SPOT = (-45.0, -120.0)
FAR_KM = 50
KM_PER_DEGREE_OF_LATITUDE = 111.2


def list_product(
    client: httpx.Client, owner: Session, store_id: str, title: str, **fields: Any
) -> httpx.Response:
    body = {"store_id": store_id, "title": title, "price": "10.00", "category": "misc", **fields}
    response = client.post("/api/products", json=body, headers=owner.auth)
    assert response.status_code == 201, response.text
    return response


def search(client: httpx.Client, since: httpx.Response, **params: Any) -> list[dict[str, Any]]:
    response = client.get("/api/search/products", params=params, headers=after(since))
    assert response.status_code == 200, response.text
    return list(response.json()["results"])


def titles(hits: list[dict[str, Any]]) -> list[str]:
    return [hit["title"] for hit in hits]


@dataclass(frozen=True)
class Shelf:
    """Two stores' products, named after `TOKEN`, and the response of the last write."""

    near_store: str
    far_store: str
    ids: dict[str, str]
    since: httpx.Response


@pytest.fixture(scope="module")
def shelf(server: str) -> Iterator[Shelf]:
    """Near: a mug (5 in stock), a bowl (stocked, sold out), a teapot (2), a lamp (never
    stocked); far, 50 km north: a vase."""
    with httpx.Client(base_url=server, timeout=30) as client:
        owner = register(client, "artisan")
        near = a_store(client, owner, lat=SPOT[0], lng=SPOT[1])["id"]
        far_lat = SPOT[0] + FAR_KM / KM_PER_DEGREE_OF_LATITUDE
        far = a_store(client, owner, lat=far_lat, lng=SPOT[1])["id"]
        kitchen = f"kitchen{TOKEN}"
        products = {
            "mug": (near, f"Ceramic Mug {TOKEN}", "Holds a large coffee.", kitchen, "12.00"),
            "bowl": (
                near,
                f"Stoneware Bowl {TOKEN}",
                "Pairs well with a ceramic mug.",
                kitchen,
                "8.00",
            ),
            "teapot": (near, f"Teapot {TOKEN}", "Pours well.", "ceramic", "30.00"),
            "lamp": (near, f"Desk Lamp {TOKEN}", "Bright.", f"lighting{TOKEN}", "45.00"),
            "vase": (far, f"Ceramic Vase {TOKEN}", "Tall.", kitchen, "20.00"),
        }
        ids = {}
        for name, (store, title, description, category, price) in products.items():
            body = {"description": description, "category": category, "price": price}
            ids[name] = list_product(client, owner, store, title, **body).json()["id"]
        receive(client, owner, near, ids["mug"], 5)
        receive(client, owner, near, ids["teapot"], 2)
        receive(client, owner, near, ids["bowl"], 3)
        last = adjust(client, owner, near, ids["bowl"], -3)
        assert last.status_code == 201, last.text
        yield Shelf(near, far, ids, last)


class TestText:
    def test_ranks_title_matches_above_category_above_description_matches(
        self, client: httpx.Client, shelf: Shelf
    ) -> None:
        hits = search(client, shelf.since, q="ceramic", store_id=shelf.near_store)

        assert titles(hits) == [
            f"Ceramic Mug {TOKEN}",
            f"Teapot {TOKEN}",
            f"Stoneware Bowl {TOKEN}",
        ]

    def test_ranks_an_exact_title_then_prefixes_then_other_title_words_then_descriptions(
        self, client: httpx.Client
    ) -> None:
        owner = register(client, "artisan")
        store = a_store(client, owner)["id"]
        list_product(client, owner, store, "Lamp", description="Lovely next to a vase.")
        list_product(client, owner, store, "Tall vase")
        list_product(client, owner, store, "Vase stand")
        last = list_product(client, owner, store, "Vase")

        hits = search(client, last, q="vase", store_id=store)

        assert titles(hits) == ["Vase", "Vase stand", "Tall vase", "Lamp"]

    def test_finds_a_product_by_another_form_of_its_word(
        self, client: httpx.Client, shelf: Shelf
    ) -> None:
        hits = search(client, shelf.since, q="mugs", store_id=shelf.near_store)

        assert titles(hits) == [f"Ceramic Mug {TOKEN}", f"Stoneware Bowl {TOKEN}"]

    def test_finds_a_title_despite_a_typo(self, client: httpx.Client, shelf: Shelf) -> None:
        hits = search(client, shelf.since, q="ceramc", store_id=shelf.near_store)

        assert titles(hits) == [f"Ceramic Mug {TOKEN}"]

    def test_finds_a_title_despite_a_typo_in_one_of_its_words(
        self, client: httpx.Client, shelf: Shelf
    ) -> None:
        hits = search(client, shelf.since, q="stonware bowl", store_id=shelf.near_store)

        assert titles(hits) == [f"Stoneware Bowl {TOKEN}"]

    def test_answers_an_empty_page_for_words_no_single_product_has(
        self, client: httpx.Client, shelf: Shelf
    ) -> None:
        """Close spellings mend typos; they do not loosen a query of well-spelt words."""
        hits = search(client, shelf.since, q="ceramic lamp", store_id=shelf.near_store)

        assert hits == []

    def test_answers_an_empty_page_when_nothing_is_even_close(
        self, client: httpx.Client, shelf: Shelf
    ) -> None:
        response = client.get(
            "/api/search/products", params={"q": "zzyzx", "store_id": shelf.near_store}
        )

        assert response.json() == {"count": 0, "page": 1, "page_size": 20, "results": []}

    def test_answers_each_hit_without_a_quantity_when_no_store_is_given(
        self, client: httpx.Client, shelf: Shelf
    ) -> None:
        hits = search(client, shelf.since, q=f"teapot {TOKEN}")

        assert hits == [
            {
                "id": shelf.ids["teapot"],
                "title": f"Teapot {TOKEN}",
                "description": "Pours well.",
                "price": "30.00",
                "category": "ceramic",
                "store_id": shelf.near_store,
            }
        ]


class TestFilters:
    def test_keeps_one_category(self, client: httpx.Client, shelf: Shelf) -> None:
        hits = search(client, shelf.since, q=TOKEN, category=f"kitchen{TOKEN}", sort="price")

        assert titles(hits) == [
            f"Stoneware Bowl {TOKEN}",
            f"Ceramic Mug {TOKEN}",
            f"Ceramic Vase {TOKEN}",
        ]

    def test_keeps_prices_within_the_bounds_inclusive(
        self, client: httpx.Client, shelf: Shelf
    ) -> None:
        hits = search(client, shelf.since, q=TOKEN, min_price="12", max_price="30", sort="price")

        assert titles(hits) == [f"Ceramic Mug {TOKEN}", f"Ceramic Vase {TOKEN}", f"Teapot {TOKEN}"]

    def test_keeps_products_of_stores_within_the_radius(
        self, client: httpx.Client, shelf: Shelf
    ) -> None:
        near = ",".join(map(str, SPOT))

        close_by = search(client, shelf.since, q=TOKEN, near=near)
        wider = search(client, shelf.since, q=TOKEN, near=near, radius_km=FAR_KM + 5)

        assert {hit["store_id"] for hit in close_by} == {shelf.near_store}
        assert len(close_by) == 4
        assert len(wider) == 5


class TestSorting:
    @pytest.mark.parametrize(
        ("sort", "expected"),
        [
            ("price", ["bowl", "mug", "teapot", "lamp"]),
            ("-price", ["lamp", "teapot", "mug", "bowl"]),
            ("newest", ["lamp", "teapot", "bowl", "mug"]),
        ],
    )
    def test_orders_by_the_chosen_key(
        self, client: httpx.Client, shelf: Shelf, sort: str, expected: list[str]
    ) -> None:
        hits = search(client, shelf.since, q=TOKEN, store_id=shelf.near_store, sort=sort)

        assert [hit["id"] for hit in hits] == [shelf.ids[name] for name in expected]

    def test_pages_the_results(self, client: httpx.Client, shelf: Shelf) -> None:
        params = {"store_id": shelf.near_store, "sort": "price", "page": 2, "page_size": 3}

        response = client.get("/api/search/products", params=params, headers=after(shelf.since))

        body = response.json()
        assert (body["count"], body["page"], body["page_size"]) == (4, 2, 3)
        assert [hit["id"] for hit in body["results"]] == [shelf.ids["lamp"]]

    def test_counts_every_hit_on_a_page_past_the_last(
        self, client: httpx.Client, shelf: Shelf
    ) -> None:
        params = {"q": TOKEN, "store_id": shelf.near_store, "page": 3, "page_size": 2}

        response = client.get("/api/search/products", params=params, headers=after(shelf.since))

        assert response.json() == {"count": 4, "page": 3, "page_size": 2, "results": []}


class TestStock:
    def test_shows_the_store_s_available_quantity_even_when_none(
        self, client: httpx.Client, shelf: Shelf
    ) -> None:
        hits = search(client, shelf.since, store_id=shelf.near_store)

        quantities = {hit["id"]: hit["quantity"] for hit in hits}
        by_name = {name: quantities[pid] for name, pid in shelf.ids.items() if pid in quantities}
        assert by_name == {"mug": 5, "bowl": 0, "teapot": 2, "lamp": 0}

    def test_keeps_only_what_the_store_has_available_when_asked(
        self, client: httpx.Client, shelf: Shelf
    ) -> None:
        hits = search(client, shelf.since, store_id=shelf.near_store, in_stock="true")

        assert {hit["id"] for hit in hits} == {shelf.ids["mug"], shelf.ids["teapot"]}


class TestRefusals:
    @pytest.mark.parametrize(
        "params",
        [
            {"min_price": "abc"},
            {"min_price": "10", "max_price": "5"},
            {"sort": "cheapest"},
            {"in_stock": "true"},
            {"near": "somewhere"},
            {"near": "91,0"},
            {"near": "1,1", "radius_km": "0"},
            {"page_size": "101"},
        ],
        ids=[
            "price not a number",
            "min above max",
            "unknown sort",
            "in_stock without store",
            "near not lat,lng",
            "near off the globe",
            "zero radius",
            "page too big",
        ],
    )
    def test_refuses_a_bad_parameter_with_400(
        self, client: httpx.Client, params: dict[str, str]
    ) -> None:
        response = client.get("/api/search/products", params=params)

        assert_error(response, 400, "validation_error")


@pytest.fixture(scope="module")
def without_redis(settings: Settings) -> Iterator[httpx.Client]:
    """The API on the session's database, its Redis URL pointing where nothing listens."""
    dead = settings.model_copy(
        update={"redis_url": f"redis://127.0.0.1:{free_port()}/0", "postgres_pool_size": 2}
    )
    container = build(dead)
    try:
        app = create_app(container.api_services(dead.jwt_secret or ""))
        with serving(app) as url, httpx.Client(base_url=url, timeout=30) as client:
            yield client
    finally:
        container.close()


class TestWithoutRedis:
    def test_search_answers_from_postgres(self, without_redis: httpx.Client, shelf: Shelf) -> None:
        params = {"q": "ceramic", "store_id": shelf.near_store}

        response = without_redis.get(
            "/api/search/products", params=params, headers=after(shelf.since)
        )

        assert response.status_code == 200, response.text
        assert response.json()["count"] == 3

    def test_suggest_answers_from_postgres(
        self, without_redis: httpx.Client, shelf: Shelf, caplog: pytest.LogCaptureFixture
    ) -> None:
        response = without_redis.get(
            "/api/search/suggest", params={"q": TOKEN}, headers=after(shelf.since)
        )

        assert response.status_code == 200, response.text
        assert response.headers["X-Cache"] == "MISS"
        assert response.json()["suggestions"] == [
            f"Ceramic Mug {TOKEN}",
            f"Ceramic Vase {TOKEN}",
            f"Desk Lamp {TOKEN}",
            f"Stoneware Bowl {TOKEN}",
            f"Teapot {TOKEN}",
        ]
        assert "suggest index unavailable" in caplog.text
        assert "rate limiter suggest unavailable" in caplog.text

    def test_inventory_pages_from_postgres(self, without_redis: httpx.Client, shelf: Shelf) -> None:
        response = without_redis.get(
            f"/api/stores/{shelf.near_store}/inventory",
            params={"page": 2, "page_size": 1},
            headers=after(shelf.since),
        )

        body = response.json()
        assert (response.headers["X-Cache"], body["count"]) == ("MISS", 3)
        assert [line["product_id"] for line in body["results"]] == [shelf.ids["bowl"]]

    def test_inventory_answers_from_postgres(
        self, without_redis: httpx.Client, shelf: Shelf
    ) -> None:
        response = without_redis.get(
            f"/api/stores/{shelf.near_store}/inventory", headers=after(shelf.since)
        )

        assert response.status_code == 200, response.text
        assert {line["product_id"] for line in response.json()["results"]} == {
            shelf.ids[name] for name in ("mug", "bowl", "teapot")
        }
