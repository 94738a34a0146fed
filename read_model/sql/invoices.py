"""PDF documents kept as made: an invoice per confirmed order, a credit note per received return."""

from __future__ import annotations

from uuid import UUID

from psycopg_pool import ConnectionPool


def store_invoice(pool: ConnectionPool, order_id: UUID, pdf: bytes) -> bool:
    """Keep the order's invoice; an invoice already made is never replaced (returns False)."""
    return _keep(pool, "invoices", "order_id", order_id, pdf)


def invoice_pdf(pool: ConnectionPool, order_id: UUID) -> bytes | None:
    return _kept(pool, "invoices", "order_id", order_id)


def store_credit_note(pool: ConnectionPool, return_id: UUID, pdf: bytes) -> bool:
    """Keep the return's credit note; one already made is never replaced (returns False)."""
    return _keep(pool, "credit_notes", "return_id", return_id, pdf)


def credit_note_pdf(pool: ConnectionPool, return_id: UUID) -> bytes | None:
    return _kept(pool, "credit_notes", "return_id", return_id)


def _keep(pool: ConnectionPool, table: str, key: str, of: UUID, pdf: bytes) -> bool:
    with pool.connection() as conn:
        cur = conn.execute(
            f"INSERT INTO {table} ({key}, pdf) VALUES (%s, %s) ON CONFLICT DO NOTHING", (of, pdf)
        )
        return bool(cur.rowcount)


def _kept(pool: ConnectionPool, table: str, key: str, of: UUID) -> bytes | None:
    with pool.connection() as conn:
        row = conn.execute(f"SELECT pdf FROM {table} WHERE {key} = %s", (of,)).fetchone()
    return bytes(row[0]) if row else None
