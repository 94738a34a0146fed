"""The layout of PDF invoices and credit notes, drawn with reportlab (loaded only where they
are drawn).

Drawn on a reportlab canvas, line by line: the platypus layout engine (paragraphs, a table
flowing through frames) cost three times as much per document, and invoices were most of
the saga executor's time.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.lib.utils import simpleSplit
from reportlab.pdfgen.canvas import Canvas

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


PAGE_WIDTH, PAGE_HEIGHT = A4
LEFT, TOP, BOTTOM = 20 * mm, PAGE_HEIGHT - 25 * mm, 20 * mm
COLUMN_ENDS = (LEFT + 88 * mm, LEFT + 112 * mm, LEFT + 140 * mm, LEFT + 170 * mm)
"""Where each column ends: the product's text wraps before the first, figures end at theirs."""
SIZE, LEADING = 10, 12
FONT, BOLD = "Helvetica", "Helvetica-Bold"


def _document(
    heading: str,
    store: Store,
    customer: Recipient,
    reference: str,
    at: datetime,
    lines: Sequence[OrderLine],
    total: tuple[str, Document],
) -> bytes:
    total_label, document = total
    currency = document.currency
    buffer = io.BytesIO()
    pdf = Canvas(buffer, pagesize=A4)
    pdf.setTitle(heading)
    pdf.setAuthor(store.name)
    pdf.setFont(BOLD, 18)
    pdf.drawCentredString(PAGE_WIDTH / 2, TOP, f"{heading} — {store.name}")
    pdf.setFont(FONT, SIZE)
    header = [
        f"{store.name}, {store.location.city}",
        "",
        f"Customer: {customer.name} <{customer.email}>",
        reference,
        f"Date: {at:%Y-%m-%d %H:%M} UTC",
    ]
    for n, text in enumerate(header):
        pdf.drawString(LEFT, TOP - 12 * mm - n * 5 * mm, text)
    table = _Table(pdf, TOP - 12 * mm - len(header) * 5 * mm - 8 * mm)
    columns = ["Product", "Quantity", f"Unit price ({currency})", f"Line total ({currency})"]
    table.heading(columns)
    for line in lines:
        table.row([line.title, str(line.quantity), str(line.unit_price), str(line.line_total)])
    amount = sum((line.line_total for line in lines), Decimal("0.00"))
    totals = _totals(total_label, amount, document)
    table.rule()
    for n, (label, value) in enumerate(totals):
        table.row([label, "", "", f"{currency} {value}"], BOLD if n == len(totals) - 1 else FONT)
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()


class _Table:
    """Rows drawn down the page, the product's text wrapped in its column; a row that does
    not fit starts a new page, under the heading again."""

    def __init__(self, pdf: Canvas, top: float) -> None:
        self.pdf, self.y = pdf, top
        self.columns: list[str] = []

    def heading(self, columns: list[str]) -> None:
        self.columns = columns
        self.row(columns, BOLD)
        self.rule()

    def rule(self) -> None:
        self.pdf.line(LEFT, self.y + LEADING - 2, COLUMN_ENDS[-1], self.y + LEADING - 2)

    def row(self, cells: list[str], font: str = FONT) -> None:
        wrapped = simpleSplit(cells[0], font, SIZE, COLUMN_ENDS[0] - LEFT)
        if self.y - LEADING * len(wrapped) < BOTTOM:
            self.pdf.showPage()
            self.y = TOP
            self.heading(self.columns)
        self.pdf.setFont(font, SIZE)
        for n, part in enumerate(wrapped):
            self.pdf.drawString(LEFT, self.y - n * LEADING, part)
        for cell, end in zip(cells[1:], COLUMN_ENDS[1:], strict=True):
            self.pdf.drawRightString(end, self.y, cell)
        self.y -= LEADING * max(1, len(wrapped)) + 4


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
