"""Local delivery: a store's opening hours in its own timezone, the slots they offer, a booking."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Literal
from zoneinfo import ZoneInfo

from write_model.errors import ConflictError, RuleViolationError
from write_model.text import checked

DEFAULT_TIMEZONE = "UTC"
DEFAULT_OPENS_AT = 9
DEFAULT_CLOSES_AT = 18

DELIVERABLE_STATUSES = ("confirmed", "processing")
"""An order is booked for delivery while the store still has it: not once shipped or closed."""

DeliveryStatus = Literal["scheduled", "out_for_delivery", "delivered", "cancelled"]

DELIVERY_STATUS_BY_ORDER_STATUS: dict[str, DeliveryStatus] = {
    "shipped": "out_for_delivery",
    "delivered": "delivered",
    "cancelled": "cancelled",
}
"""A delivery follows its order, so it has no events of its own: scheduled until it ships."""


class InvalidOpeningHoursError(RuleViolationError):
    """Raised when a store's timezone is unknown or its hours are not 0 <= opens < closes <= 24."""

    code = "invalid_opening_hours"


class InvalidDeliverySlotError(RuleViolationError):
    """Raised when a delivery slot is past, not on the store's hour, or outside its hours."""

    code = "invalid_delivery_slot"


class InvalidDeliveryAddressError(RuleViolationError):
    """Raised when a delivery names no address."""

    code = "invalid_delivery_address"


class DeliveryNotAllowedError(ConflictError):
    """Raised when a delivery is booked for an order that is not confirmed or processing."""

    code = "delivery_not_allowed"


def zone(name: str) -> ZoneInfo:
    """The IANA timezone `name` ("Europe/Lisbon"), or refuse it."""
    try:
        return ZoneInfo(name)
    except (KeyError, ValueError, OSError):
        raise InvalidOpeningHoursError(f"Unknown timezone {name!r}.") from None


@dataclass(frozen=True, slots=True, kw_only=True)
class OpeningHours:
    """Hourly slots from `opens_at` (included) to `closes_at` (excluded), in the store's timezone.

    Hours are store-local so a slot means what the shopkeeper's clock says, whatever the
    offset or daylight-saving time of the day.
    """

    timezone: str = DEFAULT_TIMEZONE
    opens_at: int = DEFAULT_OPENS_AT
    closes_at: int = DEFAULT_CLOSES_AT

    def __post_init__(self) -> None:
        zone(self.timezone)
        if not 0 <= self.opens_at < self.closes_at <= 24:
            raise InvalidOpeningHoursError(
                f"Opening hours must satisfy 0 <= opens_at < closes_at <= 24, "
                f"not {self.opens_at}-{self.closes_at}."
            )

    def slot(self, slot_start: datetime, now: datetime) -> datetime:
        """The slot in UTC, if it starts after `now`, on a local hour the store is open."""
        if slot_start.utcoffset() is None:
            raise InvalidDeliverySlotError("A delivery slot needs a UTC offset or Z.")
        if slot_start <= now:
            raise InvalidDeliverySlotError("A delivery slot must be in the future.")
        local = slot_start.astimezone(zone(self.timezone))
        if (local.minute, local.second, local.microsecond) != (0, 0, 0):
            raise self._refusal(f"Delivery slots start on the hour ({self.timezone}).")
        if not self.opens_at <= local.hour < self.closes_at:
            raise self._refusal(
                f"Delivery slots start between {self.opens_at}:00 and {self.closes_at - 1}:00 "
                f"{self.timezone}, not at {local:%H:%M}."
            )
        return slot_start.astimezone(UTC)

    def _refusal(self, message: str) -> InvalidDeliverySlotError:
        details = {
            "timezone": self.timezone,
            "opens_at": self.opens_at,
            "closes_at": self.closes_at,
        }
        return InvalidDeliverySlotError(message, details=details)


DEFAULT_OPENING_HOURS = OpeningHours()


@dataclass(frozen=True, slots=True, kw_only=True)
class Delivery:
    """Where and when an order is delivered (the slot's start, in UTC)."""

    address: str
    slot_start: datetime


def delivery_status(order_status: str) -> DeliveryStatus:
    """`scheduled`, then `out_for_delivery` once shipped, `delivered` once delivered."""
    return DELIVERY_STATUS_BY_ORDER_STATUS.get(order_status, "scheduled")


def delivery_address(address: str) -> str:
    """The address without surrounding blanks; an empty one, or one with control characters
    other than line breaks and tabs, is refused."""
    checked("address", address, multiline=True)
    if not address.strip():
        raise InvalidDeliveryAddressError("A delivery needs an address.")
    return address.strip()
