"""Types shared by the schemas: money as a 2-place string, pages, strict request models, text."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any, Generic, TypeVar
from uuid import UUID

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    PlainSerializer,
    Strict,
)
from pydantic_core import PydanticCustomError

from api.errors import ApiError
from api.schemas.examples import example_of
from write_model.text import forbidden_character

T = TypeVar("T")


def text_rule(*, multiline: bool = False) -> AfterValidator:
    """The domain's text rule as a validator: a NUL or control character is a 400 naming the
    field, before any command runs. `multiline` keeps tabs and line breaks."""

    def check(value: str) -> str:
        character = forbidden_character(value, multiline=multiline)
        if character is not None:
            raise PydanticCustomError(
                "control_character",
                "must not contain control characters (found U+{code})",
                {"code": f"{ord(character):04X}"},
            )
        return value

    return AfterValidator(check)


SafeText = Annotated[str, text_rule()]
"""One line of text: no control characters at all. For every query parameter and header too."""
MultilineText = Annotated[str, text_rule(multiline=True)]
"""Text that may span lines (descriptions, addresses, reasons): tabs and line breaks allowed."""
Text = Annotated[SafeText, Field(min_length=1, max_length=200)]

JsonUUID = Annotated[UUID, Strict(False)]
"""JSON has no UUID type: a strict request model still reads one from its string."""
JsonDatetime = Annotated[AwareDatetime, Strict(False)]
"""JSON has no time type either: ISO 8601 strings with an offset are read."""
Money = Annotated[Decimal, PlainSerializer(lambda d: f"{d:.2f}", return_type=str)]
Price = Annotated[Decimal, Field(gt=0, max_digits=12, decimal_places=2, strict=False)]
"""Money comes as a string ("35.00") or a number; never as a boolean."""
Percent = Annotated[Decimal, PlainSerializer(lambda d: f"{d.normalize():f}", return_type=str)]
"""A percentage as a decimal string without trailing zeros: "20", "5.5"."""
TaxRate = Annotated[Decimal, Field(ge=0, le=100, max_digits=5, decimal_places=2, strict=False)]
"""A tax rate in percent comes as a string ("5.5") or a number."""


class Request(BaseModel):
    """Request bodies refuse unknown fields, so a typo is an error, not a silent no-op, and
    are strict: `"2"` or `true` is no quantity. JSON strings still make ids, times, prices."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, strict=True)


def _a_page_of_one(schema: dict[str, Any], page: type[BaseModel]) -> None:
    """A page model's example: a page holding its item model's example."""
    items = page.__pydantic_generic_metadata__["args"]
    if items:
        one = {"count": 1, "page": 1, "page_size": 20, "results": [example_of(items[0])]}
        schema["examples"] = [one]


class PageOf(BaseModel, Generic[T]):
    model_config = ConfigDict(json_schema_extra=_a_page_of_one)

    count: int
    page: int
    page_size: int
    results: list[T]


def parse_near(near: str | None) -> tuple[float, float] | None:
    """A `near=lat,lng` query parameter as a point on the globe (none: None); else 400."""
    if near is None:
        return None
    try:
        lat, lng = (float(part) for part in near.split(","))
    except ValueError:
        raise ApiError(400, "validation_error", "near must be 'lat,lng'.") from None
    if not (-90 <= lat <= 90 and -180 <= lng <= 180):
        raise ApiError(400, "validation_error", "near is outside the globe.")
    return lat, lng
