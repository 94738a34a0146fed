"""Reservation aggregate: stock held for a customer's checkout, until it expires."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from write_model.errors import ConflictError, NotFoundError, RuleViolationError
from write_model.orders import OrderLine, total_of

MIN_MINUTES, MAX_MINUTES = 1, 60


class InvalidHoldError(RuleViolationError):
    """Raised when a hold is asked for a time outside the allowed minutes."""

    code = "invalid_reservation"


class ReservationNotFoundError(NotFoundError):
    """Raised when a reservation does not exist (or is not the caller's)."""

    code = "reservation_not_found"


class ReservationNotHeldError(ConflictError):
    """Raised when an order is asked from a reservation that no longer holds its stock."""

    code = "reservation_not_held"


class Reservation(Aggregate):
    """A customer's units held at one store, priced as when held: held until converted into
    an order, released, or expired at `expires_at`, whichever the aggregate records first."""

    class Made(Aggregate.Created):
        user_id: UUID
        store_id: UUID
        lines: tuple[OrderLine, ...]
        expires_at: datetime

    @event(Made)
    def __init__(
        self,
        *,
        id: UUID,
        user_id: UUID,
        store_id: UUID,
        lines: tuple[OrderLine, ...],
        expires_at: datetime,
    ) -> None:
        self.user_id = user_id
        self.store_id = store_id
        self.lines = tuple(lines)
        self.expires_at = expires_at
        self.status = "held"
        self.order_id: UUID | None = None

    @staticmethod
    def expiry(now: datetime, minutes: int) -> datetime:
        """When a hold of `minutes` made at `now` ends; the minutes must be in bounds."""
        if not MIN_MINUTES <= minutes <= MAX_MINUTES:
            raise InvalidHoldError(
                f"A reservation holds for {MIN_MINUTES} to {MAX_MINUTES} minutes, not {minutes}."
            )
        return now + timedelta(minutes=minutes)

    @property
    def total_price(self) -> Decimal:
        return total_of(self.lines)

    def is_due(self, now: datetime) -> bool:
        """Still held at or past its expiry: the expiry may release it."""
        return self.status == "held" and now >= self.expires_at

    def check_held(self, now: datetime) -> None:
        """Refuse unless the stock is still held and the hold has not run out at `now`."""
        status = "expired" if self.is_due(now) else self.status
        if status != "held":
            raise ReservationNotHeldError(
                f"The reservation is {status}: it holds no stock any more.",
                details={"status": status},
            )

    class Converted(Aggregate.Event):
        order_id: UUID

    @event(Converted)
    def convert(self, order_id: UUID) -> None:
        """The held units now belong to the order (`check_held` first)."""
        self.status = "converted"
        self.order_id = order_id

    class Released(Aggregate.Event):
        by: UUID

    @event(Released)
    def release(self, by: UUID) -> None:
        """Given back before its time by its customer or an admin."""
        self.status = "released"

    class Expired(Aggregate.Event):
        pass

    @event(Expired)
    def expire(self) -> None:
        """Its time ran out while it still held the stock (`is_due` first)."""
        self.status = "expired"
