"""Announce a shipped order to the shipping partner's webhook, once per order."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any
from uuid import UUID

from projections.base import topics_of
from read_model.sql.saga_jobs import Job
from write_model.orders import Order
from write_model.ports import ShippingPartner
from write_model.shop import Shop
from write_model.text import scrubbed


class ShippingNotice:
    name = "shipping_webhook"
    topics = topics_of(Order.StatusChanged)
    max_attempts = 4
    """The first call and at most three retries; then ShipmentNotificationFailed."""

    def __init__(self, shop: Shop, partner: ShippingPartner | None) -> None:
        self.shop = shop
        self.partner = partner

    def jobs(self, event: Any) -> Iterable[Job]:
        if event.status == "shipped":
            yield Job(key=str(event.originator_id), payload={"order_id": str(event.originator_id)})

    def perform(self, payload: dict[str, Any]) -> str:
        order = self.shop.get_order(UUID(payload["order_id"]))
        if order.shipment_notified:
            return "already notified"
        if self.partner is None:
            return "no webhook configured"
        shipment = {
            "order_id": str(order.id),
            "user_id": str(order.user_id),
            "status": "shipped",
            "total_price": str(order.total_price),
        }
        self.partner.announce(shipment, idempotency_key=f"shipment-{order.id}")
        self.shop.record_shipment_notified(order.id)
        return "notified"

    def give_up(self, payload: dict[str, Any], error: str) -> None:
        self.shop.record_shipment_notification_failed(UUID(payload["order_id"]), scrubbed(error))
