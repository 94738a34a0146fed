"""A received return: the customer's e-mail and the credit note beside the invoice, once each."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from decimal import Decimal
from functools import partial
from typing import Any
from uuid import UUID

from projections.base import topics_of
from projections.sagas.confirmation import itemised
from projections.sagas.invoice import Documents
from projections.sagas.mailing import Mailing
from read_model.sql.invoices import store_credit_note
from read_model.sql.saga_jobs import Job
from write_model.orders import OrderLine
from write_model.returns import OrderReturn


def received(event: Any) -> Iterable[Job]:
    """One job per received return, keyed by it."""
    payload = {"return_id": str(event.originator_id), "at": event.timestamp.isoformat()}
    yield Job(key=str(event.originator_id), payload=payload)


class RefundEmail(Mailing):
    """Tells the customer what is refunded, and that the credit note is with the order."""

    name = "refund_email"
    topics = topics_of(OrderReturn.Received)

    def jobs(self, event: Any) -> Iterable[Job]:
        return received(event)

    def perform(self, payload: dict[str, Any]) -> str:
        order_return = self.shop.get_return(UUID(payload["return_id"]))
        store = self.shop.get_store(order_return.store_id)
        return self.send(
            f"<return-{order_return.id}-received@bazaar>",
            order_return.user_id,
            (
                f"{store.name} received your return",
                f"{store.name} received what you sent back from order {order_return.order_id}:",
            ),
            (order_return.lines, order_return.refund_amount),
        )

    def send(
        self,
        message_id: str,
        user_id: UUID,
        texts: tuple[str, str],
        refunded: tuple[Sequence[OrderLine], Decimal],
    ) -> str:
        """Mail the customer `texts` (subject, first line), then the lines and the refund."""
        (subject, intro), (lines, refund) = texts, refunded
        return self.mail(
            user_id,
            message_id,
            subject,
            lambda customer: "\n".join(
                [
                    f"Hello {customer},",
                    "",
                    intro,
                    "",
                    *itemised(lines),
                    "",
                    f"  Refund: {refund}",
                    "",
                    "Your credit note is with the order. Bazaar",
                ]
            ),
        )


class CreditNote(Documents):
    name = "credit_note"
    topics = topics_of(OrderReturn.Received)

    def jobs(self, event: Any) -> Iterable[Job]:
        return received(event)

    def perform(self, payload: dict[str, Any]) -> str:
        order_return = self.shop.get_return(UUID(payload["return_id"]))
        order = self.shop.get_order(order_return.order_id)
        credited = (f"Return: {order_return.id} of order {order.id}", order_return.lines)
        keep = partial(store_credit_note, self.pool, order_return.id, order.store_id)
        return self.credit(order, credited, payload["at"], keep)
