"""Reservation events -> the reservations table, each reservation's batch folded to one row."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any
from uuid import UUID

from psycopg import Cursor

from projections.base import SqlProjection, event_handler, handled, last_settled, topics_of
from read_model.sql import reservations
from write_model.reservations import Reservation

Ending = tuple[str, UUID | None]


class ReservationsProjection(SqlProjection):
    name = reservations.VIEW
    tables = ("reservations",)

    def apply(self, event: Any, cur: Cursor[Any]) -> None:
        self.apply_batch([event], cur)

    def apply_batch(self, events: Sequence[Any], cur: Cursor[Any]) -> None:
        """Rows made in one statement, then each reservation's last status in another."""
        made = [self._made(e) for e in events if isinstance(e, Reservation.Made)]
        if made:
            reservations.add_made(cur, made)
        if settled := last_settled(events, self.ending, reservations.Settled):
            reservations.settle(cur, settled)

    @staticmethod
    def _made(event: Reservation.Made) -> reservations.Made:
        total = sum((line.line_total for line in event.lines), Decimal("0.00"))
        return reservations.Made(
            event.originator_id,
            event.user_id,
            event.store_id,
            total,
            event.expires_at,
            event.timestamp,
        )

    @event_handler
    def ending(self, event: Any) -> Ending | None:
        """The status an event ends its reservation in (and the order it became, if one)."""
        return None

    @ending.register
    def _(self, event: Reservation.Converted) -> Ending:
        return "converted", event.order_id

    @ending.register
    def _(self, event: Reservation.Released) -> Ending:
        return "released", None

    @ending.register
    def _(self, event: Reservation.Expired) -> Ending:
        return "expired", None

    topics = (*topics_of(Reservation.Made), *handled(ending))
