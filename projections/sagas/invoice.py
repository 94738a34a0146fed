"""The PDF invoice of a confirmed order, drawn with reportlab and kept in Postgres."""

from __future__ import annotations

import io
from collections.abc import Iterable
from datetime import datetime
from typing import Any
from uuid import UUID
from xml.sax.saxutils import escape

from psycopg_pool import ConnectionPool
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from projections.base import topics_of
from projections.sagas.base import Job
from projections.sagas.ports import Directory, Recipient
from read_model.sql.invoices import store_invoice
from write_model.catalogue import Store
from write_model.orders import Order
from write_model.shop import Shop


class Invoice:
    name = "invoice"
    topics = topics_of(Order.Confirmed)
    max_attempts = 6

    def __init__(self, shop: Shop, directory: Directory, pool: ConnectionPool) -> None:
        self.shop = shop
        self.directory = directory
        self.pool = pool

    def jobs(self, event: Any) -> Iterable[Job]:
        yield Job(
            key=str(event.originator_id),
            payload={"order_id": str(event.originator_id), "at": event.timestamp.isoformat()},
        )

    def perform(self, payload: dict[str, Any]) -> str:
        order = self.shop.get_order(UUID(payload["order_id"]))
        store = self.shop.get_store(order.store_id)
        pdf = invoice_pdf(
            order, store, self.directory(order.user_id), datetime.fromisoformat(payload["at"])
        )
        return "stored" if store_invoice(self.pool, order.id, pdf) else "already stored"

    def give_up(self, payload: dict[str, Any], error: str) -> None:
        """The parked job is the record; retrying it makes the invoice."""


def invoice_pdf(order: Order, store: Store, customer: Recipient, at: datetime) -> bytes:
    """One A4 page: who sold to whom, when, each line and the total."""
    styles = getSampleStyleSheet()
    rows = [["Product", "Quantity", "Unit price", "Line total"]]
    rows += [
        [
            Paragraph(escape(line.title), styles["BodyText"]),
            str(line.quantity),
            str(line.unit_price),
            str(line.line_total),
        ]
        for line in order.lines
    ]
    rows.append(["Total", "", "", str(order.total_price)])
    table = Table(rows, colWidths=[90 * mm, 22 * mm, 28 * mm, 30 * mm])
    table.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, 0), "Helvetica-Bold"),
                ("FONTNAME", (0, -1), (-1, -1), "Helvetica-Bold"),
                ("LINEBELOW", (0, 0), (-1, 0), 0.8, colors.black),
                ("LINEABOVE", (0, -1), (-1, -1), 0.8, colors.black),
                ("ALIGN", (1, 0), (-1, -1), "RIGHT"),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        )
    )
    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer, pagesize=A4, title=f"Invoice {order.id}", author=store.name
    )
    document.build(
        [
            Paragraph(f"Invoice — {escape(store.name)}", styles["Title"]),
            Paragraph(escape(f"{store.name}, {store.city}"), styles["Normal"]),
            Spacer(1, 4 * mm),
            Paragraph(escape(f"Customer: {customer.name} <{customer.email}>"), styles["Normal"]),
            Paragraph(f"Order: {order.id}", styles["Normal"]),
            Paragraph(f"Date: {at:%Y-%m-%d %H:%M} UTC", styles["Normal"]),
            Spacer(1, 8 * mm),
            table,
        ]
    )
    return buffer.getvalue()
