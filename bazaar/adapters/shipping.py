"""The shipping partner behind the ShippingPartner port: a JSON webhook over HTTP."""

from __future__ import annotations

from typing import Any

import httpx


class WebhookPartner:
    """POSTs the shipment as JSON; anything but a 2xx answer is a failure to retry."""

    def __init__(self, url: str, timeout_s: float) -> None:
        self.url = url
        self.client = httpx.Client(timeout=timeout_s)
        """One client for all calls: its connections and TLS context are made once."""

    def announce(self, shipment: dict[str, Any], idempotency_key: str) -> None:
        answer = self.client.post(
            self.url, json=shipment, headers={"Idempotency-Key": idempotency_key}
        )
        if not answer.is_success:
            raise RuntimeError(f"webhook answered {answer.status_code}")
