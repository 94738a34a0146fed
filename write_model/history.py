"""An order's audit trail: each recorded event as plain data, and which version held when."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, fields, is_dataclass
from datetime import datetime
from decimal import Decimal
from functools import singledispatch
from typing import Any, cast
from uuid import UUID

from eventsourcing.domain import Aggregate

from write_model.commands import Actor
from write_model.errors import NotFoundError, RuleViolationError
from write_model.orders import Order, OrderNotFoundError
from write_model.reservations import Reservation
from write_model.shop_base import ShopBase

ENVELOPE = frozenset(field.name for field in fields(Aggregate.Created))
"""What every stored event carries (aggregate id, version, time, topic); the rest is its own."""

CUSTOMER_EVENTS = (
    Order.Placed,
    Order.Confirmed,
    Order.Rejected,
    Reservation.Made,
    Reservation.Converted,
)
"""Recorded when the customer places an order or holds stock, so theirs though they carry no
`by`."""


class InvalidVersionError(RuleViolationError):
    """Raised when an order is asked for as of a version below 1 (versions start at 1)."""

    code = "invalid_version"


class VersionNotFoundError(NotFoundError):
    """Raised when an order is asked for as of a version it has not reached."""

    code = "version_not_found"


class InvalidAsOfError(RuleViolationError):
    """Raised when a replay is given both a version and a time, or a time with no UTC offset."""

    code = "invalid_as_of"


@dataclass(frozen=True, slots=True, kw_only=True)
class OrderEventRecord:
    """One recorded event of an order as an auditor reads it: what, when, who, with which data."""

    version: int
    type: str
    at: datetime
    by: UUID | None
    data: dict[str, Any]
    """The event's own fields as JSON values: ids and money as text, order lines as objects."""


def history_of(events: Sequence[Aggregate.Event]) -> list[OrderEventRecord]:
    """Records of an order's events, in the order given (the event store's: oldest first)."""
    first = events[0] if events else None
    customer = first.user_id if isinstance(first, Order.Placed | Reservation.Made) else None
    return [record_of(event, customer) for event in events]


def record_of(event: Aggregate.Event, customer: UUID | None) -> OrderEventRecord:
    """Any event, present or future, renders generically: no per-type code to forget."""
    own = {name: value for name, value in vars(event).items() if name not in ENVELOPE}
    return OrderEventRecord(
        version=event.originator_version,
        type=type(event).__name__,
        at=event.timestamp,
        by=doer(event, customer),
        data={name: plain(value) for name, value in own.items()},
    )


def doer(event: Aggregate.Event, customer: UUID | None) -> UUID | None:
    """The event's own `by`; else the customer for placement's events; else nobody (the system)."""
    by = vars(event).get("by")
    if by is not None:
        return UUID(str(by))
    return customer if isinstance(event, CUSTOMER_EVENTS) else None


def version_at(events: Iterable[Aggregate.Event], at: datetime) -> int | None:
    """The last version recorded at or before `at`; None when the order did not exist yet.

    A time without a UTC offset is refused rather than guessed: an auditor's "10:00"
    in Lisbon and in Tokyo are different moments.
    """
    if at.utcoffset() is None:
        raise InvalidAsOfError(f"as_of needs a UTC offset or Z, e.g. {at.isoformat()}Z.")
    versions = [event.originator_version for event in events if event.timestamp <= at]
    return versions[-1] if versions else None


def check_version(version: int, current: int) -> None:
    """Versions run from 1 (placed) to the order's current one."""
    if version < 1:
        raise InvalidVersionError(f"as_of_version must be 1 or more, not {version}.")
    if version > current:
        raise VersionNotFoundError(
            f"The order has {current} versions; there is no version {version} yet.",
            details={"current_version": current},
        )


@singledispatch
def plain(value: Any) -> Any:
    """A JSON value for an event field: frozen values become objects, the rest stays as is."""
    if is_dataclass(value) and not isinstance(value, type):
        return {field.name: plain(getattr(value, field.name)) for field in fields(value)}
    return value


@plain.register
def _money(value: Decimal) -> str:
    return f"{value:.2f}"


@plain.register
def _uuid(value: UUID) -> str:
    return str(value)


@plain.register
def _time(value: datetime) -> str:
    return value.isoformat()


@plain.register(tuple)
@plain.register(list)
def _sequence(value: Sequence[Any]) -> list[Any]:
    return [plain(item) for item in value]


@plain.register(dict)
def _mapping(value: dict[Any, Any]) -> dict[str, Any]:
    return {str(key): plain(item) for key, item in value.items()}


class OrderAudit(ShopBase):
    """Reads an order's own events: the audit trail and as-of replay, never the read model."""

    def order_history(self, order_id: UUID, actor: Actor) -> list[OrderEventRecord]:
        """Every recorded event of the order, oldest first: the audit trail, never the read model.

        Only those who may see the order may read it; to anyone else it does not exist.
        """
        self.visible_order(order_id, actor)
        return history_of(self._events_of(order_id))

    def reservation_history(self, reservation_id: UUID, actor: Actor) -> list[OrderEventRecord]:
        """Every recorded event of the reservation, oldest first, for its customer and admins."""
        self.visible_reservation(reservation_id, actor)
        return history_of(self._events_of(reservation_id))

    def order_as_of(
        self,
        order_id: UUID,
        actor: Actor,
        *,
        version: int | None = None,
        at: datetime | None = None,
    ) -> Order:
        """The order exactly as it was at `version`, or at time `at`, replayed from its events.

        A time picks the last version recorded at or before it; a time before the order
        existed is `OrderNotFoundError`. A version below 1 breaks a rule (`InvalidVersionError`),
        one the order has not reached is missing (`VersionNotFoundError`); both at once, or a
        time with no UTC offset, is `InvalidAsOfError`. Neither: the order as it is now.
        """
        order, _ = self.visible_order(order_id, actor)
        if version is not None and at is not None:
            raise InvalidAsOfError("Give as_of_version or as_of, not both.")
        if at is not None:
            version = self._version_at(order_id, at)
        if version is None:
            return order
        check_version(version, order.version)
        replayed: Order = self.repository.get(order_id, version=version)
        return replayed

    def _version_at(self, order_id: UUID, at: datetime) -> int:
        version = version_at(self._events_of(order_id), at)
        if version is None:
            raise OrderNotFoundError(f"Order {order_id} did not exist at {at.isoformat()}.")
        return version

    def _events_of(self, aggregate_id: UUID) -> list[Aggregate.Event]:
        return cast("list[Aggregate.Event]", list(self.events.get(aggregate_id)))
