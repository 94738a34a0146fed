"""Row helpers shared by the SQL read models: columns of a view dataclass, pages."""

from __future__ import annotations

from typing import Any

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
) -> Page[Any]:
    with pool.connection() as conn:
        count = conn.execute(f"SELECT count(*) {from_where}", params).fetchone()
        with conn.cursor(row_factory=class_row(kind)) as cur:
            cur.execute(
                f"SELECT {columns(kind)} {from_where} ORDER BY {order_by}"
                f" LIMIT {page.page_size} OFFSET {page.offset}",
                params,
            )
            results = cur.fetchall()
    return Page(count[0] if count else 0, page.page, page.page_size, results)


def columns(kind: type[Any]) -> str:
    return ", ".join(kind.__dataclass_fields__)


def values(view: Any) -> tuple[Any, ...]:
    return tuple(getattr(view, name) for name in view.__dataclass_fields__)
