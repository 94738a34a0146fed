"""Debit cards: requested here, made by the external provider, kept apart from the shop's lock."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate, event
from eventsourcing.persistence import IntegrityError
from eventsourcing.utils import EnvType

from write_model.application import BazaarApplication, Outcome
from write_model.errors import (
    DependencyFailedError,
    DomainError,
    NotFoundError,
    RuleViolationError,
)
from write_model.ports import (
    CardProvider,
    CardRefused,
    ProviderInvalidAnswer,
    ProviderUnavailable,
)
from write_model.text import checked

CARD_NAMESPACE = uuid5(NAMESPACE_URL, "bazaar:card-idempotency-key")
COLORS = ("black", "pink")
REFUSED = "user_not_registered"
"""The failure reason when the provider says no: the user is unknown to it."""
INVALID_ANSWER = "provider_invalid_answer"
"""The failure reason when the provider's answer describes no card we can use (expired,
unreadable): asking again would get the same answer."""
GAVE_UP = "provider_unavailable"
"""The failure reason when the provider stayed unavailable through every retry."""


def card_id_for(user_id: UUID, idempotency_key: str) -> UUID:
    """A client's key is unique per user only, so the card id mixes in the user."""
    return uuid5(CARD_NAMESPACE, f"{user_id}/{idempotency_key}")


@dataclass(frozen=True, slots=True, kw_only=True)
class RequestCard:
    card_id: UUID
    """Also the idempotency key the provider sees: unique across users, stable across retries."""
    user_id: UUID
    color: str


class InvalidCardColorError(RuleViolationError):
    """Raised when a card is requested in a colour the provider does not make."""

    code = "invalid_color"


class CardRefusedError(RuleViolationError):
    """Raised when the provider refuses the card because the user is not registered with it."""

    code = REFUSED


class CardProviderInvalidAnswerError(DependencyFailedError):
    """Raised when the provider's answer names no usable card; the card is recorded as failed."""

    code = INVALID_ANSWER


class CardNotFoundError(NotFoundError):
    """Raised when a card id names no card the caller may see."""

    code = "card_not_found"


class Card(Aggregate):
    """A user's debit card: pending until the provider makes it (ordered) or it fails for good."""

    class Requested(Aggregate.Created):
        user_id: UUID
        color: str
        idempotency_key: str

    @event(Requested)
    def __init__(self, *, id: UUID, user_id: UUID, color: str, idempotency_key: str) -> None:
        self.user_id = user_id
        self.color = color
        self.idempotency_key = idempotency_key
        self.provider_card_id: str | None = None
        self.last4: str | None = None
        self.expiration_date: str | None = None
        self.failure: str | None = None

    @property
    def status(self) -> str:
        if self.provider_card_id is not None:
            return "ordered"
        return "pending" if self.failure is None else "failed"

    @property
    def refused(self) -> bool:
        """A refused request is not a card: the caller was told 400 and it is not listed."""
        return self.status == "failed" and self.failure == REFUSED

    class Issued(Aggregate.Event):
        provider_card_id: str
        last4: str
        expiration_date: str

    def issue(self, provider_card_id: str, last4: str, expiration_date: str) -> None:
        """Record the provider's card once; it also settles a card we had given up on.

        An answer that arrives after we gave up still names a real card the user holds.
        """
        if self.provider_card_id is None:
            self._issue(provider_card_id, last4, expiration_date)

    @event(Issued)
    def _issue(self, provider_card_id: str, last4: str, expiration_date: str) -> None:
        self.provider_card_id = provider_card_id
        self.last4 = last4
        self.expiration_date = expiration_date
        self.failure = None

    class IssuanceFailed(Aggregate.Event):
        reason: str

    def fail(self, reason: str) -> None:
        """Only a pending card can fail: an issued card is never overwritten, nor repeated."""
        checked("reason", reason, multiline=True)
        if self.status == "pending":
            self._fail(reason)

    @event(IssuanceFailed)
    def _fail(self, reason: str) -> None:
        self.failure = reason


class Cards(BazaarApplication):
    """Card requests and their outcome at the provider; the idempotency key makes retries safe."""

    name = "cards"

    def __init__(self, env: EnvType | None = None, *, provider: CardProvider) -> None:
        super().__init__(env)
        self.provider = provider

    def request_card(self, cmd: RequestCard) -> Outcome[Card]:
        """Record the request first, then ask the provider once; a repeat answers the card as is.

        An unavailable provider leaves the card pending: the issuance saga retries it.
        """
        if checked("color", cmd.color) not in COLORS:
            raise InvalidCardColorError(f"Cards come in {', '.join(COLORS)}.")
        if (known := self._find(Card, cmd.card_id)) is not None:
            return _answer(self._unchanged(known))
        key = str(cmd.card_id)
        card = Card(id=cmd.card_id, user_id=cmd.user_id, color=cmd.color, idempotency_key=key)
        try:
            saved = self._save(card)
        except IntegrityError:
            return _answer(self._unchanged(self.get_card(cmd.card_id)))
        with suppress(ProviderUnavailable):
            return _answer(self.issue(card.id))
        return saved

    def issue(self, card_id: UUID) -> Outcome[Card]:
        """Ask the provider for a pending card and record its answer; a settled card is left alone.

        Raises ProviderUnavailable (nothing recorded) when the provider cannot answer now. A
        refusal or an unusable answer is final: the card is recorded as failed at once.
        """
        card = self.get_card(card_id)
        if card.status != "pending":
            return self._unchanged(card)
        try:
            made = self.provider.request_card(card.user_id, card.color, card.idempotency_key)
        except CardRefused:
            return self.fail(card_id, REFUSED)
        except ProviderInvalidAnswer:
            return self.fail(card_id, INVALID_ANSWER)
        return self._settle(card_id, lambda c: c.issue(made.id, made.last4, made.expiration_date))

    def fail(self, card_id: UUID, reason: str) -> Outcome[Card]:
        """Record that a pending card will not be made; an issued card stays issued."""
        return self._settle(card_id, lambda card: card.fail(reason))

    def get_card(self, card_id: UUID) -> Card:
        return self._get(Card, card_id, CardNotFoundError)

    def _settle(self, card_id: UUID, change: Callable[[Card], None]) -> Outcome[Card]:
        """Apply `change` to the latest card; after a concurrent save, re-read and decide again."""

        def attempt() -> Outcome[Card]:
            card = self.get_card(card_id)
            change(card)
            return self._save(card)

        return self._retried(attempt)


def _answer(outcome: Outcome[Card]) -> Outcome[Card]:
    """What the caller is told: a final failure is an error, recorded at `outcome.position`."""
    card = outcome.aggregate
    if card.refused:
        raise CardRefusedError(
            "The card provider does not know this user.",
            position=outcome.position,
            log=outcome.log,
        )
    if card.status == "failed" and card.failure == INVALID_ANSWER:
        raise _invalid_answer(card, outcome)
    return outcome


def _invalid_answer(card: Card, outcome: Outcome[Card]) -> DomainError:
    return CardProviderInvalidAnswerError(
        "The card provider answered with a card we cannot use (expired or unreadable);"
        " the card is recorded as failed.",
        details={"card_id": str(card.id)},
        position=outcome.position,
        log=outcome.log,
    )
