"""An order's PDF invoice, made by the invoice saga once the order is confirmed."""

from __future__ import annotations

from uuid import UUID

from fastapi import APIRouter, Response

from api.dependencies import CurrentUser, ServicesDep
from api.errors import ApiError
from api.openapi import PDF
from api.routing import OneHopRoute
from read_model.sql.invoices import invoice_pdf

router = APIRouter(tags=["orders"], route_class=OneHopRoute)


@router.get(
    "/api/orders/{order_id}/invoice.pdf",
    response_class=Response,
    responses=PDF,
)
def get_invoice(order_id: UUID, actor: CurrentUser, services: ServicesDep) -> Response:
    """For those who may see the order; 404 until the invoice is made (shortly after)."""
    services.shop.visible_order(order_id, actor)
    pdf = invoice_pdf(services.pool, order_id)
    if pdf is None:
        raise ApiError(404, "invoice_not_ready", "The invoice is not made yet; try again shortly.")
    headers = {"Content-Disposition": f'inline; filename="invoice-{order_id}.pdf"'}
    return Response(pdf, media_type="application/pdf", headers=headers)
