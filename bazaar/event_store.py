"""The Postgres event-store recorder: one round trip per save, commit order kept.

The library's insert function (POSTGRES_ENABLE_DB_FUNCTIONS) saves a round trip but takes
no table lock, so a reader tailing the log could pass an id that commits later. This
recorder's function takes the same EXCLUSIVE lock the pipelined path takes, inside the one
autocommitted statement, so the lock is held only while Postgres works, never while a
client round trip is in flight. Each events table gets its own function (the library
names one per schema, which two applications in one schema would overwrite).
"""

from __future__ import annotations

from eventsourcing.postgres import PostgresApplicationRecorder, PostgresDatastore
from psycopg.sql import SQL, Identifier

INSERT_FUNCTION = (
    "CREATE OR REPLACE FUNCTION {schema}.{function}(events {schema}.{event}[]) "
    "RETURNS SETOF bigint LANGUAGE plpgsql AS $BODY$ "
    "BEGIN "
    "SET LOCAL lock_timeout = '{lock_timeout}s'; "
    "LOCK TABLE {schema}.{table} IN EXCLUSIVE MODE; "
    "NOTIFY {channel}; "
    "RETURN QUERY INSERT INTO {schema}.{table} (originator_id, originator_version, topic, state) "
    "SELECT originator_id, originator_version, topic, state FROM unnest(events) "
    "RETURNING notification_id; "
    "END; $BODY$"
)


class LockingInsertRecorder(PostgresApplicationRecorder):
    """Inserts a save's events with one call to a per-table function that locks the table."""

    def __init__(
        self, datastore: PostgresDatastore, *, events_table_name: str = "stored_events"
    ) -> None:
        super().__init__(datastore, events_table_name=events_table_name)
        schema = Identifier(self.datastore.schema)
        self.pg_function_name_insert_events = f"{self.events_table_name}_insert"
        function = Identifier(self.pg_function_name_insert_events)
        self.sql_invoke_pg_function_insert_events = SQL("SELECT * FROM {0}.{1}((%s))").format(
            schema, function
        )
        self.sql_create_pg_function_insert_events = SQL(INSERT_FUNCTION).format(
            schema=schema,
            function=function,
            event=Identifier(self.stored_event_type_name),
            lock_timeout=self.datastore.lock_timeout,
            table=Identifier(self.events_table_name),
            channel=Identifier(self.channel_name),
        )
        index = self.create_insert_function_statement_index
        self.sql_create_statements[index] = self.sql_create_pg_function_insert_events
