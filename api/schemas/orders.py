"""Orders, and how an order is shown: from its view, or from a command's aggregate as one."""

from __future__ import annotations

from dataclasses import asdict
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
from read_model.sql.orders import LineView, OrderView
from write_model.delivery import DeliveryStatus, delivery_status
from write_model.orders import Order


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
    status: DeliveryStatus


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


def order_out(order: OrderView) -> OrderOut:
    """The order as the contract shows it: its view's attributes, and the delivery booked."""
    shown = OrderOut.model_validate(order, from_attributes=True)
    return shown.model_copy(update={"delivery": delivery_out(order)})


def delivery_out(order: OrderView) -> DeliveryOut | None:
    """The booked delivery, if any; its status follows the order's (see `delivery_status`)."""
    address, slot_start = order.delivery_address, order.delivery_slot_start
    if address is None or slot_start is None:
        return None
    return DeliveryOut(address=address, slot_start=slot_start, status=delivery_status(order.status))


def order_view(order: Order) -> OrderView:
    """The order as a command left it (the view follows shortly) or as a replay found it,
    in its view's shape."""
    booked = order.delivery
    return OrderView(
        id=order.id,
        user_id=order.user_id,
        store_id=order.store_id,
        status=order.status,
        total_items=order.total_items,
        total_price=order.total_price,
        created_at=order.created_on,
        updated_at=order.modified_on,
        shortfalls=[asdict(shortfall) for shortfall in order.shortfalls],
        items=[
            LineView(line.product_id, line.title, line.quantity, line.unit_price)
            for line in order.lines
        ],
        delivery_address=booked.address if booked else None,
        delivery_slot_start=booked.slot_start if booked else None,
        version=order.version,
    )
