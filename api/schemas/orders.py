"""Orders."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal
from uuid import UUID

from pydantic import AliasChoices, BaseModel, Field, model_validator

from api.schemas.common import JsonDatetime, JsonUUID, Money, MultilineText, Request
from api.schemas.examples import (
    CUP_ID,
    CUSTOMER_ID,
    MUG_ID,
    ORDER_ID,
    PLACED_AT,
    RESERVATION_ID,
    STORE_ID,
    example_of,
    with_examples,
)


class ItemIn(Request):
    model_config = with_examples({"product_id": MUG_ID, "quantity": 2})

    product_id: JsonUUID
    quantity: int = Field(
        ge=1, le=1000, validation_alias=AliasChoices("quantity", "quantity_requested")
    )


class OrderIn(Request):
    """The lines to order at a store, or a held reservation to order (`reservation_id` alone)."""

    model_config = with_examples(
        {
            "store_id": STORE_ID,
            "items": [example_of(ItemIn), {"product_id": CUP_ID, "quantity": 1}],
        },
        {"reservation_id": RESERVATION_ID},
    )

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
    model_config = with_examples({"status": "processing"}, {"status": "cancelled"})

    status: OrderStatus


class DeliveryIn(Request):
    """A slot start without a UTC offset is refused: it would mean another hour in every zone."""

    model_config = with_examples(
        {
            "address": "Rua da Rosa 112, 2.º esq.\n1200-389 Lisboa",
            "slot_start": "2025-03-15T10:00:00Z",
        }
    )

    address: MultilineText = Field(min_length=1, max_length=500)
    slot_start: JsonDatetime


class DeliveryOut(BaseModel):
    model_config = with_examples({**example_of(DeliveryIn), "status": "scheduled"})

    address: str
    slot_start: datetime
    status: Literal["scheduled", "out_for_delivery", "delivered", "cancelled"]


class LineOut(BaseModel):
    model_config = with_examples(
        {
            "product_id": MUG_ID,
            "title": "Speckled stoneware mug",
            "quantity": 2,
            "unit_price": "18.50",
            "line_total": "37.00",
        }
    )

    product_id: UUID
    title: str
    quantity: int
    unit_price: Money
    line_total: Money


class OrderOut(BaseModel):
    model_config = with_examples(
        {
            "id": ORDER_ID,
            "store_id": STORE_ID,
            "user_id": CUSTOMER_ID,
            "status": "confirmed",
            "items": [
                example_of(LineOut),
                {
                    "product_id": CUP_ID,
                    "title": "Espresso cup",
                    "quantity": 1,
                    "unit_price": "9.00",
                    "line_total": "9.00",
                },
            ],
            "total_price": "46.00",
            "created_at": PLACED_AT,
            "delivery": None,
        }
    )

    id: UUID
    store_id: UUID
    user_id: UUID
    status: str
    items: list[LineOut]
    total_price: Money
    created_at: datetime
    delivery: DeliveryOut | None = None


class OrderSummaryOut(BaseModel):
    model_config = with_examples(
        {
            "id": ORDER_ID,
            "store_id": STORE_ID,
            "user_id": CUSTOMER_ID,
            "status": "confirmed",
            "created_at": PLACED_AT,
            "total_items": 3,
            "total_price": "46.00",
        }
    )

    id: UUID
    store_id: UUID
    user_id: UUID
    status: str
    created_at: datetime
    total_items: int
    total_price: Money


class OrderEventOut(BaseModel):
    """One event of an order's history; `by` is null for what the system did on its own."""

    model_config = with_examples(
        {
            "version": 1,
            "type": "Placed",
            "at": PLACED_AT,
            "by": CUSTOMER_ID,
            "data": {
                "user_id": CUSTOMER_ID,
                "store_id": STORE_ID,
                "lines": [
                    {
                        "product_id": MUG_ID,
                        "title": "Speckled stoneware mug",
                        "quantity": 2,
                        "unit_price": "18.50",
                    }
                ],
            },
        },
        {"version": 2, "type": "Confirmed", "at": PLACED_AT, "by": CUSTOMER_ID, "data": {}},
    )

    version: int
    type: str
    at: datetime
    by: UUID | None
    data: dict[str, Any]
