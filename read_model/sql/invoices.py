"""PDF invoices, one per confirmed order, kept as made."""

from __future__ import annotations

from uuid import UUID

from psycopg_pool import ConnectionPool


def store_invoice(pool: ConnectionPool, order_id: UUID, pdf: bytes) -> bool:
    """Keep the order's invoice; an invoice already made is never replaced (returns False)."""
    with pool.connection() as conn:
        cur = conn.execute(
            "INSERT INTO invoices (order_id, pdf) VALUES (%s, %s) ON CONFLICT DO NOTHING",
            (order_id, pdf),
        )
        return bool(cur.rowcount)


def invoice_pdf(pool: ConnectionPool, order_id: UUID) -> bytes | None:
    with pool.connection() as conn:
        row = conn.execute("SELECT pdf FROM invoices WHERE order_id = %s", (order_id,)).fetchone()
    return bytes(row[0]) if row else None
