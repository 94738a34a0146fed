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
- Lost demand: for each line of a rejected order the store could not serve in full, the
  units requested, and the shortfall (requested - available) valued at the line's unit
  price: what the store could not sell. (The units it had are not lost: stocked, they
  stay to sell.)
- A received return takes its refund (quantity x unit price paid) off the revenue of the
  day it was received, store and product alike, and counts it as refunded, with the units
  as returned; the units sold stay, so a product's return rate is returned over sold.
- Stock turnover per stock item: units shipped over the time-weighted average on-hand
  stock since the item was opened (reservations do not change on-hand stock).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime
from typing import Any
from uuid import UUID

from psycopg import Cursor

from projections.base import SqlProjection, event_handler, handled, topics_of
from read_model.sql import analytics
from read_model.sql.analytics_bookings import Bookings, write_bookings
from write_model.inventory import StockItem
from write_model.orders import Order
from write_model.returns import OrderReturn

SoldOn = dict[UUID, date | None]


def utc_day(at: datetime) -> date:
    return at.astimezone(UTC).date()


class AnalyticsProjection(SqlProjection):
    name = analytics.VIEW
    tables = (
        "analytics_orders",
        "analytics_order_lines",
        "sales_daily",
        "product_sales_daily",
        "lost_demand_daily",
        "stock_turnover",
        "analytics_returns",
        "analytics_return_lines",
    )

    def apply(self, event: Any, cur: Cursor[Any]) -> None:
        self.apply_batch([event], cur)

    def apply_batch(self, events: Sequence[Any], cur: Cursor[Any]) -> None:
        """Order events and stock moves set-based; an event twice in the batch counts once."""
        moves: dict[tuple[UUID, int], analytics.StockMove] = {}
        for event in events:
            if isinstance(event, StockItem.Opened):
                analytics.open_item(
                    cur, event.originator_id, event.store_id, event.product_id, event.timestamp
                )
            elif (move := self.stock_move(event)) is not None:
                moves[event.originator_id, event.originator_version] = move
        if moves:
            analytics.move_stock(cur, list(moves.values()))
        of_orders = {
            (e.originator_id, e.originator_version): e
            for e in events
            if isinstance(e, ORDER_EVENTS)
        }
        if of_orders:
            self._orders(sorted(of_orders.values(), key=lambda e: e.originator_version), cur)
        self._returns(events, cur)

    def _returns(self, events: Sequence[Any], cur: Cursor[Any]) -> None:
        """Keep asked returns' lines; book each received return's refund on the day of its
        receipt, once (the receipt is final)."""
        asked = [_asked(e) for e in events if isinstance(e, OrderReturn.Requested)]
        if asked:
            analytics.add_returns(cur, asked)
        days = {
            e.originator_id: utc_day(e.timestamp)
            for e in events
            if isinstance(e, OrderReturn.Received)
        }
        if not days:
            return
        bookings = Bookings({})
        for received in analytics.receive_returns(cur, list(days)):
            bookings.refund(received.store_id, days[received.id], received.lines)
        write_bookings(cur, bookings)

    def _orders(self, events: list[Any], cur: Cursor[Any]) -> None:
        """Keep new orders, move each order to its last version, and book the events that
        moved it (those newer than its version before the batch: the guard decides)."""
        placed = [_placed(e) for e in events if isinstance(e, Order.Placed)]
        if placed:
            analytics.add_orders(cur, placed)
        moves = _last_moves(e for e in events if not isinstance(e, Order.Placed))
        if not moves:
            return
        before = analytics.move_orders(cur, moves)
        moved = [
            e
            for e in events
            if not isinstance(e, Order.Placed)
            and e.originator_id in before
            and e.originator_version > before[e.originator_id].version
        ]
        # An order placed in this batch brings its lines; only the others are read back.
        in_batch = {order.id: order.lines for order in placed}
        stored = analytics.lines_of(cur, {e.originator_id for e in moved} - in_batch.keys())
        bookings = Bookings({**stored, **in_batch})
        sold_on = {order_id: was.sold_on for order_id, was in before.items()}
        for event in moved:
            self.book(event, before[event.originator_id].store_id, sold_on, bookings)
        write_bookings(cur, bookings)

    @event_handler
    def book(self, event: Any, store_id: UUID, sold_on: SoldOn, b: Bookings) -> None:
        """What an order event that moved its order books; `sold_on` follows the orders."""

    @book.register
    def _(self, event: Order.Confirmed, store_id: UUID, sold_on: SoldOn, b: Bookings) -> None:
        day = sold_on[event.originator_id] = utc_day(event.timestamp)
        b.sale(event.originator_id, store_id, day, 1)

    @book.register
    def _(self, event: Order.Rejected, store_id: UUID, sold_on: SoldOn, b: Bookings) -> None:
        losses = [analytics.Loss(s.product_id, s.requested, s.available) for s in event.shortfalls]
        b.lost_demand(event.originator_id, store_id, utc_day(event.timestamp), losses)

    @book.register
    def _(self, event: Order.StatusChanged, store_id: UUID, sold_on: SoldOn, b: Bookings) -> None:
        order_id, day = event.originator_id, utc_day(event.timestamp)
        sold = sold_on[order_id]
        if event.status == "cancelled" and sold is not None:
            b.sale(order_id, store_id, sold, -1)
            b.cancellation(order_id, store_id, day)
        elif event.status == "delivered":
            b.completion(store_id, day)

    @event_handler
    def stock_move(self, event: Any) -> analytics.StockMove | None:
        """A stock event's change of on-hand stock and units shipped; events of other kinds
        change nothing here."""
        return None

    @stock_move.register
    def _(
        self, event: StockItem.Received | StockItem.Adjusted | StockItem.Returned
    ) -> analytics.StockMove:
        return _move(event, event.quantity, 0)

    @stock_move.register
    def _(self, event: StockItem.Committed) -> analytics.StockMove:
        return _move(event, -event.quantity, event.quantity)

    topics = (
        *topics_of(Order.Placed, StockItem.Opened, OrderReturn.Requested, OrderReturn.Received),
        *handled(book, stock_move),
    )
    """Orders are kept from their placing, stock items from their opening, returns from
    their asking to their receipt; the rest is what the handlers book."""


