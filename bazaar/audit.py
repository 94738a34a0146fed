"""`bazaar audit order|reservation <id>`: its history, as a person reads it in a terminal."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from bazaar.settings import Settings
from bazaar.wiring import build
from write_model.commands import Actor
from write_model.errors import NotFoundError
from write_model.history import OrderEventRecord

OPERATOR = Actor(user_id=UUID(int=0), role="admin")
"""Whoever runs the command already holds the database's credentials: they see everything."""

INDENT = 4


def audit(settings: Settings, target: str, aggregate_id: UUID) -> None:
    """Print the history of an order or a reservation (`target`); an unknown one exits with
    status 1 and says so."""
    with build(settings) as container:
        shop = container.shop
        read = shop.audit.order_history if target == "order" else shop.audit.reservation_history
        try:
            records = read(aggregate_id, OPERATOR)
        except NotFoundError as error:
            raise SystemExit(error.message) from None
    print(render_history(f"{target.capitalize()} {aggregate_id}", records))


def render_history(heading: str, records: Sequence[OrderEventRecord]) -> str:
    """One block per event, oldest first, separated by blank lines."""
    blocks = [f"{heading}: {len(records)} events, oldest first"]
    blocks += ["\n".join(render_event(record)) for record in records]
    return "\n\n".join(blocks)


def render_event(record: OrderEventRecord) -> list[str]:
    """A heading (version, time, type, who), then the event's data as `key: value` lines."""
    who = record.by or "the system"
    heading = f"#{record.version}  {when(record.at)}  {record.type}  by {who}"
    return [heading, *(render_fields(record.data, INDENT) or [" " * INDENT + "(no data)"])]


def when(at: datetime) -> str:
    """UTC to the microsecond, as stored: an auditor can pass it back as `as_of` exactly."""
    return f"{at.astimezone(UTC):%Y-%m-%d %H:%M:%S.%f} UTC"


def render_fields(data: Mapping[str, Any], indent: int) -> list[str]:
    return [line for key, value in data.items() for line in render_field(key, value, indent)]


def render_field(key: str, value: Any, indent: int) -> list[str]:
    """Nested objects and lists go one level deeper, YAML-like; None reads as "(none)"."""
    pad = " " * indent
    if isinstance(value, Mapping):
        return [f"{pad}{key}:", *render_fields(value, indent + 2)]
    if isinstance(value, list):
        return [f"{pad}{key}:{'' if value else ' (none)'}", *render_items(value, indent + 2)]
    return [f"{pad}{key}: {'(none)' if value is None else value}"]


def render_items(items: list[Any], indent: int) -> list[str]:
    """Each item starts with "- "; an object's further fields line up under its first."""
    lines: list[str] = []
    for item in items:
        fields = render_fields(item, indent + 2) if isinstance(item, Mapping) else []
        first = fields[0].lstrip() if fields else str(item)
        lines += [f"{' ' * indent}- {first}", *fields[1:]]
    return lines
