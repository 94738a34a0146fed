"""The card provider's HTTP API behind the CardProvider port, with a bounded wait."""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

import httpx

from write_model.ports import CardRefused, ProviderCard, ProviderUnavailable

CARD_PATH = "/api/v2/card/"


class HttpCardProvider:
    """Sends our idempotency key, so a retry after a timeout or a crash gets the same card."""

    def __init__(self, base_url: str | None, timeout_s: float) -> None:
        self.base_url = base_url
        self.client = httpx.Client(base_url=base_url or "", timeout=timeout_s)

    def request_card(self, user_id: UUID, color: str, idempotency_key: str) -> ProviderCard:
        """4xx is a refusal; 5xx, 408, 429, a timeout or no connection mean: try again later."""
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
        return _card(response)

    def close(self) -> None:
        self.client.close()


def _card(response: httpx.Response) -> ProviderCard:
    """The provider's card; an answer we cannot read is treated as no answer (retried)."""
    try:
        body: dict[str, Any] = response.json()
        card = ProviderCard(
            id=str(body["id"]),
            last4=str(body["last4"]),
            expiration_date=date.fromisoformat(str(body["expiration_date"])).isoformat(),
        )
    except (ValueError, KeyError, TypeError) as exc:
        raise ProviderUnavailable(f"unreadable card provider answer: {exc!r}") from exc
    if not (len(card.last4) == 4 and card.last4.isdigit()):
        raise ProviderUnavailable(f"card provider sent last4 {card.last4!r}")
    return card
