"""Debit cards over HTTP, against the bundled fake provider as a real server."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx
import pytest

from api.main import create_app
from bazaar.settings import Settings
from bazaar.wiring import Container, build
from projections.sagas.cards import CardIssuance
from read_model.sql import saga_jobs
from tests.card_provider import ProviderControl, a_card_provider
from tests.conftest import JWT_SECRET
from tests.http_driver import (
    Session,
    after,
    an_admin,
    assert_error,
    metric,
    position_in,
    register,
)
from tests.stacks import serving
from tests.waiting import poll_until

pytestmark = pytest.mark.integration


@contextmanager
def an_api_whose_provider_is(settings: Settings, provider_url: str) -> Iterator[str]:
    """Another API process's worth of parts on the same database, with another provider."""
    container = build(settings.model_copy(update={"card_provider_url": provider_url}))
    try:
        with serving(create_app(container.api_services(JWT_SECRET))) as url:
            yield url
    finally:
        container.close()


def request_card(
    client: httpx.Client, who: Session, color: str = "black", key: str | None = None
) -> httpx.Response:
    headers = {**who.auth, **({"Idempotency-Key": key} if key else {})}
    return client.post("/api/cards", json={"color": color}, headers=headers)


def my_cards(client: httpx.Client, who: Session, since: httpx.Response) -> list[dict[str, Any]]:
    answer = client.get("/api/cards", headers={**who.auth, **after(since)})
    assert answer.status_code == 200, answer.text
    return list(answer.json()["results"])


def made_on(made: dict[str, Any]) -> str:
    """The UTC date of the provider's expiry (its default timestamp is in UTC)."""
    return str(made["expiration_date"])[:10]


def saga_job_done(container: Container, card_id: str) -> bool:
    jobs = saga_jobs.jobs_of(container.pool, CardIssuance.name)
    return any(job.key == card_id and job.status == "done" for job in jobs)


def card_status(client: httpx.Client, who: Session, card_id: str) -> str:
    answer = client.get(f"/api/cards/{card_id}", headers=who.auth)
    return str(answer.json()["status"]) if answer.status_code == 200 else "not yet listed"


class TestRequestingACard:
    def test_the_provider_answering_in_time_gives_an_ordered_card(
        self, client: httpx.Client, card_provider: ProviderControl
    ) -> None:
        customer = register(client)

        answer = request_card(client, customer, "pink")

        assert answer.status_code == 201, answer.text
        card = answer.json()
        (made,) = card_provider.cards(customer.user_id)
        assert card["status"] == "ordered" and card["color"] == "pink"
        assert (card["last4"], card["expiration_date"]) == (made["last4"], made_on(made))
        assert set(card) == {"id", "color", "status", "last4", "expiration_date", "created_at"}
        assert my_cards(client, customer, since=answer) == [card]
        shown = client.get(f"/api/cards/{card['id']}", headers={**customer.auth, **after(answer)})
        assert shown.json() == card

    def test_a_user_unknown_to_the_provider_gets_no_card(
        self, client: httpx.Client, card_provider: ProviderControl
    ) -> None:
        customer = register(client)
        card_provider.refuse(customer.user_id)

        answer = request_card(client, customer, key="first")

        assert_error(answer, 400, "user_not_registered")
        assert my_cards(client, customer, since=answer) == []
        assert_error(request_card(client, customer, key="first"), 400, "user_not_registered")
        assert len(card_provider.calls(customer.user_id)) == 1

    def test_a_colour_the_provider_does_not_make_is_refused_without_asking_it(
        self, client: httpx.Client, card_provider: ProviderControl
    ) -> None:
        customer = register(client)

        for body in ({"color": "green"}, {}, {"color": 7}, {"color": "black", "pin": "1234"}):
            answer = client.post("/api/cards", json=body, headers=customer.auth)
            assert_error(answer, 400, "validation_error")

        assert card_provider.calls(customer.user_id) == []

    def test_without_a_token_there_is_no_card(self, client: httpx.Client) -> None:
        assert_error(client.post("/api/cards", json={"color": "black"}), 401)
        assert_error(client.get("/api/cards"), 401)


class TestTheProvidersExpiry:
    @pytest.mark.parametrize("shape", ["offset", "naive", "date"])
    def test_an_expiry_written_as_a_timestamp_or_a_date_gives_an_ordered_card(
        self, client: httpx.Client, card_provider: ProviderControl, shape: str
    ) -> None:
        customer = register(client)
        card_provider.expire(customer.user_id, shape)

        answer = request_card(client, customer)

        assert answer.status_code == 201, answer.text
        (made,) = card_provider.cards(customer.user_id)
        assert answer.json()["status"] == "ordered"
        assert answer.json()["expiration_date"] == made_on(made)
        assert my_cards(client, customer, since=answer) == [answer.json()]


class TestAnUnusableAnswer:
    @pytest.mark.parametrize("spoilt", ["past", "garbage", "not_json"])
    def test_an_unusable_answer_fails_the_card_without_asking_again(
        self,
        client: httpx.Client,
        container: Container,
        card_provider: ProviderControl,
        spoilt: str,
    ) -> None:
        customer = register(client)
        spoil_answers(card_provider, customer.user_id, spoilt)

        answer = request_card(client, customer, key="spoilt")

        assert_error(answer, 502, "provider_invalid_answer")
        card_id = answer.json()["details"]["card_id"]
        (card,) = my_cards(client, customer, since=answer)
        assert (card["id"], card["status"], card["last4"]) == (card_id, "failed", None)
        assert_error(request_card(client, customer, key="spoilt"), 502, "provider_invalid_answer")
        poll_until(lambda: saga_job_done(container, card_id))
        assert len(card_provider.calls(customer.user_id)) == 1


