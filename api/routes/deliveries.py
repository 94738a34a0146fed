"""Booking an order's local delivery slot."""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import UUID

from fastapi import Response

from api.dependencies import CurrentUser, ServicesDep
from api.read_your_writes import answer_position
from api.routing import routes
from api.schemas.orders import DeliveryIn, OrderOut, order_out, order_view
from write_model.commands import ScheduleDelivery

router = routes("orders")


@router.put("/api/orders/{order_id}/delivery")
def schedule_delivery(
    order_id: UUID, body: DeliveryIn, actor: CurrentUser, services: ServicesDep, response: Response
) -> OrderOut:
    """Book or move the delivery (customer, store owner, admin) to a future open hourly slot."""
    cmd = ScheduleDelivery(order_id=order_id, address=body.address, slot_start=body.slot_start)
    outcome = services.shop.schedule_delivery(cmd, actor, now=datetime.now(UTC))
    answer_position(response, outcome)
    return order_out(order_view(outcome.aggregate))
