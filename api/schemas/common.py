"""Types shared by the schemas: money as a 2-place string, pages, strict request models."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Generic, TypeVar

from pydantic import BaseModel, ConfigDict, Field, PlainSerializer

T = TypeVar("T")

Money = Annotated[Decimal, PlainSerializer(lambda d: f"{d:.2f}", return_type=str)]
Price = Annotated[Decimal, Field(gt=0, max_digits=12, decimal_places=2)]
Text = Annotated[str, Field(min_length=1, max_length=200)]


class Request(BaseModel):
    """Request bodies refuse unknown fields, so a typo is an error, not a silent no-op."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class PageOf(BaseModel, Generic[T]):
    count: int
    page: int
    page_size: int
    results: list[T]
