"""The layout of a PDF invoice, drawn with reportlab (loaded only where invoices are drawn)."""

from __future__ import annotations

import io
from datetime import datetime
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from projections.sagas.ports import Recipient
from write_model.catalogue import Store
from write_model.orders import Order


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
