"""Rebuild SQL views from the start of the log in scratch space, then swap or compare.

A rebuild replays every event into a scratch schema while the live runner and the API go
on (several views in one pass, reading the log once, as their subscription does), then
takes an exclusive lock on the views' live tables, catches up the last few
events and swaps the tables in, in one transaction: readers wait a moment and never see a
half-built model. A verification replays the same way and reports each row that differs
from the live tables, holding only a SHARE lock (reads go on, writes wait) to compare.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Any

from eventsourcing.application import Application
from psycopg_pool import ConnectionPool

from projections.base import SqlProjection
from projections.inventory import InventoryCacheProjection
from projections.subscriptions import SqlSubscription
from read_model import positions
from read_model.redis.inventory import InventoryCache
from read_model.sql import catalogue, inventory
from read_model.sql.inventory import stocking_stores, store_inventory
from read_model.sql.rebuilds import (
    differences,
    drop_schema,
    fresh_schema,
    locked_live_tables,
    swap_in,
    vacuum_analyze,
)
from streams.runner import ProjectionFeed

ScratchPool = Callable[[str], AbstractContextManager[ConnectionPool]]
Progress = Callable[[int, int, int], None]
"""Told (position, head, events applied) after every batch."""
LIVE_WAIT_SECONDS = 30.0


@dataclass(frozen=True, slots=True)
class Replayed:
    projection: str
    events: int
    seconds: float

    @property
    def events_per_second(self) -> float:
        return self.events / self.seconds if self.seconds else 0.0


class Rebuilder:
    """Replays one application's log into scratch copies of SQL projections."""

    def __init__(
        self,
        app: Application[Any],
        live_pool: ConnectionPool,
        scratch_pool: ScratchPool,
        progress: Progress = lambda *_: None,
    ) -> None:
        self.app = app
        self.live_pool = live_pool
        self.scratch_pool = scratch_pool
        self.progress = progress

    def rebuild(self, kinds: Sequence[type[SqlProjection]]) -> Replayed:
        """Replace the live tables of `kinds` with ones rebuilt from the whole log, in one
        pass: the log is read once, and the views are fed as their subscription feeds them."""
        scratch = scratch_schema("rebuild", kinds)
        fresh_schema(self.live_pool, scratch)
        tables = [table for kind in kinds for table in kind.tables]
        names = [kind.name for kind in kinds]
        started = time.perf_counter()
        with self.scratch_pool(scratch) as pool:
            feed = ProjectionFeed(
                self.app, SqlSubscription(scratch, pool, [k(pool) for k in kinds])
            )
            position = self._replay(feed, 0)
            vacuum_analyze(self.live_pool, scratch, tables)
            with locked_live_tables(self.live_pool, tables, "ACCESS EXCLUSIVE") as conn:
                position = self._replay(feed, position)
                swap_in(conn, scratch, tables, names, (self.app.name, position))
        drop_schema(self.live_pool, scratch)
        return Replayed(", ".join(names), feed.applied, time.perf_counter() - started)

    def verify(self, kinds: Sequence[type[SqlProjection]]) -> dict[str, dict[str, list[Any]]]:
        """Rows that differ between the live tables and a rebuild to the same position, by
        table; one pass over the log for all `kinds`."""
        scratch = scratch_schema("verify", kinds)
        fresh_schema(self.live_pool, scratch)
        tables = [table for kind in kinds for table in kind.tables]
        found: dict[str, dict[str, list[Any]]] = {}
        try:
            with self.scratch_pool(scratch) as pool:
                views = [kind(pool) for kind in kinds]
                feed = ProjectionFeed(self.app, SqlSubscription(scratch, pool, views))
                position = self._replay(feed, 0)
                names = [kind.name for kind in kinds]
                positions.wait_for(
                    self.live_pool, names, self.app.name, position, LIVE_WAIT_SECONDS
                )
                with locked_live_tables(self.live_pool, tables, "SHARE") as conn:
                    # Views live at different positions (one just rebuilt) are each
                    # compared once the rebuild reaches theirs.
                    live = {k: positions.position_on(conn, k.name, self.app.name) for k in kinds}
                    for kind in sorted(kinds, key=live.__getitem__):
                        position = self._replay(feed, position, head=live[kind])
                        found |= {t: differences(conn, scratch, t) for t in kind.tables}
        finally:
            drop_schema(self.live_pool, scratch)
        return {table: diff for table, diff in found.items() if diff["extra"] or diff["missing"]}

    def rebuild_cache(self, live: InventoryCache, scratch: InventoryCache) -> Replayed:
        """Rebuild the Redis inventory under another prefix, then take its keys over at once."""
        started = time.perf_counter()
        scratch.clear()
        feed = ProjectionFeed(self.app, InventoryCacheProjection(scratch))
        position = self._replay(feed, 0)
        while not live.take_over(scratch, self.app.name, position):
            position = self._replay(feed, position)
        return Replayed(InventoryCacheProjection.name, feed.applied, time.perf_counter() - started)

    def verify_cache(self, live: InventoryCache) -> dict[str, Any]:
        """Stores whose Redis listing differs from the SQL one, once both reached the head."""
        head = self.app.recorder.max_notification_id() or 0
        deadline = time.monotonic() + LIVE_WAIT_SECONDS
        while (live.position(self.app.name) or 0) < head and time.monotonic() < deadline:
            time.sleep(positions.POLL_SECONDS)
        positions.wait_for(
            self.live_pool, [catalogue.VIEW, inventory.VIEW], self.app.name, head, LIVE_WAIT_SECONDS
        )
        found = {}
        for store_id in stocking_stores(self.live_pool):
            in_sql = store_inventory(self.live_pool, store_id)
            cached = live.store_inventory(store_id)
            if cached != in_sql:
                found[str(store_id)] = {"sql": in_sql, "cache": cached}
        return found

    def _replay(self, feed: ProjectionFeed, position: int, head: int | None = None) -> int:
        target = head if head is not None else feed.recorder.max_notification_id() or 0
        reached = position
        for reached in feed.replay(position, target):
            self.progress(reached, target, feed.applied)
        return reached


def scratch_schema(purpose: str, kinds: Sequence[type[SqlProjection]]) -> str:
    """The scratch schema of a rebuild or verification: one view's own, or all views'."""
    return f"{purpose}_{kinds[0].name}" if len(kinds) == 1 else f"{purpose}_all"