def spoil_answers(provider: ProviderControl, user_id: str, how: str) -> None:
    """An expiry that has passed, one that is no date, or a body that is not JSON."""
    if how == "not_json":
        provider.garble(user_id)
    else:
        provider.expire(user_id, how)


class TestProviderCallMetrics:
    def test_each_call_is_counted_by_its_outcome(
        self, client: httpx.Client, card_provider: ProviderControl
    ) -> None:
        calls = "bazaar_card_provider_calls_total"
        issued = metric(client, calls, outcome="issued")
        unavailable = metric(client, calls, outcome="unavailable")
        customer = register(client)
        card_provider.fail(customer.user_id, count=1)

        card_id = request_card(client, customer).json()["id"]
        poll_until(lambda: card_status(client, customer, card_id) == "ordered")

        assert metric(client, calls, outcome="unavailable") == unavailable + 1
        assert metric(client, calls, outcome="issued") == issued + 1


class TestAnUnavailableProvider:
    def test_a_5xx_leaves_the_card_pending_for_the_saga_to_order(
        self, client: httpx.Client, card_provider: ProviderControl
    ) -> None:
        customer = register(client)
        card_provider.fail(customer.user_id, count=1)

        answer = request_card(client, customer)

        assert answer.status_code == 202, answer.text
        assert answer.json()["status"] == "pending"
        assert [c["status"] for c in my_cards(client, customer, since=answer)] == ["pending"]
        card_id = answer.json()["id"]
        poll_until(lambda: card_status(client, customer, card_id) == "ordered")
        assert len(card_provider.cards(customer.user_id)) == 1
        assert len(card_provider.calls(customer.user_id)) == 2

    def test_a_slow_provider_s_card_is_ordered_once_later(
        self, client: httpx.Client, card_provider: ProviderControl
    ) -> None:
        customer = register(client)
        card_provider.slow(customer.user_id, seconds=1.5)

        answer = request_card(client, customer)

        assert answer.status_code == 202, answer.text
        (made,) = poll_until(lambda: card_provider.cards(customer.user_id))
        card_provider.slow(customer.user_id, seconds=0)
        poll_until(lambda: card_status(client, customer, answer.json()["id"]) == "ordered")
        shown = client.get(f"/api/cards/{answer.json()['id']}", headers=customer.auth).json()
        assert shown["last4"] == made["last4"]
        assert card_provider.cards(customer.user_id) == [made]

    def test_a_card_pending_while_the_provider_is_down_is_settled_later(
        self, client: httpx.Client, container: Container, card_provider: ProviderControl
    ) -> None:
        customer = register(client)
        with a_card_provider() as gone:
            dead_url = gone.url

        with (
            an_api_whose_provider_is(container.settings, dead_url) as api_url,
            httpx.Client(base_url=api_url, timeout=30) as other,
        ):
            answer = request_card(other, customer)

        assert answer.status_code == 202, answer.text
        poll_until(lambda: card_status(client, customer, answer.json()["id"]) == "ordered")
        assert len(card_provider.cards(customer.user_id)) == 1


class TestIdempotency:
    def test_a_repeat_with_the_same_key_answers_the_same_card_without_asking_again(
        self, client: httpx.Client, card_provider: ProviderControl
    ) -> None:
        customer = register(client)

        first = request_card(client, customer, key="card-1")
        again = request_card(client, customer, key="card-1")

        assert first.status_code == again.status_code == 201
        assert again.json() == first.json()
        assert len(card_provider.calls(customer.user_id)) == 1

    def test_concurrent_requests_with_one_key_make_one_card(
        self, client: httpx.Client, server: str, card_provider: ProviderControl
    ) -> None:
        customer = register(client)
        answers: list[httpx.Response] = []

        def one_request() -> None:
            with httpx.Client(base_url=server, timeout=30) as own:
                answers.append(request_card(own, customer, key="same-key"))

        threads = [threading.Thread(target=one_request) for _ in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()

        assert {a.status_code for a in answers} <= {201, 202}, [a.text for a in answers]
        assert len({a.json()["id"] for a in answers}) == 1
        latest = max(answers, key=lambda a: position_in(a, "cards"))
        assert len(my_cards(client, customer, since=latest)) == 1
        assert len(card_provider.cards(customer.user_id)) == 1

    def test_the_same_key_from_two_users_makes_two_cards(self, client: httpx.Client) -> None:
        first, second = register(client), register(client)

        one = request_card(client, first, key="shared")
        other = request_card(client, second, key="shared")

        assert one.status_code == other.status_code == 201
        assert one.json()["id"] != other.json()["id"]


class TestReadingCards:
    def test_another_users_card_does_not_exist_for_them_but_admins_see_it(
        self, client: httpx.Client, container: Container
    ) -> None:
        owner, stranger = register(client), register(client)
        answer = request_card(client, owner)
        card_id = answer.json()["id"]
        admin = an_admin(client, container.accounts)

        seen_by_stranger = client.get(
            f"/api/cards/{card_id}", headers={**stranger.auth, **after(answer)}
        )

        assert_error(seen_by_stranger, 404, "card_not_found")
        assert my_cards(client, stranger, since=answer) == []
        seen_by_admin = client.get(f"/api/cards/{card_id}", headers={**admin.auth, **after(answer)})
        assert seen_by_admin.json()["id"] == card_id

    def test_a_card_id_that_is_not_a_uuid_is_a_validation_error(self, client: httpx.Client) -> None:
        customer = register(client)
        assert_error(client.get("/api/cards/nope", headers=customer.auth), 400, "validation_error")
