"""The card provider's HTTP API behind the CardProvider port, with a bounded wait."""

from __future__ import annotations

import logging
from datetime import UTC, date, datetime
from typing import Any
from uuid import UUID

import httpx

from bazaar.metrics import CARD_PROVIDER_CALLS
from write_model.ports import (
    CardRefused,
    ProviderCard,
    ProviderInvalidAnswer,
    ProviderUnavailable,
)

log = logging.getLogger(__name__)
CARD_PATH = "/api/v2/card/"
OUTCOMES = {
    CardRefused: "refused",
    ProviderUnavailable: "unavailable",
    ProviderInvalidAnswer: "invalid_answer",
}


class HttpCardProvider:
    """Sends our idempotency key, so a retry after a timeout or a crash gets the same card."""

    def __init__(self, base_url: str | None, timeout_s: float) -> None:
        self.base_url = base_url
        self.client = httpx.Client(base_url=base_url or "", timeout=timeout_s)

    def request_card(self, user_id: UUID, color: str, idempotency_key: str) -> ProviderCard:
        """4xx is a refusal; 5xx, 408, 429, a timeout or no connection mean: try again later.

        A 2xx whose card we cannot use (unreadable, or expired) raises ProviderInvalidAnswer.
        Each call is counted by its outcome.
        """
        try:
            card = self._request(user_id, color, idempotency_key)
        except (CardRefused, ProviderUnavailable, ProviderInvalidAnswer) as failed:
            CARD_PROVIDER_CALLS.labels(OUTCOMES[type(failed)]).inc()
            raise
        CARD_PROVIDER_CALLS.labels("issued").inc()
        return card

    def _request(self, user_id: UUID, color: str, idempotency_key: str) -> ProviderCard:
        if not self.base_url:
            raise ProviderUnavailable("No card provider configured (CARD_PROVIDER_URL).")
        try:
            response = self.client.post(
                CARD_PATH,
                json={"user_id": str(user_id), "color": color},
                headers={"Idempotency-Key": idempotency_key},
            )
        except httpx.HTTPError as exc:
            raise ProviderUnavailable(f"card provider unreachable: {exc!r}") from exc
        if response.status_code >= 500 or response.status_code in (408, 429):
            raise ProviderUnavailable(f"card provider answered {response.status_code}")
        if response.status_code >= 400:
            raise CardRefused(f"card provider refused ({response.status_code}): {response.text}")
        return _card(response, idempotency_key)

    def close(self) -> None:
        self.client.close()


def _card(response: httpx.Response, idempotency_key: str) -> ProviderCard:
    """The provider's card; an answer we cannot use is final, and logged for reconciling.

    The provider may have made a card all the same: the log names its id next to ours.
    """
    try:
        body: Any = response.json()
    except ValueError:
        body = None
    try:
        return _read(body)
    except (ValueError, KeyError, TypeError) as exc:
        problem = f"unusable card provider answer ({exc!r}): {response.text[:200]!r}"
        provider_id = body.get("id") if isinstance(body, dict) else None
        provider_id = None if provider_id is None else str(provider_id)
        log.error(
            "card %s: provider card %s not recorded, %s", idempotency_key, provider_id, problem
        )
        raise ProviderInvalidAnswer(problem, provider_card_id=provider_id) from exc


def _read(body: Any) -> ProviderCard:
    """ValueError, KeyError or TypeError unless `body` is a card we can record."""
    if not isinstance(body, dict):
        raise TypeError("the answer is not a JSON object")
    expiry = expiry_date(str(body["expiration_date"]), datetime.now(UTC))
    card = ProviderCard(id=str(body["id"]), last4=str(body["last4"]), expiration_date=expiry)
    if not (len(card.last4) == 4 and card.last4.isdigit()):
        raise ValueError(f"last4 {card.last4!r}")
    return card


def expiry_date(text: str, now: datetime) -> str:
    """The provider's expiry as our YYYY-MM-DD (UTC); ValueError if unreadable or past `now`.

    The provider sends an ISO 8601 timestamp, with an offset or naive (meaning UTC); a plain
    date is read too, as valid through that day.
    """
    try:
        day = date.fromisoformat(text)
    except ValueError:
        moment = datetime.fromisoformat(text)
        moment = moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
        if moment <= now:
            raise ValueError(f"expiry {text} has passed") from None
        return moment.date().isoformat()
    if day < now.astimezone(UTC).date():
        raise ValueError(f"expiry {text} has passed")
    return day.isoformat()
