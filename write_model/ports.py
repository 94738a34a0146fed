"""Protocols for what the domain and its sagas need from outside; adapters: `bazaar.adapters`."""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol, runtime_checkable
from uuid import UUID

from eventsourcing.persistence import StoredEvent


class PasswordHasher(Protocol):
    """One-way password hashing (argon2 in production)."""

    def hash(self, password: str) -> str: ...

    def verify(self, password_hash: str, password: str) -> bool: ...

    def needs_rehash(self, password_hash: str) -> bool: ...


@dataclass(frozen=True, slots=True)
class ProviderCard:
    """What the card provider tells us of a card it made: never the full card number."""

    id: str
    last4: str
    expiration_date: str
    """ISO date (YYYY-MM-DD)."""


class CardRefused(Exception):
    """Raised when the provider says no for good (4xx): asking again changes nothing."""


class ProviderUnavailable(Exception):
    """Raised when the provider is down, slow or failing (5xx, timeout): asking again may work."""


class ProviderInvalidAnswer(Exception):
    """Raised when the provider answered but the card it describes is unusable (an expiry in
    the past, a field we cannot read): asking again gets the same answer, so it is final."""

    def __init__(self, message: str, provider_card_id: str | None = None) -> None:
        super().__init__(message)
        self.provider_card_id = provider_card_id
        """The provider's id of the card, when its answer named one: for reconciling by hand."""


class CardProvider(Protocol):
    """The external card issuer; the same idempotency key always gets the same card back."""

    def request_card(self, user_id: UUID, color: str, idempotency_key: str) -> ProviderCard: ...


@runtime_checkable
class ReadsManyAggregates(Protocol):
    """An event recorder that reads the new events of many aggregates in one round trip."""

    def select_events_after(self, versions: Mapping[UUID, int]) -> Sequence[StoredEvent]: ...

    def select_existing(self, ids: Collection[UUID]) -> set[UUID]:
        """Which of these aggregates have any events."""
        ...


@dataclass(frozen=True, slots=True)
class Email:
    message_id: str
    """Derived from the job: a resend after a crash carries the same id, so it can be told."""
    to: str
    subject: str
    body: str


class Mailer(Protocol):
    def send(self, email: Email) -> None:
        """Deliver (or record) one e-mail; raises when it could not."""
        ...


class ShippingPartner(Protocol):
    def announce(self, shipment: dict[str, Any], idempotency_key: str) -> None:
        """Tell the partner an order shipped; raises unless it answered 2xx."""
        ...


@dataclass(frozen=True, slots=True)
class Recipient:
    name: str
    email: str


Directory = Callable[[UUID], Recipient]
"""Who a user is, for addressing: their name and e-mail address."""
