"""The bundled fake card provider, served on loopback, and a client for its controls."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx

from bazaar import fake_provider


class ProviderControl:
    """Tells the fake provider how to misbehave for one user, and reads what it was asked."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.http = httpx.Client(base_url=f"{url}/_control", timeout=5)

    def fail(self, user_id: str, count: int, status: int = 503) -> None:
        self._post("fail", user_id=user_id, count=count, status=status)

    def slow(self, user_id: str, seconds: float) -> None:
        self._post("latency", user_id=user_id, seconds=seconds)

    def hold(self, user_id: str) -> None:
        """Make the card, then keep the answer until `release`."""
        self._post("hold", user_id=user_id)

    def release(self) -> None:
        self._post("release")

    def expire(self, user_id: str, shape: str) -> None:
        """New cards' expiry: `offset` (the default), `naive`, `date`, `past` or `garbage`."""
        self._post("expiry", user_id=user_id, shape=shape)

    def garble(self, user_id: str) -> None:
        """Make the card, then answer 201 with a body that is not JSON."""
        self._post("garble", user_id=user_id)

    def refuse(self, user_id: str) -> None:
        """The provider does not know this user: 400."""
        self._post("unknown", user_id=user_id)

    def calls(self, user_id: str) -> list[dict[str, Any]]:
        return list(self.http.get("/calls", params={"user_id": user_id}).json())

    def cards(self, user_id: str) -> list[dict[str, Any]]:
        return list(self.http.get("/cards", params={"user_id": user_id}).json())

    def _post(self, action: str, **body: Any) -> None:
        self.http.post(f"/{action}", json=body).raise_for_status()


@contextmanager
def a_card_provider() -> Iterator[ProviderControl]:
    server = fake_provider.start()
    control = ProviderControl(server.url)
    try:
        yield control
    finally:
        control.http.close()
        server.shutdown()
        server.server_close()
