"""PDF invoices and credit notes, drawn with reportlab and kept in Postgres."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from typing import Any
from uuid import UUID

from psycopg_pool import ConnectionPool

from projections.base import topics_of
from read_model.sql.invoices import invoice_number, store_invoice
from read_model.sql.saga_jobs import Job
from write_model.orders import Order, OrderLine
from write_model.ports import Directory
from write_model.shop import Shop

Keep = Callable[[Callable[[int], bytes]], int | None]
"""Keeps a document drawn with the number it is given; returns it (None: made before)."""


class Documents:
    """What the sagas making a store's documents share: whom and what they are about."""

    max_attempts = 6

    def __init__(
        self, shop: Shop, directory: Directory, pool: ConnectionPool, currency: str
    ) -> None:
        self.shop = shop
        self.directory = directory
        self.pool = pool
        self.currency = currency

    def credit(
        self, order: Order, credited: tuple[str, Sequence[OrderLine]], at: str, keep: Keep
    ) -> str:
        """Make the credit note of `credited` (described, and its lines) against the order's
        invoice: until that invoice is made, this raises and the job is retried."""
        store = self.shop.get_store(order.store_id)
        invoice = invoice_number(self.pool, order.id)
        # Imported on use: every process builds these sagas, only saga executors render.
        from projections.sagas.invoice_pdf import Document, credit_note_pdf

        customer, when = self.directory(order.user_id), datetime.fromisoformat(at)
        number = keep(
            lambda n: credit_note_pdf(
                credited, store, customer, when, Document(n, self.currency, order.tax_rate), invoice
            )
        )
        return f"stored as no. {number}" if number else "already stored"

    def give_up(self, payload: dict[str, Any], error: str) -> None:
        """The parked job is the record; retrying it makes the document."""


class Invoice(Documents):
    name = "invoice"
    topics = topics_of(Order.Confirmed)

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
