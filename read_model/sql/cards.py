"""Cards: version-guarded writes and the card queries; refused requests are kept but not shown."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from uuid import UUID

from psycopg import Cursor
from psycopg.rows import class_row
from psycopg_pool import ConnectionPool

from read_model.paging import Page, PageRequest
from read_model.sql.rows import columns, fetch_page, values

VIEW = "cards"
"""The name the view is tracked under: runners, rebuilds and read-your-writes waits use it."""

SHOWN = "status <> 'refused'"
"""A request the provider refused was answered 400: to its owner it is no card."""


@dataclass(frozen=True, slots=True)
class CardView:
    id: UUID
    user_id: UUID
    color: str
    status: str
    """pending, ordered, failed (we gave up) or refused (the provider said no)."""
    provider_card_id: str | None
    last4: str | None
    expiration_date: date | None
    failure_reason: str | None
    created_at: datetime
    updated_at: datetime
    version: int


def add_card(cur: Cursor[Any], card: CardView) -> None:
    """Insert a requested card; a redelivery changes nothing."""
    cur.execute(
        f"INSERT INTO cards ({columns(CardView)}) VALUES ({', '.join(['%s'] * 11)})"
        " ON CONFLICT (id) DO NOTHING",
        values(card),
    )


def issue(
    cur: Cursor[Any],
    card_id: UUID,
    version: int,
    provider_card_id: str,
    last4: str,
    expiration_date: str,
    at: datetime,
) -> None:
    cur.execute(
        "UPDATE cards SET status = 'ordered', provider_card_id = %s, last4 = %s,"
        " expiration_date = %s, failure_reason = NULL, updated_at = %s, version = %s"
        " WHERE id = %s AND version < %s",
        (provider_card_id, last4, expiration_date, at, version, card_id, version),
    )


def fail(
    cur: Cursor[Any], card_id: UUID, version: int, status: str, reason: str, at: datetime
) -> None:
    cur.execute(
        "UPDATE cards SET status = %s, failure_reason = %s, updated_at = %s, version = %s"
        " WHERE id = %s AND version < %s",
        (status, reason, at, version, card_id, version),
    )


def list_cards(pool: ConnectionPool, user_id: UUID, page: PageRequest) -> Page[CardView]:
    """One user's cards, newest first."""
    where = f"FROM cards WHERE user_id = %(user_id)s AND {SHOWN}"
    return fetch_page(pool, CardView, where, "created_at DESC, id", {"user_id": user_id}, page)


def get_card(pool: ConnectionPool, card_id: UUID) -> CardView | None:
    with pool.connection() as conn, conn.cursor(row_factory=class_row(CardView)) as cur:
        cur.execute(f"SELECT {columns(CardView)} FROM cards WHERE id = %s AND {SHOWN}", (card_id,))
        return cur.fetchone()
