"""OrderReturn aggregate: units of a delivered order sent back, received or refused.

An order's returns are numbered (`OrderReturn.create_id(order, n)`), so two returns asked
at once for the same order compete for the same id: one is saved, the other decides again
with the first in view, and never more of a product is returned than was delivered.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta
from decimal import Decimal
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate, event

from write_model.catalogue import Store
from write_model.commands import Actor
from write_model.errors import ConflictError, NotFoundError, RuleViolationError
from write_model.orders import Order, OrderLine, total_of
from write_model.text import checked
from write_model.visibility import may_see

RETURN_NAMESPACE = uuid5(NAMESPACE_URL, "bazaar:order-return")
NEXT_STATUSES: dict[str, tuple[str, ...]] = {
    "requested": ("received", "refused"),
    "received": (),
    "refused": (),
}


class ReturnNotFoundError(NotFoundError):
    """Raised when a return does not exist (or the caller may not see it)."""

    code = "return_not_found"


class OrderNotDeliveredError(ConflictError):
    """Raised when a return is asked for an order that has not been delivered."""

    code = "order_not_delivered"


class ReturnWindowClosedError(ConflictError):
    """Raised when a return is asked after the window since delivery closed."""

    code = "return_window_closed"


class ReturnExceedsDeliveredError(RuleViolationError):
    """Raised when a return asks for more of a product than is left to return."""

    code = "return_exceeds_delivered"


class InvalidReturnError(RuleViolationError):
    """Raised when a return's settlement lacks what it needs (a refusal without a reason)."""

    code = "invalid_return"


class IllegalReturnTransitionError(ConflictError):
    """Raised when a return is asked to move to a status its current one does not lead to."""

    code = "illegal_transition"


class OrderReturn(Aggregate):
    """Units of one delivered order a customer sends back, at the prices they paid."""

    @staticmethod
    def create_id(order_id: UUID, number: int) -> UUID:
        """The order's `number`-th return (from 1)."""
        return uuid5(RETURN_NAMESPACE, f"{order_id}/{number}")

    class Requested(Aggregate.Created):
        order_id: UUID
        store_id: UUID
        user_id: UUID
        lines: tuple[OrderLine, ...]
        reason: str

    @event(Requested)
    def __init__(
        self,
        *,
        id: UUID,
        order_id: UUID,
        store_id: UUID,
        user_id: UUID,
        lines: tuple[OrderLine, ...],
        reason: str,
    ) -> None:
        self.order_id = order_id
        self.store_id = store_id
        self.user_id = user_id
        self.lines = tuple(lines)
        self.reason = reason
        self.status = "requested"
        self.refusal: str | None = None

    @property
    def refund_amount(self) -> Decimal:
        """What the customer paid for the returned units."""
        return total_of(self.lines)

    @property
    def counts(self) -> bool:
        """Whether its units count as returned: a refused return gives them back to return."""
        return self.status != "refused"

    def check_move_to(self, status: str) -> None:
        allowed = NEXT_STATUSES.get(self.status, ())
        if status not in allowed:
            raise IllegalReturnTransitionError(
                f"A return that is {self.status} can move to "
                f"{', '.join(allowed) or 'no other status'}, not {status}.",
                details={"status": self.status, "allowed": list(allowed)},
            )

    class Received(Aggregate.Event):
        by: UUID

    @event(Received)
    def receive(self, by: UUID) -> None:
        """The units are back at the store, and the refund is due (`check_move_to` first)."""
        self.status = "received"

    class Refused(Aggregate.Event):
        by: UUID
        reason: str

    def refuse(self, by: UUID, reason: str) -> None:
        """The store does not take the units back, and says why (`check_move_to` first)."""
        if not checked("reason", reason, multiline=True).strip():
            raise InvalidReturnError("A refusal needs a reason.")
        self._refuse(by=by, reason=reason)

    @event(Refused)
    def _refuse(self, by: UUID, reason: str) -> None:
        self.status = "refused"
        self.refusal = reason


def may_see_return(actor: Actor, order_return: OrderReturn, store: Store) -> bool:
    """Its customer, the store's owner and admins."""
    return may_see(actor, order_return.user_id, store.owner_id)


def returnable_lines(
    order: Order,
    earlier: Iterable[OrderReturn],
    quantities: Mapping[UUID, int],
    now: datetime,
    window: timedelta,
) -> tuple[OrderLine, ...]:
    """The lines of a new return of `quantities`, at the prices paid: only for a delivered
    order, within `window` of its delivery, and never more of a product than was delivered
    less what returns not refused already take back."""
    if order.delivered_at is None:
        raise OrderNotDeliveredError(
            f"An order that is {order.status} cannot be returned; it must be delivered first.",
            details={"status": order.status},
        )
    closes_at = order.delivered_at + window
    if now > closes_at:
        raise ReturnWindowClosedError(
            f"Returns for this order closed on {closes_at:%Y-%m-%d %H:%M} UTC.",
            details={
                "delivered_at": order.delivered_at.isoformat(),
                "closed_at": closes_at.isoformat(),
            },
        )
    taken: Counter[UUID] = Counter()
    for other in earlier:
        if other.counts:
            taken.update({line.product_id: line.quantity for line in other.lines})
    bought = {line.product_id: line for line in order.lines}
    over = [
        {
            "product_id": str(pid),
            "requested": qty,
            "returnable": bought[pid].quantity - taken[pid] if pid in bought else 0,
        }
        for pid, qty in quantities.items()
        if pid not in bought or qty > bought[pid].quantity - taken[pid]
    ]
    if over:
        raise ReturnExceedsDeliveredError(
            "A return may not take back more than was delivered.", details={"lines": over}
        )
    return tuple(
        OrderLine(
            product_id=pid,
            title=bought[pid].title,
            quantity=qty,
            unit_price=bought[pid].unit_price,
        )
        for pid, qty in quantities.items()
    )
