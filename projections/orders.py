"""Order events -> the orders and order lines tables."""

from __future__ import annotations

from functools import singledispatchmethod
from typing import Any

from psycopg import Cursor

from projections.base import SqlProjection, topics_of
from read_model.sql import orders
from write_model.orders import Order


class OrdersProjection(SqlProjection):
    name = "orders"
    tables = ("orders", "order_lines")
    topics = topics_of(
        Order.Placed,
        Order.Confirmed,
        Order.Rejected,
        Order.StatusChanged,
        Order.DeliveryScheduled,
    )

    @singledispatchmethod
    def apply(self, event: Any, cur: Cursor[Any]) -> None:
        """Events of other kinds change nothing here."""

    @apply.register
    def _(self, event: Order.Placed, cur: Cursor[Any]) -> None:
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
            total_price=sum((item.line_total for item in items), start=0),
            created_at=event.timestamp,
            updated_at=event.timestamp,
            items=items,
        )
        orders.add_order(cur, view, event.originator_version)

    @apply.register
    def _(self, event: Order.Confirmed, cur: Cursor[Any]) -> None:
        orders.set_status(
            cur, event.originator_id, event.originator_version, "confirmed", event.timestamp
        )

    @apply.register
    def _(self, event: Order.Rejected, cur: Cursor[Any]) -> None:
        shortfalls = [
            {"product_id": str(s.product_id), "requested": s.requested, "available": s.available}
            for s in event.shortfalls
        ]
        _set_status(cur, event, "rejected", shortfalls)

    @apply.register
    def _(self, event: Order.StatusChanged, cur: Cursor[Any]) -> None:
        orders.set_status(
            cur, event.originator_id, event.originator_version, event.status, event.timestamp
        )

    @apply.register
    def _(self, event: Order.DeliveryScheduled, cur: Cursor[Any]) -> None:
        orders.schedule_delivery(
            cur,
            event.originator_id,
            event.originator_version,
            event.address,
            event.slot_start,
            event.timestamp,
        )


def _set_status(
    cur: Cursor[Any], event: Any, status: str, shortfalls: list[dict[str, Any]] | None = None
) -> None:
    at, version = event.timestamp, event.originator_version
    orders.set_status(cur, event.originator_id, version, status, at, shortfalls)
