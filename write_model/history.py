"""An order's audit trail: each recorded event as plain data, whatever its type."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, fields, is_dataclass
from datetime import datetime
from decimal import Decimal
from functools import singledispatch
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate

from write_model.orders import Order
from write_model.reservations import Reservation

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
