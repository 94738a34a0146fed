"""The layout of PDF invoices and credit notes, drawn with reportlab (loaded only where they
are drawn)."""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from write_model.catalogue import Store
from write_model.orders import Order, OrderLine
from write_model.ports import Recipient
from write_model.tax import TaxSplit


@dataclass(frozen=True, slots=True)
class Document:
    """A document's number in its store's series, the currency of its amounts and the tax
    rate (percent) they include: with one, the total is split into net and tax."""

    number: int
    currency: str
    tax_rate: Decimal | None


def invoice_pdf(
    order: Order, store: Store, customer: Recipient, at: datetime, document: Document
) -> bytes:
    """One A4 page: its number, who sold to whom, when, each line and the total (gross, after
    the net and the tax it includes if the order was taxed)."""
    return _document(
        f"Invoice no. {document.number}",
        store,
        customer,
        f"Order: {order.id}",
        at,
        order.lines,
        ("Total", document),
    )


def credit_note_pdf(
    credited: tuple[str, Sequence[OrderLine]],
    store: Store,
    customer: Recipient,
    at: datetime,
    document: Document,
    invoice: int | None,
) -> bytes:
    """The invoice's counterpart: what is credited (its description and lines: a received
    return's units, a cancelled order's every line) and the refund, against the order's
    invoice (`invoice`: its number, None if it has none)."""
    what, lines = credited
    return _document(
        f"Credit note no. {document.number}",
        store,
        customer,
        f"{what}, {_invoice(invoice)}",
        at,
        lines,
        ("Refund", document),
    )


def _invoice(number: int | None) -> str:
    return f"invoice no. {number}" if number is not None else "its invoice"


def _document(
    heading: str,
    store: Store,
    customer: Recipient,
    reference: str,
    at: datetime,
    lines: Sequence[OrderLine],
    total: tuple[str, Document],
) -> bytes:
    styles = getSampleStyleSheet()
    total_label, document = total
    currency = document.currency
    rows: list[list[str | Paragraph]] = [
        ["Product", "Quantity", f"Unit price ({currency})", f"Line total ({currency})"]
    ]
    rows += [
        [
            Paragraph(escape(line.title), styles["BodyText"]),
            str(line.quantity),
            str(line.unit_price),
            str(line.line_total),
        ]
        for line in lines
    ]
    amount = sum((line.line_total for line in lines), Decimal("0.00"))
    totals = _totals(total_label, amount, document)
    rows += [[label, "", "", f"{currency} {value}"] for label, value in totals]
    table = Table(rows, colWidths=[90 * mm, 22 * mm, 28 * mm, 30 * mm])
    table.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, 0), "Helvetica-Bold"),
                ("FONTNAME", (0, -1), (-1, -1), "Helvetica-Bold"),
                ("LINEBELOW", (0, 0), (-1, 0), 0.8, colors.black),
                ("LINEABOVE", (0, -len(totals)), (-1, -len(totals)), 0.8, colors.black),
                ("ALIGN", (1, 0), (-1, -1), "RIGHT"),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        )
    )
    buffer = io.BytesIO()
    template = SimpleDocTemplate(buffer, pagesize=A4, title=heading, author=store.name)
    template.build(
        [
            Paragraph(f"{escape(heading)} — {escape(store.name)}", styles["Title"]),
            Paragraph(escape(f"{store.name}, {store.location.city}"), styles["Normal"]),
            Spacer(1, 4 * mm),
            Paragraph(escape(f"Customer: {customer.name} <{customer.email}>"), styles["Normal"]),
            Paragraph(escape(reference), styles["Normal"]),
            Paragraph(f"Date: {at:%Y-%m-%d %H:%M} UTC", styles["Normal"]),
            Spacer(1, 8 * mm),
            table,
        ]
    )
    return buffer.getvalue()


def _totals(label: str, gross: Decimal, document: Document) -> list[tuple[str, Decimal]]:
    """The total; with a tax rate, first the net and the tax it includes."""
    if document.tax_rate is None:
        return [(label, gross)]
    split = TaxSplit.of(gross, document.tax_rate)
    return [
        ("Net", split.net),
        (f"Tax {document.tax_rate.normalize():f}%", split.tax),
        (label, gross),
    ]
