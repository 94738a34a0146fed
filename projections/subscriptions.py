"""Subscriptions: the views of one event log that write to one store, fed as one.

A runner (in process or a Faust agent) reads a batch of the log once, decodes each event
once and hands it to a subscription, which passes it to each of its views whose handlers
take that event. The SQL subscription applies the whole batch, and every view's new
position, in one Postgres transaction; the Redis one writes them, positions included,
in one MULTI/EXEC. Views stay small classes, each with its own position, so each can be rebuilt
and verified alone; a view ahead of the others (just rebuilt) sees a few events again,
which its version or event-id guards ignore.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager, ExitStack, contextmanager
from dataclasses import dataclass
from typing import Any, Generic, Protocol, TypeVar

import redis
from eventsourcing.persistence import Tracking
from eventsourcing.utils import get_topic
from psycopg import Cursor
from psycopg_pool import ConnectionPool

from projections.base import Projection, SqlProjection, StoreProjection
from read_model import positions
from read_model.positions import Partitioned

ViewT = TypeVar("ViewT", bound=Projection)


class ViewFailedError(Exception):
    """Raised when one view of a subscription cannot apply its events: names the view, so a
    failure record (readiness, metrics, status) says which read model is stuck."""


@contextmanager
def naming(view: Projection) -> Iterator[None]:
    try:
        yield
    except Exception as error:
        raise ViewFailedError(f"{view.name}: {type(error).__name__}: {error}") from error


class Routes:
    """Which views take an event, by its class (each class's topic is resolved once)."""

    def __init__(self, views: Sequence[Projection]) -> None:
        self.views = views
        self.topics = tuple(dict.fromkeys(topic for view in views for topic in view.topics))
        self._by_class: dict[type, list[int]] = {}

    def __call__(self, event: Any) -> list[int]:
        """The indexes of the views that take this event."""
        cls = type(event)
        found = self._by_class.get(cls)
        if found is None:
            topic = get_topic(cls)
            found = [n for n, view in enumerate(self.views) if topic in view.topics]
            self._by_class[cls] = found
        return found


class Views(Generic[ViewT]):
    """A subscription's name and views, and which of them each event goes to."""

    def __init__(self, name: str, views: Sequence[ViewT]) -> None:
        self.name = name
        self.views = views
        self.routes = Routes(views)
        self.topics = self.routes.topics


@dataclass
class SqlBatch:
    """A batch in the making: each view's events, written set-based when the batch ends."""

    cur: Cursor[Any]
    events: list[list[Any]]


class SqlSubscription(Views[SqlProjection]):
    """Every SQL view (saga jobs included) of one log: one transaction and position per batch.

    Each view gets its events of the batch at once (`SqlProjection.apply_batch`), so it can
    fold them in memory and write each table with one set-based statement.
    """

    def __init__(self, name: str, pool: ConnectionPool, views: Sequence[SqlProjection]) -> None:
        super().__init__(name, views)
        self.pool = pool

    @contextmanager
    def session(
        self, *trackings: Tracking, settle: Partitioned | None = None
    ) -> Iterator[SqlBatch]:
        """One transaction (`positions.tracked`): the views' writes, then every view's new
        position in each log."""
        names = [view.name for view in self.views]
        with positions.tracked(self.pool, names, trackings, settle) as cur:
            batch = SqlBatch(cur, [[] for _ in self.views])
            yield batch
            for view, events in zip(self.views, batch.events, strict=True):
                if events:
                    with naming(view):
                        view.apply_batch(events, cur)

    def apply(self, event: Any, batch: SqlBatch) -> None:
        for index in self.routes(event):
            batch.events[index].append(event)

    def position(self, application: str) -> int:
        """What every view has reached: where the subscription resumes."""
        return positions.slowest(self.pool, [view.name for view in self.views], application)

    def positions(self, logs: Sequence[str]) -> dict[str, int]:
        """The same in each of `logs`, read at once."""
        return positions.slowest_in(self.pool, [view.name for view in self.views], logs)


class RedisSubscription(Views[StoreProjection[Any]]):
    """Every Redis view of one log: each batch, and every view's position, in one MULTI/EXEC.

    Redis down stalls this subscription alone: the SQL views go on.
    """

    def __init__(
        self, name: str, client: redis.Redis, views: Sequence[StoreProjection[Any]]
    ) -> None:
        super().__init__(name, views)
        self.client = client

    @contextmanager
    def session(
        self, *trackings: Tracking, settle: Partitioned | None = None
    ) -> Iterator[list[Any]]:
        with self.client.pipeline(transaction=True) as pipe:
            with ExitStack() as stack:
                yield [stack.enter_context(view.writes(pipe, trackings)) for view in self.views]
            if settle is not None:
                for view in self.views:
                    view.store.settle(pipe, settle.application, settle.logs)
            pipe.execute()

    def apply(self, event: Any, sessions: list[Any]) -> None:
        for index in self.routes(event):
            with naming(self.views[index]):
                self.views[index].apply(event, sessions[index])

    def position(self, application: str) -> int:
        return min(view.position(application) for view in self.views)

    def positions(self, logs: Sequence[str]) -> dict[str, int]:
        """The slowest view's position in each of `logs`, read with one MGET."""
        keys = [(log, view.store.position_key(log)) for view in self.views for log in logs]
        values = self.client.mget([key for _, key in keys])
        reached: dict[str, list[int]] = {log: [] for log in logs}
        for (log, _), value in zip(keys, values, strict=True):
            reached[log].append(int(value) if value is not None else 0)
        return {log: min(found) for log, found in reached.items()}


class Subscription(Protocol):
    """What a runner feeds: a batch's events in one session, which commits their positions."""

    name: str
    topics: tuple[str, ...]

    @property
    def views(self) -> Sequence[Projection]: ...

    def session(
        self, *trackings: Tracking, settle: Partitioned | None = None
    ) -> AbstractContextManager[Any]: ...

    def apply(self, event: Any, session: Any) -> None: ...

    def position(self, application: str) -> int: ...

    def positions(self, logs: Sequence[str]) -> dict[str, int]: ...


def subscriptions(
    pool: ConnectionPool, client: redis.Redis, views: Sequence[Projection]
) -> list[Subscription]:
    """One log's views as its subscriptions: the SQL ones together, the Redis ones together."""
    sql = [view for view in views if isinstance(view, SqlProjection)]
    stored = [view for view in views if isinstance(view, StoreProjection)]
    return [
        *([SqlSubscription("sql", pool, sql)] if sql else []),
        *([RedisSubscription("redis", client, stored)] if stored else []),
    ]
