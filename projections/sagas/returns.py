"""A received return: the customer's e-mail and the credit note beside the invoice, once each."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any
from uuid import UUID

from psycopg_pool import ConnectionPool

from projections.base import topics_of
from projections.sagas.confirmation import itemised
from projections.sagas.ports import Directory, Email, Mailer
from read_model.sql.invoices import invoice_number, store_credit_note
from read_model.sql.saga_jobs import Job
from write_model.returns import OrderReturn
from write_model.shop import Shop


def received(event: Any) -> Iterable[Job]:
    """One job per received return, keyed by it."""
    payload = {"return_id": str(event.originator_id), "at": event.timestamp.isoformat()}
    yield Job(key=str(event.originator_id), payload=payload)


class RefundEmail:
    name = "refund_email"
    topics = topics_of(OrderReturn.Received)
    max_attempts = 6

    def __init__(self, shop: Shop, directory: Directory, mailer: Mailer) -> None:
        self.shop = shop
        self.directory = directory
        self.mailer = mailer

    def jobs(self, event: Any) -> Iterable[Job]:
        return received(event)

    def perform(self, payload: dict[str, Any]) -> str:
        order_return = self.shop.get_return(UUID(payload["return_id"]))
        store = self.shop.get_store(order_return.store_id)
        customer = self.directory(order_return.user_id)
        body = "\n".join(
            [
                f"Hello {customer.name},",
                "",
                f"{store.name} received what you sent back from order {order_return.order_id}:",
                "",
                *itemised(order_return.lines),
                "",
                f"  Refund: {order_return.refund_amount}",
                "",
                "Your credit note is with the order. Bazaar",
            ]
        )
        self.mailer.send(
            Email(
                message_id=f"<return-{order_return.id}-received@bazaar>",
                to=customer.email,
                subject=f"{store.name} received your return",
                body=body,
            )
        )
        return f"sent to {customer.email}"

    def give_up(self, payload: dict[str, Any], error: str) -> None:
        """The parked job is the record."""


class CreditNote:
    name = "credit_note"
    topics = topics_of(OrderReturn.Received)
    max_attempts = 6

    def __init__(
        self, shop: Shop, directory: Directory, pool: ConnectionPool, currency: str
    ) -> None:
        self.shop = shop
        self.directory = directory
        self.pool = pool
        self.currency = currency

    def jobs(self, event: Any) -> Iterable[Job]:
        return received(event)

    def perform(self, payload: dict[str, Any]) -> str:
        order_return = self.shop.get_return(UUID(payload["return_id"]))
        store = self.shop.get_store(order_return.store_id)
        invoice = invoice_number(self.pool, order_return.order_id)
        tax_rate = self.shop.get_order(order_return.order_id).tax_rate
        # Imported on use: every process builds this saga, only saga executors render.
        from projections.sagas.invoice_pdf import Document, credit_note_pdf

        customer = self.directory(order_return.user_id)
        at = datetime.fromisoformat(payload["at"])
        number = store_credit_note(
            self.pool,
            order_return.id,
            store.id,
            lambda n: credit_note_pdf(
                order_return, store, customer, at, Document(n, self.currency, tax_rate), invoice
            ),
        )
        return f"stored as no. {number}" if number else "already stored"

    def give_up(self, payload: dict[str, Any], error: str) -> None:
        """The parked job is the record; retrying it makes the credit note."""
