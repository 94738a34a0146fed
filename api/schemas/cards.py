"""Debit cards."""

from __future__ import annotations

from datetime import date, datetime
from uuid import UUID

from pydantic import AliasChoices, BaseModel, Field, field_validator

from api.schemas.common import Request, SafeText
from api.schemas.examples import CARD_ID, with_examples
from write_model.cards import COLORS


class CardIn(Request):
    model_config = with_examples({"color": "black"})

    color: SafeText = Field(description=f"One of {', '.join(COLORS)}.")

    @field_validator("color")
    @classmethod
    def _made_by_the_provider(cls, color: str) -> str:
        if color not in COLORS:
            raise ValueError(f"must be one of {', '.join(COLORS)}")
        return color


class CardOut(BaseModel):
    model_config = with_examples(
        {
            "id": CARD_ID,
            "color": "black",
            "status": "ordered",
            "last4": "4821",
            "expiration_date": "2028-03-31",
            "created_at": "2025-03-14T11:02:40Z",
        },
        {
            "id": CARD_ID,
            "color": "black",
            "status": "pending",
            "last4": None,
            "expiration_date": None,
            "created_at": "2025-03-14T11:02:40Z",
        },
    )

    id: UUID
    color: str
    status: str
    """pending until the provider answers; failed once we gave up asking."""
    last4: str | None
    expiration_date: date | None
    created_at: datetime = Field(validation_alias=AliasChoices("created_at", "created_on"))


def card_out(card: object) -> CardOut:
    """A card's view or a command's aggregate: they hold the same attributes (an aggregate's
    `created_on` is its `created_at`)."""
    return CardOut.model_validate(card, from_attributes=True)
