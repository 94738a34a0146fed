"""Placing orders and reading one's own."""

from __future__ import annotations

from typing import Annotated
from uuid import NAMESPACE_URL, UUID, uuid4, uuid5

from fastapi import APIRouter, Depends, Header, Response

from api.dependencies import CurrentUser, Paging, ServicesDep, read_after
from api.errors import ApiError
from api.schemas.common import PageOf
from api.schemas.orders import LineOut, OrderIn, OrderOut, OrderSummaryOut, StatusIn
from read_model.sql import catalogue, orders
from write_model.commands import Actor, ChangeOrderStatus, OrderItem, PlaceOrder
from write_model.orders import Order

router = APIRouter(tags=["orders"])
OrdersRead = Depends(read_after("orders"))
IDEMPOTENCY_NAMESPACE = uuid5(NAMESPACE_URL, "bazaar:order-idempotency-key")


def order_out(order: Order | orders.OrderView) -> OrderOut:
    lines = order.lines if isinstance(order, Order) else order.items
    return OrderOut(
        id=order.id,
        store_id=order.store_id,
        user_id=order.user_id,
        status=order.status,
        items=[
            LineOut(
                product_id=line.product_id,
                title=line.title,
                quantity=line.quantity,
                unit_price=line.unit_price,
                line_total=line.line_total,
            )
            for line in lines
        ],
        total_price=order.total_price,
        created_at=order.created_on if isinstance(order, Order) else order.created_at,
    )


@router.post("/api/orders", status_code=201)
def place_order(
    body: OrderIn,
    actor: CurrentUser,
    services: ServicesDep,
    response: Response,
    idempotency_key: Annotated[str | None, Header(max_length=200)] = None,
) -> OrderOut:
    """Place an order at one store: all lines held, or 400 with the shortfalls."""
    order_id = (
        uuid5(IDEMPOTENCY_NAMESPACE, f"{actor.user_id}/{idempotency_key}")
        if idempotency_key
        else uuid4()
    )
    items = tuple(OrderItem(product_id=i.product_id, quantity=i.quantity) for i in body.items)
    cmd = PlaceOrder(order_id=order_id, user_id=actor.user_id, store_id=body.store_id, items=items)
    outcome = services.shop.place_order(cmd)
    response.headers["X-Event-Position"] = str(outcome.position)
    return order_out(outcome.aggregate)


@router.patch("/api/orders/{order_id}")
def change_status(
    order_id: UUID, body: StatusIn, actor: CurrentUser, services: ServicesDep, response: Response
) -> OrderOut:
    """Move an order along its lifecycle (store owner, admin), or cancel it (customer, admin)."""
    cmd = ChangeOrderStatus(order_id=order_id, status=body.status)
    outcome = services.shop.change_order_status(cmd, actor)
    response.headers["X-Event-Position"] = str(outcome.position)
    return order_out(outcome.aggregate)


@router.get("/api/orders", dependencies=[OrdersRead])
def my_orders(actor: CurrentUser, services: ServicesDep, paging: Paging) -> PageOf[OrderSummaryOut]:
    """The caller's own orders, newest first."""
    page = orders.list_orders(services.pool, paging, orders.OrderFilter(user_id=actor.user_id))
    return PageOf[OrderSummaryOut].model_validate(page, from_attributes=True)


@router.get("/api/orders/{order_id}", dependencies=[OrdersRead, Depends(read_after("catalogue"))])
def get_order(order_id: UUID, actor: CurrentUser, services: ServicesDep) -> OrderOut:
    """One order: for the customer who placed it, the store's owner, and admins."""
    order = orders.get_order(services.pool, order_id)
    if order is None or not may_see(actor, order, services):
        raise ApiError(404, "order_not_found", f"Order {order_id} does not exist.")
    return order_out(order)


def may_see(actor: Actor, order: orders.OrderView, services: ServicesDep) -> bool:
    if actor.is_admin or order.user_id == actor.user_id:
        return True
    store = catalogue.get_store(services.pool, order.store_id)
    return store is not None and store.owner_id == actor.user_id
