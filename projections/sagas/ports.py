"""What the sagas need from outside; the adapters (SMTP, HTTP) live in the composition root."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol
from uuid import UUID


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
