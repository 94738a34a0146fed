"""The order confirmation e-mail: one per confirmed order, to the customer."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any
from uuid import UUID

from projections.base import topics_of
from projections.sagas.ports import Directory, Email, Mailer
from read_model.sql.saga_jobs import Job
from write_model.catalogue import Store
from write_model.orders import Order, OrderLine
from write_model.shop import Shop


class ConfirmationEmail:
    name = "confirmation_email"
    topics = topics_of(Order.Confirmed)
    max_attempts = 6

    def __init__(self, shop: Shop, directory: Directory, mailer: Mailer) -> None:
        self.shop = shop
        self.directory = directory
        self.mailer = mailer

    def jobs(self, event: Any) -> Iterable[Job]:
        yield Job(key=str(event.originator_id), payload={"order_id": str(event.originator_id)})

    def perform(self, payload: dict[str, Any]) -> str:
        order = self.shop.get_order(UUID(payload["order_id"]))
        store = self.shop.get_store(order.store_id)
        customer = self.directory(order.user_id)
        self.mailer.send(
            Email(
                message_id=f"<order-{order.id}-confirmed@bazaar>",
                to=customer.email,
                subject=f"Your order at {store.name} is confirmed",
                body=confirmation_text(order, store, customer.name),
            )
        )
        return f"sent to {customer.email}"

    def give_up(self, payload: dict[str, Any], error: str) -> None:
        """Nothing to record on the order: the parked job is the record."""


def confirmation_text(order: Order, store: Store, customer: str) -> str:
    return "\n".join(
        [
            f"Hello {customer},",
            "",
            f"{store.name} ({store.location.city}) confirmed your order {order.id}:",
            "",
            *itemised(order.lines),
            "",
            f"  Total: {order.total_price}",
            "",
            "We will let you know when it ships.",
            "Bazaar",
        ]
    )


def itemised(lines: Sequence[OrderLine]) -> list[str]:
    """One aligned text line per order line: quantity, title, unit price, line total."""
    width = max((len(line.title) for line in lines), default=10)
    return [
        f"  {line.quantity:>4} x {line.title:<{width}}"
        f"  @ {line.unit_price:>9}  = {line.line_total:>10}"
        for line in lines
    ]
