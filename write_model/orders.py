"""Order aggregate: lines priced at purchase, and the lifecycle it may move through."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any, cast
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from write_model.catalogue import Store
from write_model.commands import Actor
from write_model.delivery import (
    DELIVERABLE_STATUSES,
    Delivery,
    DeliveryNotAllowedError,
    OpeningHours,
    delivery_address,
)
from write_model.errors import ConflictError, NotFoundError, RuleViolationError
from write_model.visibility import may_see

if TYPE_CHECKING:
    from write_model.application import Outcome


@dataclass(frozen=True, slots=True, kw_only=True)
class OrderLine:
    """One product of an order, with the title and unit price it was bought at."""

    product_id: UUID
    title: str
    quantity: int
    unit_price: Decimal

    @property
    def line_total(self) -> Decimal:
        return self.unit_price * self.quantity


def total_of(lines: Iterable[OrderLine]) -> Decimal:
    """What the lines cost together, at the prices they were bought at."""
    return sum((line.line_total for line in lines), Decimal("0.00"))


@dataclass(frozen=True, slots=True, kw_only=True)
class Shortfall:
    """A line the store could not serve: how many were asked for and how many were there."""

    product_id: UUID
    requested: int
    available: int


class InsufficientStockError(RuleViolationError):
    """Raised when a store cannot serve every line; the order is recorded as rejected."""

    code = "insufficient_stock"

    @classmethod
    def of(cls, outcome: Outcome[Order]) -> InsufficientStockError:
        """The refusal of the rejected order `outcome` recorded, at its position."""
        order = outcome.aggregate
        refusal = cls.short_of(order.shortfalls, order_id=str(order.id))
        refusal.position, refusal.log = outcome.position, outcome.log
        return refusal

    @classmethod
    def short_of(cls, shortfalls: Iterable[Shortfall], **ids: str) -> InsufficientStockError:
        """The refusal naming each shortfall, and the ids of what was refused."""
        listed = [
            {"product_id": str(s.product_id), "requested": s.requested, "available": s.available}
            for s in shortfalls
        ]
        return cls(
            "The store does not have enough stock for these items.",
            details={**ids, "shortfalls": listed},
        )


class IllegalTransitionError(ConflictError):
    """Raised when an order is asked to move to a status its current one does not lead to."""

    code = "illegal_transition"


NEXT_STATUSES: dict[str, tuple[str, ...]] = {
    "confirmed": ("processing", "cancelled"),
    "processing": ("shipped", "cancelled"),
    "shipped": ("delivered",),
    "delivered": (),
    "cancelled": (),
    "rejected": (),
}


class Order(Aggregate):
    """An order placed by a user at one store: confirmed with stock held, or rejected."""

    class Placed(Aggregate.Created):
        class_version = 2
        """v2 added `tax_rate`, the store's when the order was placed; v1 orders had none."""

        user_id: UUID
        store_id: UUID
        lines: tuple[OrderLine, ...]
        tax_rate: Decimal | None

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            state["tax_rate"] = None

    @event(Placed)
    def __init__(
        self,
        *,
        id: UUID,
        user_id: UUID,
        store_id: UUID,
        lines: tuple[OrderLine, ...],
        tax_rate: Decimal | None,
    ) -> None:
        self.user_id = user_id
        self.store_id = store_id
        self.lines = tuple(lines)
        self.tax_rate = tax_rate
        """The tax (percent) its prices include: the store's rate when it was placed."""
        self.status = "placed"
        self.shortfalls: tuple[Shortfall, ...] = ()
        self.delivery: Delivery | None = None

    @property
    def total_price(self) -> Decimal:
        return total_of(self.lines)

    @property
    def total_items(self) -> int:
        return sum(line.quantity for line in self.lines)

    class Confirmed(Aggregate.Event):
        pass

    @event(Confirmed)
    def confirm(self) -> None:
        """Stock for every line is held."""
        self.status = "confirmed"

    class Rejected(Aggregate.Event):
        reason: str
        shortfalls: tuple[Shortfall, ...]

    @event(Rejected)
    def reject(self, reason: str, shortfalls: tuple[Shortfall, ...]) -> None:
        """Recorded as history (lost demand), nothing held."""
        self.status = "rejected"
        self.shortfalls = tuple(shortfalls)

    delivered_at: datetime | None = None
    """When it was delivered: returns are open for a while from then."""

    class StatusChanged(Aggregate.Event):
        status: str
        by: UUID

        def apply(self, aggregate: Aggregate) -> None:
            """The delivery's time is the event's own, so the order keeps it."""
            order = cast(Order, aggregate)
            order.status = self.status
            if self.status == "delivered":
                order.delivered_at = self.timestamp

    def change_status(self, status: str, by: UUID) -> bool:
        """Move along the lifecycle; repeating the current status is a no-op (returns False)."""
        if not self.is_move_to(status):
            return False
        self.trigger_event(self.StatusChanged, status=status, by=by)
        return True

    def is_move_to(self, status: str) -> bool:
        """False for the current status; refuses a status the current one does not lead to."""
        if status == self.status:
            return False
        allowed = NEXT_STATUSES.get(self.status, ())
        if status not in allowed:
            raise IllegalTransitionError(
                f"An order that is {self.status} can move to "
                f"{', '.join(allowed) or 'no other status'}, not {status}.",
                details={"status": self.status, "allowed": list(allowed)},
            )
        return True

    class DeliveryScheduled(Aggregate.Event):
        address: str
        slot_start: datetime
        by: UUID

    def schedule_delivery(
        self, *, address: str, slot_start: datetime, hours: OpeningHours, now: datetime, by: UUID
    ) -> bool:
        """Book the delivery, or move it: each change is recorded, the same booking is a no-op.

        Only while the store still has the order (confirmed, processing), and only for a
        future slot the store's `hours` offer. Returns whether anything was recorded.
        """
        if self.status not in DELIVERABLE_STATUSES:
            raise DeliveryNotAllowedError(
                f"An order that is {self.status} can no longer be booked for delivery.",
                details={"status": self.status, "allowed": list(DELIVERABLE_STATUSES)},
            )
        booking = Delivery(
            address=delivery_address(address), slot_start=hours.slot(slot_start, now)
        )
        if booking == self.delivery:
            return False
        self._schedule_delivery(address=booking.address, slot_start=booking.slot_start, by=by)
        return True

    @event(DeliveryScheduled)
    def _schedule_delivery(self, address: str, slot_start: datetime, by: UUID) -> None:
        self.delivery = Delivery(address=address, slot_start=slot_start)

    shipment_notified = False

    class ShipmentNotified(Aggregate.Event):
        pass

    @event(ShipmentNotified)
    def _record_shipment_notified(self) -> None:
        self.shipment_notified = True

    def record_shipment_notified(self) -> bool:
        """The shipping partner took the shipment; recorded once (returns whether it was new)."""
        if self.shipment_notified:
            return False
        self._record_shipment_notified()
        return True

    class ShipmentNotificationFailed(Aggregate.Event):
        reason: str

    @event(ShipmentNotificationFailed)
    def record_shipment_notification_failed(self, reason: str) -> None:
        """The shipping partner could not be told; an operator may retry the parked job."""


class OrderNotFoundError(NotFoundError):
    """Raised when an order does not exist or the caller may not see it."""

    code = "order_not_found"


class IdempotencyKeyReusedError(ConflictError):
    """Raised when an idempotency key comes back with a different order."""

    code = "idempotency_key_reused"


def may_see_order(actor: Actor, order: Order, store: Store) -> bool:
    """The customer who placed it, the store's owner and admins."""
    return may_see(actor, order.user_id, store.owner_id)


def may_set_status(actor: Actor, order: Order, store: Store, status: str) -> bool:
    """The customer may cancel; the store's owner moves it forward; an admin does both."""
    if actor.is_admin:
        return True
    if status == "cancelled":
        return actor.user_id == order.user_id
    return actor.user_id == store.owner_id
