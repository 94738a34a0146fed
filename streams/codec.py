"""Stored events as Kafka messages and back: the state as value, identity and position in headers.

Headers: `event-id` (`{aggregate id}:{version}`), `event-type` (the stored topic),
`position` (the notification id in the application's log) and `through`: every event of
the log up to `through` that belongs on this partition was published before this message.
A tick is a message with `through` only: it moves a quiet partition on (see
streams/partitions.py).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from uuid import UUID

from eventsourcing.persistence import Notification, StoredEvent

Headers = list[tuple[str, bytes]]


@dataclass(frozen=True, slots=True)
class Delivery:
    """One message as the consumer sees it; `event` is None for a tick."""

    through: int
    position: int = 0
    event: StoredEvent | None = None


def event_headers(notification: Notification, through: int) -> Headers:
    event_id = f"{notification.originator_id}:{notification.originator_version}"
    return [
        ("event-id", event_id.encode()),
        ("event-type", notification.topic.encode()),
        ("position", str(notification.id).encode()),
        ("through", str(through).encode()),
    ]


def tick_headers(through: int) -> Headers:
    return [("through", str(through).encode())]


def delivery(headers: Mapping[str, bytes], value: bytes | None) -> Delivery:
    """Decode a message the relay published."""
    through = int(headers["through"])
    if "event-id" not in headers:
        return Delivery(through)
    originator_id, version = headers["event-id"].decode().rsplit(":", 1)
    event = StoredEvent(
        originator_id=UUID(originator_id),
        originator_version=int(version),
        topic=headers["event-type"].decode(),
        state=value or b"",
    )
    return Delivery(through, int(headers["position"]), event)