def _move(event: Any, on_hand: int, shipped: int) -> analytics.StockMove:
    at, version = event.timestamp, event.originator_version
    return analytics.StockMove(event.originator_id, version, at, on_hand, shipped)


ORDER_EVENTS = (Order.Placed, Order.Confirmed, Order.Rejected, Order.StatusChanged)
STATUS_OF = {Order.Confirmed: "confirmed", Order.Rejected: "rejected"}


def _placed(event: Order.Placed) -> analytics.PlacedOrder:
    lines = [
        analytics.Line(line.product_id, line.quantity, line.unit_price) for line in event.lines
    ]
    return analytics.PlacedOrder(event.originator_id, event.store_id, lines)


def _asked(event: OrderReturn.Requested) -> analytics.PlacedOrder:
    lines = [
        analytics.Line(line.product_id, line.quantity, line.unit_price) for line in event.lines
    ]
    return analytics.PlacedOrder(event.originator_id, event.store_id, lines)


def _last_moves(events: Iterable[Any]) -> list[analytics.Move]:
    """Each order's last status and version in the batch, and its confirmation if there."""
    moves: dict[UUID, analytics.Move] = {}
    for event in events:
        earlier = moves.get(event.originator_id)
        confirmed = isinstance(event, Order.Confirmed)
        moves[event.originator_id] = analytics.Move(
            event.originator_id,
            event.originator_version,
            STATUS_OF.get(type(event)) or event.status,
            event.originator_version
            if confirmed
            else earlier.confirmed_version
            if earlier
            else None,
            utc_day(event.timestamp) if confirmed else earlier.sold_on if earlier else None,
        )
    return list(moves.values())
