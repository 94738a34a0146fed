"""PDF documents kept as made: an invoice per confirmed order, a credit note per received
return and one per cancelled order.

Each store numbers its invoices 1, 2, 3, … and, apart from them, its credit notes (of both
kinds, in one series).
"""

from __future__ import annotations

from collections.abc import Callable
from uuid import UUID

from psycopg_pool import ConnectionPool


class InvoiceNotMadeError(LookupError):
    """Raised when a document refers to an order's invoice that is not made yet."""


def store_invoice(
    pool: ConnectionPool, order_id: UUID, store_id: UUID, draw: Callable[[int], bytes]
) -> int | None:
    """Number the order's invoice, draw it with that number and keep it (see `_numbered`)."""
    return _numbered(pool, ("invoices", "order_id", order_id), store_id, "invoice_numbers", draw)


def invoice_pdf(pool: ConnectionPool, order_id: UUID) -> bytes | None:
    return _kept(pool, "invoices", "order_id", order_id)


def invoice_number(pool: ConnectionPool, order_id: UUID) -> int | None:
    """The number of the order's invoice (None for one made before invoices were numbered);
    raises InvoiceNotMadeError while the order has none."""
    with pool.connection() as conn:
        row = conn.execute(
            "SELECT number FROM invoices WHERE order_id = %s", (order_id,)
        ).fetchone()
    if row is None:
        raise InvoiceNotMadeError(f"Order {order_id} has no invoice yet.")
    return None if row[0] is None else int(row[0])


def store_credit_note(
    pool: ConnectionPool, return_id: UUID, store_id: UUID, draw: Callable[[int], bytes]
) -> int | None:
    """Number the return's credit note in the store's credit-note series, draw it with that
    number and keep it (see `_numbered`)."""
    of = ("credit_notes", "return_id", return_id)
    return _numbered(pool, of, store_id, "credit_note_numbers", draw)


def credit_note_pdf(pool: ConnectionPool, return_id: UUID) -> bytes | None:
    return _kept(pool, "credit_notes", "return_id", return_id)


def store_cancellation_note(
    pool: ConnectionPool, order_id: UUID, store_id: UUID, draw: Callable[[int], bytes]
) -> int | None:
    """Number the cancelled order's credit note in the store's credit-note series, draw it
    with that number and keep it (see `_numbered`)."""
    of = ("cancellation_credit_notes", "order_id", order_id)
    return _numbered(pool, of, store_id, "credit_note_numbers", draw)


def cancellation_note_pdf(pool: ConnectionPool, order_id: UUID) -> bytes | None:
    return _kept(pool, "cancellation_credit_notes", "order_id", order_id)


def _numbered(
    pool: ConnectionPool,
    document: tuple[str, str, UUID],
    store_id: UUID,
    series: str,
    draw: Callable[[int], bytes],
) -> int | None:
    """Take the store's next number in `series` (from 1), draw the document with it and keep
    it, in one transaction: a number is taken only by a document kept, so the store's numbers
    run on without gaps. A document already made is never replaced (returns None)."""
    table, key, of = document
    with pool.connection() as conn, conn.transaction():
        conn.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", (f"{series}:{store_id}",))
        if conn.execute(f"SELECT 1 FROM {table} WHERE {key} = %s", (of,)).fetchone():
            return None
        row = conn.execute(
            f"INSERT INTO {series} (store_id, last) VALUES (%s, 1) ON CONFLICT (store_id)"
            f" DO UPDATE SET last = {series}.last + 1 RETURNING last",
            (store_id,),
        ).fetchone()
        number = int(row[0]) if row else 1
        conn.execute(
            f"INSERT INTO {table} ({key}, store_id, number, pdf) VALUES (%s, %s, %s, %s)",
            (of, store_id, number, draw(number)),
        )
        return number


def _kept(pool: ConnectionPool, table: str, key: str, of: UUID) -> bytes | None:
    with pool.connection() as conn:
        row = conn.execute(f"SELECT pdf FROM {table} WHERE {key} = %s", (of,)).fetchone()
    return bytes(row[0]) if row else None
