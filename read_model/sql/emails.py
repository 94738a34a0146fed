"""Every e-mail the service sent (or, without SMTP, only recorded): what went to whom."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from psycopg.rows import class_row
from psycopg_pool import ConnectionPool


@dataclass(frozen=True, slots=True)
class SentEmail:
    message_id: str
    recipient: str
    subject: str
    body: str
    transport: str
    sent_at: datetime


def was_sent(pool: ConnectionPool, message_id: str) -> bool:
    with pool.connection() as conn:
        found = conn.execute("SELECT 1 FROM sent_emails WHERE message_id = %s", (message_id,))
        return found.fetchone() is not None


def record_email(pool: ConnectionPool, email: SentEmail) -> None:
    with pool.connection() as conn:
        conn.execute(
            "INSERT INTO sent_emails (message_id, recipient, subject, body, transport, sent_at)"
            " VALUES (%s, %s, %s, %s, %s, %s) ON CONFLICT (message_id) DO NOTHING",
            (
                email.message_id,
                email.recipient,
                email.subject,
                email.body,
                email.transport,
                email.sent_at,
            ),
        )


def emails_to(pool: ConnectionPool, recipient: str) -> list[SentEmail]:
    with pool.connection() as conn, conn.cursor(row_factory=class_row(SentEmail)) as cur:
        cur.execute("SELECT * FROM sent_emails WHERE recipient = %s ORDER BY sent_at", (recipient,))
        return cur.fetchall()
