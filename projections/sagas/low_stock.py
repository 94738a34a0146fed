"""Tell a store's owner by e-mail that a product runs low (jobs come from the alerts)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any
from uuid import UUID

from projections.sagas.mailing import Mailing
from read_model.sql.saga_jobs import Job


class LowStockEmail(Mailing):
    """The store's owner is told once per alert; the alert stays open on the store's page
    whatever becomes of the e-mail."""

    name = "low_stock_email"
    topics: tuple[str, ...] = ()
    """No events of its own: `projections.alerts` records a job when it opens an alert."""

    def jobs(self, event: Any) -> Iterable[Job]:
        return ()

    def perform(self, payload: dict[str, Any]) -> str:
        store = self.shop.get_store(UUID(payload["store_id"]))
        title = self.shop.get_product(UUID(payload["product_id"])).title
        return self.mail(
            store.owner_id,
            f"<alert-{payload['alert_id']}@bazaar>",
            f"Low stock at {store.name}: {title}",
            lambda owner: (
                f"Hello {owner},\n\n{title} is down to {payload['available']} available"
                f" at {store.name} (alert threshold {payload['threshold']}).\n"
                "Restock it to close the alert.\n\nBazaar"
            ),
        )
