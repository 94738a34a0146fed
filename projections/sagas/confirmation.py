"""The order confirmation e-mail: one per confirmed order, to the customer."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from functools import partial
from typing import Any
from uuid import UUID

from projections.base import topics_of
from projections.sagas.mailing import Mailing
from read_model.sql.saga_jobs import Job
from write_model.catalogue import Store
from write_model.orders import Order, OrderLine


class ConfirmationEmail(Mailing):
    name = "confirmation_email"
    topics = topics_of(Order.Confirmed)

    def jobs(self, event: Any) -> Iterable[Job]:
        yield Job(key=str(event.originator_id), payload={"order_id": str(event.originator_id)})

    def perform(self, payload: dict[str, Any]) -> str:
        order = self.shop.get_order(UUID(payload["order_id"]))
        store = self.shop.get_store(order.store_id)
        return self.mail(
            order.user_id,
            f"<order-{order.id}-confirmed@bazaar>",
            f"Your order at {store.name} is confirmed",
            partial(confirmation_text, order, store),
        )


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
