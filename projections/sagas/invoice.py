"""The PDF invoice of a confirmed order, drawn with reportlab and kept in Postgres."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any
from uuid import UUID

from psycopg_pool import ConnectionPool

from projections.base import topics_of
from projections.sagas.ports import Directory
from read_model.sql.invoices import store_invoice
from read_model.sql.saga_jobs import Job
from write_model.orders import Order
from write_model.shop import Shop


class Invoice:
    name = "invoice"
    topics = topics_of(Order.Confirmed)
    max_attempts = 6

    def __init__(
        self, shop: Shop, directory: Directory, pool: ConnectionPool, currency: str
    ) -> None:
        self.shop = shop
        self.directory = directory
        self.pool = pool
        self.currency = currency

    def jobs(self, event: Any) -> Iterable[Job]:
        yield Job(
            key=str(event.originator_id),
            payload={"order_id": str(event.originator_id), "at": event.timestamp.isoformat()},
        )

    def perform(self, payload: dict[str, Any]) -> str:
        order = self.shop.get_order(UUID(payload["order_id"]))
        store = self.shop.get_store(order.store_id)
        # Imported on use: every process builds this saga, only saga executors render.
        from projections.sagas.invoice_pdf import Document, invoice_pdf

        customer, at = self.directory(order.user_id), datetime.fromisoformat(payload["at"])
        number = store_invoice(
            self.pool,
            order.id,
            store.id,
            lambda n: invoice_pdf(
                order, store, customer, at, Document(n, self.currency, order.tax_rate)
            ),
        )
        return f"stored as no. {number}" if number else "already stored"

    def give_up(self, payload: dict[str, Any], error: str) -> None:
        """The parked job is the record; retrying it makes the invoice."""
