"""Read-your-writes over HTTP: position tokens name their log, and waiting holds no thread."""

from __future__ import annotations

import re
import time
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from api.dependencies import Services
from api.main import create_app
from bazaar.settings import Settings
from tests.http_driver import (
    Session,
    a_store,
    after,
    assert_error,
    metric,
    open_store,
    position_in,
    register,
)
from tests.stacks import a_built_stack, a_fresh_database, a_redis_server, serving
from tests.waiting import poll_until

pytestmark = pytest.mark.e2e
BEYOND_ANY_HEAD = 10**12
STALLED_WAIT_S = 4.0
AT_ONCE_S = 2.0
WAITERS = 60


def registering(client: httpx.Client) -> httpx.Response:
    """A new customer's registration answer (its body holds their access token)."""
    name = f"u{uuid.uuid4().hex[:12]}"
    account = {"email": f"{name}@example.com", "username": name, "password": "s3cret-pass"}
    response = client.post("/api/auth/register", json=account)
    assert response.status_code == 201, response.text
    return response


def a_card(client: httpx.Client, who: Session) -> httpx.Response:
    response = client.post("/api/cards", json={"color": "black"}, headers=who.auth)
    assert response.status_code == 201, response.text
    return response


def timed_get(client: httpx.Client, path: str, **headers: str) -> tuple[httpx.Response, float]:
    started = time.monotonic()
    response = client.get(path, headers=headers)
    return response, time.monotonic() - started


class TestTokens:
    @pytest.mark.parametrize(
        ("command", "log"),
        [
            (registering, "accounts"),
            (lambda client: open_store(client, register(client, "artisan")), "shop"),
            (lambda client: a_card(client, register(client)), "cards"),
        ],
    )
    def test_a_command_answers_a_token_naming_its_log(
        self, client: httpx.Client, command: Callable[[httpx.Client], httpx.Response], log: str
    ) -> None:
        response = command(client)

        assert re.fullmatch(rf"{log}\.[1-9][0-9]*", response.headers["X-Event-Position"])

    def test_a_rejected_order_answers_a_shop_token(self, client: httpx.Client) -> None:
        owner = register(client, "artisan")
        store = a_store(client, owner)
        mug = client.post(
            "/api/products",
            json={"store_id": store["id"], "title": "Mug", "price": "10.00", "category": "c"},
            headers=owner.auth,
        ).json()["id"]

        rejected = client.post(
            "/api/orders",
            json={"store_id": store["id"], "items": [{"product_id": mug, "quantity": 1}]},
            headers=register(client).auth,
        )

        assert_error(rejected, 400, "insufficient_stock")
        assert position_in(rejected, "shop") > 0


class TestWaitingForTheRightLog:
    def test_a_registration_token_lets_a_cards_read_answer_at_once(
        self, client: httpx.Client
    ) -> None:
        registered = registering(client)
        token = registered.json()["access"]

        response, took = timed_get(
            client, "/api/cards", Authorization=f"Bearer {token}", **after(registered)
        )

        assert response.status_code == 200, response.text
        assert took < AT_ONCE_S

    def test_a_card_token_lets_a_shop_read_answer_at_once(self, client: httpx.Client) -> None:
        store = a_store(client, register(client, "artisan"))
        card = a_card(client, register(client))

        response, took = timed_get(client, f"/api/stores/{store['id']}", **after(card))

        assert response.status_code == 200, response.text
        assert took < AT_ONCE_S

    def test_a_card_token_waits_for_the_cards_read_model(self, client: httpx.Client) -> None:
        customer = register(client)
        card = a_card(client, customer)

        response = client.get("/api/cards", headers={**customer.auth, **after(card)})

        assert [c["id"] for c in response.json()["results"]] == [card.json()["id"]]

    def test_a_plain_number_counts_in_the_shop_log(self, client: httpx.Client) -> None:
        opened = open_store(client, register(client, "artisan"))

        response = client.get(
            f"/api/stores/{opened.json()['id']}",
            headers={"X-Min-Position": str(position_in(opened))},
        )

        assert response.status_code == 200, response.text

    def test_several_tokens_wait_for_each_log_the_read_follows(self, client: httpx.Client) -> None:
        customer = register(client)
        opened, card = open_store(client, register(client, "artisan")), a_card(client, customer)
        both = f"{opened.headers['X-Event-Position']},{card.headers['X-Event-Position']}"

        store = client.get(f"/api/stores/{opened.json()['id']}", headers={"X-Min-Position": both})
        cards = client.get("/api/cards", headers={**customer.auth, "X-Min-Position": both})

        assert store.status_code == 200, store.text
        assert [c["id"] for c in cards.json()["results"]] == [card.json()["id"]]


