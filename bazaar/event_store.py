"""The Postgres event-store recorder: one round trip per save, commit order kept, and one
round trip to bring many aggregates up to date, and the log read as runners read it.

The library's insert function (POSTGRES_ENABLE_DB_FUNCTIONS) saves a round trip but takes
no table lock, so a reader tailing the log could pass an id that commits later. This
recorder's function takes the same EXCLUSIVE lock the pipelined path takes, inside the one
autocommitted statement, so the lock is held only while Postgres works, never while a
client round trip is in flight. Each events table gets its own function (the library
names one per schema, which two applications in one schema would overwrite). The events
go over as four arrays in binary: the library's array of a composite type is dumped as
text, field by field, which cost more than the rest of the save.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from typing import Any
from uuid import UUID

from eventsourcing.persistence import (
    InterfaceError,
    Notification,
    OperationalError,
    StoredEvent,
)
from eventsourcing.postgres import PostgresApplicationRecorder, PostgresDatastore
from eventsourcing.utils import retry
from psycopg.rows import tuple_row
from psycopg.sql import SQL, Composed, Identifier

DROP_COMPOSITE_INSERT_FUNCTION = "DROP FUNCTION IF EXISTS {schema}.{function}({schema}.{event}[])"
"""The function's earlier form, which took the library's composite type."""
INSERT_FUNCTION = (
    "CREATE OR REPLACE FUNCTION {schema}.{function}"
    "(ids {id_type}[], versions bigint[], topics text[], states bytea[]) "
    "RETURNS SETOF bigint LANGUAGE plpgsql AS $BODY$ "
    "BEGIN "
    "SET LOCAL lock_timeout = '{lock_timeout}s'; "
    "LOCK TABLE {schema}.{table} IN EXCLUSIVE MODE; "
    "NOTIFY {channel}; "
    "RETURN QUERY INSERT INTO {schema}.{table} (originator_id, originator_version, topic, state) "
    "SELECT * FROM unnest(ids, versions, topics, states) "
    "RETURNING notification_id; "
    "END; $BODY$"
)
SELECT_EVENTS_AFTER = (
    "SELECT e.originator_id, e.originator_version, e.topic, e.state "
    "FROM unnest(%b::{id_type}[], %b::bigint[]) AS known(id, version) "
    "CROSS JOIN LATERAL (SELECT * FROM {schema}.{table} "
    "WHERE originator_id = known.id AND originator_version > known.version "
    "ORDER BY originator_version) e "
    "ORDER BY e.originator_id, e.originator_version"
)
"""LATERAL keeps the plan an index lookup per aggregate: a prepared statement's generic plan
of a plain join hashes the ids and scans the whole events table."""
SELECT_EXISTING = (
    "SELECT DISTINCT originator_id FROM {schema}.{table} WHERE originator_id = ANY(%s)"
)
SELECT_NOTIFICATIONS = (
    "SELECT notification_id, originator_id, originator_version, topic, state "
    "FROM {schema}.{table} WHERE notification_id BETWEEN %s AND %s{of_topics} "
    "ORDER BY notification_id LIMIT %s"
)
LAST_ID = 2**63 - 1
LOOKUP_CHUNK = 10_000
RETRIED = (InterfaceError, OperationalError)


def rendered(statement: Composed) -> Composed:
    """A composed statement rendered once, as one piece: psycopg renders each part of a
    `Composed` again at every execute (identifiers escaped: about 6 µs against 1.6), and
    these run for every save, load and batch read."""
    return Composed([SQL(statement.as_string())])


class LockingInsertRecorder(PostgresApplicationRecorder):
    """Inserts a save's events with one call to a per-table function that locks the table."""

    def __init__(
        self, datastore: PostgresDatastore, *, events_table_name: str = "stored_events"
    ) -> None:
        super().__init__(datastore, events_table_name=events_table_name)
        names = {
            "schema": Identifier(self.datastore.schema),
            "table": Identifier(self.events_table_name),
            "id_type": SQL(self.datastore.originator_id_type),
        }
        self.pg_function_name_insert_events = f"{self.events_table_name}_insert"
        function = Identifier(self.pg_function_name_insert_events)
        self.sql_invoke_pg_function_insert_events = rendered(
            SQL("SELECT * FROM {schema}.{function}(%b, %b, %b, %b)").format(
                function=function, **names
            )
        )
        self.sql_create_pg_function_insert_events = SQL(INSERT_FUNCTION).format(
            function=function,
            lock_timeout=self.datastore.lock_timeout,
            channel=Identifier(self.channel_name),
            **names,
        )
        drop = SQL(DROP_COMPOSITE_INSERT_FUNCTION).format(
            function=function, event=Identifier(self.stored_event_type_name), **names
        )
        index = self.create_insert_function_statement_index
        self.sql_create_statements[index : index + 1] = [
            drop,
            self.sql_create_pg_function_insert_events,
        ]
        self.sql_select_events_after = rendered(SQL(SELECT_EVENTS_AFTER).format(**names))
        self.sql_select_existing = rendered(SQL(SELECT_EXISTING).format(**names))
        self.sql_select_notifications = {
            of_topics: rendered(
                SQL(SELECT_NOTIFICATIONS).format(
                    of_topics=SQL(" AND topic = ANY(%s)" if of_topics else ""), **names
                )
            )
            for of_topics in (False, True)
        }
        self.max_notification_id_statement = rendered(self.max_notification_id_statement)

    @retry(RETRIED, max_attempts=10, wait=0.2)
    def insert_events(self, stored_events: Sequence[StoredEvent], **kwargs: Any) -> list[int]:
        if not stored_events:
            return []
        columns = (
            [e.originator_id for e in stored_events],
            [e.originator_version for e in stored_events],
            [e.topic for e in stored_events],
            [e.state for e in stored_events],
        )
        with (
            self.datastore.get_connection() as conn,
            conn.cursor(row_factory=tuple_row) as cursor,
        ):
            cursor.execute(self.sql_invoke_pg_function_insert_events, columns, prepare=True)
            return [row[0] for row in cursor.fetchall()]

    @retry(RETRIED, max_attempts=10, wait=0.2)
    def select_notifications(
        self,
        start: int | None,
        limit: int,
        stop: int | None = None,
        topics: Sequence[str] = (),
        *,
        inclusive_of_start: bool = True,
    ) -> Sequence[Notification]:
        """The library's, as two prepared statements read as tuples in binary: runners read
        the log through this for every batch, and the library composes its statement at
        each call and builds a dict per row (a fifth of the time to read a batch)."""
        lowest = 0 if start is None else start if inclusive_of_start else start + 1
        bounds = (lowest, LAST_ID if stop is None else stop)
        params = (*bounds, list(topics), limit) if topics else (*bounds, limit)
        with (
            self.datastore.get_connection() as conn,
            conn.cursor(row_factory=tuple_row, binary=True) as cursor,
        ):
            cursor.execute(self.sql_select_notifications[bool(topics)], params, prepare=True)
            return [
                Notification(id=n, originator_id=i, originator_version=v, topic=t, state=bytes(s))
                for n, i, v, t, s in cursor.fetchall()
            ]

    @retry(RETRIED, max_attempts=10, wait=0.2)
    def select_existing(self, ids: Collection[UUID]) -> set[UUID]:
        """Which of these aggregates have any events, asked LOOKUP_CHUNK at a time."""
        wanted, found = list(ids), set[UUID]()
        with self.datastore.transaction(commit=False) as cursor:
            for start in range(0, len(wanted), LOOKUP_CHUNK):
                cursor.execute(
                    self.sql_select_existing, (wanted[start : start + LOOKUP_CHUNK],), prepare=True
                )
                found.update(row["originator_id"] for row in cursor.fetchall())
        return found

    @retry(RETRIED, max_attempts=10, wait=0.2)
    def select_events_after(self, versions: Mapping[UUID, int]) -> list[StoredEvent]:
        """Every event of these aggregates after the version given for each, by aggregate
        and version: one statement, whatever the number of aggregates."""
        with (
            self.datastore.get_connection() as conn,
            conn.cursor(row_factory=tuple_row, binary=True) as cursor,
        ):
            cursor.execute(
                self.sql_select_events_after,
                (list(versions), list(versions.values())),
                prepare=True,
            )
            return [
                StoredEvent(originator_id=i, originator_version=v, topic=t, state=bytes(s))
                for i, v, t, s in cursor.fetchall()
            ]
