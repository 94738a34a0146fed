"""Returns of delivered orders."""

from __future__ import annotations

from datetime import datetime
from typing import Literal
from uuid import UUID

from pydantic import AliasChoices, BaseModel, Field

from api.schemas.common import Money, MultilineText, Request
from api.schemas.examples import (
    CUSTOMER_ID,
    MUG_ID,
    ORDER_ID,
    RETURN_ID,
    STORE_ID,
    example_of,
    with_examples,
)
from api.schemas.orders import ItemIn, LineOut

ReturnStatus = Literal["requested", "received", "refused"]


class ReturnIn(Request):
    model_config = with_examples(
        {
            "items": [{"product_id": MUG_ID, "quantity": 1}],
            "reason": "Arrived with a chipped handle.",
        }
    )

    items: list[ItemIn] = Field(min_length=1, max_length=100)
    reason: MultilineText = Field(min_length=1, max_length=1000)


class ReturnStatusIn(Request):
    model_config = with_examples(
        {"status": "received"},
        {"status": "refused", "reason": "The mug came back used and unwashed."},
    )

    status: ReturnStatus
    reason: MultilineText | None = Field(
        None, max_length=1000, description="Why it is refused: required with `refused`."
    )


class ReturnOut(BaseModel):
    model_config = with_examples(
        {
            "id": RETURN_ID,
            "order_id": ORDER_ID,
            "store_id": STORE_ID,
            "user_id": CUSTOMER_ID,
            "status": "requested",
            "items": [{**example_of(LineOut), "quantity": 1, "line_total": "18.50"}],
            "reason": "Arrived with a chipped handle.",
            "refusal": None,
            "refund_amount": "18.50",
            "created_at": "2025-03-19T16:20:44Z",
        }
    )

    id: UUID
    order_id: UUID
    store_id: UUID
    user_id: UUID
    status: ReturnStatus
    items: list[LineOut] = Field(validation_alias=AliasChoices("items", "lines"))
    reason: str
    refusal: str | None = Field(description="Why the store refused it; null unless refused.")
    refund_amount: Money = Field(description="What is refunded once it is received.")
    created_at: datetime = Field(validation_alias=AliasChoices("created_at", "created_on"))


def return_out(found: object) -> ReturnOut:
    """A return's view or a command's aggregate: the aliases read either's attributes."""
    return ReturnOut.model_validate(found, from_attributes=True)
