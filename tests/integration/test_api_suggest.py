"""Title suggestions over HTTP: ordering, limit, case, the Redis index following renames and
delistings, and the per-client rate limit.

Every test types a word of its own and calls as a user (or from an address) of its own, so
neither other tests' titles nor their requests count against it.
"""

from __future__ import annotations

import random
import string

import httpx
import pytest

from bazaar.wiring import Container
from tests.http_driver import Session, a_store, assert_error, position_in, register
from tests.waiting import poll_until

pytestmark = pytest.mark.integration
LIMIT_PER_MINUTE = 20


def a_word() -> str:
    return "qx" + "".join(random.choices(string.ascii_lowercase, k=8))


def list_titles(client: httpx.Client, owner: Session, *titles: str) -> list[httpx.Response]:
    store = a_store(client, owner)["id"]
    responses = []
    for title in titles:
        body = {"store_id": store, "title": title, "price": "10.00", "category": "misc"}
        responses.append(client.post("/api/products", json=body, headers=owner.auth))
        assert responses[-1].status_code == 201, responses[-1].text
    return responses


def suggestions(
    client: httpx.Client, container: Container, who: Session, q: str, since: httpx.Response
) -> list[str]:
    """What the Redis index suggests once it has applied `since`'s write."""
    position = position_in(since)
    index = container.suggest_index
    poll_until(lambda: (index.position(container.shop.name) or 0) >= position)
    response = client.get("/api/search/suggest", params={"q": q}, headers=who.auth)
    assert response.status_code == 200, response.text
    return list(response.json()["suggestions"])


class TestSuggest:
    def test_lists_titles_starting_with_the_text_before_those_with_a_later_word_starting_with_it(
        self, client: httpx.Client, container: Container
    ) -> None:
        owner, word = register(client, "artisan"), a_word()
        *_, last = list_titles(client, owner, f"Old {word} lamp", f"{word} cup", f"{word} bowl")

        found = suggestions(client, container, owner, word, last)

        assert found == [f"{word} bowl", f"{word} cup", f"Old {word} lamp"]

    def test_answers_at_most_ten_titles(self, client: httpx.Client, container: Container) -> None:
        owner, word = register(client, "artisan"), a_word()
        *_, last = list_titles(client, owner, *(f"{word} no {n:02}" for n in range(12)))

        found = suggestions(client, container, owner, word, last)

        assert found == [f"{word} no {n:02}" for n in range(10)]

    def test_ignores_case(self, client: httpx.Client, container: Container) -> None:
        owner, word = register(client, "artisan"), a_word()
        *_, last = list_titles(client, owner, f"{word.capitalize()} Jug")

        found = suggestions(client, container, owner, word.upper(), last)

        assert found == [f"{word.capitalize()} Jug"]

    def test_lists_a_title_shared_by_two_products_once_until_both_are_gone(
        self, client: httpx.Client, container: Container
    ) -> None:
        owner, word = register(client, "artisan"), a_word()
        first, _ = list_titles(client, owner, f"{word} jug", f"{word} jug")
        delisted = client.delete(f"/api/products/{first.json()['id']}", headers=owner.auth)

        found = suggestions(client, container, owner, word, delisted)

        assert found == [f"{word} jug"]

    def test_forgets_a_delisted_product(self, client: httpx.Client, container: Container) -> None:
        owner, word = register(client, "artisan"), a_word()
        (listed,) = list_titles(client, owner, f"{word} jug")

        delisted = client.delete(f"/api/products/{listed.json()['id']}", headers=owner.auth)

        assert suggestions(client, container, owner, word, delisted) == []

    def test_follows_a_renamed_product_to_its_new_title(
        self, client: httpx.Client, container: Container
    ) -> None:
        owner, old, new = register(client, "artisan"), a_word(), a_word()
        (listed,) = list_titles(client, owner, f"{old} jug")

        renamed = client.patch(
            f"/api/products/{listed.json()['id']}",
            json={"title": f"{new} pitcher"},
            headers=owner.auth,
        )

        assert suggestions(client, container, owner, old, renamed) == []
        assert suggestions(client, container, owner, new, renamed) == [f"{new} pitcher"]

    @pytest.mark.parametrize("q", ["ab", "  ab  ", ""])
    def test_refuses_fewer_than_three_characters(self, client: httpx.Client, q: str) -> None:
        response = client.get("/api/search/suggest", params={"q": q}, headers=register(client).auth)

        assert_error(response, 400, "validation_error")


class TestRateLimit:
    def test_refuses_the_twenty_first_request_within_a_minute_with_retry_after(
        self, client: httpx.Client
    ) -> None:
        caller = register(client)
        for _ in range(LIMIT_PER_MINUTE):
            allowed = client.get("/api/search/suggest", params={"q": "mug"}, headers=caller.auth)
            assert allowed.status_code == 200, allowed.text

        refused = client.get("/api/search/suggest", params={"q": "mug"}, headers=caller.auth)

        assert_error(refused, 429, "rate_limited")
        assert 1 <= int(refused.headers["Retry-After"]) <= 60

    def test_counts_each_user_apart(self, client: httpx.Client) -> None:
        busy, other = register(client), register(client)
        for _ in range(LIMIT_PER_MINUTE + 1):
            client.get("/api/search/suggest", params={"q": "mug"}, headers=busy.auth)

        response = client.get("/api/search/suggest", params={"q": "mug"}, headers=other.auth)

        assert response.status_code == 200, response.text

    def test_counts_a_caller_without_a_valid_token_by_its_address(self, server: str) -> None:
        forged = {"Authorization": "Bearer not-a-token"}
        with a_client_from_an_address_of_its_own(server) as anonymous:
            for _ in range(LIMIT_PER_MINUTE):
                anonymous.get("/api/search/suggest", params={"q": "mug"}, headers=forged)

            refused = anonymous.get("/api/search/suggest", params={"q": "mug"})

        assert_error(refused, 429, "rate_limited")


def a_client_from_an_address_of_its_own(server: str) -> httpx.Client:
    """A client calling from a loopback address no other test uses, so the requests it
    spends on the address's limit are no one else's."""
    address = "127." + ".".join(str(random.randint(1, 254)) for _ in range(3))
    transport = httpx.HTTPTransport(local_address=address)
    return httpx.Client(base_url=server, transport=transport, timeout=30)
