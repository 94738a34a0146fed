"""The API killed after the provider made a card and before we recorded it: never two cards."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from uuid import UUID

import httpx
import pytest

from bazaar.settings import Settings
from bazaar.wiring import Container, build, migrate
from read_model.sql import cards as card_views
from streams.runner import InProcessRunner
from tests.card_provider import ProviderControl, a_card_provider
from tests.http_driver import register
from tests.stacks import a_fresh_database, free_port, settings_for
from tests.waiting import poll_until
from write_model.cards import card_id_for

pytestmark = pytest.mark.e2e
BAZAAR = str(Path(sys.executable).with_name("bazaar"))
KEY = "my-first-card"


def api_environment(settings: Settings, port: int) -> dict[str, str]:
    """`bazaar api` on these servers; it waits for the provider far longer than the test does."""
    return {
        **os.environ,
        "DATABASE_URL": settings.database_url or "",
        "REDIS_URL": settings.redis_url or "",
        "CARD_PROVIDER_URL": settings.card_provider_url or "",
        "CARD_PROVIDER_TIMEOUT_S": "60",
        "JWT_SECRET": "z" * 40,
        "BAZAAR_PORT": str(port),
        "PASSWORD_HASH_MEMORY_KIB": "8192",
        "PASSWORD_HASH_TIME_COST": "1",
    }


def ready(url: str) -> bool:
    try:
        return httpx.get(f"{url}/api/ready").status_code == 200
    except httpx.HTTPError:
        return False


def a_card_request_cut_short_by_a_crash(
    settings: Settings, provider: ProviderControl, log: Path
) -> tuple[str, dict[str, str]]:
    """Request a card; once the provider made it, SIGKILL the API before it hears back.

    Returns the user's id and what the provider made.
    """
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    with log.open("w") as out:
        api = subprocess.Popen(
            [BAZAAR, "api"], env=api_environment(settings, port), stdout=out, stderr=out
        )
    try:
        poll_until(lambda: ready(url) or api.poll() is not None, timeout=60)
        assert api.poll() is None, log.read_text()
        with httpx.Client(base_url=url, timeout=30) as client:
            customer = register(client)
            provider.hold(customer.user_id)
            headers = {**customer.auth, "Idempotency-Key": KEY}
            answers: list[object] = []
            request = threading.Thread(
                target=lambda: answers.append(_post_card(client, headers)), daemon=True
            )
            request.start()
            (made,) = poll_until(lambda: provider.cards(customer.user_id))
            api.kill()
            api.wait(timeout=10)
            provider.release()
            request.join(timeout=10)
        assert answers and isinstance(answers[0], httpx.HTTPError), answers
        return customer.user_id, made
    finally:
        if api.poll() is None:
            api.kill()
            api.wait(timeout=10)


def _post_card(client: httpx.Client, headers: dict[str, str]) -> object:
    try:
        return client.post("/api/cards", json={"color": "pink"}, headers=headers)
    except httpx.HTTPError as lost:
        return lost


@contextmanager
def the_cards_runner(container: Container) -> Iterator[None]:
    """The in-process runner's feeds of the cards log, with the saga executor."""
    logs = [log for log in container.event_logs() if log[0] is container.cards]
    runner = InProcessRunner(logs, container.saga_executor())
    runner.start()
    try:
        yield
    finally:
        runner.stop()


def recorded(container: Container, card_id: UUID, status: str) -> card_views.CardView | None:
    """The card as the write model has it and the read model shows it, once both say `status`."""
    view = card_views.get_card(container.pool, card_id)
    if container.cards.get_card(card_id).status == status and view and view.status == status:
        return view
    return None


def test_the_saga_records_only_the_card_the_provider_made_before_the_crash(
    redis_url: str, tmp_path: Path
) -> None:
    with a_fresh_database() as url, a_card_provider() as provider:
        settings = settings_for(url, redis_url).model_copy(
            update={"card_provider_url": provider.url, "card_provider_timeout_s": 0.5}
        )
        migrate(settings)
        log = tmp_path / "api.log"
        user_id, made = a_card_request_cut_short_by_a_crash(settings, provider, log)
        card_id = card_id_for(UUID(user_id), KEY)
        container = build(settings)
        try:
            assert container.cards.get_card(card_id).status == "pending"

            with the_cards_runner(container):
                view = poll_until(lambda: recorded(container, card_id, "ordered"))

            card = container.cards.get_card(card_id)
        finally:
            container.close()

        assert (card.provider_card_id, card.last4) == (made["id"], made["last4"])
        assert (view.last4, view.provider_card_id) == (made["last4"], made["id"])
        assert provider.cards(user_id) == [made]
        assert [call["idempotency_key"] for call in provider.calls(user_id)] == [str(card_id)] * 2
