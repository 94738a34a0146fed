"""An order's PDF documents: its invoice once it is confirmed, a credit note once cancelled."""

from __future__ import annotations

from uuid import UUID

from fastapi import Response

from api.answers import pdf_answer
from api.dependencies import CurrentUser, ServicesDep
from api.openapi import PDF
from api.routing import routes
from read_model.sql.invoices import cancellation_note_pdf, invoice_pdf

router = routes("orders")


@router.get("/api/orders/{order_id}/invoice.pdf", response_class=Response, responses=PDF)
def get_invoice(order_id: UUID, actor: CurrentUser, services: ServicesDep) -> Response:
    """For those who may see the order; 404 until the invoice is made (shortly after). A
    cancelled order keeps its invoice, as issued: its credit note takes the amount back."""
    services.shop.visible_order(order_id, actor)
    found = invoice_pdf(services.pool, order_id)
    not_ready = ("invoice_not_ready", "The invoice is not made yet; try again shortly.")
    return pdf_answer(found, f"invoice-{order_id}.pdf", not_ready)


@router.get("/api/orders/{order_id}/credit-note.pdf", response_class=Response, responses=PDF)
def get_cancellation_credit_note(
    order_id: UUID, actor: CurrentUser, services: ServicesDep
) -> Response:
    """The credit note of a cancelled order, against its invoice, for its full amount; 404
    until it is made (shortly after the cancellation)."""
    services.shop.visible_order(order_id, actor)
    found = cancellation_note_pdf(services.pool, order_id)
    not_ready = ("credit_note_not_ready", "No credit note: it is made once the order is cancelled.")
    return pdf_answer(found, f"credit-note-{order_id}.pdf", not_ready)
