"""Order and stock events -> the sales analytics read model.

What the figures mean (days are UTC dates of the event's timestamp):

- A sale is booked when an order is confirmed (placed and not rejected): its revenue
  (sum of quantity x unit price at purchase), one order and its units go to the store's
  day and to each product's day. Categories and titles are the products' current ones,
  joined in when asked (a recategorised product takes its sales along).
- A cancellation takes the sale back from the day it was booked, so a day's revenue is
  that of its orders still standing, and counts the order, units and value under
  cancellations on the day it was cancelled.
- A delivered order counts as completed on the day it was delivered.
- Lost demand: for each line of a rejected order the store could not serve in full, all
  the units requested (the customer got none) at the line's unit price; the shortfall
  (requested - available) is kept beside it.
- Stock turnover per stock item: units shipped over the time-weighted average on-hand
  stock since the item was opened (reservations do not change on-hand stock).
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from functools import singledispatchmethod
from typing import Any

from psycopg import Cursor

from projections.base import SqlProjection, topics_of
from read_model.sql import analytics
from write_model.inventory import StockItem
from write_model.orders import Order


def utc_day(at: datetime) -> date:
    return at.astimezone(UTC).date()


class AnalyticsProjection(SqlProjection):
    name = "analytics"
    tables = (
        "analytics_orders",
        "analytics_order_lines",
        "sales_daily",
        "product_sales_daily",
        "lost_demand_daily",
        "stock_turnover",
    )
    topics = topics_of(
        Order.Placed,
        Order.Confirmed,
        Order.Rejected,
        Order.StatusChanged,
        StockItem.Opened,
        StockItem.Received,
        StockItem.Adjusted,
        StockItem.Committed,
    )

    @singledispatchmethod
    def apply(self, event: Any, cur: Cursor[Any]) -> None:
        """Events of other kinds change nothing here."""

    @apply.register
    def _(self, event: Order.Placed, cur: Cursor[Any]) -> None:
        lines = [
            analytics.Line(line.product_id, line.quantity, line.unit_price) for line in event.lines
        ]
        analytics.add_order(cur, event.originator_id, event.store_id, lines)

    @apply.register
    def _(self, event: Order.Confirmed, cur: Cursor[Any]) -> None:
        day = utc_day(event.timestamp)
        moved = analytics.move(cur, event.originator_id, event.originator_version, "confirmed", day)
        if moved:
            analytics.book_sale(cur, event.originator_id, moved.store_id, day, 1)

    @apply.register
    def _(self, event: Order.Rejected, cur: Cursor[Any]) -> None:
        moved = analytics.move(cur, event.originator_id, event.originator_version, "rejected")
        if moved:
            losses = [
                analytics.Loss(s.product_id, s.requested, s.available) for s in event.shortfalls
            ]
            day = utc_day(event.timestamp)
            analytics.book_lost_demand(cur, event.originator_id, moved.store_id, day, losses)

    @apply.register
    def _(self, event: Order.StatusChanged, cur: Cursor[Any]) -> None:
        order_id, day = event.originator_id, utc_day(event.timestamp)
        moved = analytics.move(cur, order_id, event.originator_version, event.status)
        if moved is None:
            return
        if event.status == "cancelled" and moved.sold_on is not None:
            analytics.book_sale(cur, order_id, moved.store_id, moved.sold_on, -1)
            analytics.book_cancellation(cur, order_id, moved.store_id, day)
        elif event.status == "delivered":
            analytics.book_completion(cur, moved.store_id, day)

    @apply.register
    def _(self, event: StockItem.Opened, cur: Cursor[Any]) -> None:
        analytics.open_item(
            cur, event.originator_id, event.store_id, event.product_id, event.timestamp
        )

    @apply.register
    def _(self, event: StockItem.Received | StockItem.Adjusted, cur: Cursor[Any]) -> None:
        self._stock(cur, event, event.quantity, 0)

    @apply.register
    def _(self, event: StockItem.Committed, cur: Cursor[Any]) -> None:
        self._stock(cur, event, -event.quantity, event.quantity)

    def _stock(self, cur: Cursor[Any], event: Any, on_hand: int, shipped: int) -> None:
        at, version = event.timestamp, event.originator_version
        analytics.move_stock(cur, event.originator_id, version, at, on_hand, shipped)
