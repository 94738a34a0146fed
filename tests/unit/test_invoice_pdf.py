"""What an invoice shows, read back from the PDF as its reader would: every line, on as many
pages as it takes, each product's text as it was written."""

from __future__ import annotations

import io
from datetime import UTC, datetime
from uuid import uuid4

import pytest
from pypdf import PdfReader

from projections.sagas.invoice_pdf import Document, invoice_pdf
from tests.builders import a_product_in, a_shop, a_store_in, an_artisan, an_order_for, stock_of
from write_model.ports import Recipient

pytestmark = pytest.mark.unit
CUSTOMER = Recipient(name="Ada", email="ada@example.com")
LONG = "Glazed stoneware mug <blue> & saucer, hand-thrown in Lyon and fired twice in a wood kiln"


def pages_of_an_invoice(titles: list[str]) -> list[str]:
    """The text of each page of the invoice of an order of one unit of each title."""
    shop, owner = a_shop(), an_artisan()
    store_id = a_store_in(shop, owner, name="Clay & Kiln")
    products = [a_product_in(shop, store_id, owner, "2.50", title) for title in titles]
    for product in products:
        stock_of(shop, store_id, product, owner, 1)
    order = an_order_for(shop, store_id, uuid4(), dict.fromkeys(products, 1))
    pdf = invoice_pdf(
        order, shop.get_store(store_id), CUSTOMER, datetime.now(UTC), Document(1, "EUR", None)
    )
    return [page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages]


def test_an_order_of_a_hundred_lines_lists_each_under_the_heading_of_every_page() -> None:
    titles = [f"Mug n°{n}" for n in range(100)]

    pages = pages_of_an_invoice(titles)

    assert len(pages) > 1
    assert all("Product\nQuantity\nUnit price (EUR)\nLine total (EUR)" in page for page in pages)
    listed = [line for page in pages for line in page.splitlines() if line.startswith("Mug n°")]
    assert listed == titles
    assert "Total\nEUR 250.00" in pages[-1]


def test_a_long_title_wraps_in_its_column_with_its_characters_as_written() -> None:
    [page] = pages_of_an_invoice([LONG])

    lines = page.splitlines()
    start = lines.index(next(line for line in lines if line.startswith("Glazed")))
    wrapped = lines[start : start + 2]
    assert " ".join(wrapped) == LONG
    assert "Invoice no. 1 — Clay & Kiln" in page
