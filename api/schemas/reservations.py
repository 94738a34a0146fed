"""Reservations: stock held for a checkout."""

from __future__ import annotations

from datetime import datetime
from typing import Literal
from uuid import UUID

from pydantic import AliasChoices, BaseModel, Field

from api.schemas.common import JsonUUID, Money, Request
from api.schemas.examples import (
    CUSTOMER_ID,
    PLACED_AT,
    RESERVATION_ID,
    STORE_ID,
    example_of,
    with_examples,
)
from api.schemas.orders import ItemIn, LineOut
from write_model.commands import DEFAULT_HOLD_MINUTES
from write_model.reservations import MAX_MINUTES, MIN_MINUTES, Reservation


class ReservationIn(Request):
    model_config = with_examples(
        {"store_id": STORE_ID, "items": [example_of(ItemIn)], "minutes": DEFAULT_HOLD_MINUTES}
    )

    store_id: JsonUUID
    items: list[ItemIn] = Field(min_length=1, max_length=100)
    minutes: int = Field(
        DEFAULT_HOLD_MINUTES, ge=MIN_MINUTES, le=MAX_MINUTES, description="How long to hold."
    )


class ReservationOut(BaseModel):
    model_config = with_examples(
        {
            "id": RESERVATION_ID,
            "store_id": STORE_ID,
            "user_id": CUSTOMER_ID,
            "status": "held",
            "items": [example_of(LineOut)],
            "total_price": "37.00",
            "expires_at": "2025-03-14T10:47:05Z",
            "order_id": None,
            "created_at": PLACED_AT,
        }
    )

    id: UUID
    store_id: UUID
    user_id: UUID
    status: Literal["held", "converted", "released", "expired"]
    items: list[LineOut] = Field(validation_alias=AliasChoices("items", "lines"))
    total_price: Money
    expires_at: datetime
    order_id: UUID | None = Field(description="The order it became, once converted.")
    created_at: datetime = Field(validation_alias=AliasChoices("created_at", "created_on"))


def reservation_out(reservation: Reservation) -> ReservationOut:
    """Reservations are read from the event store, where they are always current."""
    return ReservationOut.model_validate(reservation, from_attributes=True)
