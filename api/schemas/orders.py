"""Orders."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal
from uuid import UUID

from pydantic import AliasChoices, BaseModel, Field, model_validator

from api.schemas.common import JsonDatetime, JsonUUID, Money, MultilineText, Request


class ItemIn(Request):
    product_id: JsonUUID
    quantity: int = Field(
        ge=1, le=1000, validation_alias=AliasChoices("quantity", "quantity_requested")
    )


class OrderIn(Request):
    """The lines to order at a store, or a held reservation to order (`reservation_id` alone)."""

    store_id: JsonUUID | None = None
    items: list[ItemIn] | None = Field(None, min_length=1, max_length=100)
    reservation_id: JsonUUID | None = Field(
        None, description="Order what this reservation holds, at its prices."
    )

    @model_validator(mode="after")
    def _one_way(self) -> OrderIn:
        lines = (self.store_id, self.items)
        if self.reservation_id is not None and lines != (None, None):
            raise ValueError("Give reservation_id alone, or store_id and items.")
        if self.reservation_id is None and None in lines:
            raise ValueError("store_id and items are required (or reservation_id alone).")
        return self


OrderStatus = Literal["confirmed", "processing", "shipped", "delivered", "cancelled", "rejected"]


class StatusIn(Request):
    status: OrderStatus


class DeliveryIn(Request):
    """A slot start without a UTC offset is refused: it would mean another hour in every zone."""

    address: MultilineText = Field(min_length=1, max_length=500)
    slot_start: JsonDatetime


class DeliveryOut(BaseModel):
    address: str
    slot_start: datetime
    status: Literal["scheduled", "out_for_delivery", "delivered", "cancelled"]


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
    delivery: DeliveryOut | None = None


class OrderSummaryOut(BaseModel):
    id: UUID
    store_id: UUID
    user_id: UUID
    status: str
    created_at: datetime
    total_items: int
    total_price: Money


class OrderEventOut(BaseModel):
    """One event of an order's history; `by` is null for what the system did on its own."""

    version: int
    type: str
    at: datetime
    by: UUID | None
    data: dict[str, Any]
