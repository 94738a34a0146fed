"""Open low-stock alerts of a store."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from pydantic import BaseModel

from api.schemas.examples import CUP_ID, with_examples


class StockAlertOut(BaseModel):
    model_config = with_examples(
        {
            "product_id": CUP_ID,
            "title": "Espresso cup",
            "available": 2,
            "threshold": 3,
            "opened_at": "2025-03-14T10:32:06Z",
        }
    )

    product_id: UUID
    title: str
    available: int
    threshold: int
    opened_at: datetime
