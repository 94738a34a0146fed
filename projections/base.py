"""What every projection offers a runner: a name, the topics it reads, sessions, a position."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from functools import singledispatch
from typing import Any, Generic, Protocol, TypeVar

from eventsourcing.persistence import Tracking
from eventsourcing.utils import get_topic
from psycopg import Cursor
from psycopg_pool import ConnectionPool
from redis.client import Pipeline

from read_model import positions

T = TypeVar("T")


class Projection(Protocol):
    """Applies events inside a session that commits their effects with the new position."""

    name: str
    topics: tuple[str, ...]

    def session(self, tracking: Tracking) -> AbstractContextManager[Any]: ...

    def apply(self, event: Any, session: Any) -> None: ...

    def position(self, application: str) -> int: ...


def topics_of(*event_classes: type) -> tuple[str, ...]:
    return tuple(get_topic(cls) for cls in event_classes)


class event_handler(Generic[T]):
    """A method dispatching on its event's class, as `functools.singledispatchmethod` does
    (`register`, `dispatcher`), but bound cheaply: Python 3.11's builds a wrapper with
    `update_wrapper` at every call, a tenth of a rebuild's time. Each class's handler is
    remembered in a plain dict: `singledispatch` looks it up in a `WeakKeyDictionary`,
    in Python, at every event."""

    def __init__(self, func: Callable[..., T]) -> None:
        self.dispatcher = singledispatch(func)
        self.found: dict[type, Callable[..., T]] = {}

    def register(self, handler: Callable[..., T]) -> Callable[..., T]:
        self.found.clear()
        return self.dispatcher.register(handler)

    def __get__(self, obj: Any, cls: type[Any] | None = None) -> Callable[..., T]:
        found, dispatch = self.found, self.dispatcher.dispatch

        def method(event: Any, *args: Any, **kwargs: Any) -> T:
            kind = event.__class__
            handler = found.get(kind)
            if handler is None:
                handler = found[kind] = dispatch(kind)
            return handler(obj, event, *args, **kwargs)

        return method


def handled(*handlers: event_handler[Any]) -> tuple[str, ...]:
    """The topics of the event classes these `singledispatch` handlers take: a view's topics
    follow its handlers, never a list kept apart from them."""
    classes = (cls for h in handlers for cls in h.dispatcher.registry if cls is not object)
    return topics_of(*dict.fromkeys(classes))


Settled = TypeVar("Settled")


def last_settled(
    events: Sequence[Any],
    ending: Callable[[Any], tuple[Any, Any] | None],
    settled: Callable[[Any, int, Any, Any, Any], Settled],
) -> list[Settled]:
    """Each aggregate's last ending in a batch (`ending`: its status and one detail, or None
    for an event that ends nothing), as the `settled` row its view moves to."""
    last: dict[Any, Settled] = {}
    for event in sorted(events, key=lambda e: e.originator_version):
        if (end := ending(event)) is not None:
            status, detail = end
            last[event.originator_id] = settled(
                event.originator_id, event.originator_version, status, detail, event.timestamp
            )
    return list(last.values())


class SqlProjection:
    """A projection whose session is one Postgres transaction, position included."""

    name = ""
    topics: tuple[str, ...] = ()
    tables: tuple[str, ...] = ()
    """The read-model tables this projection alone writes: what a rebuild replaces."""

    def __init__(self, pool: ConnectionPool) -> None:
        self.pool = pool

    def session(self, tracking: Tracking) -> AbstractContextManager[Cursor[Any]]:
        return positions.tracked(self.pool, [self.name], [tracking])

    def position(self, application: str) -> int:
        return positions.position(self.pool, self.name, application)

    def apply(self, event: Any, cur: Cursor[Any]) -> None:
        """Events of other kinds change nothing here."""

    def apply_batch(self, events: Sequence[Any], cur: Cursor[Any]) -> None:
        """A batch's events, in log order; a view that can writes them set-based."""
        for event in events:
            self.apply(event, cur)


class PositionedStore(Protocol):
    """A read model (in Redis) that commits each session's writes with its own position,
    alone or on a MULTI it shares with other stores."""

    def session(self, tracking: Tracking) -> AbstractContextManager[Any]: ...

    def writes(
        self, pipe: Pipeline, trackings: Sequence[Tracking]
    ) -> AbstractContextManager[Any]: ...

    def settle(self, pipe: Pipeline, application: str, logs: Sequence[str]) -> None: ...

    def position_key(self, application: str) -> str: ...

    def position(self, application: str) -> int | None: ...


S = TypeVar("S", bound=PositionedStore)


class StoreProjection(Generic[S]):
    """A projection over a store that tracks its own position: the store is the session."""

    name = ""
    topics: tuple[str, ...] = ()

    def __init__(self, store: S) -> None:
        self.store = store

    def session(self, tracking: Tracking) -> AbstractContextManager[Any]:
        return self.store.session(tracking)

    def writes(self, pipe: Pipeline, trackings: Sequence[Tracking]) -> AbstractContextManager[Any]:
        return self.store.writes(pipe, trackings)

    def apply(self, event: Any, pipe: Pipeline) -> None:
        """Events of other kinds change nothing here."""

    def position(self, application: str) -> int:
        return self.store.position(application) or 0