class TestRefusedTokens:
    @pytest.mark.parametrize(
        ("path", "token"),
        [
            ("/api/products", f"shop.{BEYOND_ANY_HEAD}"),
            ("/api/products", str(BEYOND_ANY_HEAD)),
            ("/api/products", f"cards.{BEYOND_ANY_HEAD}"),
            ("/api/categories", f"accounts.{BEYOND_ANY_HEAD}"),
        ],
    )
    def test_a_position_beyond_its_logs_head_is_400_position_unknown_at_once(
        self, client: httpx.Client, path: str, token: str
    ) -> None:
        response, took = timed_get(client, path, **{"X-Min-Position": token})

        body = assert_error(response, 400, "position_unknown")
        assert body["details"]["position"] == BEYOND_ANY_HEAD
        assert took < AT_ONCE_S

    @pytest.mark.parametrize("token", ["bank.5", "shop.", "shop.-1", "shop.x", "-1", ""])
    def test_a_malformed_token_is_400_validation_error(
        self, client: httpx.Client, token: str
    ) -> None:
        response = client.get("/api/products", headers={"X-Min-Position": token})

        assert_error(response, 400, "validation_error")


@dataclass(frozen=True)
class Stalled:
    """An API on a database of its own whose projections never run: every write lags."""

    url: str
    services: Services


@pytest.fixture(scope="module")
def stalled(settings: Settings, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stalled]:
    redis_dir = Path(tmp_path_factory.mktemp("stalled-redis"))
    with (
        a_fresh_database() as database_url,
        a_redis_server(redis_dir) as redis_server,
        a_built_stack(
            database_url,
            redis_server.url,
            read_wait_timeout_s=STALLED_WAIT_S,
            card_provider_url=settings.card_provider_url,
        ) as container,
    ):
        app = create_app(container.api_services("s" * 40))
        with serving(app) as url:
            yield Stalled(url, app.state.services)


@pytest.fixture
def stalled_client(stalled: Stalled) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=stalled.url, timeout=30) as http:
        yield http


class TestWaitingForLaggingReadModels:
    def test_a_position_not_yet_applied_answers_503_lagging_after_the_wait(
        self, stalled_client: httpx.Client
    ) -> None:
        opened = open_store(stalled_client, register(stalled_client, "artisan"))

        response, took = timed_get(
            stalled_client, f"/api/stores/{opened.json()['id']}", **after(opened)
        )

        assert_error(response, 503, "read_model_lagging")
        assert response.headers["Retry-After"]
        assert took >= STALLED_WAIT_S

    def test_a_wait_that_timed_out_is_counted_with_its_duration(
        self, stalled_client: httpx.Client
    ) -> None:
        waits = "bazaar_read_your_writes_wait_seconds"
        counted = metric(stalled_client, f"{waits}_count", outcome="timed_out")
        waited = metric(stalled_client, f"{waits}_sum", outcome="timed_out")
        opened = open_store(stalled_client, register(stalled_client, "artisan"))

        stalled_client.get(f"/api/stores/{opened.json()['id']}", headers=after(opened))

        assert metric(stalled_client, f"{waits}_count", outcome="timed_out") == counted + 1
        took = metric(stalled_client, f"{waits}_sum", outcome="timed_out") - waited
        assert took == pytest.approx(STALLED_WAIT_S, abs=0.5)

    def test_a_card_token_does_not_wait_on_a_lagging_shop_log(
        self, stalled_client: httpx.Client
    ) -> None:
        card = a_card(stalled_client, register(stalled_client))

        response, took = timed_get(stalled_client, "/api/categories", **after(card))

        assert response.status_code == 200, response.text
        assert took < AT_ONCE_S

    def test_requests_waiting_for_a_lagging_log_do_not_slow_a_plain_read(
        self, stalled: Stalled, stalled_client: httpx.Client
    ) -> None:
        opened = open_store(stalled_client, register(stalled_client, "artisan"))
        waiting = {"X-Min-Position": opened.headers["X-Event-Position"]}

        with ThreadPoolExecutor(WAITERS) as pool:
            waiters = [
                pool.submit(stalled_client.get, "/api/products", headers=waiting)
                for _ in range(WAITERS)
            ]
            poll_until(lambda: stalled.services.waiter.waiting() == WAITERS, STALLED_WAIT_S)
            plain, took = timed_get(stalled_client, "/api/products")
            still_waiting = stalled.services.waiter.waiting()
            answers = [waiter.result() for waiter in waiters]

        assert plain.status_code == 200, plain.text
        assert took < AT_ONCE_S
        assert still_waiting == WAITERS
        assert {answer.status_code for answer in answers} == {503}
