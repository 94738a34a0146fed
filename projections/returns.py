"""Return events -> the returns and return lines tables, each return's batch folded to one row."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from psycopg import Cursor

from projections.base import SqlProjection, event_handler, handled, last_settled, topics_of
from read_model.sql import returns
from read_model.sql.orders import LineView
from write_model.returns import OrderReturn

Ending = tuple[str, str | None]


class ReturnsProjection(SqlProjection):
    name = returns.VIEW
    tables = ("returns", "return_lines")

    def apply(self, event: Any, cur: Cursor[Any]) -> None:
        self.apply_batch([event], cur)

    def apply_batch(self, events: Sequence[Any], cur: Cursor[Any]) -> None:
        """Returns asked for in one statement (their lines in another), then each return's
        last status."""
        requested = [_requested(e) for e in events if isinstance(e, OrderReturn.Requested)]
        if requested:
            returns.add_requested(cur, requested)
        if settled := last_settled(events, self.ending, returns.Settled):
            returns.settle(cur, settled)

    @event_handler
    def ending(self, event: Any) -> Ending | None:
        """The status an event settles its return in (and why, when refused)."""
        return None

    @ending.register
    def _(self, event: OrderReturn.Received) -> Ending:
        return "received", None

    @ending.register
    def _(self, event: OrderReturn.Refused) -> Ending:
        return "refused", event.reason

    topics = (*topics_of(OrderReturn.Requested), *handled(ending))


def _requested(event: OrderReturn.Requested) -> returns.ReturnView:
    items = [
        LineView(line.product_id, line.title, line.quantity, line.unit_price)
        for line in event.lines
    ]
    return returns.ReturnView(
        id=event.originator_id,
        order_id=event.order_id,
        store_id=event.store_id,
        user_id=event.user_id,
        status="requested",
        reason=event.reason,
        refusal=None,
        refund_amount=sum((item.line_total for item in items), Decimal("0.00")),
        created_at=event.timestamp,
        updated_at=event.timestamp,
        lines=items,
    )
