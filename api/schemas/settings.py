"""The marketplace's public settings, for pages that show its amounts."""

from __future__ import annotations

from pydantic import BaseModel, Field

from api.schemas.examples import with_examples


class SettingsOut(BaseModel):
    model_config = with_examples({"currency": "EUR"})

    currency: str = Field(
        description="ISO 4217 code of the currency every amount is in (the `CURRENCY` setting).",
    )
