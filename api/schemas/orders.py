"""Orders."""

from __future__ import annotations

from datetime import datetime
from typing import Literal
from uuid import UUID

from pydantic import AliasChoices, BaseModel, Field

from api.schemas.common import Money, Request


class ItemIn(Request):
    product_id: UUID
    quantity: int = Field(
        ge=1, le=1000, validation_alias=AliasChoices("quantity", "quantity_requested")
    )


class OrderIn(Request):
    store_id: UUID
    items: list[ItemIn] = Field(min_length=1, max_length=100)


class StatusIn(Request):
    status: Literal["confirmed", "processing", "shipped", "delivered", "cancelled", "rejected"]


class LineOut(BaseModel):
    product_id: UUID
    title: str
    quantity: int
    unit_price: Money
    line_total: Money


class OrderOut(BaseModel):
    id: UUID
    store_id: UUID
    user_id: UUID
    status: str
    items: list[LineOut]
    total_price: Money
    created_at: datetime


class OrderSummaryOut(BaseModel):
    id: UUID
    store_id: UUID
    user_id: UUID
    status: str
    created_at: datetime
    total_items: int
    total_price: Money
