"""What only admins see: every order of the marketplace."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Depends, Query

from api.dependencies import AdminOnly, Paging, ServicesDep, read_after
from api.schemas.common import PageOf
from api.schemas.orders import OrderStatus, OrderSummaryOut
from read_model.sql import orders

router = APIRouter(tags=["admin"])


@router.get("/api/admin/orders", dependencies=[AdminOnly, Depends(read_after("orders"))])
def all_orders(
    services: ServicesDep,
    paging: Paging,
    status: Annotated[OrderStatus | None, Query()] = None,
    user_id: Annotated[UUID | None, Query()] = None,
    store_id: Annotated[UUID | None, Query()] = None,
) -> PageOf[OrderSummaryOut]:
    """Every order, newest first, filtered by status, customer and store: for admins only."""
    wanted = orders.OrderFilter(user_id=user_id, store_id=store_id, status=status)
    page = orders.list_orders(services.pool, paging, wanted)
    return PageOf[OrderSummaryOut].model_validate(page, from_attributes=True)
