"""Order events -> the orders and order lines tables, folded per order within a batch."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any
from uuid import UUID

from psycopg import Cursor

from projections.base import SqlProjection, event_handler, handled
from read_model.sql import orders
from write_model.orders import Order


class OrdersProjection(SqlProjection):
    """Each order's events of a batch become one change, written with the batch's others.

    An order placed and confirmed in one batch is written once, at its last version. The
    table's version guard keeps a row at its newest version, so a redelivered batch, or
    one reaching back before the row, changes nothing it should not: a batch is a
    contiguous stretch of the log, so what it holds up to the row's version has already
    been applied.
    """

    name = orders.VIEW
    tables = ("orders", "order_lines")

    def apply(self, event: Any, cur: Cursor[Any]) -> None:
        self.apply_batch([event], cur)

    def apply_batch(self, events: Sequence[Any], cur: Cursor[Any]) -> None:
        """Changes are folded in version order, so events out of order in a batch fold
        as if they came in order."""
        folded: dict[UUID, orders.OrderChange] = {}
        for event in sorted(events, key=lambda e: e.originator_version):
            change = self.change(event)
            if change is not None:
                earlier = folded.get(change.id)
                folded[change.id] = earlier.then(change) if earlier else change
        if folded:
            orders.write_changes(cur, list(folded.values()))

    @event_handler
    def change(self, event: Any) -> orders.OrderChange | None:
        """Events of other kinds change nothing here."""
        return None

    @change.register
    def _(self, event: Order.Placed) -> orders.OrderChange:
        items = [
            orders.LineView(line.product_id, line.title, line.quantity, line.unit_price)
            for line in event.lines
        ]
        view = orders.OrderView(
            id=event.originator_id,
            user_id=event.user_id,
            store_id=event.store_id,
            status="placed",
            total_items=sum(item.quantity for item in items),
            total_price=sum((item.line_total for item in items), start=Decimal(0)),
            created_at=event.timestamp,
            updated_at=event.timestamp,
            items=items,
        )
        return _change(event, placed=view, status="placed")

    @change.register
    def _(self, event: Order.Confirmed) -> orders.OrderChange:
        return _change(event, status="confirmed")

    @change.register
    def _(self, event: Order.Rejected) -> orders.OrderChange:
        shortfalls = [
            {"product_id": str(s.product_id), "requested": s.requested, "available": s.available}
            for s in event.shortfalls
        ]
        return _change(event, status="rejected", shortfalls=shortfalls)

    @change.register
    def _(self, event: Order.StatusChanged) -> orders.OrderChange:
        return _change(event, status=event.status)

    @change.register
    def _(self, event: Order.DeliveryScheduled) -> orders.OrderChange:
        return _change(event, delivery_address=event.address, delivery_slot_start=event.slot_start)

    topics = handled(change)


def _change(event: Any, **sets: Any) -> orders.OrderChange:
    at, version = event.timestamp, event.originator_version
    return orders.OrderChange(event.originator_id, version, at, **sets)
