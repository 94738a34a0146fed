"""Rebuild a SQL projection from the start of the log in scratch space, then swap or compare.

A rebuild replays every event into a scratch schema while the live runner and the API go
on, then takes an exclusive lock on the projection's live tables, catches up the last few
events and swaps the tables in, in one transaction: readers wait a moment and never see a
half-built model. A verification replays the same way and reports each row that differs
from the live tables, holding only a SHARE lock (reads go on, writes wait) to compare.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Any

from eventsourcing.application import Application
from psycopg_pool import ConnectionPool

from projections.base import SqlProjection
from projections.inventory import InventoryCacheProjection
from projections.subscriptions import alone
from read_model import positions
from read_model.redis.inventory import InventoryCache
from read_model.sql.inventory import stocking_stores, store_inventory
from read_model.sql.rebuilds import (
    differences,
    drop_schema,
    fresh_schema,
    locked_live_tables,
    swap_in,
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

    def rebuild(self, kind: type[SqlProjection]) -> Replayed:
        """Replace the live tables of `kind` with ones rebuilt from the whole log."""
        scratch = f"rebuild_{kind.name}"
        fresh_schema(self.live_pool, scratch)
        started = time.perf_counter()
        with self.scratch_pool(scratch) as pool:
            feed = ProjectionFeed(self.app, alone(kind(pool)))
            position = self._replay(feed, 0)
            with locked_live_tables(self.live_pool, kind.tables, "ACCESS EXCLUSIVE") as conn:
                position = self._replay(feed, position)
                swap_in(conn, scratch, kind.tables, kind.name, (self.app.name, position))
        drop_schema(self.live_pool, scratch)
        return Replayed(kind.name, feed.applied, time.perf_counter() - started)

    def verify(self, kind: type[SqlProjection]) -> dict[str, dict[str, list[Any]]]:
        """Rows that differ between the live tables and a rebuild to the same position."""
        scratch = f"verify_{kind.name}"
        fresh_schema(self.live_pool, scratch)
        try:
            with self.scratch_pool(scratch) as pool:
                feed = ProjectionFeed(self.app, alone(kind(pool)))
                position = self._replay(feed, 0)
                positions.wait_for(
                    self.live_pool, [kind.name], self.app.name, position, LIVE_WAIT_SECONDS
                )
                with locked_live_tables(self.live_pool, kind.tables, "SHARE") as conn:
                    live = positions.position_on(conn, kind.name, self.app.name)
                    self._replay(feed, position, head=live)
                    found = {table: differences(conn, scratch, table) for table in kind.tables}
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
            self.live_pool, ["catalogue", "stock"], self.app.name, head, LIVE_WAIT_SECONDS
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
        while position < target:
            position = feed.feed(position, target)
            self.progress(position, target, feed.applied)
        return position
