"""Card.Requested -> the provider's card, recorded as Issued or IssuanceFailed; never two cards.

The request handler asks the provider at once; this saga settles whatever it left pending
(provider down or slow, or the process died mid-way). Every call carries the card's
idempotency key, so asking again after a crash gets back the card the provider already made.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any
from uuid import UUID

from projections.base import topics_of
from projections.sagas.base import Backoff, RetryLater
from read_model.sql.saga_jobs import Job
from write_model.cards import GAVE_UP, Card, Cards
from write_model.ports import ProviderUnavailable

MAX_BACKOFF_S = 30.0
"""A user waits for the card: once the provider is back, it is issued within this long."""
TRYING_FOR_S = 3600.0
"""How long an unavailable provider is asked again before the card is failed."""


class CardIssuance:
    name = "card_issuance"
    topics = topics_of(Card.Requested)
    max_backoff_s = MAX_BACKOFF_S

    def __init__(
        self,
        cards: Cards,
        grace_s: float,
        max_attempts: int = Backoff(cap_s=MAX_BACKOFF_S).attempts_spanning(TRYING_FOR_S),
    ) -> None:
        self.cards = cards
        self.grace_s = grace_s
        """Left to the request handler's own call before the saga asks: a bit over its timeout."""
        self.max_attempts = max_attempts
        """By default enough attempts, doubling from 1 s to 30 s apart, to span an hour (125).

        An unusable answer (expired, unreadable) is final: `Cards.issue` fails the card at once.
        """

    def jobs(self, event: Any) -> Iterable[Job]:
        card_id = str(event.originator_id)
        yield Job(key=card_id, payload={"card_id": card_id}, delay_s=self.grace_s)

    def perform(self, payload: dict[str, Any]) -> str:
        card_id = UUID(payload["card_id"])
        if self.cards.get_card(card_id).status != "pending":
            return "already settled"
        try:
            settled = self.cards.issue(card_id)
        except ProviderUnavailable as exc:
            raise RetryLater(str(exc)) from exc
        return f"card {settled.aggregate.status}"

    def give_up(self, payload: dict[str, Any], error: str) -> None:
        self.cards.fail(UUID(payload["card_id"]), GAVE_UP)
