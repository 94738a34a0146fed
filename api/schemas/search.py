"""Search results and suggestions."""

from __future__ import annotations

from uuid import UUID

from pydantic import BaseModel

from api.schemas.common import Money


class SearchHitOut(BaseModel):
    id: UUID
    title: str
    description: str
    price: Money
    category: str
    store_id: UUID
    quantity: int | None = None
    """The filtered store's available quantity; absent without `store_id`."""


class SuggestionsOut(BaseModel):
    suggestions: list[str]
