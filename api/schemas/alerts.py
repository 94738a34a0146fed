"""Open low-stock alerts of a store."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from pydantic import BaseModel


class StockAlertOut(BaseModel):
    product_id: UUID
    title: str
    available: int
    threshold: int
    opened_at: datetime
