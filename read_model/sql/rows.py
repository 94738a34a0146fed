"""Row helpers shared by the SQL read models: columns of a view dataclass, pages."""

from __future__ import annotations

from typing import Any

from psycopg import Connection
from psycopg.rows import class_row
from psycopg_pool import ConnectionPool

from read_model.paging import Page, PageRequest


def fetch_page(
    pool: ConnectionPool,
    kind: type[Any],
    from_where: str,
    order_by: str,
    params: dict[str, Any],
    page: PageRequest,
    *,
    ranked: bool = False,
) -> Page[Any]:
    """One page of `kind` rows and the count of all of them.

    `ranked`: the order (a rank, or one no index gives) must see every row anyway, so the
    count comes with the rows in one statement and the rows are found once, not twice;
    only a page past the last one asks for the count alone. Otherwise the count is its own
    statement, and the page may stop at its last row (an index in the order's order)."""
    with pool.connection() as conn:
        if ranked:
            return _ranked_page(conn, kind, from_where, order_by, params, page)
        count = _count(conn, from_where, params)
        with conn.cursor(row_factory=class_row(kind)) as cur:
            cur.execute(
                f"SELECT {columns(kind)} {from_where} ORDER BY {order_by}"
                f" LIMIT {page.page_size} OFFSET {page.offset}",
                params,
            )
            results = cur.fetchall()
    return Page(count, page.page, page.page_size, results)


def _count(conn: Connection[Any], from_where: str, params: dict[str, Any]) -> int:
    row = conn.execute(f"SELECT count(*) {from_where}", params).fetchone()
    return int(row[0]) if row else 0


def _ranked_page(
    conn: Connection[Any],
    kind: type[Any],
    from_where: str,
    order_by: str,
    params: dict[str, Any],
    page: PageRequest,
) -> Page[Any]:
    rows = conn.execute(
        f"SELECT {columns(kind)}, count(*) OVER () {from_where} ORDER BY {order_by}"
        f" LIMIT {page.page_size} OFFSET {page.offset}",
        params,
    ).fetchall()
    return counted_page(conn, kind, rows, from_where, params, page)


def counted_page(
    conn: Connection[Any],
    kind: type[Any],
    rows: list[tuple[Any, ...]],
    from_where: str,
    params: dict[str, Any],
    page: PageRequest,
) -> Page[Any]:
    """The page of `rows`, each `kind`'s fields then the count of all rows `from_where`
    finds; that count is asked alone only for a page past the last."""
    if rows:
        count = rows[0][-1]
    elif page.offset:
        count = _count(conn, from_where, params)
    else:
        count = 0
    return Page(count, page.page, page.page_size, [kind(*row[:-1]) for row in rows])


def columns(kind: type[Any]) -> str:
    return ", ".join(kind.__dataclass_fields__)


def values(view: Any) -> tuple[Any, ...]:
    return tuple(getattr(view, name) for name in view.__dataclass_fields__)
