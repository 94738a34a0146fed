"""Tell a store's owner by e-mail that a product runs low (jobs come from the alerts)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any
from uuid import UUID

from read_model.sql.saga_jobs import Job
from write_model.ports import Directory, Email, Mailer
from write_model.shop import Shop


class LowStockEmail:
    name = "low_stock_email"
    topics: tuple[str, ...] = ()
    """No events of its own: `projections.alerts` records a job when it opens an alert."""
    max_attempts = 6

    def __init__(self, shop: Shop, directory: Directory, mailer: Mailer) -> None:
        self.shop = shop
        self.directory = directory
        self.mailer = mailer

    def jobs(self, event: Any) -> Iterable[Job]:
        return ()

    def perform(self, payload: dict[str, Any]) -> str:
        store = self.shop.get_store(UUID(payload["store_id"]))
        owner = self.directory(store.owner_id)
        title = self.shop.get_product(UUID(payload["product_id"])).title
        self.mailer.send(
            Email(
                message_id=f"<alert-{payload['alert_id']}@bazaar>",
                to=owner.email,
                subject=f"Low stock at {store.name}: {title}",
                body=(
                    f"Hello {owner.name},\n\n{title} is down to {payload['available']} available"
                    f" at {store.name} (alert threshold {payload['threshold']}).\n"
                    "Restock it to close the alert.\n\nBazaar"
                ),
            )
        )
        return f"sent to {owner.email}"

    def give_up(self, payload: dict[str, Any], error: str) -> None:
        """The alert stays open on the store's page; the parked job is the record."""
