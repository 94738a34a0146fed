"""The card issuance saga on a database of its own, calling the fake provider over HTTP."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from bazaar.wiring import Container, build, migrate
from projections.cards import CardsProjection
from projections.sagas.base import SagaProjection
from projections.sagas.cards import CardIssuance
from read_model.sql import cards as card_views
from read_model.sql import saga_jobs
from streams.runner import InProcessRunner, ProjectionFeed
from streams.saga_executor import SagaExecutor
from tests.card_provider import ProviderControl, a_card_provider
from tests.stacks import a_fresh_database, settings_for
from tests.waiting import poll_until
from write_model.cards import Card, RequestCard

pytestmark = pytest.mark.integration
MAX_ATTEMPTS = 3
GRACE_S = 1.0
"""The request's own call (answered at once by the fake) ends before the saga's first call,
so the two never race for the provider's next scripted answer."""


@dataclass
class Stack:
    container: Container
    provider: ProviderControl
    saga: CardIssuance

    def a_pending_card(
        self, failures: int = 0, refused: bool = False, expiry: str = "offset"
    ) -> Card:
        """A card whose request found the provider failing: left for the saga.

        Then the provider fails `failures` more calls (answering 503 comes before refusing),
        and writes the expiry of the card it makes in the shape `expiry`.
        """
        user_id = uuid.uuid4()
        self.provider.fail(str(user_id), count=1 + failures)
        self.provider.expire(str(user_id), expiry)
        if refused:
            self.provider.refuse(str(user_id))
        cmd = RequestCard(card_id=uuid.uuid4(), user_id=user_id, color="black")
        card: Card = self.container.cards.request_card(cmd).aggregate
        assert card.status == "pending"
        return card

    def card(self, card_id: uuid.UUID) -> Card:
        return self.container.cards.get_card(card_id)

    def settled(self, card_id: uuid.UUID) -> Card | None:
        card = self.card(card_id)
        return card if card.status != "pending" else None

    def view_when(self, card_id: uuid.UUID, status: str) -> card_views.CardView:
        """The read model's row of this card, once it shows `status`."""

        def shown() -> card_views.CardView | None:
            view = card_views.get_card(self.container.pool, card_id)
            return view if view is not None and view.status == status else None

        return poll_until(shown)

    def job_status(self, card_id: uuid.UUID) -> str | None:
        with self.container.pool.connection() as conn:
            row = conn.execute(
                "SELECT status FROM saga_jobs WHERE saga = %s AND key = %s",
                (self.saga.name, str(card_id)),
            ).fetchone()
        return str(row[0]) if row else None


@pytest.fixture(scope="module")
def stack(redis_url: str) -> Iterator[Stack]:
    """Cards alone, fed by a runner whose saga gives up after three attempts."""
    with a_fresh_database() as url, a_card_provider() as provider:
        settings = settings_for(url, redis_url).model_copy(
            update={"card_provider_url": provider.url, "card_provider_timeout_s": 0.5}
        )
        migrate(settings)
        container = build(settings)
        saga = CardIssuance(container.cards, grace_s=GRACE_S, max_attempts=MAX_ATTEMPTS)
        feeds = [CardsProjection(container.pool), SagaProjection(container.pool, saga)]
        executor = SagaExecutor(container.pool, [saga], workers=2, backoff_s=0.05)
        runner = InProcessRunner([(container.cards, feeds)], executor)
        runner.start()
        try:
            yield Stack(container, provider, saga)
        finally:
            runner.stop()
            container.close()


def test_a_pending_card_is_ordered_by_the_saga(stack: Stack) -> None:
    card = stack.a_pending_card()

    settled = poll_until(lambda: stack.settled(card.id))

    (made,) = stack.provider.cards(str(card.user_id))
    assert settled.status == "ordered"
    assert (settled.provider_card_id, settled.last4) == (made["id"], made["last4"])
    assert stack.view_when(card.id, "ordered").last4 == made["last4"]


def test_a_provider_failing_twice_more_is_retried_until_it_answers(stack: Stack) -> None:
    card = stack.a_pending_card(failures=2)

    settled = poll_until(lambda: stack.settled(card.id))

    assert settled.status == "ordered"
    assert len(stack.provider.calls(str(card.user_id))) == 1 + 3
    assert len(stack.provider.cards(str(card.user_id))) == 1
    poll_until(lambda: stack.job_status(card.id) == "done")


def test_a_provider_that_never_answers_fails_the_card(stack: Stack) -> None:
    card = stack.a_pending_card(failures=1000)

    settled = poll_until(lambda: stack.settled(card.id))

    assert (settled.status, settled.failure) == ("failed", "provider_unavailable")
    assert len(stack.provider.calls(str(card.user_id))) == 1 + MAX_ATTEMPTS
    assert stack.provider.cards(str(card.user_id)) == []
    poll_until(lambda: stack.job_status(card.id) == "parked")
    (parked,) = [job for job in saga_jobs.parked(stack.container.pool) if job.key == str(card.id)]
    assert "503" in (parked.last_error or "")
    assert stack.view_when(card.id, "failed").failure_reason == "provider_unavailable"


def test_a_refusal_during_a_retry_fails_the_card_without_more_calls(stack: Stack) -> None:
    card = stack.a_pending_card(refused=True)

    settled = poll_until(lambda: stack.settled(card.id))

    assert (settled.status, settled.failure) == ("failed", "user_not_registered")
    poll_until(lambda: stack.job_status(card.id) == "done")
    assert len(stack.provider.calls(str(card.user_id))) == 2


@pytest.mark.parametrize("expiry", ["past", "garbage"])
def test_an_unusable_answer_during_a_retry_fails_the_card_at_once(
    stack: Stack, expiry: str
) -> None:
    card = stack.a_pending_card(expiry=expiry)

    settled = poll_until(lambda: stack.settled(card.id))

    assert (settled.status, settled.failure) == ("failed", "provider_invalid_answer")
    poll_until(lambda: stack.job_status(card.id) == "done")
    assert len(stack.provider.calls(str(card.user_id))) == 2
    assert stack.view_when(card.id, "failed").failure_reason == "provider_invalid_answer"


def test_a_settled_card_is_never_asked_for_again(
    stack: Stack,
) -> None:
    card = stack.a_pending_card()
    poll_until(lambda: stack.job_status(card.id) == "done")
    calls = len(stack.provider.calls(str(card.user_id)))
    cards = stack.container.cards

    replay = ProjectionFeed(cards, SagaProjection(stack.container.pool, stack.saga))
    replay.feed(0, cards.position())
    outcome = stack.saga.perform({"card_id": str(card.id)})

    assert replay.applied >= 1
    assert outcome == "already settled"
    assert stack.job_status(card.id) == "done"
    assert len(stack.provider.calls(str(card.user_id))) == calls
    assert stack.card(card.id).status == "ordered"
