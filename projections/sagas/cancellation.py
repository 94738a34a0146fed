"""A cancelled order: a credit note against its invoice and the customer's e-mail, once each.

The invoice stays as it was issued; the credit note, numbered in the store's credit-note
series, takes back its whole amount.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import partial
from typing import Any
from uuid import UUID

from projections.base import topics_of
from projections.sagas.invoice import Documents
from projections.sagas.returns import RefundEmail
from read_model.sql.invoices import store_cancellation_note
from read_model.sql.saga_jobs import Job
from write_model.orders import Order


def cancelled(event: Any) -> Iterable[Job]:
    """One job per cancelled order, keyed by it; other moves ask for nothing."""
    if event.status == "cancelled":
        payload = {"order_id": str(event.originator_id), "at": event.timestamp.isoformat()}
        yield Job(key=str(event.originator_id), payload=payload)


class CancellationCreditNote(Documents):
    name = "cancellation_credit_note"
    topics = topics_of(Order.StatusChanged)

    def jobs(self, event: Any) -> Iterable[Job]:
        return cancelled(event)

    def perform(self, payload: dict[str, Any]) -> str:
        order = self.shop.get_order(UUID(payload["order_id"]))
        keep = partial(store_cancellation_note, self.pool, order.id, order.store_id)
        return self.credit(
            order, (f"Cancelled order: {order.id}", order.lines), payload["at"], keep
        )


class CancellationEmail(RefundEmail):
    """The refund e-mail of a cancelled order: every line, and its total."""

    name = "cancellation_email"
    topics = topics_of(Order.StatusChanged)

    def jobs(self, event: Any) -> Iterable[Job]:
        return cancelled(event)

    def perform(self, payload: dict[str, Any]) -> str:
        order = self.shop.get_order(UUID(payload["order_id"]))
        store = self.shop.get_store(order.store_id)
        return self.send(
            f"<order-{order.id}-cancelled@bazaar>",
            order.user_id,
            (
                f"Your order at {store.name} is cancelled",
                f"Your order {order.id} at {store.name} is cancelled:",
            ),
            (order.lines, order.total_price),
        )
