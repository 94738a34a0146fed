"""Low-stock alerts: open when a product's availability drops to its store's threshold.

At most one alert per product and store per hour (by event time, so a replay decides the
same); restocking above the threshold resolves it. Opening an alert records the owner's
e-mail job in the same transaction — in a rebuild that job lands in the scratch schema
and is dropped with it, so rebuilding never mails anyone twice.

A batch is followed in memory: its items' levels and their shelves' alerts are read with
one statement each, changed event by event in log order, and written back set-based.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import timedelta
from typing import Any, NamedTuple

from psycopg import Cursor

from projections.base import SqlProjection, topics_of
from projections.inventory import STOCK_DELTAS, stock_change
from projections.sagas.low_stock import LowStockEmail
from read_model.sql import alerts, saga_jobs
from read_model.sql.alerts import AlertBook, Shelf
from write_model.catalogue import Store
from write_model.inventory import StockItem

QUIET_PERIOD = timedelta(hours=1)


class Move(NamedTuple):
    """One event's change of its shelf's availability."""

    event: Any
    shelf: Shelf
    threshold: int
    before: int
    after: int


class StockAlertsProjection(SqlProjection):
    name = alerts.VIEW
    tables = ("stock_alerts", "alert_levels", "alert_thresholds")
    topics = topics_of(Store.Registered, StockItem.Opened, *STOCK_DELTAS)

    def apply(self, event: Any, cur: Cursor[Any]) -> None:
        self.apply_batch([event], cur)

    def apply_batch(self, events: Sequence[Any], cur: Cursor[Any]) -> None:
        thresholds = {
            e.originator_id: e.low_stock_threshold
            for e in events
            if isinstance(e, Store.Registered)
        }
        if thresholds:
            alerts.set_thresholds(cur, list(thresholds.items()))
        opened = [
            (e.originator_id, e.store_id, e.product_id)
            for e in events
            if isinstance(e, StockItem.Opened)
        ]
        if opened:
            alerts.open_levels(cur, opened)
        deltas = [e for e in events if not isinstance(e, Store.Registered | StockItem.Opened)]
        if deltas:
            self._follow(deltas, cur)

    def _follow(self, events: Sequence[Any], cur: Cursor[Any]) -> None:
        levels = alerts.levels(cur, {e.originator_id for e in events})
        moves = []
        for event in events:
            level = levels.get(event.originator_id)
            if level is None or event.originator_version <= level.version:
                continue
            delta = stock_change(event)
            before = level.available
            level.available += delta.on_hand - delta.reserved
            level.version = event.originator_version
            moves.append(Move(event, level.shelf, level.threshold, before, level.available))
        if not moves:
            return
        alerts.save_levels(
            cur, {m.event.originator_id: levels[m.event.originator_id] for m in moves}.values()
        )
        # An alert is open only while its shelf is at or below the threshold: the other
        # shelves need no look-up.
        low = [m for m in moves if min(m.before, m.after) <= m.threshold]
        if low:
            self._alert(AlertBook.load(cur, {m.shelf for m in low}), low, cur)

    def _alert(self, book: AlertBook, moves: Sequence[Move], cur: Cursor[Any]) -> None:
        jobs = []
        for move in moves:
            at = move.event.timestamp
            book.follow(move.shelf, move.after, move.threshold, at)
            dropped_low = move.after < move.before and move.after <= move.threshold
            if not dropped_low or book.opened_since(move.shelf, at - QUIET_PERIOD):
                continue
            alert_id = uuid.uuid5(
                move.event.originator_id, f"alert-{move.event.originator_version}"
            )
            if book.open_alert(alert_id, move.shelf, move.after, move.threshold, at):
                store_id, product_id = move.shelf
                payload = {
                    "alert_id": str(alert_id),
                    "store_id": str(store_id),
                    "product_id": str(product_id),
                    "available": move.after,
                    "threshold": move.threshold,
                }
                jobs.append(saga_jobs.Job(str(alert_id), payload))
        book.save(cur)
        if jobs:
            saga_jobs.enqueue(cur, LowStockEmail.name, jobs)
