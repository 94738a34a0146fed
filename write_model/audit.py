"""The order audit: an order's or a reservation's own events, read back as records or
replayed to a past version; the read models play no part."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import TYPE_CHECKING, cast
from uuid import UUID

from eventsourcing.domain import Aggregate

from write_model.commands import Actor
from write_model.errors import NotFoundError, RuleViolationError
from write_model.history import OrderEventRecord, history_of
from write_model.orders import Order, OrderNotFoundError

if TYPE_CHECKING:
    from write_model.shop import Shop


class InvalidVersionError(RuleViolationError):
    """Raised when an order is asked for as of a version below 1 (versions start at 1)."""

    code = "invalid_version"


class VersionNotFoundError(NotFoundError):
    """Raised when an order is asked for as of a version it has not reached."""

    code = "version_not_found"


class InvalidAsOfError(RuleViolationError):
    """Raised when a replay is given both a version and a time, or a time with no UTC offset."""

    code = "invalid_as_of"


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


class OrderAudit:
    """Reads the shop's orders and reservations from their own events: the audit trail and
    as-of replay, never the read model; to those who may not see them, they do not exist."""

    def __init__(self, shop: Shop) -> None:
        self._shop = shop

    def order_history(self, order_id: UUID, actor: Actor) -> list[OrderEventRecord]:
        """Every recorded event of the order, oldest first."""
        self._shop.visible_order(order_id, actor)
        return history_of(self._events_of(order_id))

    def reservation_history(self, reservation_id: UUID, actor: Actor) -> list[OrderEventRecord]:
        """Every recorded event of the reservation, oldest first, for its customer and admins."""
        self._shop.visible_reservation(reservation_id, actor)
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
        order, _ = self._shop.visible_order(order_id, actor)
        if version is not None and at is not None:
            raise InvalidAsOfError("Give as_of_version or as_of, not both.")
        if at is not None:
            version = self._version_at(order_id, at)
        if version is None:
            return order
        check_version(version, order.version)
        replayed: Order = self._shop.repository.get(order_id, version=version)
        return replayed

    def _version_at(self, order_id: UUID, at: datetime) -> int:
        version = version_at(self._events_of(order_id), at)
        if version is None:
            raise OrderNotFoundError(f"Order {order_id} did not exist at {at.isoformat()}.")
        return version

    def _events_of(self, aggregate_id: UUID) -> list[Aggregate.Event]:
        return cast("list[Aggregate.Event]", list(self._shop.events.get(aggregate_id)))
