"""Parked saga jobs, as operators see them."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel

from api.schemas.examples import ORDER_ID, example_of, with_examples


class ParkedJobOut(BaseModel):
    model_config = with_examples(
        {
            "id": 17,
            "saga": "shipping_webhook",
            "key": ORDER_ID,
            "payload": {"order_id": ORDER_ID},
            "attempts": 3,
            "last_error": "ConnectError: [Errno 111] Connection refused",
            "created_at": "2025-03-16T08:00:12Z",
            "updated_at": "2025-03-16T08:04:30Z",
        }
    )

    id: int
    saga: str
    key: str
    payload: dict[str, Any]
    attempts: int
    last_error: str | None
    created_at: datetime
    updated_at: datetime


class ParkedJobsOut(BaseModel):
    model_config = with_examples({"results": [example_of(ParkedJobOut)]})

    results: list[ParkedJobOut]
