"""Debit cards."""

from __future__ import annotations

from datetime import date, datetime
from uuid import UUID

from pydantic import BaseModel, Field, field_validator

from api.schemas.common import Request, SafeText
from write_model.cards import COLORS


class CardIn(Request):
    color: SafeText = Field(description=f"One of {', '.join(COLORS)}.")

    @field_validator("color")
    @classmethod
    def _made_by_the_provider(cls, color: str) -> str:
        if color not in COLORS:
            raise ValueError(f"must be one of {', '.join(COLORS)}")
        return color


class CardOut(BaseModel):
    id: UUID
    color: str
    status: str
    """pending until the provider answers; failed once we gave up asking."""
    last4: str | None
    expiration_date: date | None
    created_at: datetime
