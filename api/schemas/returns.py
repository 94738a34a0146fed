"""Returns of delivered orders."""

from __future__ import annotations

from datetime import datetime
from typing import Literal
from uuid import UUID

from pydantic import AliasChoices, BaseModel, Field

from api.schemas.common import Money, MultilineText, Request
from api.schemas.orders import ItemIn, LineOut

ReturnStatus = Literal["requested", "received", "refused"]


class ReturnIn(Request):
    items: list[ItemIn] = Field(min_length=1, max_length=100)
    reason: MultilineText = Field(min_length=1, max_length=1000)


class ReturnStatusIn(Request):
    status: ReturnStatus
    reason: MultilineText | None = Field(
        None, max_length=1000, description="Why it is refused: required with `refused`."
    )


class ReturnOut(BaseModel):
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
