"""Low-stock alerts: open when a product's availability drops to its store's threshold.

At most one alert per product and store per hour (by event time, so a replay decides the
same); restocking above the threshold resolves it. Opening an alert records the owner's
e-mail job in the same transaction — in a rebuild that job lands in the scratch schema
and is dropped with it, so rebuilding never mails anyone twice.
"""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

from psycopg import Cursor

from projections.base import SqlProjection, topics_of
from projections.inventory import STOCK_DELTAS, stock_change
from projections.sagas.low_stock import LowStockEmail
from read_model.sql import alerts, saga_jobs
from write_model.catalogue import Store
from write_model.inventory import StockItem

QUIET_PERIOD = timedelta(hours=1)


class StockAlertsProjection(SqlProjection):
    name = "stock_alerts"
    tables = ("stock_alerts", "alert_levels", "alert_thresholds")
    topics = topics_of(Store.Registered, StockItem.Opened, *STOCK_DELTAS)

    def apply(self, event: Any, cur: Cursor[Any]) -> None:
        if isinstance(event, Store.Registered):
            alerts.set_threshold(cur, event.originator_id, event.low_stock_threshold)
        elif isinstance(event, StockItem.Opened):
            alerts.open_level(cur, event.originator_id, event.store_id, event.product_id)
        else:
            self._follow(event, cur)

    def _follow(self, event: Any, cur: Cursor[Any]) -> None:
        delta = stock_change(event)
        change = alerts.change_level(
            cur, delta.item_id, delta.version, delta.on_hand - delta.reserved
        )
        if change is None:
            return
        alerts.follow_open_alert(cur, change, event.timestamp)
        dropped_low = change.after < change.before and change.after <= change.threshold
        if not dropped_low or alerts.opened_since(cur, change, event.timestamp - QUIET_PERIOD):
            return
        alert_id = uuid.uuid5(event.originator_id, f"alert-{event.originator_version}")
        if alerts.open_alert(cur, alert_id, change, event.timestamp):
            payload = {
                "alert_id": str(alert_id),
                "store_id": str(change.store_id),
                "product_id": str(change.product_id),
                "available": change.after,
                "threshold": change.threshold,
            }
            saga_jobs.enqueue(cur, LowStockEmail.name, [(str(alert_id), payload, 0.0)])
