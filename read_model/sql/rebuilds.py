"""Scratch schemas for rebuilding read models, the atomic swap into `read`, and row diffs."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from psycopg import Connection, sql
from psycopg_pool import ConnectionPool

from read_model.positions import advance
from read_model.sql.schema import LIVE_SCHEMA, migrate


def fresh_schema(pool: ConnectionPool, schema: str) -> None:
    """An empty copy of every read-model table in `schema`, replacing any earlier one."""
    drop_schema(pool, schema)
    migrate(pool, schema)


def drop_schema(pool: ConnectionPool, schema: str) -> None:
    with pool.connection() as conn:
        conn.execute(sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(schema)))


def vacuum_analyze(pool: ConnectionPool, schema: str, tables: Sequence[str]) -> None:
    """Planner statistics, a visibility map and merged GIN pending lists for tables filled
    by a replay: they move with the tables, so the first reads after a swap plan and run
    as later ones, not on a table no ANALYZE has seen yet (autovacuum may be off, or late)."""
    with pool.connection() as conn:
        conn.autocommit = True
        try:
            for table in tables:
                name = sql.Identifier(schema, table)
                conn.execute(sql.SQL("VACUUM (ANALYZE) {}").format(name))
        finally:
            conn.autocommit = False


@contextmanager
def locked_live_tables(
    pool: ConnectionPool, tables: Sequence[str], mode: str
) -> Iterator[Connection[Any]]:
    """A transaction holding `mode` locks on the live tables (writers, and maybe readers, wait)."""
    with pool.connection() as conn, conn.transaction():
        names = sql.SQL(", ").join(_live(table) for table in tables)
        conn.execute(sql.SQL("LOCK TABLE {} IN {} MODE").format(names, sql.SQL(mode)))
        yield conn


def swap_in(
    conn: Connection[Any],
    scratch: str,
    tables: Sequence[str],
    projections: Sequence[str],
    tracking: tuple[str, int],
) -> None:
    """Replace the live tables with the scratch ones, in the caller's locking transaction.

    Readers waiting on the lock then resolve the names again and read the new tables.
    """
    conn.execute(sql.SQL("DROP TABLE {}").format(sql.SQL(", ").join(_live(t) for t in tables)))
    for table in tables:
        conn.execute(
            sql.SQL("ALTER TABLE {}.{} SET SCHEMA {}").format(
                sql.Identifier(scratch), sql.Identifier(table), sql.Identifier(LIVE_SCHEMA)
            )
        )
    with conn.cursor() as cur:
        cur.execute(sql.SQL("SET LOCAL search_path TO {}").format(sql.Identifier(LIVE_SCHEMA)))
        advance(cur, projections, *tracking)


def differences(conn: Connection[Any], scratch: str, table: str) -> dict[str, list[Any]]:
    """Rows only in the live table (`extra`) and rows only in the rebuilt one (`missing`)."""
    live, rebuilt = (
        _live(table),
        sql.SQL("{}.{}").format(sql.Identifier(scratch), sql.Identifier(table)),
    )
    query = sql.SQL("SELECT * FROM {} EXCEPT ALL SELECT * FROM {}")
    extra = conn.execute(query.format(live, rebuilt)).fetchall()
    missing = conn.execute(query.format(rebuilt, live)).fetchall()
    return {"extra": extra, "missing": missing}


def _live(table: str) -> sql.Composed:
    return sql.SQL("{}.{}").format(sql.Identifier(LIVE_SCHEMA), sql.Identifier(table))
