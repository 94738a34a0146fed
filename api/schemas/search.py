"""Search results and suggestions."""

from __future__ import annotations

from uuid import UUID

from pydantic import BaseModel

from api.schemas.common import Money
from api.schemas.examples import MUG_ID, STORE_ID, with_examples


class SearchHitOut(BaseModel):
    model_config = with_examples(
        {
            "id": MUG_ID,
            "title": "Speckled stoneware mug",
            "description": "Wheel-thrown, 350 ml, dishwasher safe.",
            "price": "18.50",
            "category": "mugs",
            "store_id": STORE_ID,
            "quantity": 22,
        }
    )

    id: UUID
    title: str
    description: str
    price: Money
    category: str
    store_id: UUID
    quantity: int | None = None
    """The filtered store's available quantity; absent without `store_id`."""


class SuggestionsOut(BaseModel):
    model_config = with_examples({"suggestions": ["Speckled stoneware mug", "Speckled jug"]})

    suggestions: list[str]
