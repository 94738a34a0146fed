"""Returns of delivered orders: asked by the customer, received or refused by the store."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated
from uuid import UUID

from fastapi import Depends, Query, Response

from api.answers import pdf_answer
from api.dependencies import CurrentUser, Paging, ServicesDep
from api.openapi import PDF
from api.read_your_writes import answer_position, read_after
from api.routing import routes
from api.schemas.common import PageOf
from api.schemas.returns import ReturnIn, ReturnOut, ReturnStatus, ReturnStatusIn, return_out
from api.store_access import managed_store
from read_model.sql import catalogue, returns
from read_model.sql.invoices import credit_note_pdf
from write_model.commands import ChangeReturnStatus, OrderItem, RequestReturn

router = routes("returns")
ReturnsRead = Depends(read_after(catalogue.VIEW, returns.VIEW))


@router.post("/api/orders/{order_id}/returns", status_code=201)
def request_return(
    order_id: UUID, body: ReturnIn, actor: CurrentUser, services: ServicesDep, response: Response
) -> ReturnOut:
    """Send back units of a delivered order (its customer), within the return window after
    delivery: 409 `return_window_closed` after it, 400 `return_exceeds_delivered` for more
    than is left to return across the order's returns."""
    items = tuple(OrderItem(product_id=i.product_id, quantity=i.quantity) for i in body.items)
    cmd = RequestReturn(order_id=order_id, items=items, reason=body.reason)
    outcome = services.shop.request_return(cmd, actor, datetime.now(UTC))
    answer_position(response, outcome, created=f"/api/returns/{outcome.aggregate.id}")
    return return_out(outcome.aggregate)


@router.get("/api/orders/{order_id}/returns", dependencies=[ReturnsRead])
def order_returns(order_id: UUID, actor: CurrentUser, services: ServicesDep) -> list[ReturnOut]:
    """The order's returns, oldest first (its customer, the store's owner, admins)."""
    services.shop.visible_order(order_id, actor)
    return [return_out(found) for found in returns.returns_of_order(services.pool, order_id)]


@router.get("/api/returns/{return_id}")
def get_return(return_id: UUID, actor: CurrentUser, services: ServicesDep) -> ReturnOut:
    """One return, read from the event store: always current."""
    return return_out(services.shop.visible_return(return_id, actor)[0])


@router.patch("/api/returns/{return_id}")
def settle_return(
    return_id: UUID,
    body: ReturnStatusIn,
    actor: CurrentUser,
    services: ServicesDep,
    response: Response,
) -> ReturnOut:
    """`received` puts the units back on the shelf and records the refund; `refused` needs a
    reason (store owner, admin). A settled return is 409 with the moves allowed."""
    cmd = ChangeReturnStatus(return_id=return_id, status=body.status, reason=body.reason)
    outcome = services.shop.change_return_status(cmd, actor)
    answer_position(response, outcome)
    return return_out(outcome.aggregate)


@router.get("/api/returns/{return_id}/credit-note.pdf", response_class=Response, responses=PDF)
def get_credit_note(return_id: UUID, actor: CurrentUser, services: ServicesDep) -> Response:
    """The credit note of a received return; 404 until it is made (shortly after)."""
    services.shop.visible_return(return_id, actor)
    found = credit_note_pdf(services.pool, return_id)
    not_ready = (
        "credit_note_not_ready",
        "No credit note yet: it is made once the return is received.",
    )
    return pdf_answer(found, f"credit-note-{return_id}.pdf", not_ready)


@router.get("/api/stores/{store_id}/returns", dependencies=[ReturnsRead])
def store_returns(
    store_id: UUID,
    actor: CurrentUser,
    services: ServicesDep,
    paging: Paging,
    status: Annotated[ReturnStatus | None, Query()] = None,
) -> PageOf[ReturnOut]:
    """The store's returns, newest first, of one status if asked: for its owner and admins."""
    managed_store(services, actor, store_id)
    page = returns.store_returns(services.pool, store_id, status, paging)
    return PageOf[ReturnOut](
        count=page.count,
        page=page.page,
        page_size=page.page_size,
        results=[return_out(found) for found in page.results],
    )
