"""PDF documents kept as made: an invoice per confirmed order, a credit note per received return."""

from __future__ import annotations

from collections.abc import Callable
from uuid import UUID

from psycopg_pool import ConnectionPool


def store_invoice(
    pool: ConnectionPool, order_id: UUID, store_id: UUID, draw: Callable[[int], bytes]
) -> int | None:
    """Number the order's invoice (the store's next, from 1), draw it with that number and
    keep it, in one transaction: a number is taken only by an invoice kept, so the store's
    numbers run on without gaps. An invoice already made is never replaced (returns None)."""
    with pool.connection() as conn, conn.transaction():
        conn.execute("SELECT pg_advisory_xact_lock(hashtext(%s::text))", (store_id,))
        if conn.execute("SELECT 1 FROM invoices WHERE order_id = %s", (order_id,)).fetchone():
            return None
        row = conn.execute(
            "INSERT INTO invoice_numbers (store_id, last) VALUES (%s, 1) ON CONFLICT (store_id)"
            " DO UPDATE SET last = invoice_numbers.last + 1 RETURNING last",
            (store_id,),
        ).fetchone()
        number = int(row[0]) if row else 1
        conn.execute(
            "INSERT INTO invoices (order_id, store_id, number, pdf) VALUES (%s, %s, %s, %s)",
            (order_id, store_id, number, draw(number)),
        )
        return number


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
