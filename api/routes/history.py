"""An order's audit trail, read from the event store (the sanctioned exception to CQRS reads)."""

from __future__ import annotations

from uuid import UUID

from api.dependencies import CurrentUser, ServicesDep
from api.routing import routes
from api.schemas.orders import OrderEventOut

router = routes("orders")


@router.get("/api/orders/{order_id}/history")
def order_history(order_id: UUID, actor: CurrentUser, services: ServicesDep) -> list[OrderEventOut]:
    """Every event of the order, oldest first; 404 for anyone who may not see the order."""
    records = services.shop.audit.order_history(order_id, actor)
    return [OrderEventOut.model_validate(record, from_attributes=True) for record in records]
