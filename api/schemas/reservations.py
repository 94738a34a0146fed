"""Reservations: stock held for a checkout."""

from __future__ import annotations

from datetime import datetime
from typing import Literal
from uuid import UUID

from pydantic import BaseModel, Field

from api.schemas.common import JsonUUID, Money, Request
from api.schemas.orders import ItemIn, LineOut
from write_model.commands import DEFAULT_HOLD_MINUTES
from write_model.reservations import MAX_MINUTES, MIN_MINUTES


class ReservationIn(Request):
    store_id: JsonUUID
    items: list[ItemIn] = Field(min_length=1, max_length=100)
    minutes: int = Field(
        DEFAULT_HOLD_MINUTES, ge=MIN_MINUTES, le=MAX_MINUTES, description="How long to hold."
    )


class ReservationOut(BaseModel):
    id: UUID
    store_id: UUID
    user_id: UUID
    status: Literal["held", "converted", "released", "expired"]
    items: list[LineOut]
    total_price: Money
    expires_at: datetime
    order_id: UUID | None = Field(description="The order it became, once converted.")
    created_at: datetime
